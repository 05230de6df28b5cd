"""Corpus analytics over plain inputs: signatures, copy pairs, groups, clusters, bursts."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pytest

from narrascope.corpus.clusters import (
    StoryClusterer,
    cluster_metrics,
    ctfidf,
    representative_sentences,
)
from narrascope.corpus.copies import CopyDetector, Item, copy_groups
from narrascope.corpus.network import build_graph, coordinated_groups, outlet_edges
from narrascope.corpus.shingles import shingle_hashes, shingle_text, signatures, token_hashes
from narrascope.corpus.synth import Generator
from narrascope.corpus.trends import bucket, burst, emerging_counts


def test_signatures_equal_datasketch() -> None:
    from datasketch import MinHash

    sets = [np.unique(shingle_hashes(token_hashes(t.split()))) for t in
            ("the cat sat on the mat today", "a b c d e f g h i j", "one two")]
    sets.append(np.zeros(0, np.uint32))
    sig = signatures(sets, 64, seed=1, chunk=5)  # small chunks: several groups
    for s, row in zip(sets[:3], sig[:3], strict=True):
        m = MinHash(num_perm=64, seed=1, hashfunc=int)
        m.update_batch([int(x) for x in s])
        assert np.array_equal(m.hashvalues.astype(np.uint32), row)
    assert (sig[3] == np.uint32(0xFFFFFFFF)).all()


def test_passage_spans_point_into_the_text() -> None:
    text = "Title\n\n" + " ".join(f"Word{i}" for i in range(150)) + "\n\nshort line"
    sh = shingle_text(text)
    assert len(sh.passages) == 2  # 150 words: a 120-word window and the tail
    for s, e in sh.passage_spans:
        assert text[s:e].split()[0].startswith("Word")


def _vec(rng: np.random.Generator, base: np.ndarray | None = None, noise: float = 0.05
         ) -> np.ndarray:
    v = rng.standard_normal(32).astype(np.float32) if base is None else \
        base + noise * rng.standard_normal(32).astype(np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture(scope="module")
def planted() -> tuple[list[Item], dict[tuple[str, str], str]]:
    g = Generator(seed=5, outlets=10)
    rng = np.random.default_rng(5)
    items: list[Item] = []
    gold: dict[tuple[str, str], str] = {}
    vec: dict[str, np.ndarray] = {}
    for i in range(60):  # background
        a = g.write(g.story(i))
        vec[a.id] = _vec(rng)
        items.append(Item(a.id, a.text, a.outlet, a.date, vec[a.id]))
    for i, edit in enumerate(("verbatim", "light", "partial", "rewrite") * 2):
        st = g.story(100 + i)
        src = g.write(st)
        d = {"verbatim": g.verbatim, "light": g.light}.get(edit)
        der = d(src) if d else (g.partial(src, st) if edit == "partial" else g.rewrite(src, st))
        vec[src.id] = _vec(rng)
        vec[der.id] = _vec(rng, vec[src.id]) if edit == "rewrite" else _vec(rng)
        for a in (src, der):
            items.append(Item(a.id, a.text, a.outlet, a.date, vec[a.id]))
        gold[tuple(sorted((src.id, der.id)))] = edit  # type: ignore[index]
    return items, gold


def test_planted_copies_found_with_their_kind(planted) -> None:  # type: ignore[no-untyped-def]
    items, gold = planted
    pairs = CopyDetector().add(items)
    found = {tuple(sorted((p.a, p.b))): p.kind for p in pairs}
    want = {"verbatim": "copy", "light": "copy", "partial": "partial", "rewrite": "rewrite"}
    for pair, edit in gold.items():
        assert found.get(pair) == want[edit], (edit, pair)
    assert set(found) == set(gold)  # nothing else


def test_incremental_equals_batch_and_skips_known(planted) -> None:  # type: ignore[no-untyped-def]
    items, _ = planted
    batch = {(p.a, p.b, p.kind) for p in CopyDetector().add(items)}
    det = CopyDetector()
    inc = det.add(items[:40]) + det.add(items[40:])
    assert {(p.a, p.b, p.kind) for p in inc} == batch
    hashes = [str(i) for i in range(len(items))]
    det2 = CopyDetector()
    det2.add(items, hashes)
    assert det2.add(items, hashes) == []  # same content hashes: nothing to do


def test_groups_origin_lag_and_shared_passages() -> None:
    g = Generator(seed=2, outlets=5)
    src = g.write(g.story(1))
    a, b = g.verbatim(src), g.light(src)
    p = g.partial(src, g.story(2))
    other = g.write(g.story(3))
    items = [Item(x.id, x.text, x.outlet, x.date) for x in (p, b, a, src, other)]
    det = CopyDetector()
    pairs = det.add(items)
    docs = det.backend.docs([x.id for x in items])
    groups = copy_groups(pairs, docs)
    assert len(groups) == 1
    grp = groups[0]
    assert grp.origin == src.id and grp.kind == "copy"
    assert {m.id for m in grp.members} == {a.id, b.id, p.id}
    assert all(m.lag_days is not None and m.lag_days >= 0 for m in grp.members)
    kinds = {m.id: m.kind for m in grp.members}
    assert kinds[p.id] == "partial"
    assert grp.shared_passages  # the paragraphs the partial copy took
    rec = grp.as_record()
    assert rec["members"][0]["id"] and rec["origin"] == src.id and rec["size"] == 4
    edges = outlet_edges(pairs, docs, window_days=30)
    assert edges and all(e["outlet_a"] != e["outlet_b"] for e in edges)
    graph = build_graph(edges)
    assert graph.number_of_nodes() >= 2
    assert coordinated_groups(graph, 1)


def test_boilerplate_inside_one_outlet_is_not_a_partial_copy() -> None:
    foot = ("Subscribe to our newsletter to get the latest stories from our newsroom every "
            "morning, and follow us on all the social networks where we publish our reports.")
    g = Generator(seed=3, outlets=3)
    arts = [g.write(g.story(i), outlet="same.example") for i in range(3)]
    items = [Item(a.id, a.text + "\n\n" + foot, a.outlet, a.date) for a in arts]
    assert CopyDetector().add(items) == []


def test_clusterer_is_incremental_and_threshold_matters() -> None:
    rng = np.random.default_rng(0)
    centres = [_vec(rng) for _ in range(5)]
    vecs = np.stack([_vec(rng, centres[i % 5], 0.04) for i in range(50)])
    gold = [i % 5 for i in range(50)]
    lab, sims = StoryClusterer(0.8, dim=32).add(vecs)
    m = cluster_metrics(lab, gold)
    assert m["ari"] == 1.0 and m["purity"] == 1.0
    cl = StoryClusterer(0.8, dim=32)
    first, _ = cl.add(vecs[:30])
    second, _ = cl.add(vecs[30:])
    assert cluster_metrics(np.r_[first, second], gold)["ari"] == 1.0
    strict, _ = StoryClusterer(0.999, dim=32).add(vecs)
    assert len(set(strict)) == 50


def test_ctfidf_and_sentences() -> None:
    texts = {1: ["The pier fire stopped grain loading at the port. Grain prices rose sharply."],
             2: ["The council approved the tram line today. The tram will reach the campus."]}
    kw = ctfidf(texts, 3)
    assert kw[1][0][0] == "grain" and kw[2][0][0] == "tram"
    sents = representative_sentences(texts[2], kw[2], 1)
    assert "tram" in sents[0].lower()


def test_burst_statistic() -> None:
    assert burst(0, 28, 7, 28) == (7.0, pytest.approx(-7 / np.sqrt(8)))
    today = dt.date(2025, 3, 31)
    events = [("old", today - dt.timedelta(days=d)) for d in range(0, 35)]
    events += [("new", today - dt.timedelta(days=d % 3)) for d in range(9)]
    rows = emerging_counts(events, today, 7, 28, 3, 3.0)
    assert [r["key"] for r in rows] == ["new"]
    assert rows[0]["new"] is True and rows[0]["window"] == 9


def test_bucket() -> None:
    d = dt.date(2025, 5, 8)  # a Thursday
    assert bucket(d, "week") == dt.date(2025, 5, 5)
    assert bucket(d, "month") == dt.date(2025, 5, 1)
    with pytest.raises(ValueError):
        bucket(d, "year")


def test_generator_is_deterministic() -> None:
    a = [x.text for x in itertools.islice((Generator(1).write(Generator(1).story(1))
                                           for _ in range(1)), 1)]
    b = [Generator(1).write(Generator(1).story(1)).text]
    assert a == b
