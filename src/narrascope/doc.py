"""The data model: an :class:`Article` is a text with stable character offsets.

Every layer that a pipeline component adds (sentences, narratives, entities,
techniques, fact checks) is expressed as spans ``(start, end)`` into
``Article.text`` plus labels with a confidence and evidence spans.  Offsets are
half-open (``text[start:end]``) everywhere inside narrascope; only the SemEval
writers convert to that format's inclusive end offsets.

``Article.text`` is exactly the text that was read (for ``.txt`` files: the
decoded file, line endings untouched), so offsets count from the first
character of the source file, as in the SemEval-2025 Task 10 files.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

#: Version of the output schema (``docs/schema/article.schema.json``).  Bump the
#: minor version for added optional fields, the major one for breaking changes.
SCHEMA_VERSION = "2.0"

NOTICE = (
    "narrascope detects narratives, framing and persuasion techniques; it does not "
    "judge whether an article is true, except for the dated fact checks under "
    "'fact_checks', which compare titles with a knowledge base of office holders."
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Span(_Model):
    """A half-open character span ``[start, end)`` into ``Article.text``."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str = Field(description="Always equal to article.text[start:end].")

    @model_validator(mode="after")
    def _check_order(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} < start {self.start}")
        return self


#: Who speaks in a sentence or span: the article's own voice, a quotation, reported
#: speech attributed to someone ("Peskov said ..."), or page clutter.
Voice = Literal["own", "quoted", "reported", "clutter"]


class Sentence(Span):
    """A sentence (or a title / clutter line) found by the ``sentences`` component."""

    index: int = Field(ge=0, description="Position of the sentence in the article.")
    kind: Literal["title", "body", "boilerplate"] = Field(
        "body",
        description="'boilerplate' marks page clutter (bylines, photo credits, "
        "'Watch:' captions, lists of other headlines); components skip it.",
    )
    voice: Voice | None = Field(
        None, description="Who speaks: 'own' (the article), 'quoted', 'reported' (attributed "
        "to a speaker), 'clutter'; None when no voice component ran.")
    speaker: str | None = Field(None, description="The speaker of quoted/reported speech.")


class Evidence(Span):
    """A span that supports a label, with how strongly it does."""

    score: float | None = Field(None, description="Support score of this span (0..1).")
    sentence: int | None = Field(None, description="Index of the sentence holding it.")


class Label(_Model):
    """A label with a calibrated confidence and the spans that support it."""

    label: str
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: list[Evidence] = Field(default_factory=list)
    source: str | None = Field(
        None, description="What produced it: 'model', 'pattern', 'rule', 'given'."
    )


class LabelledSpan(Span):
    """A span of the text with one label: the shape of every span-level layer.

    Technique spans, entity mentions and fact-check claims are all labelled spans:
    ``label`` (technique, canonical entity, verdict), ``confidence``, ``source`` (what
    produced it), ``detail`` (pattern name, NER type, ...), ``sentence``, ``voice``
    and optional ``evidence``.
    """

    label: str
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    source: str | None = Field(
        None, description="What produced it: 'model', 'pattern', 'kb', 'ner', 'alias', "
        "'group', 'given', 'llm', ...")
    detail: str | None = Field(None, description="Pattern name, NER type or other detail.")
    sentence: int | None = Field(None, description="Index of the sentence holding it.")
    voice: Voice | None = Field(None, description="Voice of the text at the span.")
    evidence: list[Evidence] = Field(default_factory=list)


# --------------------------------------------------------------------- narratives


class Explanation(_Model):
    """A short grounded explanation of the article's dominant narrative."""

    narrative: str
    subnarrative: str | None = None
    text: str = Field(description="At most 80 words; quoted fragments are verbatim.")
    quotes: list[Span] = Field(
        default_factory=list, description="Every fragment quoted in 'text', with offsets."
    )
    source: str | None = Field(
        None, description="What wrote it: 'template' (the offline explainer) or 'llm'.")


class Narratives(_Model):
    """Narrative classification of one article (SemEval-2025 Task 10 subtask 2)."""

    taxonomy: str = Field(description="Name of the taxonomy the labels come from.")
    model: str = Field(description="Identifier of the model that produced the labels.")
    domain: Label = Field(description="URW, CC or Other.")
    narratives: list[Label] = Field(
        default_factory=list, description="Coarse labels, e.g. 'URW: Discrediting Ukraine'."
    )
    subnarratives: list[Label] = Field(
        default_factory=list,
        description="Fine labels, e.g. 'URW: Discrediting Ukraine: Situation in Ukraine "
        "is hopeless' or 'URW: Discrediting Ukraine: Other'.",
    )
    explanation: Explanation | None = Field(
        None, description="A short grounded explanation of the dominant narrative.")


