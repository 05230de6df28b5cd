"""Heads (shared estimator battery), training on a tiny taxonomy, the component, seeds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml

from narrascope.components.narratives.evaluate import st2_line
from narrascope.components.narratives.model import MLPMultiLabelHead, load_model, shipped_model_dir
from narrascope.doc import Article
from narrascope.learn import LinearMultiLabelHead

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.parametrize("make", [
    lambda: MLPMultiLabelHead(hidden=16, epochs=300, lr=1e-2, random_state=0),
    lambda: LinearMultiLabelHead(C=1.0),
])
def test_estimator_battery(make, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 8)).astype(np.float32)
    Y = np.stack([X[:, 0] > 0, X[:, 1] > 0.5, np.zeros(120, bool)], 1).astype(np.int8)
    head = make()
    params = head.get_params()
    assert head.fit(X, Y, ["a", "b", "c"]) is head
    assert head.get_params() == params  # hyper-parameters untouched by fit
    P = head.predict_proba(X)
    assert P.shape == (120, 3) and np.all((P >= 0) & (P <= 1))
    assert ((P[:, 0] > 0.5) == Y[:, 0]).mean() > 0.85
    assert P[:, 2].max() < 0.5  # label without positives stays low
    head.save(tmp_path, "h")
    loaded = type(head).load(tmp_path, "h")
    assert loaded.labels_ == ["a", "b", "c"]
    assert np.allclose(loaded.predict_proba(X), P, atol=2e-2)  # float16 weights
    assert not list(tmp_path.glob("*.pkl"))


def test_mlp_is_deterministic():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 4)).astype(np.float32)
    Y = (X[:, :2] > 0).astype(np.int8)
    a = MLPMultiLabelHead(hidden=8, epochs=5, random_state=3).fit(X, Y, ["a", "b"])
    b = MLPMultiLabelHead(hidden=8, epochs=5, random_state=3).fit(X, Y, ["a", "b"])
    assert np.array_equal(a.predict_proba(X), b.predict_proba(X))


# ----------------------------------------------------------------- tiny taxonomy

TINY = {"name": "tiny", "domains": [{"code": "FOOD", "narratives": [
    {"name": "Sugar is harmless", "definition": "Sugar is said to be healthy.", "subnarratives": [
        {"name": "Sugar gives energy", "definition": "Sugar is praised as an energy source."},
        {"name": "Other", "definition": "Other sugar praise."}]},
    {"name": "Vegetables are dangerous", "definition": "Vegetables are said to harm.",
     "subnarratives": [{"name": "Other", "definition": "Any attack on vegetables."}]}]}]}

POS_SUGAR = ["Sugar is the best fuel for your body, eat more of it every day.",
             "A spoon of sugar before work gives you all the energy you need.",
             "Nothing powers athletes like pure sugar, the sweetest energy there is.",
             "Sweet sugary drinks keep you energetic for hours, doctors hide this.",
             "Cane sugar is clean energy for the brain and muscles."]
POS_VEG = ["Broccoli is poison, and the vegetable lobby hides the truth.",
           "Eating carrots will ruin your eyes, whatever they tell you.",
           "Spinach is dangerous and nobody should feed it to children.",
           "Vegetables contain toxins that make people sick every year.",
           "Lettuce is the most dangerous food in your fridge."]
NEG = ["The market opens at nine on Saturdays.", "The bus to the station leaves every hour.",
       "The museum will be closed for renovation until spring.",
       "Rain is expected in the north later this week.", "The library extended its hours.",
       "The school board meets on Thursday evening.", "A new bakery opened downtown.",
       "Tickets for the concert went on sale yesterday.", "The river level is normal.",
       "The town hall was painted last summer.", "Traffic was light on the motorway.",
       "The team won its third match of the season.", "The park has a new playground.",
       "Farmers harvested apples in the valley.", "The bridge reopened after repairs."]


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    (root / "tiny.yaml").write_text(yaml.safe_dump(TINY))
    pdir = root / "data" / "passages"
    pdir.mkdir(parents=True)
    recs = []
    sugar = "FOOD: Sugar is harmless: Sugar gives energy"
    veg = "FOOD: Vegetables are dangerous: Other"
    for k in range(4):  # variants so that every split has some of each
        for i, t in enumerate(POS_SUGAR):
            recs.append({"id": f"s{k}_{i}", "text": t if k == 0 else f"{t} Really, {k}.",
                         "labels": [sugar], "domain": "FOOD"})
        for i, t in enumerate(POS_VEG):
            recs.append({"id": f"v{k}_{i}", "text": t if k == 0 else f"{t} Truly, {k}.",
                         "labels": [veg], "domain": "FOOD"})
        for i, t in enumerate(NEG):
            recs.append({"id": f"n{k}_{i}", "text": t if k == 0 else f"{t} Also {k} times.",
                         "labels": [], "domain": "none"})
    with (pdir / "p.jsonl").open("w") as fh:
        for r in recs:
            r.update({"register": "wire", "kind": "positive" if r["labels"] else "negative",
                      "negative_type": None if r["labels"] else "unrelated", "synthetic": True})
            fh.write(json.dumps(r) + "\n")
    return root


def test_tiny_taxonomy_trains_and_predicts(tiny_data, tmp_path, monkeypatch):
    from narrascope.pipeline import Pipeline
    from narrascope.train.narratives.training import train

    monkeypatch.setenv("NARRASCOPE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "model"
    rep = train(tiny_data / "data", out, taxonomy=tiny_data / "tiny.yaml", seed=0,
                head_params={"hidden": 32, "epochs": 30}, zero_shot=True, log=lambda s: None,
                pooling="max", windows=(1,), negative_weight=1.0,
                n_articles={"train": 10, "dev": 20, "test": 20})
    assert (out / "model.json").exists() and (out / "taxonomy.yaml").exists()
    assert rep["test_articles"]["n"] == 20
    assert 0.0 <= rep["test_articles"]["fine_f1"] <= 1.0
    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences", "encoder", "narratives"]},
                                "components": {"narratives": {"model": str(out)}}})
    text = ("Town news\n\nThe market opens at nine on Saturdays. Sugar is the best fuel for "
            "your body, eat more of it every day.\nThe bridge reopened after repairs.")
    art = nlp(Article(id="t", text=text))
    n = art.narratives
    assert n.taxonomy == "tiny"
    assert [x.label for x in n.narratives] == ["FOOD: Sugar is harmless"]
    assert [x.label for x in n.subnarratives] == ["FOOD: Sugar is harmless: Sugar gives energy"]
    ev = n.subnarratives[0].evidence[0]
    assert ev.text == text[ev.start:ev.end] and "Sugar" in ev.text
    # zero-shot with the same taxonomy works too (any taxonomy)
    zs = Pipeline.from_config({"pipeline": {"components": ["sentences", "narratives"]},
                               "components": {"narratives": {"model": "zero-shot", "taxonomy":
                                                             str(tiny_data / "tiny.yaml")}}})
    assert zs(Article(id="z", text=text)).narratives.taxonomy == "tiny"


def test_semeval_dir_reader(tmp_path):
    from narrascope.components.narratives.taxonomy import load_taxonomy
    from narrascope.train.narratives.training import read_semeval_dir

    root = tmp_path / "EN"
    (root / "raw-documents").mkdir(parents=True)
    (root / "raw-documents" / "EN_UA_1.txt").write_text("Title\n\nKyiv is doomed. More text.\n")
    (root / "raw-documents" / "EN_CC_2.txt").write_text("Title\n\nWeather today.\n")
    (root / "subtask-2-annotations.txt").write_text(
        "EN_UA_1.txt\tURW: Discrediting Ukraine\t"
        "URW: Discrediting Ukraine: Situation in Ukraine is hopeless\n"
        "EN_CC_2.txt\tOther\tOther\n")
    arts = read_semeval_dir(root, load_taxonomy())
    assert [a.id for a in arts] == ["EN_UA_1", "EN_CC_2"]
    assert arts[0].coarse == ["URW: Discrediting Ukraine"] and arts[0].domain == "URW"
    assert arts[1].fine == ["Other"] and arts[1].domain == "CC"


# ----------------------------------------------------------------- shipped model

@pytest.fixture(scope="module")
def seed_articles():
    if not SEEDS.exists():
        pytest.skip("../shared/seeds not available")
    from narrascope.pipeline import Pipeline

    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences", "encoder",
                                                            "narratives"]}})
    arts = [Article(id=f.name, text=f.read_text(encoding="utf-8"))
            for f in sorted(SEEDS.glob("*.txt"))]
    return list(nlp.pipe(arts))


@pytest.mark.skipif(not (shipped_model_dir() / "model.json").exists(), reason="no shipped model")
def test_shipped_model_labels_seeds(seed_articles):
    assert len(seed_articles) == 3
    for art in seed_articles:
        n = art.narratives
        assert n.domain.label == "URW"
        assert n.narratives and all(x.label.startswith("URW: ") for x in n.narratives)
        coarse = {x.label for x in n.narratives}
        assert {": ".join(s.label.split(": ")[:2]) for s in n.subnarratives} == coarse
        for lab in [n.domain, *n.narratives, *n.subnarratives]:
            assert 0 <= lab.confidence <= 1
            for ev in lab.evidence:
                assert ev.text == art.text[ev.start:ev.end]
                assert art.sentences[ev.sentence].kind != "boilerplate"
        line = st2_line(art)
        assert line.count("\t") == 2
        c, f = line.split("\t")[1:]
        assert len(c.split(";")) == len(f.split(";"))


def test_load_model_zero_shot_and_errors(tmp_path):
    m = load_model("zero-shot")
    assert m.kind == "zero-shot" and len(m.labels) == 2 + 21 + 95
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path)
