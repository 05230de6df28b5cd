"""Corpus analytics: copy index (signatures, LSH band keys), copy pairs, blobs (vector
index, settings), story clusters and their members.

Revision ID: 0002_corpus
Revises: 0001_core
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_corpus"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def _fk(name: str = "article_pk", primary: bool = False) -> sa.Column:
    return sa.Column(name, sa.Integer, sa.ForeignKey("articles.pk", ondelete="CASCADE"),
                     primary_key=primary, nullable=False)


def upgrade() -> None:
    op.create_table(
        "corpus_copy_docs", _fk(primary=True),
        sa.Column("content_hash", sa.String(64)),
        sa.Column("shingles", sa.Integer, nullable=False),
        sa.Column("words", sa.Integer, nullable=False),
        sa.Column("sig", sa.LargeBinary, nullable=False),
        sa.Column("psigs", sa.LargeBinary, nullable=False),
        sa.Column("pwords", sa.JSON, nullable=False),
        sa.Column("pspans", sa.JSON, nullable=False),
        sa.Column("anchors", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "corpus_copy_keys",
        sa.Column("key", sa.BigInteger, nullable=False),
        _fk(),
        sa.Column("passage", sa.SmallInteger, nullable=False),
    )
    op.create_index("ix_corpus_copy_keys_key", "corpus_copy_keys", ["key"])
    op.create_index("ix_corpus_copy_keys_article", "corpus_copy_keys", ["article_pk"])
    op.create_table(
        "corpus_copy_pairs", _fk("a_pk", True), _fk("b_pk", True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.Column("jaccard", sa.Float),
        sa.Column("containment", sa.Float),
        sa.Column("shared_words", sa.Integer),
        sa.Column("cosine", sa.Float),
        sa.Column("passages", sa.JSON),
        sa.Column("anchors", sa.Float),
    )
    op.create_index("ix_corpus_copy_pairs_b", "corpus_copy_pairs", ["b_pk"])
    op.create_table(
        "corpus_blobs",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("data", sa.LargeBinary),
        sa.Column("meta", sa.JSON),
    )
    op.create_table(
        "corpus_clusters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.Date),
        sa.Column("last_seen", sa.Date),
        sa.Column("sum", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "corpus_cluster_members", _fk(primary=True),
        sa.Column("cluster_id", sa.Integer,
                  sa.ForeignKey("corpus_clusters.id", ondelete="CASCADE"), nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
    )
    op.create_index("ix_corpus_cluster_members_cluster", "corpus_cluster_members",
                    ["cluster_id"])


def downgrade() -> None:
    for table in ("corpus_cluster_members", "corpus_clusters", "corpus_blobs",
                  "corpus_copy_pairs", "corpus_copy_keys", "corpus_copy_docs"):
        op.drop_table(table)
