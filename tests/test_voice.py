"""The voice component: own / quoted / reported / clutter, speakers, language check."""

from __future__ import annotations

import pytest

from narrascope.components.language import english_only
from narrascope.components.sentences import SentenceSplitter
from narrascope.components.voice import (
    VOICE_CACHE_KEY,
    VoiceComponent,
    assign_voice,
    is_clutter,
    rule_voice,
    speaker_by_pattern,
)
from narrascope.doc import Article

TEXT = (
    "Kremlin rejects talks\n\n"
    "Kremlin rejects talks\n"
    "REUTERS\n"
    "The fighting went on near the river on Monday.\n"
    "Kremlin spokesman Dmitry Peskov told reporters that the West was to blame.\n"
    "\u201cThere will be no negotiations with this regime,\u201d he said.\n"
    "According to the Russian defence ministry, two villages were captured.\n"
    "Share\n"
)


def _article(text: str = TEXT, **kw) -> Article:
    art = Article(id="a.txt", text=text, title=text.split("\n", 1)[0], **kw)
    return SentenceSplitter()(art)


def _by_text(art: Article, voices) -> dict[str, tuple[str, str | None]]:
    return {s.text.strip(): v for s, v in zip(art.sentences, voices, strict=True)}


def test_rules_mark_each_kind() -> None:
    art = _article()
    got = _by_text(art, assign_voice(art, None))
    assert got["The fighting went on near the river on Monday."] == ("own", None)
    assert got["REUTERS"][0] == "clutter"
    assert got["Share"][0] == "clutter"
    v, who = got["Kremlin spokesman Dmitry Peskov told reporters that the West was to blame."]
    assert v == "reported" and who and "Peskov" in who
    assert got["\u201cThere will be no negotiations with this regime,\u201d he said."][0] == "quoted"
    v, who = got["According to the Russian defence ministry, two villages were captured."]
    assert v == "reported" and who and "defence ministry" in who
    # the headline is the article's own voice; the page repeating it is clutter
    kinds = [(s.kind, v) for s, (v, _) in zip(art.sentences, art.cache[VOICE_CACHE_KEY],
                                              strict=True)]
    assert kinds[0] == ("title", "own")
    assert kinds[1][1] == "clutter"


def test_small_rules() -> None:
    assert rule_voice("Prices rose by two percent in May.")[0] == "own"
    assert rule_voice("\u201cWe will win this war, and soon,\u201d the minister said.")[0] == "quoted"
    assert rule_voice("The ministry claimed that the strike hit a depot.")[0] == "reported"
    # a quote that runs over several sentences stays quoted
    voice, still_open = rule_voice("\u201cFor twenty years we warned them.")
    assert voice == "quoted" and still_open
    assert rule_voice("Nobody listened to us.", open_quote=True)[0] == "quoted"
    assert is_clutter("Photo: AFP via Getty Images")
    assert is_clutter("23 June 2024")
    assert not is_clutter("This is not speculation.")
    assert speaker_by_pattern("Lavrov said the talks had failed.") == "Lavrov"


@pytest.fixture(scope="module")
def parsed() -> Article:
    art = _article()
    return next(VoiceComponent().pipe([art]))


def test_component_uses_the_parse_and_shares_it(parsed: Article) -> None:
    assert "spacy_doc" in parsed.cache  # the key the entities component reads
    got = _by_text(parsed, parsed.cache[VOICE_CACHE_KEY])
    v, who = got["Kremlin spokesman Dmitry Peskov told reporters that the West was to blame."]
    assert v == "reported" and "Peskov" in (who or "")
    assert len(parsed.cache[VOICE_CACHE_KEY]) == len(parsed.sentences)


def test_non_english_is_withheld_with_a_note() -> None:
    art = _article("Der Kreml lehnt Gespräche ab\n\nDer Kreml hat am Montag Gespräche "
                   "mit der Ukraine abgelehnt, sagte ein Sprecher in Moskau.\n",
                   language="de", language_confidence=0.99)
    out = next(VoiceComponent(use_spacy=False).pipe([art]))
    assert VOICE_CACHE_KEY not in out.cache
    assert "voice" in out.metadata["withheld"]
    assert any("voice withheld" in w for w in out.warnings)


def test_english_only_helper() -> None:
    de = Article(id="x", text="Hallo Welt", language="de", language_confidence=0.99)
    assert english_only(de, "narratives", ["en", "de"])
    assert english_only(de, "narratives", ["*"])
    assert not english_only(de, "narratives")
    assert not english_only(de, "narratives")  # noted once
    assert sum("narratives withheld" in w for w in de.warnings) == 1
    unsure = Article(id="y", text="ok", language="de", language_confidence=0.3)
    assert english_only(unsure, "narratives")
    en = Article(id="z", text="Hello", language="en", language_confidence=0.99)
    assert english_only(en, "voice") and "withheld" not in en.metadata


def test_parse_covers_a_prefix_of_texts_over_spacys_limit() -> None:
    from narrascope.components.voice import MAX_PARSE_CHARS, parse

    text = "x" * 1_200_000  # spaCy refuses texts over 1,000,000 characters (E088)
    (doc,) = parse([text])
    assert len(doc.text) == MAX_PARSE_CHARS and text.startswith(doc.text)


def test_a_quoted_headline_is_quoted_speech() -> None:
    # synthetic: a headline that is a quotation reports someone's words
    text = ("Senator: \u201cWe started this war\u201d\n\n"
            "The senator made the remark at a rally on Friday.\n"
            "Historians say the claim ignores the record.\n")
    art = _article(text)
    voices = assign_voice(art)
    assert voices[0][0] == "quoted"
    plain = _article("Senator speaks at rally\n\nThe senator spoke on Friday.\n")
    assert assign_voice(plain)[0][0] == "own"
