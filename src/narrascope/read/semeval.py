"""SemEval-2025 Task 10 side inputs: subtask-1 mentions and subtask-3 dominant narratives.

Mentions file: ``article_id TAB mention TAB start TAB end`` with the *inclusive*
end offset of the task (extra columns, as in gold files, are ignored).  They
become half-open :class:`~narrascope.doc.GivenMention` objects carrying their
file line.  Article ids match with or without the ``.txt`` extension.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from narrascope.doc import Article, GivenMention, GivenNarrative
from narrascope.read.errors import ReadError

#: Largest side-input file read (a SemEval mentions file of a whole language is ~1 MB).
MAX_SIDE_INPUT_BYTES = 200_000_000
#: Longest line of a side-input file (an id, a mention and two offsets; a narrative pair).
MAX_SIDE_LINE_CHARS = 100_000


def _key(article_id: str) -> str:
    return article_id[:-4] if article_id.endswith(".txt") else article_id


def match_key(article_id: str, given: dict) -> str:
    """The key of ``article_id`` in a side-input table: the id (with or without ``.txt``),
    else its file name, so ``raw-documents/EN_UA_1.txt`` (read from a folder above the
    documents) finds the lines of ``EN_UA_1.txt``."""
    key = _key(article_id)
    if key in given or "/" not in key:
        return key
    return key.rsplit("/", 1)[1]


def _lines(path: Path, on_error: Callable[[ReadError], None]) -> list[tuple[int, list[str]]]:
    """``(line number, columns)`` of the non-empty lines; bad lines reported and skipped.

    Lines end at ``\n`` only (a U+2028 inside a line does not shift the numbers).  A
    UTF-16 file (byte-order mark) is decoded as such; a line that is not UTF-8 is
    reported with its number, as is a line over :data:`MAX_SIDE_LINE_CHARS`.
    """
    p = str(path)
    try:
        if not path.is_file():
            raise ReadError(p, "not a regular file", 1)
        size = path.stat().st_size
        if size > MAX_SIDE_INPUT_BYTES:
            raise ReadError(p, f"file is {size} bytes, over the limit of {MAX_SIDE_INPUT_BYTES}", 1)
        data = path.read_bytes()
    except OSError as exc:
        on_error(ReadError(p, f"cannot read file: {exc.strerror or exc}"))
        return []
    except ReadError as err:
        on_error(err)
        return []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            on_error(ReadError(p, "invalid UTF-16 text", 1))
            return []
    data = data.removeprefix(b"\xef\xbb\xbf")
    out = []
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        try:
            line = raw.decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError as exc:
            on_error(ReadError(p, f"invalid UTF-8 (byte offset {exc.start} in the line); line skipped",
                               lineno))
            continue
        if "\x00" in line:
            on_error(ReadError(p, "NUL character; line skipped", lineno))
            continue
        if len(line) > MAX_SIDE_LINE_CHARS:
            on_error(ReadError(p, f"line of {len(line)} characters, over the limit of "
                               f"{MAX_SIDE_LINE_CHARS}; skipped", lineno))
            continue
        if line.strip():
            out.append((lineno, line.split("\t")))
    return out


def read_mentions(
    path: Path, on_error: Callable[[ReadError], None]
) -> dict[str, list[GivenMention]]:
    """Mentions by article key; malformed lines are reported and skipped."""
    found: dict[str, list[GivenMention]] = defaultdict(list)
    p = str(path)
    for lineno, cols in _lines(path, on_error):
        if len(cols) < 4:
            on_error(ReadError(p, f"expected 4 tab-separated columns (id, mention, start, end), got {len(cols)}", lineno))
            continue
        art_id, mention, start_s, end_s = cols[:4]
        try:
            if len(start_s) > 20 or len(end_s) > 20:
                raise ValueError
            start, end = int(start_s), int(end_s)
        except ValueError:
            on_error(ReadError(p, f"start/end must be integers, got {start_s[:40]!r}, {end_s[:40]!r}", lineno))
            continue
        if start < 0 or end < start - 1:
            on_error(ReadError(p, f"invalid offsets {start}-{end}", lineno))
            continue
        if not art_id.strip():
            on_error(ReadError(p, "empty article id", lineno))
            continue
        found[_key(art_id.strip())].append(GivenMention(start=start, end=end + 1, text=mention, line=lineno))
    return dict(found)


def attach_mentions(
    article: Article, mentions: dict[str, list[GivenMention]], path: str,
    on_error: Callable[[ReadError], None],
) -> str:
    """Set ``article.given_mentions``, dropping mentions that do not match the text.

    Returns the article's key in ``mentions`` (to tell which lines were used).
    """
    ok: list[GivenMention] = []
    key = match_key(article.id, mentions)
    for m in mentions.get(key, []):
        if m.end > len(article.text):
            on_error(ReadError(path, f"mention {m.text!r} of {article.id}: offsets {m.start}-{m.end - 1} "
                               f"are outside the article ({len(article.text)} characters); skipped", m.line))
            continue
        found = article.text[m.start : m.end]
        if found != m.text:
            on_error(ReadError(path, f"mention {m.text!r} of {article.id}: the text at {m.start}-{m.end - 1} "
                               f"is {found!r}; skipped", m.line))
            continue
        ok.append(m)
    article.given_mentions = ok
    return key


class DominantNarratives(dict[str, GivenNarrative]):
    """Dominant narratives by article key, with the line each came from (``lines``)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: dict[str, int] = {}


