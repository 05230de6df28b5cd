"""CLI commands of the fact-check component: ``narrascope kb ...``.

The CLI calls :func:`register_extra` with the top-level app; it adds the ``kb`` group:

* ``narrascope kb import-wikidata FILE -o out.yaml`` - P39 statements -> a KB file;
* ``narrascope kb validate [FILE...]`` - load the packaged KB plus files, report errors;
* ``narrascope kb holder TITLE --date YYYY-MM-DD`` - who held an office on a day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer


def register(train_app: typer.Typer) -> None:  # noqa: ARG001 - nothing to train
    """Fact checks have no trainable model; nothing is added to ``narrascope train``."""
    return None


def register_extra(app: typer.Typer) -> None:
    kb_app = typer.Typer(help="Knowledge base of office holders used by the fact checks.",
                         no_args_is_help=True)

    @kb_app.command("import-wikidata")
    def import_cmd(
        file: Annotated[Path, typer.Argument(
            exists=True, dir_okay=False, help="Wikidata entity JSON or SPARQL JSON results.")],
        output: Annotated[Path, typer.Option("-o", "--output", help="YAML file to write.")],
        jurisdiction: Annotated[str | None, typer.Option(
            "--jurisdiction", "-j", help="Country/body code for the offices, e.g. US.")] = None,
        lang: Annotated[str, typer.Option(help="Label language.")] = "en",
        map_: Annotated[list[str] | None, typer.Option(
            "--map", help="QID=office.id: add terms to an existing office.")] = None,
    ) -> None:
        """Convert "position held" (P39) statements with P580/P582 dates into a KB file."""
        from narrascope.components.fact_checks.kb import load_kb
        from narrascope.components.fact_checks.wikidata import dump_yaml, import_wikidata

        mapping = {}
        for item in map_ or []:
            if "=" not in item:
                raise typer.BadParameter(f"--map {item!r}: use QID=office.id")
            q, o = item.split("=", 1)
            mapping[q.strip()] = o.strip()
        try:
            doc = import_wikidata(file, jurisdiction=jurisdiction, lang=lang, office_map=mapping)
        except (ValueError, OSError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        output.write_text(dump_yaml(doc), encoding="utf-8")
        kb = load_kb([output])  # validate what we wrote, together with the packaged KB
        n_terms = sum(len(o["terms"]) for o in doc["offices"].values())
        typer.echo(f"wrote {output}: {len(doc['offices'])} offices, {n_terms} terms, "
                   f"{len(doc['persons'])} persons (merged KB: {kb.summary()})")

    @kb_app.command("validate")
    def validate_cmd(
        files: Annotated[list[Path] | None, typer.Argument(
            help="Extra KB files or folders.")] = None,
        no_builtin: Annotated[bool, typer.Option(help="Do not load the packaged KB.")] = False,
    ) -> None:
        """Load the knowledge base and report errors and overlapping terms."""
        from narrascope.components.fact_checks.kb import KBError, load_kb

        try:
            kb = load_kb(files or [], builtin=not no_builtin)
        except KBError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        problems = 0
        for office in kb.offices.values():
            terms = [t for t in office.terms if not t.acting]
            for a, b in zip(terms, terms[1:], strict=False):
                if a.end and b.start and b.start < a.end - dt.timedelta(days=1):
                    problems += 1
                    typer.echo(f"warning: {office.id}: {a.holder} ({a.start}..{a.end}) overlaps "
                               f"{b.holder} (from {b.start})")
        typer.echo(f"ok: {kb.summary()}, {problems} warning(s)")

    @kb_app.command("holder")
    def holder_cmd(
        title: Annotated[str, typer.Argument(help='A title as written, e.g. "Pentagon chief".')],
        date: Annotated[str | None, typer.Option(
            "--date", help="YYYY-MM-DD (default: today).")] = None,
        kb_path: Annotated[list[Path] | None, typer.Option("--kb", help="Extra KB files.")] = None,
    ) -> None:
        """Print who held the offices a title refers to on a date."""
        from narrascope.components.fact_checks.kb import load_kb, normalise_title

        day = dt.date.fromisoformat(date) if date else dt.date.today()
        kb = load_kb(kb_path or [])
        offices = kb.title_index().get(normalise_title(title), [])
        if not offices:
            typer.echo(f"no office in the knowledge base has the title {title!r}")
            raise typer.Exit(1)
        for office in offices:
            holders = office.holders_on(day)
            who = ", ".join(f"{t.holder} ({t.start} to {t.end or 'present'})" for t in holders)
            typer.echo(f"{office.name} [{office.jurisdiction}] on {day}: {who or 'unknown'}")

    app.add_typer(kb_app, name="kb")
