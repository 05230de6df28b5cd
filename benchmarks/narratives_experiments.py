"""Model selection for the narratives component (results go into the model card).

Trains each head variant once on the train passages, then re-tunes thresholds for each
pooling / window / domain-gate variant on the dev split and reports dev, test and seed
samples-F1 (coarse/fine).  Deterministic (seed 0); uses the embedding cache.

    .venv/bin/python benchmarks/narratives_experiments.py [--quick] [-o results.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(REPO / "data" / "narratives"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("-o", "--output", default=None)
    a = ap.parse_args(argv)

    import torch

    from narrascope.components.narratives.data import EmbeddingCache
    from narrascope.components.narratives.model import TrainedNarrativeModel, ZeroShotNarrativeModel
    from narrascope.components.narratives.taxonomy import load_taxonomy
    from narrascope.train.narratives.training import (
        build_examples,
        load_corpus,
        make_head,
        tune_and_evaluate,
    )

    torch.set_num_threads(2)
    tax = load_taxonomy()
    cache = EmbeddingCache()
    corpus = load_corpus(a.data, tax, seed=0, log=lambda s: print(s, file=sys.stderr))
    arts = corpus["articles"]
    labels = list(tax.domains) + list(tax.narratives) + list(tax.subnarratives)
    heads = [("mlp", {"hidden": 256, "epochs": 30, "pos_weight_max": 1.0}, 0.2, 3.0),
             ("mlp", {"hidden": 256, "epochs": 40}, 0.5, 1.0)]
    if not a.quick:
        heads += [("linear", {"C": 4.0}, 0.5, 1.0)]
    variants = [("learned", (1, 2), True), ("max", (1, 2), True), ("top2", (1, 2), True)]
    if not a.quick:
        variants += [("max", (1,), True), ("learned", (1, 2), False), ("noisy_or", (1,), True),
                     ("learned", (1, 2, 3), True)]
    rows = []
    quiet = lambda s: None  # noqa: E731
    for kind, params, sw, nw in heads:
        t0 = time.time()
        X, Y, W = build_examples(corpus["splits"]["train"], tax, cache, labels, sw, nw)
        h = make_head(kind, random_state=0, **params)
        h.fit(X, Y, labels, sample_weight=W) if kind == "mlp" else h.fit(X, Y, labels)
        fit_s = time.time() - t0
        for pooling, windows, gate in variants:
            m = TrainedNarrativeModel(tax, h, pooling=pooling, windows=windows,
                                      domain_gate=gate, name=f"{kind}")
            rep = tune_and_evaluate(m, corpus, arts, cache, SEEDS, quiet)
            rows.append(_row(f"{kind} {params} sw={sw} nw={nw}", pooling, windows, gate, rep, fit_s))
            print(json.dumps(rows[-1]), flush=True)
    for pooling, windows in (("max", (1,)), ("learned", (1,)), ("learned", (1, 2))):
        zs = ZeroShotNarrativeModel(tax, pooling=pooling, windows=windows, domain_gate=True)
        rep = tune_and_evaluate(zs, corpus, arts, cache, SEEDS, quiet)
        rows.append(_row("zero-shot", pooling, windows, True, rep, 0.0))
        print(json.dumps(rows[-1]), flush=True)
    cache.save()
    if a.output:
        Path(a.output).write_text(json.dumps(rows, indent=1) + "\n")


def _row(head, pooling, windows, gate, rep, fit_s):  # type: ignore[no-untyped-def]
    out = {"head": head, "pooling": pooling, "windows": list(windows), "domain_gate": gate,
           "fit_s": round(fit_s, 1)}
    for k in ("dev_articles", "test_articles", "test_passages", "test_handwritten", "seeds"):
        if k in rep:
            out[k] = [rep[k]["coarse_f1"], rep[k]["fine_f1"]]
    out["test_false_alarm"] = rep["test_articles"]["false_alarm_rate_on_no_narrative"]
    if "test_handwritten" in rep:
        out["handwritten_false_alarm"] = rep["test_handwritten"]["false_alarm_rate_on_no_narrative"]
    return out


if __name__ == "__main__":
    main()
