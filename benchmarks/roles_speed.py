"""CPU-seconds of the ``entities`` component (automatic mode) on the benchmark articles.

The articles of :func:`bench_analyze.make_articles` (synthetic, built from the narratives
passages) go through ``sentences``, ``voice`` and ``encoder`` first (not timed); then the
``entities`` component alone is timed (process CPU time, all threads), in batches of 32,
in each configuration of one run: the span network on ONNX Runtime (the default), the
span network on torch, and without the span network.  ``--profile`` prints the cProfile
of the default configuration.

    .venv/bin/python benchmarks/roles_speed.py -n 32
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", "--n-articles", type=int, default=32)
    ap.add_argument("--model", default=None, help="role model directory")
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args(argv)
    from bench_analyze import make_articles

    from narrascope.pipeline import Pipeline

    opts = {"model": a.model} if a.model else {}
    configs = {"span net on ONNX Runtime": ("onnx", True),
               "span net on torch": ("torch", True), "no span net": ("onnx", False)}
    results: dict[str, dict[str, float]] = {}
    for label, (backend, span) in configs.items():
        os.environ["NARRASCOPE_SPAN_BACKEND"] = backend
        cfg = {"pipeline": {"components": ["sentences", "voice", "encoder", "entities"]},
               "components": {"entities": {**opts, "span_net": span}}}
        pipe = Pipeline.from_config(cfg)
        list(pipe.pipe(make_articles(4, seed=1), skip_analysed=False))  # load, export
        arts = make_articles(a.n_articles)
        ent = pipe.components[-1][1]
        prof = cProfile.Profile() if a.profile and label.endswith("ONNX Runtime") else None
        cpu = wall = 0.0
        mentions = 0
        for k in range(0, len(arts), 32):
            batch = arts[k:k + 32]
            for _, comp in pipe.components[:-1]:
                batch = list(comp.pipe(batch, batch_size=len(batch)))
            t0, c0 = time.perf_counter(), time.process_time()
            if prof:
                prof.enable()
            batch = list(ent.pipe(batch, batch_size=len(batch)))
            if prof:
                prof.disable()
            wall += time.perf_counter() - t0
            cpu += time.process_time() - c0
            mentions += sum(len(e.mentions) for art in batch for e in art.entities or [])
            for art in batch:
                art.cache.clear()
        results[label] = {"articles": len(arts), "mentions": mentions,
                          "cpu_s": round(cpu, 2), "wall_s": round(wall, 2)}
        print(f"{label:26s} {len(arts)} articles, {mentions} mentions: "
              f"{cpu:.2f} CPU-s, {wall:.2f} s wall", flush=True)
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
    base = results["span net on torch"]["cpu_s"]
    if base:
        print(f"ONNX / torch CPU ratio: {results['span net on ONNX Runtime']['cpu_s'] / base:.2f}")
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main()
