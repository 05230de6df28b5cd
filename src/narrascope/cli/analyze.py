"""``narrascope analyze`` and ``narrascope report``."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from narrascope.cli.app import app
from narrascope.cli.common import (
    BatchOpt,
    ComponentsOpt,
    ConfigOpt,
    DateOpt,
    MaxCharsOpt,
    PathsArg,
    QuietOpt,
    Run,
    StrictOpt,
    TaxonomyOpt,
    _finish_status,
    _lazy_pipeline,
    _open_sink,
    _silence_stdout,
    fail,
    parse_date,
    progress,
    shown,
)
from narrascope.doc import Article
from narrascope.read import DEFAULT_MAX_CHARS, read_articles
from narrascope.read.semeval import (
    attach_mentions,
    given_narrative_for,
    read_dominant,
    read_mentions,
)


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    table = "table"
    st1 = "semeval-st1"
    st2 = "semeval-st2"
    st3 = "semeval-st3"



def analyse_stream(
    articles: Iterable[Article], get_pipeline: Callable[[], Any], batch_size: int | None, run: Run
) -> Iterator[Article]:
    """Run the pipeline over batches; already analysed articles pass through unchanged.

    ``batch_size`` None: the config's ``[pipeline] batch_size``.
    """
    batch: list[Article] = []
    size = batch_size

    def flush() -> Iterator[Article]:
        pipeline = get_pipeline()
        done = list(batch)
        batch.clear()
        yield from pipeline.run_batch(done, on_error=lambda art, msg: run.error(f"{shown(art.id)}: {msg}"))

    for art in articles:
        if art.components:
            if batch:
                yield from flush()
            yield art
            continue
        batch.append(art)
        if size is None:
            size = max(1, int(get_pipeline().batch_size))
        if len(batch) >= size:
            yield from flush()
    if batch:
        yield from flush()


def prepare(
    paths: list[Path], run: Run, *, max_chars: int, mentions: Path | None = None,
    dominant: Path | None = None, date: dt.date | None = None, skip_ids: set[str] | None = None,
    keep_layers: bool = False,
) -> Iterator[Article]:
    """Read articles, attach the SemEval side inputs and the date, skip done ids."""
    given_m = read_mentions(mentions, run.error) if mentions else None
    given_d = read_dominant(dominant, run.error) if dominant else None
    for art in read_articles(paths, max_chars=max_chars, on_error=run.error, keep_layers=keep_layers):
        run.read += 1
        if skip_ids and art.id in skip_ids:
            continue
        if art.components:  # already analysed (narrascope JSONL): passed through as is
            yield art
            continue
        if date is not None:
            art.date = date
        if given_m is not None and mentions is not None:
            attach_mentions(art, given_m, str(mentions), run.error)
        if given_d is not None:
            art.given_narrative = given_narrative_for(art, given_d)
            if art.given_narrative is None:
                art.warnings.append(f"no dominant narrative for this article in {shown(dominant, None)}")
        yield art



def write_all(stream: Iterable[Article], writer: Any, sink: Any, run: Run,
              get_pipeline: Callable[[], Any], batch_size: int | None) -> int:
    """Analyse and write every article, flushing after each; return how many were written.

    On an interruption or a crash, what was written stays in ``OUT.partial``.
    """
    written = 0
    started = time.perf_counter()
    bar = progress(run.quiet)
    run.bar = bar
    try:
        for art in analyse_stream(stream, get_pipeline, batch_size, run):
            writer.write(art)
            sink.flush()
            written += 1
            bar.update(1)
            for w in art.warnings:
                if not w.startswith("error in component"):
                    run.warn(f"{shown(art.id)}: warning: {w}")
        writer.finish()
    except (KeyboardInterrupt, Exception) as exc:
        bar.close()
        run.bar = None
        if isinstance(exc, BrokenPipeError):  # `narrascope analyze ... | head`: a normal end
            _silence_stdout()
            raise typer.Exit(0) from None
        kept = sink.abort()
        where = (f"; {written} article(s) kept in {kept} (rerun with --resume)"
                 if kept and sink.resumable else "")
        if isinstance(exc, KeyboardInterrupt):
            raise fail(f"interrupted{where}", 130) from None
        run.say(f"error: stopped after {written} article(s){where}")
        raise
    bar.close()
    run.bar = None
    if written == 0 and not sink.done_ids:
        sink.discard()
    else:
        sink.commit()
    if sink.out is not None and not run.quiet and written == 0 and not sink.done_ids:
        run.say(f"nothing written; {sink.out} left as it was"
                + (f"; {run.errors} error(s)" if run.errors else ""))
    elif sink.out is not None and not run.quiet:
        run.say(f"wrote {written} article(s) to {sink.out} in {time.perf_counter() - started:.1f} s"
                + (f" ({len(sink.done_ids)} done before)" if sink.done_ids else "")
                + (f"; {run.errors} error(s)" if run.errors else ""))
    return written



@app.command()
def analyze(
    paths: PathsArg,
    out: Annotated[str | None, typer.Option(
        "-o", "--out", help="Output file; '-' or nothing: standard output.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.jsonl,
    config: ConfigOpt = None,
    taxonomy: TaxonomyOpt = None,
    mentions: Annotated[Path | None, typer.Option(
        "--mentions", help="SemEval subtask-1 mentions TSV: classify exactly these mentions.")] = None,
    dominant: Annotated[Path | None, typer.Option(
        "--dominant", help="SemEval subtask-3 input TSV: the dominant narrative to explain.")] = None,
    date: DateOpt = None,
    strict: StrictOpt = False,
    batch_size: BatchOpt = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Continue an interrupted JSONL run: skip the ids already in OUT.partial.")] = False,
    components: ComponentsOpt = None,
    max_chars: MaxCharsOpt = DEFAULT_MAX_CHARS,
    reanalyze: Annotated[bool, typer.Option(
        "--reanalyze", help="Analyse records of a narrascope JSONL again instead of "
        "passing them through (by default they are only converted).")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Analyse articles and write one record per article.

    Records of a JSONL written by narrascope are passed through unless --reanalyze,
    so `analyze out.jsonl --format table` converts without recomputing.

    Example: narrascope analyze articles/ -o out.jsonl
    """
    from narrascope.write import RESUMABLE, make_writer

    the_date = parse_date(date)
    if resume and (out in (None, "-") or fmt.value not in RESUMABLE):
        raise fail("--resume needs -o FILE and --format jsonl")
    if resume and any(p.is_file() and p.resolve() == Path(out).resolve() for p in paths):  # type: ignore[arg-type]
        # resuming moves OUT to OUT.partial: the input would vanish before it is read
        raise fail(f"--resume: -o {out} is also an input; write to another file")
    for opt, value in (("--mentions", mentions), ("--dominant", dominant), ("--config", config),
                       ("--taxonomy", taxonomy)):
        if value is not None and not value.is_file():
            raise fail(f"{opt} {value}: no such file")
    get_pipeline = _lazy_pipeline(config, components, taxonomy)
    if reanalyze or not all(p.suffix.lower() == ".jsonl" and p.is_file() for p in paths):
        get_pipeline()  # fail early on a bad config; JSONL-only input may need no pipeline
    run = Run(quiet)
    sink = _open_sink(out, resume=resume)
    sink.resumable = fmt.value in RESUMABLE
    if sink.done_ids:
        run.warn(f"resuming: {len(sink.done_ids)} article(s) already in {sink.tmp}")
    writer = make_writer(fmt.value, sink.fh, color=None if sink.out is None else False)
    stream = prepare(paths, run, max_chars=max_chars, mentions=mentions, dominant=dominant,
                     date=the_date, skip_ids=sink.done_ids, keep_layers=not reanalyze)
    write_all(stream, writer, sink, run, get_pipeline, batch_size)
    _finish_status(run, strict)


@app.command()
def report(
    paths: PathsArg,
    out: Annotated[Path, typer.Option("-o", "--out", help="The HTML file to write.")] = Path("report.html"),
    title: Annotated[str, typer.Option("--title", help="Page title.")] = "narrascope report",
    config: ConfigOpt = None,
    taxonomy: TaxonomyOpt = None,
    date: DateOpt = None,
    components: ComponentsOpt = None,
    batch_size: BatchOpt = None,
    max_chars: MaxCharsOpt = DEFAULT_MAX_CHARS,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write one self-contained HTML page with every finding highlighted over the text.

    PATH may be raw articles (analysed first) or a JSONL written by `narrascope analyze`
    (shown as is, no re-analysis).

    Example: narrascope report out/examples.jsonl -o out/report.html
    """
    from narrascope.write.report import ReportWriter

    the_date = parse_date(date)
    run = Run(quiet)
    sink = _open_sink(out)
    writer = ReportWriter(sink.fh, title=title)
    stream = prepare(paths, run, max_chars=max_chars, date=the_date, keep_layers=True)
    write_all(stream, writer, sink, run, _lazy_pipeline(config, components, taxonomy), batch_size)
    _finish_status(run, strict)


