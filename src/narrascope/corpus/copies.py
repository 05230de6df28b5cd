"""Copies across a corpus: verbatim copies, light edits, partial copies and rewrites.

Three signals, each with its own index, all incremental (new articles are matched
against what is indexed, nothing is rebuilt):

* **whole text** - MinHash (datasketch scheme, 64 permutations) over word 5-shingles,
  LSH with 16 bands of 4 rows: a pair whose Jaccard similarity is 0.5 collides with
  probability 0.64, at 0.7 with 0.99.  Verified pairs with estimated Jaccard
  >= ``copy_jaccard`` (or the shorter text contained >= ``copy_containment`` in the
  other) are ``copy``.
* **passages** - the same over each paragraph of >= 20 words (16 permutations, 3 bands of
  3 rows; a passage is matched when its estimated Jaccard >= ``passage_jaccard``).  Two
  articles of different outlets sharing passages of >= ``partial_words`` words, or
  >= ``partial_share`` of the shorter text, are ``partial``.  Passage keys shared by more
  than ``max_passage_df`` articles are boilerplate and ignored; passages shared inside
  one outlet (footers, bylines) are not counted.
* **vectors** - the article vectors of the shared encoder in a usearch HNSW index
  (cosine).  A neighbour with cosine >= ``rewrite_cosine`` whose *anchor tokens*
  (numbers and capitalised words: names, places, organisations) overlap with Jaccard
  >= ``rewrite_anchors``, published within ``window_days`` (when both dates are known), is
  a ``rewrite``: the vectors say "same topic and tone", the anchors "same people, places
  and numbers", which is what separates a rewrite from another story on the same topic.

Where the index lives is a :class:`CopyBackend`: :class:`MemoryBackend` here, the
store's tables in :mod:`narrascope.store.analytics`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import numpy as np

from narrascope.corpus.shingles import (
    anchor_hashes,
    anchor_jaccard,
    band_keys,
    shingle_text,
    signatures,
)

KINDS = ("copy", "partial", "rewrite")
_RANK = {k: i for i, k in enumerate(KINDS)}


@dataclass(frozen=True)
class CopyParams:
    shingle: int = 5
    num_perm: int = 64
    bands: int = 16
    rows: int = 4
    passage_perm: int = 16
    passage_bands: int = 3
    passage_rows: int = 3
    passage_min_words: int = 20
    copy_jaccard: float = 0.5
    copy_containment: float = 0.8
    passage_jaccard: float = 0.5
    partial_words: int = 50
    partial_share: float = 0.3
    max_passage_df: int = 50
    max_bucket: int = 200
    rewrite_cosine: float = 0.88
    rewrite_anchors: float = 0.30
    rewrite_neighbours: int = 10
    window_days: int = 14
    seed: int = 1


@dataclass
class Item:
    """One article as the copy detector sees it."""

    id: str
    text: str
    outlet: str | None = None
    date: dt.date | None = None
    vector: np.ndarray | None = None


@dataclass
class DocSig:
    """What the index keeps of one article (no text)."""

    id: str
    outlet: str | None
    date: dt.date | None
    shingles: int
    words: int
    sig: np.ndarray                       # (num_perm,) uint32
    psigs: np.ndarray                     # (passages, passage_perm) uint32
    pwords: list[int] = field(default_factory=list)
    pspans: list[tuple[int, int]] = field(default_factory=list)
    content_hash: str | None = None
    anchors: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))


@dataclass
class CopyPair:
    a: str          # the earlier article (by date, then id)
    b: str
    kind: str
    similarity: float
    jaccard: float
    containment: float
    shared_words: int = 0
    cosine: float | None = None
    passages: list[tuple[int, int]] = field(default_factory=list)  # (passage of a, of b)
    anchors: float | None = None    # Jaccard of the anchor tokens (rewrites)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class CopyBackend(Protocol):
    """Where the copy index lives (memory, or the store's tables)."""

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Entries with these band keys: (keys, article ids, passage numbers; -1 = whole)."""
        ...

    def docs(self, ids: Sequence[str]) -> dict[str, DocSig]: ...

    def known(self, ids: Sequence[str]) -> dict[str, str | None]:
        """Indexed ids among ``ids`` -> their content hash."""
        ...

    def add(self, docs: Sequence[DocSig], keys: np.ndarray, ids: Sequence[str],
            passages: np.ndarray, pairs: Sequence[CopyPair]) -> None: ...

    def remove(self, ids: Sequence[str]) -> None: ...

    def pairs(self, ids: Sequence[str] | None = None) -> list[CopyPair]: ...

    def ann(self) -> Any | None:
        """The vector index (usearch; keys from :meth:`ann_keys`), or None."""
        ...

    def ann_keys(self, ids: Sequence[str]) -> np.ndarray:
        """Integer keys of these (indexed) articles in the vector index."""
        ...

    def ann_ids(self, keys: Sequence[int]) -> dict[int, str]:
        """Article ids of vector-index keys (those still indexed)."""
        ...

    def save_ann(self, index: Any) -> None: ...


# ----------------------------------------------------------------------------- memory


class MemoryBackend:
    """The index in numpy arrays (sorted runs of band keys), for batch runs and tests."""

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # keys, doc no, passage
        self._ids: list[str] = []
        self._no: dict[str, int] = {}
        self._docs: dict[str, DocSig] = {}
        self._pairs: dict[tuple[str, str], CopyPair] = {}
        self._ann: Any = None

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
        out_k, out_d, out_p = [], [], []
        q = np.unique(keys)
        for rk, rd, rp in self._runs:
            lo = np.searchsorted(rk, q, "left")
            hi = np.searchsorted(rk, q, "right")
            hit = np.nonzero(hi > lo)[0]
            if not len(hit):
                continue
            idx = np.concatenate([np.arange(lo[h], hi[h]) for h in hit])
            out_k.append(rk[idx])
            out_d.append(rd[idx])
            out_p.append(rp[idx])
        if not out_k:
            return np.zeros(0, np.int64), [], np.zeros(0, np.int16)
        d = np.concatenate(out_d)
        alive = np.array([self._ids[i] in self._docs for i in d], dtype=bool)
        return (np.concatenate(out_k)[alive], [self._ids[i] for i in d[alive]],
                np.concatenate(out_p)[alive])

    def docs(self, ids: Sequence[str]) -> dict[str, DocSig]:
        return {i: self._docs[i] for i in ids if i in self._docs}

    def known(self, ids: Sequence[str]) -> dict[str, str | None]:
        return {i: self._docs[i].content_hash for i in ids if i in self._docs}

    def add(self, docs: Sequence[DocSig], keys: np.ndarray, ids: Sequence[str],
            passages: np.ndarray, pairs: Sequence[CopyPair]) -> None:
        for d in docs:
            if d.id not in self._no:
                self._no[d.id] = len(self._ids)
                self._ids.append(d.id)
            self._docs[d.id] = d
        if len(keys):
            no = np.fromiter((self._no[i] for i in ids), dtype=np.int64, count=len(ids))
            order = np.argsort(keys, kind="stable")
            self._runs.append((keys[order], no[order], passages[order]))
            if len(self._runs) > 8:  # merge the runs now and then
                k = np.concatenate([r[0] for r in self._runs])
                n = np.concatenate([r[1] for r in self._runs])
                p = np.concatenate([r[2] for r in self._runs])
                o = np.argsort(k, kind="stable")
                self._runs = [(k[o], n[o], p[o])]
        for p in pairs:
            self._pairs[(p.a, p.b)] = p

    def remove(self, ids: Sequence[str]) -> None:
        gone = set(ids)
        for i in gone:
            self._docs.pop(i, None)
        self._pairs = {k: v for k, v in self._pairs.items() if not (set(k) & gone)}

    def pairs(self, ids: Sequence[str] | None = None) -> list[CopyPair]:
        if ids is None:
            return list(self._pairs.values())
        want = set(ids)
        return [p for p in self._pairs.values() if p.a in want or p.b in want]

    def ann(self) -> Any | None:
        return self._ann

    def ann_keys(self, ids: Sequence[str]) -> np.ndarray:
        return np.array([self._no[i] for i in ids], dtype=np.int64)

    def ann_ids(self, keys: Sequence[int]) -> dict[int, str]:
        return {int(k): self._ids[k] for k in keys
                if 0 <= k < len(self._ids) and self._ids[k] in self._docs}

    def save_ann(self, index: Any) -> None:
        self._ann = index


# --------------------------------------------------------------------------- detector


def _order(a: DocSig, b: DocSig) -> tuple[DocSig, DocSig]:
    ka = (a.date is None, a.date or dt.date.min, a.id)
    kb = (b.date is None, b.date or dt.date.min, b.id)
    return (a, b) if ka <= kb else (b, a)


class CopyDetector:
    """Find copy pairs of new articles against an index, and add them to it."""

    def __init__(self, backend: CopyBackend | None = None, params: CopyParams | None = None
                 ) -> None:
        self.backend: CopyBackend = backend if backend is not None else MemoryBackend()
        self.p = params or CopyParams()

    # -- signatures
    def sign(self, items: Sequence[Item], hashes: Sequence[str | None] | None = None
             ) -> list[DocSig]:
        p = self.p
        sh = [shingle_text(it.text, p.shingle, p.passage_min_words) for it in items]
        sigs = signatures([s.shingles for s in sh], p.num_perm, p.seed)
        flat = [ps for s in sh for ps in s.passages]
        psigs = signatures(flat, p.passage_perm, p.seed + 1) if flat else np.zeros(
            (0, p.passage_perm), np.uint32)
        out, pos = [], 0
        for i, (it, s) in enumerate(zip(items, sh, strict=True)):
            n = len(s.passages)
            out.append(DocSig(it.id, it.outlet, it.date, len(s.shingles), s.words, sigs[i],
                              psigs[pos:pos + n], s.passage_words, s.passage_spans,
                              hashes[i] if hashes else None, anchor_hashes(it.text)))
            pos += n
        return out

    def _keys(self, docs: Sequence[DocSig]) -> tuple[np.ndarray, list[str], np.ndarray]:
        p = self.p
        if not docs:
            return np.zeros(0, np.int64), [], np.zeros(0, np.int16)
        dk = band_keys(np.stack([d.sig for d in docs]), p.bands, p.rows)
        keys = [dk.reshape(-1)]
        ids = [d.id for d in docs for _ in range(p.bands)]
        pas = [np.full(dk.size, -1, np.int16)]
        allp = [d.psigs for d in docs if len(d.psigs)]
        if allp:
            pk = band_keys(np.concatenate(allp), p.passage_bands, p.passage_rows)
            pk ^= np.int64(0x5A5A5A5A5A5A5A5)  # passage keys never equal whole-text keys
            keys.append(pk.reshape(-1))
            for d in docs:
                for j in range(len(d.psigs)):
                    ids.extend([d.id] * p.passage_bands)
                    pas.append(np.full(p.passage_bands, j, np.int16))
        k = np.concatenate(keys)
        ps = np.concatenate(pas)
        keep = k != 0
        return k[keep], [i for i, m in zip(ids, keep, strict=True) if m], ps[keep]

    # -- verification
    def verify(self, a: DocSig, b: DocSig) -> CopyPair | None:
        p = self.p
        a, b = _order(a, b)
        if not a.shingles or not b.shingles:
            return None
        j = float(np.mean(a.sig == b.sig))
        inter = j * (a.shingles + b.shingles) / (1 + j)
        c = min(1.0, inter / max(1, min(a.shingles, b.shingles)))
        matched: list[tuple[int, int]] = []
        shared = 0
        if len(a.psigs) and len(b.psigs):
            sim = (a.psigs[:, None, :] == b.psigs[None, :, :]).mean(axis=2)
            used: set[int] = set()
            for ia in range(sim.shape[0]):
                ib = int(np.argmax(sim[ia]))
                if sim[ia, ib] >= p.passage_jaccard and ib not in used:
                    used.add(ib)
                    matched.append((ia, ib))
                    shared += min(a.pwords[ia], b.pwords[ib])
        if j >= p.copy_jaccard or (c >= p.copy_containment and min(a.shingles, b.shingles) >= 10):
            return CopyPair(a.id, b.id, "copy", round(max(j, c), 4), round(j, 4), round(c, 4),
                            shared, None, matched)
        same_outlet = a.outlet is not None and a.outlet == b.outlet
        if matched and not same_outlet:
            share = shared / max(1, min(a.words, b.words))
            if shared >= p.partial_words or share >= p.partial_share:
                return CopyPair(a.id, b.id, "partial", round(min(1.0, share), 4), round(j, 4),
                                round(c, 4), shared, None, matched)
        return None

    def _rewrite(self, a: DocSig, b: DocSig, cos: float) -> CopyPair | None:
        p = self.p
        a, b = _order(a, b)
        if a.date and b.date and abs((a.date - b.date).days) > p.window_days:
            return None
        j = float(np.mean(a.sig == b.sig)) if a.shingles and b.shingles else 0.0
        inter = j * (a.shingles + b.shingles) / (1 + j)
        c = min(1.0, inter / max(1, min(a.shingles, b.shingles)))
        anchors = anchor_jaccard(a.anchors, b.anchors)
        if cos >= p.rewrite_cosine and anchors >= p.rewrite_anchors:
            return CopyPair(a.id, b.id, "rewrite", round(cos, 4), round(j, 4), round(c, 4), 0,
                            round(cos, 4), [], round(anchors, 4))
        return None

    # -- adding
    def add(self, items: Sequence[Item], hashes: Sequence[str | None] | None = None
            ) -> list[CopyPair]:
        """Index ``items``; return their copy pairs (with indexed articles and each other).

        Items already indexed with the same content hash are skipped; with another hash
        (or none) they are re-indexed.
        """
        known = self.backend.known([it.id for it in items])
        keep = [i for i, it in enumerate(items)
                if it.id not in known or hashes is None or known[it.id] != hashes[i]]
        again = [items[i].id for i in keep if items[i].id in known]
        if again:
            self.backend.remove(again)
        items = [items[i] for i in keep]
        hs = [hashes[i] for i in keep] if hashes is not None else None
        if not items:
            return []
        docs = self.sign(items, hs)
        new = {d.id: d for d in docs}
        p_min = self.p.passage_jaccard
        keys, ids, pas = self._keys(docs)
        ok, oi, op = self.backend.lookup(keys)
        allk = np.concatenate([keys, ok])
        alli = ids + oi
        allp = np.concatenate([pas, op])
        whole, parts = self._candidates(allk, alli, allp, new)
        cands = whole | parts.keys()
        old_ids = sorted({x for pair in cands for x in pair if x not in new})
        pool = dict(self.backend.docs(old_ids))
        pool.update(new)
        pairs: dict[tuple[str, str], CopyPair] = {}
        for x, y in cands:
            if x not in pool or y not in pool:
                continue
            if (x, y) not in whole:  # passage keys only: check those passages first
                a, b = pool[x], pool[y]
                if not any(i < len(a.psigs) and j < len(b.psigs) and
                           np.count_nonzero(a.psigs[i] == b.psigs[j]) >=
                           p_min * len(a.psigs[i])
                           for i, j in parts[(x, y)]):
                    continue
            pr = self.verify(pool[x], pool[y])
            if pr is not None:
                pairs[(pr.a, pr.b)] = pr
        out = list(pairs.values())
        self.backend.add(docs, keys, ids, pas, out)
        vec_items = [it for it in items if it.vector is not None]
        if vec_items:
            extra = self._vector_pairs(vec_items, pool, pairs)
            if extra:
                self.backend.add([], np.zeros(0, np.int64), [], np.zeros(0, np.int16), extra)
                out.extend(extra)
        return out

    def _candidates(self, keys: np.ndarray, ids: list[str], pas: np.ndarray,
                    new: dict[str, DocSig]
                    ) -> tuple[set[tuple[str, str]], dict[tuple[str, str], set[tuple[int, int]]]]:
        """Pairs (at least one side new) sharing a whole-text key, and pairs sharing only
        passage keys with the passages that collided (oriented as the pair)."""
        p = self.p
        whole: set[tuple[str, str]] = set()
        parts: dict[tuple[str, str], set[tuple[int, int]]] = {}
        if not len(keys):
            return whole, parts
        order = np.argsort(keys, kind="stable")
        k = keys[order]
        starts = np.nonzero(np.r_[True, k[1:] != k[:-1]])[0]
        ends = np.r_[starts[1:], len(k)]
        multi = np.nonzero(ends - starts > 1)[0]
        for r in multi:
            idx = order[starts[r]:ends[r]]
            where: dict[str, int] = {}
            for i in idx:
                where.setdefault(ids[i], int(pas[i]))
            members = list(where)
            if len(members) < 2:
                continue
            passage = pas[idx[0]] >= 0
            if passage and len(members) > p.max_passage_df:
                continue  # boilerplate
            fresh = [m for m in members if m in new]
            if not fresh:
                continue
            others = members if len(members) <= p.max_bucket else members[: p.max_bucket // 4]
            for m in fresh:  # a huge family links to its first members only
                for o in others:
                    if o == m:
                        continue
                    pair = (m, o) if m < o else (o, m)
                    if not passage:
                        whole.add(pair)
                    else:
                        parts.setdefault(pair, set()).add(
                            (where[pair[0]], where[pair[1]]))
        return whole, parts

    def _vector_pairs(self, items: Sequence[Item], pool: dict[str, DocSig],
                      found: dict[tuple[str, str], CopyPair]) -> list[CopyPair]:
        from usearch.index import Index

        p = self.p
        index = self.backend.ann()
        vecs = np.stack([np.asarray(it.vector, dtype=np.float32) for it in items])
        if index is None:
            index = Index(ndim=vecs.shape[1], metric="cos", dtype="f16", expansion_add=32)
        akeys = self.backend.ann_keys([it.id for it in items])
        present = np.asarray(index.contains(akeys), dtype=bool).reshape(-1) if len(index) else None
        if present is not None and present.any():
            index.remove(akeys[present])  # re-indexed articles
        index.add(akeys, vecs)
        k = min(p.rewrite_neighbours + 1, len(index))
        res = index.search(vecs, k)
        keys_m = np.asarray(res.keys).reshape(len(items), -1)
        dist_m = np.asarray(res.distances).reshape(len(items), -1)
        names = self.backend.ann_ids(sorted({int(x) for x in keys_m.reshape(-1)}))
        cand: list[tuple[str, str, float]] = []
        seen: set[tuple[str, str]] = set()
        for i, it in enumerate(items):
            for key, dist in zip(keys_m[i], dist_m[i], strict=True):
                other = names.get(int(key))
                cos = 1.0 - float(dist)
                if other is None or other == it.id or cos < p.rewrite_cosine:
                    continue
                pair = (min(it.id, other), max(it.id, other))
                if pair not in seen:
                    seen.add(pair)
                    cand.append((it.id, other, cos))
        need = sorted({o for _, o, _ in cand if o not in pool})
        if need:
            pool.update(self.backend.docs(need))
        out = []
        for x, y, cos in cand:
            pair = (x, y) if (x, y) in found else (y, x)
            if pair in found or x not in pool or y not in pool:
                continue
            pr = self._rewrite(pool[x], pool[y], cos)
            if pr is not None:
                out.append(pr)
        self.backend.save_ann(index)
        return out


# ----------------------------------------------------------------------------- groups


@dataclass
class Member:
    id: str
    outlet: str | None
    date: dt.date | None
    similarity: float
    lag_days: int | None
    kind: str


@dataclass
class CopyGroup:
    group: int
    kind: str
    origin: str
    origin_outlet: str | None
    origin_date: dt.date | None
    members: list[Member]
    outlets: list[str]
    shared_passages: list[tuple[int, int]]   # character spans in the origin's text
    shared_text: list[str] = field(default_factory=list)

    def as_record(self) -> dict[str, Any]:
        return {
            "group": self.group, "kind": self.kind, "origin": self.origin,
            "origin_outlet": self.origin_outlet,
            "origin_date": self.origin_date.isoformat() if self.origin_date else None,
            "size": len(self.members) + 1,
            "outlets": self.outlets,
            "members": [{"id": m.id, "outlet": m.outlet,
                         "date": m.date.isoformat() if m.date else None,
                         "similarity": m.similarity, "lag_days": m.lag_days, "kind": m.kind}
                        for m in self.members],
            "amplifiers": sorted({m.outlet for m in self.members if m.outlet}),
            "shared_passages": [list(s) for s in self.shared_passages],
            "shared_text": self.shared_text,
        }


def copy_groups(pairs: Iterable[CopyPair], docs: dict[str, DocSig],
                kinds: Sequence[str] = KINDS) -> list[CopyGroup]:
    """Connected components of the copy pairs; the first publisher is the origin.

    Members carry their kind and similarity to the origin (their pair with it when there
    is one, else their best pair) and their lag in days; the group's kind is the most
    common member kind (a tie goes to the closer kind: copy, then partial, then rewrite).
    """
    pairs = [p for p in pairs if p.kind in kinds and p.a in docs and p.b in docs]
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for p in pairs:
        ra, rb = find(p.a), find(p.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    comps: dict[str, list[CopyPair]] = {}
    for p in pairs:
        comps.setdefault(find(p.a), []).append(p)
    groups = []
    for edges in comps.values():
        ids = {x for e in edges for x in (e.a, e.b)}
        origin = min(ids, key=lambda i: (docs[i].date is None, docs[i].date or dt.date.min, i))
        od = docs[origin]
        best: dict[str, tuple[float, str]] = {}
        direct: dict[str, tuple[float, str]] = {}
        spans: set[tuple[int, int]] = set()
        for e in edges:
            for x in (e.a, e.b):
                if e.similarity > best.get(x, (-1.0, ""))[0]:
                    best[x] = (e.similarity, e.kind)
            if origin in (e.a, e.b):
                other = e.b if e.a == origin else e.a
                direct[other] = (e.similarity, e.kind)
                for pa, pb in e.passages:
                    ip = pa if e.a == origin else pb
                    if ip < len(od.pspans):
                        spans.add(tuple(od.pspans[ip]))  # type: ignore[arg-type]
        members = []
        for i in sorted(ids - {origin}, key=lambda i: (docs[i].date is None,
                                                        docs[i].date or dt.date.min, i)):
            d = docs[i]
            sim, k = direct.get(i, best[i])
            lag = (d.date - od.date).days if d.date and od.date else None
            members.append(Member(i, d.outlet, d.date, sim, lag, k))
        counts: dict[str, int] = {}
        for m in members:
            counts[m.kind] = counts.get(m.kind, 0) + 1
        kind = min(counts, key=lambda k: (-counts[k], _RANK[k]))
        outlets = sorted({docs[i].outlet for i in ids if docs[i].outlet})
        groups.append(CopyGroup(0, kind, origin, od.outlet, od.date, members, outlets,
                                sorted(spans)))
    groups.sort(key=lambda g: (-len(g.members), g.origin_date is None,
                               g.origin_date or dt.date.min, g.origin))
    for n, g in enumerate(groups, 1):
        g.group = n
    return groups
