"""Corpus store benchmark: ingest throughput, query latency, database size.

    # JSONL -> store (already analysed synthetic records), SQLite and PostgreSQL
    .venv/bin/python benchmarks/bench_store.py ingest -n 100000 --pg auto
    # query latency on a synthetic store of 1,000,000 articles (built with bulk inserts)
    .venv/bin/python benchmarks/bench_store.py query -n 1000000

``ingest`` writes N synthetic analysed records (every layer filled: narratives with
evidence, entities with mentions and roles, technique spans, some fact checks; about
2,300 characters and 21 sentences each; 1,000 distinct texts, the ids, outlets and
dates vary) to a JSONL file, then times ``narrascope ingest FILE --db URL --no-vectors``
as a separate process (records/s over the wall time, process start included), samples
its resident memory every half second, and reports the database size per 1,000 articles.
Vectors are left out because records without one would be sent through the sentence
encoder, which is the analysis cost, not the store's (``--vectors`` measures that too).

``query`` builds (once; it is kept in --dir) a store of N articles with the real schema
and migrations, filled by bulk inserts of generated rows (title + ~1,000 characters of
text, 1-3 narratives, 1-3 techniques, 2-4 entity roles per article, 50 outlets, two years
of dates), then times the queries a dashboard makes, through the Store interface, with
a warm page cache: p50/p95 over --repeat runs with varying parameters.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
NARRASCOPE = str(Path(sys.executable).with_name("narrascope"))


# --------------------------------------------------------------------------- records


def write_records(path: Path, n: int, templates: int = 1000) -> None:
    from narrascope.store.synthetic import Synth
    from narrascope.write import article_record

    synth = Synth(11, outlets=50)
    tmpl = [json.dumps(article_record(synth.article(i)), ensure_ascii=False)
            for i in range(min(templates, n))]
    rng = random.Random(5)
    start = dt.date(2024, 1, 1)
    tmp = path.with_suffix(".partial")
    with tmp.open("w", encoding="utf-8") as fh:
        for i in range(n):
            rec = json.loads(tmpl[i % len(tmpl)])
            rec["id"] = f"bench-{i:08d}"
            rec["url"] = f"https://www.outlet{rng.randrange(50)}.example/news/{i}"
            rec["date"] = (start + dt.timedelta(days=rng.randrange(730))).isoformat()
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    tmp.replace(path)


def _rss_kb(pid: int, key: str = "VmRSS") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def db_size(url: str) -> int:
    from narrascope.store import normalise_url, open_store

    u = normalise_url(url)
    if u.drivername.startswith("sqlite"):
        p = Path(u.database or "")
        return sum(f.stat().st_size for f in p.parent.glob(p.name + "*") if f.is_file())
    from sqlalchemy import func, select

    store = open_store(url, readonly=True)
    with store.engine.connect() as conn:
        size = conn.scalar(select(func.pg_database_size(func.current_database())))
    store.close()
    return int(size or 0)


def time_ingest(path: Path, url: str, n: int, vectors: bool) -> dict:
    cmd = [NARRASCOPE, "ingest", str(path), "--db", url, "--quiet"]
    if not vectors:
        cmd.append("--no-vectors")
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    samples: list[tuple[float, int]] = []
    peak = 0
    while proc.poll() is None:
        rss = _rss_kb(proc.pid)
        hwm = _rss_kb(proc.pid, "VmHWM")
        if rss:
            samples.append((time.perf_counter() - t0, rss))
        if hwm:
            peak = max(peak, hwm)
        time.sleep(0.5)
    err = proc.stderr.read() if proc.stderr else ""
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"ingest failed ({proc.returncode}): {err[-2000:]}")
    quart = []
    if samples:
        for q in (0.25, 0.5, 0.75, 1.0):
            idx = min(len(samples) - 1, int(q * (len(samples) - 1)))
            quart.append(round(samples[idx][1] / 1024))
    size = db_size(url)
    return {"records": n, "wall_s": round(wall, 1), "records_per_s": round(n / wall),
            "cpu_s": round(cpu, 1), "records_per_cpu_s": round(n / cpu) if cpu else None,
            "rss_mb_at_25_50_75_100pct": quart, "peak_rss_mb": round(peak / 1024),
            "db_bytes": size, "db_mb_per_1000_articles": round(size / n * 1000 / 2**20, 2)}


def time_store_only(path: Path, url: str, n: int, batch: int = 256) -> dict:
    """In one process: read the records (not timed), time only ``Store.ingest_batch``."""
    import resource

    from narrascope.read import read_articles
    from narrascope.store import open_store

    store = open_store(url)
    spent = 0.0
    cpu = 0.0
    done = 0
    rss: list[int] = []
    buf = []
    for art in read_articles([path], keep_layers=True):
        buf.append(art)
        if len(buf) == batch:
            t, c = time.perf_counter(), time.process_time()
            store.ingest_batch(buf)
            spent += time.perf_counter() - t
            cpu += time.process_time() - c
            done += len(buf)
            buf = []
            if done % (batch * 40) == 0:
                rss.append(round((_rss_kb(os.getpid()) or 0) / 1024))
    if buf:
        t, c = time.perf_counter(), time.process_time()
        store.ingest_batch(buf)
        spent += time.perf_counter() - t
        cpu += time.process_time() - c
        done += len(buf)
    store.close()
    return {"records": done, "store_s": round(spent, 1), "records_per_s": round(done / spent),
            "records_per_cpu_s": round(done / cpu),
            "rss_mb_samples": rss[:: max(1, len(rss) // 8)],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def pg_url(arg: str | None) -> str | None:
    if arg in (None, "none"):
        return None
    if arg != "auto":
        return arg
    url = os.environ.get("NARRASCOPE_TEST_PG_URL")
    if url:
        return url
    res = subprocess.run([str(ROOT / "scripts" / "postgres.sh")], capture_output=True, text=True)
    if res.returncode != 0:
        print(f"PostgreSQL not started: {res.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    return res.stdout.strip().splitlines()[-1]


def fresh_pg_db(server: str, name: str) -> str:
    import psycopg
    from psycopg import sql

    from narrascope.store import normalise_url

    u = normalise_url(server)
    with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname="postgres",
                         autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return u.set(database=name).render_as_string(hide_password=False)


def time_stages(path: Path, url: str, batch: int = 256) -> dict:
    """CPU milliseconds per record of each step of an ingest of analysed records, in this
    process (SQLite runs in it): reading and validating the JSONL, building the rows and
    the compressed record, the inserts, and the rest (lookups, outlets, commits)."""
    import gc
    from collections import Counter

    from narrascope.read.records import read_jsonl
    from narrascope.store import open_store
    from narrascope.store import store as store_mod
    from narrascope.store.ingest import fewer_collections

    spent: Counter[str] = Counter()

    def timed(fn, name):  # type: ignore[no-untyped-def]
        def run(*a, **k):  # type: ignore[no-untyped-def]
            c = time.process_time()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.process_time() - c
        return run

    real = {k: getattr(store_mod, k) for k in ("_bulk_insert", "article_row", "article_rows")}
    store_mod._bulk_insert = timed(real["_bulk_insert"], "inserts")
    store_mod.article_row = timed(real["article_row"], "rows and compressed record")
    store_mod.article_rows = timed(real["article_rows"], "rows and compressed record")
    store = open_store(url)
    n = 0
    try:
        with fewer_collections():
            reader = read_jsonl(path, 2_000_000, keep_layers=True)
            while True:
                c = time.process_time()
                arts = [a for a in (next(reader, None) for _ in range(batch)) if a is not None]
                spent["reading and validating"] += time.process_time() - c
                if not arts:
                    break
                c = time.process_time()
                store.ingest_batch(arts)  # type: ignore[arg-type]
                spent["store"] += time.process_time() - c
                n += len(arts)
    finally:
        for k, v in real.items():
            setattr(store_mod, k, v)
        store.close()
        gc.collect()
    other = spent["store"] - spent["inserts"] - spent["rows and compressed record"]
    ms = {k: round(spent[k] * 1000 / n, 3) for k in
          ("reading and validating", "rows and compressed record", "inserts")}
    ms["other store work (lookups, outlets, commits)"] = round(other * 1000 / n, 3)
    total = spent["reading and validating"] + spent["store"]
    return {"records": n, "cpu_ms_per_record": ms, "total_cpu_ms_per_record":
            round(total * 1000 / n, 3), "records_per_cpu_s": round(n / total)}


def cmd_ingest(args: argparse.Namespace) -> dict:
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    path = work / f"records-{args.n}.jsonl"
    if not path.exists():
        t = time.perf_counter()
        write_records(path, args.n)
        print(f"wrote {path} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    out: dict = {"machine": _machine()}
    if args.stages:
        db = work / "stages.db"
        for f in work.glob("stages.db*"):
            f.unlink()
        out["sqlite_stages"] = time_stages(path, f"sqlite:///{db}")
        return out
    if args.store_only:
        db = work / "store-only.db"
        for f in work.glob("store-only.db*"):
            f.unlink()
        out["sqlite_store_only"] = time_store_only(path, f"sqlite:///{db}", args.n)
        print(json.dumps(out["sqlite_store_only"]), file=sys.stderr)
        server = pg_url(args.pg)
        if server:
            url = fresh_pg_db(server, "narrascope_bench_store_only")
            out["postgresql_store_only"] = time_store_only(path, url, args.n)
            print(json.dumps(out["postgresql_store_only"]), file=sys.stderr)
        return out
    db = work / "ingest.db"
    for f in work.glob("ingest.db*"):
        f.unlink()
    out["sqlite"] = time_ingest(path, f"sqlite:///{db}", args.n, args.vectors)
    print(json.dumps(out["sqlite"]), file=sys.stderr)
    if args.again:
        again = time_ingest(path, f"sqlite:///{db}", args.n, args.vectors)
        out["sqlite_same_input_again"] = {"records_per_s": again["records_per_s"],
                                          "wall_s": again["wall_s"]}
    server = pg_url(args.pg)
    if server:
        url = fresh_pg_db(server, "narrascope_bench_ingest")
        out["postgresql"] = time_ingest(path, url, args.n, args.vectors)
        print(json.dumps(out["postgresql"]), file=sys.stderr)
    return out


# ---------------------------------------------------------------------------- queries


def build_query_store(url: str, n: int, chars: int, batch: int = 20_000) -> None:
    """Fill a migrated store up to ``n`` generated articles by bulk inserts (appends to
    what is there, so a store can be grown step by step)."""
    from sqlalchemy import insert

    from narrascope.store import open_store
    from narrascope.store import schema as S
    from narrascope.store.records import monday
    from narrascope.store.store import _bulk_insert
    from narrascope.store.synthetic import ENTITIES, NARRATIVES, ROLES, TECHNIQUES, Synth

    store = open_store(url)
    synth = Synth(21)
    vocab = np.array(synth.vocab)
    weights = np.array(synth.weights)
    weights = weights / weights.sum()
    have = store.count()
    rng = np.random.default_rng(3 + have)
    if have == 0:
        with store.engine.begin() as conn:
            conn.execute(insert(S.runs), [{"started_at": dt.datetime.now(dt.UTC),
                                           "narrascope_version": "bench", "schema_version": "2.0",
                                           "fingerprint": "bench", "components": []}])
            conn.execute(insert(S.outlets), [{"id": k + 1, "name": f"outlet{k}.example",
                                              "domains": [f"outlet{k}.example"], "from_file": 0}
                                             for k in range(50)])
    blob = zlib.compress(json.dumps({"schema_version": "2.0", "id": "x", "components": []}).encode())
    start = dt.date(2024, 1, 1)
    words_per = max(5, chars // 7)
    t0 = time.perf_counter()
    pk = have
    for b0 in range(have, n, batch):
        m = min(batch, n - b0)
        idx = rng.choice(len(vocab), size=(m, words_per), p=weights)
        outlets = rng.integers(1, 51, m)
        days = rng.integers(0, 730, m)
        arts, labels, roles = [], [], []
        for j in range(m):
            pk += 1
            words = vocab[idx[j]]
            title = " ".join(words[:10]).capitalize()
            text = title + "\n\n" + " ".join(words[10:]).capitalize() + "."
            d = start + dt.timedelta(days=int(days[j]))
            w = monday(d)
            o = int(outlets[j])
            arts.append({"pk": pk, "id": f"q-{pk:08d}", "content_hash": f"{pk:064x}",
                         "source": None, "error": None, "fingerprint": "bench",
                         "outlet_id": o, "domain": f"outlet{o - 1}.example",
                         "url": f"https://outlet{o - 1}.example/{pk}", "date": d, "week": w,
                         "date_source": "given", "language": "en", "title": title, "text": text,
                         "components": "[]", "schema_version": "2.0", "run_id": 1,
                         "layers": blob, "n_warnings": 0})
            r = random.Random(pk)
            nar = r.sample(NARRATIVES, r.randint(1, 3))
            base = {"article_pk": pk, "outlet_id": o, "date": d, "week": w, "source": "model",
                    "evidence": "[[0,10]]"}
            labels.append({**base, "layer": "domain", "label": nar[0][:3].rstrip(":"),
                           "confidence": 0.9})
            for x in nar:
                labels.append({**base, "layer": "narrative", "label": x,
                               "confidence": round(r.random(), 3)})
                labels.append({**base, "layer": "subnarrative", "label": f"{x}: Sub {r.randrange(4)}",
                               "confidence": round(r.random(), 3)})
            for t in r.sample(TECHNIQUES, r.randint(1, 3)):
                labels.append({**base, "layer": "technique", "label": t,
                               "confidence": round(r.random(), 3)})
            for e in r.sample(ENTITIES, r.randint(2, 4)):
                role = r.choice(ROLES)
                c = round(r.random(), 3)
                labels.append({**base, "layer": "entity_role", "label": f"{e}: {role}",
                               "confidence": c})
                roles.append({"article_pk": pk, "entity": e, "role": role, "confidence": c,
                              "mentions": 1, "outlet_id": o, "date": d, "fine_roles": "[]",
                              "kind": None})
        if store.dialect == "sqlite":  # stored as SQLAlchemy's types store them
            for rows in (arts, labels, roles):
                for r in rows:
                    r["date"] = r["date"].isoformat()
                    if "week" in r:
                        r["week"] = r["week"].isoformat()
        with store.engine.begin() as conn:
            _bulk_insert(conn, S.articles, arts)
            _bulk_insert(conn, S.labels, labels)
            _bulk_insert(conn, S.entity_roles, roles)
        done = b0 + m
        rate = (done - have) / (time.perf_counter() - t0)
        print(f"built {done}/{n} ({rate:.0f} articles/s)", file=sys.stderr, flush=True)
    if store.dialect == "sqlite":
        from sqlalchemy import text as sql

        with store.engine.connect() as conn:
            conn.execute(sql("ANALYZE"))
            conn.commit()
    store.close()


def _pct(xs: list[float]) -> dict:
    xs = sorted(xs)
    return {"p50_ms": round(statistics.median(xs), 1),
            "p95_ms": round(xs[min(len(xs) - 1, int(0.95 * len(xs)))], 1), "runs": len(xs)}


def time_queries(url: str, repeat: int) -> dict:
    from narrascope.store import ArticleFilter, open_store
    from narrascope.store.synthetic import NARRATIVES

    store = open_store(url, readonly=True)
    rng = random.Random(9)
    outlets = [o.name for o in store.outlets()]
    # words by document frequency band, from the full-text index itself
    from narrascope.store.synthetic import Synth

    vocab = Synth(21).vocab
    months = [(dt.date(2024 + m // 12, m % 12 + 1, 1)) for m in range(24)]

    def month_end(d: dt.date) -> dt.date:
        nxt = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)

    def run(fn, make) -> dict:  # type: ignore[no-untyped-def]
        for _ in range(3):
            fn(*make())
        times, cpu = [], []
        for _ in range(repeat):
            a = make()
            t, c = time.perf_counter(), time.process_time()
            fn(*a)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        out = _pct(times)
        cp = _pct(cpu)  # CPU time of this process (SQLite runs in it; a PostgreSQL server not)
        out["cpu_p50_ms"], out["cpu_p95_ms"] = cp["p50_ms"], cp["p95_ms"]
        return out

    def q_outlet_month(o: str, m: dt.date) -> None:
        f = ArticleFilter(outlet=[o], since=m, until=month_end(m))
        store.count(f)
        store.list_articles(f, limit=50)

    def q_counts(f: ArticleFilter, labels: list[str] | None) -> None:
        store.label_counts("narrative", "week", f, by_outlet=True, labels=labels)

    def q_text(word: str) -> None:
        f = ArticleFilter(text=word)
        store.count(f)
        store.list_articles(f, limit=50)

    def q_text_outlet(word: str, o: str) -> None:
        f = ArticleFilter(text=word, outlet=[o])
        store.count(f)
        store.list_articles(f, limit=50)

    res: dict = {"articles": store.count()}
    res["articles_of_one_outlet_in_a_month (count + first page of 50)"] = run(
        q_outlet_month, lambda: (rng.choice(outlets), rng.choice(months)))
    res["narrative_counts_per_week_per_outlet, one quarter, all narratives"] = run(
        q_counts, lambda: ((lambda m: ArticleFilter(since=m, until=m + dt.timedelta(days=90)))(
            rng.choice(months[:-3])), None))
    res["narrative_counts_per_week_per_outlet, two years, one narrative"] = run(
        q_counts, lambda: (None, [rng.choice(NARRATIVES)]))
    res["narrative_counts_per_week_per_outlet, two years, all narratives"] = run(
        q_counts, lambda: (None, None))
    ranks = {"rare word (rank ~3000 of 5000)": (2500, 3500),
             "medium word (rank ~500)": (400, 600),
             "frequent word (rank ~50)": (40, 60)}
    for name, (lo, hi) in ranks.items():
        words = vocab[lo:hi]
        res[f"full_text_search, {name} (count + first page of 50)"] = run(
            q_text, lambda w=words: (rng.choice(w),))
        hits = store.count(ArticleFilter(text=words[0]))
        res[f"full_text_search, {name} (count + first page of 50)"]["example_hits"] = hits
    res["full_text_search, medium word, one outlet"] = run(
        q_text_outlet, lambda: (rng.choice(vocab[400:600]), rng.choice(outlets)))
    store.close()
    return res


def cmd_query(args: argparse.Namespace) -> dict:
    work = Path(args.dir)
    work.mkdir(parents=True, exist_ok=True)
    out: dict = {"machine": _machine(), "sqlite": {}}
    db = work / "query.db"
    url = f"sqlite:///{db}"
    if args.rebuild:
        for f in work.glob(db.name + "*"):
            f.unlink()
    sizes = sorted(int(x) for x in args.sizes.split(",")) if args.sizes else [args.n]
    for size in sizes:
        t = time.perf_counter()
        build_query_store(url, size, args.chars)
        res: dict = {"build_s": round(time.perf_counter() - t),
                     "db_mb_per_1000_articles": round(db_size(url) / size * 1000 / 2**20, 2),
                     "load_avg_1min": round(os.getloadavg()[0], 2)}
        res.update(time_queries(url, args.repeat))
        out["sqlite"][str(size)] = res
        print(json.dumps({size: res}, indent=1), file=sys.stderr, flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=2, default=str) + "\n",
                                       encoding="utf-8")
    server = pg_url(args.pg)
    if server:
        name = f"narrascope_bench_query_{args.n}"
        purl = fresh_pg_db(server, name)
        t = time.perf_counter()
        build_query_store(purl, args.n, args.chars)
        out["postgresql_build_s"] = round(time.perf_counter() - t)
        from sqlalchemy import text as sql

        from narrascope.store import open_store

        s = open_store(purl)
        with s.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sql("VACUUM ANALYZE"))
        s.close()
        out["postgresql_db_mb_per_1000_articles"] = round(db_size(purl) / args.n * 1000 / 2**20, 2)
        out["postgresql"] = time_queries(purl, args.repeat)
        print(json.dumps(out["postgresql"], indent=1), file=sys.stderr)
    return out


def _machine() -> dict:
    return {"cpus": os.cpu_count(), "load_avg_1min": round(os.getloadavg()[0], 2),
            "date": dt.date.today().isoformat()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("ingest", help="JSONL -> store throughput, memory, size")
    a.add_argument("-n", type=int, default=100_000)
    a.add_argument("--pg", default="auto", help="PostgreSQL server URL, 'auto' (start one with "
                   "scripts/postgres.sh) or 'none'")
    a.add_argument("--vectors", action="store_true", help="compute vectors (sentence encoder)")
    a.add_argument("--no-again", dest="again", action="store_false",
                   help="skip the second ingest of the same input into SQLite")
    a.add_argument("--store-only", action="store_true",
                   help="time only Store.ingest_batch in this process (reading not timed)")
    a.add_argument("--stages", action="store_true",
                   help="CPU per record of each step (read, rows, inserts, rest) in this "
                   "process, SQLite")
    q = sub.add_parser("query", help="query latency on an N-article store")
    q.add_argument("-n", type=int, default=1_000_000)
    q.add_argument("--chars", type=int, default=1000, help="text characters per article")
    q.add_argument("--repeat", type=int, default=40)
    q.add_argument("--sizes", help="grow the store step by step and time the queries at each "
                   "size, e.g. 250000,500000,1000000")
    q.add_argument("--pg", default="none")
    q.add_argument("--rebuild", action="store_true")
    for p in (a, q):
        p.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "narrascope-bench-store"))
        p.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    out = cmd_ingest(args) if args.cmd == "ingest" else cmd_query(args)
    text = json.dumps(out, indent=2, default=str)
    print(text)
    if args.json:
        Path(args.json).write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
