"""Lexical technique patterns, taxonomy data and profile arithmetic (no encoder needed)."""

from __future__ import annotations

import pytest

from narrascope.components.sentences import SentenceSplitter
from narrascope.components.techniques.component import TechniqueDetector, build_profile
from narrascope.components.techniques.patterns import PatternMatcher, quote_regions
from narrascope.components.techniques.taxonomy import (
    frame_names,
    load_taxonomy,
    phrase_level_techniques,
    technique_names,
)
from narrascope.doc import Article, TechniqueSpan


@pytest.fixture(scope="module")
def matcher() -> PatternMatcher:
    return PatternMatcher()


@pytest.fixture(scope="module")
def detector() -> TechniqueDetector:
    return TechniqueDetector(use_model=False, explain=False)


def _spans(detector: TechniqueDetector, text: str) -> list[TechniqueSpan]:
    art = SentenceSplitter()(Article(id="t", text=text))
    detector(art)
    assert art.techniques is not None
    return art.techniques.spans


def _found(spans: list[TechniqueSpan]) -> set[tuple[str, str]]:
    return {(s.text, s.label) for s in spans}


def test_taxonomy_has_the_semeval_labels() -> None:
    assert len(technique_names()) == 23 and len(set(technique_names())) == 23
    assert len(frame_names()) == 14
    assert {"Loaded_Language", "Name_Calling-Labeling", "Doubt", "Repetition", "Slogans",
            "Exaggeration-Minimisation", "Appeal_to_Fear-Prejudice",
            "Flag_Waving"} <= phrase_level_techniques()
    assert all(t.definition for t in load_taxonomy()["techniques"])


@pytest.mark.parametrize("apostrophe", ["'", "’", "ʼ"])
def test_regime_label_with_any_apostrophe(detector: TechniqueDetector, apostrophe: str) -> None:
    text = f"Analysts say Zelensky{apostrophe}s regime faces annihilation this summer."
    found = _found(_spans(detector, text))
    assert (f"Zelensky{apostrophe}s regime", "Name_Calling-Labeling") in found
    assert ("annihilation", "Loaded_Language") in found


def test_labels_and_so_called(detector: TechniqueDetector) -> None:
    text = ("The Kiev regime and its neo-Nazi battalions obey their Western masters. "
            "The so-called “peace plan” is a farce.")
    found = _found(_spans(detector, text))
    assert ("Kiev regime", "Name_Calling-Labeling") in found
    assert ("neo-Nazi", "Name_Calling-Labeling") in found
    assert ("Western masters", "Name_Calling-Labeling") in found
    assert ("so-called “peace plan”", "Doubt") in found
    assert ("farce", "Loaded_Language") in found


@pytest.mark.parametrize("q", [("“", "”"), ('"', '"'), ("‘", "’"), ("'", "'")])
def test_scare_quotes_but_not_reported_speech(detector: TechniqueDetector, q) -> None:
    o, c = q
    text = f"Kiev boasts about its {o}achievements{c} at the front."
    assert (f"{o}achievements{c}", "Doubt") in _found(_spans(detector, text))
    speech = f"The minister said the talks were {o}constructive{c} on Monday."
    assert not any(s.detail == "scare_quotes" for s in _spans(detector, speech))


def test_quote_regions_ignore_apostrophes() -> None:
    text = "Zelensky’s plan isn’t new, he said ‘don’t see it working’ today."
    regions = [text[s:e] for s, e in quote_regions(text)]
    assert regions == ["‘don’t see it working’"]


def test_rhetorical_question_and_repetition(detector: TechniqueDetector) -> None:
    text = ("Can anyone really trust these figures from the ministry?\n"
            "They lied about prices. Lies, lies and more lies.\n"
            "The plan means higher energy bills. Higher energy bills again. "
            "And higher energy bills forever.")
    spans = _spans(detector, text)
    techs = {(s.label, s.detail) for s in spans}
    assert ("Doubt", "rhetorical_question") in techs or ("Doubt", "who_benefits") in techs
    assert ("Repetition", "repeated_word") in techs
    assert ("Repetition", "repeated_phrase") in techs


def test_quoted_question_is_not_rhetorical(detector: TechniqueDetector) -> None:
    text = "“Will the talks resume next week?” a reporter asked the spokesman."
    assert not any(s.detail == "rhetorical_question" for s in _spans(detector, text))


