"""The :class:`Store`: ingest analysed articles, read them back, count their labels.

This module and its neighbours in ``narrascope.store`` are the only code that speaks
SQL; every statement is built with SQLAlchemy expressions and bound parameters.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import numpy as np
from sqlalchemy import (
    JSON,
    Date,
    Engine,
    String,
    cast,
    column,
    delete,
    distinct,
    false,
    func,
    insert,
    literal,
    or_,
    select,
    table,
    type_coerce,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.sql import ColumnElement

from narrascope.doc import Article
from narrascope.store import schema as S
from narrascope.store.engine import (
    StoreError,
    current_revision,
    has_tables,
    head_revision,
    make_engine,
    normalise_url,
    upgrade,
)
from narrascope.store.outlets import OutletSpec, normalise_domain, registered_domain
from narrascope.store.records import (
    Rows,
    article_row,
    article_rows,
    article_vector,
    content_hash,
    monday,
    pack_vector,
    unpack_article,
    unpack_vector,
)

PERIODS = ("day", "week", "month", "year")
ORDERS = ("-date", "date", "id", "-id")
#: Full-text hits above which a first page newest-first walks the date index.
FREQUENT_HITS = 5000
#: Largest number of bound parameters in one IN list (SQLite allows 32766 in all).
_CHUNK = 900


@dataclass
class ArticleFilter:
    """Which articles a read covers; every field set must hold (AND)."""

    ids: Sequence[str] | None = None
    outlet: Sequence[str] | None = None  # outlet names (or domains)
    since: dt.date | None = None  # inclusive
    until: dt.date | None = None  # inclusive
    narrative: str | None = None  # a narrative or subnarrative label
    entity: str | None = None
    role: str | None = None  # the entity's main role (with or without --entity)
    technique: str | None = None
    verdict: str | None = None
    text: str | None = None  # full-text search: every word must occur
    language: str | None = None

    def only_outlet_and_dates(self) -> bool:
        return not any((self.ids, self.narrative, self.entity, self.role, self.technique,
                        self.verdict, self.text, self.language))


@dataclass
class ArticleSummary:
    id: str
    outlet: str | None
    date: dt.date | None
    date_source: str | None
    title: str | None
    url: str | None
    language: str | None
    narratives: list[tuple[str, float]] = field(default_factory=list)
    error: str | None = None


@dataclass
class TextRow:
    id: str
    outlet: str | None
    date: dt.date | None
    title: str | None
    text: str
    content_hash: str


@dataclass
class LabelRow:
    article_id: str
    outlet: str | None
    date: dt.date | None
    layer: str
    label: str
    confidence: float


@dataclass
class RoleRow:
    article_id: str
    outlet: str | None
    date: dt.date | None
    entity: str
    role: str | None
    confidence: float | None


@dataclass
class OutletInfo:
    name: str
    domains: list[str]
    country: str | None
    type: str | None
    network: str | None
    articles: int
    first_date: dt.date | None
    last_date: dt.date | None


@dataclass
class IngestResult:
    added: int = 0
    replaced: int = 0
    skipped: int = 0
    failures: int = 0  # stored with an analysis error

    def __iadd__(self, other: IngestResult) -> IngestResult:
        self.added += other.added
        self.replaced += other.replaced
        self.skipped += other.skipped
        self.failures += other.failures
        return self


def fts_query(text: str) -> str | None:
    """A user's search text as an FTS5 query: every word, each quoted (no operators)."""
    words = re.findall(r"\w+", text)
    return " ".join('"' + w + '"' for w in words) if words else None


_fts = table("articles_fts", column("rowid"), column("articles_fts"))
_pg_tsv = table("articles", column("pk"), column("tsv")).alias("fts_articles")


def open_store(url: str = "narrascope.db", readonly: bool = False) -> Store:
    """Open a store; a writable one is created or upgraded to the latest schema."""
    engine = make_engine(url, readonly=readonly)
    try:
        if readonly:
            if not has_tables(engine):
                raise StoreError(f"{url}: not a narrascope database (no tables): run "
                                 "`narrascope db upgrade --db URL` or ingest into it")
        elif current_revision(engine) != head_revision():
            upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        raise StoreError(f"cannot open {url}: {' '.join(str(exc.orig).split())}") from None
    except Exception:
        engine.dispose()
        raise
    store = Store(engine, readonly=readonly)
    store.display_url = normalise_url(url).render_as_string(hide_password=True)
    return store


