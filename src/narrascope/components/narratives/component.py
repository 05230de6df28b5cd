"""The ``narratives`` pipeline component (SemEval-2025 Task 10 subtask 2).

Options (``[components.narratives]`` in a pipeline config):

* ``model``: ``"default"`` (the trained model shipped in
  ``narrascope/resources/models/narratives/``), ``"zero-shot"`` (label-description
  similarity baseline) or the path of a directory written by ``narrascope train narratives``.
* ``taxonomy``: path of a taxonomy file with the schema of ``semeval2025.yaml``
  (default: the model's own taxonomy). A trained model needs heads for every label of
  the taxonomy; the zero-shot model works with any taxonomy.
* ``max_evidence``: evidence sentences per label (top-scoring content sentences).
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
                 taxonomy: str | None = None, max_evidence: int = 3) -> None:
        self.name = name
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
        from narrascope.components.sentences import SentenceSplitter

        batch = list(articles)
        splitter = None
        for art in batch:
            if not art.sentences:
                splitter = splitter or SentenceSplitter()
                splitter(art)
        ensure_vectors(batch)  # one encoder call for every article the encoder skipped
        for art in batch:
            S_all = sentence_vectors(art)
            rows = [s.index for s in art.content_sentences]
            S = S_all[rows] if rows else np.zeros((0, S_all.shape[1] if S_all.ndim == 2
                                                   else 384), np.float32)
            art.narratives = self._predict(art, S, rows)
            yield art

    def _predict(self, article: Article, S: np.ndarray, rows: list[int]) -> Narratives:
        m = self.model
        pred = m.predict_vectors(S, rows, self.max_evidence)

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
