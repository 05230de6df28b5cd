"""Article gate, voice weights, distancing cues, the Other margin, calibration caps,
non-English articles."""

from __future__ import annotations

import numpy as np
import pytest

from narrascope.components.narratives.gate import Gate, distanced, sentence_weights
from narrascope.components.narratives.model import load_model
from narrascope.doc import Article


@pytest.fixture(scope="module")
def model():
    return load_model("default")


def _pooled(model, narrative: str, sub: str | None, sub_ratio: float) -> np.ndarray:
    x = np.full(len(model.labels), 1e-3)
    dom = model.taxonomy.info[narrative].domain
    for lab, f in ((dom, 1.5), (narrative, 1.5)):
        j = model.labels.index(lab)
        x[j] = min(0.999, model.thresholds[j] * f)
    if sub is not None:
        j = model.labels.index(sub)
        x[j] = model.thresholds[j] * sub_ratio
    return x


def _labels(model, row: np.ndarray) -> list[str]:
    return [model.labels[j] for j in model.sub_idx if row[j]]


def test_gate_withholds_narratives(model) -> None:
    nar = "URW: Discrediting Ukraine"
    sub = "URW: Discrediting Ukraine: Ukraine is associated with nazism"
    x = _pooled(model, nar, sub, 1.5)
    old = model.gate
    d = len(model.labels)
    model.gate = Gate(coef=np.zeros((3, d)), intercept=np.zeros(3), mean=np.zeros(d),
                      scale=np.ones(d), threshold=0.5)
    try:
        assert _labels(model, model.decide(x[None], p_advances=np.array([0.9]))[0]) == [sub]
        blocked = model.decide(x[None], p_advances=np.array([0.1]))[0]
        assert _labels(model, blocked) == []
        assert not blocked[model.nar_idx].any()
    finally:
        model.gate = old


def test_other_only_when_no_subnarrative_fits(model) -> None:
    nar = "URW: Discrediting Ukraine"
    sub = "URW: Discrediting Ukraine: Ukraine is associated with nazism"
    x = _pooled(model, nar, sub, 0.85)
    old = model.other_margin
    try:
        model.other_margin = 1.0
        assert _labels(model, model.decide(x[None])[0]) == [f"{nar}: Other"]
        model.other_margin = 0.8
        assert _labels(model, model.decide(x[None])[0]) == [sub]
        model.other_margin = 0.9
        assert _labels(model, model.decide(x[None])[0]) == [f"{nar}: Other"]
    finally:
        model.other_margin = old


def test_voice_weights_and_distancing() -> None:
    voices = ["own", "own", "quoted", "reported", "clutter"]
    texts = ["Headline", "The regime is run by fanatics.", "q", "r", "REUTERS"]
    title = [True, False, False, False, False]
    w = sentence_weights(voices, texts, title, quoted_weight=0.4, negation_weight=0.5,
                         p_advances=0.0)
    assert w.tolist() == pytest.approx([1.0, 1.0, 0.4, 0.4, 0.0])
    w = sentence_weights(voices, texts, title, 0.4, 0.5, p_advances=1.0)
    assert w[2] == pytest.approx(1.0) and w[4] == 0.0  # endorsed speech counts fully
    assert distanced("The claim, made without evidence, was widely shared.")
    assert distanced("The offensive is unlikely to oust the occupiers this year.")
    assert not distanced("The offensive will oust the occupiers this year.")
    w = sentence_weights(["own"], ["Analysts say a breakthrough is unlikely to come soon."],
                         [False], 1.0, 0.5, None)
    assert w[0] == pytest.approx(0.5)
    # a quoted headline is not the article's own framing: it counts as quoted speech
    w = sentence_weights(["quoted", "own"], ["'We started it'", "Text."], [True, False],
                         0.4, 1.0, p_advances=0.0)
    assert w.tolist() == pytest.approx([0.4, 1.0])


def test_wording_features_tell_registers_apart() -> None:
    from narrascope.components.narratives.gate import lexical_features

    # synthetic sentences in two registers
    wire = ["Prosecutors said the officials denied the allegations.",
            "Russia's full-scale invasion of Ukraine began in 2022, Zelenskyy said."]
    slanted = ["The Kiev regime and its Western patrons staged the Maidan coup.",
               "Net zero madness is pushed by climate alarmists."]
    assert lexical_features(wire)[4] < 0 < lexical_features(slanted)[4]


