"""Tables of the corpus analytics (copy index, copy pairs, story clusters) and their queries.

Created by the Alembic revision ``0002_corpus``.  Every row hangs off ``articles.pk``
with ``ON DELETE CASCADE``: an article that is replaced or deleted leaves the index
with it, and is indexed again (with its new text) the next time the analytics run.

* ``corpus_copy_docs``: per article its MinHash signature (whole text and passages),
  shingle and word counts, passage spans and the content hash it was computed from;
* ``corpus_copy_keys``: LSH band keys -> article (passage -1 = the whole text), indexed
  by key, so new articles are matched with one indexed lookup per band;
* ``corpus_copy_pairs``: the verified pairs (kind copy | partial | rewrite, similarity,
  shared passages);
* ``corpus_blobs``: the usearch vector index of the copy detector (keys = article pk)
  and the cluster settings;
* ``corpus_clusters`` / ``corpus_cluster_members``: story clusters (centroid sum,
  size, first and last date) and which article is in which.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    delete,
    func,
    insert,
    select,
)

from narrascope.store import schema as S

_CHUNK = 900


def _fk() -> ForeignKey:
    return ForeignKey("articles.pk", ondelete="CASCADE")

copy_docs = Table(
    "corpus_copy_docs", S.metadata,
    Column("article_pk", Integer, _fk(), primary_key=True),
    Column("content_hash", String(64)),
    Column("shingles", Integer, nullable=False),
    Column("words", Integer, nullable=False),
    Column("sig", LargeBinary, nullable=False),      # uint32 little endian
    Column("psigs", LargeBinary, nullable=False),    # passages x passage_perm uint32
    Column("pwords", JSON, nullable=False),
    Column("pspans", JSON, nullable=False),
    Column("anchors", LargeBinary, nullable=False),  # uint32 hashes of the anchor tokens
)

copy_keys = Table(
    "corpus_copy_keys", S.metadata,
    Column("key", BigInteger, nullable=False),
    Column("article_pk", Integer, _fk(), nullable=False),
    Column("passage", SmallInteger, nullable=False),
    Index("ix_corpus_copy_keys_key", "key"),
    Index("ix_corpus_copy_keys_article", "article_pk"),
)

copy_pairs = Table(
    "corpus_copy_pairs", S.metadata,
    Column("a_pk", Integer, _fk(), primary_key=True),
    Column("b_pk", Integer, _fk(), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("similarity", Float, nullable=False),
    Column("jaccard", Float),
    Column("containment", Float),
    Column("shared_words", Integer),
    Column("cosine", Float),
    Column("passages", JSON),
    Column("anchors", Float),
    Index("ix_corpus_copy_pairs_b", "b_pk"),
)

blobs = Table(
    "corpus_blobs", S.metadata,
    Column("name", String(64), primary_key=True),
    Column("data", LargeBinary),
    Column("meta", JSON),
)

clusters = Table(
    "corpus_clusters", S.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", Integer, nullable=False),
    Column("first_seen", Date),
    Column("last_seen", Date),
    Column("sum", LargeBinary, nullable=False),      # float32 sum of the member vectors
)

cluster_members = Table(
    "corpus_cluster_members", S.metadata,
    Column("article_pk", Integer, _fk(), primary_key=True),
    Column("cluster_id", Integer, ForeignKey("corpus_clusters.id", ondelete="CASCADE"),
           nullable=False),
    Column("similarity", Float, nullable=False),
    Index("ix_corpus_cluster_members_cluster", "cluster_id"),
)

TABLES = (copy_docs, copy_keys, copy_pairs, blobs, clusters, cluster_members)


def _u32(blob: bytes, cols: int) -> np.ndarray:
    a = np.frombuffer(blob, dtype="<u4").astype(np.uint32)
    return a.reshape(-1, cols) if cols else a


class CopyTables:
    """The copy index of ``narrascope.corpus.copies.CopyDetector`` in a store.

    Rows go in and out as plain dicts with the fields of ``corpus.copies.DocSig`` and
    ``CopyPair``; ``narrascope.corpus.storage`` turns them into those classes.
    """

    def __init__(self, store: Any, passage_perm: int = 16) -> None:
        self.store = store
        self.engine = store.engine
        self.passage_perm = passage_perm
        self._pk: dict[str, int] = {}
        self._ann: Any = None
        self._ann_dirty = False

    # -- ids
    def pks(self, ids: Sequence[str]) -> dict[str, int]:
        want = [i for i in dict.fromkeys(ids) if i not in self._pk]
        a = S.articles
        with self.engine.connect() as conn:
            for i in range(0, len(want), _CHUNK):
                for r in conn.execute(select(a.c.id, a.c.pk).where(a.c.id.in_(want[i:i + _CHUNK]))):
                    self._pk[r.id] = r.pk
        return {i: self._pk[i] for i in ids if i in self._pk}

    def _ids(self, conn: Any, pks: Sequence[int]) -> dict[int, str]:
        a = S.articles
        out: dict[int, str] = {}
        pks = list(dict.fromkeys(int(p) for p in pks))
        for i in range(0, len(pks), _CHUNK):
            for r in conn.execute(select(a.c.pk, a.c.id).where(a.c.pk.in_(pks[i:i + _CHUNK]))):
                out[r.pk] = r.id
                self._pk[r.id] = r.pk
        return out

    # -- the CopyBackend protocol
    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
        q = [int(k) for k in np.unique(keys)]
        ks, pk, ps = [], [], []
        with self.engine.connect() as conn:
            for i in range(0, len(q), _CHUNK):
                for r in conn.execute(select(copy_keys.c.key, copy_keys.c.article_pk,
                                             copy_keys.c.passage)
                                      .where(copy_keys.c.key.in_(q[i:i + _CHUNK]))):
                    ks.append(r.key)
                    pk.append(r.article_pk)
                    ps.append(r.passage)
            names = self._ids(conn, pk)
        return (np.array(ks, dtype=np.int64), [names[p] for p in pk],
                np.array(ps, dtype=np.int16))

    def docs(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        pks = self.pks(ids)
        by_pk = {v: k for k, v in pks.items()}
        d, a, o = copy_docs, S.articles, S.outlets
        out: dict[str, dict[str, Any]] = {}
        vals = list(by_pk)
        with self.engine.connect() as conn:
            for i in range(0, len(vals), _CHUNK):
                q = (select(d, a.c.date, o.c.name.label("outlet"))
                     .select_from(d.join(a, a.c.pk == d.c.article_pk)
                                  .outerjoin(o, o.c.id == a.c.outlet_id))
                     .where(d.c.article_pk.in_(vals[i:i + _CHUNK])))
                for r in conn.execute(q):
                    i_d = by_pk[r.article_pk]
                    out[i_d] = {"id": i_d, "outlet": r.outlet, "date": r.date,
                                "shingles": r.shingles, "words": r.words,
                                "sig": _u32(r.sig, 0), "psigs": _u32(r.psigs, self.passage_perm),
                                "pwords": list(r.pwords),
                                "pspans": [tuple(x) for x in r.pspans],
                                "content_hash": r.content_hash,
                                "anchors": _u32(r.anchors, 0)}
        return out

    def known(self, ids: Sequence[str]) -> dict[str, str | None]:
        pks = self.pks(ids)
        by_pk = {v: k for k, v in pks.items()}
        vals = list(by_pk)
        out: dict[str, str | None] = {}
        with self.engine.connect() as conn:
            for i in range(0, len(vals), _CHUNK):
                for r in conn.execute(select(copy_docs.c.article_pk, copy_docs.c.content_hash)
                                      .where(copy_docs.c.article_pk.in_(vals[i:i + _CHUNK]))):
                    out[by_pk[r.article_pk]] = r.content_hash
        return out

    def add(self, docs: Sequence[Any], keys: np.ndarray, ids: Sequence[str],
            passages: np.ndarray, pairs: Sequence[Any]) -> None:
        """Insert index rows; ``docs`` and ``pairs`` have the DocSig / CopyPair attributes."""
        pks = self.pks([d.id for d in docs] + list(ids) + [x for p in pairs for x in (p.a, p.b)])
        with self.store._write() as conn:
            if docs:
                conn.execute(insert(copy_docs), [{
                    "article_pk": pks[d.id], "content_hash": d.content_hash,
                    "shingles": d.shingles, "words": d.words,
                    "sig": np.asarray(d.sig, dtype="<u4").tobytes(),
                    "psigs": np.asarray(d.psigs, dtype="<u4").tobytes(),
                    "pwords": [int(x) for x in d.pwords],
                    "pspans": [[int(x), int(y)] for x, y in d.pspans],
                    "anchors": np.asarray(d.anchors, dtype="<u4").tobytes()} for d in docs])
            rows = [{"key": int(k), "article_pk": pks[i], "passage": int(p)}
                    for k, i, p in zip(keys, ids, passages, strict=True)]
            for i in range(0, len(rows), 50_000):
                conn.execute(insert(copy_keys), rows[i:i + 50_000])
            if pairs:
                prs = {(pks[p.a], pks[p.b]): p for p in pairs if p.a in pks and p.b in pks}
                keys_ = list(prs)
                for i in range(0, len(keys_), 400):
                    chunk = keys_[i:i + 400]
                    conn.execute(delete(copy_pairs).where(
                        copy_pairs.c.a_pk.in_([k[0] for k in chunk]),
                        copy_pairs.c.b_pk.in_([k[1] for k in chunk])))
                conn.execute(insert(copy_pairs), [{
                    "a_pk": a, "b_pk": b, "kind": p.kind, "similarity": p.similarity,
                    "jaccard": p.jaccard, "containment": p.containment,
                    "shared_words": p.shared_words, "cosine": p.cosine,
                    "passages": [list(x) for x in p.passages], "anchors": p.anchors}
                    for (a, b), p in prs.items()])

    def remove(self, ids: Sequence[str]) -> None:
        pks = list(self.pks(ids).values())
        with self.store._write() as conn:
            for i in range(0, len(pks), _CHUNK):
                c = pks[i:i + _CHUNK]
                conn.execute(delete(copy_keys).where(copy_keys.c.article_pk.in_(c)))
                conn.execute(delete(copy_pairs).where(copy_pairs.c.a_pk.in_(c)))
                conn.execute(delete(copy_pairs).where(copy_pairs.c.b_pk.in_(c)))
                conn.execute(delete(copy_docs).where(copy_docs.c.article_pk.in_(c)))

    def pairs(self, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        p = copy_pairs
        out = []
        with self.engine.connect() as conn:
            rows = list(conn.execute(select(p)))
            names = self._ids(conn, [r.a_pk for r in rows] + [r.b_pk for r in rows])
        want = set(ids) if ids is not None else None
        for r in rows:
            a, b = names.get(r.a_pk), names.get(r.b_pk)
            if a is None or b is None or (want is not None and a not in want and b not in want):
                continue
            out.append({"a": a, "b": b, "kind": r.kind, "similarity": r.similarity,
                        "jaccard": r.jaccard or 0.0, "containment": r.containment or 0.0,
                        "shared_words": r.shared_words or 0, "cosine": r.cosine,
                        "passages": [tuple(x) for x in (r.passages or [])],
                        "anchors": r.anchors})
        return out

    def unindexed(self) -> list[str]:
        """Ids of the articles not in the copy index (new, or replaced since), by pk."""
        a, d = S.articles, copy_docs
        q = (select(a.c.id).select_from(a.outerjoin(d, d.c.article_pk == a.c.pk))
             .where(d.c.article_pk.is_(None)).order_by(a.c.pk))
        with self.engine.connect() as conn:
            return [r.id for r in conn.execute(q)]

    def indexed_ids(self) -> set[str]:
        a = S.articles
        with self.engine.connect() as conn:
            q = select(a.c.id).select_from(a.join(copy_docs, copy_docs.c.article_pk == a.c.pk))
            return {r.id for r in conn.execute(q)}

    def ann(self) -> Any | None:
        if self._ann is None:
            blob = load_blob(self.engine, "copy_ann")
            if blob is not None and blob[0]:
                from usearch.index import Index

                self._ann = Index.restore(bytes(blob[0]))
        return self._ann

    def ann_keys(self, ids: Sequence[str]) -> np.ndarray:
        pks = self.pks(ids)
        return np.array([pks[i] for i in ids], dtype=np.int64)

    def ann_ids(self, keys: Sequence[int]) -> dict[int, str]:
        d = copy_docs
        with self.engine.connect() as conn:
            names = self._ids(conn, [int(k) for k in keys])
            alive: set[int] = set()
            vals = list(names)
            for i in range(0, len(vals), _CHUNK):
                alive.update(r.article_pk for r in conn.execute(
                    select(d.c.article_pk).where(d.c.article_pk.in_(vals[i:i + _CHUNK]))))
        return {k: v for k, v in names.items() if k in alive}

    def save_ann(self, index: Any) -> None:
        self._ann = index
        save_blob(self.store, "copy_ann", bytes(index.save()), {"vectors": len(index)})


def load_blob(engine: Any, name: str) -> tuple[bytes | None, Any] | None:
    with engine.connect() as conn:
        r = conn.execute(select(blobs.c.data, blobs.c.meta).where(blobs.c.name == name)).first()
    return (r.data, r.meta) if r is not None else None


def save_blob(store: Any, name: str, data: bytes | None, meta: Any) -> None:
    with store._write() as conn:
        conn.execute(delete(blobs).where(blobs.c.name == name))
        conn.execute(insert(blobs), [{"name": name, "data": data, "meta": meta}])


# ----------------------------------------------------------------------------- clusters


class ClusterTables:
    """Story clusters in a store."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.engine = store.engine

    def settings(self) -> dict[str, Any] | None:
        b = load_blob(self.engine, "clusters")
        return b[1] if b else None

    def load(self) -> tuple[list[int], np.ndarray | None, list[int], list[dt.date | None]]:
        """(cluster ids, vector sums (n, dim) float32, sizes, first seen), by id."""
        with self.engine.connect() as conn:
            rows = list(conn.execute(select(clusters).order_by(clusters.c.id)))
        if not rows:
            return [], None, [], []
        sums = np.stack([np.frombuffer(r.sum, dtype="<f4") for r in rows]).astype(np.float32)
        return [r.id for r in rows], sums, [r.size for r in rows], [r.first_seen for r in rows]

    def unclustered(self) -> list[str]:
        """Ids of the articles with a vector that are in no cluster, by pk."""
        a, m, v = S.articles, cluster_members, S.vectors
        q = (select(a.c.id).select_from(a.join(v, v.c.article_pk == a.c.pk)
                                        .outerjoin(m, m.c.article_pk == a.c.pk))
             .where(m.c.article_pk.is_(None)).order_by(a.c.pk))
        with self.engine.connect() as conn:
            return [r.id for r in conn.execute(q)]

    def clustered_ids(self) -> set[str]:
        a = S.articles
        with self.engine.connect() as conn:
            q = select(a.c.id).select_from(a.join(cluster_members,
                                                  cluster_members.c.article_pk == a.c.pk))
            return {r.id for r in conn.execute(q)}

    def reset(self, settings: dict[str, Any]) -> None:
        with self.store._write() as conn:
            conn.execute(delete(cluster_members))
            conn.execute(delete(clusters))
        save_blob(self.store, "clusters", None, settings)

    def save(self, st: Any, ids: list[int], members: Sequence[tuple[str, int, float]],
             dates: dict[str, dt.date | None]) -> list[int]:
        """Write the clusters touched by ``members`` and the members themselves.

        ``st`` has ``sums``, ``sizes``, ``first_seen`` (row i = cluster ``ids[i]``; rows
        past ``len(ids)`` are new clusters and get new ids, returned).
        """
        copy = CopyTables(self.store)
        pks = copy.pks([m[0] for m in members])
        with self.store._write() as conn:
            top = conn.execute(select(func.max(clusters.c.id))).scalar() or 0
            ids = list(ids) + list(range(top + 1, top + 1 + len(st.sizes) - len(ids)))
            touched = sorted({m[1] for m in members})
            last: dict[int, dt.date] = {}
            for aid, c, _ in members:
                d = dates.get(aid)
                if d is not None and (c not in last or d > last[c]):
                    last[c] = d
            tids = [ids[c] for c in touched]
            old_last: dict[int, dt.date | None] = {}
            for i in range(0, len(tids), _CHUNK):
                for r in conn.execute(select(clusters.c.id, clusters.c.last_seen)
                                      .where(clusters.c.id.in_(tids[i:i + _CHUNK]))):
                    old_last[r.id] = r.last_seen
                conn.execute(delete(clusters).where(clusters.c.id.in_(tids[i:i + _CHUNK])))
            rows = []
            for c in touched:
                cid = ids[c]
                ls = max([x for x in (old_last.get(cid), last.get(c)) if x is not None],
                         default=None)
                rows.append({"id": cid, "size": st.sizes[c], "first_seen": st.first_seen[c],
                             "last_seen": ls, "sum": np.asarray(st.sums[c], "<f4").tobytes()})
            for i in range(0, len(rows), 5000):
                conn.execute(insert(clusters), rows[i:i + 5000])
            mrows = [{"article_pk": pks[a], "cluster_id": ids[c], "similarity": float(s)}
                     for a, c, s in members if a in pks]
            for i in range(0, len(mrows), 20_000):
                conn.execute(insert(cluster_members), mrows[i:i + 20_000])
        return ids

    def members(self, min_size: int = 1) -> Iterator[tuple[int, str, float, int]]:
        """(cluster id, article id, similarity, cluster size), largest clusters first."""
        a, m, c = S.articles, cluster_members, clusters
        q = (select(c.c.id, a.c.id.label("aid"), m.c.similarity, c.c.size)
             .select_from(m.join(c, c.c.id == m.c.cluster_id).join(a, a.c.pk == m.c.article_pk))
             .where(c.c.size >= min_size)
             .order_by(c.c.size.desc(), c.c.id, m.c.similarity.desc()))
        with self.engine.connect() as conn:
            for r in conn.execute(q):
                yield r.id, r.aid, r.similarity, r.size

    def clusters(self, min_size: int = 1) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(clusters.c.id, clusters.c.size, clusters.c.first_seen,
                                       clusters.c.last_seen).where(clusters.c.size >= min_size)
                                .order_by(clusters.c.size.desc(), clusters.c.id))
            return [dict(r._mapping) for r in rows]
