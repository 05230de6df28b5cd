"""Dated fact checks: detection of title-person pairs and checks against the KB."""

from __future__ import annotations

import datetime as dt
import re
import statistics
import time
from pathlib import Path

import pytest

from narrascope.doc import Article
from narrascope.pipeline import Pipeline

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def nlp() -> Pipeline:
    return Pipeline.from_config({"pipeline": {"components": ["sentences", "fact_checks"]}})


def run(nlp: Pipeline, text: str, date: str | None = None) -> Article:
    art = Article(id="t", text=text, date=dt.date.fromisoformat(date) if date else None)
    art = nlp(art)
    for fc in art.fact_checks:
        assert fc.text == art.text[fc.start:fc.end]
    return art


def verdicts(nlp: Pipeline, text: str, date: str | None = None) -> list[str]:
    return [fc.label for fc in run(nlp, text, date).fact_checks]


# --------------------------------------------------------------------- true slips

def test_pentagon_chief_austin_after_he_left(nlp):
    art = run(nlp, "Pentagon chief Lloyd Austin refused to attend in person.", "2025-04-12")
    [fc] = art.fact_checks
    assert fc.text == "Pentagon chief Lloyd Austin"
    assert fc.person == "Lloyd Austin"
    assert fc.office == "United States Secretary of Defense"
    assert fc.label == "held_only_before"
    assert fc.severity == "high"
    assert fc.holder_on_date == "Pete Hegseth"
    assert fc.article_date == dt.date(2025, 4, 12)
    austin = [t for t in fc.terms if t.holder == "Lloyd Austin"]
    assert austin and austin[0].end == dt.date(2025, 1, 20) and austin[0].source
    assert "Pete Hegseth" in fc.message and "2025-01-20" in fc.message


def test_witkoff_never_deputy_secretary_of_state_undated(nlp):
    art = run(nlp, "US Deputy Secretary of State Steve Witkoff is set to meet Putin.")
    [fc] = art.fact_checks
    assert fc.text == "US Deputy Secretary of State Steve Witkoff"
    assert fc.label == "never_held"
    assert fc.severity == "high"
    assert fc.office == "United States Deputy Secretary of State"
    assert fc.holder_on_date is None
    assert "Special Envoy" in fc.message


@pytest.mark.parametrize(
    ("text", "date", "expected"),
    [
        ("Defense Secretary Austin said the aid would continue.", "2025-04-12",
         ["held_only_before"]),
        ("Lloyd Austin, the US defence secretary, said the aid would continue.", "2025-04-12",
         ["held_only_before"]),
        ("NATO chief Jens Stoltenberg said peace was near.", "2025-04-12", ["held_only_before"]),
        ("NATO chief Mark Rutte said peace was near.", "2023-04-12", ["held_only_after"]),
        ("Defence Minister Sergei Shoigu visited the front.", "2025-03-01", ["held_only_before"]),
        ("Ukraine's top general Valerii Zaluzhnyi said the front held.", "2025-03-01",
         ["held_only_before"]),
        ("German Chancellor Olaf Scholz spoke.", "2025-09-01", ["held_only_before"]),
        ("Polish Foreign Minister Radosław Sikorski spoke.", "2020-03-01",
         ["not_in_office_on_date"]),
        ("Russian Foreign Minister Péter Szijjártó said.", "2024-10-25", ["never_held"]),
        ("Volodymyr Zelensky, the Ukrainian prime minister, said.", "2025-06-01", ["never_held"]),
        ("Chinese Defense Minister Li Shangfu met Shoigu.", "2025-03-25", ["held_only_before"]),
        ("EU foreign policy chief Josep Borrell spoke.", "2025-09-01", ["held_only_before"]),
        ("On Tuesday Defense Secretary Lloyd Austin said.", "2025-06-01", ["held_only_before"]),
        ("UK PM Keir Starmer spoke.", "2023-01-01", ["held_only_after"]),
        ("Wagner chief Yevgeny Prigozhin said Bakhmut was taken.", "2024-06-01",
         ["held_only_before"]),
    ],
)
def test_true_slips(nlp, text, date, expected):
    assert verdicts(nlp, text, date) == expected


# ------------------------------------------------------------------ correct uses

