"""Writers: analysed articles to JSONL, CSV, a terminal table, SemEval files or HTML.

Every writer has ``write(article)`` and ``finish()``; output goes through a
:class:`~narrascope.write.sink.Sink` (stdout, or an atomically replaced file,
resumable for JSONL).

JSONL records follow ``docs/schema/article.schema.json`` and carry the
narrascope notice in ``metadata["notice"]`` so that every line, read alone,
says what the analysis does and does not judge.

CSV cells that a spreadsheet would read as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading ``'`` (OWASP "CSV
injection"); the numeric columns narrascope writes are left as they are.
``make_writer("csv", fh, formula_guard=False)`` writes the raw values.  Line
breaks inside a CSV cell are written as ``\\n`` (quoted), never as a bare CR.

The SemEval writers leave out an article whose id holds a tab or a line break
(a changed id would no longer match the gold file) and say so in
``article.warnings``, which the CLI prints on stderr.
"""

from __future__ import annotations

import csv
import json
from typing import Protocol, TextIO

from narrascope.doc import NOTICE, Article
from narrascope.write.semeval import left_out_warning, st1_lines, st2_line, st3_line, unsafe_id
from narrascope.write.sink import Sink
from narrascope.write.summary import ROLES, fmt_label, summarize

FORMATS = ("jsonl", "csv", "table", "semeval-st1", "semeval-st2", "semeval-st3")
RESUMABLE = ("jsonl",)

__all__ = ["CSV_COLUMNS", "CSV_NUMERIC_COLUMNS", "FORMATS", "FORMULA_START", "RESUMABLE", "Sink",
           "Writer", "article_record", "guard_cell", "make_writer"]


class Writer(Protocol):
    def write(self, article: Article) -> None: ...

    def finish(self) -> None: ...


def article_record(article: Article) -> dict:
    """The JSON record of one article (schema ``article.schema.json``), notice included."""
    rec = article.model_dump(mode="json")
    rec["metadata"]["notice"] = NOTICE
    return rec


class JsonlWriter:
    def __init__(self, fh: TextIO) -> None:
        self.fh = fh

    def write(self, article: Article) -> None:
        self.fh.write(json.dumps(article_record(article), ensure_ascii=False) + "\n")

    def finish(self) -> None:
        pass


CSV_COLUMNS = [
    "id", "title", "date", "language", "language_confidence", "domain", "narratives",
    "subnarratives", *[f"{r.lower()}s" for r in ROLES], "technique_spans",
    "techniques_per_1000_words", "top_techniques", "fact_checks", "explanation", "warnings",
    "path",
]

#: Columns holding numbers that narrascope formats itself: never guarded.
CSV_NUMERIC_COLUMNS = frozenset({"language_confidence", "technique_spans", "techniques_per_1000_words"})

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_cell(value: object) -> object:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class CsvWriter:
    """One row per article with flattened summary columns (lists joined by ``; ``).

    ``formula_guard`` (default on): text cells starting with a formula character get a
    leading ``'`` so that spreadsheets show them as text; numeric columns are unchanged.
    Line breaks inside a cell are written as ``\\n`` (a CR alone would break the row).
    """

    def __init__(self, fh: TextIO, formula_guard: bool = True) -> None:
        self.w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, lineterminator="\n")
        self.formula_guard = formula_guard
        self.w.writeheader()

    def write(self, article: Article) -> None:
        s = summarize(article, top=10)
        row = {
            "id": article.id, "title": article.title or "", "date": article.date or "",
            "language": article.language or "",
            "language_confidence": article.language_confidence if article.language_confidence is not None else "",
            "domain": fmt_label(s.domain) if s.domain else "",
            "narratives": "; ".join(fmt_label(n) for n in s.narratives),
            "subnarratives": "; ".join(fmt_label(n) for n in s.subnarratives),
            "technique_spans": s.technique_count if article.techniques else "",
            "techniques_per_1000_words": f"{s.technique_density:.2f}" if s.technique_density is not None else "",
            "top_techniques": "; ".join(f"{k} x{v}" for k, v in s.top_techniques),
            "fact_checks": "; ".join(s.fact_checks),
            "explanation": s.explanation or "",
            "warnings": "; ".join(article.warnings),
            "path": article.path or "",
        }
        for role in ROLES:
            row[f"{role.lower()}s"] = "; ".join(s.entities_by_role.get(role, []))
        self.w.writerow({k: v if k in CSV_NUMERIC_COLUMNS else self._cell(v) for k, v in row.items()})

    def _cell(self, value: object) -> object:
        if self.formula_guard:
            value = guard_cell(value)
        if isinstance(value, str) and "\r" in value:
            # csv leaves a field with a bare CR unquoted when the line end is "\n": the
            # row would break, so a CR line break becomes "\n" (and the field is quoted)
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value

    def finish(self) -> None:
        pass


class LinesWriter:
    """SemEval prediction files: plain lines, no header.

    An article whose id holds a tab or a line break is left out (its row would break
    the file, and a changed id would not match the gold file) with a warning in
    ``article.warnings``, which the CLI prints on stderr.
    """

    def __init__(self, fh: TextIO, fmt: str) -> None:
        self.fh = fh
        self.fmt = fmt
        #: ids left out because they cannot be written in a TSV row
        self.skipped: list[str] = []

    def write(self, article: Article) -> None:
        if unsafe_id(article.id):
            self.skipped.append(article.id)
            article.warnings.append(left_out_warning(article.id, f"{self.fmt} file"))
            return
        if self.fmt == "semeval-st1":
            lines = st1_lines(article)
        elif self.fmt == "semeval-st2":
            lines = [st2_line(article)]
        else:
            lines = [st3_line(article)]
        for line in lines:
            self.fh.write(line + "\n")

    def finish(self) -> None:
        pass


def make_writer(fmt: str, fh: TextIO, color: bool | None = None,
                formula_guard: bool = True) -> Writer:
    """The writer for ``fmt`` (one of :data:`FORMATS`, or ``html``).

    ``color``: the table writer's colours (None: when writing to a terminal).
    ``formula_guard``: the CSV writer's guard against spreadsheet formulas (on by default).
    """
    if fmt == "jsonl":
        return JsonlWriter(fh)
    if fmt == "csv":
        return CsvWriter(fh, formula_guard=formula_guard)
    if fmt == "table":
        from narrascope.write.table import TableWriter

        return TableWriter(fh, color=color)
    if fmt in ("semeval-st1", "semeval-st2", "semeval-st3"):
        return LinesWriter(fh, fmt)
    if fmt == "html":
        from narrascope.write.report import ReportWriter

        return ReportWriter(fh)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
