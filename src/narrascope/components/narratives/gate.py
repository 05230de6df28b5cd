"""Article-level gate and voice weights of the narratives model.

The gate answers, for the whole article, whether it **advances** a narrative, only
**reports** on one (wire copy quoting officials, live blogs, analysis, fact checks,
op-eds of the other side) or is **unrelated** to both domains.  It is a multinomial
logistic regression over

* the mean vector of the article's content sentences and the mean vector of the
  sentences in its own voice (see :mod:`narrascope.components.voice`);
* the share of own / quoted / reported sentences;
* the narrative head's best narrative score over own-voice units, over
  quoted/reported units and in the headline, and the two domain scores;
* how often the article uses wording typical of slanted outlets ("Kiev regime",
  "collective West", "climate hysteria") and of mainstream reporting ("Kyiv",
  "full-scale invasion", "without evidence", "analysts say"), per 100 words.

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


#: wording typical of pro-Kremlin and climate-obstruction outlets (loaded labels, their
#: spellings and catchwords); general knowledge of these registers, not taken from any
#: evaluation article
SLANTED = re.compile(
    r"\b(?:kiev(?:an)?|kiev\s+regime|special\s+military\s+operation|collective\s+west|"
    r"anglo-saxons?|neo-?nazis?|nazis?|banderites?|bandera|russophob\w*|denazif\w*|"
    r"puppets?|globalists?|neocons?|deep\s+state|mainstream\s+media|msm|corporate\s+media|"
    r"western\s+(?:sponsors|curators|masters|handlers)|curators|liberat(?:ed|ion)|"
    r"militants|junta|illegitimate|hysteria|hysterical|so-called|alarmists?|alarmism|"
    r"climate\s+(?:cult|hysteria|fanatics|zealots|scam|hoax|religion)|hoax|scam|madness|"
    r"green\s+agenda|great\s+reset|davos|wef|elites?|tyranny|sheeple|wake\s+up|"
    r"regime\s+in\s+kiev|kiev\s+authorities|zelensky\s+regime|nazi\s+regime|"
    r"donbass|novorossiya|multipolar|unipolar|sovereignty|satanic|degenerate|"
    r"maidan\s+coup|coup\s+in\s+kiev|kiev's|western\s+patrons|proxy\s+war\s+against\s+russia|"
    r"net[\s-]zero\s+(?:madness|agenda|zealots|fanatics|cult)|climate\s+alarmists?|"
    r"climate\s+(?:emergency|crisis)\s+(?:hoax|myth|scam)|warmists?|eco-?(?:fascists?|loons?|"
    r"zealots?)|climate\s+cultists?|fake\s+news|legacy\s+media|lamestream)\b",
    re.IGNORECASE)
#: wording typical of mainstream reporting about the same topics (attribution, hedges,
#: the Kyiv spelling, the invasion named as such)
REPORTING = re.compile(
    r"\b(?:kyiv|full-scale\s+invasion|unprovoked|war\s+of\s+aggression|kremlin-backed|"
    r"russian-occupied|occupied\s+territor\w+|propaganda|disinformation|misinformation|"
    r"without\s+(?:providing\s+)?evidence|independently\s+verif\w+|falsely|"
    r"(?:told|said\s+in\s+a\s+statement\s+to)\s+(?:reuters|the\s+associated\s+press|afp)|"
    r"reuters|associated\s+press|afp|analysts?\s+(?:say|said)|experts?\s+(?:say|said)|"
    r"said\s+in\s+a\s+statement|according\s+to|scientists\s+(?:say|said)|"
    r"climate\s+crisis|peer-reviewed|study\s+(?:published|found)|researchers|"
    r"fact[\s-]check\w*|claimed|claims?\s+that|alleged(?:ly)?|"
    r"(?:russia's|russian|moscow's)\s+(?:full-scale\s+)?(?:invasion|war\s+(?:on|against|in))|"
    r"invasion\s+of\s+ukraine|invaded\s+ukraine|zelenskyy|pro-kremlin|kremlin-(?:controlled|"
    r"friendly|linked)|state-(?:run|controlled)\s+(?:media|television|tv)|"
    r"echo(?:es|ed|ing)?\s+(?:the\s+)?(?:kremlin|moscow|russian)|kremlin(?:'s)?\s+(?:talking\s+points|"
    r"line|narrative)|could\s+not\s+(?:be\s+)?(?:independently\s+)?(?:confirm|verif)\w*|"
    r"(?:denied|denies|rejected|dismissed)\s+(?:the\s+)?(?:claims?|allegations?|accusations?|"
    r"report)|allegations?|accusations?|prosecutors?|investigators|"
    r"(?:a\s+)?spokes(?:man|woman|person)\s+(?:for|said|told)|told\s+reporters)\b",
    re.IGNORECASE)
_WORDS = re.compile(r"\w+")


def lexical_features(texts: list[str]) -> list[float]:
    """Slanted and reporting wording per 100 words, and their log counts."""
    joined = " ".join(texts)
    n = max(len(_WORDS.findall(joined)), 1)
    a = len(SLANTED.findall(joined))
    b = len(REPORTING.findall(joined))
    return [100 * a / n, 100 * b / n, float(np.log1p(a)), float(np.log1p(b)),
            float(np.log1p(a) - np.log1p(b))]


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
    first_feature: int = 0    # features used: gate_features(...)[first_feature:]
    info: dict[str, Any] = field(default_factory=dict)

    def proba(self, f: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(f)[:, self.first_feature:]
        z = ((x - self.mean) / self.scale) @ self.coef.T + self.intercept
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
                "first_feature": int(self.first_feature), **self.info}

    @classmethod
    def load(cls, directory: str | Path, cfg: dict[str, Any]) -> Gate:
        with np.load(Path(directory) / "gate.npz") as z:
            arrs = {k: z[k].astype(np.float64) for k in ("coef", "intercept", "mean", "scale")}
        info = {k: v for k, v in cfg.items()
                if k not in ("classes", "threshold", "first_feature")}
        return cls(classes=tuple(cfg.get("classes", GATE_CLASSES)),
                   threshold=float(cfg.get("threshold", 0.5)),
                   first_feature=int(cfg.get("first_feature", 0)), info=info, **arrs)


N_SCALARS = 14


def gate_features(S: np.ndarray, P: np.ndarray, spans: list[tuple[int, int]],
                  voices: list[str], is_title: list[bool], nar_idx: np.ndarray,
                  dom_idx: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
    """Features of one article for the gate (see the module docstring).

    ``S`` (n, d): content-sentence vectors; ``P`` (u, L): unscaled unit scores over
    ``spans``; ``voices``/``is_title``: per row of ``S``.
    """
    d = S.shape[1] if S.ndim == 2 else 384
    n = len(S)
    if n == 0:
        return np.zeros(2 * d + N_SCALARS, np.float32)
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
            float(dom.max()) if len(dom) else 0.0, float(np.log(n)),
            *lexical_features(texts or [])]
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
        if title and v == "own":  # the article's own framing counts fully
            continue
        if v in ("quoted", "reported"):
            w[i] *= q
        elif v == "clutter":
            w[i] = 0.0
        if negation_weight < 1.0 and distanced(t):
            w[i] *= negation_weight
    return w