class Store:
    """A corpus database (SQLite or PostgreSQL)."""

    def __init__(self, engine: Engine, readonly: bool = False) -> None:
        self.engine = engine
        self.readonly = readonly
        self.dialect = engine.dialect.name
        self._outlet_ids: dict[str, tuple[int, int]] = {}  # outlet name -> (id, from_file)
        self._domain_ids: dict[str, int | None] = {}  # domain -> outlet id (outlet files)
        self.display_url: str | None = None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def url(self) -> str:
        return self.display_url or self.engine.url.render_as_string(hide_password=True)

    # ------------------------------------------------------------------------ filters

    def _walk_newest(self, f: ArticleFilter, first: int) -> bool:
        """Whether the first ``first`` articles (newest first) of a label/entity filter
        are found sooner by walking the date index and testing each article against the
        filter's ids (about ``first * articles / hits`` steps) than by sorting every hit
        (``hits`` steps): for a narrative in a fifth of 100,000 articles, 45 -> 3 ms."""
        if not any((f.narrative, f.entity, f.role, f.technique, f.verdict)):
            return False
        one = self._one_table_count(f)
        if one is None:
            return False
        with self.engine.connect() as conn:
            hits = int(conn.scalar(one) or 0)
            total = int(conn.scalar(select(func.count()).select_from(S.articles)) or 0)
        return hits * hits > 4 * first * total

    def _where(self, f: ArticleFilter | None, walk: bool = False) -> list[ColumnElement[bool]]:
        """The conditions of ``f`` on ``articles``; ``walk``: its label and entity
        conditions test each article the query walks (``pk + 0``: no index drives them)."""
        a = S.articles
        conds: list[ColumnElement[bool]] = []
        if f is None:
            return conds
        pk = (a.c.pk + 0) if walk else a.c.pk
        if f.ids is not None:
            conds.append(a.c.id.in_(list(f.ids)))
        outlet_ids = None
        if f.outlet:
            names = list(f.outlet)
            outlet_ids = select(S.outlets.c.id).where(S.outlets.c.name.in_(names)).union(
                select(S.outlet_domains.c.outlet_id).where(
                    S.outlet_domains.c.domain.in_([normalise_domain(n) for n in names])))

        def scope(t: Any) -> list[ColumnElement[bool]]:
            """Outlet and date conditions on ``t`` (articles, or a child table's copies)."""
            out: list[ColumnElement[bool]] = []
            if outlet_ids is not None:
                out.append(t.c.outlet_id.in_(outlet_ids))
            if f.since is not None:
                out.append(t.c.date >= f.since)
            if f.until is not None:
                out.append(t.c.date <= f.until)
            return out

        # with a label or entity condition, the outlet and dates are tested in its
        # subquery (labels and entity_roles copy the article's outlet and date, and their
        # indexes hold them): a narrative of one outlet reads index entries, not the
        # rows of every article with the narrative (170 -> 45 ms at 100,000 articles)
        by_child = bool(f.narrative or f.technique or f.verdict or f.entity or f.role)
        if not by_child:
            conds.extend(scope(a))
        if f.language:
            conds.append(a.c.language == f.language)
        lab = S.labels
        if f.narrative:
            conds.append(pk.in_(select(lab.c.article_pk).where(
                lab.c.layer.in_(("narrative", "subnarrative")), lab.c.label == f.narrative,
                *scope(lab))))
        if f.technique:
            conds.append(pk.in_(select(lab.c.article_pk).where(
                lab.c.layer == "technique", lab.c.label == f.technique, *scope(lab))))
        if f.verdict:
            conds.append(pk.in_(select(lab.c.article_pk).where(
                lab.c.layer == "fact_check", lab.c.label == f.verdict, *scope(lab))))
        if f.entity or f.role:
            er = S.entity_roles
            sub = select(er.c.article_pk).where(*scope(er))
            if f.entity:
                sub = sub.where(er.c.entity == f.entity)
            if f.role:
                sub = sub.where(er.c.role == f.role)
            conds.append(pk.in_(sub))
        if f.text is not None:
            conds.append(self._text_condition(f.text))
        return conds

    def _text_condition(self, text: str, frequent: bool = False) -> ColumnElement[bool]:
        a = S.articles
        if self.dialect == "sqlite":
            q = fts_query(text)
            if q is None:
                return false()
            hits = select(_fts.c.rowid).where(_fts.c.articles_fts.op("MATCH")(q))
            # frequent words: walk another index (e.g. newest first) and test each row
            # against the hits, instead of fetching and sorting every hit
            return (a.c.pk + 0).in_(hits) if frequent else a.c.pk.in_(hits)
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import REGCONFIG

            query = func.plainto_tsquery(literal("simple", REGCONFIG), text)
            return a.c.pk.in_(select(_pg_tsv.c.pk).where(_pg_tsv.c.tsv.op("@@")(query)))
        return or_(a.c.title.contains(text), a.c.text.contains(text))

    def _label_scope(self, f: ArticleFilter | None) -> list[ColumnElement[bool]]:
        """Conditions on ``labels`` (its outlet/date copies when they are enough)."""
        lab = S.labels
        if f is None:
            return []
        if f.only_outlet_and_dates():
            conds: list[ColumnElement[bool]] = []
            if f.outlet:
                conds.append(lab.c.outlet_id.in_(self._outlet_ids_for(f.outlet)))
            # the week (the Monday of the date) bounds the index range; the date decides
            if f.since is not None:
                conds += [lab.c.week >= monday(f.since), lab.c.date >= f.since]
            if f.until is not None:
                conds += [lab.c.week <= f.until, lab.c.date <= f.until]
            return conds
        return [lab.c.article_pk.in_(select(S.articles.c.pk).where(*self._where(f)))]

    def _outlet_ids_for(self, names: Sequence[str]) -> list[int]:
        o, od = S.outlets, S.outlet_domains
        with self.engine.connect() as conn:
            ids = set(conn.scalars(select(o.c.id).where(o.c.name.in_(list(names)))))
            ids |= set(conn.scalars(select(od.c.outlet_id).where(
                od.c.domain.in_([normalise_domain(n) for n in names]))))
        return sorted(ids)

    # -------------------------------------------------------------------------- reads

    def count(self, f: ArticleFilter | None = None) -> int:
        if f is not None and f.text is not None and self.dialect == "sqlite" and not any(
                getattr(f, k) for k in f.__dataclass_fields__ if k != "text"):
            return self._fts_count(f.text)  # the index counts its hits itself
        one = self._one_table_count(f)
        where = None
        if (f is not None and f.text is not None and f.outlet and self.dialect == "sqlite"
                and self._fts_count(f.text) > FREQUENT_HITS):
            # a frequent word in a few outlets: walk the outlets' index entries and test
            # each against the hits, instead of reading the row of every hit for its outlet
            where = self._where(ArticleFilter(**{**f.__dict__, "text": None}))
            where.append(self._text_condition(f.text, frequent=True))
        with self.engine.connect() as conn:
            if one is not None:
                return int(conn.scalar(one) or 0)
            return int(conn.scalar(select(func.count()).select_from(S.articles)
                                   .where(*(where if where is not None else self._where(f))))
                       or 0)

    def _one_table_count(self, f: ArticleFilter | None) -> Any:
        """``count(DISTINCT article_pk)`` over the one child table that answers ``f``
        alone (one label filter, or entity/role, with outlets and dates: the copies of the
        article's outlet and date in that table), or None.  Counting the index entries
        spares a lookup of every matching article (57 -> 4 ms for a narrative held by a
        fifth of 100,000 articles, 120 -> 17 ms for an entity in almost half)."""
        if f is None or f.ids is not None or f.text is not None or f.language:
            return None
        layers = {"narrative": ("narrative", "subnarrative"), "technique": ("technique",),
                  "verdict": ("fact_check",)}
        given = [k for k in layers if getattr(f, k)]
        if len(given) + bool(f.entity or f.role) != 1:
            return None
        t: Any
        if given:
            t = S.labels
            conds = [t.c.layer.in_(layers[given[0]]), t.c.label == getattr(f, given[0])]
        else:
            t = S.entity_roles
            conds = [*([t.c.entity == f.entity] if f.entity else []),
                     *([t.c.role == f.role] if f.role else [])]
        if f.outlet:
            conds.append(t.c.outlet_id.in_(self._outlet_ids_for(f.outlet)))
        if f.since is not None:
            conds.append(t.c.date >= f.since)
        if f.until is not None:
            conds.append(t.c.date <= f.until)
        return select(func.count(distinct(t.c.article_pk))).where(*conds)

    def _fts_count(self, text: str) -> int:
        q = fts_query(text)
        if q is None:
            return 0
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(_fts).where(
                _fts.c.articles_fts.op("MATCH")(q))) or 0)

    def list_articles(self, f: ArticleFilter | None = None, limit: int | None = 50,
                      offset: int = 0, order: str = "-date") -> list[ArticleSummary]:
        a, o = S.articles, S.outlets
        if order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}")
        # SQLite sorts NULL first ascending and last descending by itself; without the
        # explicit NULLS LAST it can walk the date index for "-date" (newest first)
        newest = a.c.date.desc() if self.dialect == "sqlite" else a.c.date.desc().nulls_last()
        key = {"-date": [newest, a.c.pk.desc()],
               "date": [a.c.date.asc().nulls_last(), a.c.pk.asc()],
               "id": [a.c.id.asc()], "-id": [a.c.id.desc()]}[order]
        where = self._where(f)
        if (f is not None and f.text is not None and self.dialect == "sqlite"
                and limit is not None and order == "-date"
                and self._fts_count(f.text) > FREQUENT_HITS):
            where = self._where(ArticleFilter(**{**f.__dict__, "text": None}))
            where.append(self._text_condition(f.text, frequent=True))
        elif (f is not None and f.text is None and self.dialect == "sqlite"
              and limit is not None and order == "-date" and self._walk_newest(f, offset + limit)):
            where = self._where(f, walk=True)
        q = (select(a.c.pk, a.c.id, o.c.name, a.c.date, a.c.date_source, a.c.title, a.c.url,
                    a.c.language, a.c.error)
             .select_from(a.outerjoin(o, a.c.outlet_id == o.c.id))
             .where(*where).order_by(*key).offset(offset))
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            tops = self._top_narratives(conn, [r.pk for r in rows])
        return [ArticleSummary(id=r.id, outlet=r.name, date=r.date, date_source=r.date_source,
                               title=r.title, url=r.url, language=r.language,
                               narratives=tops.get(r.pk, []), error=r.error) for r in rows]

    def _top_narratives(self, conn: Any, pks: list[int], top: int = 3
                        ) -> dict[int, list[tuple[str, float]]]:
        lab = S.labels
        out: dict[int, list[tuple[str, float]]] = {}
        for i in range(0, len(pks), _CHUNK):
            chunk = pks[i:i + _CHUNK]
            for r in conn.execute(select(lab.c.article_pk, lab.c.label, lab.c.confidence)
                                  .where(lab.c.article_pk.in_(chunk), lab.c.layer == "narrative")
                                  .order_by(lab.c.article_pk, lab.c.confidence.desc())):
                got = out.setdefault(r.article_pk, [])
                if len(got) < top:
                    got.append((r.label, float(r.confidence)))
        return out

    def get_article(self, id: str) -> Article | None:
        a = S.articles
        with self.engine.connect() as conn:
            row = conn.execute(select(a.c.text, a.c.layers).where(a.c.id == id)).first()
        return None if row is None else unpack_article(row.layers, row.text)

    def _keyset(self, cols: Sequence[Any], f: ArticleFilter | None, batch_size: int,
                join_outlets: bool = False) -> Iterator[Any]:
        """Rows of ``articles`` in primary-key order, ``batch_size`` per query."""
        a, o = S.articles, S.outlets
        where = self._where(f)
        last = 0
        src = a.outerjoin(o, a.c.outlet_id == o.c.id) if join_outlets else a
        while True:
            q = (select(a.c.pk, *cols).select_from(src).where(a.c.pk > last, *where)
                 .order_by(a.c.pk).limit(batch_size))
            with self.engine.connect() as conn:
                rows = conn.execute(q).all()
            if not rows:
                return
            yield from rows
            last = rows[-1].pk

    def iter_articles(self, f: ArticleFilter | None = None, batch_size: int = 500
                      ) -> Iterator[Article]:
        a = S.articles
        for r in self._keyset([a.c.text, a.c.layers], f, batch_size):
            yield unpack_article(r.layers, r.text)

    def iter_texts(self, f: ArticleFilter | None = None, batch_size: int = 1000
                   ) -> Iterator[TextRow]:
        a, o = S.articles, S.outlets
        for r in self._keyset([a.c.id, o.c.name, a.c.date, a.c.title, a.c.text,
                               a.c.content_hash], f, batch_size, join_outlets=True):
            yield TextRow(id=r.id, outlet=r.name, date=r.date, title=r.title, text=r.text,
                          content_hash=r.content_hash)

    def vectors(self, ids: Sequence[str] | None = None, f: ArticleFilter | None = None
                ) -> tuple[list[str], np.ndarray]:
        """Article ids and their vectors (float32, one row each), in storage order."""
        a, v = S.articles, S.vectors
        if ids is not None:
            f = ArticleFilter(**{**(f.__dict__ if f else {}), "ids": list(ids)})
        where = self._where(f) if not (f and f.ids is not None and len(f.ids) > _CHUNK) else None
        out_ids: list[str] = []
        vecs: list[np.ndarray] = []
        with self.engine.connect() as conn:
            if where is None:  # many ids: in chunks
                assert f is not None and f.ids is not None
                all_ids = list(f.ids)
                rest = ArticleFilter(**{**f.__dict__, "ids": None})
                for i in range(0, len(all_ids), _CHUNK):
                    q = (select(a.c.id, v.c.vector).select_from(a.join(v, v.c.article_pk == a.c.pk))
                         .where(a.c.id.in_(all_ids[i:i + _CHUNK]), *self._where(rest))
                         .order_by(a.c.pk))
                    for r in conn.execute(q):
                        out_ids.append(r.id)
                        vecs.append(unpack_vector(r.vector))
            else:
                q = (select(a.c.id, v.c.vector).select_from(a.join(v, v.c.article_pk == a.c.pk))
                     .where(*where).order_by(a.c.pk))
                for r in conn.execution_options(yield_per=5000).execute(q):
                    out_ids.append(r.id)
                    vecs.append(unpack_vector(r.vector))
        if not vecs:
            return [], np.zeros((0, 0), dtype=np.float32)
        return out_ids, np.vstack(vecs)

    def label_rows(self, layer: str, f: ArticleFilter | None = None,
                   min_confidence: float = 0.0) -> Iterator[LabelRow]:
        _check_layer(layer)
        a, o, lab = S.articles, S.outlets, S.labels
        q = (select(a.c.id, o.c.name, a.c.date, lab.c.layer, lab.c.label, lab.c.confidence)
             .select_from(lab.join(a, a.c.pk == lab.c.article_pk)
                          .outerjoin(o, o.c.id == a.c.outlet_id))
             .where(lab.c.layer == layer, lab.c.confidence >= min_confidence, *self._where(f))
             .order_by(lab.c.article_pk, lab.c.confidence.desc()))
        with self.engine.connect() as conn:
            for r in conn.execution_options(yield_per=5000).execute(q):
                yield LabelRow(article_id=r.id, outlet=r.name, date=r.date, layer=r.layer,
                               label=r.label, confidence=float(r.confidence))

    def _period(self, period: str) -> Any:
        """The period start as 'YYYY-MM-DD' text (no date parsing per row)."""
        lab = S.labels
        if period in ("day", "week"):
            col = lab.c.date if period == "day" else lab.c.week
            return type_coerce(col, String) if self.dialect == "sqlite" else cast(col, String)
        if self.dialect == "sqlite":
            fmt = "%Y-%m-01" if period == "month" else "%Y-01-01"
            return func.strftime(fmt, lab.c.date)
        return cast(cast(func.date_trunc(period, lab.c.date), Date), String)

    def label_counts(self, layer: str, period: str = "week", f: ArticleFilter | None = None,
                     min_confidence: float = 0.0, by_outlet: bool = True,
                     labels: Sequence[str] | None = None) -> list[dict[str, Any]]:
        """Articles per (period, label[, outlet]): ``{"period": "2025-06-02", "label": ...,
        "outlet": ..., "count": n}``; ``period`` is the first day of the day/week/month/year.
        ``labels``: count only these labels (e.g. one narrative's weekly series)."""
        _check_layer(layer)
        if period not in PERIODS:
            raise ValueError(f"period must be one of {', '.join(PERIODS)}")
        lab, o = S.labels, S.outlets
        per = self._period(period).label("period")
        cols = [per, lab.c.label]
        groups: list[Any] = [per, lab.c.label]
        if by_outlet:
            cols.append(lab.c.outlet_id)
            groups.append(lab.c.outlet_id)
        q = (select(*cols, func.count().label("n")).where(
            lab.c.layer == layer, *self._label_scope(f),
            *([lab.c.label.in_(list(labels))] if labels is not None else []),
            *([lab.c.confidence >= min_confidence] if min_confidence > 0 else []))
            .group_by(*groups))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            names = dict(conn.execute(select(o.c.id, o.c.name)).all()) if by_outlet else {}
        if by_outlet:
            out = [{"period": p, "label": lbl, "outlet": names.get(oid), "count": int(n)}
                   for p, lbl, oid, n in rows]
        else:
            out = [{"period": p, "label": lbl, "count": int(n)} for p, lbl, n in rows]
        out.sort(key=lambda d: (d["period"] or "", d["label"], d.get("outlet") or ""))
        return out

    def outlets(self) -> list[OutletInfo]:
        a, o = S.articles, S.outlets
        counts = (select(a.c.outlet_id, func.count().label("n"), func.min(a.c.date).label("first"),
                         func.max(a.c.date).label("last")).group_by(a.c.outlet_id).subquery())
        q = (select(o, counts.c.n, counts.c.first, counts.c.last)
             .select_from(o.outerjoin(counts, counts.c.outlet_id == o.c.id))
             .order_by(counts.c.n.desc().nulls_last(), o.c.name))
        with self.engine.connect() as conn:
            return [OutletInfo(name=r.name, domains=list(r.domains or []), country=r.country,
                               type=r.type, network=r.network, articles=int(r.n or 0),
                               first_date=r.first, last_date=r.last)
                    for r in conn.execute(q)]

    def entity_roles(self, f: ArticleFilter | None = None, entity: str | None = None
                     ) -> Iterator[RoleRow]:
        a, o, er = S.articles, S.outlets, S.entity_roles
        q = (select(a.c.id, o.c.name, a.c.date, er.c.entity, er.c.role, er.c.confidence)
             .select_from(er.join(a, a.c.pk == er.c.article_pk)
                          .outerjoin(o, o.c.id == a.c.outlet_id))
             .where(*self._where(f), *([er.c.entity == entity] if entity else []))
             .order_by(er.c.article_pk, er.c.id))
        with self.engine.connect() as conn:
            for r in conn.execution_options(yield_per=5000).execute(q):
                yield RoleRow(article_id=r.id, outlet=r.name, date=r.date, entity=r.entity,
                              role=r.role, confidence=r.confidence)

    def labels(self, layer: str) -> list[tuple[str, int]]:
        _check_layer(layer)
        lab = S.labels
        q = (select(lab.c.label, func.count().label("n")).where(lab.c.layer == layer)
             .group_by(lab.c.label).order_by(func.count().desc(), lab.c.label))
        with self.engine.connect() as conn:
            return [(r.label, int(r.n)) for r in conn.execute(q)]

    def stats(self) -> dict[str, Any]:
        a, lab = S.articles, S.labels
        with self.engine.connect() as conn:
            n, first, last = conn.execute(select(func.count(), func.min(a.c.date),
                                                 func.max(a.c.date))).one()
            per_layer = dict(conn.execute(select(lab.c.layer, func.count())
                                          .group_by(lab.c.layer)).all())
            failures = conn.scalar(select(func.count()).where(a.c.error.is_not(None)))
            runs = conn.scalar(select(func.count()).select_from(S.runs))
            outlets = conn.scalar(select(func.count()).select_from(S.outlets))
            vecs = conn.scalar(select(func.count()).select_from(S.vectors))
            errs = conn.scalar(select(func.count()).select_from(S.ingest_errors))
            no_outlet = conn.scalar(select(func.count()).where(a.c.outlet_id.is_(None)))
        return {"backend": self.dialect, "articles": int(n), "outlets": int(outlets or 0),
                "articles_without_outlet": int(no_outlet or 0),
                "first_date": first, "last_date": last,
                "labels": {layer: int(per_layer.get(layer, 0)) for layer in S.LAYERS},
                "failures": int(failures or 0), "runs": int(runs or 0),
                "vectors": int(vecs or 0), "input_errors": int(errs or 0)}

    def revision(self) -> tuple[Any, ...]:
        """A token that changes whenever the store's articles or outlets are written: the
        highest article key (an ingest adds rows, a replaced article gets a new row), the
        article count, the last run and when it finished, the outlets.  Index lookups
        only, so a reader can keep computed counts for as long as it is unchanged."""
        a, r, o = S.articles, S.runs, S.outlets
        with self.engine.connect() as conn:
            pk = conn.scalar(select(func.max(a.c.pk)))
            n = conn.scalar(select(func.count()).select_from(a)) if self.dialect == "sqlite" \
                else None  # PostgreSQL counts by scanning: the key and the runs suffice there
            run = conn.execute(select(r.c.id, r.c.finished_at).order_by(r.c.id.desc())
                               .limit(1)).first()
            outlets = conn.execute(select(func.count(), func.max(o.c.id))).one()
        return (pk, n, *(tuple(run) if run is not None else (None, None)), *tuple(outlets))

    def failures(self, limit: int = 20) -> list[tuple[str, str]]:
        a = S.articles
        with self.engine.connect() as conn:
            return [(r.id, r.error) for r in conn.execute(
                select(a.c.id, a.c.error).where(a.c.error.is_not(None)).order_by(a.c.pk)
                .limit(limit))]

    def check(self) -> dict[str, Any]:
        """Counts, failures and integrity problems (``problems`` empty when all is well)."""
        from sqlalchemy import text as sql

        a = S.articles
        problems: list[str] = []
        rev, head = current_revision(self.engine), head_revision()
        if rev != head:
            problems.append(f"schema revision {rev}, latest {head}: run `narrascope db upgrade`")
        out = self.stats()
        with self.engine.connect() as conn:
            for t in S.CHILD_TABLES:
                orphans = conn.scalar(select(func.count()).select_from(t).where(
                    t.c.article_pk.not_in(select(a.c.pk))))
                if orphans:
                    problems.append(f"{orphans} row(s) of {t.name} belong to no article")
            dup = conn.scalar(select(func.count()).select_from(
                select(a.c.id).group_by(a.c.id).having(func.count() > 1).subquery()))
            if dup:
                problems.append(f"{dup} duplicate article id(s)")
            if self.dialect == "sqlite":
                res = [r[0] for r in conn.execute(sql("PRAGMA integrity_check"))]
                if res != ["ok"]:
                    problems.extend(f"sqlite integrity: {r}" for r in res[:20])
                fts_n = conn.scalar(sql("SELECT count(*) FROM articles_fts_docsize"))
                if fts_n != out["articles"]:
                    problems.append(f"full-text index has {fts_n} documents for "
                                    f"{out['articles']} articles")
                if not self.readonly:
                    try:
                        with conn.begin_nested():
                            conn.execute(sql("INSERT INTO articles_fts(articles_fts) "
                                             "VALUES ('integrity-check')"))
                    except Exception as exc:
                        problems.append(f"full-text index: {exc}")
        out["schema_revision"] = rev
        out["missing_vectors"] = out["articles"] - out["vectors"]
        out["problems"] = problems
        return out

    # ------------------------------------------------------------------------- writes

    def _need_writable(self) -> None:
        if self.readonly:
            raise StoreError("the store is open read-only")

    def begin_run(self, *, fingerprint: str, components: list[str],
                  config: dict[str, Any] | None = None, models: dict[str, Any] | None = None,
                  command: str | None = None) -> int:
        from narrascope import __version__
        from narrascope.doc import SCHEMA_VERSION

        self._need_writable()
        with self._write() as conn:
            return int(conn.execute(insert(S.runs).returning(S.runs.c.id), {
                "started_at": dt.datetime.now(dt.UTC), "narrascope_version": __version__,
                "schema_version": SCHEMA_VERSION, "fingerprint": fingerprint,
                "components": components, "config": config, "models": models,
                "command": command}).scalar_one())

    def finish_run(self, run_id: int, result: IngestResult, **pipeline: Any) -> None:
        """Record a run's counts; ``pipeline``: ``fingerprint``, ``components``, ``config``,
        ``models`` of a pipeline built after the run began (for a later batch)."""
        extra = {k: v for k, v in pipeline.items()
                 if k in ("fingerprint", "components", "config", "models")}
        with self._write() as conn:
            conn.execute(update(S.runs).where(S.runs.c.id == run_id).values(
                finished_at=dt.datetime.now(dt.UTC), articles_added=result.added,
                articles_replaced=result.replaced, articles_skipped=result.skipped,
                failures=result.failures, **extra))

    def record_errors(self, run_id: int | None, errors: list[tuple[str, str]]) -> None:
        if not errors:
            return
        with self._write() as conn:
            conn.execute(insert(S.ingest_errors), [
                {"run_id": run_id, "location": loc, "message": msg[:10000]} for loc, msg in errors])

    def runs(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(S.runs).order_by(S.runs.c.id))]

    def _write(self) -> Any:
        return _Retrying(self.engine)

    def existing(self, ids: Sequence[str]) -> dict[str, tuple[str, str | None]]:
        """``{id: (content_hash, pipeline fingerprint)}`` of the ids already stored."""
        a = S.articles
        out: dict[str, tuple[str, str | None]] = {}
        ids = list(ids)
        with self.engine.connect() as conn:
            for i in range(0, len(ids), _CHUNK):
                for r in conn.execute(select(a.c.id, a.c.content_hash, a.c.fingerprint)
                                      .where(a.c.id.in_(ids[i:i + _CHUNK]))):
                    out[r.id] = (r.content_hash, r.fingerprint)
        return out

    def load_outlets(self, specs: Iterable[OutletSpec]) -> int:
        """Add or update outlets from an outlet file and re-link the articles of their domains."""
        self._need_writable()
        o, od, a, lab, er = S.outlets, S.outlet_domains, S.articles, S.labels, S.entity_roles
        n = 0
        with self._write() as conn:
            for spec in specs:
                n += 1
                values = {"domains": spec.domains, "country": spec.country, "type": spec.type,
                          "network": spec.network, "from_file": 1}
                oid = conn.scalar(select(o.c.id).where(o.c.name == spec.name))
                if oid is None:
                    oid = conn.execute(insert(o).returning(o.c.id),
                                       {"name": spec.name, **values}).scalar_one()
                else:
                    conn.execute(update(o).where(o.c.id == oid).values(**values))
                for d in spec.domains:
                    conn.execute(delete(od).where(od.c.domain == d))
                    conn.execute(insert(od), {"domain": d, "outlet_id": oid})
                    # an outlet first named after this domain merges into the file's outlet
                    conn.execute(update(a).where(a.c.domain == d).values(outlet_id=oid))
                    pks = select(a.c.pk).where(a.c.domain == d)
                    conn.execute(update(lab).where(lab.c.article_pk.in_(pks)).values(outlet_id=oid))
                    conn.execute(update(er).where(er.c.article_pk.in_(pks)).values(outlet_id=oid))
                if spec.name:  # articles whose source names it, without a URL of another outlet
                    pks = select(a.c.pk).where(a.c.source == spec.name, a.c.domain.is_(None))
                    conn.execute(update(a).where(a.c.pk.in_(pks)).values(outlet_id=oid))
                    conn.execute(update(lab).where(lab.c.article_pk.in_(pks)).values(outlet_id=oid))
                    conn.execute(update(er).where(er.c.article_pk.in_(pks)).values(outlet_id=oid))
            used = select(a.c.outlet_id).where(a.c.outlet_id.is_not(None))
            stale = select(o.c.id).where(o.c.from_file == 0, o.c.id.not_in(used))
            conn.execute(delete(od).where(od.c.outlet_id.in_(stale)))
            conn.execute(delete(o).where(o.c.from_file == 0, o.c.id.not_in(used)))
        self._outlet_ids.clear()
        self._domain_ids.clear()
        return n

    def _resolve_outlets(self, conn: Any, arts: list[tuple[Article, str | None]]
                         ) -> tuple[list[int | None], dict[str, tuple[int, int]]]:
        """Outlet id per article: the outlet file's outlet of its domain, else the outlet
        file's outlet named like its ``source``, else the outlet named after its domain
        (or, without URL, its source), created when new.  A few queries per batch."""
        o, od = S.outlets, S.outlet_domains
        domains = {d for _, d in arts if d is not None and d not in self._domain_ids}
        for i in range(0, len(domains), _CHUNK):
            chunk = sorted(domains)[i:i + _CHUNK]
            found = dict(conn.execute(select(od.c.domain, od.c.outlet_id)
                                      .where(od.c.domain.in_(chunk))).all())
            for d in chunk:
                self._domain_ids[d] = found.get(d)
        names = set()
        for art, d in arts:
            src = (art.source or "").strip()[:300] or None
            names.update(x for x in (src, d) if x is not None and x not in self._outlet_ids)
        names_l = sorted(names)
        for i in range(0, len(names_l), _CHUNK):
            for r in conn.execute(select(o.c.name, o.c.id, o.c.from_file)
                                  .where(o.c.name.in_(names_l[i:i + _CHUNK]))):
                self._outlet_ids[r.name] = (r.id, int(r.from_file))
        new: dict[str, tuple[int, int]] = {}
        out: list[int | None] = []
        for art, domain in arts:
            oid = self._domain_ids.get(domain) if domain is not None else None
            src = (art.source or "").strip()[:300] or None
            if oid is None and src is not None:
                hit = self._outlet_ids.get(src) or new.get(src)
                if hit is not None and (hit[1] or domain is None):
                    oid = hit[0]
            name = domain or src
            if oid is None and name is not None:
                hit = self._outlet_ids.get(name) or new.get(name)
                if hit is None:
                    hit = (conn.execute(insert(o).returning(o.c.id), {
                        "name": name, "domains": [domain] if domain else [],
                        "from_file": 0}).scalar_one(), 0)
                    new[name] = hit
                oid = hit[0]
            out.append(oid)
        return out, new

    def ingest(self, articles: Iterable[Article], *, run_id: int | None = None,
               fingerprint: str | None = None, reanalyzed: bool = False,
               batch_size: int = 500) -> IngestResult:
        """Store analysed articles, one transaction per ``batch_size``.

        An article whose id is stored with the same content hash is skipped, unless
        ``reanalyzed`` (it was analysed again: its layers are replaced); the same id with
        another text replaces the stored article.  Vectors are taken from ``article.vector``
        (see :func:`narrascope.store.ingest.ensure_article_vectors`).
        """
        self._need_writable()
        total = IngestResult()
        batch: list[Article] = []
        for art in articles:
            batch.append(art)
            if len(batch) >= batch_size:
                total += self.ingest_batch(batch, run_id=run_id, fingerprint=fingerprint,
                                           reanalyzed=reanalyzed)
                batch = []
        if batch:
            total += self.ingest_batch(batch, run_id=run_id, fingerprint=fingerprint,
                                       reanalyzed=reanalyzed)
        return total

    def ingest_batch(self, batch: list[Article], *, run_id: int | None = None,
                     fingerprint: str | None | Sequence[str | None] = None,
                     reanalyzed: bool = False) -> IngestResult:
        """Store one batch in one transaction (retried when the database is busy).

        ``fingerprint``: of the pipeline that analysed the articles (one for all, or one
        per article; None: unknown, e.g. records analysed elsewhere).
        """
        self._need_writable()
        fps = (list(fingerprint) if isinstance(fingerprint, list | tuple)
               else [fingerprint] * len(batch))
        uniq: dict[str, tuple[Article, str | None]] = {}
        for art, fp in zip(batch, fps, strict=True):  # the last of one id in a batch wins
            uniq[art.id] = (art, fp)
        prepared = []
        for art, fp in uniq.values():
            h = content_hash(art.text)
            prepared.append((art, h, article_row(art, h), article_rows(art), article_vector(art),
                             registered_domain(art.url), fp))
        for attempt in range(5):
            try:
                with self._write() as conn:
                    result, new_names = self._store(conn, prepared, run_id, reanalyzed)
                self._outlet_ids.update(new_names)
                return result
            except IntegrityError:  # another writer stored the same id / outlet meanwhile
                self._outlet_ids.clear()
                self._domain_ids.clear()
                if attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _store(self, conn: Any, prepared: list[Any], run_id: int | None,
               reanalyzed: bool) -> tuple[IngestResult, dict[str, tuple[int, int]]]:
        a = S.articles
        result = IngestResult()
        ids = [p[0].id for p in prepared]
        have: dict[str, tuple[int, str]] = {}
        for i in range(0, len(ids), _CHUNK):
            for r in conn.execute(select(a.c.pk, a.c.id, a.c.content_hash)
                                  .where(a.c.id.in_(ids[i:i + _CHUNK]))):
                have[r.id] = (r.pk, r.content_hash)
        todo = []
        replace_pks: list[int] = []
        for p in prepared:
            old = have.get(p[0].id)
            if old is not None and old[1] == p[1] and not reanalyzed:
                result.skipped += 1
                continue
            if old is not None:
                replace_pks.append(old[0])
                result.replaced += 1
            else:
                result.added += 1
            todo.append(p)
        if not todo:
            return result, {}
        for i in range(0, len(replace_pks), _CHUNK):
            chunk = replace_pks[i:i + _CHUNK]
            for t in S.CHILD_TABLES:
                conn.execute(delete(t).where(t.c.article_pk.in_(chunk)))
            conn.execute(delete(a).where(a.c.pk.in_(chunk)))
        outlet_ids, new_names = self._resolve_outlets(conn, [(p[0], p[5]) for p in todo])
        rows = []
        for p, oid in zip(todo, outlet_ids, strict=True):
            row = dict(p[2])
            row.update(outlet_id=oid, domain=p[5], run_id=run_id, fingerprint=p[6])
            if self.dialect == "sqlite":  # as SQLAlchemy's types would store them
                row["date"] = _date_param(row["date"])
                row["week"] = _date_param(row["week"])
                row["components"] = _json_param(row["components"])
            rows.append(row)
            if row["error"]:
                result.failures += 1
        if self.dialect == "sqlite":
            # the write lock is held (BEGIN IMMEDIATE): the next keys are ours
            top = conn.scalar(select(func.max(a.c.pk))) or 0
            pks = list(range(top + 1, top + 1 + len(rows)))
            for row, pk in zip(rows, pks, strict=True):
                row["pk"] = pk
            _bulk_insert(conn, a, rows)
        else:
            pks = [r.pk for r in conn.execute(
                insert(a).returning(a.c.pk, sort_by_parameter_order=True), rows)]
        children: dict[str, list[dict[str, Any]]] = {t.name: [] for t in S.CHILD_TABLES}
        for p, pk, row in zip(todo, pks, rows, strict=True):
            r: Rows = p[3]
            common = {"article_pk": pk}
            denorm = {"outlet_id": row["outlet_id"], "date": row["date"]}
            children["labels"].extend({**x, **common, **denorm, "week": row["week"]}
                                      for x in r.labels)
            children["mentions"].extend({**x, **common} for x in r.mentions)
            children["entity_roles"].extend({**x, **common, **denorm} for x in r.entity_roles)
            children["technique_spans"].extend({**x, **common} for x in r.technique_spans)
            children["fact_checks"].extend({**x, **common} for x in r.fact_checks)
            if p[4] is not None and p[4].size:
                dim, blob = pack_vector(p[4])
                children["vectors"].append({"article_pk": pk, "dim": dim, "vector": blob})
        for t in S.CHILD_TABLES:
            if children[t.name]:
                _bulk_insert(conn, t, children[t.name])
        return result, new_names


