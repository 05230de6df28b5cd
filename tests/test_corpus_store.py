"""`narrascope corpus ...` on SQLite and on a real PostgreSQL (conftest.pg_url)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from narrascope.cli import app, register_component_commands
from narrascope.store import open_store
from narrascope.store.ingest import set_article_vector
from narrascope.store.synthetic import Synth

register_component_commands()
runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'corpus.db'}"
    return request.getfixturevalue("pg_url")


def _copy(art, new_id: str, outlet: str, days: int, text: str | None = None):  # type: ignore[no-untyped-def]
    c = art.model_copy(deep=True)
    c.id = new_id
    c.url = f"https://www.{outlet}/news/{new_id}"
    c.date = art.date + dt.timedelta(days=days)
    if text is not None:
        c.text = text
    return c


def _corpus() -> tuple[list, list]:
    """24 layered synthetic articles + a verbatim copy, a light edit, a partial copy;
    the copies' vectors are near their source's (one story cluster each)."""
    synth = Synth(7, outlets=4)
    arts = [synth.article(i) for i in range(24)]
    rng = np.random.default_rng(7)
    vecs = {a.id: rng.standard_normal(384).astype(np.float32) for a in arts}
    body2 = arts[2].text.split("\n\n", 1)[1].split()
    planted = [
        _copy(arts[0], "copy-verbatim", "copier1.example", 1),
        _copy(arts[1], "copy-light", "copier2.example", 2, arts[1].text + " Read more here."),
        _copy(arts[5], "copy-partial", "copier1.example", 3,
              arts[5].text + "\n\n" + " ".join(body2[:130])),
    ]
    src = {"copy-verbatim": arts[0].id, "copy-light": arts[1].id, "copy-partial": arts[2].id}
    for p in planted:
        vecs[p.id] = vecs[src[p.id]] + 0.05 * rng.standard_normal(384).astype(np.float32)
    for a in arts + planted:
        v = vecs[a.id]
        set_article_vector(a, v / np.linalg.norm(v))
    return arts, planted


def _run(*args: str) -> str:
    res = runner.invoke(app, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.stdout


def test_every_command(db_url: str, tmp_path: Path) -> None:
    arts, planted = _corpus()
    with open_store(db_url) as store:
        store.ingest(arts + planted[:2], batch_size=50)
    out = _run("corpus", "copies", "--db", db_url, "--format", "jsonl")
    groups = [json.loads(line) for line in out.splitlines()]
    by_origin = {g["origin"]: g for g in groups}
    assert by_origin[arts[0].id]["kind"] == "copy"
    assert by_origin[arts[0].id]["members"][0]["id"] == "copy-verbatim"
    assert by_origin[arts[0].id]["members"][0]["lag_days"] == 1
    assert all(set(m) >= {"id", "outlet", "date", "similarity"}
               for g in groups for m in g["members"])
    assert {g["origin"] for g in groups} == {arts[0].id, arts[1].id}  # nothing else yet

    # incremental: the partial copy arrives later and is matched against the index
    with open_store(db_url) as store:
        store.ingest(planted[2:], batch_size=50)
    out = _run("corpus", "copies", "--db", db_url, "--format", "jsonl", "--kind", "partial")
    part = [json.loads(line) for line in out.splitlines()]
    assert [g["origin"] for g in part] == [arts[2].id]
    assert part[0]["members"][0]["id"] == "copy-partial" and part[0]["shared_text"]
    out = _run("corpus", "copies", "--db", db_url, "--format", "csv", "--no-update")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["id"] for r in rows} >= {"copy-verbatim", "copy-light", "copy-partial"}
    assert "Copy groups" in _run("corpus", "copies", "--db", db_url)

    graph, png = tmp_path / "g.graphml", tmp_path / "g.png"
    out = _run("corpus", "network", "--db", db_url, "--format", "jsonl", "--window-days", "30",
               "--graph", str(graph), "--plot", str(png))
    edges = [json.loads(line) for line in out.splitlines()]
    assert edges and all(e["outlet_a"] != e["outlet_b"] for e in edges)
    assert graph.read_text().startswith("<?xml") and png.stat().st_size > 1000

    out = _run("corpus", "clusters", "--db", db_url, "--format", "jsonl", "--threshold", "0.9")
    clusters = [json.loads(line) for line in out.splitlines()]
    sets = [set(c["members"]) for c in clusters]
    for p in planted:
        assert any(p.id in s and len(s) >= 2 for s in sets)
    assert all(c["keywords"] and c["outlets"] for c in clusters)
    pq = tmp_path / "clusters.parquet"
    _run("corpus", "clusters", "--db", db_url, "--format", "parquet", "-o", str(pq))
    import pyarrow.parquet as papq

    assert papq.read_table(pq).num_rows == len(clusters)

    plot = tmp_path / "trend.png"
    out = _run("corpus", "trends", "--db", db_url, "--period", "month", "--format", "csv",
               "--plot", str(plot), "--min-confidence", "0.5")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and all(0 < float(r["prevalence"]) <= 1 for r in rows)
    assert plot.stat().st_size > 1000
    heat = tmp_path / "heat.svg"
    out = _run("corpus", "trends", "--db", db_url, "--by", "all", "--format", "jsonl",
               "--plot", str(heat), "--plot-kind", "heatmap", "--unweighted")
    assert {json.loads(line)["group"] for line in out.splitlines()} == {"all"}
    assert heat.read_text().lstrip().startswith("<?xml")
    out = _run("corpus", "trends", "--db", db_url, "--what", "framing", "--format", "jsonl")
    assert all(0 <= json.loads(line)["share"] <= 1 for line in out.splitlines())
    out = _run("corpus", "trends", "--db", db_url, "--what", "techniques", "--format", "jsonl")
    assert sum(json.loads(line)["techniques"] for line in out.splitlines()) > 0

    out = _run("corpus", "emerging", "--db", db_url, "--format", "jsonl", "--min-count", "1",
               "--min-score", "0", "--window-days", "365", "--baseline-days", "365")
    assert out.strip()
    _run("corpus", "emerging", "--db", db_url, "--what", "stories", "--format", "jsonl")

    out = _run("corpus", "outlet", "copier1.example", "--db", db_url, "--format", "jsonl")
    prof = json.loads(out)
    assert prof["outlet"] == "copier1.example" and prof["articles"] == 2
    assert prof["copy_partners"] and prof["narratives"]
    res = runner.invoke(app, ["corpus", "outlet", "nope.example", "--db", db_url])
    assert res.exit_code == 1


def test_replaced_article_is_indexed_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    arts, planted = _corpus()
    with open_store(url) as store:
        store.ingest(arts[:6] + planted[:1], batch_size=50)
    out = _run("corpus", "copies", "--db", url, "--format", "jsonl")
    assert len(out.splitlines()) == 1
    changed = planted[0].model_copy(deep=True)
    changed.text = arts[3].text  # now a copy of another article
    set_article_vector(changed, np.ones(384, np.float32) / np.sqrt(384))
    with open_store(url) as store:
        store.ingest([changed], batch_size=50)
    out = _run("corpus", "copies", "--db", url, "--format", "jsonl")
    groups = [json.loads(line) for line in out.splitlines()]
    assert [g["origin"] for g in groups] == [arts[3].id]


def test_readonly_and_bad_options(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    res = runner.invoke(app, ["corpus", "copies", "--db", url + "x", "--no-update"])
    assert res.exit_code == 1 and "error:" in res.output
    arts, _ = _corpus()
    with open_store(url) as store:
        store.ingest(arts[:3], batch_size=50)
    res = runner.invoke(app, ["corpus", "copies", "--db", url, "--kind", "nope"])
    assert res.exit_code == 2 and "--kind" in res.output
    res = runner.invoke(app, ["corpus", "trends", "--db", url, "--plot", "x.jpg"])
    assert res.exit_code == 2
    res = runner.invoke(app, ["corpus", "copies", "--db", url, "--format", "parquet"])
    assert res.exit_code == 2 and "-o FILE" in res.output
