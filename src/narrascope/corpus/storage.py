"""The analytics over a :class:`narrascope.store.Store`: index what is new, read results.

``update_copies`` and ``update_clusters`` are incremental: articles already indexed
(same content hash) are skipped, new ones are matched against the persisted index and
added to it.  They need a writable store; with a read-only one they report what is
already indexed.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from narrascope.corpus.clusters import (
    DEFAULT_THRESHOLD,
    ClusterState,
    StoryClusterer,
    ctfidf,
    representative_sentences,
)
from narrascope.corpus.copies import (
    KINDS,
    CopyDetector,
    CopyGroup,
    CopyPair,
    CopyParams,
    DocSig,
    Item,
    copy_groups,
)

_CHUNK = 900


def _filter(**kw: Any) -> Any:
    from narrascope.store import ArticleFilter

    return ArticleFilter(**kw)


def chunked_ids(ids: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


class StoreBackend:
    """:class:`narrascope.corpus.copies.CopyBackend` over the store's analytics tables."""

    def __init__(self, store: Any) -> None:
        from narrascope.store.analytics import CopyTables

        self.t = CopyTables(store)

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
        return self.t.lookup(keys)

    def docs(self, ids: Sequence[str]) -> dict[str, DocSig]:
        return {k: DocSig(**v) for k, v in self.t.docs(ids).items()}

    def known(self, ids: Sequence[str]) -> dict[str, str | None]:
        return self.t.known(ids)

    def add(self, docs: Sequence[DocSig], keys: np.ndarray, ids: Sequence[str],
            passages: np.ndarray, pairs: Sequence[CopyPair]) -> None:
        self.t.add(docs, keys, ids, passages, pairs)

    def remove(self, ids: Sequence[str]) -> None:
        self.t.remove(ids)

    def pairs(self, ids: Sequence[str] | None = None) -> list[CopyPair]:
        return [CopyPair(**p) for p in self.t.pairs(ids)]

    def ann(self) -> Any | None:
        return self.t.ann()

    def ann_keys(self, ids: Sequence[str]) -> np.ndarray:
        return self.t.ann_keys(ids)

    def ann_ids(self, keys: Sequence[int]) -> dict[int, str]:
        return self.t.ann_ids(keys)

    def save_ann(self, index: Any) -> None:
        self.t.save_ann(index)


@dataclass
class UpdateResult:
    indexed: int
    new_pairs: int


def update_copies(store: Any, params: CopyParams | None = None, batch: int = 2000,
                  progress: Callable[[int], None] | None = None) -> UpdateResult:
    """Index the store's articles that are not in the copy index yet (or changed)."""
    if store.readonly:
        return UpdateResult(0, 0)
    backend = StoreBackend(store)
    det = CopyDetector(backend, params)
    todo = backend.t.unindexed()
    n = pairs = 0
    for i in range(0, len(todo), batch):
        part = todo[i:i + batch]
        rows = []
        for chunk in chunked_ids(part):
            rows.extend(store.iter_texts(_filter(ids=list(chunk))))
        vids, vecs = store.vectors(ids=[r.id for r in rows])
        vec = {v: vecs[k] for k, v in enumerate(vids)}
        items = [Item(r.id, r.text, r.outlet, r.date, vec.get(r.id)) for r in rows]
        pairs += len(det.add(items, [r.content_hash for r in rows]))
        n += len(items)
        if progress:
            progress(len(items))
    return UpdateResult(n, pairs)


def doc_meta(store: Any, ids: Sequence[str]) -> dict[str, DocSig]:
    return StoreBackend(store).docs(list(ids))


def groups(store: Any, kinds: Sequence[str] = KINDS, min_size: int = 2,
           outlets: Sequence[str] | None = None, shared_text: bool = True) -> list[CopyGroup]:
    """Copy groups of the store (from the persisted pairs), largest first."""
    backend = StoreBackend(store)
    pairs = backend.pairs()
    ids = sorted({x for p in pairs for x in (p.a, p.b)})
    docs = backend.docs(ids)
    out = [g for g in copy_groups(pairs, docs, kinds) if len(g.members) + 1 >= min_size]
    if outlets:
        want = set(outlets)
        out = [g for g in out if want & set(g.outlets)]
    if shared_text and out:
        origins = [g.origin for g in out if g.shared_passages]
        texts = {}
        for chunk in chunked_ids(origins):
            texts.update({r.id: r.text for r in store.iter_texts(_filter(ids=list(chunk)))})
        for g in out:
            t = texts.get(g.origin)
            if t:
                g.shared_text = [t[s:e] for s, e in g.shared_passages]
    return out


# ----------------------------------------------------------------------------- clusters


