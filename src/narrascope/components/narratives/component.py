"""The ``narratives`` pipeline component (SemEval-2025 Task 10 subtask 2).

Options (``[components.narratives]`` in a pipeline config):

* ``model``: ``"default"`` (the trained model shipped in
  ``narrascope/resources/models/narratives/``), ``"zero-shot"`` (label-description
  similarity baseline) or the path of a directory written by ``narrascope train narratives``.
* ``taxonomy``: path of a taxonomy file with the schema of ``semeval2025.yaml``
  (default: the model's own taxonomy). A trained model needs heads for every label of
  the taxonomy; the zero-shot model works with any taxonomy.
* ``max_evidence``: evidence sentences per label (top-scoring content sentences).
* ``use_voice`` (default true): read each sentence's voice (the ``voice`` component, or
  the same rules when it did not run): clutter is never evidence, quoted and reported
  speech counts in proportion to the article-level gate's P(advances), and the gate
  withholds narratives from articles that only report on them.  False: every content
  sentence counts alike and there is no gate (the behaviour of model format 1).
* ``languages`` (default ``["en"]``): the model is trained on English; on articles in
  another detected language the layer is withheld with a warning and
  ``metadata["withheld"]["narratives"]`` (see :mod:`narrascope.components.language`).
  ``["*"]`` runs it on every language.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from narrascope.components.narratives.model import BaseNarrativeModel, LabelScore, load_model
from narrascope.doc import Article, Label, Narratives
from narrascope.registry import Component, registry


@registry.component("narratives", assigns=["narratives"], requires=[])
class NarrativesComponent(Component):
    """Assign narratives and subnarratives with calibrated confidences and evidence."""

    def __init__(self, name: str = "narratives", model: str = "default",
                 taxonomy: str | None = None, max_evidence: int = 3, use_voice: bool = True,
                 languages: list[str] | tuple[str, ...] = ("en",)) -> None:
        self.name = name
        self.use_voice = bool(use_voice)
        self.languages = tuple(languages)
        self.model_name = str(model)
        self.taxonomy_path = taxonomy
        self.max_evidence = int(max_evidence)
        self._model: BaseNarrativeModel | None = None

    @property
    def model(self) -> BaseNarrativeModel:
        if self._model is None:
            tax = Path(self.taxonomy_path) if self.taxonomy_path else None
            self._model = load_model(self.model_name, tax)
        return self._model

    def __call__(self, article: Article) -> Article:
        return next(self.pipe([article]))

    def pipe(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Article]:
        from narrascope.components.encoder import ensure_vectors, sentence_vectors
        from narrascope.components.sentences import ensure_sentences

        batch = list(articles)
        ensure_sentences(batch)
        from narrascope.components.language import english_only
        from narrascope.components.voice import sentence_voices

        keep = [a for a in batch if english_only(a, "narratives", self.languages)]
        ensure_vectors(keep)  # one encoder call for every article the encoder skipped
        kept = {id(a) for a in keep}
        for art in batch:
            if id(art) not in kept:
                art.narratives = None
                yield art
                continue
            S_all = sentence_vectors(art)
            voices = sentence_voices(art) if self.use_voice else None
            rows = [s.index for s in art.content_sentences
                    if voices is None or voices[s.index] != "clutter"]
            S = S_all[rows] if rows else np.zeros((0, S_all.shape[1] if S_all.ndim == 2
                                                   else 384), np.float32)
            art.narratives = self._predict(art, S, rows, voices)
            yield art

    def _predict(self, article: Article, S: np.ndarray, rows: list[int],
                 voices: list[str] | None = None) -> Narratives:
        m = self.model
        if voices is None:
            pred = m.predict_vectors(S, rows, self.max_evidence)
        else:
            sents = article.sentences
            pred = m.predict_vectors(S, rows, self.max_evidence,
                                     voices=[voices[r] for r in rows],
                                     texts=[sents[r].text for r in rows],
                                     is_title=[sents[r].kind == "title" for r in rows])

        def to_label(ls: LabelScore) -> Label:
            ev = []
            for row, score in ls.evidence:
                s = article.sentences[row]
                ev.append(article.evidence(s.start, s.end, round(min(max(score, 0.0), 1.0), 4),
                                           s.index))
            return Label(label=ls.label, confidence=min(max(ls.confidence, 0.0), 1.0),
                         evidence=ev, source="model")

        return Narratives(taxonomy=m.taxonomy.name, model=m.name,
                          domain=to_label(pred.domain),
                          narratives=[to_label(x) for x in pred.narratives],
                          subnarratives=[to_label(x) for x in pred.subnarratives])
