"""The gate's regularisation on real articles: AUC of P(advances) and dev-real F1 per C.

For each C, refits the article-level gate of the shipped narratives model on the
synthetic gate data (as ``narrascope train narratives`` does), re-chooses the
real-article knobs on ``../shared/dev-real`` and prints the AUC of P(advances) for
"gold has a narrative", the chosen knobs, coarse / fine samples F1 and the share of
narrative-free articles given a narrative.  Skips when the folder is missing.

    .venv/bin/python benchmarks/narratives_gate_experiments.py            # C 0.01 0.05 0.2 1
    .venv/bin/python benchmarks/narratives_gate_experiments.py --C 0.05 0.1
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "dev-real"


def main(argv: list[str] | None = None) -> int:
    from sklearn.metrics import roc_auc_score

    from narrascope.components.narratives.data import EmbeddingCache, split_of
    from narrascope.components.narratives.model import load_model
    from narrascope.train.narratives.gate import (
        article_inputs,
        calibrate_real,
        features,
        fit_gate,
        gate_examples,
        read_real,
    )
    from narrascope.train.narratives.training import load_corpus

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev-real", type=Path, default=DEFAULT)
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "narratives")
    ap.add_argument("--C", type=float, nargs="+", default=[0.01, 0.05, 0.2, 1.0])
    a = ap.parse_args(argv)
    if not (a.dev_real / "subtask2.tsv").exists():
        print(f"{a.dev_real}: not found; skipped")
        return 0
    m = load_model("default")
    cache = EmbeddingCache()
    corpus = load_corpus(a.data, m.taxonomy, log=lambda s: None)
    arts, ys, ws = gate_examples(a.data, corpus["splits"]["dev"], corpus["handwritten"]["dev"])
    inputs = article_inputs(arts, cache)
    train = [i for i, x in enumerate(arts)
             if not (split_of(x.id) == "test" and x.id.startswith("gate_"))]
    real, gold = read_real(a.dev_real)
    rin = article_inputs(real, cache)
    has = [gold[i.id.removesuffix(".txt")][0] != ["Other"] for i in rin]
    for c in a.C:
        m.gate = fit_gate(m, [inputs[i] for i in train], [ys[i] for i in train],
                          [ws[i] for i in train], C=c)
        pa = m.gate.p_advances(np.stack([features(m, i) for i in rin]))
        rep = calibrate_real(m, rin, gold, log=lambda s: None)
        print(f"C={c}: AUC {roc_auc_score(has, pa):.3f} chosen {rep['chosen']} coarse "
              f"{rep['coarse_f1']:.3f} fine {rep['fine_f1']:.3f} given a narrative "
              f"{rep['false_alarm_rate_on_no_narrative']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
