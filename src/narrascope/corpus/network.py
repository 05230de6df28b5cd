"""Outlet coordination: which outlets repeatedly publish the same texts within a window.

Every copy pair (of the kinds asked for) between two different outlets whose dates are
at most ``window_days`` apart (pairs with an unknown date count unless
``require_dates``) adds one to the edge between the two outlets; an edge records the
number of shared texts, the median lag in days and how often each side published
first.  The graph is a :class:`networkx.Graph` (weight = shared texts), written as
GraphML or GEXF and drawn as PNG/SVG with matplotlib.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from narrascope.corpus.copies import KINDS, CopyPair, DocSig


def outlet_edges(pairs: Iterable[CopyPair], docs: dict[str, DocSig],
                 kinds: Sequence[str] = KINDS, window_days: int = 7,
                 require_dates: bool = False, min_pairs: int = 1) -> list[dict[str, Any]]:
    acc: dict[tuple[str, str], dict[str, Any]] = {}
    for p in pairs:
        if p.kind not in kinds or p.a not in docs or p.b not in docs:
            continue
        a, b = docs[p.a], docs[p.b]
        if not a.outlet or not b.outlet or a.outlet == b.outlet:
            continue
        lag = (b.date - a.date).days if a.date and b.date else None
        if lag is None and require_dates:
            continue
        if lag is not None and abs(lag) > window_days:
            continue
        key = tuple(sorted((a.outlet, b.outlet)))
        e = acc.setdefault(key, {"outlet_a": key[0], "outlet_b": key[1], "pairs": 0,
                                 "lags": [], "a_first": 0, "b_first": 0,
                                 "kinds": dict.fromkeys(KINDS, 0)})
        e["pairs"] += 1
        e["kinds"][p.kind] += 1
        if lag is not None:
            e["lags"].append(abs(lag))
            if lag > 0:  # a (the earlier) published first
                e["a_first" if a.outlet == key[0] else "b_first"] += 1
    out = []
    for e in acc.values():
        if e["pairs"] < min_pairs:
            continue
        lags = e.pop("lags")
        e["median_lag_days"] = statistics.median(lags) if lags else None
        out.append(e)
    out.sort(key=lambda e: (-e["pairs"], e["outlet_a"], e["outlet_b"]))
    return out


def build_graph(edges: Sequence[dict[str, Any]]) -> Any:
    import networkx as nx

    g = nx.Graph()
    for e in edges:
        g.add_edge(e["outlet_a"], e["outlet_b"], weight=e["pairs"],
                   median_lag_days=float(e["median_lag_days"])
                   if e["median_lag_days"] is not None else -1.0,
                   copy=e["kinds"]["copy"], partial=e["kinds"]["partial"],
                   rewrite=e["kinds"]["rewrite"])
    return g


def coordinated_groups(g: Any, min_weight: int = 2) -> list[list[str]]:
    """Outlet groups: connected components over edges with at least ``min_weight`` pairs."""
    import networkx as nx

    h = nx.Graph([(u, v) for u, v, w in g.edges(data="weight") if w >= min_weight])
    return sorted((sorted(c) for c in nx.connected_components(h)), key=lambda c: (-len(c), c))


def write_graph(g: Any, path: Path) -> None:
    import networkx as nx

    suffix = path.suffix.lower()
    if suffix == ".graphml":
        nx.write_graphml(g, path)
    elif suffix == ".gexf":
        nx.write_gexf(g, path)
    else:
        raise ValueError(f"{path}: want .graphml or .gexf")


def draw_graph(g: Any, path: Path, title: str = "Outlets publishing the same texts") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    fig, ax = plt.subplots(figsize=(8, 6), dpi=110)
    if g.number_of_nodes():
        pos = nx.spring_layout(g, seed=1, weight="weight")
        w = [g[u][v]["weight"] for u, v in g.edges()]
        top = max(w) if w else 1
        nx.draw_networkx_edges(g, pos, ax=ax, width=[0.5 + 4 * x / top for x in w],
                               edge_color="#888888")
        deg = dict(g.degree(weight="weight"))
        nx.draw_networkx_nodes(g, pos, ax=ax, node_size=[80 + 40 * deg[n] for n in g.nodes()],
                               node_color="#4477aa")
        nx.draw_networkx_labels(g, pos, ax=ax, font_size=8)
        ax.margins(0.2)
    ax.set_title(title)
    ax.axis("off")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
