"""``narrascope corpus``: copies, network, clusters, trends, emerging, outlet NAME.

Every command reads a store (``--db``) and writes ``--format table|jsonl|csv|parquet``
to standard output or ``-o FILE`` (written atomically).  ``copies``, ``network`` and
``clusters`` first index the articles that are new since the last run (``--no-update``:
only read what is indexed); a read-only database is only read.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from narrascope.cli.common import AtomicOutput, fail, parse_date, shown, write_parquet_rows

corpus_app = typer.Typer(help="Corpus analytics over a store: copies, coordination, story "
                         "clusters, trends.", no_args_is_help=True, rich_markup_mode=None)

DEFAULT_DB = "narrascope.db"


class Format(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


DbOpt = Annotated[str, typer.Option(
    "--db", help="Database: a SQLite file (path or sqlite:///PATH) or "
    "postgresql://USER@HOST:PORT/DB.", envvar="NARRASCOPE_DB")]
FormatOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
OutOpt = Annotated[str | None, typer.Option("-o", "--out", help="Output file (default: stdout).")]
PlotOpt = Annotated[Path | None, typer.Option(
    "--plot", help="Also draw a plot: FILE.png or FILE.svg.")]
NoUpdateOpt = Annotated[bool, typer.Option(
    "--no-update", help="Do not index new articles first; only read what is indexed.")]
KindsOpt = Annotated[str, typer.Option(
    "--kind", help="Comma-separated kinds of copies: copy, partial, rewrite.")]


def _open(db: str, readonly: bool = False) -> Any:
    from narrascope.store import StoreError, open_store

    try:
        return open_store(db, readonly=readonly)
    except StoreError as exc:
        raise fail(str(exc), 1) from None
    except Exception as exc:  # e.g. a read-only file opened for writing
        raise fail(f"cannot open {db}: {' '.join(str(exc).split())[:300]}", 1) from None


def _open_for_update(db: str, no_update: bool) -> Any:
    if no_update:
        return _open(db, readonly=True)
    try:
        from narrascope.store import open_store

        return open_store(db, readonly=False)
    except Exception:
        return _open(db, readonly=True)  # e.g. a read-only file: report what is indexed


def _kinds(value: str) -> list[str]:
    from narrascope.corpus.copies import KINDS

    kinds = [k.strip() for k in value.split(",") if k.strip()]
    bad = [k for k in kinds if k not in KINDS]
    if bad or not kinds:
        raise fail(f"--kind: want some of {', '.join(KINDS)}, got {value!r}")
    return kinds


def _plot_path(plot: Path | None) -> Path | None:
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise fail(f"--plot {plot}: want a .png or .svg file")
    if plot is not None:
        plot.parent.mkdir(parents=True, exist_ok=True)
    return plot


# ----------------------------------------------------------------------------- output


def _plain(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    return v


def _flat(v: Any) -> Any:
    """A cell for csv/parquet/table: lists joined with '; ', dicts as JSON."""
    if v is None:
        return None
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return "; ".join(str(_flat(x)) if not isinstance(x, list | tuple) else
                         " ".join(str(y) for y in x) for x in v)
    if isinstance(v, dict):
        return json.dumps(_plain(v), ensure_ascii=False)
    return v


def emit(records: list[dict[str, Any]], fmt: Format, out: str | None,
         flat_rows: list[dict[str, Any]] | None = None, title: str | None = None,
         columns: list[str] | None = None, table_columns: list[str] | None = None) -> None:
    """Write records: jsonl as they are, other formats from ``flat_rows`` (or records);
    a table shows ``table_columns`` (default: all columns)."""
    rows = flat_rows if flat_rows is not None else records
    cols = columns or list(dict.fromkeys(k for r in rows for k in r))
    if fmt is Format.table and table_columns:
        cols = table_columns
    if fmt is Format.jsonl:
        with AtomicOutput(out) as fh:
            for r in records:
                fh.write(json.dumps(_plain(r), ensure_ascii=False) + "\n")
        n = len(records)
    elif fmt is Format.csv:
        import csv

        from narrascope.write import guard_cell

        with AtomicOutput(out) as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(cols)
            for r in rows:
                w.writerow(["" if r.get(c) is None else
                            (guard_cell(x) if isinstance(x := _flat(r.get(c)), str) else x)
                            for c in cols])
        n = len(rows)
    elif fmt is Format.parquet:
        if out in (None, "-"):
            raise fail("--format parquet needs -o FILE")
        write_parquet_rows([{c: _flat(r.get(c)) for c in cols} for r in rows], cols,
                           Path(out))  # type: ignore[arg-type]
        n = len(rows)
    else:
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        from narrascope.doc import NOTICE

        table = Table(*cols, title=title, show_lines=False)
        for r in rows:
            table.add_row(*(Text(shown("" if r.get(c) is None else _flat(r.get(c)), 160))
                            for c in cols))
        with AtomicOutput(out) as fh:
            console = Console(file=fh, width=200 if fh is not sys.stdout else None,
                              color_system=None if fh is not sys.stdout else "auto")
            console.print(table)
            console.print(Text(f"{len(rows)} row(s). {NOTICE}"))
        n = len(rows)
    if out not in (None, "-"):
        print(f"wrote {n} row(s) to {shown(out, None)}", file=sys.stderr)


def _say(msg: str) -> None:
    print(shown(msg, None), file=sys.stderr)


# --------------------------------------------------------------------------- commands


@corpus_app.command("copies")
def copies(
    db: DbOpt = DEFAULT_DB,
    kind: KindsOpt = "copy,partial,rewrite",
    min_size: Annotated[int, typer.Option("--min-size", min=2, help="Smallest group.")] = 2,
    outlet: Annotated[list[str] | None, typer.Option(
        "--outlet", help="Only groups with this outlet (repeatable).")] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most N groups.")] = None,
    no_update: NoUpdateOpt = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Copy groups: copies, partial copies and rewrites across outlets, first publisher first.

    jsonl: one group per line {"group", "kind", "origin", "members": [{"id", "outlet", "date",
    "similarity", "lag_days", "kind"}], "amplifiers", "shared_text", ...}; table/csv/parquet:
    one row per member.  Example: narrascope corpus copies --db out/narrascope.db
    """
    from narrascope.corpus import storage

    kinds = _kinds(kind)
    store = _open_for_update(db, no_update)
    try:
        if not store.readonly:
            res = storage.update_copies(store)
            if res.indexed:
                _say(f"indexed {res.indexed} new article(s), {res.new_pairs} new copy pair(s)")
        groups = storage.groups(store, kinds, min_size, outlet)
    finally:
        store.close()
    if limit is not None:
        groups = groups[:limit]
    recs = [g.as_record() for g in groups]
    flat = []
    for r in recs:
        base = {"group": r["group"], "kind": r["kind"], "size": r["size"]}
        flat.append({**base, "role": "origin", "id": r["origin"], "outlet": r["origin_outlet"],
                     "date": r["origin_date"], "similarity": None, "lag_days": 0,
                     "pair_kind": None,
                     "shared_text": " | ".join(t[:120] for t in r["shared_text"][:2])})
        for m in r["members"]:
            flat.append({**base, "role": "amplifier", "id": m["id"], "outlet": m["outlet"],
                         "date": m["date"], "similarity": m["similarity"],
                         "lag_days": m["lag_days"], "pair_kind": m["kind"], "shared_text": None})
    emit(recs, fmt, out, flat, title="Copy groups",
         columns=["group", "kind", "size", "role", "id", "outlet", "date", "similarity",
                  "lag_days", "pair_kind", "shared_text"],
         table_columns=["group", "kind", "role", "id", "outlet", "date", "similarity",
                        "lag_days", "pair_kind"])


