"""SemEval-2025 Task 10 metrics (subtasks 1, 2 and 3), matched by article id.

* st1 (entity framing): EMR, the exact match ratio of (main role, set of fine
  roles) over gold mentions (official ranking); micro precision/recall/F1 over
  fine roles; main-role accuracy.  Mentions match on (article id, start, end).
* st2 (narratives): per article, F1 between the gold and predicted label *sets*;
  the mean over gold articles ("samples F1") and its standard deviation
  (population std), for coarse and fine labels.
* st3 (explanations): the official BERTScore (bert-base-multilingual-cased) is
  not available offline; narrascope reports the cosine similarity of
  all-MiniLM-L6-v2 sentence embeddings instead, which is a different number.

A gold article or mention without prediction scores 0; predictions for unknown
ids are ignored; both are reported as warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean, pstdev

from narrascope.evaluate.io import EvalInputError, read_st1, read_st2, read_st3
from narrascope.evaluate.taxonomy import Taxonomy, role_known

ST3_NOTE = (
    "BERTScore with bert-base-multilingual-cased (the official st3 metric) is not "
    "available offline; this is the cosine similarity of all-MiniLM-L6-v2 embeddings "
    "(narrascope.components.encoder), not comparable with official scores"
)


@dataclass
class Result:
    task: str
    metrics: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"task": self.task, "metrics": self.metrics, "counts": self.counts,
                "warnings": self.warnings, "notes": self.notes}


def set_f1(gold: set[str], pred: set[str]) -> float:
    """F1 between two label sets (1.0 when both are empty)."""
    if not gold and not pred:
        return 1.0
    tp = len(gold & pred)
    return 2 * tp / (len(gold) + len(pred))


def _id_warnings(gold: set, pred: set, res: Result, what: str = "article") -> None:
    missing = sorted(gold - pred)
    extra = sorted(pred - gold)
    if missing:
        res.warnings.append(f"{len(missing)} gold {what}(s) have no prediction (scored 0): "
                            + ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else ""))
    if extra:
        res.warnings.append(f"{len(extra)} predicted {what}(s) are not in the gold file (ignored): "
                            + ", ".join(map(str, extra[:10])) + (" ..." if len(extra) > 10 else ""))


def score_st2(gold_path: Path, pred_path: Path, taxonomy: Taxonomy | None = None) -> Result:
    res = Result("st2")
    gold = read_st2(gold_path, res.warnings)
    pred = read_st2(pred_path, res.warnings)
    if not gold:
        raise EvalInputError(f"{gold_path}: error: no gold articles")
    _id_warnings(set(gold), set(pred), res)
    if taxonomy is not None:
        unknown = sorted({lab for _, (c, f) in pred.items() for lab in c + f if not taxonomy.knows(lab)})
        if unknown:
            res.warnings.append(f"{len(unknown)} predicted label(s) not in the taxonomy: "
                                + "; ".join(unknown[:10]))
    coarse_f1, fine_f1 = [], []
    for art_id, (g_coarse, g_fine) in gold.items():
        p_coarse, p_fine = pred.get(art_id, ([], []))
        coarse_f1.append(set_f1(set(g_coarse), set(p_coarse)))
        fine_f1.append(set_f1(set(g_fine), set(p_fine)))
    res.metrics = {
        "f1_coarse": fmean(coarse_f1), "f1_coarse_std": pstdev(coarse_f1),
        "f1_fine": fmean(fine_f1), "f1_fine_std": pstdev(fine_f1),
    }
    res.counts = {"gold_articles": len(gold), "predicted_articles": len(pred),
                  "scored_articles": len(gold)}
    return res


def score_st1(gold_path: Path, pred_path: Path) -> Result:
    res = Result("st1")
    gold = read_st1(gold_path, res.warnings)
    pred = read_st1(pred_path, res.warnings)
    if not gold:
        raise EvalInputError(f"{gold_path}: error: no gold mentions")
    gold_ids = {k[0] for k in gold}
    pred_ids = {k[0] for k in pred}
    _id_warnings(gold_ids, pred_ids, res)
    missing = [k for k in gold if k not in pred and k[0] in pred_ids]
    extra = [k for k in pred if k not in gold and k[0] in gold_ids]
    if missing:
        res.warnings.append(f"{len(missing)} gold mention(s) of predicted articles have no prediction "
                            f"(scored 0), e.g. {missing[0]}")
    if extra:
        res.warnings.append(f"{len(extra)} predicted mention(s) match no gold mention "
                            f"(their roles count as false positives), e.g. {extra[0]}")
    bad = sorted({f"{m}/{f}" for m, fs in pred.values() for f in (fs or [None]) if not role_known(m, f)})
    if bad:
        res.warnings.append(f"{len(bad)} predicted role(s) not in the taxonomy: {', '.join(bad[:10])}")
    exact = main_ok = tp = 0
    gold_fine = sum(len(set(fs)) for _, fs in gold.values())
    pred_fine = sum(len(set(fs)) for k, (_, fs) in pred.items() if k in gold or k[0] in gold_ids)
    for key, (g_main, g_fine) in gold.items():
        p = pred.get(key)
        if p is None:
            continue
        p_main, p_fine = p
        main_ok += p_main == g_main
        exact += p_main == g_main and set(p_fine) == set(g_fine)
        tp += len(set(p_fine) & set(g_fine))
    prec = tp / pred_fine if pred_fine else 0.0
    rec = tp / gold_fine if gold_fine else 0.0
    res.metrics = {
        "emr": exact / len(gold),
        "micro_precision": prec, "micro_recall": rec,
        "micro_f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
        "main_role_accuracy": main_ok / len(gold),
    }
    res.counts = {"gold_mentions": len(gold), "predicted_mentions": len(pred),
                  "matched_mentions": sum(k in pred for k in gold)}
    return res


def score_st3(gold_path: Path, pred_path: Path) -> Result:
    res = Result("st3", notes=[ST3_NOTE])
    gold = read_st3(gold_path, res.warnings)
    pred = read_st3(pred_path, res.warnings)
    if not gold:
        raise EvalInputError(f"{gold_path}: error: no gold explanations")
    _id_warnings(set(gold), set(pred), res)
    ids = list(gold)
    both = [i for i in ids if pred.get(i)]
    sims: dict[str, float] = {}
    if both:
        import numpy as np

        from narrascope.components.encoder import encode

        g = encode([gold[i] for i in both])
        p = encode([pred[i] for i in both])
        for i, s in zip(both, np.sum(g * p, axis=1).tolist(), strict=True):
            sims[i] = float(s)
    scores = [sims.get(i, 0.0) for i in ids]
    res.metrics = {"minilm_cosine": fmean(scores), "minilm_cosine_std": pstdev(scores)}
    res.counts = {"gold_articles": len(gold), "predicted_articles": len(pred),
                  "scored_articles": len(ids)}
    return res
