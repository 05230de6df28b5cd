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


def emerging(data: Data, limit: int = 20) -> dict[str, Any]:
    got = data.cached(("emerging", limit), lambda: _call("load_emerging", data.store, limit=limit))
    if got is None:
        return missing("emerging")
    return {"available": True, "items": _rows(got)[:limit]}


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


def copies(data: Data, outlet: str | None = None, limit: int = 100) -> dict[str, Any]:
    got = data.cached(("copies", outlet, limit),
                      lambda: _call("load_copy_network", data.store, outlet=outlet))
    if got is None:
        return {**missing("copies"), "nodes": [], "edges": []}
    d = jsonable(as_dict(got))
    edges = d.get("edges", [])[:limit]
    return {"available": True, "nodes": d.get("nodes", []), "edges": edges,
            "pairs": d.get("pairs", [])[:limit]}


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
    got = data.cached(("profile", outlet), lambda: _call("outlet_profile", data.store, outlet))
    if got is None:
        return missing("profile")
    return {"available": True, **jsonable(as_dict(got))}
