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
import math
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from narrascope.doc import SCHEMA_VERSION, Article, Span, upgrade_record
from narrascope.read.dates import parse_date
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
    rec: dict[str, Any], path: str, line: int, max_chars: int, keep_layers: bool = False,
    default_id: str | None = None, scan_strings: bool = True,
) -> Article:
    """Validate one input record; raise :class:`ReadError` naming ``path:line``.

    ``default_id``: the id of a record without one (``FILE:LINE``); None: an error.
    """
    if not isinstance(rec, dict):
        raise ReadError(path, f"expected an object with 'id' and 'text', got {type(rec).__name__}", line)
    # layers have a fixed, typed shape (pydantic checks them); free-form values are walked.
    # scan_strings=False: the caller knows no string can hold a lone surrogate
    free = {k: v for k, v in rec.items() if k not in _LAYERS} if keep_layers else rec
    problem = check_value(free) or (check_value(rec) if scan_strings and free is not rec else None)
    if problem:
        raise ReadError(path, problem, line)
    if "schema_version" in rec and keep_layers:
        return _analysed_record(rec, path, line, max_chars)
    art_id = _opt_str(rec.get("id"))
    text = rec.get("text")
    no_id = art_id is None
    if no_id:
        if default_id is None:
            raise ReadError(path, "missing 'id'", line)
        art_id = default_id
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
    if no_id:
        art.warnings.append(f"record has no 'id'; its id is {art_id!r} (file:line)")
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
    if art.date is not None:
        art.date_source = "metadata"
    date = rec.get("date")
    if isinstance(date, dt.date) or _opt_str(date):
        found, warning = parse_date(date)
        if found is not None:  # an explicit date wins over the seed prefix
            art.date, art.date_source = found, "metadata"
        if warning:
            art.warnings.append(warning)
            art.metadata["date_raw"] = str(date)[:100]
    meta = rec.get("metadata")
    if isinstance(meta, dict):
        art.metadata.update(meta)
    skip = set(KNOWN) | {"metadata", "schema_version", "language_confidence", "body_start",
                         "path", "warnings", "given_mentions", "given_narrative", *_LAYERS}
    for key, value in rec.items():
        if key not in skip and _opt_str(value) is not None:
            art.metadata[key] = value if isinstance(value, int | float | bool | str) else str(value)
    return art


#: Deepest nesting of lists/objects accepted in an input record (a narrascope record
#: has about 6 levels); deeper values are refused before they reach a recursive step.
MAX_DEPTH = 40


def check_value(value: Any) -> str | None:
    """Why a decoded record cannot be used (too deep, a lone surrogate), or None.

    Iterative, so a record nested thousands of levels deep cannot overflow the stack.
    """
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        v, depth, where = stack.pop()
        if depth > MAX_DEPTH:
            return f"record nested deeper than {MAX_DEPTH} levels (at {where[:80] or 'top'})"
        if isinstance(v, str):
            if _has_surrogate(v):
                return (f"lone surrogate (not valid Unicode) in {where[:80] or 'a value'!r}; "
                        "the record cannot be written back")
        elif isinstance(v, dict):
            for k, item in v.items():
                key = str(k)
                if _has_surrogate(key):
                    return "lone surrogate (not valid Unicode) in a key"
                stack.append((item, depth + 1, f"{where}.{key}" if where else key))
        elif isinstance(v, list | tuple):
            for i, item in enumerate(v):
                stack.append((item, depth + 1, f"{where}[{i}]"))
        elif isinstance(v, float) and (v != v or v in (float("inf"), float("-inf"))):
            return f"NaN or infinite number in {where[:80] or 'a value'!r}"
    return None


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
        return False
    except UnicodeEncodeError:
        return True


def _analysed_record(rec: dict[str, Any], path: str, line: int, max_chars: int) -> Article:
    """A narrascope output record read back with its layers, checked like fresh input."""
    try:
        art = Article.model_validate(upgrade_record(rec))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ReadError(path, f"invalid narrascope record at {loc}: {first['msg']}", line) from None
    except (RecursionError, TypeError, ValueError, AttributeError) as exc:
        raise ReadError(path, f"invalid narrascope record: {type(exc).__name__}", line) from None
    return _checked_record(art, path, line, max_chars)


