"""The corpus store battery, run on SQLite and on a real PostgreSQL (see conftest.pg_url)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from narrascope.store import ArticleFilter, open_store
from narrascope.store.ingest import ingest_stream, set_article_vector
from narrascope.store.synthetic import Synth

N = 40


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'corpus.db'}"
    return request.getfixturevalue("pg_url")


def _articles(n: int = N, seed: int = 1) -> list:
    synth = Synth(seed, outlets=4)
    arts = [synth.article(i) for i in range(n)]
    rng = np.random.default_rng(seed)
    for a in arts:
        v = rng.standard_normal(384).astype(np.float32)
        set_article_vector(a, v / np.linalg.norm(v))
    return arts


def _fake_encode(texts: list[str]) -> np.ndarray:
    rng = np.random.default_rng(len(texts))
    v = rng.standard_normal((len(texts), 384)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def filled(db_url: str):  # type: ignore[no-untyped-def]
    store = open_store(db_url)
    arts = _articles()
    res = store.ingest(arts, batch_size=16)
    assert (res.added, res.skipped) == (N, 0)
    yield store, arts
    store.close()


def test_ingest_and_get_article_round_trip(filled) -> None:  # type: ignore[no-untyped-def]
    store, arts = filled
    assert store.count() == N
    got = store.get_article(arts[3].id)
    assert got is not None
    assert got.model_dump(mode="json") == arts[3].model_dump(mode="json")
    assert store.get_article("no such id") is None
    assert [a.id for a in store.iter_articles(batch_size=7)] == [a.id for a in arts]
    texts = list(store.iter_texts(ArticleFilter(ids=[arts[0].id])))
    assert texts[0].text == arts[0].text and len(texts[0].content_hash) == 64


def test_same_input_twice_adds_nothing(filled) -> None:  # type: ignore[no-untyped-def]
    store, arts = filled
    before = store.stats()
    res = store.ingest(_articles())
    assert (res.added, res.replaced, res.skipped) == (0, 0, N)
    assert store.stats()["labels"] == before["labels"]
    changed = _articles(2)
    changed[0].text = changed[0].text + " Appended."
    res = store.ingest(changed)
    assert (res.added, res.replaced, res.skipped) == (0, 1, 1)
    assert store.count() == N
    assert store.get_article(changed[0].id).text.endswith("Appended.")
    assert store.check()["problems"] == []


def test_filters(filled) -> None:  # type: ignore[no-untyped-def]
    store, arts = filled
    outlet = store.outlets()[0].name
    expect = [a for a in arts if outlet in (a.url or "")]
    assert store.count(ArticleFilter(outlet=[outlet])) == len(expect) > 0
    d0, d1 = dt.date(2024, 3, 1), dt.date(2024, 9, 30)
    assert store.count(ArticleFilter(since=d0, until=d1)) == sum(
        1 for a in arts if d0 <= a.date <= d1)
    nar = arts[0].narratives.narratives[0].label
    assert store.count(ArticleFilter(narrative=nar)) == sum(
        1 for a in arts if nar in [n.label for n in a.narratives.narratives])
    ent = arts[0].entities[0]
    role = ent.main_role.label
    assert store.count(ArticleFilter(entity=ent.canonical, role=role)) == sum(
        1 for a in arts for e in a.entities if e.canonical == ent.canonical
        and e.main_role.label == role)
    tech = arts[0].techniques.spans[0].label
    assert store.count(ArticleFilter(technique=tech)) == sum(
        1 for a in arts if tech in {s.label for s in a.techniques.spans})
    verdicts = [fc.label for a in arts for fc in a.fact_checks]
    if verdicts:
        assert store.count(ArticleFilter(verdict=verdicts[0])) >= 1
    page = store.list_articles(ArticleFilter(outlet=[outlet]), limit=3)
    assert [p.date for p in page] == sorted((a.date for a in expect), reverse=True)[:3]
    assert page[0].narratives and page[0].outlet == outlet
    assert store.list_articles(limit=5, offset=N - 2, order="id")[-1].id == max(a.id for a in arts)


def test_full_text_search(filled) -> None:  # type: ignore[no-untyped-def]
    store, arts = filled
    words = arts[5].title.rstrip(".").lower().split()
    rare = min(words, key=lambda w: sum(w in a.text.lower().split() for a in arts))
    hits = {s.id for s in store.list_articles(ArticleFilter(text=rare), limit=None)}
    assert arts[5].id in hits
    assert hits == {a.id for a in arts if rare in a.text.lower().replace(".", " ").split()}
    assert store.count(ArticleFilter(text="zzqqxx")) == 0
    assert store.count(ArticleFilter(text="' OR 1=1 --")) == 0  # hostile text is only data
    assert store.count(ArticleFilter(text=f'"{rare}" AND NOT (')) <= store.count()


def test_label_counts_and_labels(filled) -> None:  # type: ignore[no-untyped-def]
    store, arts = filled
    counts = store.label_counts("narrative", period="week")
    assert sum(c["count"] for c in counts) == sum(len(a.narratives.narratives) for a in arts)
    assert all(dt.date.fromisoformat(c["period"]).weekday() == 0 for c in counts)
    months = store.label_counts("narrative", period="month", by_outlet=False)
    assert all(c["period"].endswith("-01") for c in months) and "outlet" not in months[0]
    assert sum(c["count"] for c in months) == sum(c["count"] for c in counts)
    nar = arts[0].narratives.narratives[0].label
    only = store.label_counts("narrative", "year", ArticleFilter(narrative=nar), by_outlet=False)
    assert sum(c["count"] for c in only if c["label"] == nar) == store.count(
        ArticleFilter(narrative=nar))
    labels = dict(store.labels("technique"))
    assert sum(labels.values()) == sum(len({s.label for s in a.techniques.spans}) for a in arts)
    rows = list(store.label_rows("domain", min_confidence=0.0))
    assert len(rows) == N and {r.layer for r in rows} == {"domain"}
    roles = list(store.entity_roles(entity=arts[0].entities[0].canonical))
    assert roles and all(r.entity == arts[0].entities[0].canonical for r in roles)
    with pytest.raises(ValueError):
        store.label_counts("nonsense")


def test_vectors(filled) -> None:  # type: ignore[no-untyped-def]
    store, arts = filled
    ids, vecs = store.vectors()
    assert ids == [a.id for a in arts] and vecs.shape == (N, 384) and vecs.dtype == np.float32
    assert np.abs(vecs[2] - arts[2].vector).max() < 1e-3  # float16 storage
    ids2, v2 = store.vectors(ids=[arts[4].id, arts[1].id])
    assert ids2 == [arts[1].id, arts[4].id] and v2.shape == (2, 384)


def test_vectors_computed_when_missing(db_url: str) -> None:
    arts = Synth(3, outlets=2).article(0), Synth(3, outlets=2).article(1)
    with open_store(db_url) as store:
        st = ingest_stream(list(arts), store, get_pipeline=None, encode=_fake_encode)
        assert st.vectors_computed == 2 and store.stats()["vectors"] == 2


def test_outlets_from_domains_sources_and_file(db_url: str, tmp_path: Path) -> None:
    from narrascope.doc import Article
    from narrascope.store.outlets import read_outlet_file

    arts = [Article(id="a", text="One.", url="https://www.bbc.co.uk/news/1"),
            Article(id="b", text="Two.", url="https://news.bbc.co.uk/2"),
            Article(id="c", text="Three.", source="Some Blog"),
            Article(id="d", text="Four.")]
    with open_store(db_url) as store:
        store.ingest(arts)
        assert {o.name: o.articles for o in store.outlets()} == {"bbc.co.uk": 2, "Some Blog": 1}
        f = tmp_path / "outlets.csv"
        f.write_text("name,domains,country,type,network\n"
                     "BBC,bbc.co.uk,GB,public broadcaster,\n"
                     "Some Blog,,,blog,Blog Ring\n", encoding="utf-8")
        store.load_outlets(read_outlet_file(f))
        info = {o.name: o for o in store.outlets()}
        assert info["BBC"].articles == 2 and info["BBC"].country == "GB"
        assert info["Some Blog"].network == "Blog Ring" and "bbc.co.uk" not in info
        assert store.count(ArticleFilter(outlet=["BBC"])) == 2
        assert store.count(ArticleFilter(outlet=["bbc.co.uk"])) == 2
        counts = store.label_counts("domain", "year")
        assert all(c["outlet"] != "bbc.co.uk" for c in counts)
        store.ingest([Article(id="e", text="Five.", url="http://bbc.co.uk/5")])
        assert store.count(ArticleFilter(outlet=["BBC"])) == 3


def test_outlet_file_errors(tmp_path: Path) -> None:
    from narrascope.store.outlets import OutletFileError, read_outlet_file

    bad = tmp_path / "o.yaml"
    bad.write_text("- name: A\n  domains: [a.com]\n- name: B\n  colour: red\n", encoding="utf-8")
    with pytest.raises(OutletFileError, match=r"o.yaml:3: error: unknown field"):
        read_outlet_file(bad)
    root = Path(__file__).resolve().parents[1]
    assert [s.name for s in read_outlet_file(root / "examples" / "outlets.yaml")]


def test_failed_record_is_stored_with_its_error(db_url: str) -> None:
    from narrascope.doc import Article

    art = Article(id="broken", text="Some text.", components=["sentences"],
                  warnings=["error in component narratives: ValueError: boom"])
    with open_store(db_url) as store:
        res = store.ingest([art])
        assert res.failures == 1
        report = store.check()
        assert report["failures"] == 1 and report["problems"] == []
        assert store.failures() == [("broken", "error in component narratives: ValueError: boom")]
        assert store.list_articles()[0].error.startswith("error in component")


def test_readonly_store_refuses_writes(filled, db_url: str) -> None:  # type: ignore[no-untyped-def]
    from narrascope.store import StoreError

    with open_store(db_url, readonly=True) as ro:
        assert ro.count() == N
        with pytest.raises(StoreError):
            ro.ingest(_articles(1))


def test_corpus_dataframes(filled, db_url: str) -> None:  # type: ignore[no-untyped-def]
    import narrascope

    store, arts = filled
    with narrascope.Corpus(db_url) as corpus:
        assert len(corpus) == N
        df = corpus.articles(since="2024-01-01")
        assert len(df) == N and {"id", "outlet", "date", "narratives"} <= set(df.columns)
        long = corpus.labels_long()
        assert set(long["layer"]) >= {"domain", "narrative", "technique", "entity_role"}
        counts = corpus.label_counts("narrative", period="month")
        assert counts["count"].sum() == sum(len(a.narratives.narratives) for a in arts)
        assert len(corpus.outlets()) == 4
        assert corpus.get(arts[0].id).id == arts[0].id


# ------------------------------------------------------------------------------ CLI

NARRASCOPE = str(Path(sys.executable).with_name("narrascope"))


def _cli(*args: str, check: bool = True):  # type: ignore[no-untyped-def]
    """The CLI in-process (the kill and concurrency tests run real processes)."""
    from typer.testing import CliRunner

    from narrascope.cli import app, register_component_commands

    register_component_commands()
    res = CliRunner().invoke(app, list(args), catch_exceptions=False)
    res.returncode = res.exit_code
    if check:
        assert res.exit_code == 0, res.stderr
    return res


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from narrascope.write import article_record

    path = tmp_path_factory.mktemp("rec") / "records.jsonl"
    synth = Synth(7, outlets=5)
    with path.open("w", encoding="utf-8") as fh:
        for i in range(500):
            fh.write(json.dumps(article_record(synth.article(i)), ensure_ascii=False) + "\n")
    return path


def test_cli_ingest_query_export_round_trip(db_url: str, records: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.jsonl"
    small.write_text("".join(records.read_text(encoding="utf-8").splitlines(True)[:30])
                     + "{not json\n", encoding="utf-8")
    res = _cli("ingest", str(small), "--db", db_url, "--no-vectors")
    assert "30 added" in res.stderr and "small.jsonl:31: error" in res.stderr
    assert "30 already stored" in _cli("ingest", str(small), "--db", db_url, "--no-vectors").stderr
    out = tmp_path / "export.jsonl"
    _cli("query", "--db", db_url, "--format", "jsonl", "-o", str(out))
    exported = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    original = [json.loads(line) for line in small.read_text(encoding="utf-8").splitlines()[:30]]
    for rec in exported:  # where it was read from (small.jsonl:LINE)
        assert rec["path"].startswith(str(small))
        rec["path"] = None
    assert exported == original
    # the export is read back by analyze/report as analysed records, layers included
    from narrascope.read import read_articles

    back = list(read_articles([out], keep_layers=True))
    assert len(back) == 30 and all(a.components and a.narratives for a in back)
    csv_out = _cli("query", "--db", db_url, "--format", "csv", "--long").stdout
    assert csv_out.splitlines()[0] == "article_id,outlet,date,layer,label,confidence"
    pq = tmp_path / "x.parquet"
    _cli("query", "--db", db_url, "--format", "parquet", "-o", str(pq), "--outlet",
         "outlet0.example")
    import pyarrow.parquet as papq

    assert papq.read_table(pq).num_rows == sum(
        1 for r in original if "outlet0.example" in r["url"])
    assert "of 30 article(s) shown" in _cli("query", "--db", db_url, "--limit", "2").stdout
    check = _cli("db", "check", "--db", db_url)
    assert "integrity: ok" in check.stdout and "small.jsonl" not in check.stdout
    assert "input errors recorded: 2" in check.stdout  # one per ingest run
    assert "articles per outlet" in _cli("db", "stats", "--db", db_url).stdout


def test_cli_bad_database_url() -> None:
    res = _cli("query", "--db", "mysql://x/y", check=False)
    assert res.returncode != 0 and "unsupported database" in res.stderr
    res = _cli("db", "check", "--db", "/nonexistent/dir/x.db", check=False)
    assert res.returncode == 1 and "no database" in res.stderr


def test_kill_9_at_five_moments_then_resume(db_url: str, records: Path) -> None:
    """SIGKILL an ingest of 500 records at 5 moments; the reruns store each exactly once."""
    import time

    with open_store(db_url) as store:
        interrupted = 0
        for threshold in (0, 60, 160, 280, 400):
            proc = subprocess.Popen([NARRASCOPE, "ingest", str(records), "--db", db_url,
                                     "--no-vectors", "--batch-size", "20", "--quiet"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            started = time.monotonic()
            while proc.poll() is None and time.monotonic() < started + 60:
                # threshold 0: killed while it starts (before a fast machine has written all)
                if store.count() >= threshold and (threshold or time.monotonic() > started + 0.2):
                    break
                time.sleep(0.002)
            alive = proc.poll() is None
            proc.kill()
            proc.wait()
            assert store.check()["problems"] == []
            if alive and store.count() < 500:
                interrupted += 1
            if store.count() == 500:  # an idle machine can finish between two looks
                break
        assert interrupted >= 3  # the kills really interrupted it
        _cli("ingest", str(records), "--db", db_url, "--no-vectors", "--quiet")
        assert store.count() == 500
        report = store.check()
        assert report["problems"] == [] and report["articles"] == 500
        ids = [a.id for a in store.iter_articles()]
        assert len(ids) == len(set(ids)) == 500
        expect = [json.loads(line) for line in records.read_text(encoding="utf-8").splitlines()]
        assert sorted(ids) == sorted(r["id"] for r in expect)
        narr = sum(len(r["narratives"]["narratives"]) for r in expect)
        assert report["labels"]["narrative"] == narr


def test_two_ingests_into_one_sqlite_file(tmp_path: Path, records: Path) -> None:
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    _cli("db", "upgrade", "--db", db)
    procs = [subprocess.Popen([NARRASCOPE, "ingest", str(records), "--db", db, "--no-vectors",
                               "--batch-size", "25", "--quiet"], stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    errs = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    with open_store(db, readonly=True) as store:
        report = store.check()
        assert report["articles"] == 500 and report["problems"] == []


def test_db_upgrade_creates_and_reports(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    res = _cli("db", "upgrade", "--db", str(db))
    assert "(new) -> " in res.stderr and db.exists()
    assert "(latest)" in _cli("db", "upgrade", "--db", str(db)).stderr


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="no sqlite3 shell")
def test_sqlite_file_has_fts_triggers(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    _cli("db", "upgrade", "--db", str(db))
    out = subprocess.run(["sqlite3", str(db), ".tables"], capture_output=True, text=True).stdout
    assert "articles_fts" in out