@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Former Pentagon chief Lloyd Austin said the aid would continue.", "2025-04-12"),
        ("Then-Secretary of State Antony Blinken visited Kyiv.", "2025-04-12"),
        ("then-US Defense Secretary Lloyd Austin promised more aid.", "2025-04-12"),
        ("Former NATO chief Jens Stoltenberg said peace was near.", "2025-04-12"),
        ("ex-President Petro Poroshenko said.", "2025-10-25"),
        ("Zaluzhnyi, Ukraine's former top general, is now ambassador in London.", "2025-03-01"),
        ("Lloyd Austin, then the US defence secretary, promised more aid.", "2025-03-01"),
        # the sentence narrates the past
        ("In 2023, Secretary of State Antony Blinken visited Kyiv.", "2025-04-12"),
        ("British Prime Minister Boris Johnson visited Kyiv in April 2022.", "2023-03-01"),
        ("Biden's Pentagon chief Lloyd Austin had promised more aid.", "2025-03-01"),
        ("The Biden administration's defense secretary, Lloyd Austin, promised aid.",
         "2025-03-01"),
        # in office on the date
        ("Lloyd Austin, the US defence secretary, said the aid would continue.", "2023-04-12"),
        ("Russian Foreign Minister Sergei Lavrov met Turkish Foreign Minister Hakan Fidan.",
         "2024-04-12"),
        ("Security Council Secretary Sergei Shoigu visited Pyongyang.", "2025-03-01"),
        ("Kremlin spokesman Dmitry Peskov said talks were possible.", "2025-03-01"),
        ("Putin's spokesman Dmitry Peskov said talks were possible.", "2025-03-01"),
        ("Ukraine's top general Oleksandr Syrskyi said the front held.", "2025-03-01"),
        ("Secretary of War Pete Hegseth said.", "2025-10-25"),
        ("UN Secretary-General António Guterres and NATO Secretary General Mark Rutte spoke.",
         "2025-03-01"),
        # US usage keeps one-word titles after office
        ("President Obama imposed sanctions.", "2020-04-12"),
        ("President Petro Poroshenko said.", "2022-10-25"),
        # within the grace period around a hand-over
        ("Pentagon chief Lloyd Austin said.", "2025-01-25"),
        # not a claim: longer titles, nominations, lists
        ("Assistant Secretary of State James O'Brien visited Kyiv.", "2024-03-01"),
        ("Ukrainian Deputy Foreign Minister Andrii Sybiha spoke.", "2023-03-01"),
        ("Trump's pick for Defense Secretary, Pete Hegseth, faced questions.", "2024-12-01"),
        ("He met Witkoff, Secretary of State Marco Rubio and Kushner.", None),
        ("Putin replaced Defence Minister Sergei Shoigu with economist Andrei Belousov.",
         "2024-09-25"),
        ("Unlike the Polish foreign minister, Szijjártó refused to condemn Moscow.",
         "2024-10-25"),
        ("Austin, the capital of Texas, is hot.", "2025-10-25"),
        ("Lloyd Austin, the US defense secretary who left office in January, said.",
         "2025-04-12"),
        ("Biden and his defense secretary, Lloyd Austin, promised aid.", "2025-04-12"),
        ("In January, Pentagon chief Lloyd Austin warned about Iran.", "2025-06-01"),
        ("then\u2013Pentagon chief Lloyd Austin visited Kyiv.", "2025-06-01"),
        ("Estonian Prime Minister Kaja Kallas said.", "2023-06-01"),
        ("Pentagon Chief Lloyd Austin Refuses To Attend Meeting", "2025-06-01"),
        ("Interview with the Foreign Minister\nSergei Lavrov said.", "2025-04-12"),
        ("By 5 pm Keir Starmer had spoken.", "2023-01-01"),
        ("The late Foreign Minister Vladimir Makei was buried in Minsk.", "2023-01-01"),
        ("Hegseth will be succeeded by nobody, said Defense Secretary Pete Hegseth.",
         "2025-06-01"),
    ],
)
def test_correct_uses_give_nothing(nlp, text, date):
    assert verdicts(nlp, text, date) == []


def test_possessive_name(nlp):
    [fc] = run(nlp, "Pentagon chief Lloyd Austin\u2019s visit was cancelled.", "2025-06-01"
               ).fact_checks
    assert fc.text == "Pentagon chief Lloyd Austin"


def test_non_english_articles_are_skipped(nlp):
    art = Article(id="t", text="Pentagon chief Lloyd Austin kam nicht.", language="de",
                  date=dt.date(2025, 6, 1))
    assert nlp(art).fact_checks == []


def test_person_mentioned_twice_with_correct_title(nlp):
    text = ("Defense Secretary Pete Hegseth arrived in Brussels. Later, Hegseth, the US "
            "defense secretary, met Pentagon chief Hegseth's NATO counterparts.")
    assert verdicts(nlp, text, "2025-06-01") == []


def test_ambiguous_surname_gives_nothing(nlp):
    both = ("Jake Sullivan and John Sullivan both served Washington. "
            "National Security Adviser Sullivan spoke on Monday.")
    assert verdicts(nlp, both, "2025-06-01") == []
    one = "Jake Sullivan spoke first. National Security Adviser Sullivan spoke on Monday."
    assert verdicts(nlp, one, "2025-06-01") == ["held_only_before"]
    # another person with the same surname in the article: no guess
    other = "Senator Tom Austin spoke. Defense Secretary Austin said the aid would continue."
    assert verdicts(nlp, other, "2025-04-12") == []
    # a surname alone is not enough to say "never held" ("President Carter" is Jimmy Carter)
    assert verdicts(nlp, "President Carter negotiated with Brezhnev.", "2025-03-25") == []