def _checked_record(art: Article, path: str, line: int, max_chars: int) -> Article:
    """The checks of a validated record that its types cannot express: text size, every
    span's offsets and text against the article text."""
    if not art.text.strip():
        raise ReadError(path, f"article {art.id!r}: empty 'text'", line)
    if len(art.text) > max_chars:
        raise ReadError(path, f"article {art.id!r} has {len(art.text)} characters, over the limit "
                        f"of {max_chars} (raise it with --max-chars)", line)
    bad = _bad_span(art)
    if bad is not None:
        n = len(art.text)
        if bad.end > n:
            raise ReadError(path, f"invalid narrascope record {art.id!r}: span {bad.start}-"
                            f"{bad.end} is outside the text ({n} characters)", line)
        raise ReadError(path, f"invalid narrascope record {art.id!r}: the text of span "
                        f"{bad.start}-{bad.end} does not match the article text", line)
    for sent in art.sentences:
        if sent.index < 0:
            raise ReadError(path, f"invalid narrascope record {art.id!r}: bad sentence index", line)
    art.path = f"{path}:{line}"  # where it was read now, not a path the record claims
    return art


#: Bytes whose presence sends a JSONL line to the reader's general path: NaN and
#: Infinity (refused there; pydantic's JSON parser would take them as numbers).
_NONFINITE = re.compile(rb"NaN|Infinity")
_SCHEMA_KEY = b'"schema_version"'


def fast_analysed_record(raw: bytes, path: str, line: int, max_chars: int) -> Article | None:
    """A current-schema narrascope record validated straight from its JSON line, or None
    when the general path must read it (another schema version, NaN/Infinity, any
    validation problem: that path gives the message).

    Pydantic's JSON parser refuses what :func:`record_to_article` refuses (invalid UTF-8,
    lone surrogates, nesting past its recursion limit, numbers out of range) and the
    model refuses unknown fields, so one validation of the line replaces ``json.loads``
    plus the validation of the decoded record; the free-form ``metadata`` is still
    walked by :func:`check_value` (depth).
    """
    if _SCHEMA_KEY not in raw or _NONFINITE.search(raw) is not None:
        return None
    try:
        art = Article.model_validate_json(raw)
    except (ValidationError, RecursionError, TypeError, ValueError):
        return None
    if "schema_version" not in art.model_fields_set or art.schema_version != SCHEMA_VERSION:
        return None
    if art.metadata and check_value(art.metadata) is not None:
        return None
    return _checked_record(art, path, line, max_chars)


_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")


#: Per model class: its fields whose values may hold models (hence spans).
_MODEL_FIELDS: dict[type, tuple[str, ...]] = {}


def _holds_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(a) for a in typing.get_args(annotation))


def _model_fields(cls: type) -> tuple[str, ...]:
    """Names of the fields of a model class whose values may hold models (hence spans)."""
    names = _MODEL_FIELDS.get(cls)
    if names is None:
        names = tuple(n for n, f in cls.model_fields.items()  # type: ignore[attr-defined]
                      if _holds_model(f.annotation))
        _MODEL_FIELDS[cls] = names
    return names


def _bad_span(art: Article) -> Span | None:
    """The first span of a validated record outside its text or whose text is not
    ``text[start:end]`` (as :func:`narrascope.doc.iter_spans`, faster: iterative, and
    only into the fields whose type may hold a model)."""
    text = art.text
    n = len(text)
    fields = _MODEL_FIELDS
    stack: list[Any] = [art]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        obj = pop()
        cls = type(obj)
        names = fields.get(cls)
        if names is None:
            names = _model_fields(cls)
        if isinstance(obj, Span) and (obj.end > n or text[obj.start:obj.end] != obj.text):
            return obj
        if not names:
            continue
        d = obj.__dict__
        for name in names:
            value = d[name]
            if value is None:
                continue
            if isinstance(value, BaseModel):
                push(value)
            elif isinstance(value, list | tuple):
                extend([v for v in value if isinstance(v, BaseModel)])
            elif isinstance(value, dict):
                extend([v for v in value.values() if isinstance(v, BaseModel)])
    return None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def line_limit(max_chars: int) -> int:
    """Longest JSONL/CSV line read, in bytes: a record with its layers, for ``max_chars``."""
    return 16 * max_chars + (1 << 20)


