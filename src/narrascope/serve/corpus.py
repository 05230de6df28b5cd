"""Corpus analytics for the dashboard (copies, story clusters, emerging stories, profiles).

Read through ``narrascope.corpus`` only.  Analytics are computed by ``narrascope
corpus ...`` and persisted in the store; when a result is not there (or the corpus
package is not installed) the payload says ``"available": false`` with the command
that computes it, and the pages show that command instead of the section.
"""

from __future__ import annotations

import importlib
from typing import Any

from narrascope.serve.data import Data, as_dict, jsonable
from narrascope.serve.errors import not_found

COMMANDS = {
    "copies": "narrascope corpus copies --db URL",
    "clusters": "narrascope corpus clusters --db URL",
    "emerging": "narrascope corpus emerging --db URL",
    "profile": "narrascope corpus outlet --db URL",
}


def preload() -> None:
    """Import ``narrascope.corpus`` (datasketch and its dependencies: 0.7-1.4 s) when the
    app is created, not on the first page that shows analytics."""
    _corpus()


def _corpus() -> Any | None:
    try:
        return importlib.import_module("narrascope.corpus")
    except Exception:
        return None


def _call(name: str, *args: Any, **kw: Any) -> Any:
    """``narrascope.corpus.<name>(*args, **kw)``, or None when it does not exist / has no data."""
    mod = _corpus()
    fn = getattr(mod, name, None) if mod is not None else None
    if not callable(fn):
        return None
    try:
        return fn(*args, **kw)
    except LookupError:  # nothing computed yet
        return None


def missing(kind: str) -> dict[str, Any]:
    return {"available": False, "command": COMMANDS[kind], "items": []}


def _rows(value: Any) -> list[dict[str, Any]]:
    return [jsonable(as_dict(x)) for x in (value or [])]


