"""The dashboard: server-rendered pages (Jinja2, autoescaped) over the API's payloads.

Every page keeps its filters in its URL and links to the same data as JSON and CSV.
Charts read their data from ``data-*`` attributes or from the JSON endpoints
(``static/chart.js``); no page has inline script or style.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from narrascope.serve import api
from narrascope.serve import corpus as corpus_views
from narrascope.serve.app import url_part
from narrascope.serve.data import Data
from narrascope.serve.errors import not_found
from narrascope.serve.params import DEFAULT_PAGE, ORDERS, ROLES, VERDICTS, Filters, Page, filters
from narrascope.serve.params import page as page_params
from narrascope.serve.reader import LAYERS, reader_context

router = APIRouter(include_in_schema=False)

NAV = (("/", "Overview"), ("/narratives", "Narratives"), ("/outlets", "Outlets"),
       ("/entities", "Entities"), ("/clusters", "Stories"), ("/copies", "Copies"),
       ("/search", "Search"), ("/docs", "API"))


def data_of(request: Request) -> Data:
    return request.app.state.data


def render(request: Request, template: str, nav: str, title: str, **ctx: Any) -> HTMLResponse:
    env = request.app.state.templates
    from narrascope.store import ArticleFilter

    empty = data_of(request).count(ArticleFilter()) == 0
    html = env.get_template(template).render(
        request=request, nav=nav, nav_items=NAV, title=title,
        app_title=request.app.state.title, store_empty=empty, **ctx)
    return HTMLResponse(html)


def _period(period: str) -> str:
    return api.period_param(period)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, period: str = "week") -> HTMLResponse:
    period = _period(period)
    d = data_of(request)
    payload = api.build_overview(d, period)
    q = Filters().query(period=period)
    return render(request, "overview.html", "/", "Overview", o=payload, period=period,
                  trend_src=f"/api/v1/narratives?{q}&top=8",
                  json_url="/api/v1/stats", csv_url=f"/api/v1/narratives?{q}&format=csv")


@router.get("/narratives", response_class=HTMLResponse)
def narratives(request: Request, f: Annotated[Filters, Depends(filters)],
               period: str = "week", layer: str = "narrative") -> HTMLResponse:
    period = _period(period)
    if layer not in ("narrative", "subnarrative", "technique"):
        layer = "narrative"
    d = data_of(request)
    payload = api.build_narratives(d, f, layer, period, 0.0, 8)
    q = f.query(period=period, layer=layer)
    return render(request, "narratives.html", "/narratives", "Narratives", p=payload, f=f,
                  period=period, layer=layer, outlets=d.outlets(),
                  trend_src=f"/api/v1/narratives?{q}&top=8",
                  json_url=f"/api/v1/narratives?{q}", csv_url=f"/api/v1/narratives?{q}&format=csv")


@router.get("/narratives/{label:path}", response_class=HTMLResponse)
def narrative(request: Request, label: str, f: Annotated[Filters, Depends(filters)],
              period: str = "week") -> HTMLResponse:
    period = _period(period)
    d = data_of(request)
    payload = api.build_narrative(d, label, f, period, 0.0)
    q = f.query(period=period)
    base = f"/api/v1/narratives/{url_part(label)}?{q}"
    search = Filters(**{**f.__dict__, "narrative": label}).query()
    return render(request, "narrative.html", "/narratives", label, p=payload, f=f,
                  period=period, outlets=d.outlets(), trend_src=base, json_url=base,
                  csv_url=f"{base}&format=csv", search_url=f"/search?{search}")


@router.get("/outlets", response_class=HTMLResponse)
def outlets(request: Request) -> HTMLResponse:
    rows = data_of(request).outlets()
    return render(request, "outlets.html", "/outlets", "Outlets", rows=rows,
                  json_url="/api/v1/outlets", csv_url="/api/v1/outlets?format=csv")


@router.get("/outlets/{name:path}", response_class=HTMLResponse)
def outlet(request: Request, name: str, period: str = "week") -> HTMLResponse:
    period = _period(period)
    payload = api.build_outlet(data_of(request), name, period, profile=False)
    base = f"/api/v1/outlets/{url_part(name)}?period={period}"
    trend_src = f"/api/v1/narratives?{Filters(outlet=[name]).query(period=period)}&top=6"
    return render(request, "outlet.html", "/outlets", name, p=payload, name=name, period=period,
                  trend_src=trend_src, json_url=base,
                  csv_url=f"/api/v1/articles?{Filters(outlet=[name]).query()}&format=csv&limit=1000",
                  search_url=f"/search?{Filters(outlet=[name]).query()}")


@router.get("/entities", response_class=HTMLResponse)
def entities(request: Request, f: Annotated[Filters, Depends(filters)]) -> HTMLResponse:
    d = data_of(request)
    payload = api.build_entities(d, f, 200)
    q = f.query()
    return render(request, "entities.html", "/entities", "Entities", p=payload, f=f,
                  outlets=d.outlets(), roles=ROLES, json_url=f"/api/v1/entities?{q}",
                  csv_url=f"/api/v1/entities?{q}&format=csv")


@router.get("/entities/{name:path}", response_class=HTMLResponse)
def entity(request: Request, name: str, f: Annotated[Filters, Depends(filters)],
           period: str = "week") -> HTMLResponse:
    period = _period(period)
    d = data_of(request)
    payload = api.build_entity(d, name, f, period)
    q = f.query(period=period)
    base = f"/api/v1/entities/{url_part(name)}?{q}"
    return render(request, "entity.html", "/entities", name, p=payload, f=f, name=name,
                  period=period, outlets=d.outlets(), roles=ROLES, trend_src=base,
                  outlet_src=f"{base}&chart=outlets",
                  json_url=base, csv_url=f"{base}&format=csv",
                  search_url=f"/search?{Filters(**{**f.__dict__, 'entity': name}).query()}")


@router.get("/clusters", response_class=HTMLResponse)
def clusters(request: Request) -> HTMLResponse:
    payload = corpus_views.clusters(data_of(request), limit=200)
    return render(request, "clusters.html", "/clusters", "Story clusters", p=payload,
                  json_url="/api/v1/clusters", csv_url="/api/v1/clusters?format=csv")


@router.get("/clusters/{cluster_id}", response_class=HTMLResponse)
def cluster(request: Request, cluster_id: str) -> HTMLResponse:
    payload = corpus_views.cluster(data_of(request), cluster_id)
    return render(request, "cluster.html", "/clusters", f"Story {cluster_id}", p=payload,
                  json_url=f"/api/v1/clusters/{url_part(cluster_id)}", csv_url=None)


@router.get("/copies", response_class=HTMLResponse)
def copies(request: Request, outlet: Annotated[str | None, Query()] = None) -> HTMLResponse:
    payload = corpus_views.copies(data_of(request), outlet=outlet, limit=300)
    q = f"?outlet={url_part(outlet)}" if outlet else ""
    return render(request, "copies.html", "/copies", "Copy network", p=payload, outlet=outlet,
                  graph=circle_layout(payload), json_url=f"/api/v1/copies{q}",
                  csv_url=f"/api/v1/copies{q}{'&' if q else '?'}format=csv")


#: Font size of the network's labels (app.css ``.network text``) and the width of a
#: character there, wide enough for capitals and digits.
LABEL_FONT = 11.0
CHAR_WIDTH = 0.62 * LABEL_FONT
NODE_RADIUS = 6.0


def _segment_hits_box(x1: float, y1: float, x2: float, y2: float,
                      box: tuple[float, float, float, float]) -> bool:
    """Whether the segment (x1, y1)-(x2, y2) crosses the box (x0, y0, x1, y1) (Liang-Barsky)."""
    bx0, by0, bx1, by1 = box
    dx, dy = x2 - x1, y2 - y1
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x1 - bx0), (dx, bx1 - x1), (-dy, y1 - by0), (dy, by1 - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _boxes_overlap(a: tuple[float, float, float, float],
                   b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def label_box(x: float, y: float, anchor: str, text: str) -> tuple[float, float, float, float]:
    """The box a label takes: ``(x, y)`` is its baseline point with that text-anchor."""
    w = CHAR_WIDTH * len(text)
    x0 = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
    return (x0, y - LABEL_FONT * 0.85, x0 + w, y + LABEL_FONT * 0.25)


def circle_layout(payload: dict[str, Any], size: int = 520) -> dict[str, Any]:
    """Outlets on a circle, edges between copy partners: an SVG drawn by the template.

    Each label sits outside the circle, next to its node, at the first of a few places
    (further out, then nudged up or down) where it crosses no line, node or other label;
    the view box grows to hold every label, so none is cut off."""
    edges = payload.get("edges") or []
    names: list[str] = []
    for e in edges:
        for k in ("source", "target"):
            if e.get(k) is not None and str(e[k]) not in names:
                names.append(str(e[k]))
    n = len(names)
    r = size / 2 - 90
    pos: dict[str, tuple[float, float, float]] = {}
    for i, name in enumerate(names):
        a = 2 * math.pi * i / max(n, 1) - math.pi / 2
        pos[name] = (round(size / 2 + r * math.cos(a), 1), round(size / 2 + r * math.sin(a), 1),
                     a)
    most = max([float(e.get("pairs") or e.get("weight") or 1) for e in edges] or [1.0])
    lines = []
    for e in edges:
        s, t = pos.get(str(e.get("source"))), pos.get(str(e.get("target")))
        if s and t:
            w = float(e.get("pairs") or e.get("weight") or 1)
            lines.append({"x1": s[0], "y1": s[1], "x2": t[0], "y2": t[1],
                          "w": round(1 + 5 * w / most, 1), "title": f"{e.get('source')} - "
                          f"{e.get('target')}: {e.get('pairs') or e.get('weight')}"})
    circles = [(x - NODE_RADIUS - 1, y - NODE_RADIUS - 1, x + NODE_RADIUS + 1, y + NODE_RADIUS + 1)
               for x, y, _ in pos.values()]
    placed: list[tuple[float, float, float, float]] = []
    nodes = []
    for name, (x, y, a) in pos.items():
        text = name if len(name) <= 28 else name[:27] + "…"
        c, sn = math.cos(a), math.sin(a)
        anchor = "start" if c > 0.3 else ("end" if c < -0.3 else "middle")
        best: tuple[float, float, tuple[float, float, float, float]] | None = None
        for out in (12.0, 22.0, 34.0):
            for nudge in (0.0, -12.0, 12.0, -24.0, 24.0):
                lx = x + c * out
                ly = y + sn * out + (LABEL_FONT * 0.35 if anchor != "middle" else
                                     (LABEL_FONT * 0.85 if sn > 0 else 0.0)) + nudge
                box = label_box(lx, ly, anchor, text)
                pad = (box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2)
                if any(_boxes_overlap(pad, b) for b in placed + circles):
                    continue
                if any(_segment_hits_box(ln["x1"], ln["y1"], ln["x2"], ln["y2"], pad)
                       for ln in lines):
                    continue
                best = (lx, ly, box)
                break
            if best is not None:
                break
        if best is None:  # crowded: the plain place next to the node
            lx, ly = x + c * 12, y + sn * 12 + LABEL_FONT * 0.35
            best = (lx, ly, label_box(lx, ly, anchor, text))
        placed.append(best[2])
        nodes.append({"name": name, "label": text, "x": x, "y": y, "anchor": anchor,
                      "lx": round(best[0], 1), "ly": round(best[1], 1),
                      "box": [round(v, 1) for v in best[2]]})
    xs = [0.0, float(size)] + [b[0] for b in placed] + [b[2] for b in placed]
    ys = [0.0, float(size)] + [b[1] for b in placed] + [b[3] for b in placed]
    x0, y0 = math.floor(min(xs)) - 4, math.floor(min(ys)) - 4
    w, h = math.ceil(max(xs)) + 4 - x0, math.ceil(max(ys)) + 4 - y0
    return {"size": size, "viewbox": f"{x0} {y0} {w} {h}", "nodes": nodes, "lines": lines}


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, f: Annotated[Filters, Depends(filters)],
           p: Annotated[Page, Depends(page_params)]) -> HTMLResponse:
    d = data_of(request)
    if p.limit == 0 or p.limit > 200:
        p.limit = DEFAULT_PAGE
    payload = api.build_articles(d, f, p)
    q = f.query(order=p.order if p.order != "-date" else None)
    pages = {
        "prev": f"/search?{f.query(order=p.order if p.order != '-date' else None, offset=max(0, p.offset - p.limit) or None, limit=p.limit if p.limit != DEFAULT_PAGE else None)}"
        if p.offset > 0 else None,
        "next": f"/search?{f.query(order=p.order if p.order != '-date' else None, offset=p.offset + p.limit, limit=p.limit if p.limit != DEFAULT_PAGE else None)}"
        if p.offset + p.limit < payload["total"] else None,
    }
    return render(request, "search.html", "/search", "Search", p=payload, f=f, page=p,
                  pages=pages, outlets=d.outlets(), roles=ROLES, verdicts=VERDICTS,
                  orders=ORDERS, narratives=d.labels("narrative"),
                  techniques=d.labels("technique"),
                  json_url=f"/api/v1/articles?{q}&offset={p.offset}&limit={p.limit}",
                  csv_url=f"/api/v1/articles?{q}&offset={p.offset}&limit={p.limit}&format=csv")


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
def reader(request: Request, article_id: str,
           layers: Annotated[str | None, Query(max_length=200)] = None,
           layer: Annotated[list[str], Query(max_length=20)] = []) -> HTMLResponse:  # noqa: B006
    art = data_of(request).article(article_id)
    if art is None:
        raise not_found("article", article_id)
    if layer:
        shown: set[str] | None = {x for x in layer if x in LAYERS}
    elif layers is not None:
        shown = {x for x in layers.split(",") if x in LAYERS}
    else:
        shown = None
    ctx = reader_context(art, shown)
    d = data_of(request)
    return render(request, "reader.html", "", art.title or art.id, **ctx,
                  copies=corpus_views.article_copies(d, art.id),
                  story=corpus_views.article_story(d, art.id),
                  json_url=f"/api/v1/articles/{url_part(art.id)}", csv_url=None)


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> HTMLResponse:
    spec = request.app.openapi()
    ops = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [{"name": p.get("name"), "in": p.get("in"),
                       "required": p.get("required", False),
                       "description": p.get("description") or p.get("schema", {}).get("description", ""),
                       "type": _schema_type(p.get("schema", {}))}
                      for p in op.get("parameters", [])]
            ops.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "description": op.get("description", ""), "params": params})
    return render(request, "docs.html", "/docs", "API", ops=ops, spec=spec,
                  json_url="/openapi.json", csv_url=None)


def _schema_type(schema: dict[str, Any]) -> str:
    if "type" in schema:
        if schema["type"] == "array":
            return f"list of {_schema_type(schema.get('items', {}))}"
        return str(schema["type"])
    if "anyOf" in schema:
        return " or ".join(_schema_type(s) for s in schema["anyOf"] if s.get("type") != "null")
    return ""
