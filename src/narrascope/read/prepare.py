"""Articles ready for the pipeline: read, with the SemEval side inputs and the date attached.

>>> from narrascope.read import ReadStats, prepare_articles
>>> stats = ReadStats()
>>> arts = prepare_articles(["EN/raw-documents"], mentions="subtask-1-entity-mentions.txt",
...                         on_error=print, stats=stats)   # doctest: +SKIP
>>> for art in nlp.pipe(arts, on_error=...): ...            # doctest: +SKIP

This is what ``narrascope analyze`` (and ``ingest``) read: :func:`read_articles`, then

* ``skip_ids`` (a resumed run's finished ids) are left out;
* records analysed already (narrascope JSONL read with ``keep_layers``) pass unchanged;
* ``date`` fills the dates that are missing (``date_source = "option"``);
* ``mentions`` (SemEval subtask-1 file) become ``article.given_mentions``; lines whose
  text does not match the article are reported and dropped;
* ``dominant`` (subtask-3 file) becomes ``article.given_narrative``.

After the stream ends, side-input lines whose article id matched no article are
reported (``FILE:LINE: warning: ...``) through ``on_warning``.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from narrascope.doc import Article
from narrascope.read.errors import ReadError


@dataclass
class ReadStats:
    """Counts of one :func:`prepare_articles` stream (updated while it is consumed)."""

    #: articles read (skipped ones included)
    read: int = 0
    #: articles left out because their id is in ``skip_ids``
    skipped: int = 0
    #: records that passed through already analysed
    analysed: int = 0
    #: input problems reported through ``on_error``
    errors: int = 0


def prepare_articles(
    paths: Iterable[str | Path],
    *,
    max_chars: int | None = None,
    on_error: Callable[[ReadError], None] | None = None,
    on_warning: Callable[[str], None] | None = None,
    mentions: str | Path | None = None,
    dominant: str | Path | None = None,
    taxonomy: str | Path | None = None,
    date: dt.date | None = None,
    skip_ids: set[str] | None = None,
    keep_layers: bool = False,
    detect_language: bool = True,
    stats: ReadStats | None = None,
) -> Iterator[Article]:
    """Stream the articles under ``paths`` ready for :meth:`Pipeline.pipe` (see the module doc).

    ``on_error`` receives every :class:`ReadError` (of the inputs and of the side
    inputs); without it they are issued as warnings.  ``taxonomy``: the narrative
    taxonomy that ``dominant`` narratives must belong to (default: the shipped one).
    The side-input files are read (and checked) when the stream starts.
    """
    from narrascope.read import DEFAULT_MAX_CHARS, ReadWarning, read_articles
    from narrascope.read.semeval import (
        attach_mentions,
        given_narrative_for,
        match_key,
        read_dominant,
        read_mentions,
        unmatched_lines,
    )

    st = stats if stats is not None else ReadStats()

    def report(err: ReadError) -> None:
        st.errors += 1
        if on_error is None:
            warnings.warn(str(err), ReadWarning, stacklevel=3)
        else:
            on_error(err)

    def warn(msg: str) -> None:
        if on_warning is None:
            warnings.warn(msg, ReadWarning, stacklevel=3)
        else:
            on_warning(msg)

    given_m = read_mentions(Path(mentions), report) if mentions is not None else None
    given_d = (read_dominant(Path(dominant), report, taxonomy=taxonomy)
               if dominant is not None else None)
    used: set[str] = set()
    for art in read_articles(paths, max_chars=max_chars or DEFAULT_MAX_CHARS, on_error=report,
                             keep_layers=keep_layers, detect_language=detect_language):
        st.read += 1
        if skip_ids and art.id in skip_ids:
            st.skipped += 1
            continue
        if art.components:  # already analysed (narrascope JSONL): passed through as is
            st.analysed += 1
            yield art
            continue
        if date is not None and art.date is None:
            art.date = date
            art.date_source = "option"
        if given_m is not None and mentions is not None:
            used.add(attach_mentions(art, given_m, str(mentions), report))
        if given_d is not None:
            art.given_narrative = given_narrative_for(art, given_d)
            if art.given_narrative is None:
                art.warnings.append(f"no dominant narrative for this article in {dominant}")
            else:
                used.add(match_key(art.id, given_d))
        yield art
    for path, given in ((mentions, given_m), (dominant, given_d)):
        if path is not None and given is not None:
            for line, key in unmatched_lines(given, used):
                warn(f"{path}:{line}: warning: no article with id {key!r} was read; "
                     "its line is not used")
