"""Corpus analytics benchmark: copy detection and story clusters.

    python benchmarks/bench_corpus.py quality             # generated corpus with ground truth
    python benchmarks/bench_corpus.py devreal             # the real pairs in ../shared/dev-real
    python benchmarks/bench_corpus.py scale -n 100000     # time and peak memory, synthetic
    python benchmarks/bench_corpus.py scale -n 100000 --store sqlite:///out/bench.db

``quality`` writes the article vectors of the generated corpus (the shared encoder, as
the store keeps them: mean of the content-sentence vectors) to ``out/bench-corpus-*.npz``
and reuses them on the next run.  ``scale`` uses random clustered vectors (the encoder
runs at about 60 sentences/s on this machine, so 1M articles cannot be encoded here);
texts are generated with the same generator, with copy families planted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import resource
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from narrascope.corpus.clusters import StoryClusterer, cluster_metrics, hdbscan, single_link
from narrascope.corpus.copies import CopyDetector, CopyParams, Item
from narrascope.corpus.synth import EDITS, Generator, benchmark_corpus

OUT = Path("out")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process (user + system): on a shared machine the wall time
    depends on the other jobs, the CPU time much less."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def encode_articles(records: list[tuple[str, str]], cache: Path) -> np.ndarray:
    """Article vectors of (id, text) with the pipeline's sentences + encoder components."""
    if cache.exists():
        z = np.load(cache, allow_pickle=False)
        if list(z["ids"]) == [r[0] for r in records]:
            return z["vectors"]
    import narrascope
    from narrascope.components.encoder import article_vector
    from narrascope.doc import Article

    nlp = narrascope.load({"pipeline": {"components": ["sentences", "encoder"]}})
    vecs = []
    for a in nlp.pipe(Article(id=i, text=t) for i, t in records):
        v = a.vector if a.vector is not None else article_vector(a)
        vecs.append(np.asarray(v, dtype=np.float32))
    arr = np.stack(vecs)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, ids=np.array([r[0] for r in records]), vectors=arr)
    return arr


def gold_pairs(arts) -> dict[tuple[str, str], str]:
    fam = defaultdict(list)
    edit = {}
    for a in arts:
        if a.family:
            fam[a.family].append(a.id)
            if a.edit:
                edit[a.family] = a.edit
    out = {}
    for f, ids in fam.items():
        for x, y in itertools.combinations(sorted(ids), 2):
            out[(x, y)] = edit[f]
    return out


def score_pairs(pred, gold) -> dict[str, object]:
    found = {(min(p.a, p.b), max(p.a, p.b)): p for p in pred}
    res: dict[str, object] = {}
    for e in EDITS:
        g = [k for k, v in gold.items() if v == e]
        hit = [k for k in g if k in found]
        sims = [found[k].similarity for k in hit]
        res[f"recall_{e}"] = round(len(hit) / len(g), 4) if g else None
        res[f"gold_{e}"] = len(g)
        res[f"found_as_{e}"] = dict(Counter(found[k].kind for k in hit))
        res[f"median_similarity_{e}"] = round(float(np.median(sims)), 3) if sims else None
    for kind in ("copy", "partial", "rewrite"):
        ks = [k for k, p in found.items() if p.kind == kind]
        tp = sum(1 for k in ks if k in gold)
        res[f"precision_{kind}"] = round(tp / len(ks), 4) if ks else None
        res[f"predicted_{kind}"] = len(ks)
        res[f"false_{kind}"] = len(ks) - tp
    tp = sum(1 for k in found if k in gold)
    res["precision_all"] = round(tp / len(found), 4) if found else None
    res["recall_all"] = round(tp / len(gold), 4) if gold else None
    vl = [k for k, v in gold.items() if v in ("verbatim", "light")]
    res["recall_verbatim_light"] = round(sum(k in found for k in vl) / len(vl), 4)
    return res


