"""Grid search of the article-stance weights on held-out synthetic passages.

``python -m narrascope.train.entities.stance_eval [SEED ...]`` (default seeds 0-4):
for each seed, trains the role model on that split's train side and decodes the
held-out multi-entity passages (given mentions) with each (weight, bias) of the grid;
prints mean EMR / micro-F1 / main accuracy over the seeds.  Used to choose
:data:`narrascope.components.entities.stance.STANCE` (docs/model-card-roles.md).
"""

from __future__ import annotations

import sys

import numpy as np

from narrascope.components.entities.model import load_taxonomy
from narrascope.components.entities.stance import apply_stance
from narrascope.train.entities import training as T

GRID = [(w, b) for w in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5) for b in (0.0, 0.25, 0.5, 1.0, 2.0)]


def main(seeds: list[int]) -> None:
    tax = load_taxonomy()
    ex = T.read_corpus(T.default_data_dir())
    X = T.embed_examples(ex)
    pos = {id(e): i for i, e in enumerate(ex)}
    res: dict[tuple[float, float], list[dict]] = {g: [] for g in GRID}
    for seed in seeds:
        tr, te = T.split(ex, seed=seed)
        model = T.fit(X[[pos[id(e)] for e in tr]], tr, tax, seed=seed,
                      meta={"main_prior": dict(T.MAIN_PRIOR)})
        te = [e for e in te if e.main and e.group.startswith("passage/")]
        Xt = X[[pos[id(e)] for e in te]]
        sides = T.example_sides(te)
        gold = [(e.main, e.fines) for e in te]
        for w, b in GRID:
            p = apply_stance(model, Xt, [e.group for e in te], sides,
                             {"weight": w, "bias": b, "civilian_weight": 0.0})
            res[(w, b)].append(T.score(gold, [(q.main, [f for f, _ in q.fines]) for q in p]))
    for (w, b), rows in res.items():
        m = {k: float(np.mean([r[k] for r in rows])) for k in ("emr", "micro_f1", "main_accuracy")}
        print(f"w={w:<5} b={b:<5} emr {m['emr']:.3f} micro_f1 {m['micro_f1']:.3f} "
              f"main_acc {m['main_accuracy']:.3f}  per seed "
              f"{[r['main_accuracy'] for r in rows]}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [0, 1, 2, 3, 4])
