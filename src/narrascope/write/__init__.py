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

The SemEval writers leave out an article whose id holds a tab, a line break or a control character
(a changed id would no longer match the gold file) and say so in
``article.warnings``, which the CLI prints on stderr.
"""

from __future__ import annotations

import csv
import functools
import json
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol, TextIO

from narrascope.doc import NOTICE, Article
from narrascope.write.loop import WriteResult, WriteStopped, write_stream
from narrascope.write.semeval import left_out_warning, st1_lines, st2_line, st3_line, unsafe_id
from narrascope.write.sink import OutputLocked, Sink
from narrascope.write.summary import ROLES, fmt_label, summarize

FORMATS = ("jsonl", "csv", "table", "semeval-st1", "semeval-st2", "semeval-st3")
RESUMABLE = ("jsonl",)

__all__ = ["CSV_COLUMNS", "CSV_NUMERIC_COLUMNS", "FORMATS", "FORMULA_START", "RESUMABLE",
           "WRITERS", "WRITERS_ENTRY_POINT_GROUP", "OutputLocked", "Sink", "WriteResult",
           "WriteStopped", "Writer", "WriterInfo", "article_record", "format_for_path",
           "guard_cell", "make_writer", "register_writer", "write_stream", "writer_formats",
           "writer_info"]


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
    "id", "title", "date", "date_source", "language", "language_confidence", "domain", "narratives",
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
            "date_source": article.date_source or "",
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

    An article whose id holds a tab, a line break or a control character is left out (its row would break
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


@dataclass
class WriterInfo:
    """A registered output format: ``factory(fh, **options)`` builds its writer."""

    name: str
    factory: Callable[..., Writer]
    #: file extensions that pick this format for ``-o FILE`` without ``--format``
    extensions: tuple[str, ...] = ()
    #: whether an interrupted output can be continued (``--resume``)
    resumable: bool = False
    description: str = ""


#: Output formats by name (:func:`register_writer`; plugins: :data:`WRITERS_ENTRY_POINT_GROUP`).
WRITERS: dict[str, WriterInfo] = {}

#: Entry-point group of output-format plugins.  An entry point names a module that calls
#: :func:`register_writer` when imported, or a writer factory ``factory(fh, **options)``
#: that is registered under the entry point's name.
WRITERS_ENTRY_POINT_GROUP = "narrascope.writers"

_writer_plugins_loaded = False


def register_writer(name: str, factory: Callable[..., Writer], *, extensions: Iterable[str] = (),
                    resumable: bool = False, description: str = "") -> None:
    """Add (or replace) the output format ``name``; ``factory(fh, **options)`` builds its writer.

    ``extensions`` (``".xml"``): ``-o out.xml`` without ``--format`` picks this format.
    """
    WRITERS[name] = WriterInfo(name, factory, tuple(e.lower() for e in extensions), resumable,
                               description)


def _load_writer_plugins() -> None:
    global _writer_plugins_loaded
    if _writer_plugins_loaded:
        return
    _writer_plugins_loaded = True
    for ep in entry_points(group=WRITERS_ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not break the other formats
            warnings.warn(f"cannot load output format plugin {ep.name}: {exc}", stacklevel=2)
            continue
        if ep.name not in WRITERS and callable(obj) and not isinstance(obj, type(warnings)):
            register_writer(ep.name, obj)


def writer_formats() -> list[str]:
    """Names of the output formats, built-in ones first."""
    _load_writer_plugins()
    return list(WRITERS)


def writer_info(fmt: str) -> WriterInfo:
    """The registered format ``fmt``; :class:`ValueError` names the known ones."""
    _load_writer_plugins()
    try:
        return WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(WRITERS)}") from None


def format_for_path(path: str | Path | None, default: str = "jsonl") -> str:
    """The output format an ``-o`` file name asks for by its extension (else ``default``)."""
    if path is None or str(path) == "-":
        return default
    ext = Path(str(path)).suffix.lower()
    _load_writer_plugins()
    for info in WRITERS.values():
        if ext and ext in info.extensions:
            return info.name
    return default


def make_writer(fmt: str, fh: TextIO, color: bool | None = None,
                formula_guard: bool = True, **options: Any) -> Writer:
    """The writer for ``fmt`` (one of :func:`writer_formats`: :data:`FORMATS`, ``html``, plugins).

    ``color``: the table writer's colours (None: when writing to a terminal).
    ``formula_guard``: the CSV writer's guard against spreadsheet formulas (on by default).
    Other ``options`` go to the format's factory.
    """
    info = writer_info(fmt)
    if fmt == "table":
        options.setdefault("color", color)
    elif fmt == "csv":
        options.setdefault("formula_guard", formula_guard)
    return info.factory(fh, **options)


def _table_writer(fh: TextIO, **options: Any) -> Writer:
    from narrascope.write.table import TableWriter

    return TableWriter(fh, **options)


def _report_writer(fh: TextIO, **options: Any) -> Writer:
    from narrascope.write.report import ReportWriter

    return ReportWriter(fh, **options)


register_writer("jsonl", JsonlWriter, extensions=(".jsonl", ".ndjson"), resumable=True,
                description="one JSON record per article (docs/schema/article.schema.json)")
register_writer("csv", CsvWriter, extensions=(".csv",), description="one summary row per article")
register_writer("table", _table_writer, description="readable terminal summary")
for _fmt in ("semeval-st1", "semeval-st2", "semeval-st3"):
    register_writer(_fmt, functools.partial(LinesWriter, fmt=_fmt),
                    description=f"SemEval-2025 Task 10 subtask {_fmt[-1]} prediction lines")
register_writer("html", _report_writer, extensions=(".html", ".htm"),
                description="one self-contained HTML report page")
