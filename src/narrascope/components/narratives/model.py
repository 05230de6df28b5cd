"""Narrative models: sentence-level scorers pooled to the article, then decoded.

Both models score *units* (content sentences and, optionally, windows of consecutive
sentences = the renormalised mean of their vectors) against one label vector
``[domains..., narratives..., subnarratives...]``, pool unit scores to the article,
compare with per-label thresholds and decode a hierarchy-consistent result:

* :class:`TrainedNarrativeModel` - a multi-label head (:class:`MLPMultiLabelHead` or
  ``narrascope.learn.LinearMultiLabelHead``) over all-MiniLM-L6-v2 sentence vectors.
* :class:`ZeroShotNarrativeModel` - cosine similarity between each unit and an
  embedding of the label's name + definition from the taxonomy.

Confidences are calibrated with one temperature ``a`` fitted on held-out articles:
``confidence = sigmoid(a * (logit(s) - logit(t)))``, so a label is output exactly when its
confidence is >= 0.5.  Everything is saved as JSON + ``.npz`` (no pickle).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.components.narratives.gate import (
    Gate,
    gate_features,
    sentence_weights,
    unit_weights,
)
from narrascope.components.narratives.taxonomy import Taxonomy, load_taxonomy
from narrascope.learn import MLPMultiLabelHead

FORMAT_VERSION = 1


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def _logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


def label_space(taxonomy: Taxonomy) -> list[str]:
    return list(taxonomy.domains) + list(taxonomy.narratives) + list(taxonomy.subnarratives)


def taxonomy_digest(taxonomy: Taxonomy) -> str:
    return hashlib.sha1("\n".join(label_space(taxonomy)).encode()).hexdigest()[:12]


# ---------------------------------------------------------------------- heads

def make_head(kind: str, **params: Any):  # type: ignore[no-untyped-def]
    if kind == "mlp":
        return MLPMultiLabelHead(**params)
    if kind == "linear":
        from narrascope.learn import LinearMultiLabelHead

        return LinearMultiLabelHead(**params)
    raise ValueError(f"unknown head kind {kind!r} (mlp, linear)")


def load_head(directory: Path, name: str = "head"):  # type: ignore[no-untyped-def]
    meta = json.loads((directory / f"{name}.json").read_text())
    if meta["class"] == "MLPMultiLabelHead":
        return MLPMultiLabelHead.load(directory, name)
    from narrascope.learn import LinearMultiLabelHead

    return LinearMultiLabelHead.load(directory, name)


# ---------------------------------------------------------------- unit building

def make_units(S: np.ndarray, windows: tuple[int, ...] = (1, 2)) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Unit vectors and their sentence ranges ``[i, j)`` (window sizes over rows of S)."""
    n = len(S)
    vecs: list[np.ndarray] = []
    spans: list[tuple[int, int]] = []
    for w in windows:
        if w == 1:
            vecs.append(S)
            spans.extend((i, i + 1) for i in range(n))
        elif n >= w:
            c = np.cumsum(np.vstack([np.zeros((1, S.shape[1]), S.dtype), S]), axis=0)
            m = c[w:] - c[:-w]
            m = m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
            vecs.append(m.astype(np.float32))
            spans.extend((i, i + w) for i in range(n - w + 1))
    if not vecs:
        return np.zeros((0, S.shape[1] if S.ndim == 2 else 384), np.float32), []
    return np.vstack(vecs).astype(np.float32), spans


def pool(P: np.ndarray, method: str = "max") -> np.ndarray:
    """Pool unit scores ``(u, L)`` to the article ``(L,)``."""
    if len(P) == 0:
        return np.zeros(P.shape[1], np.float32)
    if method == "max":
        return P.max(0)
    if method.startswith("top"):
        k = min(int(method[3:] or 2), len(P))
        return np.sort(P, axis=0)[-k:].mean(0)
    if method == "noisy_or":
        return 1.0 - np.exp(np.log1p(-np.clip(P, 0, 1 - 1e-6)).sum(0))
    if method == "lse":
        z = _logit(P)
        m = z.max(0)
        return _sigmoid(m + np.log(np.exp(z - m).sum(0)) - np.log(len(P)) * 0.5).astype(np.float32)
    raise ValueError(f"unknown pooling {method!r}")


