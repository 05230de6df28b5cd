"""Technique component end to end (loads the shared encoder once per module)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from narrascope.components.techniques.model import TechniqueModel, load_model
from narrascope.components.techniques.taxonomy import technique_names
from narrascope.doc import Article, GivenNarrative
from narrascope.pipeline import Pipeline
from narrascope.train.techniques.training import choose_thresholds, fit, split_by_template

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
HELDOUT = ROOT / "data" / "techniques" / "heldout_articles.jsonl"


@pytest.fixture(scope="module")
def nlp() -> Pipeline:
    return Pipeline.from_config({"pipeline": {"components": ["sentences", "encoder",
                                                            "techniques"]}})


def _seed(name_prefix: str) -> Article:
    if not SEEDS.exists():
        pytest.skip("shared seeds not available")
    files = sorted(SEEDS.glob(f"{name_prefix}*.txt"))
    if not files:
        pytest.skip("seed file missing")
    return Article(id=files[0].stem, text=files[0].read_text(encoding="utf-8"))


def test_seed_002_bars(nlp: Pipeline) -> None:
    art = nlp(_seed("002_"))
    tech = art.techniques
    assert tech is not None
    regime = [s for s in tech.spans if s.text == "Zelensky’s regime"]
    assert regime and {s.label for s in regime} & {"Name_Calling-Labeling",
                                                      "Loaded_Language"}
    ann = [s for s in tech.spans if s.text == "annihilation"]
    assert ann and {s.label for s in ann} & {"Loaded_Language",
                                                 "Exaggeration-Minimisation"}
    for s in tech.spans:
        assert s.text == art.text[s.start:s.end]
        assert (s.source == "pattern") == (s.detail is not None)
    assert tech.density_per_1000_words > 10


def test_seed_explanation_for_given_narrative(nlp: Pipeline) -> None:
    art = _seed("000_")
    art.given_narrative = GivenNarrative(
        narrative="URW: Discrediting the West, Diplomacy",
        subnarrative="URW: Discrediting the West, Diplomacy: West is tired of Ukraine")
    art = nlp(art)
    expl = art.narratives.explanation  # type: ignore[union-attr]
    assert expl is not None and expl.narrative == "URW: Discrediting the West, Diplomacy"
    assert 10 <= len(expl.text.split()) <= 80
    assert expl.quotes
    for q in expl.quotes:
        assert art.text[q.start:q.end] == q.text and f"“{q.text}”" in expl.text


def test_no_narrative_means_no_explanation(nlp: Pipeline) -> None:
    art = nlp(Article(id="n", text="Officials met on Monday. The talks ended without a deal."))
    assert art.techniques is not None and (art.narratives is None or art.narratives.explanation is None)


def test_wire_density_well_below_propaganda(nlp: Pipeline) -> None:
    rows = [json.loads(line) for line in HELDOUT.read_text(encoding="utf-8").splitlines()]
    arts = list(nlp.pipe([Article(id=r["id"], text=r["text"]) for r in rows]))
    dens: dict[str, list[float]] = {"wire": [], "propaganda": []}
    for r, a in zip(rows, arts, strict=True):
        dens[r["style"]].append(a.techniques.density_per_1000_words)  # type: ignore[union-attr]
    wire, prop = np.mean(dens["wire"]), np.mean(dens["propaganda"])
    assert prop >= 4 * max(wire, 1.0), (wire, prop)
    assert wire < 10


def test_component_speed_with_cached_vectors(nlp: Pipeline) -> None:
    art = _seed("002_")
    nlp.get("sentences")(art)
    nlp.get("encoder")(art)
    comp = nlp.get("techniques")
    art.given_narrative = GivenNarrative(narrative="URW: Praise of Russia")
    comp(art)  # warm caches (query embedding)
    t0 = time.perf_counter()
    for _ in range(10):
        comp(art)
    assert (time.perf_counter() - t0) / 10 < 0.2


def test_shipped_head_round_trip(tmp_path: Path) -> None:
    model = load_model()
    assert model is not None and model.labels == technique_names()
    assert ((model.thresholds >= 0.5) & (model.thresholds <= 1.0)).all()
    model.save(tmp_path, note="copy")
    again = TechniqueModel.load(tmp_path)
    X = np.random.default_rng(0).normal(size=(5, 384)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    np.testing.assert_allclose(again.predict_proba(X), model.predict_proba(X), atol=2e-2)
    np.testing.assert_allclose(again.thresholds, model.thresholds)
    assert not list(tmp_path.glob("*.pkl"))


def test_fit_split_and_thresholds_on_toy_data() -> None:
    labels = technique_names()
    rng = np.random.default_rng(1)
    centers = rng.normal(size=(len(labels) + 1, 16))
    recs, X = [], []
    for k in range(len(labels) + 1):
        for t in range(4):
            for _ in range(3):
                X.append(centers[k] + 0.2 * rng.normal(size=16))
                recs.append({"labels": [labels[k]] if k < len(labels) else [],
                             "template": f"{k}-{t}", "synthetic": True})
    train, held = split_by_template(recs, seed=3)
    assert train and held
    assert not {r["template"] for r in train} & {r["template"] for r in held}
    model = fit(np.array(X, dtype=np.float32), recs, seed=3)
    assert model.labels == labels
    pred = model.predict(np.array(X, dtype=np.float32))
    Y = np.array([[int(lab in r["labels"]) for lab in labels] for r in recs])
    assert (pred == Y).mean() > 0.9
    P = np.array([[0.9, 0.2], [0.8, 0.6], [0.1, 0.7]])
    th = choose_thresholds(P, np.array([[1, 0], [1, 0], [0, 1]]), ["a", "b"], target=1.0)
    assert th["a"] <= 0.8 and 0.6 < th["b"] <= 0.7
