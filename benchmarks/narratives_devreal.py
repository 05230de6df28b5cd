"""Narratives on real articles (``../shared/dev-real``): samples F1, false alarms, recall.

Runs ``sentences -> voice -> encoder -> narratives`` (the CLI's components) over the
folder's ``articles/*.txt``, writes the subtask-2 predictions, scores them with
``narrascope.evaluate.score_st2`` (the metric behind ``narrascope evaluate st2``) and
adds, from ``meta.jsonl``, the share of articles per stance given a narrative and the
per-label recall (``narrascope.evaluate.labels.per_label_f1``).

    .venv/bin/python benchmarks/narratives_devreal.py                 # shipped model
    .venv/bin/python benchmarks/narratives_devreal.py --model DIR --no-voice -o out.json
    .venv/bin/python benchmarks/narratives_devreal.py --cv 5     # + 5-fold CV of the choice

``--cv K``: the model's real-article knobs (gate threshold, voice weights, Other margin,
calibration) are chosen on these articles; K-fold cross-validation (folds spread over
the stances) re-chooses them on K-1 folds and scores the held-out fold, which estimates
how much of the gain is fitted to these 60 articles.

Skips (exit 0 with a message) when the folder is missing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "dev-real"
MISSED = ("URW: Blaming the war on others rather than the invader: The West are the aggressors",
          "URW: Discrediting Ukraine: Discrediting Ukrainian government and officials and policies",
          "URW: Discrediting Ukraine: Ukraine is associated with nazism",
          "URW: Discrediting the West, Diplomacy: Diplomacy does/will not work",
          "CC: Criticism of climate policies")


def run(folder: Path, model: str, use_voice: bool, pred_path: Path) -> None:
    from narrascope.pipeline import Pipeline
    from narrascope.read.text import read_txt
    from narrascope.write.semeval import st2_line

    comps = ["sentences", "voice", "encoder", "narratives"] if use_voice else \
        ["sentences", "encoder", "narratives"]
    cfg = {"pipeline": {"components": comps},
           "components": {"narratives": {"model": model, "use_voice": use_voice}}}
    nlp = Pipeline.from_config(cfg)
    arts = [read_txt(p, 200_000) for p in sorted((folder / "articles").glob("*.txt"))]
    lines = [st2_line(a) for a in nlp.pipe(arts)]
    pred_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def report(folder: Path, pred_path: Path) -> dict:
    from narrascope.evaluate import score_st2
    from narrascope.evaluate.io import read_st2
    from narrascope.evaluate.labels import per_label_f1
    from narrascope.evaluate.scores import set_f1

    res = score_st2(folder / "subtask2.tsv", pred_path)
    warn: list[str] = []
    gold = read_st2(folder / "subtask2.tsv", warn)
    pred = read_st2(pred_path, warn)
    meta = {}
    for line in (folder / "meta.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            meta[d["id"]] = d.get("stance", "?")
    ids = sorted(gold)
    stance: dict[str, list] = defaultdict(list)
    for i in ids:
        g, p = gold[i], pred.get(i, ([], []))
        stance[meta.get(i.removesuffix(".txt"), "?")].append(
            (set_f1(set(g[0]), set(p[0])), set_f1(set(g[1]), set(p[1])),
             set(p[0]) - {"Other"} != set()))
    per_stance = {s: {"n": len(v), "coarse_f1": round(sum(x[0] for x in v) / len(v), 4),
                      "fine_f1": round(sum(x[1] for x in v) / len(v), 4),
                      "given_a_narrative": sum(x[2] for x in v)} for s, v in sorted(stance.items())}
    other_ids = [i for i in ids if set(gold[i][0]) == {"Other"}]
    fp = sum(1 for i in other_ids if set(pred.get(i, ([], []))[0]) - {"Other"})
    gc = [[x for x in gold[i][0] if x != "Other"] for i in ids]
    pc = [[x for x in pred.get(i, ([], []))[0] if x != "Other"] for i in ids]
    gf = [[x for x in gold[i][1] if x != "Other"] for i in ids]
    pf = [[x for x in pred.get(i, ([], []))[1] if x != "Other"] for i in ids]
    coarse = per_label_f1(gc, pc, sorted({x for g in gc for x in g}))
    fine = per_label_f1(gf, pf, sorted({x for g in gf for x in g}))
    n_other_pred = sum(x.endswith(": Other") for p in pf for x in p)
    n_other_gold = sum(x.endswith(": Other") for g in gf for x in g)
    return {"n": len(ids), "coarse_f1": round(res.metrics["f1_coarse"], 4),
            "fine_f1": round(res.metrics["f1_fine"], 4),
            "no_narrative_articles": len(other_ids), "given_a_narrative": fp,
            "false_alarm_rate": round(fp / max(len(other_ids), 1), 4),
            "narrative_other_predicted": n_other_pred, "narrative_other_gold": n_other_gold,
            "per_stance": per_stance,
            "recall_missed_labels": {k: (coarse.get(k) or fine.get(k) or {}).get("recall")
                                     for k in MISSED},
            "per_narrative": coarse}


def cross_validate(folder: Path, model: str, k: int) -> dict:
    from narrascope.components.narratives.data import EmbeddingCache
    from narrascope.components.narratives.model import load_model
    from narrascope.train.narratives.gate import article_inputs, cross_validate_real, read_real

    m = load_model(model)
    arts, gold = read_real(folder)
    inputs = article_inputs(arts, EmbeddingCache())
    strata = {}
    for line in (folder / "meta.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            strata[d["id"]] = d.get("stance", "?")
    return cross_validate_real(m, inputs, gold, k=k, strata=strata)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev-real", type=Path, default=DEFAULT)
    ap.add_argument("--model", default="default")
    ap.add_argument("--no-voice", action="store_true", help="use_voice = false")
    ap.add_argument("--pred", type=Path, help="score this prediction file instead of running")
    ap.add_argument("--cv", type=int, default=0, metavar="K",
                    help="also K-fold cross-validate the real-article choice")
    ap.add_argument("-o", "--output", type=Path, help="write the report as JSON")
    a = ap.parse_args(argv)
    if not (a.dev_real / "subtask2.tsv").exists():
        print(f"{a.dev_real}: not found; skipped")
        return 0
    pred = a.pred or Path("/tmp/narratives-devreal-st2.tsv")
    if a.pred is None:
        run(a.dev_real, a.model, not a.no_voice, pred)
    rep = report(a.dev_real, pred)
    rep["model"] = a.model
    rep["use_voice"] = not a.no_voice
    if a.cv:
        rep["cross_validation"] = cross_validate(a.dev_real, a.model, a.cv)
    short = {k: v for k, v in rep.items() if k != "per_narrative"}
    print(json.dumps(short, indent=1))
    print("per narrative (support / recall):", file=sys.stderr)
    for k, v in rep["per_narrative"].items():
        print(f"  {v['support']:2d} {v['recall']:.2f}  {k}", file=sys.stderr)
    if a.output:
        a.output.write_text(json.dumps(rep, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