# -------------------------------------------------------------------- results

@dataclass
class LabelScore:
    label: str
    confidence: float
    score: float
    evidence: list[tuple[int, float]]  # (row in S, score)


@dataclass
class Prediction:
    domain: LabelScore
    narratives: list[LabelScore]
    subnarratives: list[LabelScore]


# ---------------------------------------------------------------------- models

class BaseNarrativeModel:
    """Shared scoring, decoding and persistence of thresholds/calibration."""

    kind = "base"

    def __init__(self, taxonomy: Taxonomy, pooling: str = "max",
                 windows: tuple[int, ...] = (1, 2), domain_gate: bool = True,
                 thresholds: dict[str, float] | None = None, temperature: float = 1.0,
                 bias: float = 0.0, default_threshold: float = 0.5, name: str = "",
                 stage2: dict[str, dict[str, Any]] | None = None,
                 max_subs_per_narrative: int = 0, gate: Gate | None = None,
                 quoted_weight: float = 1.0, negation_weight: float = 1.0,
                 other_margin: float = 1.0, calibration: dict[str, float] | None = None,
                 max_narratives: int = 0, narrative_margin: float = 0.0) -> None:
        self.taxonomy = taxonomy
        self.labels = label_space(taxonomy)
        self.pooling = pooling
        self.windows = tuple(windows)
        self.domain_gate = domain_gate
        self.default_threshold = default_threshold
        self.thresholds = np.array([float((thresholds or {}).get(lab, default_threshold))
                                    for lab in self.labels], dtype=np.float64)
        self.temperature = temperature
        self.bias = bias
        self.max_subs_per_narrative = int(max_subs_per_narrative or 0)
        self.stage2: dict[str, dict[str, Any]] = {
            lvl: {k: (np.asarray(v, np.float32) if k != "intercept" else float(v))
                  for k, v in st.items()} for lvl, st in (stage2 or {}).items()}
        self.name = name or self.kind
        self.gate = gate
        self.quoted_weight = float(quoted_weight)
        self.negation_weight = float(negation_weight)
        self.other_margin = float(other_margin)
        self.max_narratives = int(max_narratives or 0)  # 0: no cap
        #: keep a narrative only when its logit margin over its threshold is within
        #: this many logits of the article's best narrative (0: off)
        self.narrative_margin = float(narrative_margin or 0.0)
        #: confidence re-calibration on real articles: a, b, cap, cap_single
        self.calibration = dict(calibration or {})
        self._build_index()

    def _build_index(self) -> None:
        t = self.taxonomy
        self.n_dom = len(t.domains)
        self.n_nar = len(t.narratives)
        self.dom_idx = np.arange(self.n_dom)
        self.nar_idx = np.arange(self.n_dom, self.n_dom + self.n_nar)
        self.sub_idx = np.arange(self.n_dom + self.n_nar, len(self.labels))
        nar_pos = {n: i for i, n in enumerate(t.narratives)}
        dom_pos = {d: i for i, d in enumerate(t.domains)}
        self.sub2nar = np.array([nar_pos[t.info[s].narrative] for s in t.subnarratives])
        self.sub_is_other = np.array([t.info[s].is_other for s in t.subnarratives])
        self.nar2dom = np.array([dom_pos[t.info[n].domain] for n in t.narratives])
        self.nar_other = np.array([t.subnarratives.index(t.other_of(n)) for n in t.narratives])

    # -- to override
    def unit_scores(self, U: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # -- scoring
    def score_matrix(self, S: np.ndarray, voices: list[str] | None = None,
                     texts: list[str] | None = None, is_title: list[bool] | None = None,
                     units: tuple[np.ndarray, list[tuple[int, int]]] | None = None,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pooled scores (L,), per-sentence scores (n, L), unit scores) for vectors S.

        With ``voices`` (one per row of S), the gate and the voice weights apply (see
        :mod:`narrascope.components.narratives.gate`); ``self.last_p_advances`` is then
        the article's P(advances) (None without a gate).
        """
        self.last_p_advances: float | None = None
        if units is not None:  # precomputed (unit scores, spans): tuning loops
            P, spans = units
        else:
            U, spans = make_units(S, self.windows)
            P = self.unit_scores(U) if len(U) else np.zeros((0, len(self.labels)), np.float32)
        if len(P) == 0:
            z = np.zeros(len(self.labels), np.float32)
            return z, np.zeros((0, len(self.labels)), np.float32), z[None, :0]
        if voices is not None:
            texts = texts if texts is not None else [""] * len(S)
            is_title = is_title if is_title is not None else [False] * len(S)
            if self.gate is not None:
                f = gate_features(S, P, spans, voices, is_title, self.nar_idx, self.dom_idx,
                                  texts)
                self.last_p_advances = float(self.gate.p_advances(f)[0])
            sw = sentence_weights(voices, texts, is_title, self.quoted_weight,
                                  self.negation_weight, self.last_p_advances)
            P = P * unit_weights(spans, sw)[:, None]
        if self.pooling == "learned":
            pooled = self.stage2_scores(self.pool_features(P))
        else:
            pooled = pool(P, self.pooling)
        per_sent = np.zeros((len(S), len(self.labels)), np.float32)
        for (i, j), row in zip(spans, P, strict=True):
            if j - i == 1:
                per_sent[i] = np.maximum(per_sent[i], row)
        return pooled, per_sent, P

    # -- learned pooling (stage 2): a small logistic model per level over pooled statistics
    N_FEATURES = 9

    def pool_features(self, P: np.ndarray) -> np.ndarray:
        """Per-label statistics of the unit scores ``P (u, L)`` -> ``(L, N_FEATURES)``."""
        u = len(P)
        srt = np.sort(P, axis=0)[::-1]
        mx = srt[0]
        top2 = srt[:2].mean(0)
        top3 = srt[:3].mean(0)
        frac5 = (P >= 0.5).mean(0)
        cnt8 = np.log1p((P >= 0.8).sum(0))
        # hierarchy context: the parent narrative's max for subs, best child max for narratives
        ctx = np.zeros_like(mx)
        ctx[self.sub_idx] = mx[self.nar_idx][self.sub2nar]
        child = np.zeros(self.n_nar, dtype=mx.dtype)
        np.maximum.at(child, self.sub2nar, mx[self.sub_idx])
        ctx[self.nar_idx] = child
        dom_ctx = np.zeros_like(mx)
        dom_ctx[self.dom_idx] = mx[self.dom_idx]
        dom_ctx[self.nar_idx] = mx[self.dom_idx][self.nar2dom]
        dom_ctx[self.sub_idx] = mx[self.dom_idx][self.nar2dom[self.sub2nar]]
        F = np.stack([_logit(mx), _logit(top2), _logit(top3), frac5, cnt8, _logit(ctx),
                      _logit(dom_ctx), np.full_like(mx, np.log(u)),
                      _logit(P.mean(0))], axis=1)
        return F.astype(np.float32)

    def stage2_scores(self, F: np.ndarray) -> np.ndarray:
        out = np.zeros(len(self.labels), np.float32)
        for level, idx in (("domain", self.dom_idx), ("narrative", self.nar_idx),
                           ("subnarrative", self.sub_idx)):
            st = self.stage2.get(level)
            if st is None:
                out[idx] = _sigmoid(F[idx, 0])
                continue
            Z = (F[idx] - st["mean"]) / st["scale"]
            out[idx] = _sigmoid(Z @ st["coef"] + st["intercept"])
        return out

    def stage2_config(self) -> dict[str, Any]:
        return {lvl: {k: (np.asarray(v).round(6).tolist() if k != "intercept" else float(v))
                      for k, v in st.items()} for lvl, st in self.stage2.items()}

    def decide(self, pooled: np.ndarray, thresholds: np.ndarray | None = None,
               p_advances: np.ndarray | None = None) -> np.ndarray:
        """Binary decisions for a batch of pooled scores ``(N, L)`` (hierarchy-consistent).

        ``p_advances`` (N,): the gate's P(advances); below the gate threshold an article
        gets no narrative (its topic domain is still output).
        """
        th = self.thresholds if thresholds is None else thresholds
        X = np.atleast_2d(pooled)
        B = X >= th
        if p_advances is not None and self.gate is not None:
            blocked = np.asarray(p_advances, dtype=float) < self.gate.threshold
            B[np.ix_(blocked, np.concatenate([self.nar_idx, self.sub_idx]))] = False
        dom = X[:, self.dom_idx]
        dom_on = B[:, self.dom_idx]
        nar = B[:, self.nar_idx].copy()
        sub = B[:, self.sub_idx].copy()
        if self.domain_gate:
            # the article's domain is the best-scoring domain over its threshold
            margin = _logit(dom) - _logit(th[self.dom_idx])
            best = margin.argmax(1)
            ok = dom_on[np.arange(len(X)), best]
            allowed = np.zeros_like(dom_on)
            allowed[np.arange(len(X)), best] = ok
            nar &= allowed[:, self.nar2dom]
            sub &= allowed[:, self.nar2dom[self.sub2nar]]
        # a specific subnarrative implies its narrative
        spec = sub & ~self.sub_is_other
        k = self.max_subs_per_narrative
        if k:  # keep only the k best-scoring specific subnarratives of each narrative
            S = np.where(spec, X[:, self.sub_idx] / np.maximum(th[self.sub_idx], 1e-6), -np.inf)
            for g in range(self.n_nar):
                cols = np.nonzero((self.sub2nar == g) & ~self.sub_is_other)[0]
                if len(cols) <= k:
                    continue
                order = np.argsort(-S[:, cols], axis=1, kind="stable")
                drop = np.zeros((len(X), len(cols)), bool)
                np.put_along_axis(drop, order[:, k:], True, axis=1)
                spec[:, cols] &= ~drop
        has_spec = np.zeros_like(nar)
        for j in np.nonzero(~self.sub_is_other)[0]:
            has_spec[:, self.sub2nar[j]] |= spec[:, j]
        nar |= has_spec
        nar |= sub[:, self.nar_other]  # an "X: Other" head firing implies X
        if self.other_margin < 1.0:
            # "X: Other" only when no listed subnarrative fits: a fired narrative takes
            # its best specific subnarrative when that reaches other_margin x threshold
            R = X[:, self.sub_idx] / np.maximum(th[self.sub_idx], 1e-6)
            R = np.where(self.sub_is_other[None, :], -np.inf, R)
            for g in range(self.n_nar):
                cols = np.nonzero(self.sub2nar == g)[0]
                need = nar[:, g] & ~has_spec[:, g]
                if not need.any():
                    continue
                best = cols[np.argmax(R[:, cols], axis=1)]
                ok = need & (R[np.arange(len(X)), best] >= self.other_margin)
                spec[ok, best[ok]] = True
                has_spec[ok, g] = True
        k_nar = self.max_narratives
        if k_nar:  # keep the k narratives with the largest margin over their threshold
            M = np.where(nar, X[:, self.nar_idx] / np.maximum(th[self.nar_idx], 1e-6), -np.inf)
            order = np.argsort(-M, axis=1, kind="stable")
            drop = np.zeros_like(nar)
            np.put_along_axis(drop, order[:, k_nar:], True, axis=1)
            nar &= ~drop
            spec &= nar[:, self.sub2nar]
            has_spec &= nar
        d = self.narrative_margin
        if d > 0:  # a narrative far weaker than the article's best one is dropped
            M = np.where(nar, _logit(X[:, self.nar_idx]) - _logit(th[self.nar_idx]), -np.inf)
            nar &= M >= M.max(1, keepdims=True) - d
            spec &= nar[:, self.sub2nar]
            has_spec &= nar
        other = nar & ~has_spec
        sub = spec.copy()
        sub[:, self.nar_other] = other
        out = np.zeros_like(B)
        out[:, self.nar_idx] = nar
        out[:, self.sub_idx] = sub
        # the domain (topic) output: the best domain over its threshold, or the domain
        # of the fired narratives when they disagree with it
        margin = _logit(dom) - _logit(th[self.dom_idx])
        best = margin.argmax(1)
        dom_out = np.zeros_like(dom_on)
        dom_out[np.arange(len(X)), best] = dom_on[np.arange(len(X)), best]
        for k in range(self.n_dom):
            fired_k = nar[:, self.nar2dom == k].any(1)
            dom_out[fired_k] = False
            dom_out[fired_k, k] = True
        out[:, self.dom_idx] = dom_out
        return out

    def confidence(self, pooled: np.ndarray, per_sent: np.ndarray | None = None) -> np.ndarray:
        """Calibrated confidence of every label.

        Platt scaling of the margin to the threshold (fitted on synthetic dev data), then,
        when the model has a ``calibration`` (fitted on real articles), a second Platt
        step and caps: at most ``cap``, and at most ``cap_single`` when only one sentence
        of the article scores over the label's threshold (no 1.00 from one sentence).
        """
        c = _sigmoid(self.temperature * (_logit(pooled) - _logit(self.thresholds)) + self.bias)
        cal = self.calibration
        if cal:
            c = _sigmoid(cal.get("a", 1.0) * _logit(c) + cal.get("b", 0.0))
            c = np.minimum(c, cal.get("cap", 0.97))
            if per_sent is not None and len(per_sent) and "cap_single" in cal:
                n_over = (per_sent >= self.thresholds[None, :]).sum(0)
                c = np.where(n_over <= 1, np.minimum(c, cal["cap_single"]), c)
        return c

    def predict_vectors(self, S: np.ndarray, rows: list[int] | None = None,
                        max_evidence: int = 3, voices: list[str] | None = None,
                        texts: list[str] | None = None,
                        is_title: list[bool] | None = None) -> Prediction:
        """Decode one article from its content-sentence vectors ``S``.

        ``voices``/``texts``/``is_title`` (one per row of S) switch on the gate, the
        voice weights and the distancing cues.
        """
        pooled, per_sent, _ = self.score_matrix(S, voices, texts, is_title)
        p_adv = self.last_p_advances
        self.last_prediction_p_advances = p_adv
        dec = self.decide(pooled[None, :], p_advances=None if p_adv is None
                          else np.array([p_adv]))[0]
        conf = self.confidence(pooled, per_sent)
        rows = rows if rows is not None else list(range(len(S)))
        t = self.taxonomy

        def ev(j: int) -> list[tuple[int, float]]:
            if len(per_sent) == 0:
                return []
            col = per_sent[:, j]
            order = np.argsort(-col, kind="stable")[:max_evidence]
            top = float(col[order[0]])
            return [(rows[i], float(col[i])) for i in order
                    if col[i] >= 0.5 * top and col[i] > 0]

        def ls(j: int, conf_j: float | None = None) -> LabelScore:
            c = float(conf[j]) if conf_j is None else conf_j
            return LabelScore(self.labels[j], round(c, 4), float(pooled[j]), ev(j))

        nars = [ls(j) for j in self.nar_idx if dec[j]]
        subs: list[LabelScore] = []
        sub_best: dict[str, float] = {}
        for k, j in enumerate(self.sub_idx):
            if not dec[j]:
                continue
            if self.sub_is_other[k]:
                # "X: Other": confidence that X holds and no listed sub does
                nj = self.nar_idx[self.sub2nar[k]]
                spec_conf = [conf[self.sub_idx[m]] for m in np.nonzero(
                    (self.sub2nar == self.sub2nar[k]) & ~self.sub_is_other)[0]]
                c = float(max(conf[nj], conf[j])) * (1 - float(max(spec_conf, default=0.0)))
                lab = ls(nj, c)
                lab.label = self.labels[j]
                subs.append(lab)
            else:
                subs.append(ls(j))
            nar_label = self.labels[self.nar_idx[self.sub2nar[k]]]
            sub_best[nar_label] = max(sub_best.get(nar_label, 0.0), subs[-1].confidence)
        # a subnarrative implies its narrative: never report the narrative as less likely
        for n in nars:
            n.confidence = max(n.confidence, sub_best.get(n.label, 0.0))
        doms = [j for j in self.dom_idx if dec[j]]
        if doms:
            domain = ls(int(doms[0]))
        else:
            best = int(np.argmax(conf[self.dom_idx])) if self.n_dom else 0
            c = 1.0 - float(conf[self.dom_idx][best]) if self.n_dom else 1.0
            domain = LabelScore(t.other_label, round(c, 4), 0.0, [])
        return Prediction(domain, nars, subs)

    # -- persistence
    def config(self) -> dict[str, Any]:
        return {"format_version": FORMAT_VERSION, "kind": self.kind, "name": self.name,
                "taxonomy": self.taxonomy.name, "taxonomy_digest": taxonomy_digest(self.taxonomy),
                "labels": self.labels, "pooling": self.pooling, "windows": list(self.windows),
                "domain_gate": self.domain_gate, "temperature": self.temperature,
                "bias": self.bias, "stage2": self.stage2_config(),
                "max_subs_per_narrative": self.max_subs_per_narrative,
                "quoted_weight": self.quoted_weight, "negation_weight": self.negation_weight,
                "other_margin": self.other_margin, "calibration": self.calibration,
                "max_narratives": self.max_narratives,
                "narrative_margin": self.narrative_margin,
                "default_threshold": self.default_threshold,
                "thresholds": {lab: round(float(t), 5)
                               for lab, t in zip(self.labels, self.thresholds, strict=True)}}


class TrainedNarrativeModel(BaseNarrativeModel):
    kind = "trained"

    def __init__(self, taxonomy: Taxonomy, head: Any, **kw: Any) -> None:
        super().__init__(taxonomy, **kw)
        missing = [lab for lab in self.labels if lab not in head.labels_]
        if missing:
            raise ValueError(f"the model has no head for {len(missing)} label(s) of taxonomy "
                             f"{taxonomy.name!r}, e.g. {missing[0]!r}: retrain it with this "
                             "taxonomy (narrascope train narratives --taxonomy FILE)")
        self.head = head
        self._cols = np.array([head.labels_.index(lab) for lab in self.labels])

    def unit_scores(self, U: np.ndarray) -> np.ndarray:
        return self.head.predict_proba(U)[:, self._cols]

    def save(self, directory: str | Path, extra: dict[str, Any] | None = None) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        self.head.save(d, "head")
        cfg = self.config()
        if self.gate is not None:
            cfg["gate"] = self.gate.save(d)
        cfg.update(extra or {})
        (d / "model.json").write_text(json.dumps(cfg, indent=1, ensure_ascii=False) + "\n")


class ZeroShotNarrativeModel(BaseNarrativeModel):
    """Cosine similarity of units to label descriptions, mapped to ``(cos + 1) / 2``."""

    kind = "zero-shot"

    def __init__(self, taxonomy: Taxonomy, **kw: Any) -> None:
        kw.setdefault("default_threshold", 0.72)
        kw.setdefault("windows", (1,))
        super().__init__(taxonomy, **kw)
        self._label_vecs: np.ndarray | None = None

    def label_texts(self) -> list[str]:
        t = self.taxonomy
        texts = []
        for lab in self.labels:
            if lab in t.domains:
                texts.append(f"{t.domain_names.get(lab, lab)}.")
                continue
            li = t.info[lab]
            if li.level == "subnarrative" and li.is_other:
                base = t.info[li.narrative]
                texts.append(f"{base.name}. {base.describe()}")
            elif li.level == "subnarrative":
                texts.append(f"{li.name}. {li.describe()}")
            else:
                texts.append(f"{li.name}. {li.describe()}")
        return texts

    def label_vectors(self) -> np.ndarray:
        if self._label_vecs is None:
            from narrascope.components.encoder import encode

            self._label_vecs = encode(self.label_texts())
        return self._label_vecs

    def unit_scores(self, U: np.ndarray) -> np.ndarray:
        return ((U @ self.label_vectors().T + 1.0) / 2.0).astype(np.float32)

    def save(self, directory: str | Path, extra: dict[str, Any] | None = None) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        cfg = self.config()
        cfg.update(extra or {})
        (d / "zero-shot.json").write_text(json.dumps(cfg, indent=1, ensure_ascii=False) + "\n")


def _common_kwargs(cfg: dict[str, Any]) -> dict[str, Any]:
    return {"pooling": cfg.get("pooling", "max"), "windows": tuple(cfg.get("windows", (1,))),
            "domain_gate": bool(cfg.get("domain_gate", True)),
            "thresholds": cfg.get("thresholds", {}),
            "temperature": float(cfg.get("temperature", 1.0)), "bias": float(cfg.get("bias", 0.0)),
            "stage2": cfg.get("stage2") or None,
            "max_subs_per_narrative": int(cfg.get("max_subs_per_narrative", 0) or 0),
            "quoted_weight": float(cfg.get("quoted_weight", 1.0)),
            "negation_weight": float(cfg.get("negation_weight", 1.0)),
            "other_margin": float(cfg.get("other_margin", 1.0)),
            "max_narratives": int(cfg.get("max_narratives", 0) or 0),
            "narrative_margin": float(cfg.get("narrative_margin", 0.0) or 0.0),
            "calibration": cfg.get("calibration") or None,
            "default_threshold": float(cfg.get("default_threshold", 0.5)),
            "name": cfg.get("name", "")}


def shipped_model_dir() -> Path:
    import narrascope

    return Path(narrascope.__file__).parent / "resources" / "models" / "narratives"


def load_model(model: str | Path = "default", taxonomy: str | Path | Taxonomy | None = None,
               ) -> BaseNarrativeModel:
    """``"default"`` (shipped trained model), ``"zero-shot"`` or a model directory."""
    tax = load_taxonomy(taxonomy) if taxonomy is not None else None
    if str(model) == "zero-shot":
        d = shipped_model_dir()
        tax = tax or load_taxonomy()
        f = d / "zero-shot.json"
        if f.exists():
            cfg = json.loads(f.read_text())
            if cfg.get("taxonomy_digest") == taxonomy_digest(tax):
                return ZeroShotNarrativeModel(tax, **_common_kwargs(cfg))
        return ZeroShotNarrativeModel(tax, name="zero-shot")
    d = shipped_model_dir() if str(model) == "default" else Path(model)
    f = d / "model.json"
    if not f.exists():
        raise FileNotFoundError(f"{d}: no narratives model (model.json) there; train one with "
                                "`narrascope train narratives -o DIR`")
    cfg = json.loads(f.read_text())
    from narrascope.components.encoder import check_model_folder

    check_model_folder(d, f"the narratives model in {d}",
                       "narrascope train narratives -o DIR --encoder SPEC")
    if tax is None:
        tf = d / "taxonomy.yaml"
        tax = load_taxonomy(tf if tf.exists() else None)
    head = load_head(d, "head")
    gate = Gate.load(d, cfg["gate"]) if cfg.get("gate") and (d / "gate.npz").exists() else None
    return TrainedNarrativeModel(tax, head, gate=gate, **_common_kwargs(cfg))
