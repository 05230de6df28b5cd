"""Read errors: one line each, ``path:line: error: message`` (GCC style)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ReadError(Exception):
    """Something in an input file that could not be read; the run goes on without it."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: error: {self.message}"
