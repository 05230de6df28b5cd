"""Shared fixtures.

``pg_url``: a real PostgreSQL for the store tests.  It uses $NARRASCOPE_TEST_PG_URL
(``.ci/run`` starts a server with ``scripts/postgres.sh`` and sets it) or starts one
with that script; the tests that need it skip, saying why, only when neither works.
The session migrates one database of its own; each test starts with its tables empty.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _start_postgres() -> tuple[str | None, str]:
    url = os.environ.get("NARRASCOPE_TEST_PG_URL")
    if url:
        return url, ""
    script = ROOT / "scripts" / "postgres.sh"
    if not script.exists():
        return None, f"{script} is missing"
    try:
        res = subprocess.run([str(script)], capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"scripts/postgres.sh did not run: {exc}"
    if res.returncode != 0 or not res.stdout.strip():
        last = (res.stderr.strip().splitlines() or ["no output"])[-1]
        return None, f"scripts/postgres.sh could not start PostgreSQL: {last}"
    return res.stdout.strip().splitlines()[-1], ""


def _admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    from narrascope.store import normalise_url

    u = normalise_url(url)
    return psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                           dbname="postgres", autocommit=True, connect_timeout=10)


def _db_url(url: str, name: str) -> str:
    from narrascope.store import normalise_url

    return normalise_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[tuple[str, str]]:
    """(server URL, name of a migrated database for this test session)."""
    url, why = _start_postgres()
    if url is None:
        pytest.skip(f"PostgreSQL not available: {why}")
    try:
        conn = _admin(url)
    except Exception as exc:
        pytest.skip(f"PostgreSQL at {url} not reachable: {exc}")
    from psycopg import sql

    template = f"narrascope_test_{uuid.uuid4().hex[:12]}"
    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(template)))
    from narrascope.store import open_store

    open_store(_db_url(url, template)).close()  # runs the migrations once
    try:
        yield url, template
    finally:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(template)))
        conn.close()


@pytest.fixture
def pg_url(pg_server: tuple[str, str]) -> Iterator[str]:
    """URL of a migrated PostgreSQL database, emptied before each test."""
    import psycopg
    from psycopg import sql

    url, name = pg_server

    from narrascope.store import normalise_url

    u = normalise_url(url)

    def empty() -> None:
        with psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                             dbname=name, autocommit=True) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'")]
            if tables:
                conn.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                    sql.SQL(", ").join(sql.Identifier(t) for t in tables)))

    empty()
    yield _db_url(url, name)
    empty()  # the database is also the template of other tests' databases: leave it empty
