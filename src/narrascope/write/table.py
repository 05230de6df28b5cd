"""A readable terminal summary of each article (rich), with the notice as footer."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from narrascope.doc import NOTICE, Article
from narrascope.write.safe import safe_line
from narrascope.write.summary import NO_ROLE, ROLES, fmt_label, summarize

ROLE_STYLE = {"Protagonist": "green", "Antagonist": "red", "Innocent": "cyan"}


def article_panel(article: Article) -> Panel:
    s = summarize(article)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    lang = article.language or "?"
    if article.language_confidence is not None:
        lang += f" ({article.language_confidence:.2f})"
    grid.add_row("date", _date_cell(article))
    grid.add_row("language", safe_line(lang))
    if article.sentences:
        clutter = sum(x.kind == "boilerplate" for x in article.sentences)
        grid.add_row("sentences", f"{len(article.sentences)}" + (f" ({clutter} page clutter)" if clutter else ""))
    if article.narratives is not None:
        grid.add_row("domain", safe_line(fmt_label(s.domain)) if s.domain else "-")
        grid.add_row("narratives", "\n".join(safe_line(fmt_label(n)) for n in s.narratives) or "none")
        if s.subnarratives:
            grid.add_row("subnarratives", "\n".join(safe_line(fmt_label(n)) for n in s.subnarratives))
    if article.entities or "entities" in article.components:
        roles = Text()
        for role in (*ROLES, NO_ROLE):
            names = s.entities_by_role.get(role)
            if names:
                if roles:
                    roles.append("\n")
                roles.append(f"{role}: ", style=ROLE_STYLE.get(role, "dim"))
                roles.append(", ".join(safe_line(n) for n in names[:6]) + (" ..." if len(names) > 6 else ""))
        grid.add_row("entities", roles if roles else Text("none"))
    if article.techniques is not None:
        unit = "span" if s.technique_count == 1 else "spans"
        tech = f"{s.technique_count} {unit}, {s.technique_density or 0:.1f} per 1000 words"
        if s.top_techniques:
            tech += "\n" + ", ".join(f"{safe_line(k)} x{v}" for k, v in s.top_techniques)
        grid.add_row("techniques", tech)
    if "fact_checks" in article.components or article.fact_checks:
        grid.add_row("fact checks", Text("\n".join(map(safe_line, s.fact_checks)), style="red") if s.fact_checks
                     else Text("no finding"))
    if article.warnings:
        grid.add_row("warnings", Text("\n".join(map(safe_line, article.warnings)), style="yellow"))
    # ids, titles, names and warnings come from the input: no escape sequence may reach the
    # terminal (they are written as \x1b etc., see narrascope.write.safe)
    title = Text(safe_line(article.id), style="bold")
    if article.title:
        title.append(f" - {safe_line(article.title)}")
    return Panel(grid, title=title,
                 title_align="left", expand=True)


class TableWriter:
    """Writes one rich panel per article, then the notice."""

    def __init__(self, fh: TextIO, color: bool | None = None, width: int | None = None) -> None:
        self.console = Console(
            file=fh, width=width or (None if color else 100), force_terminal=color,
            no_color=color is False, highlight=False, soft_wrap=False,
        )
        self.count = 0

    def write(self, article: Article) -> None:
        self.console.print(article_panel(article))
        self.count += 1

    def finish(self) -> None:
        self.console.print(Text(f"{self.count} article(s). Note: {NOTICE}", style="dim"))


def _date_cell(article: Article) -> str:
    """The date and, when it was not given, where it came from."""
    if article.date is None:
        return "unknown"
    if article.date_source == "text" and article.date_evidence is not None:
        return f"{article.date} (stated in the text: {safe_line(article.date_evidence.text)!r})"
    if article.date_source == "option":
        return f"{article.date} (from --date)"
    return str(article.date)