def emerging(data: Data, limit: int = 20, window_days: int = 7, baseline_days: int = 28,
             min_count: int = 3, min_score: float = 3.0) -> dict[str, Any]:
    """Narratives bursting in the last ``window_days`` against the trailing baseline.

    The burst statistic is ``narrascope.corpus.trends.burst`` (the one of ``narrascope
    corpus emerging``), computed from the store's daily label counts.
    """
    got = _call("load_emerging", data.store, limit=limit)
    if got is not None:
        return {"available": True, "items": _rows(got)[:limit]}
    try:
        from narrascope.corpus.trends import burst
    except ImportError:
        return missing("emerging")

    def load() -> list[dict[str, Any]]:
        import datetime as dt
        from collections import Counter

        from narrascope.store import ArticleFilter

        # the weekly counts (the overview's, cached) give the last date's week and each
        # label's first week; daily counts are read only from the week holding the
        # baseline's first day (not the whole corpus: 991 -> ~60 ms cold at 100,000)
        weekly = data.counts("narrative", "week", ArticleFilter(), 0.0, by_outlet=True)
        weeks = sorted({str(r["period"])[:10] for r in weekly if r["period"]})
        if not weeks:
            return []
        last_week = dt.date.fromisoformat(weeks[-1])
        w_from = last_week - dt.timedelta(days=7 * ((window_days + baseline_days) // 7 + 1))
        daily = data.counts("narrative", "day", ArticleFilter(since=w_from), 0.0,
                            by_outlet=False)
        days = [dt.date.fromisoformat(str(r["period"])[:10]) for r in daily if r["period"]]
        if not days:
            return []
        as_of = max(days)
        w0 = as_of - dt.timedelta(days=window_days - 1)
        b0 = w0 - dt.timedelta(days=baseline_days)
        obs: Counter[str] = Counter()
        base: Counter[str] = Counter()
        first: dict[str, dt.date] = {}
        for r in weekly:  # a label first seen before the daily range: its first week
            if r["period"]:
                d = dt.date.fromisoformat(str(r["period"])[:10])
                if d < w_from:
                    k = str(r["label"])
                    first[k] = min(first.get(k, d), d)
        for r in daily:
            if not r["period"]:
                continue
            d = dt.date.fromisoformat(str(r["period"])[:10])
            k = str(r["label"])
            first[k] = min(first.get(k, d), d)
            if w0 <= d <= as_of:
                obs[k] += r["articles"]
            elif b0 <= d < w0:
                base[k] += r["articles"]
        out = []
        for k, o in obs.items():
            exp, score = burst(o, base[k], window_days, baseline_days)
            if o >= min_count and score >= min_score:
                out.append({"kind": "narrative", "label": k, "articles": o, "baseline": base[k],
                            "expected": round(exp, 2), "score": round(score, 2),
                            "first_date": first[k].isoformat(), "new": first[k] >= w0,
                            "last_date": as_of.isoformat()})
        out.sort(key=lambda r: (-r["score"], r["label"]))
        return out

    rows = data.cached(("emerging", window_days, baseline_days, min_count, min_score), load)
    return {"available": True, "window_days": window_days, "baseline_days": baseline_days,
            "items": rows[:limit]}


def _described(data: Data, top: int) -> list[dict[str, Any]] | None:
    """``narrascope.corpus.storage.describe_clusters`` (None: not computed / not available)."""
    def load() -> list[dict[str, Any]] | None:
        try:
            from narrascope.corpus.storage import describe_clusters
        except ImportError:
            return None
        try:
            rows = describe_clusters(data.store, top=top)
        except Exception:  # analytics tables missing: not computed for this store
            return None
        return [jsonable(r) for r in rows] or None
    return data.cached(("clusters", top), load, seconds=60)


def _cluster_row(r: dict[str, Any]) -> dict[str, Any]:
    kws = r.get("keywords") or []
    return {"id": r.get("cluster"), "label": ", ".join(kws[:5]) or (r.get("titles") or [None])[0],
            "articles": r.get("size"), "outlets": len(r.get("outlets") or []),
            "first_date": r.get("first_seen"), "last_date": r.get("last_seen"),
            "narratives": r.get("narratives"), "entities": r.get("entities")}


def clusters(data: Data, limit: int = 100) -> dict[str, Any]:
    got = _call("load_clusters", data.store, limit=limit)
    if got is not None:
        return {"available": True, "items": _rows(got)[:limit]}
    rows = _described(data, max(limit, 50))
    if rows is None:
        return missing("clusters")
    return {"available": True, "items": [_cluster_row(r) for r in rows[:limit]]}


def cluster(data: Data, cluster_id: str) -> dict[str, Any]:
    got = _call("load_cluster", data.store, cluster_id)
    if got is not None:
        return {"available": True, **jsonable(as_dict(got))}
    rows = _described(data, 1000)
    if rows is None:
        return {**missing("clusters"), "id": cluster_id}
    for r in rows:
        if str(r.get("cluster")) == cluster_id:
            from narrascope.store import ArticleFilter

            ids = list(r.get("members") or [])[:500]
            members = data.articles(ArticleFilter(ids=ids), limit=500, offset=0, order="date")
            return {"available": True, **_cluster_row(r), "members": members,
                    "outlets": r.get("outlets") or [],
                    "passages": r.get("sentences") or [], "per_day": r.get("per_day")}
    raise not_found("cluster", cluster_id)


def _copy_data(data: Data) -> dict[str, Any] | None:
    """The outlet edges and every copied pair (cached 60 s), or None when not computed."""
    def load() -> dict[str, Any] | None:
        try:
            from narrascope.corpus import network as net
            from narrascope.corpus.storage import StoreBackend
        except ImportError:
            return None
        try:
            backend = StoreBackend(data.store)
            pairs = backend.pairs()
        except Exception:  # analytics tables missing: not computed
            return None
        if not pairs and not backend.t.indexed_ids():
            return None
        docs = backend.docs(sorted({x for p in pairs for x in (p.a, p.b)}))
        edges = [{"source": e["outlet_a"], "target": e["outlet_b"], "pairs": e["pairs"],
                  "median_lag_days": e.get("median_lag_days"), **e.get("kinds", {})}
                 for e in net.outlet_edges(pairs, docs)]
        rows = []
        for p in sorted(pairs, key=lambda p: -p.similarity):
            a, b = docs.get(p.a), docs.get(p.b)
            one = {"a": p.a, "b": p.b, "kind": p.kind, "similarity": p.similarity,
                   "outlet_a": a.outlet if a else None, "outlet_b": b.outlet if b else None,
                   "date_a": a.date if a else None, "date_b": b.date if b else None}
            rows.append(earlier_first(jsonable(one)))
        return jsonable({"edges": edges, "pairs": rows})

    got: dict[str, Any] | None = data.cached("copies", load, seconds=60)
    return got


def copies(data: Data, outlet: str | None = None, limit: int = 100) -> dict[str, Any]:
    """The outlet copy network (``narrascope.corpus.network.outlet_edges`` over the
    persisted copy pairs) and the copied article pairs (the earlier article first)."""
    got = _call("load_copy_network", data.store, outlet=outlet)
    if got is not None:
        d = jsonable(as_dict(got))
        return {"available": True, "nodes": d.get("nodes", []),
                "edges": d.get("edges", [])[:limit], "pairs": d.get("pairs", [])[:limit]}
    got = _copy_data(data)
    if got is None:
        return {**missing("copies"), "nodes": [], "edges": [], "pairs": []}
    edges, pairs = got["edges"], got["pairs"]
    if outlet:
        edges = [e for e in edges if outlet in (e["source"], e["target"])]
        pairs = [p for p in pairs if outlet in (p["outlet_a"], p["outlet_b"])]
    return {"available": True, "edges": edges[:limit], "pairs": with_titles(data, pairs[:limit]),
            "total_pairs": len(pairs)}


def earlier_first(pair: dict[str, Any]) -> dict[str, Any]:
    """The pair with its earlier article as ``a`` (an undated article second) and
    ``lag_days`` between the two dates (None when one has none)."""
    da, db = pair.get("date_a"), pair.get("date_b")
    if (da is None and db is not None) or (da is not None and db is not None
                                           and str(db) < str(da)):
        pair = {**pair, "a": pair["b"], "b": pair["a"], "outlet_a": pair.get("outlet_b"),
                "outlet_b": pair.get("outlet_a"), "date_a": db, "date_b": da}
        da, db = db, da
    lag = None
    if da is not None and db is not None:
        import datetime as dt

        lag = (dt.date.fromisoformat(str(db)[:10]) - dt.date.fromisoformat(str(da)[:10])).days
    return {**pair, "lag_days": lag}


def article_copies(data: Data, article_id: str, limit: int = 50) -> dict[str, Any]:
    """The other articles sharing text with one article (from the persisted copy pairs),
    earliest first, with titles; ``available: false`` when copies were not computed."""
    got = _copy_data(data)
    if got is None:
        return missing("copies")
    mine = [p for p in got["pairs"] if article_id in (p["a"], p["b"])]
    items = []
    for p in with_titles(data, mine[:limit]):
        side = "b" if p["a"] == article_id else "a"
        items.append({"id": p[side], "title": p[f"title_{side}"], "outlet": p[f"outlet_{side}"],
                      "date": p[f"date_{side}"], "kind": p["kind"],
                      "similarity": p["similarity"], "earlier": side == "a",
                      "lag_days": p.get("lag_days")})
    items.sort(key=lambda r: (r["date"] is None, str(r["date"] or ""), str(r["id"])))
    return {"available": True, "items": items, "total": len(mine)}


def article_story(data: Data, article_id: str) -> dict[str, Any] | None:
    """The story cluster holding one article (id, label, size), or None."""
    rows = _described(data, 1000)
    for r in rows or []:
        if article_id in (r.get("members") or []):
            row = _cluster_row(r)
            return {"id": row["id"], "label": row["label"], "articles": row["articles"],
                    "outlets": row["outlets"]}
    return None


def with_titles(data: Data, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The copied pairs with both articles' titles (``title_a``, ``title_b``; None when the
    article has none or is no longer stored)."""
    ids = sorted({str(p[k]) for p in pairs for k in ("a", "b") if p.get(k) is not None})
    titles: dict[str, str | None] = {}
    if ids:
        from narrascope.store import ArticleFilter

        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            for a in data.articles(ArticleFilter(ids=chunk), limit=len(chunk), offset=0,
                                   order="id"):
                titles[str(a.get("id"))] = a.get("title") or None
    return [{**p, "title_a": titles.get(str(p.get("a"))),
             "title_b": titles.get(str(p.get("b")))} for p in pairs]


def copy_partners(data: Data, outlet: str) -> dict[str, Any]:
    net = copies(data, outlet=outlet, limit=1000)
    if not net["available"]:
        return net
    items = []
    for e in net["edges"]:
        if outlet not in (e.get("source"), e.get("target")):
            continue
        other = e.get("target") if e.get("source") == outlet else e.get("source")
        items.append({**e, "partner": other})
    items.sort(key=lambda e: -(e.get("pairs") or e.get("weight") or 0))
    return {"available": True, "items": items[:20]}


def outlet_profile(data: Data, outlet: str) -> dict[str, Any]:
    """``narrascope.corpus.profile.outlet_profile`` (what ``narrascope corpus outlet`` shows)."""
    def load() -> dict[str, Any] | None:
        try:
            from narrascope.corpus.profile import outlet_profile as profile
        except ImportError:
            return None
        try:
            got = profile(data.store, outlet)
        except Exception:
            return None
        return None if got is None else jsonable(got)

    got = data.cached(("profile", outlet), load, seconds=60)
    if got is None:
        return missing("profile")
    return {"available": True, **got}
