"""CPU-seconds of the ``voice`` and ``narratives`` components on the benchmark articles.

Runs ``sentences -> encoder`` untimed on ``bench_analyze.make_articles(N)`` (deterministic
synthetic articles), then times ``voice`` and ``narratives`` separately with
``time.process_time`` (CPU seconds of this process, all threads), after one untimed
warm-up batch (model loading).  Compare two versions of the code by running this script
in each and reading the ratio; absolute seconds depend on the machine's load.

    .venv/bin/python benchmarks/narratives_speed.py            # 24 articles, 3 repeats
    .venv/bin/python benchmarks/narratives_speed.py -n 48 --repeats 5
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(argv: list[str] | None = None) -> dict[str, float]:
    from bench_analyze import make_articles

    from narrascope.pipeline import Pipeline

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", "--n-articles", type=int, default=24)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args(argv)
    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences", "encoder", "voice",
                                                            "narratives"]}})
    comps = dict(nlp.components)
    list(nlp.pipe(make_articles(4, seed=1), batch_size=4))  # warm-up: model loading
    base = make_articles(a.n_articles)
    for name in ("sentences", "encoder"):
        base = list(comps[name].pipe(base, batch_size=len(base)))
    best: dict[str, float] = {}
    for _ in range(a.repeats):
        arts = []
        for x in base:
            y = x.model_copy(deep=True)
            y.cache["sentence_vectors"] = x.cache["sentence_vectors"]
            arts.append(y)
        for name in ("voice", "narratives"):
            t0 = time.process_time()
            arts = list(comps[name].pipe(arts, batch_size=len(arts)))
            dt = time.process_time() - t0
            best[name] = min(best.get(name, float("inf")), dt)
    res = {f"{k}_cpu_seconds": round(v, 3) for k, v in best.items()}
    res["total_cpu_seconds"] = round(sum(best.values()), 3)
    res["articles"] = a.n_articles
    print(json.dumps(res))
    return res


if __name__ == "__main__":
    main()
