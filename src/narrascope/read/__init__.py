"""Readers: turn paths into a stream of :class:`~narrascope.doc.Article`.

>>> from narrascope.read import read_articles
>>> for article in read_articles(["examples/"], on_error=print):  # doctest: +SKIP
...     print(article.id, article.date, article.language)

The reader is picked by extension; folders are walked recursively (sorted,
hidden entries skipped).  Every reader is a generator, so memory stays bounded
whatever the input size.  Problems are reported as :class:`ReadError` (one
line, ``path:line: error: ...``) through ``on_error`` and the stream goes on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from narrascope.doc import Article
from narrascope.read.errors import ReadError
from narrascope.read.html import read_html
from narrascope.read.lang import set_language
from narrascope.read.records import read_csv, read_jsonl, read_parquet
from narrascope.read.text import decode, looks_like_title, parse_text, read_txt

DEFAULT_MAX_CHARS = 2_000_000
EXTENSIONS = (".txt", ".jsonl", ".csv", ".parquet", ".html", ".htm")

__all__ = [
    "DEFAULT_MAX_CHARS", "EXTENSIONS", "ReadError", "iter_files", "looks_like_title",
    "parse_text", "read_articles", "read_path",
]


def iter_files(path: Path) -> Iterator[Path]:
    """Supported files under a folder, recursively, in a stable (sorted) order."""
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in EXTENSIONS:
                yield Path(root) / name


#: Stands for standard input (the path ``-``): JSONL when it starts with ``{``, else one text.
STDIN = Path("<stdin>")


def read_stdin(max_chars: int, keep_layers: bool) -> Iterator[Article | ReadError]:
    import shutil
    import sys
    import tempfile

    data = sys.stdin.buffer.read(4 * max_chars + 1)
    if data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
        with tempfile.TemporaryDirectory() as tmp:  # reuse the JSONL reader (line numbers)
            p = Path(tmp) / "stdin.jsonl"
            with open(p, "wb") as fh:  # all of it: a JSONL stream may be far above one article
                fh.write(data)
                shutil.copyfileobj(sys.stdin.buffer, fh)
            for item in read_jsonl(p, max_chars, keep_layers):
                if isinstance(item, ReadError):
                    item.path = str(STDIN)
                elif item.path:
                    item.path = item.path.replace(str(p), str(STDIN))
                yield item
        return
    try:
        if len(data) > 4 * max_chars:  # cut short: it cannot fit (and may end mid-character)
            raise ReadError(str(STDIN), f"input has over {max_chars} characters (raise --max-chars)")
        text, bom = decode(data, str(STDIN))
        if not text.strip():
            raise ReadError(str(STDIN), "empty input (no text)", 1)
        if len(text) > max_chars:
            raise ReadError(str(STDIN), f"input has over {max_chars} characters (raise --max-chars)")
        art = parse_text(text, "stdin", str(STDIN))
        if bom:
            art.metadata["bom"] = True
        yield art
    except ReadError as err:
        yield err


def read_path(
    path: Path, max_chars: int = DEFAULT_MAX_CHARS, keep_layers: bool = False
) -> Iterator[Article | ReadError]:
    """Articles (or errors) from one file, by extension."""
    ext = path.suffix.lower()
    if path is STDIN:
        yield from read_stdin(max_chars, keep_layers)
    elif ext == ".jsonl":
        yield from read_jsonl(path, max_chars, keep_layers)
    elif ext == ".csv":
        yield from read_csv(path, max_chars)
    elif ext == ".parquet":
        yield from read_parquet(path, max_chars)
    elif ext in (".html", ".htm"):
        try:
            yield read_html(path, max_chars)
        except ReadError as err:
            yield err
    elif ext == ".txt" or ext == "":
        try:
            yield read_txt(path, max_chars)
        except ReadError as err:
            yield err
    else:
        yield ReadError(
            str(path), f"unsupported file type {ext!r} (supported: {', '.join(EXTENSIONS)})"
        )


def _split_line(path: str) -> tuple[str, int | None]:
    """``news.jsonl:17`` (a record's path) -> ``("news.jsonl", 17)``; other paths unchanged."""
    head, sep, tail = path.rpartition(":")
    if sep and head and tail.isdigit():
        return head, int(tail)
    return path, None


def read_articles(
    paths: Iterable[str | Path],
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    on_error: Callable[[ReadError], None] | None = None,
    detect_language: bool = True,
    keep_layers: bool = False,
) -> Iterator[Article]:
    """Stream the articles found under ``paths`` (files or folders).

    ``on_error`` receives every :class:`ReadError`; without it the first error is
    raised.  Articles whose id was already seen are reported and skipped (ids must
    be unique: they key resumed runs and evaluation).
    """

    def report(err: ReadError) -> None:
        if on_error is None:
            raise err
        on_error(err)

    seen: dict[str, str] = {}
    for raw in paths:
        path = Path(raw)
        if str(raw) == "-":
            files: Iterable[Path] = [STDIN]
        elif path.is_dir():
            files = iter_files(path)
        elif path.exists():
            files = [path]
        else:
            report(ReadError(str(path), "no such file or folder"))
            continue
        for file in files:
            for item in read_path(file, max_chars, keep_layers):
                if isinstance(item, ReadError):
                    report(item)
                    continue
                if item.id in seen:
                    where, line = _split_line(item.path or str(file))
                    report(ReadError(
                        where,
                        f"duplicate article id {item.id!r} (first read from {seen[item.id]}); skipped",
                        line,
                    ))
                    continue
                seen[item.id] = item.path or str(file)
                if detect_language and not item.components:
                    set_language(item)
                yield item
