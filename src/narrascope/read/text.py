"""Plain-text articles: SemEval layout, seed layout (date prefix) or plain text.

The file is read as bytes and decoded as UTF-8 without touching line endings,
so ``Article.text`` is the file itself and offsets count from its first
character, as in the SemEval-2025 Task 10 files.  A UTF-8 byte-order mark is
dropped (offsets then count from the character after it) and recorded in
``metadata["bom"]``.

Layouts recognised:

* **seed**: the file starts with `` date YYYY-MM-DD `` (leading spaces allowed)
  glued to the first sentence; ``date`` is set and ``body_start`` is the offset
  after the prefix.  Such a file never has a title line.
* **semeval**: line 1 is a title, line 2 is empty, the body follows.  Line 1 is
  only taken as a title when it *looks* like one (:func:`looks_like_title`), so a
  long first paragraph followed by an empty line stays body text.
* **plain**: anything else.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from pathlib import Path

from narrascope.doc import Article
from narrascope.read.errors import ReadError

DATE_PREFIX = re.compile(r"\A[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*\r?\n)")
#: A sentence boundary inside a line: terminal punctuation, closers, space, capital.
_INNER_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+[\"'“‘(]?[A-Z]")
_HTML_ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,6});")
_HTML_TAG = re.compile(r"</?(?:p|br|div|span|a|strong|em|b|i)\b[^>]{0,200}>", re.I)

MAX_TITLE_CHARS = 200
MAX_TITLE_WORDS = 30


def looks_like_title(line: str) -> bool:
    """Whether a first line followed by an empty line is a headline.

    A headline is short (<= 200 characters, <= 30 words), holds no sentence
    boundary inside unless it is short (<= 15 words, e.g. "Peace talks? Not yet"),
    and does not end with a full stop unless it is very short (<= 12 words).  A
    first paragraph of body text fails at least one of these.
    """
    s = line.strip()
    if not s or DATE_PREFIX.match(line):
        return False
    words = s.split()
    if len(s) > MAX_TITLE_CHARS or len(words) > MAX_TITLE_WORDS:
        return False
    if len(words) > 15 and _INNER_SENTENCE_END.search(s):
        return False
    if s.endswith(".") and not s.endswith("...") and len(words) > 12:
        return False
    return True


def decode(data: bytes, path: str) -> tuple[str, bool]:
    """Decode UTF-8 bytes (NUL bytes and invalid UTF-8 raise :class:`ReadError`)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Windows "Unicode" text, not binary
        raise ReadError(path, "UTF-16 text (byte-order mark); convert the file to UTF-8", 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise ReadError(path, f"binary file (NUL byte at byte offset {nul}), not text", line)
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 1].hex()
        raise ReadError(
            path, f"invalid UTF-8 (byte 0x{bad} at byte offset {exc.start + 3 * bom}); "
            "convert the file to UTF-8", line
        ) from None
    return text, bom


#: Encodings a non-UTF-8 text file may be decoded from (single-byte Western charsets).
LEGACY_ENCODINGS = ("cp1252", "latin_1", "iso8859_15", "cp1250", "iso8859_2", "cp1251",
                    "koi8_r", "mac_roman")


def decode_any(data: bytes, path: str) -> tuple[str, bool, str | None]:
    """UTF-8, or a legacy single-byte charset guessed by charset-normalizer.

    Returns ``(text, bom, encoding)``; ``encoding`` is None for UTF-8, else the codec
    the text was decoded from (e.g. ``"cp1252"``).  NUL bytes, UTF-16 and bytes that
    fit no legacy charset raise :class:`ReadError` as :func:`decode` does.
    """
    try:
        text, bom = decode(data, path)
        return text, bom, None
    except ReadError as err:
        if "invalid UTF-8" not in err.message:
            raise
        utf8_error = err
    try:
        from charset_normalizer import from_bytes

        results = from_bytes(data[:200_000], cp_isolation=list(LEGACY_ENCODINGS))
        best = results.best()
        # ties are common on short texts: Windows-1252 (Latin-1) is the usual legacy charset
        if best is not None and "cp1252" in (best.could_be_from_charset or []):
            encoding = "cp1252"
        else:
            encoding = best.encoding if best is not None else None
            for r in results:
                if best is not None and r.encoding == "cp1252" and r.chaos <= best.chaos + 0.01:
                    encoding = "cp1252"
    except Exception:  # the detector must never stop a run
        best = encoding = None
    if best is None or encoding is None:  # no legacy charset makes sense of it
        raise utf8_error
    try:
        return data.decode(encoding), False, encoding
    except (UnicodeDecodeError, LookupError):
        raise utf8_error from None


