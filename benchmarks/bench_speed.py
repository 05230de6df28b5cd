"""Speed and memory of the analysis, as ratios within one run (the machine is shared).

Each measurement runs in a fresh subprocess (its own peak RSS), on the same articles
(composed deterministically by ``bench_analyze.make_articles``):

* ``encoder``: the packaged MiniLM's backends (torch, onnx, onnx-int8) with 1 and 2
  threads and batches of 1/8/64 sentences over the same sentences: CPU-seconds and
  cosine to torch per sentence (``onnx-int8`` ships with batches of 1: its dynamic
  activation scale is per batch, so batched vectors depend on their neighbours);
* ``baseline``: one plain torch all-MiniLM-L6-v2 pass (sentence-transformers
  ``encode``, batch 64) over the sentences of the articles: articles/second;
* ``default`` and ``fast`` (``resources/profiles/fast.toml``) pipelines: articles/second
  and peak RSS, and their ratio to the baseline;
* ``growth``: seconds per article for articles of about 1k/5k/20k/100k characters
  (default pipeline);
* ``rss``: the default pipeline's current RSS after each checkpoint (``--rss-at``);
* ``ray``: ``narrascope.scale.ray_ingest`` with 1 and 2 workers (1 thread each) against
  one process, into a SQLite store, and the scaling efficiency.

    .venv/bin/python benchmarks/bench_speed.py                     # everything
    .venv/bin/python benchmarks/bench_speed.py --only baseline,default,fast -n 64
    .venv/bin/python benchmarks/bench_speed.py --only rss --rss-at 100,300,1000

Prints a Markdown table and one JSON line (``--json-out FILE`` also writes it).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def articles(n: int, chars: int | None = None, seed: int = 0) -> list:
    from bench_analyze import make_articles

    from narrascope.doc import Article

    arts = make_articles(n if chars is None else max(n, 8), seed=seed)
    if chars is None:
        return arts
    pool = [a.text for a in arts]
    out = []
    for i in range(n):
        parts, size, k = [], 0, i
        while size < chars:
            t = pool[k % len(pool)]
            parts.append(t)
            size += len(t) + 2
            k += 1
        out.append(Article(id=f"len{chars}_{i}", text="\n\n".join(parts)[:chars]))
    return out


def pipeline(profile: str):  # type: ignore[no-untyped-def]
    from narrascope.pipeline import Pipeline
    from narrascope.profiles import profile_config

    return Pipeline.from_config(profile_config(profile))


# ------------------------------------------------------------------ child modes
def child(mode: str, a: argparse.Namespace) -> dict:
    if mode == "baseline":
        from narrascope.components.encoder import get_encoder
        from narrascope.pipeline import Pipeline

        arts = articles(a.n)
        split = Pipeline.from_config({"pipeline": {"components": ["sentences"]}})
        texts = [s.text for art in split.pipe(arts) for s in art.sentences]
        st = get_encoder()
        st.encode(texts[:64], batch_size=64)  # warm-up
        t0, c0 = time.perf_counter(), time.process_time()
        st.encode(texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
        dt, ct = time.perf_counter() - t0, time.process_time() - c0
        return {"articles": len(arts), "seconds": dt, "cpu_seconds": ct,
                "sentences": len(texts), "peak_rss_mb": peak_mb()}
    if mode == "encoder":
        import numpy as np

        import narrascope.components.encoder as E
        from narrascope.pipeline import Pipeline

        split = Pipeline.from_config({"pipeline": {"components": ["sentences"]}})
        texts = [s.text[:1000] for art in split.pipe(articles(a.n)) for s in art.sentences]
        ref = E.load_encoder("default", "torch", 1).encode(texts)
        out: dict = {"sentences": len(texts)}
        for backend in E.BACKENDS:
            for threads in (1, 2):
                enc = E.load_encoder("default", backend, threads)
                enc.max_batch = None  # measured at every batch size (int8 ships with 1)
                for batch in (1, 8, 64):
                    enc.encode(texts[:64], batch_size=batch)
                    t0, c0 = time.perf_counter(), time.process_time()
                    v = enc.encode(texts, batch_size=batch)
                    cos = (v * ref).sum(axis=1)
                    out[f"{backend} threads={threads} batch={batch}"] = {
                        "seconds": time.perf_counter() - t0,
                        "cpu_seconds": time.process_time() - c0,
                        "cosine_min": float(np.min(cos)), "cosine_mean": float(np.mean(cos))}
        return out
    if mode in {"default", "fast"}:
        nlp = pipeline(mode)
        list(nlp.pipe(articles(4, seed=1), batch_size=4))  # loading, untimed
        arts = articles(a.n)
        t0, c0 = time.perf_counter(), time.process_time()
        n = sum(1 for _ in nlp.pipe(arts, batch_size=32))
        dt, ct = time.perf_counter() - t0, time.process_time() - c0
        return {"articles": n, "seconds": dt, "cpu_seconds": ct, "peak_rss_mb": peak_mb()}
    if mode == "growth":
        nlp = pipeline(a.profile)
        list(nlp.pipe(articles(2, seed=1), batch_size=2))
        res = {}
        cpu = {}
        for chars in (1_000, 5_000, 20_000, 100_000):
            k = max(1, min(a.n, 40_000 // chars))
            arts = articles(k, chars)
            t0, c0 = time.perf_counter(), time.process_time()
            list(nlp.pipe(arts, batch_size=32))
            res[str(chars)] = (time.perf_counter() - t0) / k
            cpu[str(chars)] = (time.process_time() - c0) / k
        return {"seconds_per_article": res, "cpu_seconds_per_article": cpu,
                "peak_rss_mb": peak_mb()}
    if mode == "rss":
        nlp = pipeline(a.profile)
        at = sorted(int(x) for x in a.rss_at.split(","))
        arts = articles(min(at[-1], 400))  # cycled: composing 3,000 takes long
        out, done, t0 = {}, 0, time.perf_counter()

        def stream():  # type: ignore[no-untyped-def]
            from narrascope.doc import Article

            for i in range(at[-1]):
                yield Article(id=f"r{i}", text=arts[i % len(arts)].text)

        for _ in nlp.pipe(stream(), batch_size=32):
            done += 1
            if done in at:
                out[str(done)] = round(rss_mb(), 1)
        return {"rss_mb": out, "seconds": time.perf_counter() - t0, "peak_rss_mb": peak_mb()}
    if mode == "ray":
        import tempfile

        from narrascope.scale import ray_ingest

        res = {}
        with tempfile.TemporaryDirectory() as tmp:
            paths = write_inputs(Path(tmp), a.n)
            for workers in (0, 1, 2):
                url = f"sqlite:///{tmp}/w{workers}.db"
                t0 = time.perf_counter()
                summary = ray_ingest(paths, url, workers=workers, threads=1,
                                     profile=a.profile, quiet=True)
                res[str(workers)] = {"seconds": time.perf_counter() - t0,
                                     "articles": summary.get("written", 0),
                                     "pipeline_seconds": summary.get("pipeline_seconds"),
                                     "first_batch_seconds": summary.get("first_batch_seconds"),
                                     "first_batch_articles": summary.get("first_batch_articles")}
        return res
    raise SystemExit(f"unknown mode {mode}")


def write_inputs(folder: Path, n: int) -> list[Path]:
    out = []
    for i, art in enumerate(articles(n)):
        p = folder / f"a{i:05d}.txt"
        p.write_text(art.text, encoding="utf-8")
        out.append(p)
    return out


def run_child(mode: str, a: argparse.Namespace, n: int) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "-n", str(n), "--profile", a.profile,
           "--rss-at", a.rss_at]
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def loadavg() -> float:
    return round(os.getloadavg()[0], 2)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("-n", type=int, default=64, help="articles per throughput run")
    ap.add_argument("--only", default="baseline,default,fast,growth,rss,ray")
    ap.add_argument("--profile", default="default", help="profile of growth/rss/ray")
    ap.add_argument("--rss-at", default="100,300,1000")
    ap.add_argument("--ray-n", type=int, default=48)
    ap.add_argument("--child", default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json-out", default=None)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.child, a)))
        return {}
    want = [x.strip() for x in a.only.split(",") if x.strip()]
    res: dict = {"n": a.n, "cpus": os.cpu_count(), "load_start": loadavg()}
    for mode in want:
        n = a.ray_n if mode == "ray" else a.n
        t0 = time.perf_counter()
        res[mode] = run_child(mode, a, n)
        res[mode]["load"] = loadavg()
        print(f"# {mode}: {json.dumps(res[mode])} ({time.perf_counter() - t0:.0f} s)",
              file=sys.stderr, flush=True)
    res["load_end"] = loadavg()
    print(table(res))
    print(json.dumps(res))
    if a.json_out:
        Path(a.json_out).write_text(json.dumps(res, indent=1))
    return res


def _steady(r: dict) -> float | None:
    """Articles/s once the models are loaded: after the first analysed batch."""
    fs, fa, ps = r.get("first_batch_seconds"), r.get("first_batch_articles"), \
        r.get("pipeline_seconds")
    if fs is None or fa is None or ps is None or ps - fs <= 0 or r["articles"] <= fa:
        return None
    return (r["articles"] - fa) / (ps - fs)


def table(res: dict) -> str:
    rows = ["| measurement | articles | articles/s (wall) | articles per CPU-second | "
            "x baseline (CPU) | x baseline (wall) | peak RSS |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    base = res.get("baseline", {})
    base_aps = base["articles"] / base["seconds"] if "seconds" in base else None
    base_cps = base["articles"] / base["cpu_seconds"] if "cpu_seconds" in base else None
    for mode in ("baseline", "default", "fast"):
        r = res.get(mode)
        if not r or "seconds" not in r:
            continue
        aps = r["articles"] / r["seconds"]
        cps = r["articles"] / r["cpu_seconds"] if "cpu_seconds" in r else None
        ratio = f"{aps / base_aps:.2f}x" if base_aps else "-"
        cratio = f"{cps / base_cps:.2f}x" if base_cps and cps else "-"
        label = {"baseline": "plain torch MiniLM pass (sentences only)"}.get(mode, mode)
        rows.append(f"| {label} | {r['articles']} | {aps:.2f} | "
                    f"{cps:.2f} | {cratio} | {ratio} | "
                    f"{r['peak_rss_mb'] / 1024:.2f} GB |" if cps else
                    f"| {label} | {r['articles']} | {aps:.2f} | - | - | {ratio} | "
                    f"{r['peak_rss_mb'] / 1024:.2f} GB |")
    enc = res.get("encoder")
    if enc and "sentences" in enc:
        rows.append("")
        rows.append(f"| encoder on {enc['sentences']} sentences | CPU-s | wall s | "
                    "cosine to torch min / mean |")
        rows.append("| --- | --- | --- | --- |")
        for k, v in enc.items():
            if isinstance(v, dict) and "cpu_seconds" in v:
                rows.append(f"| {k} | {v['cpu_seconds']:.2f} | {v['seconds']:.2f} | "
                            f"{v['cosine_min']:.4f} / {v['cosine_mean']:.4f} |")
    g = res.get("growth", {}).get("seconds_per_article")
    if g:
        rows.append("")
        rows.append("| article length (chars) | " + " | ".join(g) + " |")
        rows.append("| --- |" + " --- |" * len(g))
        rows.append("| seconds / article | " + " | ".join(f"{v:.2f}" for v in g.values()) + " |")
        c = res["growth"].get("cpu_seconds_per_article", {})
        if c:
            rows.append("| CPU-seconds / article | "
                        + " | ".join(f"{v:.2f}" for v in c.values()) + " |")
    r = res.get("rss", {}).get("rss_mb")
    if r:
        rows.append("")
        rows.append("| articles analysed | " + " | ".join(r) + " |")
        rows.append("| --- |" + " --- |" * len(r))
        rows.append("| RSS | " + " | ".join(f"{v / 1024:.2f} GB" for v in r.values()) + " |")
    ray = res.get("ray")
    if ray and "0" in ray:
        one = ray["0"]["articles"] / ray["0"]["seconds"]
        rows.append("")
        steady = {w: _steady(r) for w, r in ray.items() if isinstance(r, dict)}
        rows.append("| engine | seconds (all) | articles/s (all) | speed-up | "
                    "articles/s after the first batch | speed-up |")
        rows.append("| --- | --- | --- | --- | --- | --- |")
        for w, label in (("0", "one process"), ("1", "Ray, 1 worker"), ("2", "Ray, 2 workers")):
            if w in ray:
                aps = ray[w]["articles"] / ray[w]["seconds"]
                st, st0 = steady.get(w), steady.get("0")
                st_cells = (f"{st:.2f} | {st / st0:.2f}x" if st and st0 else "- | -")
                rows.append(f"| {label} | {ray[w]['seconds']:.1f} | {aps:.2f} | "
                            f"{aps / one:.2f}x | {st_cells} |")
        if "1" in ray and "2" in ray:
            r1 = ray["1"]["articles"] / ray["1"]["seconds"]
            r2 = ray["2"]["articles"] / ray["2"]["seconds"]
            line = f"\nRay scaling efficiency 1 -> 2 workers: {r2 / (2 * r1):.2f} (all)"
            if steady.get("1") and steady.get("2"):
                line += f", {steady['2'] / (2 * steady['1']):.2f} (after the first batch)"
            rows.append(line)
    return "\n".join(rows)


if __name__ == "__main__":
    main()
