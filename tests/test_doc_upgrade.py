"""Schema 2.0: one labelled-span shape, and 1.x records upgraded on read."""

from __future__ import annotations

import json

from narrascope.doc import (
    SCHEMA_VERSION,
    Article,
    FactCheck,
    LabelledSpan,
    Mention,
    TechniqueSpan,
    iter_spans,
    upgrade_record,
)
from narrascope.read.records import record_to_article

TEXT = "Pentagon chief Lloyd Austin said the so-called regime lies. Zelensky begged again."


def record_1x() -> dict:
    austin = TEXT.index("Pentagon chief Lloyd Austin")
    regime = TEXT.index("so-called regime")
    zel = TEXT.index("Zelensky")
    return {
        "schema_version": "1.0", "id": "a.txt", "text": TEXT,
        "narratives": {"taxonomy": "t", "model": "m",
                       "domain": {"label": "URW", "confidence": 0.9},
                       "narratives": [], "subnarratives": []},
        "entities": [{"canonical": "Volodymyr Zelensky", "kind": "person", "mentions": [
            {"start": zel, "end": zel + 8, "text": "Zelensky", "ner_label": "PERSON",
             "canonical": "Volodymyr Zelensky"},
            {"start": zel, "end": zel + 8, "text": "Zelensky", "ner_label": "GIVEN",
             "canonical": None}]}],
        "techniques": {"spans": [
            {"start": regime, "end": regime + 16, "text": "so-called regime",
             "technique": "Doubt", "confidence": 0.6, "detector": "pattern",
             "pattern": "so_called", "sentence": 0}],
            "explanation": {"narrative": "URW: X", "text": "The text says x.", "quotes": []}},
        "fact_checks": [{"claim": {"start": austin, "end": austin + 27,
                                   "text": "Pentagon chief Lloyd Austin"},
                         "person": "Lloyd Austin", "office": "US Secretary of Defense",
                         "verdict": "held_only_before", "severity": "high", "message": "m"}],
        "components": ["sentences", "narratives", "entities", "techniques", "fact_checks"],
    }


def test_upgrade_maps_every_layer_to_the_labelled_span_shape() -> None:
    old = record_1x()
    new = upgrade_record(old)
    assert old["schema_version"] == "1.0" and "technique" in old["techniques"]["spans"][0]
    art = Article.model_validate(new)
    assert art.schema_version == SCHEMA_VERSION
    sp = art.techniques.spans[0]
    assert isinstance(sp, LabelledSpan) and TechniqueSpan is LabelledSpan
    assert (sp.label, sp.source, sp.detail) == ("Doubt", "pattern", "so_called")
    m0, m1 = art.entities[0].mentions
    assert isinstance(m0, Mention) and m0.label == "Volodymyr Zelensky"
    assert (m0.source, m0.detail) == ("ner", "PERSON")
    assert (m1.label, m1.source) == ("Volodymyr Zelensky", "given")
    fc = art.fact_checks[0]
    assert isinstance(fc, FactCheck) and isinstance(fc, LabelledSpan)
    assert (fc.label, fc.source, fc.text) == ("held_only_before", "kb",
                                              "Pentagon chief Lloyd Austin")
    assert art.narratives.explanation is not None
    assert art.narratives.explanation.text == "The text says x."
    for span in iter_spans(art):
        assert span.text == art.text[span.start:span.end]


def test_upgrade_leaves_2x_records_alone() -> None:
    rec = upgrade_record(record_1x())
    assert upgrade_record(rec) is rec


def test_reader_upgrades_1x_records() -> None:
    art = record_to_article(json.loads(json.dumps(record_1x())), "f.jsonl", 1, 10_000,
                            keep_layers=True)
    assert art.schema_version == SCHEMA_VERSION
    assert art.techniques.spans[0].label == "Doubt"


def test_new_fields_serialise() -> None:
    art = Article(id="x", text="Kyiv, 3 May 2025. Text.", date_source="text")
    art.date_evidence = art.span(6, 16)
    art.vector = [0.1, 0.2]
    rec = art.model_dump(mode="json")
    assert rec["date_source"] == "text" and rec["date_evidence"]["text"] == "3 May 2025"
    assert "vector" not in rec and "_vector" not in rec


def test_articles_with_vectors_compare() -> None:
    import numpy as np

    a, b = Article(id="a", text="x"), Article(id="a", text="x")
    a.vector = np.ones(3, dtype=np.float32)
    assert a != b
    b.vector = np.ones(3, dtype=np.float32)
    assert a == b
