"""``narrascope ingest``, ``narrascope query`` and ``narrascope db upgrade|check|stats``."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import sys
import time
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from narrascope.cli.common import (
    AtomicOutput,
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
    count_inputs,
    fail,
    parse_date,
    progress,
    shown,
    write_parquet_rows,
)
from narrascope.doc import Article

DEFAULT_DB = "narrascope.db"

DbOpt = Annotated[str, typer.Option(
    "--db", help="Database: a SQLite file (path or sqlite:///PATH) or postgresql://USER@HOST:PORT/DB.",
    envvar="NARRASCOPE_DB")]

db_app = typer.Typer(help="Create, upgrade and check a corpus database.", no_args_is_help=True,
                     rich_markup_mode=None)


class Engine(StrEnum):
    local = "local"
    ray = "ray"


class QueryFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def _open(db: str, readonly: bool) -> Any:
    from narrascope.store import StoreError, open_store

    try:
        return open_store(db, readonly=readonly)
    except StoreError as exc:
        raise fail(str(exc), 1) from None


def _read(paths: list[Path], run: Run, errors: list[tuple[str, str]], *, max_chars: int,
          date: dt.date | None, keep_layers: bool) -> Iterator[Article]:
    def on_error(err: Any) -> None:
        run.error(str(err))
        errors.append((f"{getattr(err, 'path', '')}:{getattr(err, 'line', None) or 1}",
                       getattr(err, "message", str(err))))

    try:
        from narrascope.read.prepare import prepare_articles
    except ImportError:  # older reader API
        prepare_articles = None
    if prepare_articles is not None:
        for art in prepare_articles(paths, max_chars=max_chars, on_error=on_error, date=date,
                                    keep_layers=keep_layers):
            run.read += 1
            yield art
        return
    from narrascope.read import read_articles

    for art in read_articles(paths, max_chars=max_chars, on_error=on_error,
                             keep_layers=keep_layers):
        run.read += 1
        if date is not None and art.date is None and not art.components:
            art.date = date
        yield art


def ingest(
    paths: PathsArg,
    db: DbOpt = DEFAULT_DB,
    outlets: Annotated[Path | None, typer.Option(
        "--outlets", help="Outlet file (CSV or YAML: name, domains, country, type, network) "
        "whose attributes are attached to the outlets.")] = None,
    reanalyze: Annotated[bool, typer.Option(
        "--reanalyze", help="Analyse again the articles stored by another pipeline (other "
        "components, options or models) and the records of a narrascope JSONL; by default "
        "stored articles are skipped and analysed records are stored as they are.")] = False,
    engine: Annotated[Engine, typer.Option(
        "--engine", help="local: this process; ray: a Ray cluster (narrascope.scale).")
    ] = Engine.local,
    config: ConfigOpt = None,
    components: ComponentsOpt = None,
    taxonomy: TaxonomyOpt = None,
    date: DateOpt = None,
    batch_size: BatchOpt = None,
    max_chars: MaxCharsOpt = 2_000_000,
    vectors: Annotated[bool, typer.Option(
        "--vectors/--no-vectors", help="Store an article vector for each article (computed "
        "with the sentence encoder when a record has none).")] = True,
    profile: ProfileOpt = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="--engine ray: number of Ray workers (default: the CPUs).",
        show_default=False)] = None,
    address: Annotated[str | None, typer.Option(
        "--address", help="--engine ray: an existing Ray cluster ('auto', 'ray://HOST:PORT'); "
        "default: a local one.", show_default=False)] = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Analyse articles and store them with all their layers in a corpus database.

    Reads like `analyze` (files, folders, JSONL/CSV/Parquet, HTML, '-'); records of a
    narrascope JSONL are stored without analysing them again.  The same input twice adds
    nothing (id + content hash); after an interruption run the same command again.

    Example: narrascope ingest examples/ --db out/narrascope.db
    """
    from narrascope.store.outlets import OutletFileError, read_outlet_file

    the_date = parse_date(date)
    for opt, value in (("--config", config), ("--taxonomy", taxonomy), ("--outlets", outlets)):
        if value is not None and not value.is_file():
            raise fail(f"{opt} {value}: no such file")
    specs = None
    if outlets is not None:
        try:
            specs = read_outlet_file(outlets)
        except OutletFileError as exc:
            print(shown(str(exc), None), file=sys.stderr)
            raise typer.Exit(2) from None
    if engine is Engine.ray:
        try:
            from narrascope.scale import ray_ingest  # type: ignore[attr-defined]
        except ImportError as exc:
            raise fail(f"--engine ray needs narrascope.scale.ray_ingest, which is not "
                       f"available here ({exc}); use --engine local") from None
        ray_ingest(paths=paths, db=db, outlets=specs, reanalyze=reanalyze, config=config,
                   components=components, taxonomy=taxonomy, date=the_date,
                   batch_size=batch_size, max_chars=max_chars, vectors=vectors, quiet=quiet,
                   profile=profile, workers=workers, address=address)
        return
    store = _open(db, readonly=False)
    try:
        _ingest(store, paths, _Models(config, components, taxonomy, profile, quiet), specs,
                reanalyze=reanalyze, date=the_date, batch_size=batch_size, max_chars=max_chars,
                vectors=vectors, strict=strict, quiet=quiet)
    finally:
        store.close()


