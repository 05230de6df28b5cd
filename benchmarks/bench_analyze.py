"""Throughput and peak memory of the analyze pipeline (narratives developer's benchmark).

Generates N articles deterministically (composed from the synthetic passages in
data/narratives/passages with a fixed seed; falls back to the seed articles), runs them
through a pipeline and reports articles/second and peak RSS.

    .venv/bin/python benchmarks/bench_analyze.py                       # default pipeline
    .venv/bin/python benchmarks/bench_analyze.py --components sentences,encoder,narratives
    .venv/bin/python benchmarks/bench_analyze.py --components narratives --alone
    .venv/bin/python benchmarks/bench_analyze.py --config my.toml -n 200

``--alone`` precomputes the components before the last one (untimed) and times only the
last component (e.g. narratives on already split and embedded articles).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def make_articles(n: int, seed: int = 0):  # type: ignore[no-untyped-def]
    from narrascope.components.narratives.data import (
        compose_articles,
        read_passages,
        usable_passages,
    )
    from narrascope.components.narratives.taxonomy import load_taxonomy
    from narrascope.doc import Article

    tax = load_taxonomy()
    texts: list[str] = []
    pdir = REPO / "data" / "narratives" / "passages"
    if pdir.is_dir():
        ps = usable_passages(read_passages(pdir)[0], tax)
        texts = [a.text for a in compose_articles(ps, tax, n, seed=seed, split="bench",
                                                  prefix="bench")]
    if not texts:
        seeds = REPO.parent / "shared" / "seeds"
        base = [f.read_text(encoding="utf-8") for f in sorted(seeds.glob("*.txt"))] or [
            "A short article. It has two sentences."]
        texts = [base[i % len(base)] for i in range(n)]
    return [Article(id=f"bench_{i:05d}", text=t) for i, t in enumerate(texts[:n])]


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", "--n-articles", type=int, default=1000)
    ap.add_argument("--config", default=None, help="pipeline config file (TOML/YAML)")
    ap.add_argument("--components", default=None,
                    help="comma-separated component list (instead of --config)")
    ap.add_argument("--model", default=None, help="narratives model option (e.g. zero-shot)")
    ap.add_argument("--alone", action="store_true",
                    help="time only the last component; earlier ones run untimed first")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print one JSON line only")
    a = ap.parse_args(argv)

    from narrascope.pipeline import Pipeline, load_config

    if a.components:
        names = [c.strip() for c in a.components.split(",") if c.strip()]
        if a.alone and names == ["narratives"]:
            names = ["sentences", "encoder", "narratives"]
        cfg = {"pipeline": {"components": names}, "components": {}}
    else:
        cfg = load_config(a.config)
    overrides = {"narratives": {"model": a.model}} if a.model else None
    nlp = Pipeline.from_config(cfg, overrides=overrides)
    arts = make_articles(a.n_articles, a.seed)
    n_sent = None
    # warm-up (model loading) is not timed
    list(nlp.pipe(make_articles(4, seed=a.seed + 1), batch_size=4))
    if a.alone:
        *pre, (last_name, last) = nlp.components
        for i in range(0, len(arts), a.batch_size):
            stream = arts[i:i + a.batch_size]
            for _, comp in pre:
                stream = list(comp.pipe(stream, batch_size=len(stream)))
        n_sent = sum(len(x.sentences) for x in arts)
        t0 = time.perf_counter()
        for i in range(0, len(arts), a.batch_size):
            list(last.pipe(arts[i:i + a.batch_size], batch_size=a.batch_size))
        dt = time.perf_counter() - t0
        timed = [last_name]
    else:
        t0 = time.perf_counter()
        done = list(nlp.pipe(arts, batch_size=a.batch_size))
        dt = time.perf_counter() - t0
        n_sent = sum(len(x.sentences) for x in done)
        timed = nlp.component_names
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    res = {"articles": len(arts), "seconds": round(dt, 2),
           "articles_per_second": round(len(arts) / dt, 2),
           "sentences_per_article": round(n_sent / max(len(arts), 1), 1),
           "peak_rss_mb": round(rss_mb, 1), "timed_components": timed,
           "python": platform.python_version(), "cpus": __import__("os").cpu_count()}
    if a.json:
        print(json.dumps(res))
    else:
        for k, v in res.items():
            print(f"{k:>24}: {v}")
    return res


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
