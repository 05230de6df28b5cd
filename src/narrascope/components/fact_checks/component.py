"""The ``fact_checks`` pipeline component: dated title-person checks."""

from __future__ import annotations

from collections.abc import Sequence

from narrascope.components.fact_checks.check import Checker, sentence_bounds
from narrascope.components.fact_checks.dates import find_text_date
from narrascope.components.fact_checks.detect import Detector
from narrascope.components.fact_checks.kb import KnowledgeBase, load_kb
from narrascope.doc import Article, Span
from narrascope.registry import Component, registry

_SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}
_CACHE: dict[tuple, tuple[KnowledgeBase, Detector, Checker]] = {}


def build(kb_paths: Sequence[str] = (), builtin_kb: bool = True, grace_days: int = 30
          ) -> tuple[KnowledgeBase, Detector, Checker]:
    """Load the knowledge base and compile the detector (cached per configuration)."""
    key = (tuple(str(p) for p in kb_paths), builtin_kb, grace_days)
    if key not in _CACHE:
        kb = load_kb(kb_paths, builtin=builtin_kb)
        det = Detector(kb)
        _CACHE[key] = (kb, det, Checker(kb, det.title_index, grace_days=grace_days))
    return _CACHE[key]


@registry.component("fact_checks", assigns=["fact_checks"], requires=[])
class FactChecks(Component):
    """Check titles given to persons against a dated knowledge base of office holders."""

    def __init__(
        self,
        name: str = "fact_checks",
        kb_paths: list[str] | None = None,
        builtin_kb: bool = True,
        min_severity: str = "low",
        grace_days: int = 30,
        max_chars: int = 200_000,
        text_dates: bool = True,
        languages: Sequence[str] = ("en",),
    ) -> None:
        if min_severity not in _SEVERITY_RANK:
            raise ValueError(f"min_severity must be one of {sorted(_SEVERITY_RANK)}")
        self.name = name
        self.kb, self.detector, self.checker = build(kb_paths or (), builtin_kb, grace_days)
        self.min_rank = _SEVERITY_RANK[min_severity]
        self.max_chars = max_chars
        self.text_dates = text_dates
        #: titles, qualifiers and dates are read in English: on an article in another
        #: detected language nothing is checked, with a note (``["*"]``: check anyway)
        self.languages = tuple(languages)

    def __call__(self, article: Article) -> Article:
        from narrascope.components.language import english_only

        if not english_only(article, "fact_checks", self.languages):
            article.fact_checks = []
            return article
        if article.date is None and self.text_dates:
            set_text_date(article)
        text = article.text[: self.max_chars]
        findings = []
        seen: set[tuple[int, int]] = set()
        for claim in self.detector.find_claims(text):
            if claim.start < article.body_start and article.body_start > 0:
                continue
            s, e, kind = sentence_bounds(article, claim.start, claim.end)
            if kind == "boilerplate":
                continue
            sentence = article.text[s:e]
            rel = (max(0, claim.start - s), max(0, claim.end - s))
            fc = self.checker.check(claim, article, sentence, rel)
            if fc is None or _SEVERITY_RANK[fc.severity] < self.min_rank:
                continue
            if (claim.start, claim.end) in seen:
                continue
            seen.add((claim.start, claim.end))
            findings.append(fc)
        article.fact_checks = findings
        return article


def set_text_date(article: Article) -> bool:
    """Set ``article.date`` from a publication date stated in the text (a ``date`` stamp,
    a ``Published``/``Updated`` line, a date line under the title, a wire dateline; see
    :mod:`.dates`), with ``date_source = "text"`` and the span in ``date_evidence``."""
    found = find_text_date(article.text)
    if found is None:
        return False
    article.date = found.date
    article.date_source = "text"
    article.date_evidence = Span(start=found.start, end=found.end,
                                 text=article.text[found.start:found.end])
    return True