class _Models:
    """The pipeline, built on the first call, saying on standard error that the models
    load (they take seconds to minutes) and how long they took."""

    def __init__(self, config: Path | None, components: str | None, taxonomy: Path | None,
                 profile: str | None, quiet: bool) -> None:
        self.args = (config, components, taxonomy)
        self.profile = profile
        self.quiet = quiet
        self.pipeline: Any = None
        self.bar: Any = None

    def __call__(self) -> Any:
        if self.pipeline is None:
            from narrascope.cli import common

            if not self.quiet:
                self._say("loading the models...")
            started = time.perf_counter()
            self.pipeline = common.build_pipeline(*self.args, profile=self.profile)
            if not self.quiet:
                self._say(f"models loaded in {time.perf_counter() - started:.1f} s")
        return self.pipeline

    def _say(self, msg: str) -> None:
        if self.bar is not None:
            self.bar.write(msg, file=sys.stderr)
        else:
            print(msg, file=sys.stderr, flush=True)


def _ingest(store: Any, paths: list[Path], get_pipeline: _Models, specs: Any, *,
            reanalyze: bool, date: dt.date | None, batch_size: int | None, max_chars: int,
            vectors: bool, strict: bool, quiet: bool) -> None:
    from narrascope.store import StoreError
    from narrascope.store.ingest import ingest_stream, pipeline_info
    from narrascope.store.records import content_hash

    run = Run(quiet)
    if specs is not None:
        n = store.load_outlets(specs)
        run.warn(f"outlets: {n} outlet(s) from the outlet file")
    # the input is found, counted and its first batch read (and checked) before any
    # model loads: a wrong path or a bad file is reported in a second, not after a minute
    files, total = count_inputs(paths)
    errors: list[tuple[str, str]] = []
    stream = _read(paths, run, errors, max_chars=max_chars, date=date, keep_layers=not reanalyze)
    size = batch_size or 256
    first = list(itertools.islice(stream, size))
    if not quiet and files:  # an upper bound: a file or record may still be refused
        run.say(f"{files} input file(s)" + (f", up to {total} article(s)"
                                            if total is not None else ""))
    pipeline = None
    if first:
        have = store.existing([a.id for a in first])
        todo = [a for a in first if reanalyze or (
            not a.components and have.get(a.id, ("",))[0] != content_hash(a.text))]
        if todo:
            pipeline = get_pipeline()  # a bad config stops here, before anything is stored
    fingerprint, cfg, models = pipeline_info(pipeline) if pipeline is not None else ("", {}, {})
    names = list(getattr(pipeline, "component_names", []) or [])
    run_id = store.begin_run(fingerprint=fingerprint or "none", components=names, config=cfg,
                             models=models, command=" ".join(shown(a, 200) for a in sys.argv[1:]))
    if pipeline is not None:
        size = batch_size or (int(getattr(pipeline, "batch_size", 0) or 0) * 8 or 256)
    bar = progress(quiet)
    if total is not None:
        bar.total = total
        bar.refresh()
    run.bar = bar
    get_pipeline.bar = bar
    started = time.perf_counter()
    seen = [0]

    def on_error(art: Article, msg: str) -> None:
        run.error(f"{shown(art.id)}: {msg}")

    def on_batch(stats: Any) -> None:
        bar.update(stats.read - seen[0])
        seen[0] = stats.read
        if errors:
            store.record_errors(run_id, errors)
            errors.clear()

    try:
        stats = ingest_stream(itertools.chain(first, stream), store, get_pipeline=get_pipeline,
                              run_id=run_id,
                              fingerprint=fingerprint or None, reanalyze=reanalyze,
                              batch_size=size, on_error=on_error, vectors=vectors,
                              on_batch=on_batch)
    except KeyboardInterrupt:
        bar.close()
        raise fail("interrupted; the batches stored so far are kept (run the same command "
                   "again to resume)", 130) from None
    except StoreError as exc:
        bar.close()
        raise fail(str(exc), 1) from None
    finally:
        run.bar = None
        get_pipeline.bar = None
    bar.close()
    store.record_errors(run_id, errors)
    late = get_pipeline.pipeline if pipeline is None else None  # built for a later batch
    if late is not None:
        fp, cfg, models = pipeline_info(late)
        store.finish_run(run_id, stats, fingerprint=fp, components=list(
            getattr(late, "component_names", []) or []), config=cfg, models=models)
    else:
        store.finish_run(run_id, stats)
    if not quiet:
        run.say(f"{store.url}: {stats.added} added, {stats.replaced} replaced, "
                f"{stats.skipped} already stored; {stats.analysed} analysed, "
                f"{stats.failures} with analysis errors, {run.errors} error(s) "
                f"in {time.perf_counter() - started:.1f} s")
    if run.read == 0:
        raise fail("no article could be read", 1)
    if strict and run.errors:
        raise fail(f"{run.errors} error(s) (--strict)", 1)


