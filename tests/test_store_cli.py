"""``narrascope ingest`` finds, counts and reads its input before any model loads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import narrascope.cli.common as common
from narrascope.cli import app, register_component_commands
from narrascope.store import open_store
from narrascope.store.synthetic import Synth


def _run(*args: object) -> Any:
    register_component_commands()
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every build of a pipeline, and the stderr length when it happened."""
    calls: list[str] = []
    real = common.build_pipeline

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append("built")
        return real(*args, **kwargs)

    monkeypatch.setattr(common, "build_pipeline", counting)
    return calls


def test_bad_input_is_reported_before_the_models_load(tmp_path: Path, built: list[str]) -> None:
    db = tmp_path / "c.db"
    r = _run("ingest", tmp_path / "missing", "--db", db, "--components", "sentences")
    assert r.exit_code == 1 and "no such file or folder" in r.stderr
    assert "no article could be read" in r.stderr and not built
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    r = _run("ingest", tmp_path / "empty.txt", "--db", db, "--components", "sentences")
    assert r.exit_code == 1 and not built and "loading the models" not in r.stderr


def test_articles_counted_then_models_load_with_a_message(tmp_path: Path,
                                                          built: list[str]) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"a{i}.txt").write_text(f"Title {i}\n\nBody number {i}. Another line.",
                                        encoding="utf-8")
    synth = Synth(2, outlets=2)
    from narrascope.write import article_record

    with (docs / "r.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(4):
            fh.write(json.dumps(article_record(synth.article(i))) + "\n")
    db = tmp_path / "c.db"
    r = _run("ingest", docs, "--db", db, "--components", "sentences", "--no-vectors")
    assert r.exit_code == 0, r.stderr
    err = r.stderr
    assert "4 input file(s), up to 7 article(s)" in err
    assert err.index("up to 7 article(s)") < err.index("loading the models...")
    assert "models loaded in" in err and built == ["built"]
    store = open_store(f"sqlite:///{db}", readonly=True)
    try:
        assert store.count() == 7
        run = store.runs()[-1]
        assert run["fingerprint"] != "none" and run["components"] == ["sentences"]
    finally:
        store.close()
    # all stored already: nothing to analyse, no model loads
    built.clear()
    r = _run("ingest", docs, "--db", db, "--components", "sentences", "--no-vectors")
    assert r.exit_code == 0 and not built and "7 already stored" in r.stderr
    assert "loading the models" not in r.stderr


def test_analysed_records_then_raw_text_load_the_models_late(tmp_path: Path,
                                                             built: list[str]) -> None:
    """A pipeline first needed in a later batch still gives its fingerprint to the run
    and to the articles it analysed."""
    from narrascope.write import article_record

    synth = Synth(4, outlets=2)
    path = tmp_path / "mixed.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(5):
            fh.write(json.dumps(article_record(synth.article(i))) + "\n")
        fh.write(json.dumps({"id": "plain-1", "text": "A plain text. Two sentences."}) + "\n")
    db = tmp_path / "m.db"
    r = _run("ingest", path, "--db", db, "--components", "sentences", "--no-vectors",
             "--batch-size", "5")
    assert r.exit_code == 0, r.stderr
    assert built == ["built"] and "1 input file(s), up to 6 article(s)" in r.stderr
    store = open_store(f"sqlite:///{db}", readonly=True)
    try:
        assert store.count() == 6
        fp = store.runs()[-1]["fingerprint"]
        assert fp != "none" and store.existing(["plain-1"])["plain-1"][1] == fp
    finally:
        store.close()
