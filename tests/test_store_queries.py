"""The store's faster query paths (counts over one child table, the newest-first walk, the
outlet and dates tested inside label subqueries) give what the articles themselves say,
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from narrascope.doc import Article
from narrascope.store import ArticleFilter, Store, open_store
from narrascope.store.synthetic import Synth

N = 120


@pytest.fixture(scope="module")
def arts() -> list[Article]:
    synth = Synth(5, outlets=4, days=60)
    return [synth.article(i) for i in range(N)]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path, arts: list[Article]) -> Iterator[Store]:
    url = (f"sqlite:///{tmp_path / 'q.db'}" if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    st = open_store(url)
    st.ingest(arts, batch_size=50)
    yield st
    st.close()


def _outlet(a: Article) -> str:
    from narrascope.store.outlets import registered_domain

    return registered_domain(a.url) or a.source or ""


def _matches(a: Article, f: ArticleFilter) -> bool:
    if f.outlet and _outlet(a) not in f.outlet:
        return False
    if f.since and (a.date is None or a.date < f.since):
        return False
    if f.until and (a.date is None or a.date > f.until):
        return False
    nar = a.narratives
    if f.narrative and not (nar and any(x.label == f.narrative
                                        for x in [*nar.narratives, *nar.subnarratives])):
        return False
    if f.technique and not (a.techniques and any(s.label == f.technique
                                                 for s in a.techniques.spans)):
        return False
    if f.verdict and not any(fc.label == f.verdict for fc in a.fact_checks):
        return False
    if f.entity or f.role:
        ok = any((not f.entity or e.canonical == f.entity)
                 and (not f.role or (e.main_role is not None and e.main_role.label == f.role))
                 for e in a.entities)
        if not ok:
            return False
    return True


def _filters(arts: list[Article]) -> list[ArticleFilter]:
    a0 = arts[0]
    assert a0.narratives is not None and a0.techniques is not None and a0.entities
    nar = a0.narratives.narratives[0].label
    ent = a0.entities[0].canonical
    role = a0.entities[0].main_role.label if a0.entities[0].main_role else "Antagonist"
    tech = a0.techniques.spans[0].label
    verdict = next((fc.label for a in arts for fc in a.fact_checks), "never_held")
    outlet = _outlet(a0)
    mid = dt.date(2024, 1, 30)
    return [
        ArticleFilter(narrative=nar), ArticleFilter(narrative=nar, outlet=[outlet]),
        ArticleFilter(narrative=nar, since=mid), ArticleFilter(narrative=nar, until=mid,
                                                               outlet=[outlet]),
        ArticleFilter(technique=tech), ArticleFilter(technique=tech, since=mid),
        ArticleFilter(verdict=verdict), ArticleFilter(entity=ent),
        ArticleFilter(entity=ent, role=role), ArticleFilter(role=role, outlet=[outlet]),
        ArticleFilter(entity=ent, since=mid, outlet=[outlet]),
        ArticleFilter(narrative=nar, entity=ent),  # two child conditions: the general path
        ArticleFilter(narrative=nar, technique=tech, since=mid),
    ]


def test_counts_and_lists_match_the_articles(store: Store, arts: list[Article]) -> None:
    for f in _filters(arts):
        want = sorted((a for a in arts if _matches(a, f)),
                      key=lambda a: (a.date or dt.date.min, a.id), reverse=True)
        assert store.count(f) == len(want), f
        got = store.list_articles(f, limit=None)
        assert {s.id for s in got} == {a.id for a in want}, f


def test_newest_first_walk_gives_the_same_pages(store: Store, arts: list[Article],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def pages(walk: bool) -> list[Any]:
        monkeypatch.setattr(Store, "_walk_newest", lambda self, f, first: walk)
        return [[(s.id, s.date) for s in store.list_articles(f, limit=7, offset=off)]
                for f in _filters(arts) for off in (0, 7)]

    assert pages(True) == pages(False)


def test_the_walk_is_chosen_for_frequent_labels_only(store: Store, arts: list[Article]) -> None:
    by_role = {r: sum(1 for a in arts if _matches(a, ArticleFilter(role=r)))
               for r in ("Protagonist", "Antagonist", "Innocent")}
    frequent = max(by_role, key=lambda k: by_role[k])
    assert by_role[frequent] > N / 2
    counts: dict[str, int] = {}
    for a in arts:
        for x in (a.narratives.narratives if a.narratives else []):
            counts[x.label] = counts.get(x.label, 0) + 1
    rare = min(counts, key=lambda k: counts[k])
    assert store._walk_newest(ArticleFilter(role=frequent), 5)
    assert not store._walk_newest(ArticleFilter(narrative=rare), 50)
    assert not store._walk_newest(ArticleFilter(outlet=[_outlet(arts[0])]), 5)


def test_frequent_word_with_outlets_counts_the_same(store: Store, arts: list[Article],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import narrascope.store.store as store_mod

    word = arts[0].text.split()[3].strip(".,").lower()
    outlet = _outlet(arts[0])
    fs = [ArticleFilter(text=word, outlet=[outlet]),
          ArticleFilter(text=word, outlet=[outlet], since=dt.date(2024, 1, 20))]
    general = [store.count(f) for f in fs]
    lists = [[s.id for s in store.list_articles(f, limit=10)] for f in fs]
    assert general[0] >= 1
    monkeypatch.setattr(store_mod, "FREQUENT_HITS", 0)
    assert [store.count(f) for f in fs] == general
    assert [[s.id for s in store.list_articles(f, limit=10)] for f in fs] == lists