# ------------------------------------------------------------------------------ query


def _date_opt(value: str | None, opt: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise fail(f"{opt} {value!r} is not a date (want YYYY-MM-DD)") from None


SUMMARY_COLUMNS = ["id", "date", "date_source", "outlet", "url", "language", "title",
                   "narratives", "error"]
LONG_COLUMNS = ["article_id", "outlet", "date", "layer", "label", "confidence"]


def query(
    db: DbOpt = DEFAULT_DB,
    outlet: Annotated[list[str] | None, typer.Option(
        "--outlet", help="Outlet name or domain (repeat for several).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="First date, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last date, YYYY-MM-DD.")] = None,
    narrative: Annotated[str | None, typer.Option(
        "--narrative", help="A narrative or subnarrative label.")] = None,
    entity: Annotated[str | None, typer.Option("--entity", help="Canonical entity name.")] = None,
    role: Annotated[str | None, typer.Option(
        "--role", help="Main role of the entity: Protagonist, Antagonist, Innocent.")] = None,
    technique: Annotated[str | None, typer.Option("--technique", help="Technique label.")] = None,
    verdict: Annotated[str | None, typer.Option("--verdict", help="Fact-check verdict.")] = None,
    text: Annotated[str | None, typer.Option(
        "--text", help="Full-text search: articles containing every word.")] = None,
    language: Annotated[str | None, typer.Option("--language", help="ISO 639-1 code.")] = None,
    fmt: Annotated[QueryFormat, typer.Option("--format", "-f", help="Output format.")
                   ] = QueryFormat.table,
    long: Annotated[bool, typer.Option(
        "--long", help="csv/parquet/table: one row per label (article_id, outlet, date, layer, "
        "label, confidence) instead of one per article.")] = False,
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="At most this many articles (table default: 50).")] = None,
    out: Annotated[str | None, typer.Option("-o", "--out", help="Output file; default: "
                                            "standard output.")] = None,
) -> None:
    """Select stored articles and print or export them.

    --format jsonl writes one narrascope record per article (readable again by
    `analyze` and `report`); --long writes one row per label, for pandas.

    Example: narrascope query --db out/narrascope.db --narrative "URW: Discrediting Ukraine"
    """
    from narrascope.store import ArticleFilter

    f = ArticleFilter(outlet=outlet or None, since=_date_opt(since, "--since"),
                      until=_date_opt(until, "--until"), narrative=narrative, entity=entity,
                      role=role, technique=technique, verdict=verdict, text=text,
                      language=language)
    if fmt is QueryFormat.parquet and out in (None, "-"):
        raise fail("--format parquet needs -o FILE")
    store = _open(db, readonly=True)
    try:
        if fmt is QueryFormat.jsonl:
            _write_jsonl(store, f, out, limit)
        elif fmt is QueryFormat.table:
            _write_table(store, f, out, limit or 50, long)
        else:
            rows = _long_rows(store, f, limit) if long else _summary_rows(store, f, limit)
            cols = LONG_COLUMNS if long else SUMMARY_COLUMNS
            if fmt is QueryFormat.csv:
                _write_csv(rows, cols, out)
            else:
                _write_parquet(rows, cols, Path(out))  # type: ignore[arg-type]
    finally:
        store.close()


def _summary_rows(store: Any, f: Any, limit: int | None) -> list[dict[str, Any]]:
    return [{"id": s.id, "date": s.date, "date_source": s.date_source, "outlet": s.outlet,
             "url": s.url, "language": s.language, "title": s.title,
             "narratives": "; ".join(lbl for lbl, _ in s.narratives), "error": s.error}
            for s in store.list_articles(f, limit=limit)]


def _long_rows(store: Any, f: Any, limit: int | None) -> list[dict[str, Any]]:
    from dataclasses import asdict

    from narrascope.store import LAYERS, ArticleFilter

    if limit is not None:
        ids = [s.id for s in store.list_articles(f, limit=limit)]
        f = ArticleFilter(**{**asdict(f), "ids": ids})
    return [asdict(r) for layer in LAYERS for r in store.label_rows(layer, f)]


def _write_jsonl(store: Any, f: Any, out: str | None, limit: int | None) -> None:
    from narrascope.write import article_record

    n = 0
    with AtomicOutput(out) as fh:
        for art in store.iter_articles(f):
            if limit is not None and n >= limit:
                break
            fh.write(json.dumps(article_record(art), ensure_ascii=False) + "\n")
            n += 1
    if out not in (None, "-"):
        print(f"wrote {n} article(s) to {shown(out, None)}", file=sys.stderr)


def _cell(v: Any) -> Any:
    from narrascope.write import guard_cell

    if isinstance(v, dt.date):
        return v.isoformat()
    return guard_cell(v) if isinstance(v, str) else v


def _write_csv(rows: list[dict[str, Any]], cols: list[str], out: str | None) -> None:
    with AtomicOutput(out) as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r.get(c) is None else _cell(r.get(c)) for c in cols])
    if out not in (None, "-"):
        print(f"wrote {len(rows)} row(s) to {shown(out, None)}", file=sys.stderr)


