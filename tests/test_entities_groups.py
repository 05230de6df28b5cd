"""Entities: group mentions ("local residents", "Ukrainian soldiers", "oil companies")."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from narrascope.components.entities.aliases import load_table
from narrascope.components.entities.groups import (
    SIDES,
    GroupLexicon,
    _key,
    _tokens,
    find_group_mentions,
    group_side,
    load_groups,
    measure,
)
from narrascope.components.entities.mentions import RawMention

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "src/narrascope/resources/entities/groups.yaml"
DOCS = ROOT / "data/roles/docs"


@pytest.fixture(scope="module")
def lex() -> GroupLexicon:
    return load_groups()


def spans(text: str, lexicon: GroupLexicon, **kw) -> list[tuple[str, str]]:
    out = []
    for m in find_group_mentions(text, lexicon, **kw):
        assert text[m.start:m.end] == m.text
        out.append((m.text, m.canonical))
    return out


def check_invariants(text: str, mentions: list[RawMention],
                     taken: bytearray | None = None) -> None:
    last = -1
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.start >= last, "overlapping or unsorted"
        last = m.end
        assert m.ner_label == "GROUP" and m.kind == "group"
        assert m.text == m.text.strip() and not m.text.lower().startswith("the ")
        if taken is not None:
            assert not any(taken[m.start:m.end])


# ------------------------------------------------------------------ the lexicon
def test_shipped_lexicon_shape(lex: GroupLexicon) -> None:
    assert 100 <= len(lex) <= 200
    for e in lex.groups.values():
        assert e.kind == "group"
        assert e.side in (*SIDES, "by_modifier", None)
        assert e.default_side in (*SIDES, None)
    assert len(lex.modifiers) > 150
    assert {m.cls for m in lex.modifiers.values()} == {"ru", "west", "none", "plain"}


def test_shipped_lexicon_has_no_duplicate_patterns() -> None:
    raw = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    seen: dict[str, str] = {}
    for g in raw["groups"]:
        for p in dict.fromkeys([g["name"], *g["patterns"]]):
            k = _key(" ".join(_tokens(p)))
            assert k not in seen, f"{p!r} in {g['name']!r} and {seen[k]!r}"
            seen[k] = g["name"]
    mods: set[str] = set()
    for words in raw["modifiers"].values():
        for w in words:
            assert isinstance(w, str)
            assert _key(w) not in mods, w
            mods.add(_key(w))


def test_multiword_patterns_are_not_alias_table_entries(lex: GroupLexicon) -> None:
    table = load_table(None)
    dup = [p for p, _ in lex._patterns.values() if " " in p and table.lookup(p)]
    assert dup == []


# ------------------------------------------------------------------ matching
@pytest.mark.parametrize("text,expected", [
    ("Shelling hit local residents overnight.", [("local residents", "residents")]),
    ("The local residents fled.", [("local residents", "residents")]),
    ("He blamed the fossil fuel lobby.", [("fossil fuel lobby", "fossil fuel lobby")]),
    ("He blamed the fossil-fuel lobby.", [("fossil-fuel lobby", "fossil fuel lobby")]),
    ("Big Oil lied.", [("Big Oil", "Big Oil")]),
    ("Ukrainian soldiers and Russian soldiers met.",
     [("Ukrainian soldiers", "Ukrainian soldiers"), ("Russian soldiers", "Russian soldiers")]),
    ("Donbass residents wait.", [("Donbass residents", "Donbass residents")]),
    ("ordinary Europeans pay while ordinary people suffer.", [("ordinary people", "people")]),
    ("Elderly Russian speakers complained.", [("Elderly Russian speakers", "Russian speakers")]),
    ("TCC employees detained him.", [("TCC employees", "TCC officers")]),
    ("military enlistment officers came.", [("military enlistment officers", "TCC officers")]),
    ("western curators decide.", [("western curators", "Western curators")]),
    ("mobilised men hide.", [("mobilised men", "men")]),
    ("neo-Nazis and Ukrainian nationalists",
     [("neo-Nazis", "neo-Nazis"), ("Ukrainian nationalists", "Ukrainian nationalists")]),
    ("foreign fighters and foreign mercenaries",
     [("foreign fighters", "mercenaries"), ("foreign mercenaries", "foreign mercenaries")]),
    ("climate scientists warn", [("climate scientists", "climate scientists")]),
    ("green zealots and globalists",
     [("green zealots", "climate alarmists"), ("globalists", "globalists")]),
    ("the Danish government", [("Danish government", "Danish government")]),
    ("Russian air defence shot down", [("Russian air defence", "Russian air defence")]),
])
def test_offsets_and_canonicals(lex: GroupLexicon, text: str,
                                expected: list[tuple[str, str]]) -> None:
    assert spans(text, lex) == expected


def test_exact_offsets(lex: GroupLexicon) -> None:
    text = "In Kherson, frightened pensioners’ savings vanished; the children's ward closed."
    ms = find_group_mentions(text, lex)
    assert [(m.start, m.end) for m in ms] == [
        (text.index("frightened"), text.index("’ savings")),
        (text.index("children"), text.index("'s ward")),
    ]
    assert [m.text for m in ms] == ["frightened pensioners", "children"]
    assert all(isinstance(m, RawMention) for m in ms)


@pytest.mark.parametrize("text,surface", [
    ("“Civilians” were hit.", "Civilians"),
    ("the farmers' protest", "farmers"),
    ("the farmers’ protest", "farmers"),
    ("(refugees)", "refugees"),
    ("«journalists»", "journalists"),
    ("oil\ncompanies pay", "oil\ncompanies"),
    ("Ukrainian\u00a0refugees", "Ukrainian\u00a0refugees"),
    ("climate\u2011activists", "climate\u2011activists"),
])
def test_quotes_possessives_and_separators(lex: GroupLexicon, text: str, surface: str) -> None:
    assert [m.text for m in find_group_mentions(text, lex)] == [surface]


@pytest.mark.parametrize("text", [
    "The presidents met.",                 # 'residents' inside a word
    "grandchildren and stepchildren",
    "soldiersX pensionersville",
    "anti-civilians pro-farmers",
    "people said so",                      # too generic alone
    "the government decided",              # needs a nationality
    "people.",
    "air defence systems were delivered",  # name of the group needs a modifier
    "a big oil spill",                     # Big Oil is case-sensitive
    "social media posts",
    "oil\n\ncompanies",                    # no paragraph break inside a mention
    "Metropolitan Police said",            # part of a name
    "the National Farmers' Union said",
])
def test_no_match(lex: GroupLexicon, text: str) -> None:
    assert find_group_mentions(text, lex) == []


def test_acronyms_are_case_sensitive(lex: GroupLexicon) -> None:
    assert spans("US soldiers left", lex) == [("US soldiers", "US soldiers")]
    assert spans("they told us soldiers", lex) == [("soldiers", "soldiers")]
    assert spans("EU officials", lex) == [("EU officials", "EU officials")]


def test_sentence_initial_capital_is_fine(lex: GroupLexicon) -> None:
    assert spans("Farmers protested. Police came.", lex) == [
        ("Farmers", "farmers"), ("Police", "police")]


def test_longest_match_wins(lex: GroupLexicon) -> None:
    assert spans("oil and gas companies", lex) == [("oil and gas companies", "oil companies")]
    assert spans("oil workers", lex) == [("oil workers", "workers")]
    assert spans("least developed countries", lex) == [
        ("least developed countries", "developing countries")]
    assert spans("prisoners of war", lex) == [("prisoners of war", "prisoners of war")]


def test_place_suffix(lex: GroupLexicon) -> None:
    assert spans("residents of Sudzha district fled", lex) == [
        ("residents of Sudzha district", "residents of Sudzha district")]
    assert spans("Residents of the Kaliningrad region", lex) == [
        ("Residents of the Kaliningrad region", "residents of Kaliningrad region")]
    assert spans("people of Gagauzia voted", lex) == [
        ("people of Gagauzia", "people of Gagauzia")]
    assert spans("residents in March said", lex) == [("residents", "residents")]
    assert spans("residents of Russian origin", lex) == [("residents", "residents")]
    assert spans("soldiers of Ukraine", lex) == [("soldiers", "soldiers")]  # no suffix there


# ------------------------------------------------------------------ sides
@pytest.mark.parametrize("canonical,surface,side", [
    ("Russian soldiers", None, "ru"),
    ("Ukrainian soldiers", None, "west"),
    ("soldiers", "soldiers", None),
    ("Western curators", None, "west"),
    ("mercenaries", None, "west"),
    ("Russian mercenaries", None, "ru"),
    ("Russian civilians", None, "civilian"),
    ("residents", "local residents", "civilian"),
    ("oil companies", None, "fossil"),
    ("climate alarmists", "green zealots", "green"),
    ("TCC officers", None, "west"),
    ("separatists", None, "ru"),
    ("pro-Kremlin Telegram channels", None, "ru"),
    ("Kyiv residents", "residents", "civilian"),
    ("Kremlin propagandists", "propagandists", "ru"),
    ("Ukrainian armed forces", "ukrainian soldiers", "west"),  # canonical from the alias table
    ("Volodymyr Zelensky", "Zelensky", None),
])
def test_group_side(canonical: str, surface: str | None, side: str | None) -> None:
    assert group_side(canonical, surface) == side


def test_side_from_scan(lex: GroupLexicon) -> None:
    hits = lex.scan("Russian and Ukrainian officials, Hungarian government")
    assert [(h.text, h.side) for h in hits] == [
        ("Ukrainian officials", "west"),
        ("Hungarian government", "ru")]


# ------------------------------------------------------------------ taken / region
def _taken_from_aliases(text: str) -> bytearray:
    taken = bytearray(len(text) + 1)
    for s, e, _ in load_table(None).scan(text):
        taken[s:e] = b"\x01" * (e - s)
    return taken


def test_never_overlaps_taken(lex: GroupLexicon) -> None:
    text = ("Ukrainian soldiers shelled Kyiv residents; residents of Kharkiv fled, and "
            "Brussels bureaucrats blamed Western elites.")
    taken = _taken_from_aliases(text)
    ms = find_group_mentions(text, lex, taken=taken)
    check_invariants(text, ms, taken)
    assert [(m.text, m.canonical) for m in ms] == [
        ("residents", "Kyiv residents"),       # taken modifier cut, still names the group
        ("residents", "residents"),            # suffix over a taken place dropped
        ("Western elites", "Western elites"),
    ]
    assert group_side(ms[0].canonical, ms[0].text) == "civilian"
    assert taken == _taken_from_aliases(text)  # not modified


def test_taken_inside_a_longer_match(lex: GroupLexicon) -> None:
    text = "young Ukrainian soldiers"
    taken = bytearray(len(text) + 1)
    taken[6:] = b"\x01" * (len(text) + 1 - 6)
    assert find_group_mentions(text, lex, taken=taken) == []


def test_region(lex: GroupLexicon) -> None:
    text = "civilians. farmers. pensioners"
    assert spans(text, lex, region=(11, 19)) == [("farmers", "farmers")]
    # a region that cuts a word finds no prefix of it
    assert spans(text, lex, region=(11, 16)) == []
    assert spans(text, lex, region=(0, len(text))) == spans(text, lex)


def test_aliases_resolve_canonicals(lex: GroupLexicon) -> None:
    table = load_table(None)
    text = "Mainstream media ignore it; ukrainian soldiers too."
    ms = find_group_mentions(text, lex, aliases=table)
    assert [(m.text, m.canonical) for m in ms] == [
        ("Mainstream media", "Western media"), ("ukrainian soldiers", "Ukrainian armed forces")]


# ------------------------------------------------------------------ user files
def test_user_file_extends(tmp_path: Path) -> None:
    f = tmp_path / "my_groups.yaml"
    f.write_text(
        "modifiers:\n  ru: [Rosgvardia]\n  plain: [brave]\n"
        "groups:\n"
        "- {name: soldiers, patterns: [grunts], side: by_modifier}\n"
        "- {name: drone hunters, kind: group, side: west, patterns: [mobile fire groups]}\n",
        encoding="utf-8")
    lex = load_groups(f)
    text = "brave Rosgvardia grunts met mobile fire groups and brave soldiers"
    assert spans(text, lex) == [("brave Rosgvardia grunts", "Rosgvardia soldiers"),
                                ("mobile fire groups", "drone hunters"),
                                ("brave soldiers", "soldiers")]
    assert group_side("Rosgvardia soldiers", None, lex) == "ru"
    assert group_side("drone hunters", None, lex) == "west"
    assert "servicemen" in lex.groups["soldiers"].patterns  # shipped patterns kept
    assert spans("brave Rosgvardia grunts", load_groups()) == []  # shipped one untouched


@pytest.mark.parametrize("body,msg", [
    ("groups:\n- {patterns: [x]}\n", "needs a 'name'"),
    ("groups:\n- {name: x, side: blue}\n", "side must be"),
    ("groups:\n- {name: x, needs_modifier: maybe}\n", "needs_modifier"),
    ("groups:\n- {name: x, patterns: nope}\n", "patterns"),
    ("modifiers:\n  purple: [x]\n", "unknown modifier class"),
    ("modifiers:\n  ru: [yes]\n", "quote it"),
    ("- just a list\n", "expected a mapping"),
])
def test_user_file_errors(tmp_path: Path, body: str, msg: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=msg):
        GroupLexicon.from_yaml(f)


# ------------------------------------------------------------------ hostile input
def test_three_megabytes_fast(lex: GroupLexicon) -> None:
    lex.regex()
    unit = ("Local residents said Ukrainian soldiers and TCC officers detained mobilised men "
            "while climate activists blamed Big Oil and the fossil fuel lobby. ")
    text = unit * (3_000_000 // len(unit))
    t0 = time.perf_counter()
    ms = find_group_mentions(text, lex)
    assert time.perf_counter() - t0 < 10
    assert len(ms) == 7 * (3_000_000 // len(unit))
    for worst in ("local " * 500_000, "people " * 400_000, "a" * 3_000_000):
        t0 = time.perf_counter()
        find_group_mentions(worst, lex)
        assert time.perf_counter() - t0 < 10


def test_weird_unicode(lex: GroupLexicon) -> None:
    rng = random.Random(7)
    pool = [chr(c) for c in (*range(0x20, 0x250), 0x2019, 0x201C, 0x200B, 0x00A0, 0x0301,
                             0x130, 0x131, 0x17F, 0x212A, 0x1F600, 0xFFFD, 0xD800)]
    words = ["civilians", "Ukrainian", "local", "residents", "people", "the", "of", "Sudzha"]
    for _ in range(200):
        parts = [rng.choice(words) if rng.random() < 0.5 else
                 "".join(rng.choice(pool) for _ in range(rng.randint(0, 4)))
                 for _ in range(rng.randint(0, 30))]
        text = rng.choice([" ", "\n", "", "-", "\u00a0"]).join(parts)
        check_invariants(text, find_group_mentions(text, lex))
    for text in ("", " ", "\n\n", "İ", "\U0001F600civilians", "civilians\u0301",
                 "ci\u200bvilians", "CIVILIANS", "ſoldiers"):
        check_invariants(text, find_group_mentions(text, lex))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(
    ["local", "residents", "Russian", "soldiers", "of", "Sudzha", "district", "the", "oil",
     "companies", "people", "ordinary", "’s", "'", "-", ",", ".", "\n", "Police", "Kyiv",
     "climate", "activists", "x"]), max_size=25), st.sampled_from([" ", "", "\n", " - "]),
    st.integers(0, 40), st.integers(0, 40))
def test_invariants_property(words: list[str], sep: str, a: int, b: int) -> None:
    lex = load_groups()
    text = sep.join(words)
    ms = find_group_mentions(text, lex)
    check_invariants(text, ms)
    taken = bytearray(len(text) + 1)
    lo, hi = sorted((min(a, len(text)), min(b, len(text))))
    taken[lo:hi] = b"\x01" * (hi - lo)
    mt = find_group_mentions(text, lex, taken=taken)
    check_invariants(text, mt, taken)
    mr = find_group_mentions(text, lex, region=(lo, hi))
    check_invariants(text, mr)
    assert all(lo <= m.start and m.end <= hi for m in mr)


# ------------------------------------------------------------------ measured on gold
@pytest.mark.skipif(not DOCS.is_dir(), reason="no marked articles")
def test_recall_on_marked_articles() -> None:
    r = measure(DOCS)
    print("\ngroup lexicon on", DOCS, r)
    assert r["marks"] > 0 and r["missed_before"] > 0
    # gold marks the alias table misses whose head is a common noun: most are found
    assert r["group_like_recall"] >= 0.6
    # matches outside gold marks (most are real but unframed groups)
    assert r["spurious_per_article"] < 15
