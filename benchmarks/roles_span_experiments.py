"""Model selection for the span network of the role model (docs/model-card-roles.md).

``python benchmarks/roles_span_experiments.py [--folds 0,1] [--epochs 4] [--lr 2e-3]
[--context 1]``

Trains the linear heads (shipped configuration) and the span network on the train side
of the whole-article corpus minus one cross-validation fold (templates and passages
always in training), then scores the fold's mentions with the two averaged at several
weights (0 = linear heads only, 1 = span network only) and Antagonist priors.  Held-out
articles (``training.is_heldout_doc``) are never read.  Prints one line per setting.
"""

from __future__ import annotations

import argparse
import copy
import time

from narrascope.components.entities.model import load_taxonomy
from narrascope.train.entities import training as T

WEIGHTS = [0.0, 0.3, 0.5, 0.7, 1.0]
PRIORS = [1.0, 1.5]


def main() -> None:
    from roles_experiments import CONFIGS, block_columns, fold_of

    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", default="0,1")
    ap.add_argument("--epochs", type=int, default=T.SPAN_EPOCHS)
    ap.add_argument("--lr", type=float, default=T.SPAN_LR)
    ap.add_argument("--context", type=int, default=T.SPAN_CONTEXT)
    args = ap.parse_args()
    data = T.default_data_dir()
    base = T.read_corpus(data)
    docs = T.read_docs(data)
    for ex in docs:
        ex.weight = T.DOC_WEIGHT
    train_docs = [e for e in docs if not T.is_heldout_doc(e.group)]
    tax = load_taxonomy()
    cols = block_columns(CONFIGS["shipped"]["blocks"])
    for fold in (int(f) for f in args.folds.split(",")):
        tr = base + [e for e in train_docs if fold_of(e.group) != fold]
        te = [e for e in train_docs if fold_of(e.group) == fold and e.main]
        Xtr, Xte = T.embed_examples(tr), T.embed_examples(te)
        lin = T.fit(Xtr[:, cols], tr, tax, C=T.DEFAULT_C, seed=0)
        lin.meta.update({"max_fine": T.MAX_FINE, "span_weight": 0.0})
        t0 = time.time()
        lin.span_net = T.fit_span(Xtr, tr, tax, epochs=args.epochs, lr=args.lr,
                                  context=args.context)
        print(f"fold {fold}: span network trained in {time.time() - t0:.0f}s", flush=True)
        lin.meta["span_context"] = args.context
        gold = [(e.main, e.fines) for e in te]
        for w in WEIGHTS:
            m = copy.copy(lin)
            m.meta = {**lin.meta, "span_weight": w}
            span = T.example_span_probs(m, Xte, te) if w > 0 else None
            for prior in PRIORS:
                preds = m.predict(Xte, forced=True, main_prior={"Antagonist": prior}, span=span)
                r = T.score(gold, [(p.main, [f for f, _ in p.fines]) for p in preds])
                print(f"fold {fold} ctx{args.context} ep{args.epochs} lr{args.lr} w{w} "
                      f"p{prior}: EMR {r['emr']:.3f} F1 {r['micro_f1']:.3f} "
                      f"main {r['main_accuracy']:.3f} (n={r['n']})", flush=True)


if __name__ == "__main__":
    main()