def test_confidence_caps(model) -> None:
    nar = "URW: Discrediting Ukraine"
    x = _pooled(model, nar, None, 0.0)
    j = model.labels.index(nar)
    x[j] = 0.999
    per_sent = np.zeros((3, len(model.labels)))
    per_sent[0, j] = 0.999  # one sentence over the threshold
    old = model.calibration
    try:
        model.calibration = {"a": 1.0, "b": 0.0, "cap": 0.97, "cap_single": 0.8}
        assert model.confidence(x, per_sent)[j] <= 0.8 + 1e-9
        per_sent[1, j] = 0.999
        assert 0.8 < model.confidence(x, per_sent)[j] <= 0.97 + 1e-9
    finally:
        model.calibration = old


def test_non_english_article_gets_no_narratives() -> None:
    from narrascope import Pipeline

    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences", "voice", "narratives"]}})
    art = Article(id="de.txt", text="Der Kreml lehnt Gespräche mit der Ukraine ab. Der Westen "
                  "sei schuld, sagte ein Sprecher.", language="de", language_confidence=0.99)
    out = next(nlp.pipe([art]))
    assert out.narratives is None
    assert "narratives" in out.metadata["withheld"]
    assert any("narratives withheld" in w for w in out.warnings)


def test_one_definition_of_set_f1() -> None:
    from narrascope.evaluate.labels import f1_sets, samples_f1
    from narrascope.evaluate.scores import set_f1

    assert f1_sets is set_f1
    assert samples_f1([["a"], []], [["a", "b"], []])[0] == pytest.approx((2 / 3 + 1) / 2)


def test_gate_round_trip_and_narrative_cap(model, tmp_path) -> None:
    d = 20
    rng = np.random.default_rng(0)
    g = Gate(coef=rng.normal(size=(3, d)), intercept=np.zeros(3), mean=np.zeros(d),
             scale=np.ones(d), threshold=0.4, first_feature=5, info={"C": 0.05})
    cfg = g.save(tmp_path)
    back = Gate.load(tmp_path, cfg)
    f = rng.normal(size=(2, d + 5))
    assert np.allclose(back.p_advances(f), g.p_advances(f), atol=1e-5)
    assert back.threshold == 0.4 and back.first_feature == 5
    # max_narratives keeps the narratives with the largest margins
    a, b = "URW: Discrediting Ukraine", "URW: Praise of Russia"
    x = _pooled(model, a, None, 0.0)
    jb = model.labels.index(b)
    x[jb] = min(0.999, model.thresholds[jb] * 1.1)
    old = model.max_narratives
    try:
        model.max_narratives = 0
        row = model.decide(x[None])[0]
        assert {model.labels[j] for j in model.nar_idx if row[j]} == {a, b}
        model.max_narratives = 1
        row = model.decide(x[None])[0]
        got = {model.labels[j] for j in model.nar_idx if row[j]}
        assert len(got) == 1
        assert all(lab.startswith(next(iter(got))) for lab in _labels(model, row))
    finally:
        model.max_narratives = old


def test_narrative_margin_drops_far_weaker_narratives(model) -> None:
    strong, weak = "URW: Discrediting Ukraine", "URW: Praise of Russia"
    x = _pooled(model, strong, None, 0.0)
    j_s, j_w = model.labels.index(strong), model.labels.index(weak)
    x[j_s] = 0.999
    x[j_w] = min(0.999, model.thresholds[j_w] * 1.05)  # just over its threshold
    old = model.narrative_margin
    try:
        model.narrative_margin = 0.0
        row = model.decide(x[None])[0]
        assert row[j_s] and row[j_w]
        model.narrative_margin = 1.5
        row = model.decide(x[None])[0]
        assert row[j_s] and not row[j_w]
        assert not any(row[model.sub_idx][model.sub2nar == model.labels[
            model.n_dom:model.n_dom + model.n_nar].index(weak)])
    finally:
        model.narrative_margin = old
