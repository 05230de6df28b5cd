"""Database URLs, engines and migrations.

``narrascope.db`` (a path) and ``sqlite:///path.db`` open a SQLite file (WAL mode, a
30 s busy timeout, writes in ``BEGIN IMMEDIATE`` transactions so two writers queue
instead of failing half-way); ``postgresql://user@host:port/db`` opens PostgreSQL
with psycopg 3.  A new database is created by running the Alembic migrations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url

MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_S = 30.0


class StoreError(RuntimeError):
    """A store problem worth one line to the user (bad URL, missing or old database)."""


def normalise_url(url: str | Path) -> URL:
    raw = str(url)
    if "://" not in raw:  # a plain path
        raw = "sqlite:///" + raw
    try:
        u = make_url(raw)
    except Exception as exc:
        raise StoreError(f"invalid database URL {raw!r}: {exc}") from None
    if u.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        u = u.set(drivername="postgresql+psycopg")
    if u.drivername not in ("sqlite", "sqlite+pysqlite", "postgresql+psycopg"):
        raise StoreError(f"unsupported database {u.drivername!r}: use sqlite:///FILE or "
                         "postgresql://USER@HOST:PORT/DB")
    return u


def sqlite_path(u: URL) -> Path | None:
    if not u.drivername.startswith("sqlite") or not u.database or u.database == ":memory:":
        return None
    return Path(u.database)


def make_engine(url: str | Path, readonly: bool = False) -> Engine:
    u = normalise_url(url)
    if u.drivername.startswith("sqlite"):
        path = sqlite_path(u)
        if readonly:
            if path is None or not path.exists():
                raise StoreError(f"no database at {path}: create it with `narrascope ingest` "
                                 "or `narrascope db upgrade`")
            ro = URL.create("sqlite", database=f"file:{path.resolve()}?mode=ro",
                            query={"uri": "true"})
            engine = create_engine(ro, connect_args={"timeout": BUSY_TIMEOUT_S,
                                                     "check_same_thread": False})
        else:
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(u, connect_args={"timeout": BUSY_TIMEOUT_S,
                                                    "check_same_thread": False})
        _sqlite_events(engine, readonly)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": 10}
    if readonly:
        connect_args["options"] = "-c default_transaction_read_only=on"
    return create_engine(u, connect_args=connect_args, pool_pre_ping=True)


def _sqlite_events(engine: Engine, readonly: bool) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _rec: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 30000")
        if not readonly:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA cache_size = -65536")  # 64 MiB of page cache per connection
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


# ---------------------------------------------------------------------------- migrations


def alembic_config(connection: Any = None) -> Any:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Run the migrations up to ``revision``; return (revision before, revision after)."""
    from alembic import command

    before = current_revision(engine)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    return before, current_revision(engine)


def has_tables(engine: Engine) -> bool:
    return inspect(engine).has_table("articles")
