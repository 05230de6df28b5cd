"""Safe terminal text: article ids, titles and messages written to a terminal or a TSV.

Article text is hostile: an ESC sequence in an id or a title would restyle, move or
clear the user's terminal, and a bidi override would reorder what is shown.
:func:`safe_line` writes such characters the way ``repr`` does (``\\x1b``, ``\\n``,
``\\u202e``) and keeps all other text, non-ASCII letters included.
"""

from __future__ import annotations

import unicodedata

#: Format characters that reorder or hide terminal text (bidi embeddings, overrides, isolates).
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe_char(ch: str) -> bool:
    """Whether ``ch`` would move the cursor, break the line or restyle/reorder the terminal."""
    return ch in BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def has_unsafe(s: str) -> bool:
    return any(unsafe_char(ch) for ch in s)


def safe_line(value: object, limit: int | None = None) -> str:
    """``value`` as one line of safe terminal text (see the module doc).

    With ``limit``, a longer result is cut to ``limit`` characters ending in ``…``
    (never inside an escape).
    """
    text = str(value)
    if not has_unsafe(text) and (limit is None or len(text) <= limit):
        return text
    pieces = [repr(ch)[1:-1] if unsafe_char(ch) else ch for ch in text]
    if limit is None or sum(map(len, pieces)) <= limit:
        return "".join(pieces)
    kept: list[str] = []
    size = 0
    for piece in pieces:
        if size + len(piece) > limit - 1:
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept) + "\u2026"


def safe_text(value: object) -> str:
    """Multi-line text (a warning list, a panel cell) with every unsafe character but
    the line break escaped."""
    return "\n".join(safe_line(part) for part in str(value).split("\n"))
