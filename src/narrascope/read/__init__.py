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
import stat
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from narrascope.doc import Article
from narrascope.read.errors import ReadError
from narrascope.read.html import read_html
from narrascope.read.lang import set_language
from narrascope.read.records import read_csv, read_jsonl, read_parquet
from narrascope.read.text import decode_any, flag_encoding, looks_like_title, parse_text, read_txt

DEFAULT_MAX_CHARS = 2_000_000
EXTENSIONS = (".txt", ".jsonl", ".csv", ".parquet", ".html", ".htm")

__all__ = [
    "DEFAULT_MAX_CHARS", "EXTENSIONS", "READERS", "READERS_ENTRY_POINT_GROUP", "ReadError",
    "ReadStats", "ReadWarning", "ReaderInfo", "extensions", "iter_files", "iter_inputs",
    "looks_like_title", "parse_text", "prepare_articles", "read_articles", "read_path",
    "register_reader", "safe_name",
]


def iter_files(path: Path) -> Iterator[Path]:
    """Supported files under a folder, recursively, in a stable (sorted) order."""
    exts = {e for e in extensions() if e}
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in exts:
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
            for item in read_jsonl(p, max_chars, keep_layers, file_id="stdin"):
                if isinstance(item, ReadError):
                    item.path = str(STDIN)
                elif item.path:
                    item.path = item.path.replace(str(p), str(STDIN))
                yield item
        return
    try:
        if len(data) > 4 * max_chars:  # cut short: it cannot fit (and may end mid-character)
            raise ReadError(str(STDIN), f"input has over {max_chars} characters (raise --max-chars)")
        text, bom, encoding = decode_any(data, str(STDIN))
        if not text.strip():
            raise ReadError(str(STDIN), "empty input (no text)", 1)
        if len(text) > max_chars:
            raise ReadError(str(STDIN), f"input has over {max_chars} characters (raise --max-chars)")
        art = parse_text(text, "stdin", str(STDIN))
        if bom:
            art.metadata["bom"] = True
        flag_encoding(art, encoding)
        yield art
    except ReadError as err:
        yield err


ReaderFunc = Callable[..., Iterator["Article | ReadError"]]


@dataclass
class ReaderInfo:
    """A registered input format: ``func(path, *, max_chars, keep_layers, article_id)``.

    ``func`` yields :class:`~narrascope.doc.Article` objects and :class:`ReadError`
    items (never raises for bad input).  ``article_id`` is the id a one-article file
    gets (its name, or its path relative to the folder being read).
    """

    name: str
    func: ReaderFunc
    extensions: tuple[str, ...] = ()


#: Input formats by name (:func:`register_reader`; plugins: :data:`READERS_ENTRY_POINT_GROUP`).
READERS: dict[str, ReaderInfo] = {}

#: Entry-point group of input-format plugins: an entry point names a module that calls
#: :func:`register_reader` when imported.
READERS_ENTRY_POINT_GROUP = "narrascope.readers"

_reader_plugins_loaded = False


def register_reader(name: str, func: ReaderFunc, extensions: Iterable[str]) -> None:
    """Add (or replace) an input format read from files with these ``extensions`` (``".xml"``)."""
    READERS[name] = ReaderInfo(name, func, tuple(e.lower() for e in extensions))


def _load_reader_plugins() -> None:
    global _reader_plugins_loaded
    if _reader_plugins_loaded:
        return
    _reader_plugins_loaded = True
    for ep in entry_points(group=READERS_ENTRY_POINT_GROUP):
        try:
            ep.load()
        except Exception as exc:  # a broken plugin must not break the other formats
            warnings.warn(f"cannot load input format plugin {ep.name}: {exc}", stacklevel=2)


def extensions() -> tuple[str, ...]:
    """File extensions narrascope reads (built-in and plugin formats)."""
    _load_reader_plugins()
    return tuple(e for info in READERS.values() for e in info.extensions)


def reader_for(path: Path) -> ReaderInfo | None:
    ext = path.suffix.lower()
    _load_reader_plugins()
    for info in READERS.values():
        if ext in info.extensions:
            return info
    return None


def _one(fn: Callable[..., Article]) -> ReaderFunc:
    def read(path: Path, *, max_chars: int, keep_layers: bool = False,
             article_id: str | None = None) -> Iterator[Article | ReadError]:
        try:
            yield fn(path, max_chars, article_id=article_id)
        except ReadError as err:
            yield err
    return read


register_reader("txt", _one(read_txt), (".txt", ""))
register_reader("jsonl", lambda path, *, max_chars, keep_layers=False, article_id=None:
                read_jsonl(path, max_chars, keep_layers, file_id=article_id), (".jsonl", ".ndjson"))
register_reader("csv", lambda path, *, max_chars, keep_layers=False, article_id=None:
                read_csv(path, max_chars, file_id=article_id), (".csv",))
