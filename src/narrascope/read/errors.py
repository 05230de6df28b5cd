"""Read errors: one line each, ``path:line: error: message`` (GCC style).

Problems with a whole file (cannot be read, too large, no such file) point at line 1,
so every message has the same machine-readable ``path:line:`` prefix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


@dataclass
class ReadError(Exception):
    """Something in an input file that could not be read; the run goes on without it."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        # one line whatever a library put in the message (pyarrow's span several)
        message = " ".join(self.message.split()) if _BREAKS.search(self.message) else self.message
        return f"{self.path}:{self.line or 1}: error: {message}"
