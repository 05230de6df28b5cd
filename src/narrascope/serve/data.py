"""What the API and the pages read, through the ``Store`` interface and ``narrascope.corpus``.

No SQL here: every number comes from a :class:`narrascope.store.Store` method or a
corpus analytics function.  Results that change only when the store is written
(the label vocabularies, counts and stats) are kept while the store's revision token
(``Store.revision``: its highest article key, article count, last run and outlets) is
unchanged, for 30 s with a store that has none.  Analytics that
have not been computed for the store come back as ``None``, and the pages say which
command computes them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import threading
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from narrascope.serve.errors import bad_request

#: Seconds a cached result is kept when the store has no revision token (and the
#: seconds of the corpus analytics, which ``narrascope corpus`` writes separately).
CACHE_SECONDS = 30.0
#: Seconds between two looks at the store's revision token.
REVISION_SECONDS = 2.0
#: Most seconds a count is kept even while the store's revision token is unchanged.
MAX_AGE_SECONDS = 3600.0
#: Most results kept (label counts of a filter, totals of a filter, vocabularies).
MAX_CACHED = 512


def as_dict(obj: Any) -> dict[str, Any]:
    """A plain dict of a dataclass, pydantic model, named tuple or mapping."""
    if obj is None:
        return {}
    if isinstance(obj, dict):
        return dict(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    if hasattr(obj, "_asdict"):
        return dict(obj._asdict())
    if hasattr(obj, "__dict__"):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    raise TypeError(f"cannot read {type(obj).__name__} as a record")


def jsonable(value: Any) -> Any:
    """``value`` with dates as ISO strings, tuples as lists, records as dicts."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if hasattr(value, "tolist"):
        return value.tolist()
    try:
        return jsonable(as_dict(value))
    except TypeError:
        return str(value)


def _first(d: dict[str, Any], *keys: str, default: Any = None) -> Any:
    for k in keys:
        if k in d and d[k] is not None:
            return d[k]
    return default


