"""The ``techniques`` pipeline component: persuasion techniques, frames, explanation."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from narrascope.components.techniques.explain import explain_article
from narrascope.components.techniques.frames import FrameDetector
from narrascope.components.techniques.model import DEFAULT_THRESHOLD_SCALE, load_model
from narrascope.components.techniques.patterns import PatternMatcher
from narrascope.components.techniques.taxonomy import technique_names
from narrascope.doc import (
    Article,
    Label,
    Narratives,
    Sentence,
    TechniqueCount,
    Techniques,
    TechniqueSpan,
)
from narrascope.registry import Component, registry


@lru_cache(maxsize=512)
def _embed_query(text: str) -> np.ndarray:
    from narrascope.components.encoder import encode

    return encode([text])[0]


def _vectors(article: Article) -> np.ndarray:
    from narrascope.components.encoder import sentence_vectors

    return sentence_vectors(article)


_NORM = re.compile(r"[\W_]+")


def _norm(text: str) -> str:
    return _NORM.sub(" ", text.lower()).strip()


def repeated_title_regions(article: Article) -> list[tuple[int, int]]:
    """Where the article's title is written again after its first occurrence (a headline
    the page repeats): ``[start, end)`` regions of the text."""
    title = next((s.text for s in article.sentences if s.kind == "title"), None) or article.title
    title = (title or "").strip()
    if len(title.split()) < 3:
        return []
    first = article.text.find(title)
    out = []
    i = article.text.find(title, first + 1) if first >= 0 else -1
    while i >= 0:
        out.append((i, i + len(title)))
        i = article.text.find(title, i + 1)
    return out


def analysed_sentences(article: Article, skip_voices: Sequence[str] = ("clutter",),
                       skip_repeats: bool = True) -> list[Sentence]:
    """The sentences techniques are looked for in (and words counted over): not page
    clutter (``kind == "boilerplate"`` or a voice in ``skip_voices``) and, with
    ``skip_repeats``, not a repeat of the title or of an earlier sentence (a headline or
    a line the page writes twice), nor a sentence inside a repeated headline."""
    out: list[Sentence] = []
    seen: set[str] = set()
    regions = repeated_title_regions(article) if skip_repeats else []
    for s in article.sentences:
        if s.kind == "boilerplate" or (s.voice is not None and s.voice in skip_voices):
            continue
        if skip_repeats:
            key = _norm(s.text)
            if len(key.split()) >= 3:
                if key in seen:
                    continue
                seen.add(key)
            if any(rs <= s.start and s.end <= re_ for rs, re_ in regions):
                continue
        out.append(s)
    return out


def _next_to_speech(article: Article) -> set[int]:
    """Sentences next to a quoted or reported one: a short quotation there is a partial
    quotation of that source ("the video showed the "execution" of ..."), not doubt."""
    speech = {s.index for s in article.sentences if s.voice in ("quoted", "reported")}
    return {i for s in article.sentences for i in (s.index,)
            if i - 1 in speech or i + 1 in speech}


def word_count(article: Article, content: Sequence[Sentence] | None = None) -> int:
    """Whitespace-separated words of the analysed sentences (default: the
    non-boilerplate ones)."""
    if content is None:
        content = [s for s in article.sentences if s.kind != "boilerplate"]
    if content:
        return sum(len(s.text.split()) for s in content)
    if article.sentences:
        return 0
    return len(article.text[article.body_start:].split())


def _narratives_for(article: Article) -> Narratives:
    """The article's narratives layer; made from the given narrative when none ran."""
    if article.narratives is None:
        given = article.given_narrative
        labels = [n for n in (given.narrative if given else None,) if n]
        domain = labels[0].split(":")[0].strip() if labels else "Other"
        article.narratives = Narratives(
            taxonomy="given", model="given",
            domain=Label(label=domain, confidence=1.0, source="given"),
            narratives=[Label(label=n, confidence=1.0, source="given") for n in labels],
            subnarratives=[Label(label=given.subnarrative, confidence=1.0, source="given")]
            if given and given.subnarrative else [])
    return article.narratives


def build_profile(spans: list[TechniqueSpan], words: int) -> tuple[dict[str, TechniqueCount], float]:
    counts = Counter(s.label for s in spans)
    per = 1000.0 / words if words else 0.0
    profile = {t: TechniqueCount(count=c, per_1000_words=round(c * per, 3))
               for t, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}
    return profile, round(len(spans) * per, 3)