_INSERTS: dict[tuple[str, str, tuple[str, ...]], tuple[str, tuple[str, ...]]] = {}


def _bulk_insert(conn: Any, t: Any, rows: list[dict[str, Any]]) -> None:
    """``INSERT INTO t`` of many rows with one DB-API ``executemany``.

    The statement is compiled by SQLAlchemy from the table (cached); the values are
    bound parameters, converted here as the column types would (JSON text, ISO dates
    for SQLite), which spares the per-row work of the generic path.
    """
    keys = tuple(rows[0])
    key = (conn.dialect.name, t.name, keys)
    got = _INSERTS.get(key)
    if got is None:
        compiled = insert(t).compile(dialect=conn.dialect, column_keys=list(keys))
        order = tuple(compiled.positiontup) if compiled.positional else keys
        got = _INSERTS[key] = (str(compiled), order)
    sql_text, order = got
    sqlite = conn.dialect.name == "sqlite"
    first = rows[0]
    conv: list[tuple[int, str, Any]] = []
    for i, k in enumerate(order):
        ctype, v = t.c[k].type, first[k]
        if isinstance(ctype, JSON) and not (v is None or isinstance(v, str)):
            conv.append((i, k, _json_param))
        elif sqlite and isinstance(ctype, Date) and isinstance(v, dt.date):
            conv.append((i, k, _date_param))
    params: list[Any]
    if conn.dialect.paramstyle in ("qmark", "format", "numeric"):
        get = itemgetter(*order)
        params = [get(r) for r in rows] if len(order) > 1 else [(r[order[0]],) for r in rows]
        if conv:
            fixed = []
            for tup in params:
                lst = list(tup)
                for i, _k, fn in conv:
                    lst[i] = fn(lst[i])
                fixed.append(tuple(lst))
            params = fixed
    else:
        params = rows
        if conv:
            params = [{**r, **{k: fn(r[k]) for _i, k, fn in conv}} for r in rows]
    conn.exec_driver_sql(sql_text, params)


