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

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

#: Version of the output schema (``docs/schema/article.schema.json``).  Bump the
#: minor version for added optional fields, the major one for breaking changes.
SCHEMA_VERSION = "1.0"

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


class Sentence(Span):
    """A sentence (or a title / clutter line) found by the ``sentences`` component."""

    index: int = Field(ge=0, description="Position of the sentence in the article.")
    kind: Literal["title", "body", "boilerplate"] = Field(
        "body",
        description="'boilerplate' marks page clutter (bylines, photo credits, "
        "'Watch:' captions, lists of other headlines); components skip it.",
    )


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


# --------------------------------------------------------------------- narratives


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


# ----------------------------------------------------------------------- entities


class Mention(Span):
    """One mention of an entity, with the role the article casts it in there."""

    ner_label: str | None = Field(None, description="spaCy entity type or 'ALIAS'/'GIVEN'.")
    canonical: str | None = Field(None, description="Canonical entity id/name.")
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


class TechniqueSpan(Span):
    """A span (a phrase or a whole sentence) that uses a persuasion technique."""

    technique: str
    confidence: float = Field(ge=0.0, le=1.0)
    detector: Literal["model", "pattern"] = Field(
        description="'model' = trained sentence classifier, 'pattern' = lexical pattern."
    )
    pattern: str | None = Field(None, description="Name of the lexical pattern, if any.")
    sentence: int | None = None


class TechniqueCount(_Model):
    count: int = Field(ge=0)
    per_1000_words: float = Field(ge=0.0)


class Explanation(_Model):
    """A short grounded explanation of the article's dominant narrative."""

    narrative: str
    subnarrative: str | None = None
    text: str = Field(description="At most 80 words; quoted fragments are verbatim.")
    quotes: list[Span] = Field(
        default_factory=list, description="Every fragment quoted in 'text', with offsets."
    )


class Techniques(_Model):
    spans: list[TechniqueSpan] = Field(default_factory=list)
    profile: dict[str, TechniqueCount] = Field(default_factory=dict)
    words: int = Field(0, ge=0, description="Word count used for the densities.")
    density_per_1000_words: float = Field(0.0, ge=0.0)
    frames: list[Label] = Field(default_factory=list)
    explanation: Explanation | None = None


# -------------------------------------------------------------------- fact checks


class OfficeTerm(_Model):
    office: str
    holder: str
    start: dt.date | None = None
    end: dt.date | None = None
    source: str | None = None


class FactCheck(_Model):
    """A title-person pair whose title does not fit the person on the article's date."""

    claim: Span = Field(description="The title-person phrase as written.")
    person: str = Field(description="Canonical name of the person.")
    office: str = Field(description="Office the text attributes to the person.")
    verdict: Literal["not_in_office_on_date", "never_held", "held_only_before", "held_only_after"]
    severity: Literal["high", "medium", "low"]
    message: str = Field(description="What the text claims and what the knowledge base says.")
    article_date: dt.date | None = None
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


class Article(_Model):
    """A news article: the exact text that was read, its metadata, and every layer."""

    schema_version: str = SCHEMA_VERSION
    id: str
    text: str
    title: str | None = None
    date: dt.date | None = None
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

    @property
    def cache(self) -> dict[str, Any]:
        return self._cache

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
