"""Table-like inputs: ``.jsonl``, ``.csv`` and ``.parquet`` with one article a row.

Columns: ``id`` and ``text`` (required); ``title``, ``date`` (YYYY-MM-DD),
``url``, ``source``, ``language`` (optional).  Other columns go to
``metadata``.  A JSONL line that is a narrascope output record (it has
``schema_version``) is read back whole, layers included, when ``keep_layers``
is set (used by ``narrascope report``).  Everything streams: JSONL and CSV
line by line, Parquet one row group at a time.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from narrascope.doc import Article
from narrascope.read.errors import ReadError
from narrascope.read.text import parse_text

KNOWN = ("id", "text", "title", "date", "url", "source", "language")
#: Output-record fields that are layers, not input (dropped unless keep_layers).
_LAYERS = ("sentences", "narratives", "entities", "techniques", "fact_checks", "components")


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas-made files
        return None
    s = str(value).strip()
    return s or None


def record_to_article(
    rec: dict[str, Any], path: str, line: int, max_chars: int, keep_layers: bool = False
) -> Article:
    """Validate one input record; raise :class:`ReadError` naming ``path:line``."""
    if not isinstance(rec, dict):
        raise ReadError(path, f"expected an object with 'id' and 'text', got {type(rec).__name__}", line)
    if "schema_version" in rec and keep_layers:
        try:
            return Article.model_validate(rec)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(x) for x in first["loc"])
            raise ReadError(path, f"invalid narrascope record at {loc}: {first['msg']}", line) from None
    art_id = _opt_str(rec.get("id"))
    text = rec.get("text")
    if art_id is None:
        raise ReadError(path, "missing 'id'", line)
    if not isinstance(text, str) or not text.strip():
        raise ReadError(path, f"article {art_id!r}: missing or empty 'text'", line)
    if "\x00" in text:
        raise ReadError(path, f"article {art_id!r}: text contains NUL characters", line)
    if len(text) > max_chars:
        raise ReadError(
            path, f"article {art_id!r} has {len(text)} characters, over the limit of "
            f"{max_chars} (raise it with --max-chars)", line
        )
    art = Article(id=art_id, text=text, path=f"{path}:{line}")
    art.title = _opt_str(rec.get("title"))
    art.url = _opt_str(rec.get("url"))
    art.source = _opt_str(rec.get("source"))
    art.language = _opt_str(rec.get("language"))
    if isinstance(rec.get("language_confidence"), int | float) and art.language:
        art.language_confidence = float(rec["language_confidence"])
    body_start = rec.get("body_start")
    # the seed layout's ` date YYYY-MM-DD ` prefix, as in .txt files (text unchanged)
    seed = parse_text(text, art_id)
    if isinstance(body_start, int) and 0 <= body_start <= len(text):
        art.body_start = body_start
    elif seed.metadata.get("layout") == "seed":
        art.body_start = seed.body_start
        art.date = seed.date
    # also for records with body_start (narrascope output read again with --reanalyze)
    art.warnings.extend(w for w in seed.warnings if "HTML" in w)
    date = rec.get("date")
    if isinstance(date, dt.datetime):
        art.date = date.date()
    elif isinstance(date, dt.date):
        art.date = date
    elif _opt_str(date):
        try:
            art.date = dt.date.fromisoformat(str(date).strip()[:10])
        except ValueError:
            raise ReadError(path, f"article {art_id!r}: invalid date {date!r} (want YYYY-MM-DD)", line) from None
    meta = rec.get("metadata")
    if isinstance(meta, dict):
        art.metadata.update(meta)
    skip = set(KNOWN) | {"metadata", "schema_version", "language_confidence", "body_start",
                         "path", "warnings", "given_mentions", "given_narrative", *_LAYERS}
    for key, value in rec.items():
        if key not in skip and _opt_str(value) is not None:
            art.metadata[key] = value if isinstance(value, int | float | bool | str) else str(value)
    return art


def read_jsonl(path: Path, max_chars: int, keep_layers: bool = False) -> Iterator[Article | ReadError]:
    p = str(path)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield ReadError(p, f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        any_line = False
        for lineno, raw in enumerate(fh, 1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            any_line = True
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield ReadError(p, f"invalid UTF-8 (byte offset {exc.start} in the line)", lineno)
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                yield ReadError(p, f"malformed JSON: {exc.msg} (column {exc.colno})", lineno)
                continue
            try:
                yield record_to_article(rec, p, lineno, max_chars, keep_layers)
            except ReadError as err:
                yield err
        if not any_line:
            yield ReadError(p, "empty file (no records)", 1)


def read_csv(path: Path, max_chars: int) -> Iterator[Article | ReadError]:
    p = str(path)
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        fh = open(path, encoding="utf-8-sig", newline="")
    except OSError as exc:
        yield ReadError(p, f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        reader = csv.DictReader(fh)
        try:
            header = reader.fieldnames
        except (csv.Error, UnicodeDecodeError) as exc:
            yield ReadError(p, f"cannot read the header: {exc}", 1)
            return
        if not header:
            yield ReadError(p, "empty file (no header)", 1)
            return
        missing = [c for c in ("id", "text") if c not in header]
        if missing:
            yield ReadError(p, f"missing column(s) {', '.join(missing)}; have: {', '.join(header)}", 1)
            return
        while True:
            start_line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                yield ReadError(p, f"malformed CSV row: {exc}", start_line)
                continue
            except UnicodeDecodeError as exc:
                yield ReadError(p, f"invalid UTF-8 ({exc.reason}); stopped reading this file", start_line)
                return
            if None in row:  # more fields than the header
                yield ReadError(p, f"malformed CSV row: {len(header) + len(row[None])} fields, "  # type: ignore[index]
                                f"the header has {len(header)}", start_line)
                continue
            try:
                yield record_to_article(dict(row), p, start_line, max_chars)
            except ReadError as err:
                yield err


def read_parquet(path: Path, max_chars: int) -> Iterator[Article | ReadError]:
    p = str(path)
    try:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for broken files
        yield ReadError(p, f"cannot read Parquet file: {exc}")
        return
    names = pf.schema_arrow.names
    missing = [c for c in ("id", "text") if c not in names]
    if missing:
        yield ReadError(p, f"missing column(s) {', '.join(missing)}; have: {', '.join(names)}")
        return
    row = 0
    for group in range(pf.num_row_groups):
        try:
            table = pf.read_row_group(group)
        except Exception as exc:
            yield ReadError(p, f"cannot read row group {group}: {exc}")
            continue
        for rec in table.to_pylist():
            row += 1
            try:
                yield record_to_article(rec, p, row, max_chars)
            except ReadError as err:
                yield err
