"""The corpus schema (SQLAlchemy Core), made for queries.

One row per article (text, metadata, where the outlet and the date came from);
one row per label of an article (``labels``: domain, narratives, subnarratives,
techniques, frames, entity roles, fact-check verdicts) with the article's outlet
and date copied in, so the counts a dashboard draws need no join; entity mentions,
entity roles, technique spans and fact-check findings with their offsets; one
float16 vector per article; the runs that wrote them; the outlets.

The layers of an article are also kept whole (``articles.layers``: compressed JSON
without the span texts, which are ``text[start:end]``), so ``get_article`` returns
exactly the record that was ingested.

Tables are created by the Alembic migrations (``narrascope db upgrade``), never by
``metadata.create_all``; this module is what the code queries against.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

#: Layers of the ``labels`` table.
LAYERS = ("domain", "narrative", "subnarrative", "technique", "frame", "entity_role", "fact_check")

runs = Table(
    "runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("narrascope_version", String(32), nullable=False),
    Column("schema_version", String(16), nullable=False),
    Column("fingerprint", String(64), nullable=False),  # pipeline: components + model hashes
    Column("components", JSON, nullable=False),
    Column("config", JSON),
    Column("models", JSON),
    Column("command", Text),
    Column("articles_added", Integer, nullable=False, default=0),
    Column("articles_replaced", Integer, nullable=False, default=0),
    Column("articles_skipped", Integer, nullable=False, default=0),
    Column("failures", Integer, nullable=False, default=0),
)

outlets = Table(
    "outlets", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("domains", JSON, nullable=False),
    Column("country", String(100)),
    Column("type", String(100)),
    Column("network", String(200)),
    Column("from_file", Integer, nullable=False, default=0),  # 1: attributes from an outlet file
)

outlet_domains = Table(
    "outlet_domains", metadata,
    Column("domain", String(300), primary_key=True),
    Column("outlet_id", Integer, ForeignKey("outlets.id", ondelete="CASCADE"), nullable=False),
)

articles = Table(
    "articles", metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("id", String(1000), nullable=False, unique=True),
    Column("content_hash", String(64), nullable=False),
    Column("outlet_id", Integer, ForeignKey("outlets.id")),
    Column("domain", String(300)),
    Column("source", String(500)),
    Column("url", Text),
    Column("date", Date),
    Column("week", Date),  # Monday of the date's ISO week
    Column("date_source", String(16)),
    Column("language", String(16)),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("error", Text),  # analysis errors ('error in component ...'); NULL when none
    Column("n_warnings", SmallInteger, nullable=False, default=0),
    Column("components", JSON, nullable=False),
    Column("schema_version", String(16), nullable=False),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("fingerprint", String(64)),  # of the pipeline that analysed it (NULL: unknown)
    Column("layers", LargeBinary, nullable=False),  # zlib(JSON) of the record without text
    Index("ix_articles_outlet_date", "outlet_id", "date"),
    Index("ix_articles_date", "date"),
    Index("ix_articles_domain", "domain"),
    Index("ix_articles_error", "error"),
)

labels = Table(
    "labels", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_pk", Integer, ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    Column("layer", String(16), nullable=False),
    Column("label", String(500), nullable=False),
    Column("confidence", Float, nullable=False),
    Column("source", String(32)),
    Column("evidence", JSON),  # [[start, end], ...]
    Column("outlet_id", Integer),  # copies of the article's, for counts without a join
    Column("date", Date),
    Column("week", Date),
    Index("ix_labels_article", "article_pk", "layer"),
    # in the order of the weekly counts' GROUP BY (revision 0003_label_indexes)
    Index("ix_labels_counts", "layer", "label", "week", "outlet_id", "date", "confidence",
          "article_pk"),
    Index("ix_labels_period", "layer", "week", "label", "outlet_id", "date", "confidence"),
)

mentions = Table(
    "mentions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_pk", Integer, ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    Column("entity", String(500), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("source", String(32)),
    Column("detail", String(64)),
    Column("main_role", String(32)),
    Column("main_role_confidence", Float),
    Column("fine_roles", JSON),  # [[label, confidence], ...]
    Index("ix_mentions_article", "article_pk"),
)

entity_roles = Table(
    "entity_roles", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_pk", Integer, ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    Column("entity", String(500), nullable=False),
    Column("kind", String(64)),
    Column("role", String(32)),  # main role; NULL when the article casts it in none
    Column("confidence", Float),
    Column("fine_roles", JSON),
    Column("mentions", Integer, nullable=False, default=0),
    Column("outlet_id", Integer),
    Column("date", Date),
    Index("ix_entity_roles_entity", "entity", "role", "article_pk"),
    Index("ix_entity_roles_article", "article_pk"),
)

technique_spans = Table(
    "technique_spans", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_pk", Integer, ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    Column("label", String(200), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("source", String(32)),
    Column("detail", String(200)),
    Column("sentence", Integer),
    Column("voice", String(16)),
    Index("ix_technique_spans_article", "article_pk"),
    Index("ix_technique_spans_label", "label"),
)

fact_checks = Table(
    "fact_checks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_pk", Integer, ForeignKey("articles.pk", ondelete="CASCADE"), nullable=False),
    Column("verdict", String(64), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("person", String(300)),
    Column("office", String(300)),
    Column("severity", String(16)),
    Column("message", Text),
    Column("holder_on_date", String(300)),
    Index("ix_fact_checks_article", "article_pk"),
    Index("ix_fact_checks_verdict", "verdict"),
)

vectors = Table(
    "vectors", metadata,
    Column("article_pk", Integer, ForeignKey("articles.pk", ondelete="CASCADE"), primary_key=True),
    Column("dim", SmallInteger, nullable=False),
    Column("vector", LargeBinary, nullable=False),  # float16, little endian
)

ingest_errors = Table(
    "ingest_errors", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("runs.id")),
    Column("location", Text),  # path:line of the input, or the article id
    Column("message", Text, nullable=False),
)

#: Tables holding one article's layers (deleted and rewritten when it is replaced).
CHILD_TABLES = (labels, mentions, entity_roles, technique_spans, fact_checks, vectors)