def _write_parquet(rows: list[dict[str, Any]], cols: list[str], out: Path) -> None:
    write_parquet_rows(rows, cols, out)
    print(f"wrote {len(rows)} row(s) to {shown(out, None)}", file=sys.stderr)


def _write_table(store: Any, f: Any, out: str | None, limit: int, long: bool) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from narrascope.doc import NOTICE

    total = store.count(f)
    if long:
        rows = _long_rows(store, f, limit)
        table = Table(*LONG_COLUMNS, show_lines=False)
        for r in rows:
            table.add_row(*(Text(shown("" if r[c] is None else r[c], 200)) for c in LONG_COLUMNS))
    else:
        table = Table("id", "date", "outlet", "title", "top narratives", show_lines=False)
        for s in store.list_articles(f, limit=limit):
            table.add_row(Text(shown(s.id)), Text(s.date.isoformat() if s.date else ""),
                          Text(shown(s.outlet or "", 60)), Text(shown(s.title or "", 80)),
                          Text(shown("; ".join(f"{lbl} ({c:.2f})" for lbl, c in s.narratives),
                                     200)))
    with AtomicOutput(out) as fh:
        console = Console(file=fh, width=160 if fh is not sys.stdout else None,
                          color_system=None if fh is not sys.stdout else "auto")
        console.print(table)
        console.print(Text(f"{min(total, limit)} of {total} article(s) shown. {NOTICE}"))