# ----------------------------------------------------------------------- entities


class Mention(LabelledSpan):
    """One mention of an entity, with the role the article casts it in there.

    ``label`` is the canonical entity name, ``source`` how the mention was found
    ('ner', 'alias', 'group', 'given') and ``detail`` the entity type (spaCy's or
    'ALIAS' / 'GROUP' / 'GIVEN').
    """

    main_role: Label | None = None
    fine_roles: list[Label] = Field(default_factory=list)


class Entity(_Model):
    """A canonical entity and its dominant framing over the whole article."""

    canonical: str
    kind: str | None = Field(None, description="person, country, organisation, ...")
    mentions: list[Mention] = Field(default_factory=list)
    main_role: Label | None = Field(None, description="Protagonist, Antagonist or Innocent.")
    fine_roles: list[Label] = Field(default_factory=list)


# --------------------------------------------------------------------- techniques


#: A persuasion-technique span: ``label`` = technique, ``source`` = 'model' (trained
#: sentence classifier) or 'pattern' (lexical pattern, named in ``detail``).
TechniqueSpan = LabelledSpan


class TechniqueCount(_Model):
    count: int = Field(ge=0)
    per_1000_words: float = Field(ge=0.0)


class Techniques(_Model):
    spans: list[LabelledSpan] = Field(default_factory=list)
    profile: dict[str, TechniqueCount] = Field(default_factory=dict)
    words: int = Field(0, ge=0, description="Word count used for the densities.")
    density_per_1000_words: float = Field(0.0, ge=0.0)
    frames: list[Label] = Field(default_factory=list)


# -------------------------------------------------------------------- fact checks


class OfficeTerm(_Model):
    office: str
    holder: str
    start: dt.date | None = None
    end: dt.date | None = None
    source: str | None = None


Verdict = Literal["not_in_office_on_date", "never_held", "held_only_before", "held_only_after"]


class FactCheck(LabelledSpan):
    """A title-person phrase whose title does not fit the person on the article's date.

    The span is the phrase as written; ``label`` is the verdict
    (not_in_office_on_date, never_held, held_only_before, held_only_after) and
    ``source`` 'kb'.
    """

    label: Verdict
    person: str = Field(description="Canonical name of the person.")
    office: str = Field(description="Office the text attributes to the person.")
    severity: Literal["high", "medium", "low"]
    message: str = Field(description="What the text claims and what the knowledge base says.")
    article_date: dt.date | None = None
    date_source: str | None = Field(None, description="Where the article date came from.")
    holder_on_date: str | None = Field(None, description="Who held the office on that date.")
    terms: list[OfficeTerm] = Field(
        default_factory=list, description="Relevant knowledge-base records, with sources."
    )


# ------------------------------------------------------------------------ article


class GivenMention(_Model):
    """A mention supplied by the user (SemEval subtask 1 input), half-open offsets."""

    start: int
    end: int
    text: str
    line: int | None = Field(None, description="Line of the mentions file it came from.")


class GivenNarrative(_Model):
    """The dominant narrative supplied by the user (SemEval subtask 3 input)."""

    narrative: str
    subnarrative: str | None = None


class _VectorBox:
    """Holds an article vector so that comparing two articles compares it element-wise."""

    __slots__ = ("value",)

    def __init__(self, value: Any = None) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _VectorBox):
            return NotImplemented
        if self.value is None or other.value is None:
            return self.value is other.value
        import numpy as np

        return bool(np.array_equal(np.asarray(self.value), np.asarray(other.value)))

    __hash__ = None  # type: ignore[assignment]


