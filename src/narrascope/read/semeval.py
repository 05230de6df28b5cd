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


def _key(article_id: str) -> str:
    return article_id[:-4] if article_id.endswith(".txt") else article_id


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(str(path), "invalid UTF-8", data.count(b"\n", 0, exc.start) + 1) from None
    out = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if line.strip():
            out.append((lineno, line.split("\t")))
    return out


def read_mentions(
    path: Path, on_error: Callable[[ReadError], None]
) -> dict[str, list[GivenMention]]:
    """Mentions by article key; malformed lines are reported and skipped."""
    found: dict[str, list[GivenMention]] = defaultdict(list)
    p = str(path)
    for lineno, cols in _lines(path):
        if len(cols) < 4:
            on_error(ReadError(p, f"expected 4 tab-separated columns (id, mention, start, end), got {len(cols)}", lineno))
            continue
        art_id, mention, start_s, end_s = cols[:4]
        try:
            start, end = int(start_s), int(end_s)
        except ValueError:
            on_error(ReadError(p, f"start/end must be integers, got {start_s!r}, {end_s!r}", lineno))
            continue
        if start < 0 or end < start - 1:
            on_error(ReadError(p, f"invalid offsets {start}-{end}", lineno))
            continue
        found[_key(art_id.strip())].append(GivenMention(start=start, end=end + 1, text=mention, line=lineno))
    return dict(found)


def attach_mentions(
    article: Article, mentions: dict[str, list[GivenMention]], path: str,
    on_error: Callable[[ReadError], None],
) -> None:
    """Set ``article.given_mentions``, dropping mentions that do not match the text."""
    ok: list[GivenMention] = []
    for m in mentions.get(_key(article.id), []):
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


def read_dominant(path: Path, on_error: Callable[[ReadError], None]) -> dict[str, GivenNarrative]:
    """``article_id TAB narrative TAB subnarrative`` lines (subtask-3 input)."""
    found: dict[str, GivenNarrative] = {}
    p = str(path)
    for lineno, cols in _lines(path):
        if len(cols) < 2 or not cols[1].strip():
            on_error(ReadError(p, "expected: article_id TAB narrative [TAB subnarrative]", lineno))
            continue
        sub = cols[2].strip() if len(cols) > 2 and cols[2].strip() else None
        found[_key(cols[0].strip())] = GivenNarrative(narrative=cols[1].strip(), subnarrative=sub)
    return found


def given_narrative_for(article: Article, dominant: dict[str, GivenNarrative]) -> GivenNarrative | None:
    return dominant.get(_key(article.id))
