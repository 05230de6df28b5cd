"""Story clusters over the article vectors, built incrementally.

The method (chosen by measurement, see ``docs/model-card-corpus.md``) is online
DP-Means: articles are taken in date order; each joins the cluster whose centroid is
nearest when the cosine similarity is >= ``threshold``, or opens a new cluster.  The
centroids (normalised running means) live in a usearch HNSW index, so adding articles to
a clustered corpus costs one nearest-neighbour search each; the centroids, sizes and
members persist in the store.  Two alternatives are kept for the comparison:
``single_link`` (components of the nearest-neighbour graph above the threshold) and
``hdbscan`` (scikit-learn).

Labels (:func:`describe`): c-TF-IDF keywords (term frequency in the cluster times
``log(1 + A / f_t)``, A = average words per cluster, f_t = the term's frequency over all
clusters, as in BERTopic), the sentences with the highest keyword weight, and the
article counts per day.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DEFAULT_THRESHOLD = 0.90


@dataclass
class ClusterState:
    """Centroids and sizes of the clusters (row i = cluster i)."""

    dim: int
    centroids: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    sums: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    sizes: list[int] = field(default_factory=list)
    first_seen: list[dt.date | None] = field(default_factory=list)
    index: Any = None

    def __post_init__(self) -> None:
        if self.centroids.size == 0:
            self.centroids = np.zeros((0, self.dim), np.float32)
            self.sums = np.zeros((0, self.dim), np.float32)

    def build_index(self) -> None:
        from usearch.index import Index

        self.index = Index(ndim=self.dim, metric="cos", dtype="f16", expansion_add=32)
        if len(self.sizes):
            self.index.add(np.arange(len(self.sizes)), self.centroids[: len(self.sizes)])

    def reserve(self, extra: int) -> None:
        """Room for ``extra`` more clusters (the arrays grow by doubling; rows past
        ``len(sizes)`` are unused)."""
        need = len(self.sizes) + extra
        if self.sums.shape[0] >= need:
            return
        cap = max(need, 2 * self.sums.shape[0], 1024)
        n = len(self.sizes)
        for name in ("sums", "centroids"):
            old = getattr(self, name)
            new = np.zeros((cap, self.dim), np.float32)
            new[:n] = old[:n]
            setattr(self, name, new)


class StoryClusterer:
    """Online DP-Means over normalised vectors: join the nearest centroid or open one."""

    def __init__(self, threshold: float = DEFAULT_THRESHOLD, state: ClusterState | None = None,
                 dim: int = 384, chunk: int = 512) -> None:
        self.threshold = threshold
        self.state = state or ClusterState(dim)
        if self.state.index is None:
            self.state.build_index()
        self.chunk = chunk

    def add(self, vectors: np.ndarray, dates: Sequence[dt.date | None] | None = None
            ) -> tuple[np.ndarray, np.ndarray]:
        """Assign each vector (in date order) to a cluster; return (cluster, similarity)."""
        st = self.state
        n = len(vectors)
        vectors = np.asarray(vectors, dtype=np.float32)
        dates = list(dates) if dates is not None else [None] * n
        order = sorted(range(n), key=lambda i: (dates[i] is None, dates[i] or dt.date.min, i))
        assign = np.full(n, -1, np.int64)
        sims = np.zeros(n, np.float32)
        for c0 in range(0, n, self.chunk):
            idx = order[c0:c0 + self.chunk]
            v = vectors[idx]
            st.reserve(len(idx))
            if len(st.sizes):
                res = st.index.search(v, 1)
                keys = np.asarray(res.keys).reshape(len(idx), -1)[:, 0]
            else:
                keys = np.full(len(idx), -1)
            fresh: dict[int, int] = {}     # clusters opened in this chunk -> row in fresh_c
            fresh_ids: list[int] = []
            fresh_c = np.zeros((len(idx), st.dim), np.float32)
            touched: set[int] = set()
            for j, i in enumerate(idx):
                best, sim = -1, -1.0
                if 0 <= keys[j] < len(st.sizes):
                    best, sim = int(keys[j]), float(np.dot(st.centroids[keys[j]], v[j]))
                if fresh:
                    s = fresh_c[: len(fresh)] @ v[j]
                    f = int(np.argmax(s))
                    if s[f] > sim:
                        best, sim = fresh_ids[f], float(s[f])
                if best < 0 or sim < self.threshold:
                    best = len(st.sizes)
                    st.sizes.append(0)
                    st.first_seen.append(dates[i])
                    fresh[best] = len(fresh_ids)
                    fresh_ids.append(best)
                    sim = 1.0
                st.sizes[best] += 1
                st.sums[best] += v[j]
                c = st.sums[best] / max(1e-9, float(np.linalg.norm(st.sums[best])))
                st.centroids[best] = c
                if best in fresh:
                    fresh_c[fresh[best]] = c
                else:
                    touched.add(best)
                if dates[i] is not None and (st.first_seen[best] is None
                                             or dates[i] < st.first_seen[best]):
                    st.first_seen[best] = dates[i]
                assign[i], sims[i] = best, sim
            if touched:
                t = np.array(sorted(touched))
                st.index.remove(t)
                st.index.add(t, st.centroids[t])
            if fresh_ids:
                st.index.add(np.array(fresh_ids), st.centroids[fresh_ids])
        return assign, sims


def single_link(vectors: np.ndarray, threshold: float, k: int = 10) -> np.ndarray:
    """Components of the graph joining each vector to its neighbours above ``threshold``."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from usearch.index import Index

    n = len(vectors)
    index = Index(ndim=vectors.shape[1], metric="cos", dtype="f32")
    index.add(np.arange(n), vectors)
    res = index.search(vectors, min(k, n))
    keys = np.asarray(res.keys).reshape(n, -1)
    sims = 1 - np.asarray(res.distances).reshape(n, -1)
    rows = np.repeat(np.arange(n), keys.shape[1])
    ok = (sims.reshape(-1) >= threshold) & (keys.reshape(-1) >= 0)
    g = coo_matrix((np.ones(ok.sum()), (rows[ok], keys.reshape(-1)[ok])), shape=(n, n))
    return connected_components(g, directed=False)[1]


