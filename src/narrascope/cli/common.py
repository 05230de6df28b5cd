"""Helpers shared by the command modules: safe terminal text, run accounting, options."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from narrascope.read import ReadError
from narrascope.write.safe import BIDI, safe_line, unsafe_char

if TYPE_CHECKING:
    from narrascope.pipeline import Pipeline




# ----------------------------------------------------------------------------- helpers

#: Longest article id shown in a message; longer ones end in an ellipsis.
MAX_SHOWN_ID = 120

_BIDI = BIDI


def _unsafe_char(ch: str) -> bool:
    return unsafe_char(ch)


def shown(value: object, limit: int | None = MAX_SHOWN_ID) -> str:
    """``value`` as safe terminal text: one line, no escape sequences.

    Control characters (C0, DEL, C1), line/paragraph separators and bidi controls
    are written as ``repr`` writes them (``\\n``, ``\\t``, ``\\x1b``, ``\\u2028``);
    all other text, non-ASCII letters included, is kept.  With ``limit``, a longer
    result is cut to ``limit`` characters ending in ``…`` (never inside an escape).
    Used for every article id, input file name and message the CLI prints
    (:func:`narrascope.write.safe.safe_line`).
    """
    return safe_line(value, limit)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that a run stops as on Ctrl-C (output kept)."""


@contextlib.contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise Terminated

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except (ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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


def build_pipeline(config: Path | None, components: str | None, taxonomy: Path | None,
                   time_budget: float | None = None, profile: str | None = None) -> Pipeline:
    """The pipeline for a run; raise a one-line :class:`typer.Exit` when it cannot be built.

    ``time_budget``: seconds per article and component (None: the config's).
    ``profile``: a named profile (``fast``) the config is laid over (None: the config's
    own ``profile`` key, else the default).  A config with a ``[languages]`` table gives
    a router that picks a pipeline per article language.
    """
    from narrascope.pipeline import Pipeline, load_config
    from narrascope.profiles import LanguageRouter, apply_profile

    try:
        # --profile alone starts from the profile; a config file may name one itself
        cfg = load_config(config) if config is not None or profile is None else {}
        if profile or cfg.get("profile"):
            cfg = apply_profile(cfg, profile)
        if components:
            names = [c.strip() for c in components.split(",") if c.strip()]
            cfg.setdefault("pipeline", {})["components"] = names
        search = [config.resolve().parent] if config else []
        # --taxonomy: every component that reads the narrative taxonomy
        overrides = ({name: {"taxonomy": str(taxonomy)} for name in
                      ("narratives", "narratives_llm", "explain_llm")} if taxonomy else None)
        if time_budget is not None:
            cfg.setdefault("pipeline", {})["time_budget"] = time_budget
        if cfg.get("languages"):
            for name, opts in (overrides or {}).items():
                cfg.setdefault("components", {}).setdefault(name, {}).update(opts)
            return LanguageRouter(cfg, config.resolve().parent if config else None)  # type: ignore[return-value]
        return Pipeline.from_config(cfg, overrides, search_paths=[*search, Path.cwd()])
    except Exception as exc:  # the user-facing boundary: one line, whatever went wrong
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        raise fail(f"cannot build the pipeline: {' '.join(str(msg).split())}") from None



def progress(quiet: bool) -> Any:
    from tqdm import tqdm

    return tqdm(unit=" articles", file=sys.stderr, disable=quiet or not sys.stderr.isatty(),
                dynamic_ncols=True)


def count_inputs(paths: list[Path]) -> tuple[int, int | None]:
    """(input files, articles in them or None when that is not cheap to know): a file is
    one article, a JSONL file one per non-blank line, a Parquet file its rows; CSV and
    standard input are not counted.  Nothing is parsed."""
    from narrascope.read import STDIN, iter_inputs

    files = 0
    articles: int | None = 0
    for entry in iter_inputs(paths):
        if isinstance(entry, Exception):
            continue
        path = entry[0]
        files += 1
        suffix = path.suffix.lower()
        n: int | None = 1
        if path == STDIN or suffix == ".csv":
            n = None
        elif suffix in (".jsonl", ".ndjson"):
            try:
                with open(path, "rb") as fh:
                    n = sum(1 for line in fh if line.strip())
            except OSError:
                n = 0
        elif suffix == ".parquet":
            try:
                import pyarrow.parquet as pq

                n = int(pq.ParquetFile(path).metadata.num_rows)
            except Exception:  # a broken file is reported when it is read
                n = 0
        articles = None if n is None or articles is None else articles + n
    return files, articles


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
TimeBudgetOpt = Annotated[float | None, typer.Option(
    "--time-budget", min=0, help="Seconds a component may spend on one article before it is "
    "skipped for that article with an error (default: the config's time_budget, 60; 0: none).",
    show_default=False)]
MaxCharsOpt = Annotated[int, typer.Option(
    "--max-chars", min=1, help="Articles longer than this are reported and skipped.")]
ProfileOpt = Annotated[str | None, typer.Option(
    "--profile", help="Named pipeline profile: 'default' or 'fast' (static encoder, no NER or "
    "span network: several times faster, lower quality; see README Performance).",
    show_default=False)]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no warnings.")]
StrictOpt = Annotated[bool, typer.Option(
    "--strict", help="Exit with status 1 if any input or component error happened.")]


def _lazy_pipeline(config: Path | None, components: str | None, taxonomy: Path | None,
                   time_budget: float | None = None, profile: str | None = None
                   ) -> Callable[[], Any]:
    built: list[Any] = []

    def get() -> Any:
        if not built:
            from tqdm import tqdm

            tty = sys.stderr.isatty()
            if tty:  # the models take a few seconds to load (tqdm.write: above the bar)
                tqdm.write("loading the models...", file=sys.stderr)
            started = time.perf_counter()
            built.append(build_pipeline(config, components, taxonomy, time_budget, profile))
            if tty:
                tqdm.write(f"models loaded in {time.perf_counter() - started:.1f} s",
                           file=sys.stderr)
        return built[0]

    return get


class AtomicOutput:
    """Standard output, or ``FILE`` written to ``FILE.partial`` and renamed at the end
    (removed on an error), as a ``with`` block giving the text file to write."""

    def __init__(self, out: str | None) -> None:
        self.out = None if out in (None, "-") else Path(out)  # type: ignore[arg-type]
        self.tmp = None if self.out is None else self.out.with_name(self.out.name + ".partial")

    def __enter__(self) -> Any:
        if self.tmp is None:
            self.fh = sys.stdout
            return self.fh
        try:
            self.tmp.parent.mkdir(parents=True, exist_ok=True)
            self.fh = open(self.tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as exc:
            raise fail(f"cannot write {self.out}: {exc.strerror or exc}") from None
        return self.fh

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if self.tmp is None:
            self.fh.flush()
            return
        self.fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.out)  # type: ignore[arg-type]
        else:
            self.tmp.unlink(missing_ok=True)


def write_parquet_rows(rows: list[dict[str, Any]], cols: list[str], out: Path) -> None:
    """Write ``rows`` (the ``cols`` of each) as a Parquet file, atomically (``OUT.partial``
    renamed at the end); a one-line :func:`fail` when it cannot be written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows]) if rows else \
        pa.table({c: pa.array([], pa.string()) for c in cols})
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None


def _open_sink(out: str | Path | None, resume: bool = False) -> Any:
    from narrascope.write import Sink

    try:
        return Sink(out, resume=resume)
    except OSError as exc:  # OutputLocked: another run writes the same file
        raise fail(f"cannot write {out}: {exc.strerror or exc}") from None

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

