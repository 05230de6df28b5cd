"""Techniques on real-article shapes: recall on a loaded article, no Repetition from topic
names or lists, no model span on plain factual sentences, other languages withheld.

Every text here is written for the project (the loaded article is the synthetic
``examples/EN_URW_example_001.txt``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import narrascope
from narrascope.components.techniques.patterns import PatternMatcher
from narrascope.doc import Article
from narrascope.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "EN_URW_example_001.txt"


@pytest.fixture(scope="module")
def nlp() -> Pipeline:
    return narrascope.load({
        "pipeline": {"components": ["sentences", "voice", "encoder", "techniques",
                                    "fact_checks"]},
        "components": {"techniques": {"explain": False}}})


@pytest.fixture(scope="module")
def matcher() -> PatternMatcher:
    return PatternMatcher()


def _repetition(matcher: PatternMatcher, text: str) -> list[str]:
    return [text[m.start:m.end] for m in matcher.match_text(text, _sentences(text))
            if m.technique == "Repetition"]


def _sentences(text: str) -> list[tuple[int, int, int]]:
    out, start = [], 0
    for i, part in enumerate(text.split(". ")):
        end = start + len(part) + (1 if start + len(part) < len(text) else 0)
        out.append((start, min(end, len(text)), i))
        start = start + len(part) + 2
    return out


def test_loaded_example_article_gets_spans(nlp: Pipeline) -> None:
    art = nlp(Article(id="ex", text=EXAMPLE.read_text(encoding="utf-8")))
    labels = {sp.label for sp in art.techniques.spans}
    assert {"Loaded_Language", "Name_Calling-Labeling"} <= labels
    assert len(art.techniques.spans) >= 4
    assert art.techniques.density_per_1000_words > 15


@pytest.mark.parametrize("text", [
    "They lied about prices, they lied about the war, and they lied about the border.",
    "Never forget, never forgive, never again let them decide for us.",
    "The plan means more taxes, more taxes and yet more taxes for farmers.",
    "Lies, lies and more lies.",
    "Failure after failure after failure: that is their record.",
    "No to the new tax, no to lies, no to the people who sold us out.",
    "The same excuses, the same faces, the same failures from the ministry.",
])
def test_repetition_for_effect(matcher: PatternMatcher, text: str) -> None:
    assert _repetition(matcher, text)


@pytest.mark.parametrize("text", [
    # a head noun shared by the items of a list
    "Troops entered Kamenka in the Kharkiv region, Bereza in the Sumy region, "
    "and Lipki in the Donetsk region.",
    "Shelling hit the city in the north, in the south and in the east.",
    # a name said three times
    "Ukraine's president met Ukraine's defence minister and Ukraine's allies.",
    # a name and a topic term spread over the article
    "Ursula von der Leyen spoke first. Ursula von der Leyen then left. The weather was "
    "mild. Farmers sold grain. Prices rose. Ursula von der Leyen came back.",
    "The special military operation began. Markets fell. Schools closed. Trains ran late. "
    "Officials met. The special military operation went on. Talks failed. Prices rose. "
    "Ships waited. The special military operation entered its third year.",
])
def test_no_repetition_from_names_lists_or_topic_terms(matcher: PatternMatcher,
                                                       text: str) -> None:
    assert _repetition(matcher, text) == []


def test_scare_quotes_skip_figures_and_titles(matcher: PatternMatcher) -> None:
    text = "Warsaw cut the \"500+\" allowance and read the report \"Nuclear Path\" aloud."
    assert [m for m in matcher.match_text(text, [(0, len(text), 0)])
            if m.pattern == "scare_quotes"] == []


PLAIN = (
    "The ministry said on Tuesday that 40 trucks had crossed the border at the main "
    "checkpoint.\n\nThe city council approved a budget of 1.2 billion euros for next year. "
    "Trains between the two cities will run every 30 minutes from March. The central bank "
    "kept its main interest rate at 4.5 percent. Grain exports rose by 12 percent in the "
    "first quarter, customs data showed. The talks are scheduled to resume in Geneva on "
    "Monday. The company reported a net profit of 310 million dollars for the quarter. "
    "Rain is expected in the north of the country over the weekend. The parliament will "
    "vote on the bill in the second week of June. The bridge was reopened to traffic "
    "after three months of repairs. About 2,000 people attended the opening of the new "
    "hospital. The minister met her counterpart in Vienna to discuss energy supplies. "
    "Inflation slowed to 3.1 percent in October from 3.4 percent in September. The "
    "airline added four routes to its summer schedule. Police closed the road for two "
    "hours after a lorry overturned."
)


def test_model_does_not_fire_on_plain_factual_sentences() -> None:
    # the sentence model is off by default; switched on it keeps the calibrated thresholds
    with_model = narrascope.load({
        "pipeline": {"components": ["sentences", "voice", "encoder", "techniques"]},
        "components": {"techniques": {"explain": False, "use_model": True}}})
    assert with_model.get("techniques").model is not None
    art = with_model(Article(id="plain", text=PLAIN))
    assert [sp for sp in art.techniques.spans if sp.source == "model"] == []
    assert art.techniques.density_per_1000_words == 0.0


GERMAN = (
    "Die Regierung kündigt neue Hilfen an\n\nDie Bundesregierung hat am Montag in Berlin "
    "weitere Militärhilfen für die Ukraine angekündigt. Ein Sprecher sagte, man wolle "
    "zusätzliche Luftabwehrsysteme liefern. Die Opposition kritisierte das Tempo der "
    "Lieferungen und forderte mehr Munition für die Armee. Das Kiewer Regime sei eine "
    "Marionette des Westens, schrieb dagegen ein Kommentator in Moskau.")
RUSSIAN = (
    "Переговоры продолжатся\n\nПредставитель министерства заявил в понедельник, что "
    "переговоры продолжатся на следующей неделе. По его словам, стороны обсудят поставки "
    "зерна и обмен пленными. Западные страны продолжают поставлять оружие, отметил он.")


@pytest.mark.parametrize("text", [GERMAN, RUSSIAN])
def test_other_languages_are_withheld_with_a_note(nlp: Pipeline, text: str) -> None:
    art = nlp(Article(id="x", text=text, date=dt.date(2025, 3, 1)))
    assert art.language in ("de", "ru")
    assert art.techniques is None and art.fact_checks == []
    held = art.metadata["withheld"]
    assert {"techniques", "fact_checks"} <= set(held)
    assert all("trained on English" in held[k] for k in ("techniques", "fact_checks"))
    assert sum("techniques withheld" in w for w in art.warnings) == 1


def test_other_language_runs_when_configured() -> None:
    p = narrascope.load({
        "pipeline": {"components": ["sentences", "techniques"]},
        "components": {"techniques": {"languages": ["*"], "use_model": False,
                                      "explain": False}}})
    art = p(Article(id="x", text=GERMAN))
    assert art.techniques is not None and "withheld" not in art.metadata


def test_short_text_is_not_withheld_on_an_unsure_guess(nlp: Pipeline) -> None:
    # py3langid reads this one English sentence as Hungarian (confidence ~0.7)
    art = nlp(Article(id="s", text="Russian Foreign Minister Péter Szijjártó said.",
                      date=dt.date(2024, 10, 25)))
    assert "withheld" not in art.metadata
    assert [f.label for f in art.fact_checks] == ["never_held"]
