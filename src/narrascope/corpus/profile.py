"""Outlet profile: what an outlet publishes, how it frames, whom it copies or is copied by."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any


def _find(store: Any, name: str) -> Any | None:
    low = name.lower()
    for o in store.outlets():
        if o.name.lower() == low or low in (d.lower() for d in o.domains):
            return o
    return None


def outlet_profile(store: Any, name: str, top: int = 8) -> dict[str, Any] | None:
    from narrascope.store import ArticleFilter

    o = _find(store, name)
    if o is None:
        return None
    f = ArticleFilter(outlet=[o.name])
    n = max(1, o.articles)

    def labels(layer: str) -> list[dict[str, Any]]:
        arts: dict[str, set[str]] = defaultdict(set)
        conf: dict[str, float] = defaultdict(float)
        for r in store.label_rows(layer, f):
            if r.article_id not in arts[r.label]:
                arts[r.label].add(r.article_id)
                conf[r.label] += r.confidence
        best = sorted(arts, key=lambda k: (-conf[k], k))[:top]
        return [{"label": k, "articles": len(arts[k]), "share": round(conf[k] / n, 4),
                 "detail": f"mean confidence {conf[k] / len(arts[k]):.2f}"} for k in best]

    roles: Counter[tuple[str, str]] = Counter()
    for r in store.entity_roles(f):
        if r.role:
            roles[(r.entity, r.role)] += 1
    entities = [{"label": f"{e} ({role})", "articles": c, "share": round(c / n, 4),
                 "detail": role} for (e, role), c in roles.most_common(top)]
    partners = _partners(store, o.name, top)
    return {"outlet": o.name, "domains": o.domains, "network": o.network, "country": o.country,
            "type": o.type, "articles": o.articles,
            "first_date": o.first_date.isoformat() if o.first_date else None,
            "last_date": o.last_date.isoformat() if o.last_date else None,
            "narratives": labels("narrative"), "entities": entities,
            "techniques": labels("technique"), "copy_partners": partners,
            "fact_checks": labels("fact_check")}


def _partners(store: Any, outlet: str, top: int) -> list[dict[str, Any]]:
    from narrascope.corpus.storage import StoreBackend

    try:
        backend = StoreBackend(store)
        pairs = backend.pairs()
    except Exception:  # no analytics tables yet (an old database)
        return []
    docs = backend.docs(sorted({x for p in pairs for x in (p.a, p.b)}))
    cnt: Counter[str] = Counter()
    first: Counter[str] = Counter()
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for p in pairs:
        a, b = docs.get(p.a), docs.get(p.b)
        if a is None or b is None or a.outlet == b.outlet:
            continue
        if outlet not in (a.outlet, b.outlet):
            continue
        other = b.outlet if a.outlet == outlet else a.outlet
        if other is None:
            continue
        cnt[other] += 1
        kinds[other][p.kind] += 1
        if a.outlet == outlet and a.date and b.date and a.date < b.date:
            first[other] += 1
    total = max(1, sum(cnt.values()))
    return [{"label": k, "articles": c, "share": round(c / total, 4),
             "detail": f"first in {first[k]} of {c}; "
             + ", ".join(f"{kk} {v}" for kk, v in sorted(kinds[k].items()))}
            for k, c in cnt.most_common(top)]
