"""Property tests: explanations stay within 80 words and quote only article text."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from narrascope.components.sentences import SentenceSplitter
from narrascope.components.techniques.explain import (
    MAX_WORDS,
    dominant_narrative,
    explain,
    query_text,
)
from narrascope.doc import Article, GivenNarrative, Label, Narratives

_SPLIT = SentenceSplitter()
_WORDS = ["Kiev", "regime", "the", "West", "is", "weak", "Zelensky’s", "“so-called”", "‘plan’",
          "\"quoted\"", "'single'", "...", "?", "!", "collapse", "ÜBER", "日本", "🙂", "\t",
          "\u2028", "\x00", "—", "a", "war", "U.S.", "Mr.", "«x»", "„y“", "it's", "don’t"]

_texts = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(st.sampled_from(_WORDS), st.sampled_from([" ", "\n", ". ", "\r\n\r\n",
                                                                  "” ", " “", "? "])),
             max_size=300).map("".join),
)
_labels = st.one_of(
    st.sampled_from([
        "URW: Discrediting Ukraine", "URW: Praise of Russia", "Other", "CC: Amplifying Climate Fears",
        "URW: Discrediting the West, Diplomacy",
    ]),
    st.text(max_size=300),
)
_subs = st.one_of(st.none(), st.sampled_from([
    "URW: Discrediting Ukraine: Situation in Ukraine is hopeless",
    "URW: Discrediting Ukraine: Other", "Other",
    "URW: Discrediting the West, Diplomacy: The West is weak",
]), st.text(max_size=500))


def _check(article: Article, expl) -> None:  # type: ignore[no-untyped-def]
    if expl is None:
        return
    assert len(expl.text.split()) <= MAX_WORDS
    assert "\n" not in expl.text and "\t" not in expl.text and "\r" not in expl.text
    for q in expl.quotes:
        assert q.text == article.text[q.start:q.end]
        assert q.text and f"“{q.text}”" in expl.text
    fragments = re.findall(r"“([^“”]*)”", expl.text)
    assert len(fragments) == len(expl.quotes)
    for frag in fragments:
        assert frag in article.text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_texts, narrative=_labels, sub=_subs, seed=st.integers(0, 2**16))
def test_explanation_bounded_and_grounded(text: str, narrative: str, sub: str | None,
                                          seed: int) -> None:
    article = _SPLIT(Article(id="h", text=text))
    rng = np.random.default_rng(seed)
    vecs = rng.normal(size=(len(article.sentences), 8)).astype(np.float32)
    query = rng.normal(size=8).astype(np.float32)
    bonus = {i: 0.05 for i in range(0, len(article.sentences), 2)}
    expl = explain(article, narrative, sub, vecs, query, bonus)
    _check(article, expl)
    if expl is not None:
        assert expl.narrative == narrative


@settings(max_examples=100, deadline=None)
@given(text=_texts)
def test_explanation_without_vectors(text: str) -> None:
    article = _SPLIT(Article(id="h", text=text))
    _check(article, explain(article, "URW: Praise of Russia", None, None, None))


def test_long_article_gets_two_quotes_within_budget() -> None:
    sent = ("Western support is collapsing and the Ukrainian army is running out of shells, "
            "men and hope as the front line moves west every single day of this long year. ")
    article = _SPLIT(Article(id="l", text=sent * 6))
    vecs = np.ones((len(article.sentences), 4), dtype=np.float32)
    expl = explain(article, "URW: Discrediting Ukraine",
                   "URW: Discrediting Ukraine: Situation in Ukraine is hopeless",
                   vecs, np.ones(4, dtype=np.float32))
    assert expl is not None and len(expl.quotes) == 2
    assert len(expl.text.split()) <= MAX_WORDS
    assert "the situation in Ukraine is hopeless" in expl.text
    _check(article, expl)


def test_dominant_narrative_choice() -> None:
    art = Article(id="d", text="x")
    assert dominant_narrative(art) is None
    art.narratives = Narratives(
        taxonomy="t", model="m", domain=Label(label="URW", confidence=0.9),
        narratives=[Label(label="URW: Praise of Russia", confidence=0.6),
                    Label(label="URW: Discrediting Ukraine", confidence=0.8)],
        subnarratives=[Label(label="URW: Discrediting Ukraine: Ukraine is a puppet of the West",
                             confidence=0.7),
                       Label(label="URW: Praise of Russia: Other", confidence=0.75)])
    assert dominant_narrative(art) == ("URW: Praise of Russia", "URW: Praise of Russia: Other")
    art.given_narrative = GivenNarrative(narrative="URW: Discrediting Ukraine",
                                         subnarrative=None)
    assert dominant_narrative(art) == ("URW: Discrediting Ukraine", None)
    empty = Article(id="e", text="x")
    empty.narratives = Narratives(taxonomy="t", model="m",
                                  domain=Label(label="Other", confidence=1.0))
    assert dominant_narrative(empty) is None


def test_query_text_falls_back_to_label_words() -> None:
    q = query_text("URW: Discrediting Ukraine",
                   "URW: Discrediting Ukraine: Situation in Ukraine is hopeless")
    assert "Situation in Ukraine is hopeless" in q