@registry.component("techniques", assigns=["techniques"], requires=["sentences"])
class TechniqueDetector(Component):
    """Persuasion techniques (patterns + sentence model), frames and a narrative explanation."""

    def __init__(self, name: str = "techniques", model_dir: str | None = None,
                 patterns: str | None = None, frames: str | None = None,
                 use_model: bool = False, use_patterns: bool = True,
                 threshold_scale: float = DEFAULT_THRESHOLD_SCALE, min_sentence_words: int = 4,
                 detect_frames: bool = True, explain: bool = True,
                 skip_voices: Sequence[str] = ("clutter",), skip_repeats: bool = True,
                 calibrated: bool = True, count_voices: Sequence[str] = ("own",),
                 languages: Sequence[str] = ("en",)) -> None:
        self.name = name
        #: the patterns, frames and sentence model are English; on an article in another
        #: detected language the layer is withheld with a note (``["*"]``: run anyway)
        self.languages = tuple(languages)
        self.calibrated = calibrated
        self.count_voices = tuple(count_voices)
        self.skip_voices = tuple(skip_voices)
        self.skip_repeats = skip_repeats
        self.model_dir = model_dir
        #: off by default: on real articles the sentence model fires on plain reporting
        #: whatever its thresholds (cross-validated on the real development set, see
        #: docs/model-card-techniques.md) and adds no separation to the patterns
        self.use_model = use_model
        self.use_patterns = use_patterns
        self.threshold_scale = threshold_scale
        self.min_sentence_words = min_sentence_words
        self.detect_frames = detect_frames
        self.explain = explain
        self.matcher = PatternMatcher(patterns)
        self.frame_detector = FrameDetector(frames)
        self.model = load_model(model_dir) if use_model else None
        self.labels = technique_names()

    # ------------------------------------------------------------------ spans
    def content(self, article: Article) -> list[Sentence]:
        return analysed_sentences(article, self.skip_voices, self.skip_repeats)

    def find_spans(self, article: Article) -> list[TechniqueSpan]:
        text = article.text
        content = self.content(article)
        voice_of = {s.index: s.voice for s in content}
        spans: list[TechniqueSpan] = []
        if self.use_patterns and content:
            near_speech = _next_to_speech(article)
            for m in self.matcher.match_text(text, [(s.start, s.end, s.index) for s in content]):
                if m.pattern == "scare_quotes" and m.sentence in near_speech:
                    continue  # a word of the source whose speech is reported next to it
                spans.append(TechniqueSpan(start=m.start, end=m.end, text=text[m.start:m.end],
                                           label=m.technique,
                                           confidence=round(m.confidence, 4),
                                           source="pattern", detail=m.pattern,
                                           sentence=m.sentence,
                                           voice=voice_of.get(m.sentence)))
        if self.model is not None and content:
            eligible = [s for s in content if len(s.text.split()) >= self.min_sentence_words]
            if eligible:
                vecs = _vectors(article)
                X = vecs[[s.index for s in eligible]]
                proba = self.model.predict_proba(X)
                decide = self.model.predict(X, scale=self.threshold_scale, proba=proba,
                                            calibrated=self.calibrated)
                by_pattern = {(sp.sentence, sp.label): sp for sp in spans}
                for row, s in enumerate(eligible):
                    for j in np.flatnonzero(decide[row]):
                        tech = self.model.labels[j]
                        p = float(proba[row, j])
                        hit = by_pattern.get((s.index, tech))
                        if hit is not None:  # both agree: keep the precise phrase span
                            hit.confidence = round(1 - (1 - hit.confidence) * (1 - p), 4)
                            continue
                        spans.append(TechniqueSpan(start=s.start, end=s.end, text=s.text,
                                                   label=tech, confidence=round(p, 4),
                                                   source="model", sentence=s.index,
                                                   voice=s.voice))
        spans.sort(key=lambda sp: (sp.start, sp.end, sp.label))
        return spans

    def __call__(self, article: Article) -> Article:
        from narrascope.components.language import english_only

        if not english_only(article, "techniques", self.languages):
            article.techniques = None
            return article
        spans = self.find_spans(article)
        content = self.content(article)
        words = word_count(article, content)
        # the article's own persuasion: spans in quoted or reported speech are listed
        # (with their voice) but not counted in the profile and the density
        counted = [sp for sp in spans if (sp.voice or "own") in self.count_voices]
        profile, density = build_profile(counted, words)
        frames = self.frame_detector(article, content) if self.detect_frames else []
        tech = Techniques(spans=spans, profile=profile, words=words,
                          density_per_1000_words=density, frames=frames)
        if self.explain:
            bonus: dict[int, float] = {}
            for sp in spans:
                if sp.sentence is not None:
                    bonus[sp.sentence] = min(0.09, bonus.get(sp.sentence, 0.0) + 0.03)
            try:
                explanation = explain_article(article, _vectors, _embed_query, bonus)
                if explanation is not None:
                    _narratives_for(article).explanation = explanation
            except (OSError, RuntimeError, ImportError) as exc:  # encoder unavailable
                article.warnings.append(f"techniques: no explanation ({exc})")
        article.techniques = tech
        return article
