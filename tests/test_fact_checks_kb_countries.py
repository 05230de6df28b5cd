"""The knowledge base's newer countries: a slip is found, a right title is not."""

from __future__ import annotations

import datetime as dt

import pytest

from narrascope.components.fact_checks.component import FactChecks
from narrascope.doc import Article


@pytest.fixture(scope="module")
def fc() -> FactChecks:
    return FactChecks()


@pytest.mark.parametrize(("text", "date", "verdict"), [
    ("Dutch Prime Minister Mark Rutte said more jets would follow.", "2025-03-01",
     "held_only_before"),
    ("Dutch Prime Minister Mark Rutte said more jets would follow.", "2023-03-01", None),
    ("Italian Foreign Minister Antonio Tajani met his counterpart.", "2024-05-01", None),
    ("Italian Prime Minister Mario Draghi said gas prices would fall.", "2024-05-01",
     "held_only_before"),
    ("Canadian Prime Minister Justin Trudeau announced new sanctions.", "2025-06-10",
     "held_only_before"),
    ("Estonian Prime Minister Kaja Kallas warned about hybrid attacks.", "2025-02-10",
     "held_only_before"),
    ("Finnish President Sauli Niinistö said Finland would join NATO.", "2022-05-12", None),
    ("Iranian President Ebrahim Raisi said talks would resume.", "2025-01-20",
     "held_only_before"),
    ("Indian External Affairs Minister S. Jaishankar said India buys oil where it is cheapest.",
     "2023-01-01", None),
    ("Brazilian President Jair Bolsonaro said Brazil stays neutral.", "2023-06-01",
     "held_only_before"),
    # disputed presidency: the records are uncertain, so nothing is said
    ("Georgian President Salome Zourabichvili said the vote was rigged.", "2025-03-01", None),
    ("Israeli Defense Minister Yoav Gallant visited the troops.", "2025-06-01",
     "held_only_before"),
    ("Moldovan President Maia Sandu accused Moscow of meddling.", "2024-10-20", None),
    ("Japanese Prime Minister Fumio Kishida said Japan would help.", "2025-02-01",
     "held_only_before"),
    ("Spanish Prime Minister Pedro Sánchez said Spain would spend less.", "2025-06-01", None),
    ("Norwegian Foreign Minister Espen Barth Eide said Norway would pay.", "2024-01-10", None),
    ("Latvian President Egils Levits said Riga would stand firm.", "2024-02-01",
     "held_only_before"),
    ("Danish Prime Minister Mette Frederiksen said Denmark would send F-16s.", "2023-08-20",
     None),
    # heads of the IAEA and the European Council, Chinese premiers
    ("IAEA chief Yukiya Amano said inspectors would return to the plant.", "2022-09-01",
     "held_only_before"),
    ("IAEA Director General Rafael Grossi said inspectors would return.", "2022-09-01", None),
    ("European Council President Charles Michel opened the summit.", "2025-03-01",
     "held_only_before"),
    ("European Council President Charles Michel opened the summit.", "2023-03-01", None),
    ("European Council President António Costa opened the summit.", "2025-03-01", None),
    ("Chinese Premier Li Keqiang said growth would recover.", "2024-05-01",
     "held_only_before"),
    ("Premier Li Keqiang said growth would recover.", "2024-05-01", "held_only_before"),
    ("Chinese Premier Li Qiang said growth would recover.", "2024-05-01", None),
    ("Chancellor Friedrich Merz said more air defence would follow.", "2025-09-15", None),
    ("Dutch Prime Minister Dick Schoof said the Netherlands would pay.", "2025-02-01", None),
    ("Kremlin spokesman Dmitry Peskov has once again said talks are possible.", "2024-06-01",
     None),
])
def test_new_countries(fc: FactChecks, text: str, date: str, verdict: str | None) -> None:
    art = fc(Article(id="a", text=text, date=dt.date.fromisoformat(date)))
    assert [f.label for f in art.fact_checks] == ([verdict] if verdict else [])