class Article(_Model):
    """A news article: the exact text that was read, its metadata, and every layer."""

    schema_version: str = SCHEMA_VERSION
    id: str
    text: str
    title: str | None = None
    date: dt.date | None = None
    date_source: Literal["given", "metadata", "text", "option"] | None = Field(
        None, description="Where the date came from: 'given' (an explicit field), 'metadata' "
        "(file or page metadata), 'text' (stated in the text, see date_evidence), "
        "'option' (--date).")
    date_evidence: Span | None = Field(
        None, description="Where the text states the date, when date_source is 'text'.")
    source: str | None = Field(None, description="Outlet / publisher.")
    url: str | None = None
    language: str | None = Field(None, description="ISO 639-1 code, detected or given.")
    language_confidence: float | None = None
    body_start: int = Field(
        0, ge=0, description="Offset where the article body starts (after a date prefix)."
    )
    metadata: dict[str, Any] = Field(default_factory=dict)
    path: str | None = Field(None, description="File it was read from.")
    warnings: list[str] = Field(default_factory=list)

    # inputs a user may supply for the SemEval modes
    given_mentions: list[GivenMention] | None = None
    given_narrative: GivenNarrative | None = None

    # layers added by pipeline components
    sentences: list[Sentence] = Field(default_factory=list)
    narratives: Narratives | None = None
    entities: list[Entity] = Field(default_factory=list)
    techniques: Techniques | None = None
    fact_checks: list[FactCheck] = Field(default_factory=list)
    components: list[str] = Field(
        default_factory=list, description="Names of the components that ran, in order."
    )

    # non-serialised per-article cache shared between components (embeddings, spaCy doc)
    _cache: dict[str, Any] = PrivateAttr(default_factory=dict)
    # non-serialised article vector (set by the encoder component; kept for the store)
    _vector: _VectorBox = PrivateAttr(default_factory=lambda: _VectorBox())

    @property
    def cache(self) -> dict[str, Any]:
        return self._cache

    @property
    def vector(self) -> Any:
        """L2-normalised mean of the content-sentence vectors (numpy float32), or None."""
        return self._vector.value

    @vector.setter
    def vector(self, value: Any) -> None:
        self._vector = _VectorBox(value)

    def span(self, start: int, end: int) -> Span:
        """Build a :class:`Span` whose text is taken from the article itself."""
        if not (0 <= start <= end <= len(self.text)):
            raise ValueError(f"span ({start}, {end}) outside article {self.id!r}")
        return Span(start=start, end=end, text=self.text[start:end])

    def evidence(
        self, start: int, end: int, score: float | None = None, sentence: int | None = None
    ) -> Evidence:
        if not (0 <= start <= end <= len(self.text)):
            raise ValueError(f"span ({start}, {end}) outside article {self.id!r}")
        return Evidence(
            start=start, end=end, text=self.text[start:end], score=score, sentence=sentence
        )

    @property
    def content_sentences(self) -> list[Sentence]:
        """Title and body sentences, without page clutter."""
        return [s for s in self.sentences if s.kind != "boilerplate"]

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def upgrade_record(rec: dict[str, Any]) -> dict[str, Any]:
    """A 1.x output record in the 2.0 shape (a copy; a 2.x record is returned as is).

    1.x had technique spans with ``technique``/``detector``/``pattern``, mentions with
    ``canonical``/``ner_label``, fact checks with a nested ``claim`` span and a
    ``verdict``, and the explanation under ``techniques``.
    """
    version = str(rec.get("schema_version") or "1.0")
    if not version.startswith("1."):
        return rec
    rec = copy.deepcopy(rec)
    tech = rec.get("techniques")
    if isinstance(tech, dict):
        for sp in tech.get("spans") or []:
            if isinstance(sp, dict) and "technique" in sp:
                sp["label"] = sp.pop("technique")
                sp["source"] = sp.pop("detector", None)
                sp["detail"] = sp.pop("pattern", None)
        expl = tech.pop("explanation", None)
        if expl is not None and isinstance(rec.get("narratives"), dict):
            rec["narratives"].setdefault("explanation", expl)
    sources = {"GIVEN": "given", "ALIAS": "alias", "GROUP": "group"}
    for ent in rec.get("entities") or []:
        for m in (ent.get("mentions") or []) if isinstance(ent, dict) else []:
            if isinstance(m, dict) and "label" not in m:
                ner = m.pop("ner_label", None)
                m["label"] = m.pop("canonical", None) or ent.get("canonical") or m.get("text", "")
                m["detail"] = ner
                m["source"] = sources.get(str(ner), "ner") if ner else None
    for fc in rec.get("fact_checks") or []:
        if isinstance(fc, dict) and "claim" in fc:
            claim = fc.pop("claim") or {}
            fc.update(start=claim.get("start"), end=claim.get("end"), text=claim.get("text"))
            fc["label"] = fc.pop("verdict", None)
            fc.setdefault("source", "kb")
    rec["schema_version"] = SCHEMA_VERSION
    return rec


def iter_spans(obj: Any) -> list[Span]:
    """Every :class:`Span` nested anywhere in ``obj`` (used by the offset checks)."""
    found: list[Span] = []
    if isinstance(obj, Span):
        found.append(obj)
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            found.extend(iter_spans(getattr(obj, name)))
    elif isinstance(obj, list | tuple):
        for item in obj:
            found.extend(iter_spans(item))
    elif isinstance(obj, dict):
        for item in obj.values():
            found.extend(iter_spans(item))
    return found


def article_json_schema() -> dict[str, Any]:
    """The versioned JSON Schema of one output record (one JSONL line)."""
    schema = Article.model_json_schema(mode="serialization")
    schema["$id"] = f"https://narrascope.invalid/schema/article-{SCHEMA_VERSION}.json"
    schema["title"] = f"narrascope article (schema {SCHEMA_VERSION})"
    return schema