def flag_encoding(article: Article, encoding: str | None) -> None:
    """Note a legacy charset in ``metadata["encoding"]`` and in a warning."""
    if encoding is None:
        return
    article.metadata["encoding"] = encoding
    article.warnings.append(
        f"not UTF-8: decoded as {encoding} (guessed by charset-normalizer); offsets count "
        "characters of the decoded text")


def parse_text(text: str, article_id: str, path: str | None = None) -> Article:
    """Build an :class:`Article` from the exact text of a file (``text`` is not changed)."""
    art = Article(id=article_id, text=text, path=path)
    m = DATE_PREFIX.match(text)
    if m:
        art.metadata["layout"] = "seed"
        art.body_start = m.end()
        try:
            art.date = dt.date.fromisoformat(m.group(1))
            art.date_source = "metadata"
        except ValueError:
            art.warnings.append(f"invalid date {m.group(1)!r} in the date prefix; ignored")
    else:
        first, sep, rest = text.partition("\n")
        second, _, body = rest.partition("\n")
        if sep and not second.strip() and body.strip() and looks_like_title(first):
            art.metadata["layout"] = "semeval"
            art.title = first.rstrip("\r").strip()
        else:
            art.metadata["layout"] = "plain"
    if _HTML_ENTITY.search(text) or _HTML_TAG.search(text):
        art.warnings.append(
            "text contains HTML entities or tags; they are analysed as written "
            "(the text is never changed, so offsets stay exact)"
        )
    return art


def read_bytes_bounded(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file, refusing one over ``limit`` bytes without reading it.

    The size is checked on the open file (``fstat``) and the read stops at ``limit + 1``
    bytes, so a file that grows, or a special file, cannot make it read without end.
    """
    p = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ReadError(p, f"cannot read file: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ReadError(p, "not a regular file (FIFO, device or socket); skipped")
        if st.st_size > limit:
            raise ReadError(p, f"{what} is {st.st_size} bytes, over the limit of {limit} bytes "
                            "(raise it with --max-chars)")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ReadError(p, f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ReadError(p, f"{what} is over the limit of {limit} bytes (raise it with --max-chars)")
    return data


def read_txt(path: Path, max_chars: int, article_id: str | None = None) -> Article:
    """Read one ``.txt`` article; the id is ``article_id`` (default: the file name).

    A file that is not UTF-8 is decoded from the legacy charset charset-normalizer finds
    (``metadata["encoding"]``, with a warning); offsets count the decoded characters.
    """
    p = str(path)
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise ReadError(p, f"cannot read file: {exc.strerror or exc}") from None
    # UTF-8 needs at most 4 bytes a character: beyond that the text cannot fit
    if size > 4 * max_chars:
        raise ReadError(
            p, f"file is {size} bytes, over the limit of {max_chars} characters per "
            "article (raise it with --max-chars)"
        )
    data = read_bytes_bounded(path, 4 * max_chars)
    text, bom, encoding = decode_any(data, p)
    if not text.strip():
        raise ReadError(p, "empty file (no text)", 1)
    if len(text) > max_chars:
        raise ReadError(
            p, f"article has {len(text)} characters, over the limit of {max_chars} "
            "(raise it with --max-chars)"
        )
    art = parse_text(text, article_id if article_id is not None else path.name, p)
    if bom:
        art.metadata["bom"] = True
    flag_encoding(art, encoding)
    return art