def _readline(fh: Any, limit: int) -> tuple[bytes, bool]:
    """The next line, read at most ``limit`` bytes at a time; ``(b"", False)`` at the end.

    A longer line is skipped to its end (in 1 MiB pieces, never held whole) and returned
    as ``(first piece, True)``.
    """
    raw = fh.readline(limit + 1)
    if len(raw) <= limit or raw.endswith(b"\n"):
        return raw, False
    while True:
        piece = fh.readline(1 << 20)
        if not piece or piece.endswith(b"\n"):
            return raw, True


def read_jsonl(path: Path, max_chars: int, keep_layers: bool = False,
               file_id: str | None = None) -> Iterator[Article | ReadError]:
    """One record a line; a record without ``id`` gets ``FILE:LINE`` (``file_id``: FILE)."""
    p = str(path)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield ReadError(p, f"cannot read file: {exc.strerror or exc}")
        return
    fid = file_id if file_id is not None else path.name
    limit = line_limit(max_chars)
    with fh:
        any_line = False
        lineno = 0
        while True:
            raw, too_long = _readline(fh, limit)
            if not raw:
                break
            lineno += 1
            if too_long:
                any_line = True
                yield ReadError(p, f"line is over {limit} bytes, the limit for --max-chars "
                                f"{max_chars} (raise it with --max-chars); skipped", lineno)
                continue
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            any_line = True
            if keep_layers:
                try:
                    fast = fast_analysed_record(raw, p, lineno, max_chars)
                except ReadError as err:
                    yield err
                    continue
                if fast is not None:
                    yield fast
                    continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield ReadError(p, f"invalid UTF-8 (byte offset {exc.start} in the line)", lineno)
                continue
            try:
                rec = json.loads(line, parse_constant=_no_constant)
            except json.JSONDecodeError as exc:
                yield ReadError(p, f"malformed JSON: {exc.msg} (column {exc.colno})", lineno)
                continue
            except RecursionError:
                yield ReadError(p, "malformed JSON: nested too deeply", lineno)
                continue
            except ValueError as exc:  # NaN/Infinity, integers over Python's digit limit
                yield ReadError(p, f"malformed JSON: {' '.join(str(exc).split())[:200]}", lineno)
                continue
            try:  # a lone surrogate can only come from a \uD800-\uDFFF escape in the line
                yield record_to_article(rec, p, lineno, max_chars, keep_layers,
                                        default_id=f"{fid}:{lineno}",
                                        scan_strings=_SURROGATE_ESCAPE.search(raw) is not None)
            except ReadError as err:
                yield err
            except (RecursionError, ValueError, TypeError) as exc:  # never stop the file
                yield ReadError(p, f"cannot read this record: {type(exc).__name__}: "
                                f"{' '.join(str(exc).split())[:200]}", lineno)
        if not any_line:
            yield ReadError(p, "empty file (no records)", 1)


class _LineTooLong(Exception):
    pass


class _Lines:
    """Lines of a binary file for :mod:`csv`, bounded in length, decoded leniently.

    Bytes that are not UTF-8 become lone surrogates (``surrogateescape``), so the row
    holding them is reported with its line and the others are read.
    """

    def __init__(self, fh: Any, limit: int, lineno: int = 0) -> None:
        self.fh = fh
        self.limit = limit
        self.lineno = lineno

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw, too_long = _readline(self.fh, self.limit)
        if not raw:
            raise StopIteration
        self.lineno += 1
        if too_long:
            raise _LineTooLong
        if self.lineno == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        return raw.decode("utf-8", "surrogateescape")


