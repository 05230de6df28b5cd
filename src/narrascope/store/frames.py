"""``narrascope.Corpus``: the store's reads as pandas DataFrames.

>>> import narrascope
>>> corpus = narrascope.Corpus("sqlite:///out/narrascope.db")       # doctest: +SKIP
>>> corpus.articles(outlet=["example.invalid"], since="2025-01-01")  # doctest: +SKIP
>>> corpus.label_counts("narrative", period="month")                # doctest: +SKIP
>>> corpus.labels_long()          # one row per label of every layer  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np

from narrascope.store.schema import LAYERS
from narrascope.store.store import ArticleFilter, Store, open_store


def _filter(f: ArticleFilter | None, kw: dict[str, Any]) -> ArticleFilter | None:
    if not kw:
        return f
    base = dataclasses.asdict(f) if f is not None else {}
    for key in ("since", "until"):
        if isinstance(kw.get(key), str):
            kw[key] = dt.date.fromisoformat(kw[key])
    if isinstance(kw.get("outlet"), str):
        kw["outlet"] = [kw["outlet"]]
    base.update(kw)
    return ArticleFilter(**base)


class Corpus:
    """A read-only corpus store whose methods return :class:`pandas.DataFrame` objects.

    Every method takes an optional :class:`~narrascope.store.ArticleFilter` and/or its
    fields as keywords (``outlet``, ``since``, ``until``, ``narrative``, ``entity``,
    ``role``, ``technique``, ``verdict``, ``text``, ``language``, ``ids``).
    """

    def __init__(self, url: str = "narrascope.db", store: Store | None = None) -> None:
        self.store = store if store is not None else open_store(url, readonly=True)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self.store.count()

    def stats(self) -> dict[str, Any]:
        return self.store.stats()

    def articles(self, f: ArticleFilter | None = None, limit: int | None = None,
                 order: str = "-date", **kw: Any) -> Any:
        """One row per article: id, outlet, date, date_source, title, url, language,
        narratives (top labels, ``;``-separated), error."""
        import pandas as pd

        rows = self.store.list_articles(_filter(f, kw), limit=limit, order=order)
        return pd.DataFrame([{**{k: v for k, v in dataclasses.asdict(r).items()
                                 if k != "narratives"},
                              "narratives": "; ".join(lbl for lbl, _ in r.narratives)}
                             for r in rows],
                            columns=["id", "outlet", "date", "date_source", "title", "url",
                                     "language", "error", "narratives"])

    def texts(self, f: ArticleFilter | None = None, **kw: Any) -> Any:
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(r) for r in self.store.iter_texts(_filter(f, kw))],
                            columns=["id", "outlet", "date", "title", "text", "content_hash"])

    def labels(self, layer: str, f: ArticleFilter | None = None, min_confidence: float = 0.0,
               **kw: Any) -> Any:
        """One row per label of ``layer``: article_id, outlet, date, layer, label, confidence."""
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(r) for r in
                             self.store.label_rows(layer, _filter(f, kw), min_confidence)],
                            columns=["article_id", "outlet", "date", "layer", "label",
                                     "confidence"])

    def labels_long(self, f: ArticleFilter | None = None, min_confidence: float = 0.0,
                    **kw: Any) -> Any:
        """The long form: one row per label of every layer."""
        import pandas as pd

        frames = [self.labels(layer, f, min_confidence, **kw) for layer in LAYERS]
        return pd.concat(frames, ignore_index=True)

    def label_counts(self, layer: str, period: str = "week", f: ArticleFilter | None = None,
                     min_confidence: float = 0.0, by_outlet: bool = True, **kw: Any) -> Any:
        import pandas as pd

        rows = self.store.label_counts(layer, period, _filter(f, kw), min_confidence, by_outlet)
        cols = ["period", "label", *(["outlet"] if by_outlet else []), "count"]
        df = pd.DataFrame(rows, columns=cols)
        df["period"] = pd.to_datetime(df["period"])
        return df

    def outlets(self) -> Any:
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(o) for o in self.store.outlets()],
                            columns=["name", "domains", "country", "type", "network",
                                     "articles", "first_date", "last_date"])

    def entity_roles(self, f: ArticleFilter | None = None, entity: str | None = None,
                     **kw: Any) -> Any:
        import pandas as pd

        return pd.DataFrame([dataclasses.asdict(r) for r in
                             self.store.entity_roles(_filter(f, kw), entity)],
                            columns=["article_id", "outlet", "date", "entity", "role",
                                     "confidence"])

    def vectors(self, f: ArticleFilter | None = None, **kw: Any) -> tuple[list[str], np.ndarray]:
        """Article ids and their vectors (a float32 array, one row per id)."""
        return self.store.vectors(f=_filter(f, kw))

    def get(self, id: str) -> Any:
        """The full :class:`~narrascope.doc.Article` (all layers), or None."""
        return self.store.get_article(id)
