"""The corpus store: analysed articles in SQLite or PostgreSQL (the only code that speaks SQL).

>>> from narrascope.store import open_store, ArticleFilter
>>> store = open_store("sqlite:///out/narrascope.db", readonly=True)   # doctest: +SKIP
>>> store.count(ArticleFilter(outlet=["example.invalid"]))             # doctest: +SKIP
"""

from __future__ import annotations

from narrascope.store.engine import StoreError, normalise_url
from narrascope.store.schema import LAYERS
from narrascope.store.store import (
    ORDERS,
    PERIODS,
    ArticleFilter,
    ArticleSummary,
    IngestResult,
    LabelRow,
    OutletInfo,
    RoleRow,
    Store,
    TextRow,
    open_store,
)

__all__ = ["LAYERS", "ORDERS", "PERIODS", "ArticleFilter", "ArticleSummary", "IngestResult",
           "LabelRow", "OutletInfo", "RoleRow", "Store", "StoreError", "TextRow",
           "normalise_url", "open_store"]
