"""Publication dates stated in the text, and the fact checks that use them."""

from __future__ import annotations

import datetime as dt

import pytest

from narrascope.components.fact_checks.component import FactChecks
from narrascope.components.fact_checks.dates import find_text_date
from narrascope.doc import Article

TODAY = dt.date(2026, 1, 1)


@pytest.mark.parametrize(("text", "date", "kind", "written"), [
    ("Aid talks stall\n\ndate 2025-04-11 Ministers met on Friday.", "2025-04-11", "stamp",
     "2025-04-11"),
    ("Aid talks stall\n\nPublished: 12 March 2025\n\nMinisters met.", "2025-03-12",
     "published", "Published: 12 March 2025"),
    ("Aid talks stall\nPosted: 27.11.2024 16:47:24\nMinisters met.", "2024-11-27",
     "published", "Posted: 27.11.2024"),
    ("Aid talks stall\n\nWednesday, March 9, 2022\n\nMinisters met.", "2022-03-09", "line",
     "Wednesday, March 9, 2022"),
    ("Aid talks stall\n\nApril 15, 2024, 5:21 PM\n\nMinisters met.", "2024-04-15", "line",
     "April 15, 2024"),
    ("Aid talks stall\n By Jane Roe  August 2, 2025 at 11:22am\nShare\nText.", "2025-08-02",
     "line", "August 2, 2025"),
    ("MOSCOW, March 3, 2025 (Reuters) - Ministers met on Monday.", "2025-03-03", "dateline",
     "March 3, 2025"),
    ("Title\n\nUpdated 3 Feb 2024\nPublished 1 Feb 2024\nText.", "2024-02-01", "published",
     "Published 1 Feb 2024"),
])
def test_dates_found_with_offsets(text: str, date: str, kind: str, written: str) -> None:
    found = find_text_date(text, today=TODAY)
    assert found is not None
    assert found.date == dt.date.fromisoformat(date)
    assert found.kind == kind
    assert text[found.start:found.end] == written


@pytest.mark.parametrize("text", [
    "The pipelines were blown up on September 26, 2022, investigators said.",  # event date
    "Title\n\n10/08/2023\n\nText.",                   # day and month cannot be told apart
    "Title\n\ndate 2024-08 Ministers met.",            # a month, not a day
    "Title\n\nFebruary 30, 2024\n\nText.",             # no such day
    "Title\n\nMarch 3, 2031\n\nText.",                 # in the future
    "No date here at all.",
])
def test_no_date_where_none_is_stated(text: str) -> None:
    assert find_text_date(text, today=TODAY) is None


def test_only_the_top_of_the_page_is_read() -> None:
    text = "Title\n\n" + "Word. " * 400 + "\nMarch 3, 2025\n"
    assert find_text_date(text, today=TODAY) is None


def test_component_sets_text_date_and_checks_it() -> None:
    text = ("Aid talks stall\n\nMarch 12, 2025\n\n"
            "Pentagon chief Lloyd Austin said more shells would be sent.")
    art = FactChecks()(Article(id="a", text=text))
    assert art.date == dt.date(2025, 3, 12)
    assert art.date_source == "text"
    assert art.date_evidence is not None
    assert text[art.date_evidence.start:art.date_evidence.end] == "March 12, 2025"
    assert [f.label for f in art.fact_checks] == ["held_only_before"]
    assert art.fact_checks[0].date_source == "text"


def test_given_date_wins() -> None:
    text = "Aid talks stall\n\nMarch 12, 2025\n\nMinisters met."
    art = FactChecks()(Article(id="a", text=text, date=dt.date(2025, 3, 13),
                               date_source="given"))
    assert art.date == dt.date(2025, 3, 13)
    assert art.date_source == "given"
    off = FactChecks(text_dates=False)(Article(id="b", text=text))
    assert off.date is None


@pytest.mark.parametrize(("text", "date", "verdict"), [
    ("Chancellor Olaf Scholz said on Monday that more air defence would follow.",
     "2025-09-15", "held_only_before"),
    ("German Chancellor Olaf Scholz said on Monday that more air defence would follow.",
     "2025-09-15", "held_only_before"),
    ("Pentagon chief Lloyd Austin has once again promised more shells.", "2025-04-12",
     "held_only_before"),
])
def test_titles_and_once_again(text: str, date: str, verdict: str) -> None:
    art = FactChecks()(Article(id="a", text=text, date=dt.date.fromisoformat(date)))
    assert [f.label for f in art.fact_checks] == [verdict]


def test_once_still_marks_the_past() -> None:
    text = "Pentagon chief Lloyd Austin once promised more shells."
    art = FactChecks()(Article(id="a", text=text, date=dt.date(2025, 4, 12)))
    assert art.fact_checks == []
