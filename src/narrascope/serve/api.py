"""The REST API under ``/api/v1`` (OpenAPI schema at ``/openapi.json``, docs at ``/docs``).

Each list endpoint answers JSON by default and CSV or Parquet with ``format=csv`` /
``format=parquet``; article lists are paginated (``limit``, ``offset``) with a stable
order (ties broken by id).  The ``build_*`` functions make the payloads; the pages
render the same payloads, so a page and its JSON link always show the same data.
"""

from __future__ import annotations

import csv
import hmac
import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from narrascope.doc import NOTICE
from narrascope.serve import corpus as corpus_views
from narrascope.serve.data import Data, entity_scope, jsonable
from narrascope.serve.errors import ServeError, bad_request, not_found
from narrascope.serve.params import PERIODS, Filters, Page, filters, page
from narrascope.write import guard_cell

router = APIRouter(prefix="/api/v1", tags=["api"])

#: Largest posted text and number of posted records of POST /api/v1/analyze.
MAX_ANALYZE_CHARS = 200_000
MAX_ANALYZE_RECORDS = 50

ARTICLE_COLUMNS = ("id", "outlet", "date", "date_source", "title", "url", "language",
                   "narratives")


def data_of(request: Request) -> Data:
    return request.app.state.data


def article_links(article_id: str) -> dict[str, str]:
    from narrascope.serve.app import url_part

    return {"api": f"/api/v1/articles/{url_part(article_id)}",
            "html": f"/articles/{url_part(article_id)}"}


# ------------------------------------------------------------------ table output


