"""narrascope.scale.ray_ingest on a real local multi-node Ray cluster (small: the
sentence splitter only, so no model loads in the workers)."""

from __future__ import annotations

from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
cluster_utils = pytest.importorskip("ray.cluster_utils")

from narrascope.scale import ray_ingest  # noqa: E402
from narrascope.store import ArticleFilter, open_store  # noqa: E402


@pytest.fixture(scope="module")
def cluster():  # type: ignore[no-untyped-def]
    c = cluster_utils.Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    c.add_node(num_cpus=1)
    ray.init(address=c.address, include_dashboard=False, log_to_driver=False)
    yield c
    ray.shutdown()
    c.shutdown()


def _inputs(folder: Path, n: int = 6) -> list[Path]:
    paths = []
    for i in range(n):
        p = folder / f"a{i}.txt"
        p.write_text(f"Title {i}\n\nThe first sentence of article {i}. The second one.\n",
                     encoding="utf-8")
        paths.append(p)
    return paths


def test_two_nodes_worker_killed_mid_batch_loses_and_duplicates_nothing(cluster, tmp_path):  # type: ignore[no-untyped-def]
    paths = _inputs(tmp_path)
    db = f"sqlite:///{tmp_path}/ray.db"
    marker = tmp_path / "killed-once"
    res = ray_ingest(paths, db, workers=2, threads=1, components="sentences", batch_size=2,
                     vectors=False, quiet=True, fail_marker=str(marker))
    assert marker.exists()  # a worker died mid-batch and the batch ran again
    assert res["written"] == 6
    store = open_store(db, readonly=True)
    try:
        assert store.count(ArticleFilter()) == 6
        ids = sorted(a.id for a in store.list_articles(ArticleFilter(), limit=10))
        assert len(ids) == 6
        art = store.get_article(ids[3])
        assert art is not None and len(art.sentences) >= 2
    finally:
        store.close()
    again = ray_ingest(paths, db, workers=2, threads=1, components="sentences", batch_size=2,
                       vectors=False, quiet=True)
    assert again["written"] == 0 and again["skipped"] == 6
    store = open_store(db, readonly=True)
    try:
        assert store.count(ArticleFilter()) == 6
    finally:
        store.close()


def test_one_process_engine_matches(tmp_path):  # type: ignore[no-untyped-def]
    paths = _inputs(tmp_path, 3)
    db = f"sqlite:///{tmp_path}/local.db"
    res = ray_ingest(paths, db, workers=0, components="sentences", vectors=False, quiet=True)
    assert res["written"] == 3
