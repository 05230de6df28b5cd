"""Writers: analysed articles to JSONL, CSV, a terminal table, SemEval files or HTML.

Every writer has ``write(article)`` and ``finish()``; output goes through a
:class:`~narrascope.write.sink.Sink` (stdout, or an atomically replaced file,
resumable for JSONL).

JSONL records follow ``docs/schema/article.schema.json`` and carry the
narrascope notice in ``metadata["notice"]`` so that every line, read alone,
says what the analysis does and does not judge.
"""

from __future__ import annotations

import csv
import json
from typing import Protocol, TextIO

from narrascope.doc import NOTICE, Article
from narrascope.write.semeval import st1_lines, st2_line, st3_line
from narrascope.write.sink import Sink
from narrascope.write.summary import ROLES, fmt_label, summarize

FORMATS = ("jsonl", "csv", "table", "semeval-st1", "semeval-st2", "semeval-st3")
RESUMABLE = ("jsonl",)

__all__ = ["CSV_COLUMNS", "FORMATS", "RESUMABLE", "Sink", "Writer", "article_record",
           "make_writer"]


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


class CsvWriter:
    """One row per article with flattened summary columns (lists joined by ``; ``)."""

    def __init__(self, fh: TextIO) -> None:
        self.w = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, lineterminator="\n")
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
        self.w.writerow(row)

    def finish(self) -> None:
        pass


class LinesWriter:
    """SemEval prediction files: plain lines, no header."""

    def __init__(self, fh: TextIO, fmt: str) -> None:
        self.fh = fh
        self.fmt = fmt

    def write(self, article: Article) -> None:
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


def make_writer(fmt: str, fh: TextIO, color: bool | None = None) -> Writer:
    """The writer for ``fmt`` (one of :data:`FORMATS`, or ``html``)."""
    if fmt == "jsonl":
        return JsonlWriter(fh)
    if fmt == "csv":
        return CsvWriter(fh)
    if fmt == "table":
        from narrascope.write.table import TableWriter

        return TableWriter(fh, color=color)
    if fmt in ("semeval-st1", "semeval-st2", "semeval-st3"):
        return LinesWriter(fh, fmt)
    if fmt == "html":
        from narrascope.write.report import ReportWriter

        return ReportWriter(fh)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
