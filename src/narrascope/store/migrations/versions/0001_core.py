"""Core corpus tables: runs, outlets, articles (+ full-text index), labels, mentions,
entity roles, technique spans, fact checks, vectors, ingest errors.

Revision ID: 0001_core
Revises:
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None

_SQLITE_FTS = (
    "CREATE VIRTUAL TABLE articles_fts USING fts5("
    "title, text, content='articles', content_rowid='pk')",
    "CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.pk, new.title, new.text); END",
    "CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.pk, old.title, old.text); END",
    "CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.pk, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.pk, new.title, new.text); END",
)

# 'simple': no stemming, like FTS5's unicode61 tokenizer; the first 500,000 characters
# are indexed (a tsvector holds at most 1 MB)
_PG_FTS = (
    "ALTER TABLE articles ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' || left(text, 500000))) STORED",
    "CREATE INDEX ix_articles_tsv ON articles USING gin (tsv)",
)


def _pk() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True, autoincrement=True)


def _article_fk() -> sa.Column:
    return sa.Column("article_pk", sa.Integer, sa.ForeignKey("articles.pk", ondelete="CASCADE"),
                     nullable=False)


def upgrade() -> None:
    op.create_table(
        "runs", _pk(),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("narrascope_version", sa.String(32), nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("components", sa.JSON, nullable=False),
        sa.Column("config", sa.JSON),
        sa.Column("models", sa.JSON),
        sa.Column("command", sa.Text),
        sa.Column("articles_added", sa.Integer, nullable=False, server_default="0"),
        sa.Column("articles_replaced", sa.Integer, nullable=False, server_default="0"),
        sa.Column("articles_skipped", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "outlets", _pk(),
        sa.Column("name", sa.String(300), nullable=False, unique=True),
        sa.Column("domains", sa.JSON, nullable=False),
        sa.Column("country", sa.String(100)),
        sa.Column("type", sa.String(100)),
        sa.Column("network", sa.String(200)),
        sa.Column("from_file", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "outlet_domains",
        sa.Column("domain", sa.String(300), primary_key=True),
        sa.Column("outlet_id", sa.Integer, sa.ForeignKey("outlets.id", ondelete="CASCADE"),
                  nullable=False),
    )
    op.create_table(
        "articles",
        sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(1000), nullable=False, unique=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("outlet_id", sa.Integer, sa.ForeignKey("outlets.id")),
        sa.Column("domain", sa.String(300)),
        sa.Column("source", sa.String(500)),
        sa.Column("url", sa.Text),
        sa.Column("date", sa.Date),
        sa.Column("week", sa.Date),
        sa.Column("date_source", sa.String(16)),
        sa.Column("language", sa.String(16)),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("n_warnings", sa.SmallInteger, nullable=False, server_default="0"),
        sa.Column("components", sa.JSON, nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("layers", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_articles_outlet_date", "articles", ["outlet_id", "date"])
    op.create_index("ix_articles_date", "articles", ["date"])
    op.create_index("ix_articles_domain", "articles", ["domain"])
    op.create_index("ix_articles_error", "articles", ["error"])
    op.create_table(
        "labels", _pk(), _article_fk(),
        sa.Column("layer", sa.String(16), nullable=False),
        sa.Column("label", sa.String(500), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("source", sa.String(32)),
        sa.Column("evidence", sa.JSON),
        sa.Column("outlet_id", sa.Integer),
        sa.Column("date", sa.Date),
        sa.Column("week", sa.Date),
    )
    op.create_index("ix_labels_article", "labels", ["article_pk", "layer"])
    # (layer, label) filters and the counts of one label; covering, so neither reads rows
    op.create_index("ix_labels_counts", "labels", ["layer", "label", "date", "week",
                                                   "outlet_id", "confidence", "article_pk"])
    # counts of every label in a date range; covering
    op.create_index("ix_labels_period", "labels", ["layer", "date", "week", "label",
                                                   "outlet_id", "confidence"])
    op.create_table(
        "mentions", _pk(), _article_fk(),
        sa.Column("entity", sa.String(500), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("source", sa.String(32)),
        sa.Column("detail", sa.String(64)),
        sa.Column("main_role", sa.String(32)),
        sa.Column("main_role_confidence", sa.Float),
        sa.Column("fine_roles", sa.JSON),
    )
    op.create_index("ix_mentions_article", "mentions", ["article_pk"])
    op.create_table(
        "entity_roles", _pk(), _article_fk(),
        sa.Column("entity", sa.String(500), nullable=False),
        sa.Column("kind", sa.String(64)),
        sa.Column("role", sa.String(32)),
        sa.Column("confidence", sa.Float),
        sa.Column("fine_roles", sa.JSON),
        sa.Column("mentions", sa.Integer, nullable=False, server_default="0"),
        sa.Column("outlet_id", sa.Integer),
        sa.Column("date", sa.Date),
    )
    op.create_index("ix_entity_roles_entity", "entity_roles", ["entity", "role", "article_pk"])
    op.create_index("ix_entity_roles_article", "entity_roles", ["article_pk"])
    op.create_table(
        "technique_spans", _pk(), _article_fk(),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("source", sa.String(32)),
        sa.Column("detail", sa.String(200)),
        sa.Column("sentence", sa.Integer),
        sa.Column("voice", sa.String(16)),
    )
    op.create_index("ix_technique_spans_article", "technique_spans", ["article_pk"])
    op.create_index("ix_technique_spans_label", "technique_spans", ["label"])
    op.create_table(
        "fact_checks", _pk(), _article_fk(),
        sa.Column("verdict", sa.String(64), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("person", sa.String(300)),
        sa.Column("office", sa.String(300)),
        sa.Column("severity", sa.String(16)),
        sa.Column("message", sa.Text),
        sa.Column("holder_on_date", sa.String(300)),
    )
    op.create_index("ix_fact_checks_article", "fact_checks", ["article_pk"])
    op.create_index("ix_fact_checks_verdict", "fact_checks", ["verdict"])
    op.create_table(
        "vectors",
        sa.Column("article_pk", sa.Integer, sa.ForeignKey("articles.pk", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("dim", sa.SmallInteger, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "ingest_errors", _pk(),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("location", sa.Text),
        sa.Column("message", sa.Text, nullable=False),
    )
    dialect = op.get_bind().dialect.name
    for stmt in _SQLITE_FTS if dialect == "sqlite" else _PG_FTS if dialect == "postgresql" else ():
        op.execute(stmt)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS articles_fts_ai")
        op.execute("DROP TRIGGER IF EXISTS articles_fts_ad")
        op.execute("DROP TRIGGER IF EXISTS articles_fts_au")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    for table in ("ingest_errors", "vectors", "fact_checks", "technique_spans", "entity_roles",
                  "mentions", "labels", "articles", "outlet_domains", "outlets", "runs"):
        op.drop_table(table)