register_reader("parquet", lambda path, *, max_chars, keep_layers=False, article_id=None:
                read_parquet(path, max_chars, file_id=article_id), (".parquet",))
register_reader("html", _one(read_html), (".html", ".htm"))


def _special_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a file (FIFO, device, socket, folder), or None."""
    try:
        mode = os.stat(path).st_mode  # follows symlinks: a link to /dev/zero is a device
    except OSError:
        return None  # the reader reports it (no such file, permission)
    if stat.S_ISREG(mode):
        return None
    kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode)
            or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "a folder"
            if stat.S_ISDIR(mode) else "not a regular file")
    link = " (through a symbolic link)" if path.is_symlink() else ""
    return f"{kind}{link}, not a regular file; skipped"


def read_path(
    path: Path, max_chars: int = DEFAULT_MAX_CHARS, keep_layers: bool = False,
    article_id: str | None = None,
) -> Iterator[Article | ReadError]:
    """Articles (or errors) from one file, by extension.

    ``article_id``: the id of a one-article file (default: its name).  Special files
    (FIFOs, devices, sockets, symbolic links to them) are refused without being opened.
    """
    if path is STDIN:
        yield from read_stdin(max_chars, keep_layers)
        return
    why = _special_file(path)
    if why is not None:
        yield ReadError(safe_name(str(path)), why)
        return
    info = reader_for(path)
    if info is None:
        yield ReadError(safe_name(str(path)), f"unsupported file type {path.suffix.lower()!r} "
                        f"(supported: {', '.join(e for e in extensions() if e)})")
        return
    yield from info.func(path, max_chars=max_chars, keep_layers=keep_layers,
                         article_id=article_id if article_id is not None else safe_name(path.name))


def safe_name(name: str) -> str:
    """A file name as valid Unicode: bytes that are not UTF-8 become ``\\xNN`` escapes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _split_line(path: str) -> tuple[str, int | None]:
    """``news.jsonl:17`` (a record's path) -> ``("news.jsonl", 17)``; other paths unchanged."""
    head, sep, tail = path.rpartition(":")
    if sep and head and tail.isdigit():
        return head, int(tail)
    return path, None


class ReadWarning(UserWarning):
    """An input problem reported by :func:`read_articles` without ``on_error``."""


def _warn(err: ReadError) -> None:
    warnings.warn(str(err), ReadWarning, stacklevel=3)


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str | None] | ReadError]:
    """``(file, article_id)`` for every input file under ``paths``, or a :class:`ReadError`.

    A file given directly gets its name as id (``EN_UA_103861.txt``); a file found in a
    folder its path relative to that folder (``sub/x.txt``), so two ``x.txt`` in
    different subfolders are two articles.  ``-`` is standard input.
    """
    for raw in paths:
        path = Path(raw)
        if str(raw) == "-":
            yield STDIN, None
        elif path.is_dir():
            for file in iter_files(path):
                yield file, safe_name(file.relative_to(path).as_posix())
        elif path.exists() or path.is_symlink():
            yield path, safe_name(path.name)
        else:
            yield ReadError(safe_name(str(path)), "no such file or folder")


def read_articles(
    paths: Iterable[str | Path],
    *,
    max_chars: int = DEFAULT_MAX_CHARS,
    on_error: Callable[[ReadError], None] | None = None,
    detect_language: bool = True,
    keep_layers: bool = False,
    raise_errors: bool = False,
) -> Iterator[Article]:
    """Stream the articles found under ``paths`` (files or folders).

    Bad input never stops the stream: every problem is a :class:`ReadError`
    (``path:line: error: ...``) given to ``on_error``; without ``on_error`` it is
    issued as a :class:`ReadWarning` and the file or record is skipped
    (``raise_errors=True``: the first error is raised instead).  Articles whose id was
    already seen are reported and skipped (ids must be unique: they key resumed runs
    and evaluation).  Ids: see :func:`iter_inputs`.
    """

    def report(err: ReadError) -> None:
        if raise_errors:
            raise err
        (on_error or _warn)(err)

    seen: dict[str, str] = {}
    for entry in iter_inputs(paths):
        if isinstance(entry, ReadError):
            report(entry)
            continue
        file, file_id = entry
        for item in read_path(file, max_chars, keep_layers, article_id=file_id):
            if isinstance(item, ReadError):
                report(item)
                continue
            if item.path:
                item.path = safe_name(item.path)
            if item.id in seen:
                where, line = _split_line(item.path or str(file))
                report(ReadError(
                    where,
                    f"duplicate article id {item.id!r} (first read from {seen[item.id]}); skipped",
                    line,
                ))
                continue
            seen[item.id] = item.path or safe_name(str(file))
            if detect_language and not item.components:
                set_language(item)
            yield item


from narrascope.read.prepare import ReadStats, prepare_articles  # noqa: E402  (uses read_articles)
