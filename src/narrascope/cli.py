"""The ``narrascope`` command line: analyze, report, evaluate, train, components, schema.

Every command has ``--help``.  Errors are one line on stderr
(``path:line: error: ...`` for input problems, ``ID: error in component X: ...``
for analysis problems); the run goes on with the other articles.  Exit status:
0 on success, 1 when nothing could be read or (with ``--strict``) anything
failed, 2 for usage errors.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import os
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from narrascope import __version__
from narrascope.doc import NOTICE, Article, article_json_schema
from narrascope.read import DEFAULT_MAX_CHARS, ReadError, read_articles
from narrascope.read.semeval import (
    attach_mentions,
    given_narrative_for,
    read_dominant,
    read_mentions,
)

if TYPE_CHECKING:
    from narrascope.pipeline import Pipeline

COMPONENT_COMMANDS = ("narratives", "entities", "techniques", "fact_checks")

# model loaders must not draw their own progress bars or advice on the user's terminal
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(
    name="narrascope",
    help="Show which propaganda narratives news articles push, how they frame entities, "
    "which persuasion techniques they use and which dated claims are wrong - every finding "
    "with exact character offsets.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(
    help="Train the models of the components (each component adds its command).",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(train_app, name="train")


class Format(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    table = "table"
    st1 = "semeval-st1"
    st2 = "semeval-st2"
    st3 = "semeval-st3"


class Task(StrEnum):
    st1 = "st1"
    st2 = "st2"
    st3 = "st3"


# ----------------------------------------------------------------------------- helpers

#: Longest article id shown in a message; longer ones end in an ellipsis.
MAX_SHOWN_ID = 120

#: Format characters that reorder or hide terminal text (bidi embeddings, overrides, isolates).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _unsafe_char(ch: str) -> bool:
    """Whether ``ch`` would move the cursor, break the line or restyle/reorder the terminal."""
    return ch in _BIDI or unicodedata.category(ch) in ("Cc", "Zl", "Zp")


def shown(value: object, limit: int | None = MAX_SHOWN_ID) -> str:
    """``value`` as safe terminal text: one line, no escape sequences.

    Control characters (C0, DEL, C1), line/paragraph separators and bidi controls
    are written as ``repr`` writes them (``\\n``, ``\\t``, ``\\x1b``, ``\\u2028``);
    all other text, non-ASCII letters included, is kept.  With ``limit``, a longer
    result is cut to ``limit`` characters ending in ``…`` (never inside an escape).
    Used for every article id, input file name and message the CLI prints.
    """
    pieces = [repr(ch)[1:-1] if _unsafe_char(ch) else ch for ch in str(value)]
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


class Run:
    """Counts and reports problems of one run (stderr, one line each)."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.errors = 0
        self.read = 0
        self.bar: Any = None

    def say(self, msg: str) -> None:
        msg = shown(msg, None)  # every id, path and message said goes through here
        if self.bar is not None:
            self.bar.write(msg, file=sys.stderr)
        else:
            print(msg, file=sys.stderr, flush=True)

    def error(self, msg: str | ReadError) -> None:
        self.errors += 1
        self.say(str(msg))

    def warn(self, msg: str) -> None:
        if not self.quiet:
            self.say(msg)


def fail(msg: str, code: int = 2) -> typer.Exit:
    """Print ``error: msg`` (made safe with :func:`shown`) and return the Exit to raise."""
    print(f"error: {shown(msg, None)}", file=sys.stderr)
    return typer.Exit(code)


def build_pipeline(config: Path | None, components: str | None, taxonomy: Path | None) -> Pipeline:
    """The pipeline for a run; raise a one-line :class:`typer.Exit` when it cannot be built."""
    from narrascope.pipeline import Pipeline, load_config

    try:
        cfg = load_config(config)
        if components:
            names = [c.strip() for c in components.split(",") if c.strip()]
            cfg.setdefault("pipeline", {})["components"] = names
        search = [config.resolve().parent] if config else []
        overrides = {"narratives": {"taxonomy": str(taxonomy)}} if taxonomy else None
        return Pipeline.from_config(cfg, overrides, search_paths=[*search, Path.cwd()])
    except Exception as exc:  # the user-facing boundary: one line, whatever went wrong
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        raise fail(f"cannot build the pipeline: {' '.join(str(msg).split())}") from None


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


