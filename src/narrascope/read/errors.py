"""Read errors: one line each, ``path:line: error: message`` (GCC style).

Problems with a whole file (cannot be read, too large, no such file) point at line 1,
so every message has the same machine-readable ``path:line:`` prefix.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ReadError(Exception):
    """Something in an input file that could not be read; the run goes on without it."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line or 1}: error: {self.message}"