class Data:
    """The read side of the dashboard over one store."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self._cache: OrderedDict[Any, tuple[float, Any, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._revision: Any = None
        self._revision_at = -math.inf

    # ------------------------------------------------------------------ cache
    def revision(self) -> Any:
        """The store's revision token (looked at most every REVISION_SECONDS), or None
        when the store has none."""
        now = time.monotonic()
        if now - self._revision_at >= REVISION_SECONDS:
            fn = getattr(self.store, "revision", None)
            self._revision = fn() if callable(fn) else None
            self._revision_at = now
        return self._revision

    def cached(self, key: Any, fn: Callable[[], Any], seconds: float | None = None) -> Any:
        """``fn()``, kept under ``key`` (at most MAX_CACHED entries): while the store's
        revision token is unchanged (up to MAX_AGE_SECONDS), or for ``seconds`` (also
        when the store has no token: CACHE_SECONDS)."""
        now = time.monotonic()
        rev = self.revision() if seconds is None else None
        if seconds is None:
            seconds = MAX_AGE_SECONDS if rev is not None else CACHE_SECONDS
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < seconds and hit[2] == rev:
                self._cache.move_to_end(key)
                return hit[1]
        value = fn()
        with self._lock:
            self._cache[key] = (now, value, rev)
            self._cache.move_to_end(key)
            while len(self._cache) > MAX_CACHED:
                self._cache.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    # ------------------------------------------------------------ vocabularies
    def labels(self, layer: str) -> list[tuple[str, int]]:
        """Distinct labels of a layer with their article counts (most frequent first)."""
        rows = self.cached(("labels", layer), lambda: list(self.store.labels(layer)))
        return sorted(((str(a), int(b)) for a, b in rows), key=lambda x: (-x[1], x[0]))

    def known(self, layer: str) -> set[str]:
        return {label for label, _ in self.labels(layer)}

    def check_label(self, layer: str, value: str | None, what: str) -> None:
        if value is None:
            return
        layers = ("narrative", "subnarrative") if layer == "narrative" else (layer,)
        if not any(value in self.known(x) for x in layers):
            raise bad_request(f"unknown_{what}", f"{what}: {value[:80]!r} is not a {what} of "
                              "this corpus", parameter=what)

    def check_filters(self, f: Any) -> None:
        """400 for filter values that cannot match anything (unknown narrative, technique)."""
        self.check_label("narrative", f.narrative, "narrative")
        self.check_label("technique", f.technique, "technique")
        if f.outlet:
            names = self.outlet_names()
            for o in f.outlet:
                if o not in names:
                    raise bad_request("unknown_outlet", f"outlet: {o[:80]!r} is not an outlet "
                                      "of this corpus", parameter="outlet")

    # ------------------------------------------------------------------ basics
    def stats(self) -> dict[str, Any]:
        return self.cached("stats", lambda: jsonable(self.store.stats()))

    def overview_stats(self) -> dict[str, Any]:
        """The overview's counts (articles, outlets, first/last date, narrative labels,
        fact-check findings) without the store's per-layer count of every label row
        (218 of its 270 ms at 100,000 articles): the outlets' article counts and dates,
        the narrative totals and the fact-check vocabulary that the page reads anyway.
        Falls back to :meth:`stats` when some articles have no outlet (their dates are
        not in the outlets' rows)."""
        def load() -> dict[str, Any]:
            from narrascope.store import ArticleFilter

            n = self.count(ArticleFilter())
            outs = self.outlets()
            in_outlets = sum(int(o.get("articles") or 0) for o in outs)
            if in_outlets != n:
                return self.stats()
            firsts = [str(o["first_date"]) for o in outs if o.get("first_date")]
            lasts = [str(o["last_date"]) for o in outs if o.get("last_date")]
            narratives = sum(r["articles"] for r in self.label_totals("narrative",
                                                                      ArticleFilter()))
            facts = sum(c for _, c in self.labels("fact_check"))
            return {"articles": n, "outlets": len(outs), "articles_without_outlet": 0,
                    "first_date": min(firsts) if firsts else None,
                    "last_date": max(lasts) if lasts else None,
                    "labels": {"narrative": narratives, "fact_check": facts}}
        return self.cached("overview_stats", load)

    def outlets(self) -> list[dict[str, Any]]:
        def load() -> list[dict[str, Any]]:
            rows = [jsonable(as_dict(o)) for o in self.store.outlets()]
            rows.sort(key=lambda r: (-(r.get("articles") or 0), str(r.get("name"))))
            return rows
        return self.cached("outlets", load)

    def outlet_names(self) -> set[str]:
        return {str(o.get("name")) for o in self.outlets()}

    def outlet(self, name: str) -> dict[str, Any] | None:
        for o in self.outlets():
            if o.get("name") == name:
                return o
        return None

    def count(self, f: Any) -> int:
        return self.cached(("count", repr(f)), lambda: int(self.store.count(f)))

    def articles(self, f: Any, limit: int, offset: int, order: str) -> list[dict[str, Any]]:
        return [jsonable(as_dict(a)) for a in self.store.list_articles(f, limit=limit,
                                                                        offset=offset, order=order)]

    def article(self, article_id: str) -> Any:
        return self.store.get_article(article_id)

    # ------------------------------------------------------------------ trends
    def counts(self, layer: str, period: str, f: Any, min_confidence: float,
               by_outlet: bool, labels: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Articles per (period, label[, outlet]) of a filter (cached: the store is read-only);
        ``labels``: only these labels."""
        only = tuple(labels) if labels is not None else None
        return self.cached(("counts", layer, period, repr(f), min_confidence, by_outlet, only),
                           lambda: self._counts(layer, period, f, min_confidence, by_outlet, only))

    def _counts(self, layer: str, period: str, f: Any, min_confidence: float,
                by_outlet: bool, labels: tuple[str, ...] | None) -> list[dict[str, Any]]:
        rows = self.store.label_counts(layer, period=period, f=f, min_confidence=min_confidence,
                                       by_outlet=by_outlet,
                                       **({"labels": list(labels)} if labels is not None else {}))
        out = []
        for r in rows:
            d = as_dict(r)
            out.append({
                "period": jsonable(_first(d, "period", "week", "month", "day", "date")),
                "label": _first(d, "label"),
                "outlet": _first(d, "outlet"),
                "articles": int(_first(d, "articles", "count", "n", default=0)),
            })
        return out

    def trend(self, layer: str, period: str, f: Any, min_confidence: float = 0.0,
              top: int = 8, only: Iterable[str] | None = None, by: str = "label",
              labels: Iterable[str] | None = None) -> dict[str, Any]:
        """A chart-ready trend: ``periods`` and one ``series`` per label (or per outlet).

        ``by="outlet"`` with ``only=[label]`` draws one line per outlet for that label;
        ``labels``: count only these labels in the store (a narrower query than ``only``).
        """
        rows = self.counts(layer, period, f, min_confidence, by_outlet=True, labels=labels)
        wanted = set(only) if only is not None else None
        table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        periods: set[str] = set()
        for r in rows:
            if r["period"] is None:
                continue
            if wanted is not None and r["label"] not in wanted:
                continue
            key = r["label"] if by == "label" else (r["outlet"] or "(no outlet)")
            table[str(key)][str(r["period"])] += r["articles"]
            periods.add(str(r["period"]))
        ps = fill_periods(sorted(periods), period)
        totals = sorted(table, key=lambda k: (-sum(table[k].values()), k))
        series = [{"name": k, "total": sum(table[k].values()),
                   "values": [table[k].get(p, 0) for p in ps]} for k in totals[:top]]
        return {"layer": layer, "period": period, "by": by, "periods": ps, "series": series,
                "more": max(0, len(totals) - top)}

    def label_totals(self, layer: str, f: Any, min_confidence: float = 0.0,
                     period: str = "week") -> list[dict[str, Any]]:
        """Articles per label of a layer, with the number of outlets, for a filter."""
        rows = self.counts(layer, period, f, min_confidence, by_outlet=True)
        arts: dict[str, int] = defaultdict(int)
        outs: dict[str, set[str]] = defaultdict(set)
        for r in rows:
            arts[r["label"]] += r["articles"]
            if r["outlet"]:
                outs[r["label"]].add(r["outlet"])
        return [{"label": k, "articles": arts[k], "outlets": len(outs[k])}
                for k in sorted(arts, key=lambda k: (-arts[k], k))]

    # ---------------------------------------------------------------- entities
    def entity_table(self, f: Any) -> list[dict[str, Any]]:
        """Entities with the number of articles casting them in each main role."""
        if f is None or _empty_filter(f):
            rows = [{"label": lab, "articles": n} for lab, n in self.labels("entity_role")]
        else:
            rows = [{"label": r["label"], "articles": r["articles"]}
                    for r in self.counts("entity_role", "year", f, 0.0, by_outlet=False)]
        table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in rows:
            name, role = split_role(str(r["label"]))
            table[name][role] += int(r["articles"])
        out = [{"entity": k, "articles": sum(v.values()),
                **{role: v.get(role, 0) for role in ROLES}} for k, v in table.items()]
        out.sort(key=lambda r: (-r["articles"], r["entity"]))
        return out

    def entity_roles_of(self, f: Any) -> list[dict[str, Any]]:
        """Articles per (entity, main role) of a filter, most frequent first (the
        ``entity_role`` label counts)."""
        # weekly rows: the year's strftime per label row doubles the cost (348 -> 165 ms
        # for one outlet at 100,000 articles)
        rows = self.counts("entity_role", "week", f, 0.0, by_outlet=False)
        table: dict[tuple[str, str], int] = defaultdict(int)
        for r in rows:
            name, role = split_role(str(r["label"]))
            table[(name, role)] += int(r["articles"])
        return [{"entity": e, "role": role, "articles": n}
                for (e, role), n in sorted(table.items(), key=lambda x: (-x[1], x[0]))]

    def entity_trend(self, name: str, f: Any, period: str) -> tuple[list[dict[str, Any]],
                                                                      dict[str, Any]]:
        """Per outlet role counts and the role trend of one entity (articles)."""
        scope, labels = entity_scope(name, f)
        rows = self.counts("entity_role", period, scope, 0.0, by_outlet=True, labels=labels)
        by_outlet: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        by_period: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in rows:
            ent, role = split_role(str(r["label"]))
            if ent != name:
                continue
            by_outlet[str(r["outlet"] or "(no outlet)")][role] += r["articles"]
            if r["period"]:
                by_period[str(r["period"])][role] += r["articles"]
        periods = sorted(by_period)
        outlets = [{"outlet": o, "articles": sum(c.values()), **{k: c.get(k, 0) for k in ROLES}}
                   for o, c in sorted(by_outlet.items(), key=lambda x: (-sum(x[1].values()), x[0]))]
        trend = {"period": period, "by": "role", "periods": periods,
                 "series": [{"name": k, "cls": f"r-{k.lower()}",
                             "total": sum(by_period[p].get(k, 0) for p in periods),
                             "values": [by_period[p].get(k, 0) for p in periods]}
                            for k in ROLES if any(by_period[p].get(k) for p in periods)],
                 "more": 0}
        return outlets, trend

    # -------------------------------------------------------------- fact checks
    def recent_fact_checks(self, limit: int = 8) -> list[dict[str, Any]]:
        """The latest fact-check findings (newest articles first), with their messages."""
        from narrascope.store import ArticleFilter

        def load() -> list[dict[str, Any]]:
            found: list[dict[str, Any]] = []
            for verdict, _n in self.labels("fact_check"):
                for a in self.store.list_articles(ArticleFilter(verdict=verdict), limit=limit,
                                                  offset=0, order="-date"):
                    found.append(jsonable(as_dict(a)))
            uniq = {r["id"]: r for r in found}
            rows = sorted(uniq.values(), key=lambda r: (r.get("date") or "", r["id"]),
                          reverse=True)[:limit]
            out = []
            for r in rows:
                art = self.store.get_article(r["id"])
                for fc in (art.fact_checks if art is not None else []):
                    out.append({"article_id": r["id"], "outlet": r.get("outlet"),
                                "date": r.get("date"), "title": r.get("title"),
                                "verdict": fc.label, "severity": fc.severity,
                                "claim": fc.text, "message": fc.message,
                                "start": fc.start, "end": fc.end})
            return out[:limit]
        return self.cached(("fact_checks", limit), load)


ROLES = ("Protagonist", "Antagonist", "Innocent")


def entity_scope(name: str, f: Any) -> tuple[Any, list[str]]:
    """The filter and the ``entity_role`` labels (``"Name: Role"``) that count one entity's
    roles: the label says the entity and its role, so the filter drops them and the store
    counts a few labels through its index instead of every label of the entity's articles
    (2.4 s -> 8 ms cold at 100,000 articles)."""
    roles = [f.role] if getattr(f, "role", None) else list(ROLES)
    scope = dataclasses.replace(f, entity=None, role=None) if f is not None else None
    return scope, [f"{name}: {r}" for r in roles]


def split_role(label: str) -> tuple[str, str]:
    """``"Name: Role"`` (the store's entity_role labels) -> ``("Name", "Role")``."""
    name, sep, role = label.rpartition(": ")
    if not sep or role not in ROLES:
        return label, "no role"
    return name, role


def _empty_filter(f: Any) -> bool:
    return not any(v for v in as_dict(f).values())


def period_of(value: Any, period: str) -> str | None:
    """The first day of the day/week/month holding ``value`` (a date or ISO string)."""
    if value is None:
        return None
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    if period == "week":
        d = d - dt.timedelta(days=d.weekday())
    elif period == "month":
        d = d.replace(day=1)
    elif period == "year":
        d = d.replace(month=1, day=1)
    return d.isoformat()


def fill_periods(periods: list[str], period: str, most: int = 2000) -> list[str]:
    """Every day/week/month from the first to the last of ``periods`` (ISO dates), so a
    chart's x axis has no gaps; unchanged when the range would exceed ``most`` points."""
    if len(periods) < 2:
        return periods
    try:
        first, last = dt.date.fromisoformat(periods[0][:10]), dt.date.fromisoformat(periods[-1][:10])
    except ValueError:
        return periods
    out: list[str] = []
    d = first
    while d <= last and len(out) <= most:
        out.append(d.isoformat())
        if period == "day":
            d += dt.timedelta(days=1)
        elif period == "week":
            d += dt.timedelta(days=7)
        elif period == "month":
            d = (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
        else:
            d = d.replace(year=d.year + 1, month=1, day=1)
    if len(out) > most or not set(periods) <= set(out):
        return periods
    return out