@corpus_app.command("network")
def network(
    db: DbOpt = DEFAULT_DB,
    kind: KindsOpt = "copy,partial,rewrite",
    window_days: Annotated[int, typer.Option(
        "--window-days", min=0, help="Count a shared text only if the dates are this close.")] = 7,
    min_pairs: Annotated[int, typer.Option("--min-pairs", min=1,
                                           help="Smallest edge (shared texts).")] = 1,
    graph: Annotated[Path | None, typer.Option(
        "--graph", help="Write the graph: FILE.graphml or FILE.gexf.")] = None,
    plot: PlotOpt = None,
    no_update: NoUpdateOpt = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Outlet coordination: outlet pairs publishing the same texts within a window.

    One row per outlet pair: shared texts (pairs), per kind, median lag, who was first.
    Example: narrascope corpus network --db out/narrascope.db --graph out/outlets.graphml
    """
    from narrascope.corpus import network as net
    from narrascope.corpus import storage

    kinds = _kinds(kind)
    plot = _plot_path(plot)
    if graph is not None and graph.suffix.lower() not in (".graphml", ".gexf"):
        raise fail(f"--graph {graph}: want a .graphml or .gexf file")
    store = _open_for_update(db, no_update)
    try:
        if not store.readonly:
            storage.update_copies(store)
        backend = storage.StoreBackend(store)
        pairs = backend.pairs()
        docs = backend.docs(sorted({x for p in pairs for x in (p.a, p.b)}))
    finally:
        store.close()
    edges = net.outlet_edges(pairs, docs, kinds, window_days, min_pairs=min_pairs)
    g = net.build_graph(edges)
    if graph is not None:
        graph.parent.mkdir(parents=True, exist_ok=True)
        net.write_graph(g, graph)
        _say(f"wrote the graph ({g.number_of_nodes()} outlets, {g.number_of_edges()} edges) "
             f"to {graph}")
    if plot is not None:
        net.draw_graph(g, plot)
        _say(f"wrote {plot}")
    rows = [{"outlet_a": e["outlet_a"], "outlet_b": e["outlet_b"], "pairs": e["pairs"],
             "copy": e["kinds"]["copy"], "partial": e["kinds"]["partial"],
             "rewrite": e["kinds"]["rewrite"], "median_lag_days": e["median_lag_days"],
             "a_first": e["a_first"], "b_first": e["b_first"]} for e in edges]
    emit(rows, fmt, out, title="Outlets publishing the same texts",
         columns=["outlet_a", "outlet_b", "pairs", "copy", "partial", "rewrite",
                  "median_lag_days", "a_first", "b_first"])


@corpus_app.command("clusters")
def clusters(
    db: DbOpt = DEFAULT_DB,
    threshold: Annotated[float, typer.Option(
        "--threshold", min=0.0, max=1.0,
        help="Cosine similarity to a cluster centroid to join it (another value than the "
        "stored clusters' clusters again).")] = 0.90,
    min_size: Annotated[int, typer.Option("--min-size", min=1, help="Smallest cluster.")] = 2,
    top: Annotated[int, typer.Option("--top", min=1, help="At most N clusters.")] = 50,
    no_update: NoUpdateOpt = False,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Story clusters: keywords, representative sentences, narratives, entities, outlets.

    Example: narrascope corpus clusters --db out/narrascope.db --threshold 0.8
    """
    from narrascope.corpus import storage

    store = _open_for_update(db, no_update)
    try:
        if not store.readonly:
            n = storage.update_clusters(store, threshold)
            if n:
                _say(f"clustered {n} new article(s)")
        recs = storage.describe_clusters(store, min_size, top)
    finally:
        store.close()
    flat = [{k: v for k, v in r.items() if k not in ("members", "per_day")} |
            {"per_day": " ".join(f"{d}:{c}" for d, c in r["per_day"].items())} for r in recs]
    emit(recs, fmt, out, flat, title="Story clusters",
         columns=["cluster", "size", "first_seen", "last_seen", "keywords", "sentences",
                  "narratives", "entities", "outlets", "per_day"],
         table_columns=["cluster", "size", "first_seen", "keywords", "narratives", "outlets"])


class What(StrEnum):
    prevalence = "prevalence"
    framing = "framing"
    techniques = "techniques"


class By(StrEnum):
    outlet = "outlet"
    network = "network"
    all = "all"


class Period(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class PlotKind(StrEnum):
    lines = "lines"
    area = "area"
    heatmap = "heatmap"


def _filter(since: str | None, until: str | None, outlet: list[str] | None) -> Any:
    from narrascope.store import ArticleFilter

    return ArticleFilter(since=parse_date(since), until=parse_date(until),
                         outlet=outlet or None)


SinceOpt = Annotated[str | None, typer.Option("--since", help="From this date (YYYY-MM-DD).")]
UntilOpt = Annotated[str | None, typer.Option("--until", help="Up to this date (YYYY-MM-DD).")]
OutletsOpt = Annotated[list[str] | None, typer.Option(
    "--outlet", help="Only these outlets (repeatable).")]


@corpus_app.command("trends")
def trends(
    db: DbOpt = DEFAULT_DB,
    what: Annotated[What, typer.Option(
        "--what", help="prevalence of labels, framing of entities, technique density.")
    ] = What.prevalence,
    layer: Annotated[str, typer.Option(
        "--layer", help="prevalence: narrative, subnarrative, domain, technique, fact_check."
    )] = "narrative",
    period: Annotated[Period, typer.Option("--period")] = Period.week,
    by: Annotated[By, typer.Option("--by", help="Group by outlet, outlet network or all.")
                  ] = By.outlet,
    min_confidence: Annotated[float, typer.Option("--min-confidence", min=0.0, max=1.0)] = 0.0,
    unweighted: Annotated[bool, typer.Option(
        "--unweighted", help="Count articles instead of summing confidences.")] = False,
    entity: Annotated[str | None, typer.Option("--entity", help="framing: this entity only.")
                      ] = None,
    role: Annotated[str, typer.Option("--role", help="framing: the role whose share is shown.")
                    ] = "Antagonist",
    since: SinceOpt = None,
    until: UntilOpt = None,
    outlet: OutletsOpt = None,
    plot: PlotOpt = None,
    plot_kind: Annotated[PlotKind, typer.Option("--plot-kind")] = PlotKind.lines,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Narrative prevalence per outlet and period (confidence-weighted), entity framing over
    time, technique density per outlet.

    Example: narrascope corpus trends --db out/narrascope.db --period month --plot out/trend.png
    """
    from narrascope.corpus import trends as tr

    plot = _plot_path(plot)
    f = _filter(since, until, outlet)
    store = _open(db, readonly=True)
    try:
        if what is What.prevalence:
            from narrascope.store import LAYERS

            if layer not in LAYERS:
                raise fail(f"--layer {layer!r}: want one of {', '.join(LAYERS)}")
            rows = tr.prevalence(store, layer, period.value, by.value, min_confidence,
                                 not unweighted, f)
            cols = ["period", "group", "label", "articles", "weight", "total", "prevalence"]
        elif what is What.framing:
            rows = tr.entity_framing(store, entity, role, period.value, by.value, f)
            cols = ["period", "group", "entity", "role", "articles", "in_role", "share"]
        else:
            rows = tr.technique_density(store, by.value, f, min_confidence)
            cols = ["group", "articles", "words", "techniques", "per_1000_words", "top"]
    finally:
        store.close()
    if plot is not None:
        if what is What.prevalence:
            tr.plot_prevalence(rows, plot, plot_kind.value,
                               title=f"{layer} prevalence per {period.value}")
        else:
            _plot_simple(rows, plot, what)
        _say(f"wrote {plot}")
    emit(rows, fmt, out, title=f"{what.value}", columns=cols)


def _plot_simple(rows: list[dict[str, Any]], plot: Path, what: What) -> None:
    from narrascope.corpus.trends import _plt

    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    if what is What.techniques:
        ax.barh([r["group"] for r in rows], [r["per_1000_words"] for r in rows])
        ax.set_xlabel("technique labels per 1000 words")
    else:
        series: dict[str, list[tuple[dt.date, float]]] = {}
        for r in rows:
            series.setdefault(f"{r['entity']} @ {r['group']}", []).append(
                (dt.date.fromisoformat(r["period"]), r["share"]))
        for name, pts in sorted(series.items(), key=lambda x: -len(x[1]))[:8]:
            pts.sort()
            ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", ms=3, label=name[:50])
        ax.set_ylabel("share of articles in the role")
        if series:
            ax.legend(fontsize=7)
        fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(plot)
    plt.close(fig)


class EmergingWhat(StrEnum):
    narratives = "narratives"
    subnarratives = "subnarratives"
    stories = "stories"


@corpus_app.command("emerging")
def emerging(
    db: DbOpt = DEFAULT_DB,
    what: Annotated[EmergingWhat, typer.Option("--what")] = EmergingWhat.narratives,
    window_days: Annotated[int, typer.Option("--window-days", min=1)] = 7,
    baseline_days: Annotated[int, typer.Option("--baseline-days", min=1)] = 28,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Reference date (default: the last date in the store).")] = None,
    min_count: Annotated[int, typer.Option("--min-count", min=1)] = 3,
    min_score: Annotated[float, typer.Option("--min-score")] = 3.0,
    min_confidence: Annotated[float, typer.Option("--min-confidence", min=0.0, max=1.0)] = 0.0,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Emerging narratives or story clusters: a burst in the last window against the trailing
    baseline (Poisson z-score (observed - expected) / sqrt(expected + 1)).

    Stories need clusters (run `narrascope corpus clusters` first).
    """
    from narrascope.corpus import trends as tr

    ref = parse_date(as_of)
    store = _open(db, readonly=True)
    try:
        if what is EmergingWhat.stories:
            from narrascope.store.analytics import ClusterTables

            dates = {}
            for s in store.list_articles(None, limit=None):
                dates[s.id] = s.date
            events = [(str(c), dates[a]) for c, a, _s, _n in ClusterTables(store).members(1)
                      if dates.get(a) is not None]
        else:
            layer = "narrative" if what is EmergingWhat.narratives else "subnarrative"
            seen = set()
            events = []
            for r in store.label_rows(layer, None, min_confidence=min_confidence):
                if r.date is not None and (r.article_id, r.label) not in seen:
                    seen.add((r.article_id, r.label))
                    events.append((r.label, r.date))
    finally:
        store.close()
    rows = tr.emerging_counts(events, ref, window_days, baseline_days, min_count, min_score,
                              "story" if what is EmergingWhat.stories else what.value[:-1])
    emit(rows, fmt, out, title="Emerging",
         columns=["kind", "key", "window", "baseline", "expected", "score", "first_seen", "new",
                  "as_of"])


@corpus_app.command("outlet")
def outlet_profile(
    name: Annotated[str, typer.Argument(help="Outlet name (or domain).")],
    db: DbOpt = DEFAULT_DB,
    top: Annotated[int, typer.Option("--top", min=1)] = 8,
    fmt: FormatOpt = Format.table,
    out: OutOpt = None,
) -> None:
    """Outlet profile: articles, top narratives, framed entities, techniques, copy partners,
    fact-check findings.  table/csv/parquet: one row per (section, item)."""
    from narrascope.corpus.profile import outlet_profile as profile

    store = _open(db, readonly=True)
    try:
        prof = profile(store, name, top)
    finally:
        store.close()
    if prof is None:
        raise fail(f"no outlet {name!r} in {db}", 1)
    flat = []
    for section in ("narratives", "entities", "techniques", "copy_partners", "fact_checks"):
        for item in prof[section]:
            flat.append({"outlet": prof["outlet"], "section": section, **item})
    emit([prof], fmt, out, flat, title=f"Outlet {prof['outlet']}",
         columns=["outlet", "section", "label", "articles", "share", "detail"])


def register(app: typer.Typer) -> None:
    app.add_typer(corpus_app, name="corpus")
