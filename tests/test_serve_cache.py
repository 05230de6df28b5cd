"""The dashboard's cached counts: kept while the store's revision token is unchanged,
recomputed after an ingest; the overview's cheaper counts and the windowed emerging
narratives equal what the full queries give (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi")

from narrascope.serve import corpus as corpus_views  # noqa: E402
from narrascope.serve import data as data_mod  # noqa: E402
from narrascope.serve.data import Data  # noqa: E402
from narrascope.serve.synthetic import build_store, example_articles  # noqa: E402
from narrascope.store import ArticleFilter, open_store  # noqa: E402


@pytest.fixture(scope="module")
def articles() -> list[Any]:
    return example_articles(80)


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'corpus.db'}"
    else:
        yield request.getfixturevalue("pg_url")


def test_revision_changes_on_ingest_and_the_cache_follows(
        url: str, articles: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    build_store(url, articles[:40]).close()
    ro = open_store(url, readonly=True)
    before = ro.revision()
    assert ro.revision() == before  # unchanged store, same token
    monkeypatch.setattr(data_mod, "REVISION_SECONDS", 0.0)
    d = Data(ro)
    assert d.overview_stats()["articles"] == 40
    calls = Counter[str]()

    def count() -> int:
        calls["n"] += 1
        return 1

    d.cached("k", count)
    d.cached("k", count)
    assert calls["n"] == 1  # kept while the token is unchanged
    rw = open_store(url)
    rw.ingest(articles[40:50])
    rw.close()
    assert ro.revision() != before
    d.cached("k", count)
    assert calls["n"] == 2  # recomputed after the ingest
    assert d.overview_stats()["articles"] == 50
    ro.close()


def test_overview_counts_and_emerging_equal_the_full_queries(url: str,
                                                             articles: list[Any]) -> None:
    build_store(url, articles).close()
    ro = open_store(url, readonly=True)
    d = Data(ro)
    full = ro.stats()
    cheap = d.overview_stats()
    for k in ("articles", "outlets", "first_date", "last_date"):
        assert str(cheap[k]) == str(full[k]), k
    for layer in ("narrative", "fact_check"):
        assert cheap["labels"][layer] == full["labels"][layer], layer

    # emerging from every daily count (what the dashboard read before the window)
    from narrascope.corpus.trends import burst

    daily = ro.label_counts("narrative", "day", None, by_outlet=False)
    days = [dt.date.fromisoformat(str(r["period"])[:10]) for r in daily if r["period"]]
    as_of = max(days)
    w0, first = as_of - dt.timedelta(days=6), {}
    b0 = w0 - dt.timedelta(days=28)
    obs: Counter[str] = Counter()
    base: Counter[str] = Counter()
    for r in daily:
        if r["period"]:
            day, k = dt.date.fromisoformat(str(r["period"])[:10]), str(r["label"])
            first[k] = min(first.get(k, day), day)
            if w0 <= day:
                obs[k] += r["count"]
            elif b0 <= day:
                base[k] += r["count"]
    want = sorted(((k, o, first[k] >= w0) for k, o in obs.items()
                   if o >= 1 and burst(o, base[k], 7, 28)[1] >= 0.0), key=lambda x: x[0])
    assert want
    got = corpus_views.emerging(d, limit=1000, min_count=1, min_score=0.0)["items"]
    assert sorted(((r["label"], r["articles"], r["new"]) for r in got),
                  key=lambda x: x[0]) == want
    assert d.count(ArticleFilter()) == full["articles"]
    ro.close()
