"""``narrascope analyze`` and ``narrascope report``."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from narrascope.cli.app import app
from narrascope.cli.common import (
    BatchOpt,
    ComponentsOpt,
    ConfigOpt,
    DateOpt,
    MaxCharsOpt,
    PathsArg,
    ProfileOpt,
    QuietOpt,
    Run,
    StrictOpt,
    TaxonomyOpt,
    Terminated,
    TimeBudgetOpt,
    _finish_status,
    _lazy_pipeline,
    _open_sink,
    _silence_stdout,
    count_inputs,
    fail,
    parse_date,
    progress,
    shown,
    stop_on_sigterm,
)
from narrascope.doc import Article
from narrascope.read import DEFAULT_MAX_CHARS

if TYPE_CHECKING:
    from narrascope.write import WriteResult


def analysed(articles: Iterable[Article], get_pipeline: Callable[[], Any], batch_size: int | None,
             on_error: Callable[[Article, str], None]) -> Iterator[Article]:
    """``articles`` through the pipeline; it is built at the first article that needs it.

    So bad input is reported (and a run of only bad input ends) before models load, and
    converting analysed records (narrascope JSONL to another format) loads none.
    """
    it = iter(articles)
    for art in it:
        if art.components:
            yield art
            continue
        pipeline = get_pipeline()
        yield from pipeline.pipe(itertools.chain([art], it), batch_size, on_error)
        return


def run_and_write(paths: list[Path], writer: Any, sink: Any, run: Run,
                  get_pipeline: Callable[[], Any], batch_size: int | None,
                  **prepare: Any) -> WriteResult:
    """Read, analyse and write every article, then say what was written.

    ``prepare``: the options of :func:`narrascope.read.prepare_articles`.  On a stop
    (Ctrl-C, SIGTERM, a crash) what was written stays in ``OUT.partial``.
    """
    from narrascope.read import ReadStats, prepare_articles
    from narrascope.write import WriteStopped, write_stream

    stats = ReadStats()
    bar = progress(run.quiet)
    files, total = count_inputs(paths)  # cheap: files and lines, nothing parsed
    if total is not None:  # the bar shows the total and an ETA
        bar.total = max(0, total - len(prepare.get("skip_ids") or ()))
        bar.refresh()
        if not run.quiet and sys.stderr.isatty():
            bar.write(f"{total} article(s) in {files} input file(s)", file=sys.stderr)
    run.bar = bar
    used: list[Any] = []  # the pipeline, once built (for its run summary)

    def pipeline() -> Any:
        if not used:
            used.append(get_pipeline())
        return used[0]

    def on_written(art: Article) -> None:
        bar.update(1)
        for w in art.warnings:
            if not w.startswith("error in component"):
                run.warn(f"{shown(art.id)}: warning: {w}")

    def on_error(art: Article, msg: str) -> None:
        run.error(f"{shown(art.id)}: {msg}")

    stream = prepare_articles(paths, on_error=run.error, on_warning=run.warn, stats=stats, **prepare)
    try:
        with stop_on_sigterm():
            result = write_stream(analysed(stream, pipeline, batch_size, on_error), writer, sink,
                                  on_written=on_written, on_error=on_error)
    except WriteStopped as stop:
        bar.close()
        run.bar = None
        run.read = stats.read
        exc, res = stop.cause, stop.result
        if isinstance(exc, BrokenPipeError):  # `narrascope analyze ... | head`: a normal end
            _silence_stdout()
            raise typer.Exit(0) from None
        if isinstance(exc, typer.Exit):  # the pipeline could not be built (already said)
            raise exc from None
        where = ""
        if res.kept is not None:
            where = f"; {res.total} article(s) kept in {res.kept}"
            if sink.resumable:
                where += " (rerun with --resume)"
        if isinstance(exc, Terminated):
            raise fail(f"terminated (SIGTERM) after {res.written} article(s){where}", 143) from None
        if isinstance(exc, KeyboardInterrupt):
            raise fail(f"interrupted after {res.written} article(s){where}", 130) from None
        run.say(f"error: stopped after {res.written} article(s){where}")
        raise exc from None
    finally:
        bar.close()
        run.bar = None
    run.read = stats.read
    if sink.out is not None and not run.quiet:
        errors = f"; {run.errors} error(s)" if run.errors else ""
        if not result.committed:
            run.say(f"nothing written; {sink.out} left as it was{errors}")
        else:
            run.say(f"wrote {result.written} article(s) to {sink.out} in {result.seconds:.1f} s"
                    + (f" ({result.before} done before)" if result.before else "") + errors)
    if used and not run.quiet:  # e.g. an LLM backend's requests, tokens and time
        for line in getattr(used[0], "summary", list)():
            run.say(line)
    return result


def _pick_format(fmt: str | None, out: str | None) -> str:
    from narrascope.write import format_for_path, writer_formats

    name = fmt or format_for_path(out)
    if name not in writer_formats():
        raise fail(f"--format {fmt!r}: choose one of {', '.join(writer_formats())}")
    return name


@app.command()
def analyze(
    paths: PathsArg,
    out: Annotated[str | None, typer.Option(
        "-o", "--out", help="Output file; '-' or nothing: standard output.")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="Output format: jsonl, csv, table, semeval-st1, semeval-st2, "
        "semeval-st3, html (or a plugin's); default: from the -o extension, else jsonl.",
        show_default=False)] = None,
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
    time_budget: TimeBudgetOpt = None,
    profile: ProfileOpt = None,
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
    from narrascope.write import make_writer, writer_info

    the_date = parse_date(date)
    name = _pick_format(fmt, out)
    resumable = writer_info(name).resumable
    if resume and (out in (None, "-") or not resumable):
        raise fail("--resume needs -o FILE and --format jsonl")
    if resume and any(p.is_file() and p.resolve() == Path(out).resolve() for p in paths):  # type: ignore[arg-type]
        # resuming moves OUT to OUT.partial: the input would vanish before it is read
        raise fail(f"--resume: -o {out} is also an input; write to another file")
    for opt, value in (("--mentions", mentions), ("--dominant", dominant), ("--config", config),
                       ("--taxonomy", taxonomy)):
        if value is not None and not value.is_file():
            raise fail(f"{opt} {value}: no such file")
    get_pipeline = _lazy_pipeline(config, components, taxonomy, time_budget, profile)
    run = Run(quiet)
    sink = _open_sink(out, resume=resume)
    sink.resumable = resumable
    if sink.done_ids:
        run.warn(f"resuming: {len(sink.done_ids)} article(s) already in {sink.tmp}")
    writer = make_writer(name, sink.fh, color=None if sink.out is None else False)
    run_and_write(paths, writer, sink, run, get_pipeline, batch_size, max_chars=max_chars,
                  mentions=mentions, dominant=dominant, taxonomy=taxonomy, date=the_date,
                  skip_ids=sink.done_ids, keep_layers=not reanalyze)
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
    time_budget: TimeBudgetOpt = None,
    profile: ProfileOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write one self-contained HTML page with every finding highlighted over the text.

    PATH may be raw articles (analysed first) or a JSONL written by `narrascope analyze`
    (shown as is, no re-analysis).

    Example: narrascope report out/examples.jsonl -o out/report.html
    """
    from narrascope.write import make_writer

    the_date = parse_date(date)
    run = Run(quiet)
    sink = _open_sink(out)
    writer = make_writer("html", sink.fh, title=title)
    run_and_write(paths, writer, sink, run, _lazy_pipeline(config, components, taxonomy, time_budget, profile),
                  batch_size, max_chars=max_chars, date=the_date, keep_layers=True)
    _finish_status(run, strict)


