"""A subnarrative implies its narrative, so the narrative is never reported as less likely."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrascope import Pipeline
from narrascope.read import read_articles

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def analysed():
    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences", "encoder", "narratives"]}})
    return list(nlp.pipe(read_articles([EXAMPLES])))


def test_narrative_confidence_covers_its_subnarratives(analysed) -> None:
    checked = 0
    for art in analysed:
        coarse = {n.label: n.confidence for n in art.narratives.narratives}
        for sub in art.narratives.subnarratives:
            parent = sub.label.rsplit(": ", 1)[0]
            assert parent in coarse, (art.id, sub.label)
            assert coarse[parent] >= sub.confidence, (art.id, sub.label)
            checked += 1
    assert checked > 0


def test_unrelated_and_wire_examples_get_no_narrative(analysed) -> None:
    by_id = {a.id: a for a in analysed}
    for name in ("local_sports_006.txt", "wire_neutral_003.txt"):
        assert by_id[name].narratives.subnarratives == [], name
