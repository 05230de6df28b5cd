"""Label-set metrics over in-memory predictions (training, tuning, benchmarks).

The per-article F1 is :func:`narrascope.evaluate.scores.set_f1`, the definition behind
``narrascope evaluate st2``; these helpers apply it to lists and matrices, and add
per-label precision/recall and the expected calibration error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from narrascope.evaluate.scores import set_f1

f1_sets = set_f1


def samples_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]],
               other: str = "Other") -> tuple[float, float]:
    """Mean and standard deviation over articles of per-article F1 (empty -> {Other})."""
    scores = []
    for g, p in zip(gold, pred, strict=True):
        gs, ps = set(g) or {other}, set(p) or {other}
        scores.append(f1_sets(gs, ps))
    if not scores:
        return 0.0, 0.0
    return float(np.mean(scores)), float(np.std(scores))


def per_label_f1(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]],
                 labels: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per-label precision / recall / F1 / support over articles."""
    out: dict[str, dict[str, float]] = {}
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if lab in g and lab in p)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if lab not in g and lab in p)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if lab in g and lab not in p)
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * pr * rc / (pr + rc) if pr + rc else 0.0
        out[lab] = {"precision": round(pr, 4), "recall": round(rc, 4), "f1": round(f, 4),
                    "support": tp + fn, "predicted": tp + fp}
    return out


def samples_f1_matrix(gold: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Per-row F1 of binary matrices; an empty row counts as the single label 'Other'."""
    g_empty = ~gold.any(1)
    p_empty = ~pred.any(1)
    tp = (gold & pred).sum(1) + (g_empty & p_empty)
    denom = gold.sum(1) + pred.sum(1) + g_empty + p_empty
    return 2 * tp / np.maximum(denom, 1)


def ece(confidences: np.ndarray, correct: np.ndarray, bins: int = 10) -> tuple[float, list[dict]]:
    """Expected calibration error and the reliability table (equal-width bins)."""
    confidences = np.asarray(confidences, dtype=float)
    correct = np.asarray(correct, dtype=float)
    table = []
    total = 0.0
    edges = np.linspace(0, 1, bins + 1)
    for i in range(bins):
        lo, hi = edges[i], edges[i + 1]
        m = (confidences >= lo) & ((confidences < hi) if i < bins - 1 else (confidences <= hi))
        if not m.any():
            continue
        acc, conf = float(correct[m].mean()), float(confidences[m].mean())
        total += m.sum() * abs(acc - conf)
        table.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(m.sum()),
                      "confidence": round(conf, 3), "accuracy": round(acc, 3)})
    return (total / max(len(confidences), 1)), table


def separation_auc(pos: list[float], neg: list[float]) -> float:
    """ROC AUC of scores ``pos`` (positives) against ``neg``; ties count one half.

    How well a per-article score (e.g. technique density) tells two groups apart;
    NaN when a group is empty.
    """
    if not pos or not neg:
        return float("nan")
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score([1] * len(pos) + [0] * len(neg), [*pos, *neg]))
