"""The sentence-level technique classifier: a linear head over the shared encoder's vectors.

Shipped weights live in ``resources/models/techniques/`` (``head.npz`` + ``head.json``,
no pickle); ``head.json`` also stores the per-technique decision thresholds chosen on
out-of-fold predictions of the training split, and the corpus provenance.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from narrascope.learn import LinearMultiLabelHead

#: The component's default ``threshold_scale``: thresholds t become 1-(1-t)/1.5, a
#: precision-first setting (see docs/model-card-techniques.md for both operating points).
DEFAULT_THRESHOLD_SCALE = 1.5


def default_model_dir() -> Path:
    return Path(str(resources.files("narrascope.resources").joinpath("models").joinpath("techniques")))


class TechniqueModel:
    """A :class:`LinearMultiLabelHead` plus one decision threshold per technique."""

    def __init__(self, head: LinearMultiLabelHead, thresholds: dict[str, float]) -> None:
        self.head = head
        self.labels = list(head.labels_)
        self.thresholds = np.array([float(thresholds.get(lab, 0.9)) for lab in self.labels],
                                   dtype=np.float32)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return self.head.predict_proba(X)

    def predict(self, X: np.ndarray, scale: float = 1.0,
                proba: np.ndarray | None = None) -> np.ndarray:
        """0/1 decisions; ``scale`` > 1 moves every threshold towards 1 (more precise)."""
        thr = 1.0 - (1.0 - self.thresholds) / max(scale, 1e-6)
        P = self.predict_proba(X) if proba is None else proba
        return (P >= thr).astype(np.int8)

    def save(self, directory: str | Path, **extra: object) -> None:
        self.head.save(directory, "head",
                       thresholds=dict(zip(self.labels, map(float, self.thresholds), strict=True)),
                       **extra)

    @classmethod
    def load(cls, directory: str | Path | None = None) -> TechniqueModel:
        head = LinearMultiLabelHead.load(directory or default_model_dir(), "head")
        return cls(head, head.meta_.get("thresholds", {}))


@lru_cache(maxsize=4)
def load_model(directory: str | None = None) -> TechniqueModel | None:
    """The shipped (or given) model; ``None`` when no weights are there."""
    d = Path(directory) if directory else default_model_dir()
    if not (d / "head.npz").exists():
        return None
    return TechniqueModel.load(d)