def test_shared_titles_resolved_by_context(nlp):
    # "foreign minister" exists in every country: the person's country decides
    assert verdicts(nlp, "Foreign Minister Dmytro Kuleba said.", "2025-03-01") == [
        "held_only_before"]
    assert verdicts(nlp, "Foreign Minister Dmytro Kuleba said.", "2022-03-01") == []
    # the qualifier decides
    fc = run(nlp, "Hungarian Foreign Minister Radosław Sikorski said.", "2024-03-01")
    assert [f.office for f in fc.fact_checks] == ["Minister of Foreign Affairs and Trade of Hungary"]
    # a title that no office of the person's country has: nothing ("Prime Minister Rutte")
    assert verdicts(nlp, "Prime Minister Mark Rutte spoke.", "2020-09-01") == []
    # several offices fit and the person held one of them
    assert verdicts(nlp, "President von der Leyen spoke.", "2022-09-01") == []


def test_offices_not_in_kb_give_nothing(nlp):
    for text in ("Interior Minister Ihor Klymenko said.",
                 "Energy Minister Denys Shmyhal said.",
                 "Ukraine's ambassador to Britain Valerii Zaluzhnyi said.",
                 "Finance Minister Jens Stoltenberg said."):
        assert verdicts(nlp, text, "2025-09-01") == [], text


def test_no_date_only_never_held(nlp):
    assert verdicts(nlp, "Pentagon chief Lloyd Austin refused to attend.") == []
    assert verdicts(nlp, "NATO chief Jens Stoltenberg said.") == []
    assert verdicts(nlp, "US Secretary of State Lloyd Austin said.") == ["never_held"]


def test_boilerplate_is_skipped(nlp):
    text = "Talks went on.\nRead more: Pentagon chief Lloyd Austin says aid will flow\n"
    assert verdicts(nlp, text, "2025-04-12") == []


def test_kb_paths_option(tmp_path):
    kb = tmp_path / "exampleland.yaml"
    kb.write_text(
        "jurisdiction: XL\nname: Exampleland\nqualifiers: [Examplelandish]\n"
        "offices:\n  xl.fisheries:\n    name: Minister of Fisheries of Exampleland\n"
        "    titles: [fisheries minister]\n    source: test\n    terms:\n"
        "      - {holder: Ivana Testova, start: 2019-03-01, end: 2022-06-15}\n"
        "      - {holder: Petar Primerov, start: 2022-06-15}\n",
        encoding="utf-8",
    )
    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences", "fact_checks"]}},
                               overrides={"fact_checks": {"kb_paths": [str(kb)]}})
    [fc] = run(nlp, "Examplelandish fisheries minister Ivana Testova said.", "2024-01-01"
               ).fact_checks
    assert fc.label == "held_only_before" and fc.holder_on_date == "Petar Primerov"
    assert fc.terms[0].source == "test"


def test_speed_per_article(nlp):
    text = (SEEDS / "002_d1771704f0892fa3.txt").read_text(encoding="utf-8") if SEEDS.exists() \
        else "Pentagon chief Lloyd Austin refused to attend. " * 40
    comp = nlp.get("fact_checks")
    art = Article(id="s", text=text, date=dt.date(2025, 4, 12))
    nlp.get("sentences")(art)
    times = []
    for _ in range(7):
        t = time.perf_counter()
        comp(art)
        times.append(time.perf_counter() - t)
    assert statistics.median(times) < 0.010


# ----------------------------------------------------------------------- seeds

def _read_seed(path: Path) -> Article:
    text = path.read_text(encoding="utf-8")
    m = re.match(r"\A[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})[ \t]+", text)
    return Article(id=path.stem, text=text,
                   date=dt.date.fromisoformat(m.group(1)) if m else None,
                   body_start=m.end() if m else 0)


def test_seeds_exactly_the_two_slips(nlp):
    if not SEEDS.exists():
        pytest.skip("shared seeds not available")
    found = {}
    for path in sorted(SEEDS.glob("*.txt")):
        art = nlp(_read_seed(path))
        found[path.name[:3]] = [(f.text, f.label, f.holder_on_date)
                                for f in art.fact_checks]
    assert found == {
        "000": [],
        "001": [("US Deputy Secretary of State Steve Witkoff", "never_held", None)],
        "002": [("Pentagon chief Lloyd Austin", "held_only_before", "Pete Hegseth")],
    }


# ------------------------------------------------------------------- robustness

_FRAGMENTS = ["Pentagon chief", "Lloyd Austin", "former", "US", "Defense Secretary", ",",
              "the", "Zelensky", "Ukraine's", "top general", "said", ".", "\n", "then-",
              "Witkoff", "Deputy Secretary of State", "NATO chief", "Jens Stoltenberg", "’s",
              "In 2019", "Foreign Minister", "Sikorski", "Kuleba", "PM", "pm", "—", "“", "”"]


def test_random_text_never_breaks_offsets(nlp):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.sampled_from(_FRAGMENTS), max_size=25),
           st.sampled_from([None, "2016-05-01", "2025-04-12", "2026-11-22"]))
    def check(parts, date):
        text = " ".join(parts)
        art = run(nlp, text, date)  # run() asserts claim.text == text[start:end]
        for fc in art.fact_checks:
            assert fc.label in ("never_held", "held_only_before", "held_only_after",
                                  "not_in_office_on_date")
            if date is None:
                assert fc.label == "never_held"

    check()