def hdbscan(vectors: np.ndarray, min_cluster_size: int = 2) -> np.ndarray:
    """scikit-learn HDBSCAN over normalised vectors; noise points become singletons."""
    from sklearn.cluster import HDBSCAN

    lab = HDBSCAN(min_cluster_size=min_cluster_size, metric="euclidean").fit_predict(vectors)
    nxt = lab.max() + 1
    out = lab.copy()
    for i in np.nonzero(lab < 0)[0]:
        out[i] = nxt
        nxt += 1
    return out


# ----------------------------------------------------------------------------- labels

_SENT = re.compile(r"[^.!?\n]+[.!?]?")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_STOP = frozenset("""a about above after again against all am an and any are as at be because
been before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers herself him himself his how i if
in into is it its itself just me more most my myself no nor not now of off on once only or
other our ours out over own same she should so some such than that the their theirs them
then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours said says say also one two
new would could may might must mr ms per cent""".split())


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP and len(w) > 2]


def ctfidf(cluster_texts: dict[Any, list[str]], top: int = 8) -> dict[Any, list[tuple[str, float]]]:
    """c-TF-IDF keywords of each cluster (its texts joined into one document)."""
    counts = {c: Counter(w for t in texts for w in _words(t)) for c, texts in
              cluster_texts.items()}
    total: Counter[str] = Counter()
    for cnt in counts.values():
        total.update(cnt)
    if not counts:
        return {}
    avg = sum(sum(c.values()) for c in counts.values()) / len(counts)
    out = {}
    for c, cnt in counts.items():
        n = max(1, sum(cnt.values()))
        scored = [(w, (k / n) * math.log(1 + avg / total[w])) for w, k in cnt.items()]
        scored.sort(key=lambda x: (-x[1], x[0]))
        out[c] = [(w, round(s, 5)) for w, s in scored[:top]]
    return out


def representative_sentences(texts: Sequence[str], keywords: Sequence[tuple[str, float]],
                             n: int = 2, max_chars: int = 220) -> list[str]:
    """The member sentences with the highest summed keyword weight per sqrt(words)."""
    weight = dict(keywords)
    seen: set[str] = set()
    scored = []
    for t in texts:
        for m in _SENT.finditer(t):
            s = " ".join(m.group().split())
            ws = _words(s)
            if len(ws) < 4 or s.lower() in seen:
                continue
            seen.add(s.lower())
            scored.append((sum(weight.get(w, 0.0) for w in ws) / math.sqrt(len(ws)), s))
    scored.sort(key=lambda x: -x[0])
    return [s if len(s) <= max_chars else s[: max_chars - 1] + "\u2026" for _, s in scored[:n]]


def cluster_metrics(pred: Sequence[int], gold: Sequence[int]) -> dict[str, float]:
    """Purity, ARI, and pairwise precision / recall of a clustering against gold stories."""
    from sklearn.metrics import adjusted_rand_score
    from sklearn.metrics.cluster import contingency_matrix

    cm = contingency_matrix(gold, pred, sparse=True).tocsc()
    purity = float(cm.max(axis=0).sum() / len(pred))
    data = cm.data.astype(np.float64)
    tp = float((data * (data - 1) / 2).sum())
    col = np.asarray(cm.sum(axis=0)).ravel().astype(np.float64)
    row = np.asarray(cm.sum(axis=1)).ravel().astype(np.float64)
    pp = float((col * (col - 1) / 2).sum())
    gp = float((row * (row - 1) / 2).sum())
    return {"purity": round(purity, 4), "ari": round(float(adjusted_rand_score(gold, pred)), 4),
            "pair_precision": round(tp / pp, 4) if pp else 1.0,
            "pair_recall": round(tp / gp, 4) if gp else 1.0,
            "clusters": int(len(set(pred)))}
