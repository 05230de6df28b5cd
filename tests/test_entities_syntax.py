"""Who acts on whom and who speaks (role features), and capitals used as places."""

from __future__ import annotations

import pytest

import narrascope
from narrascope.components.entities.aliases import load_table
from narrascope.components.entities.component import place_as_written
from narrascope.components.entities.features import (
    SYNTAX,
    MentionRef,
    parsed_doc,
    syntax_features,
)
from narrascope.components.entities.mentions import RawMention
from narrascope.doc import Article

TEXT = ("NATO misled its Western partners. The civilians were killed by Russian troops. "
        "\"We will win,\" Zelensky said.")


@pytest.fixture(scope="module")
def article() -> Article:
    nlp = narrascope.load({"pipeline": {"components": ["sentences", "voice"]}})
    return nlp(Article(id="x", text=TEXT))


@pytest.mark.parametrize(("mention", "expected"), [
    ("NATO", {"subject", "voice_own"}),
    ("Western partners", {"object", "voice_own"}),
    ("civilians", {"passive_subject", "passive_verb", "voice_own"}),
    ("Russian troops", {"by_agent", "voice_own"}),
    ("Zelensky", {"subject", "speaker", "voice_quoted"}),
])
def test_syntax_features(article: Article, mention: str, expected: set[str]) -> None:
    s = TEXT.find(mention)
    si = next(i for i, x in enumerate(article.sentences) if x.start <= s < x.end)
    sent = article.sentences[si]
    ref = MentionRef(s, s + len(mention), sent.start, sent.end, si, mention, None)
    v = syntax_features(article, parsed_doc(article), ref)
    assert {SYNTAX[i] for i in v.nonzero()[0]} == expected


@pytest.mark.parametrize(("text", "canonical"), [
    ("Air raid sirens sounded in Kyiv on Monday.", "Kyiv"),
    ("Kyiv said the strike killed three people.", None),
    ("The minister flew to Warsaw on Friday.", "Warsaw"),
    ("Warsaw has sent more aid.", None),
])
def test_capitals_used_as_places_stay_cities(text: str, canonical: str | None) -> None:
    table = load_table(None)
    city = text.split()[text.split().index(next(w for w in text.split()
                                                  if w.strip(".") in ("Kyiv", "Warsaw")))]
    city = city.strip(".")
    s = text.find(city)
    gov = table.lookup(city)
    m = RawMention(s, s + len(city), city, "GPE", gov or city, None)
    out = place_as_written(text, m, table)
    assert out.canonical == (canonical or gov)
