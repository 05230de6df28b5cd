"""Shared battery: every component of the default pipeline through the same checks.

Like scikit-learn's estimator checks: whatever a component does, it must keep the
article stream intact (same articles, same order), leave every span equal to the
text it points at, keep confidences in [0, 1], record that it ran, give the same
result whether articles come in one batch or one at a time, and produce records
that validate and read back.
"""

from __future__ import annotations

import json

import pytest

from narrascope import Pipeline
from narrascope.doc import Article, Label, LabelledSpan, iter_spans
from narrascope.pipeline import load_config

# Synthetic, written for this test: awkward shapes more than realistic news.
ARTICLES = [
    ("plain", "Officials met in Kyiv on Monday. The talks ended without a deal.\n"),
    ("titled", "NATO expands again\n\nThe so-called peacekeepers are puppets of Washington, "
     "the blog claims. Zelensky begged the West for more money again and again.\n"),
    ("one-word", "Hello"),
    ("punctuation", "?!... -- ... ?? " * 40),
    ("markup", "<p onclick=\"alert(1)\">Title &amp; more</p>\n\n<script>alert(2)</script> "
     "President Biden said \"javascript:alert(3)\" was fine."),
    ("non-english", "Президент заявил, что переговоры зашли в тупик. Это не первый раз.\n"),
    ("climate", "The climate scam is over\n\nAlarmists want to ban your car and tax your "
     "steak, yet the models failed. Net zero will ruin farmers.\n"),
    ("crlf", "Line one of the text.\r\n\r\nSecond paragraph with Putin and Macron.\r\n"),
]


def fresh() -> list[Article]:
    return [Article(id=i, text=t) for i, t in ARTICLES]


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_config(load_config())


def component_names() -> list[str]:
    return list(load_config()["pipeline"]["components"])


def run_upto(pipeline: Pipeline, name: str, arts: list[Article], batch: bool) -> list[Article]:
    """Run the pipeline's components up to and including ``name``."""
    out = arts
    for n, comp in pipeline.components:
        if batch:
            out = list(comp.pipe(list(out), batch_size=len(out)))
        else:
            out = [a for art in out for a in comp.pipe([art], batch_size=1)]
        for art in out:
            art.components.append(n)
        if n == name:
            break
    return out


def check_labels(obj: object) -> None:
    if isinstance(obj, Label | LabelledSpan):
        assert 0.0 <= obj.confidence <= 1.0, obj
    if hasattr(type(obj), "model_fields"):
        for field in type(obj).model_fields:
            check_labels(getattr(obj, field))
    elif isinstance(obj, list | tuple):
        for item in obj:
            check_labels(item)


@pytest.mark.parametrize("name", component_names())
def test_component_battery(pipeline: Pipeline, name: str) -> None:
    batched = run_upto(pipeline, name, fresh(), batch=True)
    single = run_upto(pipeline, name, fresh(), batch=False)
    assert [a.id for a in batched] == [i for i, _ in ARTICLES], "stream order kept"
    for art in batched:
        assert name in art.components
        for span in iter_spans(art):
            assert 0 <= span.start <= span.end <= len(art.text)
            assert span.text == art.text[span.start:span.end], (name, art.id, span)
        check_labels(art)
        rec = json.loads(json.dumps(art.model_dump(mode="json"), allow_nan=False))
        again = Article.model_validate(rec)
        assert again.model_dump(mode="json") == rec
    for a, b in zip(batched, single, strict=True):
        assert a.model_dump(mode="json") == b.model_dump(mode="json"), (
            f"{name}: {a.id} differs between one batch and one article at a time")


GERMAN = ("Die Regierung kündigt neue Hilfen an\n\nDie Bundesregierung hat am Montag in Berlin "
          "weitere Militärhilfen für die Ukraine angekündigt. Ein Sprecher sagte, man wolle "
          "zusätzliche Luftabwehrsysteme liefern. Bundeskanzler Scholz und die NATO wurden "
          "von der Opposition für das Tempo der Lieferungen kritisiert.\n")


def test_every_english_only_layer_is_withheld_on_other_languages(pipeline: Pipeline) -> None:
    """A component with a ``languages`` option leaves its layer empty on a detected
    non-English article and says why, once, in the warnings and ``metadata.withheld``."""
    art = pipeline(Article(id="de", text=GERMAN))
    assert art.language == "de"
    english_only = [n for n, comp in pipeline.components
                    if tuple(getattr(comp, "languages", ())) == ("en",)]
    assert {"narratives", "entities", "techniques", "fact_checks"} <= set(english_only)
    held = art.metadata["withheld"]
    for name in english_only:
        assert "trained on English" in held[name], name
        assert sum(w.startswith(f"{name} withheld") for w in art.warnings) == 1, name
    assert art.entities == [] and art.fact_checks == [] and art.techniques is None
    assert art.narratives is None or not art.narratives.narratives