def read_csv(path: Path, max_chars: int, file_id: str | None = None) -> Iterator[Article | ReadError]:
    """A header with ``id`` and ``text``, one article a row (quoted multi-line cells allowed).

    A bad row (malformed quoting, invalid UTF-8, too many fields, a cell over the limit)
    is reported with its first line and reading goes on at the line after it, so an
    unterminated quote costs one row, not the rest of the file.
    """
    p = str(path)
    fid = file_id if file_id is not None else path.name
    csv.field_size_limit(max_chars + 1)
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield ReadError(p, f"cannot read file: {exc.strerror or exc}")
        return
    with fh:
        lines = _Lines(fh, line_limit(max_chars))
        reader = csv.reader(lines, strict=True)
        try:
            header = next(reader, None)
        except (csv.Error, _LineTooLong) as exc:
            yield ReadError(p, f"cannot read the header: {exc or 'line too long'}", 1)
            return
        if not header:
            yield ReadError(p, "empty file (no header)", 1)
            return
        if any(_has_surrogate(h) for h in header):
            yield ReadError(p, "invalid UTF-8 in the header; convert the file to UTF-8", 1)
            return
        header = [h.strip() for h in header]
        missing = [c for c in ("id", "text") if c not in header]
        if missing:
            yield ReadError(p, f"missing column(s) {', '.join(missing)}; have: {', '.join(header)}", 1)
            return
        while True:
            start_line = lines.lineno + 1
            start_offset = fh.tell()
            try:
                row = next(reader)
            except StopIteration:
                break
            except (csv.Error, _LineTooLong) as exc:
                why = ("line too long (raise --max-chars)" if isinstance(exc, _LineTooLong)
                       else "unterminated quote" if "unexpected end of data" in str(exc)
                       else str(exc))
                yield ReadError(p, f"malformed CSV row: {why}; row skipped", start_line)
                # go on at the line after the row's first line
                fh.seek(start_offset)
                lines.lineno = start_line - 1
                try:
                    next(lines)
                except StopIteration:
                    break
                except _LineTooLong:
                    pass
                reader = csv.reader(lines, strict=True)
                continue
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line
            if len(row) > len(header):
                yield ReadError(p, f"malformed CSV row: {len(row)} fields, "
                                f"the header has {len(header)}", start_line)
                continue
            if any(_has_surrogate(v) for v in row):
                yield ReadError(p, "invalid UTF-8 in this row; row skipped", start_line)
                continue
            rec = dict(zip(header, row, strict=False))
            try:
                yield record_to_article(rec, p, start_line, max_chars,
                                        default_id=f"{fid}:{start_line}")
            except ReadError as err:
                yield err


def read_parquet(path: Path, max_chars: int, file_id: str | None = None
                 ) -> Iterator[Article | ReadError]:
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
    row = 0  # Parquet has no lines: messages give the row number (1-based) as the line
    for group in range(pf.num_row_groups):
        first = row + 1
        try:
            row += pf.metadata.row_group(group).num_rows
        except Exception:
            pass
        try:
            rows = pf.read_row_group(group).to_pylist()
        except Exception as exc:  # a damaged group (bad pages, invalid UTF-8 in strings)
            yield ReadError(p, f"cannot read row group {group}: {type(exc).__name__}: {exc}", first)
            continue
        row = first - 1
        for rec in rows:
            row += 1
            # pandas writes a missing value as NaN: it is no value, not a record to refuse
            rec = {k: None if isinstance(v, float) and not math.isfinite(v) else v
                   for k, v in rec.items()}
            try:
                yield record_to_article(rec, p, row, max_chars,
                                        default_id=f"{file_id or path.name}:{row}")
            except ReadError as err:
                yield err
            except (RecursionError, ValueError, TypeError) as exc:  # never stop the file
                yield ReadError(p, f"cannot read this row: {type(exc).__name__}", row)