def _taxonomy_check(taxonomy: str | Path | None) -> Callable[[str], bool] | None:
    try:
        from narrascope.evaluate.taxonomy import Taxonomy

        tax = Taxonomy.load(taxonomy)
    except Exception:
        return None
    return tax.knows if tax is not None else None


def read_dominant(path: Path, on_error: Callable[[ReadError], None],
                  taxonomy: str | Path | None = None) -> DominantNarratives:
    """``article_id TAB narrative TAB subnarrative`` lines (subtask-3 input).

    A narrative or subnarrative outside the taxonomy (default: the shipped one) and a
    second line for the same article are reported and skipped.
    """
    found = DominantNarratives()
    p = str(path)
    knows = _taxonomy_check(taxonomy)
    for lineno, cols in _lines(path, on_error):
        if len(cols) < 2 or not cols[1].strip() or not cols[0].strip():
            on_error(ReadError(p, "expected: article_id TAB narrative [TAB subnarrative]", lineno))
            continue
        key = _key(cols[0].strip())
        nar = cols[1].strip()
        sub = cols[2].strip() if len(cols) > 2 and cols[2].strip() else None
        bad = [x for x in (nar, sub) if x is not None and knows is not None and not knows(x)]
        if bad:
            on_error(ReadError(p, f"{bad[0][:200]!r} is not a narrative of the taxonomy; line skipped",
                               lineno))
            continue
        if key in found:
            on_error(ReadError(p, f"second dominant narrative for {key!r} (first on line "
                               f"{found.lines[key]}); line skipped", lineno))
            continue
        found[key] = GivenNarrative(narrative=nar, subnarrative=sub)
        found.lines[key] = lineno
    return found


def given_narrative_for(article: Article, dominant: dict[str, GivenNarrative]) -> GivenNarrative | None:
    return dominant.get(match_key(article.id, dominant))


def unmatched_lines(given: dict, used: set[str]) -> list[tuple[int, str]]:
    """``(line, key)`` of side-input entries whose article was never read (sorted by line)."""
    out: list[tuple[int, str]] = []
    for key, value in given.items():
        if key in used:
            continue
        if isinstance(given, DominantNarratives):
            out.append((given.lines.get(key, 1), key))
        else:
            lines = [m.line for m in value if m.line is not None]
            out.append((min(lines) if lines else 1, key))
    return sorted(out)