def test_neutral_wire_copy_has_no_pattern_hits(detector: TechniqueDetector) -> None:
    text = ("European Union foreign ministers agreed on Monday to extend sanctions on Russia "
            "for another six months, diplomats said. The measures were first imposed in 2014. "
            "Turnout was 61 percent, slightly lower than in the previous election. "
            "The prime minister met the prime minister of Poland; the prime minister said "
            "talks were useful.")
    assert _spans(detector, text) == []


def test_every_span_equals_its_text(detector: TechniqueDetector) -> None:
    text = ("\ufeff date 2025-04-12 The “so-called” regime of puppets is crumbling!!\r\n\r\n"
            "Who benefits from this total collapse? Our glorious nation will never bow.\t"
            "Shame, shame, shame on them.")
    art = SentenceSplitter()(Article(id="t", text=text))
    detector(art)
    assert art.techniques is not None and art.techniques.spans
    for s in art.techniques.spans:
        assert s.text == text[s.start:s.end]
        assert s.source == "pattern" and s.detail
        assert 0 <= s.confidence <= 1


def test_boilerplate_is_skipped(detector: TechniqueDetector) -> None:
    text = "Officials met on Monday.\nWatch: the desperate regime of puppets collapses."
    assert _spans(detector, text) == []


def test_profile_arithmetic() -> None:
    def sp(t: str) -> TechniqueSpan:
        return TechniqueSpan(start=0, end=1, text="x", label=t, confidence=0.5,
                             source="pattern")

    spans = [sp("Doubt"), sp("Doubt"), sp("Loaded_Language")]
    profile, density = build_profile(spans, 600)
    assert profile["Doubt"].count == 2 and profile["Loaded_Language"].count == 1
    assert profile["Doubt"].per_1000_words == pytest.approx(2 * 1000 / 600, abs=1e-3)
    assert density == pytest.approx(3 * 1000 / 600, abs=1e-3)
    assert sum(c.count for c in profile.values()) == len(spans)
    assert build_profile([], 0) == ({}, 0.0)
    assert build_profile(spans, 0)[1] == 0.0


def test_component_profile_matches_spans(detector: TechniqueDetector) -> None:
    text = "The puppet regime is crumbling. The junta is desperate. Prices rose 2 percent."
    art = SentenceSplitter()(Article(id="t", text=text))
    detector(art)
    tech = art.techniques
    assert tech is not None
    assert tech.words == len(text.split())
    assert sum(c.count for c in tech.profile.values()) == len(tech.spans)
    assert tech.density_per_1000_words == pytest.approx(
        len(tech.spans) * 1000 / tech.words, abs=1e-3)


def test_empty_and_sentence_less_articles(detector: TechniqueDetector) -> None:
    for text in ["", "   \n\n  ", "?"]:
        art = SentenceSplitter()(Article(id="e", text=text))
        detector(art)
        assert art.techniques is not None
        assert art.techniques.density_per_1000_words >= 0


def test_frames_have_sentence_evidence(detector: TechniqueDetector) -> None:
    text = ("Russian troops launched a new offensive with drones and missiles. "
            "The army said air defences shot down most of the drones. "
            "The attack damaged a hospital and killed two civilians. "
            "NATO ministers will discuss weapons deliveries at the summit.")
    art = SentenceSplitter()(Article(id="f", text=text))
    detector(art)
    assert art.techniques is not None
    frames = {f.label: f for f in art.techniques.frames}
    assert "Security_and_defense" in frames
    assert set(frames) <= set(frame_names())
    for f in frames.values():
        assert f.evidence and all(e.text == text[e.start:e.end] for e in f.evidence)
        assert 0 <= f.confidence <= 1


def test_train_command_is_registered() -> None:
    import typer
    from typer.testing import CliRunner

    from narrascope.components.techniques.commands import register

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    result = CliRunner().invoke(app, ["techniques", "--help"])
    assert result.exit_code == 0
    assert "--seed" in result.output and "--data" in result.output


def test_corpus_records_are_synthetic_and_cover_every_technique() -> None:
    import json
    from collections import Counter
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "techniques" / "corpus.jsonl"
    if not path.exists():
        pytest.skip("training corpus not in this checkout")
    recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert all(r["synthetic"] is True for r in recs)
    counts = Counter(lab for r in recs for lab in r["labels"])
    assert set(counts) == set(technique_names())
    assert min(counts.values()) >= 30
    assert sum(1 for r in recs if not r["labels"]) >= 150