def update_clusters(store: Any, threshold: float = DEFAULT_THRESHOLD, batch: int = 20_000
                    ) -> int:
    """Cluster the store's articles with vectors that are not clustered yet; return how many.

    A different threshold than the stored clusters' starts the clustering again.
    """
    from narrascope.store.analytics import ClusterTables

    if store.readonly:
        return 0
    t = ClusterTables(store)
    settings = t.settings()
    if settings is None or abs(float(settings.get("threshold", -1)) - threshold) > 1e-9:
        t.reset({"threshold": threshold, "method": "online DP-Means"})
    todo_ids = t.unclustered()
    if not todo_ids:
        return 0
    ids, vecs = store.vectors(ids=todo_ids)
    todo = list(range(len(ids)))
    cids, sums, sizes, first = t.load()
    dim = vecs.shape[1]
    st = ClusterState(dim)
    if sums is not None:
        st.sums = sums
        st.centroids = sums / np.maximum(1e-9, np.linalg.norm(sums, axis=1, keepdims=True))
        st.sizes, st.first_seen = list(sizes), list(first)
    st.build_index()
    dates: dict[str, dt.date | None] = {}
    for chunk in chunked_ids([ids[k] for k in todo]):
        for s in store.list_articles(_filter(ids=list(chunk)), limit=None):
            dates[s.id] = s.date
    new_ids = [ids[k] for k in todo]
    cl = StoryClusterer(threshold, st, dim)
    total = 0
    for i in range(0, len(new_ids), batch):
        part = new_ids[i:i + batch]
        v = vecs[todo[i:i + batch]]
        assign, sims = cl.add(v, [dates.get(x) for x in part])
        cids = t.save(st, cids, [(a, int(c), float(s)) for a, c, s in
                                 zip(part, assign, sims, strict=True)], dates)
        total += len(part)
    return total


def describe_clusters(store: Any, min_size: int = 2, top: int = 50, keywords: int = 8,
                      sentences: int = 2) -> list[dict[str, Any]]:
    """The ``top`` largest clusters with keywords, sentences, narratives, entities, outlets."""
    from narrascope.store.analytics import ClusterTables

    t = ClusterTables(store)
    members: dict[int, list[tuple[str, float]]] = defaultdict(list)
    for cid, aid, sim, _size in t.members(min_size):
        if cid not in members and len(members) >= top:
            break
        members[cid].append((aid, sim))
    if not members:
        return []
    info = {c["id"]: c for c in t.clusters(min_size)}
    all_ids = [a for ms in members.values() for a, _ in ms]
    rows: dict[str, Any] = {}
    for chunk in chunked_ids(all_ids):
        rows.update({r.id: r for r in store.iter_texts(_filter(ids=list(chunk)))})
    narr: dict[str, list[tuple[str, float]]] = defaultdict(list)
    roles: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for chunk in chunked_ids(all_ids):
        f = _filter(ids=list(chunk))
        for lr in store.label_rows("narrative", f, min_confidence=0.0):
            narr[lr.article_id].append((lr.label, lr.confidence))
        for rr in store.entity_roles(f):
            if rr.role:
                roles[rr.article_id].append((rr.entity, rr.role))
    texts = {c: [rows[a].text for a, _ in ms if a in rows] for c, ms in members.items()}
    kws = ctfidf(texts, keywords)
    out = []
    for c, ms in members.items():
        ids = [a for a, _ in ms if a in rows]
        nar: Counter[str] = Counter()
        for a in ids:
            for lab, conf in narr.get(a, []):
                nar[lab] += conf
        ent: Counter[str] = Counter(f"{e} ({r})" for a in ids for e, r in roles.get(a, []))
        per_day = Counter(rows[a].date.isoformat() for a in ids if rows[a].date)
        first = min(ids, key=lambda a: (rows[a].date is None, rows[a].date or dt.date.min, a))
        out.append({
            "cluster": c, "size": info[c]["size"],
            "first_seen": info[c]["first_seen"].isoformat() if info[c]["first_seen"] else None,
            "last_seen": info[c]["last_seen"].isoformat() if info[c]["last_seen"] else None,
            "keywords": [w for w, _ in kws.get(c, [])],
            "sentences": representative_sentences(texts[c], kws.get(c, []), sentences),
            "narratives": [[lab, round(w / len(ids), 3)] for lab, w in nar.most_common(3)],
            "entities": [e for e, _ in ent.most_common(4)],
            "outlets": sorted({rows[a].outlet for a in ids if rows[a].outlet}),
            "first_article": first,
            "titles": [rows[a].title for a in ids[:3] if rows[a].title],
            "per_day": dict(sorted(per_day.items())),
            "members": ids,
        })
    return out