def progress(quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(unit=" articles", file=sys.stderr, disable=quiet or not sys.stderr.isatty(),
                dynamic_ncols=True)


def parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"--date {value!r} is not a date (want YYYY-MM-DD)") from None


# ---------------------------------------------------------------------------- options

PathsArg = Annotated[list[Path], typer.Argument(
    help="Files or folders: .txt (SemEval or seed layout), .jsonl, .csv, .parquet, .html; "
    "- reads standard input.",
    show_default=False, metavar="PATH")]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="Pipeline config (TOML/YAML); default: the packaged one.")]
ComponentsOpt = Annotated[str | None, typer.Option(
    "--components", help="Comma-separated components to run, e.g. sentences,encoder,narratives.")]
TaxonomyOpt = Annotated[Path | None, typer.Option(
    "--taxonomy", help="Narrative taxonomy file for the narratives component.")]
DateOpt = Annotated[str | None, typer.Option(
    "--date", help="Publication date YYYY-MM-DD to set on every article (used by fact checks).")]
BatchOpt = Annotated[int | None, typer.Option(
    "--batch-size", min=1, help="Articles per batch (default: the config's batch_size, 32).",
    show_default=False)]
MaxCharsOpt = Annotated[int, typer.Option(
    "--max-chars", min=1, help="Articles longer than this are reported and skipped.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no warnings.")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Exit with status 1 if any input or component error happened.")]


def _lazy_pipeline(config: Path | None, components: str | None, taxonomy: Path | None
                   ) -> Callable[[], Any]:
    built: list[Any] = []

    def get() -> Any:
        if not built:
            built.append(build_pipeline(config, components, taxonomy))
        return built[0]

    return get


def _open_sink(out: str | Path | None, resume: bool = False) -> Any:
    from narrascope.write import Sink

    try:
        return Sink(out, resume=resume)
    except OSError as exc:
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None


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


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (e.g. under a test runner)
        pass


def _finish_status(run: Run, strict: bool) -> None:
    if run.read == 0:
        raise fail("no article could be read", 1)
    if strict and run.errors:
        raise fail(f"{run.errors} error(s) (--strict)", 1)


# --------------------------------------------------------------------------- commands


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


@app.command()
def evaluate(
    task: Annotated[Task, typer.Argument(help="Subtask: st1 (entity framing), st2 (narratives), "
                                         "st3 (explanations).", metavar="st1|st2|st3")],
    gold: Annotated[Path, typer.Option("--gold", help="Gold file in the task's format.")],
    pred: Annotated[Path, typer.Option("--pred", help="Predictions in the task's format.")],
    taxonomy: Annotated[Path | None, typer.Option(
        "--taxonomy", help="st2: taxonomy for label warnings (default: the shipped one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score predictions with the SemEval-2025 Task 10 metrics (articles matched by id).

    Example: narrascope evaluate st2 --gold dev/subtask-2-annotations.txt --pred pred.txt
    """
    from narrascope.evaluate import EvalInputError, Taxonomy, score_st1, score_st2, score_st3

    for opt, p in (("--gold", gold), ("--pred", pred)):
        if not p.is_file():
            raise fail(f"{opt} {p}: no such file")
    try:
        if task is Task.st1:
            res = score_st1(gold, pred)
        elif task is Task.st2:
            res = score_st2(gold, pred, Taxonomy.load(taxonomy))
        else:
            res = score_st3(gold, pred)
    except EvalInputError as exc:
        print(shown(exc, None), file=sys.stderr)
        raise typer.Exit(1) from None
    for w in res.warnings:  # file problems already read "path:line: warning: ..."
        print(shown(w if ": warning: " in w else f"warning: {w}", None), file=sys.stderr)
    if as_json:
        print(json.dumps(res.as_dict(), indent=2))
        return
    for note in res.notes:
        print(f"note: {shown(note, None)}")
    m = res.metrics
    if task is Task.st2:
        print(f"F1 coarse (samples): {m['f1_coarse']:.4f} ({m['f1_coarse_std']:.4f})")
        print(f"F1 fine (samples):   {m['f1_fine']:.4f} ({m['f1_fine_std']:.4f})")
    elif task is Task.st1:
        print(f"EMR:                {m['emr']:.4f}")
        print(f"micro P / R / F1:   {m['micro_precision']:.4f} / {m['micro_recall']:.4f} / "
              f"{m['micro_f1']:.4f}")
        print(f"main-role accuracy: {m['main_role_accuracy']:.4f}")
    else:
        print(f"MiniLM cosine similarity: {m['minilm_cosine']:.4f} ({m['minilm_cosine_std']:.4f})")
    print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in res.counts.items()))


def _options(factory: Any) -> str:
    """``name=default`` for each config option of a component factory."""
    import inspect

    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return ""
    return ", ".join(
        f"{p.name}={p.default!r}" if p.default is not inspect.Parameter.empty else p.name
        for p in params
        if p.name not in ("self", "name") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )


@app.command("components")
def list_components() -> None:
    """List the registered pipeline components: what each assigns, needs and takes as options.

    Example: narrascope components
    """
    from narrascope.registry import BUILTIN_MODULES, registry

    names = registry.names()
    for name in names:
        info = registry.get(name)
        print(f"{name}")
        if info.description:
            print(f"    {info.description}")
        print(f"    assigns: {', '.join(info.assigns) or '-'}")
        if info.requires:
            print(f"    requires: {', '.join(info.requires)}")
        options = _options(info.factory)
        if options:
            print(f"    options: {options}")
    for name in BUILTIN_MODULES:
        if name not in names:
            print(f"{name}\n    (not available: {BUILTIN_MODULES[name]} cannot be imported)")


@app.command()
def schema() -> None:
    """Print the JSON Schema of one output record (one JSONL line).

    Example: narrascope schema > article.schema.json
    """
    print(json.dumps(article_json_schema(), indent=2, ensure_ascii=False))


def _version(value: bool) -> None:
    if value:
        print(f"narrascope {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """narrascope: make the manipulation in news articles visible, with evidence."""


# ----------------------------------------------------------------------------- plugins


def _import_optional(module: str) -> Any | None:
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except (ImportError, ValueError):
        return None
    try:
        return importlib.import_module(module)
    except Exception as exc:  # a broken component must not break the CLI
        if os.environ.get("NARRASCOPE_DEBUG"):
            print(f"warning: cannot load {module}: {exc}", file=sys.stderr)
        return None


_registered = False


def register_component_commands() -> None:
    """Let each component add ``train`` commands (``register``) and top-level groups."""
    global _registered
    if _registered:
        return
    _registered = True
    for name in COMPONENT_COMMANDS:
        mod = _import_optional(f"narrascope.components.{name}.commands")
        if mod is None:
            continue
        for hook, target in (("register", train_app), ("register_extra", app)):
            fn = getattr(mod, hook, None)
            if callable(fn):
                try:
                    fn(target)
                except Exception as exc:
                    if os.environ.get("NARRASCOPE_DEBUG"):
                        print(f"warning: {name}.{hook} failed: {exc}", file=sys.stderr)


def main() -> None:
    """Entry point: unexpected failures become one line (NARRASCOPE_DEBUG=1: traceback)."""
    register_component_commands()
    try:
        app()
    except BrokenPipeError:  # `narrascope analyze ... | head`
        _silence_stdout()
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("NARRASCOPE_DEBUG"):
            raise
        print(f"error: internal error: {type(exc).__name__}: {shown(' '.join(str(exc).split()), None)} "
              "(run with NARRASCOPE_DEBUG=1 for a traceback)", file=sys.stderr)
        sys.exit(1)


__all__ = ["NOTICE", "app", "main"]
