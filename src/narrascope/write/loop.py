"""The writer loop: write a stream of analysed articles to a sink, atomically.

>>> from narrascope.write import Sink, make_writer, write_stream   # doctest: +SKIP
>>> sink = Sink("out.jsonl")
>>> result = write_stream(nlp.pipe(articles), make_writer("jsonl", sink.fh), sink)
>>> result.written, result.out

The loop flushes the sink after every article, so an interruption loses nothing
that was written: :meth:`Sink.abort` keeps ``OUT.partial`` (``--resume`` continues a
JSONL one) and :class:`WriteStopped` says how many records it holds.  At the end
the partial file is renamed to ``OUT`` (:meth:`Sink.commit`), or removed when
nothing at all was written (:meth:`Sink.discard`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from narrascope.doc import Article
from narrascope.write.bound import bound_article

#: ``on_error(article, message)``: called for an article the writer could not write.
WriteErrorHandler = Callable[[Article, str], None]


@dataclass
class WriteResult:
    """What one :func:`write_stream` call wrote."""

    #: records written by this call
    written: int = 0
    #: records that were in the resumed ``OUT.partial`` before (``--resume``)
    before: int = 0
    #: articles the writer failed on (reported through ``on_error``, left out)
    failed: int = 0
    #: wall-clock seconds of the loop (reading and analysing the stream included)
    seconds: float = 0.0
    #: the finished output file (None: standard output, or not committed)
    out: Path | None = None
    #: whether the output was finished (renamed to ``OUT``)
    committed: bool = False
    #: the partial file kept after a stop (None: nothing kept, or standard output)
    kept: Path | None = None

    @property
    def total(self) -> int:
        """Records in the output: this call's and those of a resumed run."""
        return self.written + self.before


class WriteStopped(Exception):
    """:func:`write_stream` stopped before the end; ``result`` says what was kept.

    ``cause`` (also ``__cause__``) is what stopped it: ``KeyboardInterrupt`` (or a
    subclass, e.g. a SIGTERM handler's), ``BrokenPipeError`` (the reader of standard
    output went away), or the exception of a crash.
    """

    def __init__(self, result: WriteResult, cause: BaseException) -> None:
        super().__init__(f"stopped after {result.written} article(s): {type(cause).__name__}")
        self.result = result
        self.cause = cause


def write_stream(
    articles: Iterable[Article],
    writer: Any,
    sink: Any,
    *,
    on_written: Callable[[Article], None] | None = None,
    on_error: WriteErrorHandler | None = None,
    bound: bool = True,
) -> WriteResult:
    """Write every article with ``writer`` into ``sink``; finish the sink; return counts.

    ``writer``: ``write(article)`` and ``finish()`` (:func:`narrascope.write.make_writer`);
    ``sink``: a :class:`~narrascope.write.sink.Sink` (its ``fh`` is the writer's file).
    ``on_written(article)`` is called after each record is written and flushed (progress,
    warnings).  With ``on_error``, an article the writer raises on (other than an
    ``OSError`` of the output itself) is reported and left out and the loop goes on;
    without it the exception stops the loop.

    ``bound``: keep each record's size bounded (:func:`narrascope.write.bound.bound_article`).

    Any stop (interruption, crash, closed pipe) aborts the sink, keeping what was
    written in ``OUT.partial``, and raises :class:`WriteStopped`.
    """
    result = WriteResult(before=len(getattr(sink, "done_ids", ()) or ()))
    started = time.perf_counter()
    try:
        for art in articles:
            try:
                if bound:
                    bound_article(art)
                writer.write(art)
            except OSError:
                raise
            except Exception as exc:
                if on_error is None:
                    raise
                result.failed += 1
                on_error(art, f"cannot write this article: {type(exc).__name__}: "
                         f"{' '.join(str(exc).split())}")
                continue
            sink.flush()
            result.written += 1
            if on_written is not None:
                on_written(art)
        writer.finish()
    except BaseException as exc:
        result.seconds = time.perf_counter() - started
        try:
            result.kept = sink.abort() if result.total else _abort_empty(sink)
        except OSError:  # e.g. flushing into the pipe that just closed
            result.kept = None
        raise WriteStopped(result, exc) from exc
    result.seconds = time.perf_counter() - started
    if result.total == 0:
        sink.discard()
    else:
        sink.commit()
        result.committed = True
        result.out = sink.out
    return result


def _abort_empty(sink: Any) -> None:
    """Stop a sink into which nothing was written: no partial file is left behind."""
    sink.discard()
    return None
