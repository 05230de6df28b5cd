"""The ASGI application: ``create_app(store)`` -> FastAPI with the API and the dashboard.

Read-only by default: the only endpoint that writes (``POST /api/v1/analyze``) needs
the token the server was started with (``--token`` / ``NARRASCOPE_TOKEN``); 401
without one, 403 with a wrong one or when the server has none.  Every response
carries a strict Content-Security-Policy (scripts and styles only from this server's
``/static``, no inline code), and no endpoint reads files of the server other than
the packaged static files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from narrascope import __version__
from narrascope.doc import NOTICE
from narrascope.serve.data import Data
from narrascope.serve.errors import ServeError

HERE = Path(__file__).parent
STATIC = HERE / "static"

#: The Content-Security-Policy of every response: nothing inline, nothing from elsewhere.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

#: Largest request body (POST /api/v1/analyze); bigger requests get 413.
MAX_BODY_BYTES = 2_000_000


def url_part(value: object) -> str:
    """A path segment for a label, outlet or id (everything percent-encoded, '/' too)."""
    return quote(str(value), safe="")


def make_templates() -> Environment:
    env = Environment(
        loader=PackageLoader("narrascope.serve", "templates"),
        autoescape=select_autoescape(["html", "xml", "svg"], default=True),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["u"] = url_part
    env.filters["num"] = lambda v: f"{v:,}" if isinstance(v, int) else ("" if v is None else v)
    env.filters["conf"] = lambda v: "" if v is None else f"{v:.2f}"
    env.filters["pct"] = lambda v: "0" if not v else f"{max(0.0, min(1.0, float(v))) * 100:.0f}"
    env.globals.update(notice=NOTICE, version=__version__)
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)  # compiled now, not on each page's first request
    return env


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def create_app(store: Any, *, token: str | None = None, title: str = "narrascope",
               analyze: Any = None) -> FastAPI:
    """The dashboard and API over ``store`` (a Store or a database URL, opened read-only).

    ``token``: enables ``POST /api/v1/analyze`` for requests with
    ``Authorization: Bearer TOKEN``.  ``analyze``: the function that analyses posted
    articles (default: the default narrascope pipeline, loaded on first use).
    """
    if isinstance(store, str):
        from narrascope.store import open_store

        store = open_store(store, readonly=True)
    app = FastAPI(
        title=f"{title} API", version=__version__,
        description="Narratives, framing, persuasion techniques and dated fact checks of a "
        "news corpus, with character offsets into every article. " + NOTICE,
        docs_url=None, redoc_url=None, openapi_url="/openapi.json",
    )
    app.state.store = store
    app.state.data = Data(store)
    app.state.token = token if token else None
    app.state.analyze = analyze
    app.state.title = title
    app.state.templates = make_templates()
    from narrascope.serve.corpus import preload

    preload()

    @app.middleware("http")
    async def security(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > MAX_BODY_BYTES
            except ValueError:
                too_big = True
            if too_big:
                err = ServeError(413, "too_large", f"request body over {MAX_BODY_BYTES} bytes")
                response: Response = JSONResponse(err.body(), status_code=413)
            else:
                response = await call_next(request)
        else:
            response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        if request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "public, max-age=3600")
        else:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(ServeError)
    async def serve_error(request: Request, exc: ServeError) -> Response:
        return error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for e in exc.errors():
            loc = ".".join(str(x) for x in e.get("loc", ()) if x not in ("query", "path", "body"))
            problems.append(f"{loc or 'request'}: {e.get('msg', 'invalid')}")
        err = ServeError(400, "bad_request", "; ".join(problems) or "invalid request")
        return error_response(request, err)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        msg = "no such page" if exc.status_code == 404 else str(exc.detail)
        err = ServeError(exc.status_code, code, msg)
        resp = error_response(request, err)
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        if os.environ.get("NARRASCOPE_DEBUG"):
            raise exc
        err = ServeError(500, "internal_error", f"internal error ({type(exc).__name__})")
        return error_response(request, err)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    from narrascope.serve.api import router as api_router
    from narrascope.serve.pages import router as pages_router

    app.include_router(api_router)
    app.include_router(pages_router)
    return app


def error_response(request: Request, err: ServeError) -> Response:
    if wants_json(request):
        return JSONResponse(err.body(), status_code=err.status)
    env: Environment = request.app.state.templates
    html = env.get_template("error.html").render(
        err=err, request=request, title=f"{err.status}", app_title=request.app.state.title,
        nav="",
    )
    return HTMLResponse(html, status_code=err.status)
