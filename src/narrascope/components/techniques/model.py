"""The sentence-level technique classifier: a linear head over the shared encoder's vectors.

Shipped weights live in ``resources/models/techniques/`` (``head.npz`` + ``head.json``,
no pickle); ``head.json`` also stores the per-technique decision thresholds chosen on
out-of-fold predictions of the training split, and the corpus provenance.
"""

from __future__ import annotations

import json
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


#: Per-technique thresholds calibrated on real articles (``calibration.json`` next to the
#: head; written by ``benchmarks/techniques_devreal.py --calibrate``): each technique's
#: threshold is raised above every score the model gives a sentence of the real
#: development set's mainstream, unrelated and climate-mainstream articles (plain
#: reporting), and never set below the trained threshold at the default scale.
CALIBRATION_FILE = "calibration.json"


class TechniqueModel:
    """A :class:`LinearMultiLabelHead` plus one decision threshold per technique."""

    def __init__(self, head: LinearMultiLabelHead, thresholds: dict[str, float],
                 calibrated: dict[str, float] | None = None) -> None:
        self.head = head
        self.labels = list(head.labels_)
        self.thresholds = np.array([float(thresholds.get(lab, 0.9)) for lab in self.labels],
                                   dtype=np.float32)
        self.calibrated = None if not calibrated else np.array(
            [float(calibrated.get(lab, 1.0)) for lab in self.labels], dtype=np.float32)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        if len(X) == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return self.head.predict_proba(X)

    def decision_thresholds(self, scale: float = 1.0, calibrated: bool = True) -> np.ndarray:
        """The threshold of each technique: the trained one moved towards 1 by ``scale``
        (> 1: more precise), raised to the calibrated one when there is one."""
        thr = 1.0 - (1.0 - self.thresholds) / max(scale, 1e-6)
        if calibrated and self.calibrated is not None:
            thr = np.maximum(thr, self.calibrated)
        return thr

    def predict(self, X: np.ndarray, scale: float = 1.0,
                proba: np.ndarray | None = None, calibrated: bool = True) -> np.ndarray:
        """0/1 decisions; ``scale`` > 1 moves every threshold towards 1 (more precise);
        ``calibrated``: use the thresholds calibrated on real articles, if shipped."""
        thr = self.decision_thresholds(scale, calibrated)
        P = self.predict_proba(X) if proba is None else proba
        return (P >= thr).astype(np.int8)

    def save(self, directory: str | Path, **extra: object) -> None:
        self.head.save(directory, "head",
                       thresholds=dict(zip(self.labels, map(float, self.thresholds), strict=True)),
                       **extra)

    @classmethod
    def load(cls, directory: str | Path | None = None) -> TechniqueModel:
        d = Path(directory or default_model_dir())
        head = LinearMultiLabelHead.load(d, "head")
        cal = None
        if (d / CALIBRATION_FILE).is_file():
            cal = json.loads((d / CALIBRATION_FILE).read_text(encoding="utf-8")).get("thresholds")
        return cls(head, head.meta_.get("thresholds", {}), cal)


@lru_cache(maxsize=4)
def load_model(directory: str | None = None) -> TechniqueModel | None:
    """The shipped (or given) model; ``None`` when no weights are there."""
    d = Path(directory) if directory else default_model_dir()
    if not (d / "head.npz").exists():
        return None
    return TechniqueModel.load(d)