def quality(args: argparse.Namespace) -> dict[str, object]:
    arts = benchmark_corpus(n_background=args.background, n_families=args.families,
                            n_stories=args.stories, per_story=args.per_story, seed=args.seed)
    cache = OUT / f"bench-corpus-{args.seed}-{len(arts)}.npz"
    t0 = time.time()
    vecs = encode_articles([(a.id, a.text) for a in arts], cache)
    enc_s = time.time() - t0
    items = [Item(a.id, a.text, a.outlet, a.date, vecs[i]) for i, a in enumerate(arts)]
    gold = gold_pairs(arts)
    t0 = time.time()
    det = CopyDetector()
    pred = det.add(items)
    copy_s = time.time() - t0
    report: dict[str, object] = {"articles": len(arts), "gold_pairs": len(gold),
                                 "encode_s": round(enc_s, 1), "copy_s": round(copy_s, 2)}
    report["copies"] = score_pairs(pred, gold)
    # incremental = batch: add the last 30% to an index of the first 70%
    cut = int(len(items) * 0.7)
    det2 = CopyDetector()
    inc = det2.add(items[:cut]) + det2.add(items[cut:])
    report["copies_incremental_same"] = (
        {(p.a, p.b, p.kind) for p in inc} == {(p.a, p.b, p.kind) for p in pred})
    # rewrite thresholds: the precision / recall trade-off
    sweep = []
    for cos in (0.84, 0.86, 0.88, 0.90, 0.92):
        for anc in (0.0, 0.25, 0.30, 0.35):
            d = CopyDetector(params=CopyParams(rewrite_cosine=cos, rewrite_anchors=anc))
            s = score_pairs(d.add(items), gold)
            sweep.append({"rewrite_cosine": cos, "rewrite_anchors": anc,
                          "precision_rewrite": s["precision_rewrite"],
                          "recall_rewrite": s["recall_rewrite"],
                          "recall_paraphrase": s["recall_paraphrase"]})
    report["rewrite_sweep"] = sweep
    # clusters
    labelled = [i for i, a in enumerate(arts) if a.story is not None]
    gold_story = [arts[i].story for i in labelled]
    dates = [arts[i].date for i in labelled]
    V = vecs[labelled]
    rows = []
    for th in (0.80, 0.85, 0.875, 0.90, 0.925, 0.95):
        t0 = time.time()
        lab, _ = StoryClusterer(th).add(V, dates)
        rows.append({"method": "online DP-Means", "threshold": th,
                     "seconds": round(time.time() - t0, 3), **cluster_metrics(lab, gold_story)})
        t0 = time.time()
        lab = single_link(V, th)
        rows.append({"method": "single-link", "threshold": th,
                     "seconds": round(time.time() - t0, 3), **cluster_metrics(lab, gold_story)})
    for mcs in (2, 3):
        t0 = time.time()
        lab = hdbscan(V, mcs)
        rows.append({"method": "HDBSCAN", "threshold": f"min_cluster_size={mcs}",
                     "seconds": round(time.time() - t0, 3), **cluster_metrics(lab, gold_story)})
    report["clusters"] = rows
    return report


def devreal(args: argparse.Namespace) -> dict[str, object]:
    root = Path(args.devreal)
    if not (root / "articles.jsonl").exists():
        return {"skipped": f"{root} not found"}
    recs = [json.loads(line) for line in open(root / "articles.jsonl", encoding="utf-8")]
    meta = {json.loads(line)["id"]: json.loads(line) for line in open(root / "meta.jsonl")}
    vecs = encode_articles([(r["id"], r["text"]) for r in recs], OUT / "bench-corpus-devreal.npz")
    items = []
    for i, r in enumerate(recs):
        d = dt.date.fromisoformat(r["date"]) if r.get("date") else None
        items.append(Item(r["id"], r["text"], r.get("source"), d, vecs[i]))
    pred = CopyDetector().add(items)
    groups = defaultdict(list)
    for r in recs:
        g = meta[r["id"].removesuffix(".txt")]["dup_group"]
        if g:
            groups[g].append(r["id"])
    gold = {tuple(sorted(v)): k for k, v in groups.items()}
    found = {(min(p.a, p.b), max(p.a, p.b)): p for p in pred}
    sims = vecs @ vecs.T
    idx = {r["id"]: i for i, r in enumerate(recs)}
    out = {"articles": len(recs), "pairs_predicted": len(found),
           "false_pairs": sum(1 for k in found if k not in gold), "gold": []}
    for pair, name in gold.items():
        p = found.get(pair)
        out["gold"].append({"group": name, "found": p is not None, "kind": p.kind if p else None,
                            "similarity": p.similarity if p else None,
                            "jaccard": p.jaccard if p else None,
                            "cosine": round(float(sims[idx[pair[0]], idx[pair[1]]]), 4)})
    off = [float(sims[i, j]) for i, j in itertools.combinations(range(len(recs)), 2)
           if (recs[i]["id"], recs[j]["id"]) not in gold and (recs[j]["id"], recs[i]["id"])
           not in gold]
    out["max_cosine_other_pairs"] = round(max(off), 4)
    out["false"] = [{"a": k[0], "b": k[1], "kind": p.kind, "similarity": p.similarity}
                    for k, p in found.items() if k not in gold]
    return out


# ------------------------------------------------------------------------------ scale


def synth_stream(n: int, seed: int, dim: int = 384, family_every: int = 20):
    """n generated articles (1 in ``family_every`` a copy of an earlier one) + vectors."""
    g = Generator(seed, outlets=300, days=365)
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, n // 5), dim)).astype(np.float32)
    recent = []
    for i in range(n):
        if recent and i % family_every == 0:
            src, c = recent[int(rng.integers(len(recent)))]
            a = g.light(src) if i % 40 else g.verbatim(src)
        else:
            c = int(rng.integers(len(centres)))
            a = g.write(g.story(i))
            recent.append((a, c))
            if len(recent) > 2000:
                recent.pop(0)
        v = centres[c] + 0.6 * rng.standard_normal(dim).astype(np.float32)
        v /= np.linalg.norm(v)
        yield a, v


