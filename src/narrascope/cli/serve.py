"""``narrascope serve``: the dashboard and REST API over a corpus store."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from narrascope.cli.common import fail, shown


def serve(
    db: Annotated[str, typer.Option("--db", help="Database URL or SQLite file "
                                    "(sqlite:///out/narrascope.db, postgresql://...).")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[str | None, typer.Option(
        "--token", envvar="NARRASCOPE_TOKEN", show_envvar=True,
        help="Enable POST /api/v1/analyze for requests with 'Authorization: Bearer TOKEN' "
        "(read-only without it).")] = None,
    title: Annotated[str, typer.Option(help="Name shown in the pages' header.")] = "narrascope",
) -> None:
    """Serve the dashboard and the REST API (read-only unless --token is given)."""
    import uvicorn

    from narrascope.serve import create_app
    from narrascope.store import open_store

    try:
        store = open_store(db, readonly=True)
    except Exception as exc:
        raise fail(f"{db}: {exc}", code=1) from None
    app = create_app(store, token=token, title=title)
    app.state.db_url = db
    if host not in ("127.0.0.1", "localhost", "::1") and not os.environ.get("NARRASCOPE_QUIET"):
        typer.echo(f"warning: listening on {shown(host)}: the dashboard is reachable from "
                   "other machines", err=True)
    typer.echo(f"narrascope dashboard: http://{shown(host)}:{port}/  (API: /api/v1, docs: /docs)",
               err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
