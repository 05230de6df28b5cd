"""Entities: alias tables, role taxonomy, head persistence, corpus and SemEval I/O (fast)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from narrascope.components.entities.aliases import (
    AliasTable,
    load_table,
    normalize,
    strip_possessive,
)
from narrascope.components.entities.model import RoleModel, load_model, load_taxonomy
from narrascope.components.entities.semeval import attach_mentions, read_mentions
from narrascope.doc import Article
from narrascope.train.entities.training import read_corpus, score

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def table() -> AliasTable:
    return load_table(None)


@pytest.mark.parametrize("surface,canonical", [
    ("Zelensky", "Volodymyr Zelensky"), ("Zelenskiy", "Volodymyr Zelensky"),
    ("Zelenskyy", "Volodymyr Zelensky"), ("the Ukrainian leader", "Volodymyr Zelensky"),
    ("Zelensky’s", "Volodymyr Zelensky"), ("Kyiv", "Ukrainian government"),
    ("Kiev", "Ukrainian government"), ("the Kiev regime", "Ukrainian government"),
    ("Vuhledar", "Vuhledar"), ("Ugledar", "Vuhledar"),
    ("Washington", "United States government"), ("the White House", "United States government"),
    ("Moscow", "Russian government"), ("the Kremlin", "Russian government"),
    ("Brussels", "European Union"), ("NATO", "NATO"), ("Nato", "NATO"), ("the Alliance", "NATO"),
])
def test_alias_lookup(table: AliasTable, surface: str, canonical: str) -> None:
    assert table.lookup(surface) == canonical


def test_table_size_types_and_no_conflicts(table: AliasTable) -> None:
    assert len(table.entities) >= 150
    assert all(e.type for e in table.entities.values())
    owner: dict[str, str] = {}
    for ent in table.entities.values():
        for s in [ent.name, *ent.aliases]:
            key = normalize(s)
            assert owner.setdefault(key, ent.name) == ent.name, f"{s!r} maps to two entities"


def test_scan_spans_exclude_the_and_possessive(table: AliasTable) -> None:
    text = "The Kremlin said Zelensky’s plan and the Kiev regime failed in Ugledar."
    found = {(text[s:e], c) for s, e, c in table.scan(text)}
    assert ("Kremlin", "Russian government") in found
    assert ("Zelensky", "Volodymyr Zelensky") in found
    assert ("Kiev regime", "Ukrainian government") in found
    assert ("Ugledar", "Vuhledar") in found
    assert "us" not in {c.lower() for _, c in found}


def test_user_alias_file_extends_table(tmp_path: Path) -> None:
    p = tmp_path / "mine.yaml"
    p.write_text("entities:\n- {name: Valdoria, type: country, aliases: [Valdorian Republic]}\n"
                 "- {name: Volodymyr Zelensky, type: person, aliases: [Ze]}\n", encoding="utf-8")
    t = load_table(str(p))
    assert t.lookup("the Valdorian Republic") == "Valdoria"
    assert t.lookup("Ze") == "Volodymyr Zelensky"
    assert t.lookup("Zelenskiy") == "Volodymyr Zelensky"  # packaged aliases kept
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n- {type: person}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs a 'name'"):
        AliasTable.from_yaml(bad)


def test_normalize() -> None:
    assert strip_possessive("Zelensky’s") == "Zelensky"
    assert strip_possessive("allies'") == "allies"
    assert normalize("  The   Kremlin's ") == "kremlin"


def test_taxonomy() -> None:
    tax = load_taxonomy(None)
    assert tax.mains == ["Protagonist", "Antagonist", "Innocent"]
    assert len(tax.fines) == 22 and len(set(tax.fines)) == 22
    assert tax.main_of("Victim") == "Innocent"
    assert tax.is_consistent("Antagonist", ["Deceiver", "Corrupt"])
    assert not tax.is_consistent("Protagonist", ["Victim"])
    assert not tax.is_consistent("Innocent", [])


@pytest.fixture(scope="module")
def model() -> RoleModel:
    return load_model(None)


def test_decoding_is_consistent(model: RoleModel) -> None:
    rng = np.random.default_rng(0)
    dim = model.main_head.coef_.shape[1]
    X = rng.normal(size=(200, dim)).astype(np.float32) * 0.05
    tax = model.taxonomy
    for p in model.predict(X, forced=True):
        assert p.main in tax.mains and p.fines
        assert tax.is_consistent(p.main, [f for f, _ in p.fines])
        assert all(0.0 <= c <= 1.0 for _, c in p.fines)
    for p in model.predict(X, forced=False):
        assert tax.is_consistent(p.main, [f for f, _ in p.fines])


def test_model_save_load_round_trip(model: RoleModel, tmp_path: Path) -> None:
    model.save(tmp_path)
    again = RoleModel.load(tmp_path)
    X = np.random.default_rng(1).normal(size=(5, model.main_head.coef_.shape[1])).astype(np.float32)
    np.testing.assert_allclose(model.main_head.predict_proba(X), again.main_head.predict_proba(X),
                               atol=1e-3)
    np.testing.assert_allclose(model.fine_head.predict_proba(X), again.fine_head.predict_proba(X),
                               atol=1e-3)
    assert again.taxonomy == model.taxonomy and again.window_words == model.window_words
    assert not any(p.suffix == ".pkl" for p in tmp_path.iterdir())


def test_shipped_weights_are_small() -> None:
    d = ROOT / "src" / "narrascope" / "resources" / "models" / "roles"
    assert sum(p.stat().st_size for p in d.iterdir()) < 2_000_000


def test_corpus_is_synthetic_consistent_and_covers_every_role() -> None:
    tax = load_taxonomy(None)
    recs = [json.loads(x) for f in sorted((ROOT / "data" / "roles").glob("*.jsonl"))
            for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
    assert recs and all(r["synthetic"] is True for r in recs)
    for r in recs:
        assert r["text"][r["start"]:r["end"]] == r["mention"]
        assert tax.is_consistent(r["main_role"], r["fine_roles"])
    counts = Counter(f for r in recs for f in r["fine_roles"])
    assert all(counts[f] >= 25 for f in tax.fines), counts
    assert sum(r["main_role"] is None for r in recs) >= 25
    assert len(read_corpus(ROOT / "data" / "roles")) == len(recs)


def test_score_metrics() -> None:
    gold = [("Antagonist", ["Deceiver"]), ("Innocent", ["Victim"]), ("Protagonist", ["Guardian"])]
    pred = [("Antagonist", ["Deceiver"]), ("Innocent", ["Victim", "Exploited"]),
            ("Antagonist", ["Instigator"])]
    s = score(gold, pred)
    assert s["emr"] == pytest.approx(1 / 3, abs=1e-3)
    assert s["main_accuracy"] == pytest.approx(2 / 3, abs=1e-3)
    assert s["micro_p"] == pytest.approx(0.5) and s["micro_r"] == pytest.approx(2 / 3, abs=1e-3)


ARTICLE = "Putin met Zelensky.\n\nKiev said the talks failed."


def test_semeval_mentions_bad_lines_are_named(tmp_path: Path) -> None:
    f = tmp_path / "mentions.txt"
    f.write_text("A1.txt\tPutin\t0\t4\n"
                 "A1.txt\tZelensky\t10\t17\n"
                 "A1.txt\tMoscow\t21\t26\n"          # text mismatch
                 "A1.txt\tKiev\t900\t903\n"          # outside the article
                 "A1.txt\tKiev\tx\t3\n", encoding="utf-8")  # malformed
    errors: list[str] = []
    mentions = read_mentions(f, errors)
    assert len(errors) == 1 and ":5:" in errors[0]
    art = Article(id="A1", text=ARTICLE)
    errs = attach_mentions(art, mentions, f)
    assert len(errs) == 2
    assert f"{f}:3:" in errs[0] and "Moscow" in errs[0]
    assert f"{f}:4:" in errs[1] and "outside" in errs[1]
    assert [(m.start, m.end, m.text) for m in art.given_mentions] == [(0, 5, "Putin"),
                                                                       (10, 18, "Zelensky")]