def scale(args: argparse.Namespace) -> dict[str, object]:
    t0 = time.time()
    batch_items: list[Item] = []
    for a, v in synth_stream(args.n + args.add, args.seed):
        batch_items.append(Item(a.id, a.text, a.outlet, a.date, v))
    gen_s = time.time() - t0
    base, extra = batch_items[: args.n], batch_items[args.n:]
    if args.store:
        return scale_store(args, base, extra, gen_s)
    backend = None
    det = CopyDetector(backend)
    rss0 = peak_mb()
    t0, c0 = time.time(), cpu_s()
    pairs = 0
    for i in range(0, len(base), args.batch):
        pairs += len(det.add(base[i:i + args.batch]))
    copy_s, copy_cpu = time.time() - t0, cpu_s() - c0
    rss1 = peak_mb()
    t0, c0 = time.time(), cpu_s()
    added = det.add(extra) if extra else []
    inc_s, inc_cpu = time.time() - t0, cpu_s() - c0
    vecs = np.stack([it.vector for it in base])
    t0, c0 = time.time(), cpu_s()
    StoryClusterer(0.9).add(vecs, [it.date for it in base])
    cl_s, cl_cpu = time.time() - t0, cpu_s() - c0
    return {"articles": args.n, "generate_s": round(gen_s, 1),
            "copies_wall_s": round(copy_s, 1), "copies_cpu_s": round(copy_cpu, 1),
            "copy_pairs": pairs, "peak_rss_mb_after_generation": round(rss0),
            "peak_rss_mb_after_copies": round(rss1), "add": args.add,
            "incremental_wall_s": round(inc_s, 2), "incremental_cpu_s": round(inc_cpu, 2),
            "incremental_pairs": len(added),
            "clusters_wall_s": round(cl_s, 1), "clusters_cpu_s": round(cl_cpu, 1),
            "peak_rss_mb": round(peak_mb()), "store": "memory",
            "load_average": [round(x, 1) for x in __import__("os").getloadavg()]}


def scale_store(args: argparse.Namespace, base: list[Item], extra: list[Item], gen_s: float
                ) -> dict[str, object]:
    """The same through a store: ingest, index, ingest ``--add`` more, index again."""
    import os

    from narrascope.corpus.storage import update_clusters, update_copies
    from narrascope.doc import Article
    from narrascope.store import open_store
    from narrascope.store.ingest import set_article_vector

    def arts(items: list[Item]) -> list[Article]:
        out = []
        for it in items:
            a = Article(id=it.id, text=it.text, date=it.date,
                        url=f"https://{it.outlet}/{it.id}", source=it.outlet)
            set_article_vector(a, it.vector)
            out.append(a)
        return out

    res: dict[str, object] = {"articles": args.n, "add": args.add, "store": args.store}
    with open_store(args.store) as store:
        t0 = time.time()
        for i in range(0, len(base), 5000):
            store.ingest(arts(base[i:i + 5000]), batch_size=1000)
        res["ingest_s"] = round(time.time() - t0, 1)
        for name, fn in (("copies", update_copies), ("clusters", update_clusters)):
            t0, c0 = time.time(), cpu_s()
            fn(store)
            res[f"{name}_wall_s"], res[f"{name}_cpu_s"] = (round(time.time() - t0, 1),
                                                          round(cpu_s() - c0, 1))
        store.ingest(arts(extra), batch_size=1000)
        for name, fn in (("copies", update_copies), ("clusters", update_clusters)):
            t0, c0 = time.time(), cpu_s()
            fn(store)
            res[f"incremental_{name}_wall_s"] = round(time.time() - t0, 2)
            res[f"incremental_{name}_cpu_s"] = round(cpu_s() - c0, 2)
    res["peak_rss_mb"] = round(peak_mb())
    res["load_average"] = [round(x, 1) for x in os.getloadavg()]
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--background", type=int, default=400)
    q.add_argument("--families", type=int, default=100)
    q.add_argument("--stories", type=int, default=30)
    q.add_argument("--per-story", type=int, default=4)
    q.add_argument("--seed", type=int, default=0)
    d = sub.add_parser("devreal")
    d.add_argument("--devreal", default="../shared/dev-real")
    s = sub.add_parser("scale")
    s.add_argument("-n", type=int, default=100_000)
    s.add_argument("--add", type=int, default=10_000)
    s.add_argument("--batch", type=int, default=20_000)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--store", default=None, help="a store URL (default: in memory)")
    args = ap.parse_args()
    res = {"quality": quality, "devreal": devreal, "scale": scale}[args.cmd](args)
    json.dump(res, sys.stdout, indent=1, default=str)
    print()


if __name__ == "__main__":
    main()
