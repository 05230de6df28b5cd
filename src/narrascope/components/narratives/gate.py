"""Article-level gate and voice weights of the narratives model.

The gate answers, for the whole article, whether it **advances** a narrative, only
**reports** on one (wire copy quoting officials, live blogs, analysis, fact checks,
op-eds of the other side) or is **unrelated** to both domains.  It is a multinomial
logistic regression over

* the mean vector of the article's content sentences and the mean vector of the
  sentences in its own voice (see :mod:`narrascope.components.voice`);
* the share of own / quoted / reported sentences;
* the narrative head's best narrative score over own-voice units, over
  quoted/reported units and in the headline, and the two domain scores.

Voice weights: a quoted or reported sentence's unit scores are multiplied by
``q + (1 - q) * P(advances)``: speech the article only reports counts little, speech
in an article that advances the narrative (and so endorses what it quotes) counts
fully.  Clutter never counts (it is not scored at all); a sentence with a distancing
cue ("falsely", "without evidence", "unlikely to", "debunked") is multiplied by
``negation_weight``.

Saved as ``gate.npz`` (coefficients) + the ``gate`` entry of ``model.json``; no pickle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

GATE_CLASSES = ("advances", "reports", "unrelated")
#: distancing cues: the sentence reports a claim in order to reject or doubt it
DISTANCING = re.compile(
    r"\b(?:falsely|false\s+claims?|baseless|unfounded|without\s+(?:any\s+)?evidence|"
    r"no\s+evidence|debunk\w*|disinformation|misinformation|conspiracy\s+theor\w+|"
    r"misleading|propaganda\s+(?:claims?|narratives?)|unlikely\s+to|not\s+likely\s+to|"
    r"no\s+sign\s+(?:of|that)|there\s+is\s+no\s+(?:proof|basis)|fact[\s-]check\w*|"
    r"(?:has|have)\s+(?:rejected|dismissed)\s+(?:the|this|that|these)\s+(?:claims?|"
    r"accusations?|allegations?)|a\s+claim\s+(?:that\s+)?(?:could\s+not|cannot)\s+be\s+"
    r"(?:independently\s+)?verified)\b",
    re.IGNORECASE)


def distanced(text: str) -> bool:
    return bool(DISTANCING.search(text))


@dataclass
class Gate:
    """Multinomial logistic gate (coefficients over standardised features)."""

    coef: np.ndarray          # (classes, features)
    intercept: np.ndarray     # (classes,)
    mean: np.ndarray
    scale: np.ndarray
    classes: tuple[str, ...] = GATE_CLASSES
    threshold: float = 0.5    # P(advances) below this: no narrative
    info: dict[str, Any] = field(default_factory=dict)

    def proba(self, f: np.ndarray) -> np.ndarray:
        z = ((np.atleast_2d(f) - self.mean) / self.scale) @ self.coef.T + self.intercept
        z = z - z.max(1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(1, keepdims=True)

    def p_advances(self, f: np.ndarray) -> np.ndarray:
        return self.proba(f)[:, self.classes.index("advances")]

    def save(self, directory: str | Path) -> dict[str, Any]:
        d = Path(directory)
        np.savez(d / "gate.npz", coef=self.coef.astype(np.float32),
                 intercept=self.intercept.astype(np.float32),
                 mean=self.mean.astype(np.float32), scale=self.scale.astype(np.float32))
        return {"classes": list(self.classes), "threshold": round(float(self.threshold), 4),
                **self.info}

    @classmethod
    def load(cls, directory: str | Path, cfg: dict[str, Any]) -> Gate:
        with np.load(Path(directory) / "gate.npz") as z:
            arrs = {k: z[k].astype(np.float64) for k in ("coef", "intercept", "mean", "scale")}
        info = {k: v for k, v in cfg.items() if k not in ("classes", "threshold")}
        return cls(classes=tuple(cfg.get("classes", GATE_CLASSES)),
                   threshold=float(cfg.get("threshold", 0.5)), info=info, **arrs)


def gate_features(S: np.ndarray, P: np.ndarray, spans: list[tuple[int, int]],
                  voices: list[str], is_title: list[bool], nar_idx: np.ndarray,
                  dom_idx: np.ndarray) -> np.ndarray:
    """Features of one article for the gate (see the module docstring).

    ``S`` (n, d): content-sentence vectors; ``P`` (u, L): unscaled unit scores over
    ``spans``; ``voices``/``is_title``: per row of ``S``.
    """
    d = S.shape[1] if S.ndim == 2 else 384
    n = len(S)
    if n == 0:
        return np.zeros(2 * d + 9, np.float32)
    own = np.array([v == "own" for v in voices])
    m_all = S.mean(0)
    m_all = m_all / max(float(np.linalg.norm(m_all)), 1e-9)
    if own.any():
        m_own = S[own].mean(0)
        m_own = m_own / max(float(np.linalg.norm(m_own)), 1e-9)
    else:
        m_own = np.zeros(d, np.float32)
    nar = P[:, nar_idx].max(1) if len(P) else np.zeros(0)
    unit_own = np.array([bool(own[i:j].all()) for i, j in spans])
    unit_title = np.array([any(is_title[i:j]) for i, j in spans])
    best_own = float(nar[unit_own].max()) if unit_own.any() else 0.0
    best_other = float(nar[~unit_own].max()) if (~unit_own).any() else 0.0
    best_title = float(nar[unit_title].max()) if unit_title.any() else 0.0
    dom = P[:, dom_idx].max(0) if len(P) else np.zeros(len(dom_idx))
    scal = [own.mean(), np.mean([v == "quoted" for v in voices]),
            np.mean([v == "reported" for v in voices]), best_own, best_other, best_title,
            float(np.sort(nar)[-3:].mean()) if len(nar) else 0.0,
            float(dom.max()) if len(dom) else 0.0, float(np.log(n))]
    return np.concatenate([m_all, m_own, np.asarray(scal, np.float32)]).astype(np.float32)


def unit_weights(spans: list[tuple[int, int]], sent_w: np.ndarray) -> np.ndarray:
    """Weight of each unit: the mean weight of its sentences."""
    return np.array([float(sent_w[i:j].mean()) for i, j in spans], np.float32)


def sentence_weights(voices: list[str], texts: list[str], is_title: list[bool],
                     quoted_weight: float, negation_weight: float,
                     p_advances: float | None) -> np.ndarray:
    """Per-sentence multipliers of the unit scores (voice and distancing cues)."""
    endorse = 1.0 if p_advances is None else float(p_advances)
    q = quoted_weight + (1.0 - quoted_weight) * endorse
    w = np.ones(len(voices), np.float32)
    for i, (v, t, title) in enumerate(zip(voices, texts, is_title, strict=True)):
        if title:
            continue
        if v in ("quoted", "reported"):
            w[i] *= q
        elif v == "clutter":
            w[i] = 0.0
        if negation_weight < 1.0 and distanced(t):
            w[i] *= negation_weight
    return w
