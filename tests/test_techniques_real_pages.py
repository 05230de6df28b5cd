"""Techniques on page-like text: repeated headlines and clutter, voice, calibrated thresholds."""

from __future__ import annotations

import numpy as np
import pytest

import narrascope
from narrascope.components.techniques.component import analysed_sentences
from narrascope.components.techniques.model import load_model
from narrascope.doc import Article, Sentence


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return narrascope.load({
        "pipeline": {"components": ["sentences", "techniques"]},
        "components": {"techniques": {"use_model": False, "explain": False,
                                      "detect_frames": False}}})


TITLE = "Grain deal talks stall again as ministers meet in Ankara"


def test_repeated_headline_gives_no_repetition(nlp) -> None:  # type: ignore[no-untyped-def]
    body = " ".join(["Ministers met on Tuesday to discuss shipments.",
                     "Officials said the talks would continue next week."] * 2)
    text = f"{TITLE}\n\n{TITLE}\n\nShare\n\n{TITLE}\n\n{body}\n"
    art = nlp(Article(id="a", text=text, title=TITLE))
    assert not [sp for sp in art.techniques.spans if sp.label == "Repetition"]
    assert art.techniques.density_per_1000_words == 0.0


def test_two_word_topic_names_are_not_repetition(nlp) -> None:  # type: ignore[no-untyped-def]
    text = ("Sea ice fell again.\n\nThe sea ice extent was low in March. "
            "Scientists measured the sea ice from ships. Sea ice recovers in winter. "
            "The sea ice data were published in May.")
    art = nlp(Article(id="b", text=text))
    assert not [sp for sp in art.techniques.spans if sp.detail == "repeated_phrase"]


def test_phrase_repeated_for_effect_is_repetition(nlp) -> None:  # type: ignore[no-untyped-def]
    text = ("Corrupt elites lie to you. On the war, corrupt elites lie again. On prices, "
            "corrupt elites lie every day. Remember it: corrupt elites lie.")
    art = nlp(Article(id="c", text=text))
    assert [sp for sp in art.techniques.spans if sp.detail == "repeated_phrase"]


def _sent(text: str, start: int, index: int, kind: str = "body",
          voice: str | None = None) -> Sentence:
    return Sentence(start=start, end=start + len(text), text=text, index=index, kind=kind,
                    voice=voice)  # type: ignore[arg-type]


def test_analysed_sentences_skip_clutter_and_repeats() -> None:
    parts = [("A headline about the grain deal", "title", None),
             ("Photo: Reuters staff", "body", "clutter"),
             ("A headline about the grain deal", "body", None),
             ("Ministers met on Tuesday.", "body", "own")]
    text, sents, pos = "", [], 0
    for i, (t, kind, voice) in enumerate(parts):
        sents.append(_sent(t, pos, i, kind, voice))
        text += t + "\n"
        pos += len(t) + 1
    art = Article(id="d", text=text)
    art.sentences = sents
    assert [s.index for s in analysed_sentences(art)] == [0, 3]
    assert [s.index for s in analysed_sentences(art, skip_voices=(), skip_repeats=False)] \
        == [0, 1, 2, 3]


def test_spans_in_reported_speech_are_listed_not_counted() -> None:
    p = narrascope.load({
        "pipeline": {"components": ["sentences", "techniques"]},
        "components": {"techniques": {"use_model": False, "explain": False,
                                      "detect_frames": False}}})
    comp = p.get("techniques")
    text = "The spokesman said the Kiev regime is a neo-Nazi junta. Talks resume on Monday."
    art = Article(id="e", text=text)
    art.sentences = [_sent("The spokesman said the Kiev regime is a neo-Nazi junta.", 0, 0,
                           voice="reported"),
                     _sent("Talks resume on Monday.", 56, 1, voice="own")]
    art = comp(art)
    assert art.techniques.spans and all(sp.voice == "reported" for sp in art.techniques.spans)
    assert art.techniques.density_per_1000_words == 0.0
    art.sentences[0].voice = "own"
    art = comp(art)
    assert art.techniques.density_per_1000_words > 0


def test_calibrated_thresholds_only_raise() -> None:
    model = load_model(None)
    if model is None or model.calibrated is None:
        pytest.skip("no shipped calibration")
    for scale in (1.0, 1.5):
        base = model.decision_thresholds(scale, calibrated=False)
        cal = model.decision_thresholds(scale, calibrated=True)
        assert np.all(cal >= base)
    X = np.zeros((1, model.head.coef_.shape[1] if hasattr(model.head, "coef_") else 384),
                 dtype=np.float32)
    assert model.predict(X, 1.5).shape == (1, len(model.labels))
