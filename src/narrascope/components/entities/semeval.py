"""SemEval-2025 Task 10 subtask-1 mentions for the entities component.

Thin wrappers over :mod:`narrascope.read.semeval` (which the CLI uses) that return
plain error strings: ``read_mentions(path)`` -> mentions by article id (half-open
offsets, each with its file line) and ``attach_mentions(article, mentions)`` ->
one error per bad line (offsets outside the article, text mismatch), file and
line named; the valid mentions are attached and still classified.
"""

from __future__ import annotations

from pathlib import Path

from narrascope.doc import Article, GivenMention
from narrascope.read import semeval as _st1
from narrascope.read.errors import ReadError


def _fmt(err: ReadError) -> str:
    return str(err)


def read_mentions(path: str | Path, errors: list[str] | None = None
                  ) -> dict[str, list[GivenMention]]:
    """Mentions TSV (``id TAB mention TAB start TAB end``, end inclusive) by article id
    (ids without ``.txt``).  Malformed lines go to ``errors`` (or raise ValueError)."""

    def on_error(err: ReadError) -> None:
        if errors is None:
            raise ValueError(_fmt(err))
        errors.append(_fmt(err))

    return _st1.read_mentions(Path(path), on_error)


def attach_mentions(article: Article, mentions: dict[str, list[GivenMention]],
                    path: str | Path | None = None) -> list[str]:
    """Set ``article.given_mentions`` to the valid mentions; return one error per bad one."""
    errors: list[str] = []
    _st1.attach_mentions(article, mentions, str(path or "mentions"),
                         lambda err: errors.append(_fmt(err)))
    return errors
