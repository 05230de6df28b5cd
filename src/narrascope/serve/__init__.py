"""The dashboard and REST API over a corpus store (``narrascope serve --db URL``).

``create_app(store_or_url, token=None)`` builds one FastAPI (ASGI) application:
the REST API under ``/api/v1`` (OpenAPI at ``/openapi.json``, documented at
``/docs``) and server-rendered pages (Jinja2, autoescaped) with a small SVG chart
script, all static files served from this package.  Everything is read through the
:class:`narrascope.store.Store` interface and ``narrascope.corpus``.
"""

from __future__ import annotations

from narrascope.serve.app import CSP, create_app

__all__ = ["CSP", "create_app"]
