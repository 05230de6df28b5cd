"""Label indexes in the order of the weekly counts' GROUP BY: ``(layer, label, week,
outlet_id, ...)`` for one label's series and ``(layer, week, label, outlet_id, ...)`` for
every label of a period, so SQLite groups while it reads the index instead of sorting
every matching row in a temporary B-tree (PostgreSQL uses them for the same ranges).

Revision ID: 0003_label_indexes
Revises: 0002_corpus
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0003_label_indexes"
down_revision = "0002_corpus"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_labels_counts", table_name="labels")
    op.drop_index("ix_labels_period", table_name="labels")
    op.create_index("ix_labels_counts", "labels", ["layer", "label", "week", "outlet_id",
                                                   "date", "confidence", "article_pk"])
    op.create_index("ix_labels_period", "labels", ["layer", "week", "label", "outlet_id",
                                                   "date", "confidence"])


def downgrade() -> None:
    op.drop_index("ix_labels_counts", table_name="labels")
    op.drop_index("ix_labels_period", table_name="labels")
    op.create_index("ix_labels_counts", "labels", ["layer", "label", "date", "week",
                                                   "outlet_id", "confidence", "article_pk"])
    op.create_index("ix_labels_period", "labels", ["layer", "date", "week", "label",
                                                   "outlet_id", "confidence"])