def _cell(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return "; ".join(str(_cell(x)) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return v


def table_response(rows: list[dict[str, Any]], columns: tuple[str, ...] | list[str], fmt: str,
                   name: str) -> Response:
    """Rows as a CSV (formula-guarded) or Parquet download."""
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([guard_cell(str(c).replace("\r", "\\r").replace("\n", "\\n"))
                        if isinstance(c, str) else c
                        for c in (_cell(r.get(k)) for k in columns)])
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        cols = {k: [_cell(r.get(k)) for r in rows] for k in columns}
        cols = {k: [None if v is None else (v if isinstance(v, int | float) and not
                                            isinstance(v, bool) else str(v)) for v in vs]
                for k, vs in cols.items()}
        table = pa.table(cols)
        sink = io.BytesIO()
        pq.write_table(table, sink)
        return Response(sink.getvalue(), media_type="application/vnd.apache.parquet",
                        headers={"Content-Disposition": f'attachment; filename="{name}.parquet"'})
    raise bad_request("bad_format", f"format {fmt!r} is not available here")


def fmt_param(format: Annotated[str, Query(description="json, csv or parquet.")] = "json") -> str:  # noqa: A002
    fmt = format.lower()
    if fmt not in ("json", "csv", "parquet"):
        raise bad_request("bad_format", f"format: {format[:20]!r} is not one of json, csv, "
                          "parquet", parameter="format")
    return fmt


def period_param(period: Annotated[str, Query(description="day, week or month.")] = "week") -> str:
    if period not in PERIODS:
        raise bad_request("bad_period", f"period: {period[:20]!r} is not one of "
                          f"{', '.join(PERIODS)}", parameter="period")
    return period


# --------------------------------------------------------------------- builders


def build_articles(data: Data, f: Filters, p: Page) -> dict[str, Any]:
    data.check_filters(f)
    sf = f.to_store()
    total = data.count(sf)
    items = data.articles(sf, limit=p.limit, offset=p.offset, order=p.order)
    for it in items:
        it["links"] = article_links(str(it.get("id")))
    base = f.query(order=p.order if p.order != "-date" else None, limit=p.limit)
    links: dict[str, str | None] = {
        "self": f"/api/v1/articles?{f.query(order=p.order, limit=p.limit, offset=p.offset)}",
        "next": (f"/api/v1/articles?{f.query(order=p.order, limit=p.limit, offset=p.offset + p.limit)}"
                 if p.offset + p.limit < total else None),
        "prev": (f"/api/v1/articles?{f.query(order=p.order, limit=p.limit, offset=max(0, p.offset - p.limit))}"
                 if p.offset > 0 else None),
        "csv": f"/api/v1/articles?{base}&offset={p.offset}&format=csv",
        "html": f"/search?{f.query(order=p.order if p.order != '-date' else None, offset=p.offset or None)}",
    }
    return {"total": total, "limit": p.limit, "offset": p.offset, "order": p.order,
            "filters": dict(f.items()), "items": items, "links": links, "notice": NOTICE}


def build_narratives(data: Data, f: Filters, layer: str, period: str, min_confidence: float,
                     top: int) -> dict[str, Any]:
    data.check_filters(f)
    sf = f.to_store()
    labels = data.label_totals(layer, sf, min_confidence, period=period)
    trend = data.trend(layer, period, sf, min_confidence, top=top)
    return {"layer": layer, "period": period, "min_confidence": min_confidence,
            "filters": dict(f.items()), "labels": labels, "trend": trend, "notice": NOTICE}


def build_narrative(data: Data, label: str, f: Filters, period: str, min_confidence: float,
                    examples: int = 8) -> dict[str, Any]:
    layer = "subnarrative" if label in data.known("subnarrative") else "narrative"
    if label not in data.known(layer):
        raise not_found("narrative", label)
    data.check_filters(f)
    f2 = Filters(**{**f.__dict__, "narrative": label})
    sf = f2.to_store()
    # the counts of all labels under the page's other filters (one cached query shared with
    # the overview and the narratives list) give this label's trend per outlet
    scope = f.to_store()
    full = data.trend(layer, period, scope, min_confidence, top=10_000, only=[label], by="outlet")
    trend = {**full, "series": full["series"][:10], "more": max(0, len(full["series"]) - 10)}
    per_outlet = [{"outlet": s["name"], "articles": s["total"]} for s in full["series"]]
    total = data.count(sf)
    items = data.articles(sf, limit=examples, offset=0, order="-date")
    for it in items:
        it["links"] = article_links(str(it.get("id")))
        it["evidence"] = _evidence_of(data, str(it.get("id")), label)
    return {"label": label, "layer": layer, "period": period, "articles": total,
            "filters": dict(f.items()), "outlets": per_outlet, "trend": trend,
            "examples": items, "notice": NOTICE}


def _evidence_of(data: Data, article_id: str, label: str) -> list[dict[str, Any]]:
    art = data.article(article_id)
    if art is None or art.narratives is None:
        return []
    for lab in [*art.narratives.narratives, *art.narratives.subnarratives]:
        if lab.label == label:
            return [{"start": e.start, "end": e.end, "text": e.text, "score": e.score}
                    for e in lab.evidence[:3]]
    return []


def build_entities(data: Data, f: Filters, limit: int) -> dict[str, Any]:
    data.check_filters(f)
    rows = data.entity_table(f.to_store())
    return {"filters": dict(f.items()), "total": len(rows), "items": rows[:limit],
            "notice": NOTICE}


def build_entity(data: Data, name: str, f: Filters, period: str) -> dict[str, Any]:
    data.check_filters(f)
    f2 = Filters(**{**f.__dict__, "entity": name})
    sf = f2.to_store()
    total = data.count(sf)
    if total == 0 and f.empty:
        raise not_found("entity", name)
    outlets, trend = data.entity_trend(name, sf, period)
    # the role the page follows per outlet: the one asked for, else the most frequent
    totals = {s["name"]: s["total"] for s in trend["series"]}
    role = f.role or (max(totals, key=lambda k: (totals[k], k)) if totals else "Antagonist")
    scope, labels = entity_scope(name, sf)
    by_outlet = data.trend("entity_role", period, scope, top=10, only=[f"{name}: {role}"],
                           by="outlet", labels=labels)
    recent = data.articles(sf, limit=10, offset=0, order="-date")
    for it in recent:
        it["links"] = article_links(str(it.get("id")))
    return {"entity": name, "articles": total, "filters": dict(f.items()), "period": period,
            "outlets": outlets, "trend": trend, "role": role, "trend_by_outlet": by_outlet,
            "recent": recent, "notice": NOTICE}


def build_outlet(data: Data, name: str, period: str, profile: bool = True) -> dict[str, Any]:
    """One outlet's payload; ``profile=False`` (the page) leaves out the corpus profile,
    which reads every label row of the outlet (2.2 s cold at 100,000 articles): the page
    shows how the outlet casts entities from the counted entity-role labels instead."""
    info = data.outlet(name)
    if info is None:
        raise not_found("outlet", name)
    f = Filters(outlet=[name])
    sf = f.to_store()
    narratives = data.label_totals("narrative", sf)[:15]
    techniques = data.label_totals("technique", sf)[:10]
    trend = data.trend("narrative", period, sf, top=6)
    recent = data.articles(sf, limit=10, offset=0, order="-date")
    for it in recent:
        it["links"] = article_links(str(it.get("id")))
    partners = corpus_views.copy_partners(data, name)
    total = max(1, int(info.get("articles") or 0))
    entities = [{**r, "label": f"{r['entity']} ({r['role']})",
                 "share": round(r["articles"] / total, 4)}
                for r in data.entity_roles_of(sf)[:10]]
    out = {"outlet": info, "narratives": narratives, "techniques": techniques,
           "trend": trend, "recent": recent, "entities": entities,
           "copy_partners": partners, "notice": NOTICE}
    if profile:
        out["profile"] = corpus_views.outlet_profile(data, name)
    return out


def build_overview(data: Data, period: str = "week") -> dict[str, Any]:
    stats = data.overview_stats()
    f = Filters()
    sf = f.to_store()
    return {
        "stats": stats,
        "narratives": data.label_totals("narrative", sf)[:12],
        "outlets": data.outlets()[:10],
        "emerging": corpus_views.emerging(data, limit=8),
        "fact_checks": data.recent_fact_checks(limit=8),
        "period": period,
        "notice": NOTICE,
    }


# ----------------------------------------------------------------------- routes


@router.get("/stats", summary="Corpus counts")
def stats(request: Request) -> dict[str, Any]:
    """Articles, outlets, first/last date, labels per layer, failures, runs."""
    return {**data_of(request).stats(), "notice": NOTICE}


@router.get("/articles", summary="Articles matching filters (JSON, CSV or Parquet)")
def articles(request: Request, f: Annotated[Filters, Depends(filters)],
             p: Annotated[Page, Depends(page)]) -> Any:
    payload = build_articles(data_of(request), f, p)
    if p.format == "json":
        return payload
    return table_response(payload["items"], ARTICLE_COLUMNS, p.format, "articles")


@router.get("/articles/{article_id:path}", summary="One article with all its layers")
def article(request: Request, article_id: str) -> Any:
    """The full record: text, metadata and every layer, all spans as [start, end) offsets."""
    art = data_of(request).article(article_id)
    if art is None:
        raise not_found("article", article_id)
    rec = art.to_json_dict()
    rec["links"] = article_links(art.id)
    return JSONResponse(rec)


@router.get("/narratives", summary="Narrative counts and trends")
def narratives(request: Request, f: Annotated[Filters, Depends(filters)],
               period: Annotated[str, Depends(period_param)],
               fmt: Annotated[str, Depends(fmt_param)],
               layer: Annotated[str, Query(description="narrative, subnarrative, domain or "
                                           "technique")] = "narrative",
               min_confidence: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
               top: Annotated[int, Query(ge=1, le=50)] = 8) -> Any:
    if layer not in ("narrative", "subnarrative", "domain", "technique"):
        raise bad_request("bad_layer", f"layer: {layer[:20]!r} is not one of narrative, "
                          "subnarrative, domain, technique", parameter="layer")
    payload = build_narratives(data_of(request), f, layer, period, min_confidence, top)
    if fmt == "json":
        return payload
    return table_response(payload["labels"], ("label", "articles", "outlets"), fmt, "narratives")


@router.get("/narratives/{label:path}", summary="One narrative: trend per outlet, examples")
def narrative(request: Request, label: str, f: Annotated[Filters, Depends(filters)],
              period: Annotated[str, Depends(period_param)],
              fmt: Annotated[str, Depends(fmt_param)],
              min_confidence: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0) -> Any:
    payload = build_narrative(data_of(request), label, f, period, min_confidence)
    if fmt == "json":
        return payload
    return table_response(payload["outlets"], ("outlet", "articles"), fmt, "narrative-outlets")


@router.get("/techniques", summary="Persuasion-technique counts and trends")
def techniques(request: Request, f: Annotated[Filters, Depends(filters)],
               period: Annotated[str, Depends(period_param)],
               fmt: Annotated[str, Depends(fmt_param)],
               top: Annotated[int, Query(ge=1, le=50)] = 8) -> Any:
    payload = build_narratives(data_of(request), f, "technique", period, 0.0, top)
    if fmt == "json":
        return payload
    return table_response(payload["labels"], ("label", "articles", "outlets"), fmt, "techniques")


@router.get("/entities", summary="Entities and how the articles cast them")
def entities(request: Request, f: Annotated[Filters, Depends(filters)],
             fmt: Annotated[str, Depends(fmt_param)],
             limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
    payload = build_entities(data_of(request), f, limit)
    if fmt == "json":
        return payload
    return table_response(payload["items"], ("entity", "articles", "Protagonist", "Antagonist",
                                             "Innocent"), fmt, "entities")


@router.get("/entities/{name:path}", summary="One entity: its roles per outlet and over time")
def entity(request: Request, name: str, f: Annotated[Filters, Depends(filters)],
           period: Annotated[str, Depends(period_param)],
           fmt: Annotated[str, Depends(fmt_param)],
           chart: Annotated[str, Query(description="'roles' (trend per main role) or "
                                       "'outlets' (trend per outlet of one role) in 'trend'")
                            ] = "roles") -> Any:
    if chart not in ("roles", "outlets"):
        raise bad_request("bad_chart", "chart: want roles or outlets", parameter="chart")
    payload = build_entity(data_of(request), name, f, period)
    if chart == "outlets":
        payload = {**payload, "trend": payload["trend_by_outlet"]}
    if fmt == "json":
        return payload
    return table_response(payload["outlets"], ("outlet", "articles", "Protagonist", "Antagonist",
                                               "Innocent"), fmt, "entity-outlets")


@router.get("/outlets", summary="Outlets with their article counts")
def outlets(request: Request, fmt: Annotated[str, Depends(fmt_param)]) -> Any:
    rows = data_of(request).outlets()
    if fmt == "json":
        return {"total": len(rows), "items": rows, "notice": NOTICE}
    return table_response(rows, ("name", "articles", "first_date", "last_date", "country",
                                 "type", "network", "domains"), fmt, "outlets")


@router.get("/outlets/{name:path}", summary="One outlet: profile, narratives, copy partners")
def outlet(request: Request, name: str,
           period: Annotated[str, Depends(period_param)]) -> Any:
    return build_outlet(data_of(request), name, period)


@router.get("/copies", summary="Copied texts: pairs of articles that share text")
def copies(request: Request, fmt: Annotated[str, Depends(fmt_param)],
           outlet: Annotated[str | None, Query()] = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
    payload = corpus_views.copies(data_of(request), outlet=outlet, limit=limit)
    if fmt == "json":
        return payload
    return table_response(payload["edges"], ("source", "target", "pairs", "copy", "partial",
                                             "rewrite", "median_lag_days"), fmt, "copies")


@router.get("/clusters", summary="Story clusters")
def clusters(request: Request, fmt: Annotated[str, Depends(fmt_param)],
             limit: Annotated[int, Query(ge=1, le=500)] = 100) -> Any:
    payload = corpus_views.clusters(data_of(request), limit=limit)
    if fmt == "json":
        return payload
    return table_response(payload["items"], ("id", "label", "articles", "outlets", "first_date",
                                             "last_date"), fmt, "clusters")


@router.get("/clusters/{cluster_id}", summary="One story cluster: timeline, outlets, paragraphs")
def cluster(request: Request, cluster_id: str) -> Any:
    return corpus_views.cluster(data_of(request), cluster_id)


@router.get("/emerging", summary="Emerging stories and narratives")
def emerging(request: Request, fmt: Annotated[str, Depends(fmt_param)],
             limit: Annotated[int, Query(ge=1, le=200)] = 20) -> Any:
    payload = corpus_views.emerging(data_of(request), limit=limit)
    if fmt == "json":
        return payload
    return table_response(payload.get("items") or [], ("kind", "label", "score", "articles",
                                                       "first_date", "last_date"), fmt, "emerging")


# ---------------------------------------------------------------------- analyze


def check_token(request: Request) -> None:
    expected = request.app.state.token
    header = request.headers.get("authorization", "")
    scheme, _, given = header.partition(" ")
    if not header or scheme.lower() != "bearer" or not given.strip():
        raise ServeError(401, "unauthorized", "this endpoint needs 'Authorization: Bearer TOKEN'")
    if expected is None:
        raise ServeError(403, "forbidden", "the server is read-only (start it with --token)")
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise ServeError(403, "forbidden", "wrong token")


@router.post("/analyze", summary="Analyse posted text or JSONL records (needs the token)")
async def analyze(request: Request,
                  store: Annotated[bool, Query(description="Also ingest the results into the "
                                               "store.")] = False) -> Any:
    """Body: a JSON object (``{"text": ..., "id"?, "title"?, "date"?, "source"?, "url"?}``), a
    JSON list of such objects, or JSONL (``Content-Type: application/x-ndjson``).  Answers the
    analysed records.  Limits: 50 records, 200,000 characters of text each."""
    check_token(request)
    raw = await request.body()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("bad_body", "the body is not UTF-8") from None
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    records: list[Any] = []
    try:
        if ctype in ("application/x-ndjson", "application/jsonl", "application/x-jsonlines"):
            records = [json.loads(line) for line in body.splitlines() if line.strip()]
        elif ctype == "text/plain":
            records = [{"id": "posted", "text": body}]
        else:
            obj = json.loads(body)
            records = obj if isinstance(obj, list) else [obj]
    except json.JSONDecodeError as exc:
        raise bad_request("bad_json", f"malformed JSON: {exc.msg} (line {exc.lineno})") from None
    if not records:
        raise bad_request("empty", "no records posted")
    if len(records) > MAX_ANALYZE_RECORDS:
        raise bad_request("too_many", f"at most {MAX_ANALYZE_RECORDS} records per request")
    from narrascope.doc import Article

    arts = []
    for i, rec in enumerate(records, 1):
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str) or not rec["text"]:
            raise bad_request("bad_record", f"record {i}: needs a non-empty 'text' string")
        if len(rec["text"]) > MAX_ANALYZE_CHARS:
            raise bad_request("too_long", f"record {i}: text over {MAX_ANALYZE_CHARS} characters")
        keep = {k: rec[k] for k in ("id", "text", "title", "date", "source", "url", "language")
                if rec.get(k) is not None}
        keep.setdefault("id", f"posted-{i}")
        try:
            arts.append(Article.model_validate(keep))
        except Exception as exc:
            raise bad_request("bad_record", f"record {i}: {str(exc).splitlines()[0][:200]}") from None
    fn = request.app.state.analyze
    if fn is None:
        fn = default_analyzer(request.app)
    from starlette.concurrency import run_in_threadpool

    done = await run_in_threadpool(lambda: list(fn(arts)))
    stored = 0
    if store:
        stored = await run_in_threadpool(lambda: store_articles(request.app, done))
    return {"items": [jsonable(a.to_json_dict()) for a in done], "stored": stored,
            "notice": NOTICE}


def default_analyzer(app: Any) -> Any:
    nlp = getattr(app.state, "pipeline", None)
    if nlp is None:
        import narrascope

        nlp = narrascope.load()
        app.state.pipeline = nlp
    return nlp.pipe


def store_articles(app: Any, articles: list[Any]) -> int:
    writer = getattr(app.state, "writer", None)
    if writer is None:
        url = getattr(app.state, "db_url", None)
        if url is None:
            raise ServeError(409, "no_store", "this server was not given a database URL to write to")
        from narrascope.store import open_store

        writer = open_store(url, readonly=False)
        app.state.writer = writer
    writer.ingest(articles)
    app.state.data.clear()
    return len(articles)