# --------------------------------------------------------------------------------- db


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = DEFAULT_DB) -> None:
    """Create the database or upgrade its schema to the latest revision (Alembic)."""
    from narrascope.store import StoreError
    from narrascope.store.engine import make_engine, upgrade

    try:
        engine = make_engine(db)
        before, after = upgrade(engine)
        engine.dispose()
    except StoreError as exc:
        raise fail(str(exc), 1) from None
    except Exception as exc:
        raise fail(f"cannot upgrade {db}: {' '.join(str(exc).split())[:300]}", 1) from None
    print(f"{shown(db, None)}: schema {before or '(new)'} -> {after}"
          if before != after else f"{shown(db, None)}: schema {after} (latest)", file=sys.stderr)


def _print_json(obj: Any) -> None:
    print(json.dumps(obj, default=str, indent=2, ensure_ascii=False))


@db_app.command("check")
def db_check(db: DbOpt = DEFAULT_DB,
             as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Counts, failures and integrity (exit status 1 when a problem is found)."""
    store = _open(db, readonly=True)
    try:
        report = store.check()
        report["failed_articles"] = store.failures(20)
    finally:
        store.close()
    if as_json:
        _print_json(report)
    else:
        print(f"database: {shown(store.url, None)} ({report['backend']}, schema "
              f"{report['schema_revision']})")
        print(f"articles: {report['articles']} ({report['failures']} with analysis errors, "
              f"{report['missing_vectors']} without vector, "
              f"{report['articles_without_outlet']} without outlet)")
        print(f"outlets: {report['outlets']}; runs: {report['runs']}; input errors recorded: "
              f"{report['input_errors']}")
        print("labels: " + ", ".join(f"{k} {v}" for k, v in report["labels"].items()))
        for art_id, err in report["failed_articles"]:
            print(f"  failed: {shown(art_id)}: {shown(err, 300)}")
        if report["problems"]:
            for p in report["problems"]:
                print(f"problem: {shown(p, None)}")
        else:
            print("integrity: ok")
    if report["problems"]:
        raise typer.Exit(1)


@db_app.command("stats")
def db_stats(db: DbOpt = DEFAULT_DB,
             top: Annotated[int, typer.Option("--top", min=1, help="Rows per list.")] = 10,
             as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """A corpus summary: articles, dates, articles per outlet, top narratives."""
    store = _open(db, readonly=True)
    try:
        st = store.stats()
        outs = store.outlets()
        unknown = st["articles_without_outlet"]
        narr = store.labels("narrative")[:top]
        tech = store.labels("technique")[:top]
    finally:
        store.close()
    if as_json:
        st["outlets_list"] = [{"name": o.name, "articles": o.articles} for o in outs]
        st["top_narratives"] = narr
        st["top_techniques"] = tech
        _print_json(st)
        return
    print(f"{st['articles']} article(s) from {st['outlets']} outlet(s), "
          f"{st['first_date'] or '?'} to {st['last_date'] or '?'}; "
          f"{st['failures']} with analysis errors")
    print("articles per outlet:")
    for o in [o for o in outs if o.articles][:top]:
        attrs = ", ".join(x for x in (o.country, o.type, o.network) if x)
        print(f"  {o.articles:>7}  {shown(o.name, 80)}" + (f" ({shown(attrs, 120)})" if attrs else ""))
    if unknown:
        print(f"  {unknown:>7}  (no outlet: no URL or source)")
    print("top narratives (articles):")
    for label, n in narr:
        print(f"  {n:>7}  {shown(label, 200)}")
    if tech:
        print("top techniques (articles):")
        for label, n in tech:
            print(f"  {n:>7}  {shown(label, 200)}")


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(query)
    app.add_typer(db_app, name="db")