def _json_param(v: Any) -> Any:
    """JSON text for a JSON column (text made by :mod:`narrascope.store.records` as is)."""
    if v is None or isinstance(v, str):
        return v
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _date_param(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


class _Retrying:
    """``engine.begin()`` that waits for a busy SQLite file (another writer) and says so."""

    def __init__(self, engine: Engine, tries: int = 3) -> None:
        self.engine = engine
        self.tries = tries
        self.ctx: Any = None

    def __enter__(self) -> Any:
        for attempt in range(self.tries):
            try:
                self.ctx = self.engine.begin()
                return self.ctx.__enter__()
            except OperationalError as exc:
                if "locked" not in str(exc.orig) and "busy" not in str(exc.orig):
                    raise
                if attempt == self.tries - 1:
                    raise StoreError(
                        f"{self.engine.url.database}: the database is busy (another process is "
                        "writing to it); waited "
                        f"{int(self.tries * 30)} s - try again when it has finished") from None
        raise AssertionError("unreachable")

    def __exit__(self, *exc: Any) -> Any:
        return self.ctx.__exit__(*exc)


def _check_layer(layer: str) -> None:
    if layer not in S.LAYERS:
        raise ValueError(f"unknown layer {layer!r}; layers: {', '.join(S.LAYERS)}")


__all__ = ["ArticleFilter", "ArticleSummary", "IngestResult", "LabelRow", "OutletInfo",
           "RoleRow", "Store", "StoreError", "TextRow", "open_store"]
