"""The sentence splitter on real layouts: offsets exact, titles, clutter, abbreviations."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrascope.components.sentences import SentenceSplitter
from narrascope.read import parse_text

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
split = SentenceSplitter()


def test_semeval_layout_title_is_a_title_sentence() -> None:
    art = split(parse_text("Kyiv under fire\n\nRussia attacked. Ukraine answered.\n", "a.txt"))
    assert [(s.kind, s.text) for s in art.sentences] == [
        ("title", "Kyiv under fire"), ("body", "Russia attacked."), ("body", "Ukraine answered.")]


def test_crlf_offsets_exclude_line_breaks() -> None:
    text = "Title here\r\n\r\nOne sentence. Two sentence.\r\nThird.\r\n"
    art = split(parse_text(text, "b.txt"))
    assert [s.text for s in art.sentences] == ["Title here", "One sentence.", "Two sentence.", "Third."]
    assert all(text[s.start:s.end] == s.text for s in art.sentences)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is missing")
def test_seed_000() -> None:
    path = SEEDS / "000_1e44b8d1dff2ab24.txt"
    art = split(parse_text(path.read_bytes().decode("utf-8"), path.name))
    first = art.sentences[0]
    assert first.start == art.body_start and first.text.startswith("Ukrainian President")
    assert all(s.kind != "title" for s in art.sentences)
    assert art.sentences[-1].kind == "boilerplate" and art.sentences[-1].text.startswith("Watch:")
    # "the U.S. this week" is no sentence end
    assert any("to the U.S. this week" in s.text for s in art.sentences)


words = st.sampled_from(["Kyiv", "the", "U.S.", "said", "Mr.", "war", "“Peace”", "ends.", "Why?",
                         "no!", "3.5", "...", "\n", "\n\n", "\r\n", " ", "Watch:", "&amp;"])


@settings(max_examples=60, deadline=None)
@given(st.lists(words, max_size=40), st.booleans())
def test_spans_are_exact_ordered_and_inside_the_body(tokens: list[str], dated: bool) -> None:
    text = (" date 2024-01-02 " if dated else "") + " ".join(tokens)
    if not text.strip():
        return
    art = split(parse_text(text, "h.txt"))
    last = art.body_start
    for s in art.sentences:
        assert s.text == text[s.start:s.end] and s.text.strip() == s.text and s.text
        assert s.start >= last
        last = s.end
