"""Query parameters shared by the API and the pages: filters, pagination, sort, format.

Every page keeps its filters in its URL; :meth:`Filters.query` writes them back so
the page can link to the same data as JSON or CSV.  Invalid values raise
:class:`~narrascope.serve.errors.ServeError` (400) with a message naming the
parameter (a bad date, an unknown narrative, a page that is too large).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query

from narrascope.serve.errors import bad_request

#: Largest page of a JSON list / of a CSV or Parquet export.
MAX_PAGE = 500
MAX_EXPORT = 10_000
DEFAULT_PAGE = 50
#: Longest full-text query and filter value.
MAX_QUERY_CHARS = 500
ORDERS = ("-date", "date", "id", "-id")
ROLES = ("Protagonist", "Antagonist", "Innocent")
VERDICTS = ("not_in_office_on_date", "never_held", "held_only_before", "held_only_after")
PERIODS = ("day", "week", "month")
FORMATS = ("json", "csv", "parquet")


def parse_date(name: str, value: str | None) -> dt.date | None:
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise bad_request("bad_date", f"{name}: {value[:40]!r} is not a date (YYYY-MM-DD)",
                          parameter=name) from None


def _text(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > MAX_QUERY_CHARS:
        raise bad_request("too_long", f"{name}: longer than {MAX_QUERY_CHARS} characters",
                          parameter=name)
    return value


@dataclass
class Filters:
    """The article filters of a request (the fields of the store's ``ArticleFilter``)."""

    outlet: list[str] = field(default_factory=list)
    since: dt.date | None = None
    until: dt.date | None = None
    narrative: str | None = None
    entity: str | None = None
    role: str | None = None
    technique: str | None = None
    verdict: str | None = None
    q: str | None = None
    language: str | None = None

    def items(self) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = [("outlet", o) for o in self.outlet]
        for k in ("since", "until", "narrative", "entity", "role", "technique", "verdict", "q",
                  "language"):
            v = getattr(self, k)
            if v is not None:
                out.append((k, str(v)))
        return out

    def query(self, **extra: Any) -> str:
        """The filters (and ``extra`` parameters, None dropped) as a query string."""
        items = self.items() + [(k, str(v)) for k, v in extra.items() if v is not None]
        return urlencode(items)

    @property
    def empty(self) -> bool:
        return not self.items()

    def to_store(self, ids: list[str] | None = None) -> Any:
        from narrascope.store import ArticleFilter

        kw: dict[str, Any] = {
            "outlet": list(self.outlet) or None, "since": self.since, "until": self.until,
            "narrative": self.narrative, "entity": self.entity, "role": self.role,
            "technique": self.technique, "verdict": self.verdict, "text": self.q,
            "language": self.language,
        }
        if ids is not None:
            kw["ids"] = ids
        return ArticleFilter(**kw)


def filters(
    outlet: Annotated[list[str], Query(description="Outlet name (repeat for several).")] = [],  # noqa: B006
    since: Annotated[str | None, Query(description="First date, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, Query(description="Last date (inclusive), YYYY-MM-DD.")] = None,
    narrative: Annotated[str | None, Query(description="Narrative or subnarrative label.")] = None,
    entity: Annotated[str | None, Query(description="Canonical entity name.")] = None,
    role: Annotated[str | None, Query(description="Main role of the entity: "
                                      "Protagonist, Antagonist or Innocent.")] = None,
    technique: Annotated[str | None, Query(description="Persuasion technique.")] = None,
    verdict: Annotated[str | None, Query(description="Fact-check verdict.")] = None,
    q: Annotated[str | None, Query(description="Full-text search.")] = None,
    language: Annotated[str | None, Query(description="ISO 639-1 language code.")] = None,
) -> Filters:
    """FastAPI dependency: the filters of the query string, checked."""
    if len(outlet) > 50:
        raise bad_request("too_many", "outlet: at most 50 outlets", parameter="outlet")
    f = Filters(
        outlet=[o for o in (_text("outlet", o) for o in outlet) if o],
        since=parse_date("since", since), until=parse_date("until", until),
        narrative=_text("narrative", narrative), entity=_text("entity", entity),
        role=_text("role", role), technique=_text("technique", technique),
        verdict=_text("verdict", verdict), q=_text("q", q), language=_text("language", language),
    )
    if f.since and f.until and f.since > f.until:
        raise bad_request("bad_date", f"since {f.since} is after until {f.until}",
                          parameter="since")
    if f.role is not None:
        match = {r.lower(): r for r in ROLES}.get(f.role.lower())
        if match is None:
            raise bad_request("unknown_role", f"role: {f.role[:40]!r} is not one of "
                              f"{', '.join(ROLES)}", parameter="role")
        f.role = match
    if f.verdict is not None and f.verdict not in VERDICTS:
        raise bad_request("unknown_verdict", f"verdict: {f.verdict[:40]!r} is not one of "
                          f"{', '.join(VERDICTS)}", parameter="verdict")
    return f


@dataclass
class Page:
    limit: int
    offset: int
    order: str
    format: str = "json"


def page(
    limit: Annotated[int, Query(ge=0, description=f"Page size (at most {MAX_PAGE}; "
                                f"{MAX_EXPORT} for CSV/Parquet).")] = DEFAULT_PAGE,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    order: Annotated[str, Query(description="Sort: " + ", ".join(ORDERS) +
                                " (ties broken by id, so pages are stable).")] = "-date",
    format: Annotated[str, Query(description="json, csv or parquet.")] = "json",  # noqa: A002
) -> Page:
    fmt = format.lower()
    if fmt not in FORMATS:
        raise bad_request("bad_format", f"format: {format[:20]!r} is not one of "
                          f"{', '.join(FORMATS)}", parameter="format")
    most = MAX_PAGE if fmt == "json" else MAX_EXPORT
    if limit > most:
        raise bad_request("page_too_large", f"limit: {limit} is over the largest page ({most})",
                          parameter="limit", max=most)
    if order not in ORDERS:
        raise bad_request("bad_order", f"order: {order[:20]!r} is not one of {', '.join(ORDERS)}",
                          parameter="order")
    return Page(limit=limit, offset=offset, order=order, format=fmt)
