"""Model selection for the entity-role classifier (docs/model-card-roles.md).

``python benchmarks/roles_experiments.py [--configs a,b] [--report]``

Cross-validation over the *train side* of the whole-article corpus (``data/roles/docs``
+ ``data/roles/articles``; 5 folds by article), with the template and passage records
always in training.  ``--report`` also trains on the whole train side and scores the
held-out articles (``training.is_heldout_doc``), once, for the model card.
Writes ``benchmarks/results-roles-experiments.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path

import numpy as np

from narrascope.components.entities.features import BLOCKS, block_widths
from narrascope.components.entities.model import load_taxonomy
from narrascope.components.entities.stance import apply_stance
from narrascope.train.entities import training as T


def block_columns(names: list[str]) -> np.ndarray:
    widths = block_widths()
    start = dict(zip(BLOCKS, np.cumsum([0, *widths.values()])[:-1].tolist(), strict=True))
    cols = []
    for b in names:
        cols.extend(range(start[b], start[b] + widths[b]))
    return np.array(cols)


OLD = ["left", "right", "sentence"]
NARR = ["narr", "side_x_narr", "cc_side_x_narr", "civilian_x_narr"]
#: the iteration-2 feature set (no narrative profile)
V3 = [b for b in BLOCKS if b not in NARR]
ALL = list(BLOCKS)
CONFIGS: dict[str, dict] = {
    "old": {"blocks": OLD},
    "old+stance": {"blocks": OLD, "stance": True},
    "entity": {"blocks": [*OLD, "entity_left", "entity_right"]},
    "article": {"blocks": [*OLD, "article"]},
    "all": {"blocks": ALL},
    "all+stance": {"blocks": ALL, "stance": True},
    "all-noside": {"blocks": [b for b in V3 if b not in ("side_x_article", "cc_side_x_article",
                                                         "side")], "C": 0.25},
    "old-C0.25": {"blocks": OLD, "C": 0.25},
    "all-C1": {"blocks": ALL, "C": 1.0},
    "all-unbal": {"blocks": ALL, "main_class_weight": None},
    "all-C0.25": {"blocks": ALL, "C": 0.25},
    "v3-C0.25": {"blocks": V3, "C": 0.25},
    "shipped": {"blocks": ALL, "C": 0.25, "max_fine": 1},
    "v3+sidenarr": {"blocks": [*V3, "side_x_narr", "cc_side_x_narr"], "C": 0.25},
    "all-C0.5": {"blocks": ALL, "C": 0.5},
    "C0.25-fineC1": {"blocks": ALL, "C": 0.25, "fine_C": 1.0},
    "C0.1-fineC1": {"blocks": ALL, "C": 0.1, "fine_C": 1.0},
    "C0.25-w16": {"blocks": ALL, "C": 0.25, "window": 16},
    "C0.25-w4": {"blocks": ALL, "C": 0.25, "window": 4},
    "C1-docw4": {"blocks": ALL, "C": 1.0, "doc_weight": 4},
    "C1-docw1": {"blocks": ALL, "C": 1.0, "doc_weight": 1},
    "C1-notemplates": {"blocks": ALL, "C": 1.0, "no_templates": True},
    "mlp": {"blocks": ALL, "head": "mlp", "head_params": {"hidden": 128, "epochs": 30}},
    "mlp-wd": {"blocks": ALL, "head": "mlp",
               "head_params": {"hidden": 128, "epochs": 30, "weight_decay": 1e-2, "dropout": 0.5}},
    "all-docw1": {"blocks": ALL, "doc_weight": 1},
    "all-docw4": {"blocks": ALL, "doc_weight": 4},
    "all-nodocs": {"blocks": ALL, "no_docs": True},
}


def fold_of(group: str, k: int = 5) -> int:
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % k


PRIORS = [1.0, 1.2, 1.5]
SMOOTHING = [0.0, 0.5, 1.0]


def run(cfg: dict, base, Xb, train_docs, Xd, test_docs, Xt) -> dict[str, tuple[list, list]]:
    """Train one model; decode the test mentions with each stance / prior variant."""
    tax = load_taxonomy()
    cols = block_columns(cfg["blocks"])
    w = cfg.get("doc_weight", 2)
    docs = [] if cfg.get("no_docs") else train_docs
    for ex in docs:
        ex.weight = w
    ex_all = list(base) + list(docs)
    X = np.vstack([Xb, Xd]) if len(docs) else Xb
    if cfg.get("no_templates"):
        keep = [i for i, ex in enumerate(ex_all) if not T.is_template(ex)]
        ex_all = [ex_all[i] for i in keep]
        X = X[keep]
    model = T.fit(X[:, cols], ex_all, tax, C=cfg.get("C", 4.0),
                  main_class_weight=cfg.get("main_class_weight", "balanced"),
                  head=cfg.get("head", "linear"), head_params=cfg.get("head_params"),
                  fine_C=cfg.get("fine_C"))
    model.meta["max_fine"] = cfg.get("max_fine", 2)
    for ex in train_docs:
        ex.weight = 1
    roled = [i for i, ex in enumerate(test_docs) if ex.main]
    sub = [test_docs[i] for i in roled]
    Xs = Xt[roled][:, cols]
    gold = [(ex.main, ex.fines) for ex in sub]
    sides = T.example_sides(sub)
    ents = T.example_entities(sub)
    out = {}
    for prior in PRIORS:
        model.meta["main_prior"] = {"Antagonist": prior}
        for smooth in SMOOTHING:
            preds = model.predict(Xs, forced=True, entity_groups=ents, entity_smoothing=smooth)
            out[f"p{prior}/s{smooth}"] = (gold, [(p.main, [f for f, _ in p.fines]) for p in preds])
        preds = apply_stance(model, Xs, [ex.group for ex in sub], sides)
        out[f"p{prior}+st"] = (gold, [(p.main, [f for f, _ in p.fines]) for p in preds])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--report", action="store_true")
    args = ap.parse_args()
    data = T.default_data_dir()
    base = T.read_corpus(data)  # templates + passages (always trained on)
    docs = T.read_docs(data)
    train_docs = [ex for ex in docs if not T.is_heldout_doc(ex.group)]
    test_docs = [ex for ex in docs if T.is_heldout_doc(ex.group)]
    t0 = time.time()
    Xb = T.embed_examples(base)
    Xd = T.embed_examples(train_docs)
    print(f"features: {len(base)} base + {len(train_docs)} train-doc mentions "
          f"({len({e.group for e in train_docs})} articles), {time.time() - t0:.0f}s")
    results = {}
    for name in args.configs.split(","):
        cfg = CONFIGS[name]
        Xb_c, Xd_c = Xb, Xd
        if "window" in cfg:
            Xb_c = T.embed_examples(base, cfg["window"])
            Xd_c = T.embed_examples(train_docs, cfg["window"])
        acc: dict[str, tuple[list, list]] = {}
        for k in range(5):
            tr = [i for i, ex in enumerate(train_docs) if fold_of(ex.group) != k]
            te = [i for i, ex in enumerate(train_docs) if fold_of(ex.group) == k]
            for var, (g, p) in run(cfg, base, Xb_c, [train_docs[i] for i in tr], Xd_c[tr],
                                   [train_docs[i] for i in te], Xd_c[te]).items():
                acc.setdefault(var, ([], []))
                acc[var][0].extend(g)
                acc[var][1].extend(p)
        for var, (g, p) in acc.items():
            results[f"{name}/{var}"] = r = T.score(g, p)
            print(f"{name}/{var}: EMR {r['emr']:.3f} F1 {r['micro_f1']:.3f} "
                  f"main {r['main_accuracy']:.3f} (n={r['n']})", flush=True)
    if args.report:
        Xt = T.embed_examples(test_docs)
        for name in args.configs.split(","):
            for var, (g, p) in run(CONFIGS[name], base, Xb, train_docs, Xd, test_docs,
                                   Xt).items():
                results[f"heldout:{name}/{var}"] = r = T.score(g, p)
                print(f"heldout {name}/{var}: EMR {r['emr']:.3f} F1 {r['micro_f1']:.3f} "
                      f"main {r['main_accuracy']:.3f} (n={r['n']})", flush=True)
    out = Path(__file__).with_name("results-roles-experiments.json")
    out.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
