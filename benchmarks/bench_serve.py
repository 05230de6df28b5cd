"""Latency of the dashboard pages and API lists on a large synthetic store.

Builds (or reuses) a SQLite store of ``-n`` synthetic articles made from the analysed
examples (``narrascope.serve.synthetic``), then requests each endpoint ``--repeat``
times in-process (FastAPI TestClient: the app, the Store and SQLite, no network) and
prints p50/p95 in milliseconds.  The first request of each endpoint is reported
separately ("cold"): the vocabulary and stats caches (30 s) are empty then.

    .venv/bin/python benchmarks/bench_serve.py -n 20000 --db out/bench_serve.db
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import urllib.parse
from pathlib import Path


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    k = max(0, min(len(xs) - 1, round(p / 100 * (len(xs) - 1))))
    return xs[k]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=20_000, help="articles in the store")
    ap.add_argument("--db", default="out/bench_serve.db")
    ap.add_argument("--repeat", type=int, default=30)
    ap.add_argument("--batch", type=int, default=2000)
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from narrascope.serve import create_app
    from narrascope.serve.synthetic import load_records, synthetic_articles
    from narrascope.store import open_store

    Path(args.db).parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{args.db}"
    store = open_store(url)
    have = store.count()
    if have < args.n:
        ex = load_records(Path(__file__).resolve().parents[1] / "tests/data/serve/examples.jsonl")
        t0 = time.perf_counter()
        todo = args.n - have
        gen = synthetic_articles(ex, args.n, days=365, seed=1, first=have)
        batch = []
        for art in gen:
            batch.append(art)
            if len(batch) >= args.batch:
                store.ingest(batch, batch_size=args.batch)
                batch = []
                done = store.count() - have
                print(f"ingested {done:,}/{todo:,} ({done / (time.perf_counter() - t0):.0f}/s)",
                      flush=True)
        if batch:
            store.ingest(batch, batch_size=args.batch)
        print(f"ingest: {todo:,} articles in {time.perf_counter() - t0:.1f} s")
    store.close()
    ro = open_store(url, readonly=True)
    n = ro.count()
    app = create_app(ro)
    c = TestClient(app)
    label = ro.labels("narrative")[0][0]
    outlet = ro.outlets()[0].name
    entity = ro.labels("entity_role")[0][0].rpartition(": ")[0]
    ids = [a.id for a in ro.list_articles(limit=500, order="id")]
    rng = random.Random(0)
    q = urllib.parse.quote
    endpoints = {
        "page /": lambda: "/",
        "page /narratives/{label}": lambda: f"/narratives/{q(label, safe='')}",
        "page /articles/{id}": lambda: f"/articles/{q(rng.choice(ids), safe='')}",
        "page /search?narrative": lambda: f"/search?narrative={q(label)}",
        "page /outlets/{name}": lambda: f"/outlets/{q(outlet, safe='')}",
        "page /entities/{name}": lambda: f"/entities/{q(entity, safe='')}",
        "api /articles": lambda: "/api/v1/articles?limit=50",
        "api /articles?offset=5000": lambda: "/api/v1/articles?limit=50&offset=5000",
        "api /articles?narrative": lambda: f"/api/v1/articles?narrative={q(label)}&limit=50",
        "api /articles?outlet": lambda: f"/api/v1/articles?outlet={q(outlet)}&limit=50",
        "api /articles?q=text": lambda: "/api/v1/articles?q=counteroffensive&limit=50",
        "api /articles/{id}": lambda: f"/api/v1/articles/{q(rng.choice(ids), safe='')}",
        "api /narratives": lambda: "/api/v1/narratives",
        "api /entities": lambda: "/api/v1/entities",
        "api /outlets": lambda: "/api/v1/outlets",
        "api /stats": lambda: "/api/v1/stats",
    }
    print(f"store: {n:,} articles ({args.db}); {args.repeat} requests per endpoint")
    print(f"{'endpoint':32} {'cold ms':>9} {'p50 ms':>9} {'p95 ms':>9}")
    worst = 0.0
    for name, make in endpoints.items():
        times = []
        for _ in range(args.repeat + 1):
            path = make()
            t = time.perf_counter()
            r = c.get(path)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (path, r.status_code, r.text[:200])
        cold, warm = times[0], times[1:]
        worst = max(worst, pct(warm, 95))
        print(f"{name:32} {cold:9.1f} {statistics.median(warm):9.1f} {pct(warm, 95):9.1f}",
              flush=True)
    print(f"worst p95: {worst:.1f} ms (target 300 ms)")


if __name__ == "__main__":
    main()
