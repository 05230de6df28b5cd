"""Taxonomy loading/validation, passage validation and hierarchy consistency."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from narrascope.components.narratives.data import Passage, validate_passages
from narrascope.components.narratives.model import ZeroShotNarrativeModel
from narrascope.components.narratives.taxonomy import TaxonomyError, load_taxonomy

REF = Path(__file__).resolve().parents[2] / "shared" / "reference" / "semeval2025-task10-taxonomy.md"


def test_shipped_taxonomy_loads():
    t = load_taxonomy()
    assert t.name == "semeval2025"
    assert t.domains == ["URW", "CC"]
    assert len(t.narratives) == 21
    assert len(t.subnarratives) == 95
    assert "URW: Discrediting Ukraine: Rewriting Ukraine’s history" in t.subnarratives
    for n in t.narratives:
        assert t.other_of(n) in t.subnarratives
        assert t.info[n].definition
    for s in t.subnarratives:
        assert t.info[s].definition and t.narrative_of(s) in t.narratives


def test_labels_match_reference():
    if not REF.exists():
        pytest.skip("shared reference not available")
    text = REF.read_text(encoding="utf-8").split("## Entity")[0]
    labels, cur = set(), None
    for line in text.splitlines():
        m = re.match(r"^- ((URW|CC): .+)$", line)
        if m:
            cur = m.group(1)
            labels |= {cur, cur + ": Other"}
        elif (m := re.match(r"^  - (.+)$", line)) and cur and not m.group(1).startswith("(only"):
            labels.add(f"{cur}: {m.group(1)}")
    t = load_taxonomy()
    assert labels == set(t.narratives) | set(t.subnarratives)


def _tiny(tmp_path: Path, **change) -> Path:
    data = {"name": "tiny", "domains": [{"code": "X", "narratives": [
        {"name": "Alpha", "definition": "a", "subnarratives": [
            {"name": "One", "definition": "one"}, {"name": "Other", "definition": "o"}]}]}]}
    data.update(change)
    p = tmp_path / "tiny.yaml"
    p.write_text(yaml.safe_dump(data))
    return p


def test_invalid_taxonomies_raise(tmp_path):
    with pytest.raises(TaxonomyError):
        load_taxonomy(tmp_path / "missing.yaml")
    with pytest.raises(TaxonomyError, match="Other"):
        load_taxonomy(_tiny(tmp_path, domains=[{"code": "X", "narratives": [
            {"name": "A", "definition": "a", "subnarratives": [{"name": "B", "definition": "b"}]}]}]))
    with pytest.raises(TaxonomyError):
        load_taxonomy(_tiny(tmp_path, bogus=1))
    p = tmp_path / "t.json"
    p.write_text(json.dumps({"name": "x"}))
    with pytest.raises(TaxonomyError):
        load_taxonomy(p)
    t = load_taxonomy(_tiny(tmp_path))
    assert t.subnarratives == ["X: Alpha: One", "X: Alpha: Other"]


def test_consistent():
    t = load_taxonomy()
    fine, coarse = t.consistent(["URW: Praise of Russia: Praise of Russian military might"])
    assert coarse == ["URW: Praise of Russia"]
    fine, coarse = t.consistent([], ["URW: Discrediting Ukraine"])
    assert fine == ["URW: Discrediting Ukraine: Other"]
    assert t.consistent([]) == (["Other"], ["Other"])


def test_decide_is_hierarchy_consistent():
    t = load_taxonomy()
    m = ZeroShotNarrativeModel(t, default_threshold=0.5)
    rng = np.random.default_rng(0)
    P = rng.random((300, len(m.labels))) ** 3
    D = m.decide(P)
    for row in D:
        fine = [m.labels[j] for j in m.sub_idx if row[j]]
        coarse = {m.labels[j] for j in m.nar_idx if row[j]}
        assert {t.narrative_of(f) for f in fine} == coarse  # both directions
        for n in coarse:
            subs = [f for f in fine if t.narrative_of(f) == n]
            others = [f for f in subs if f.endswith(": Other")]
            assert len(others) <= 1 and (not others or len(subs) == 1)
        doms = [m.labels[j] for j in m.dom_idx if row[j]]
        assert len(doms) <= 1
        assert all(t.domain_of(n) == doms[0] for n in coarse)


def test_validate_passages_finds_problems():
    t = load_taxonomy()
    good = Passage("a", "Text one.", ["URW: Praise of Russia: Other"], "URW", "positive", "wire")
    bad = [
        Passage("a", "Dup id.", [], "URW", "negative", "wire", "neutral_war"),
        Passage("b", "Bad label.", ["URW: Nope"], "URW", "positive", "wire"),
        Passage("c", "Neg with label.", ["URW: Praise of Russia: Other"], "URW", "negative",
                "wire", "neutral_war"),
        Passage("d", "Wrong domain.", ["URW: Praise of Russia: Other"], "CC", "positive", "blog"),
        Passage("e", "Bad register.", [], "none", "negative", "poem", "unrelated"),
    ]
    assert validate_passages([good], t) == []
    problems = validate_passages([good, *bad], t)
    for key in ("duplicate id", "not a fine label", "negative passage with labels",
                "does not match domain", "register"):
        assert any(key in p for p in problems), key


def test_cli_commands_register():
    import typer
    from typer.testing import CliRunner

    from narrascope.components.narratives import commands

    app, train_app = typer.Typer(), typer.Typer()
    app.add_typer(train_app, name="train")
    commands.register(train_app)
    commands.register_extra(app)
    runner = CliRunner()
    res = runner.invoke(app, ["train", "narratives", "--help"])
    assert res.exit_code == 0 and "--semeval-dir" in res.output and "--taxonomy" in res.output
    res = runner.invoke(app, ["narratives", "--help"])
    assert res.exit_code == 0 and "validate" in res.output


def test_st2_line_without_narratives():
    from narrascope.components.narratives.evaluate import st2_line
    from narrascope.doc import Article, Label, Narratives

    a = Article(id="x.txt", text="t")
    a.narratives = Narratives(taxonomy="semeval2025", model="m",
                              domain=Label(label="Other", confidence=0.9))
    assert st2_line(a) == "x.txt\tOther\tOther"
    a.narratives.subnarratives = [Label(label="URW: Praise of Russia: Other", confidence=0.7)]
    assert st2_line(a) == "x.txt\tURW: Praise of Russia\tURW: Praise of Russia: Other"
