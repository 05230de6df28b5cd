#!/usr/bin/env python3
"""Fuzz every reader and the SemEval side inputs; count crashes, stalls and lost records.

    .venv/bin/python scripts/fuzz.py -n 10000            # the full run (a few minutes)
    .venv/bin/python scripts/fuzz.py -n 500 --seed 7     # a quick one

Each input is a file of one kind (``.txt``, ``.jsonl``, ``.csv``, ``.parquet``,
``.html``, a SemEval mentions or dominant-narratives file), made by mutating
well-formed seeds with hostile pieces (invalid UTF-8, lone surrogates, NUL, deep
nesting, huge numbers, NaN, stray quotes, control characters, U+2028, long runs of
punctuation, BOMs, truncation).  Line-based inputs mix *good* records (known ids)
with fuzzed ones.  For every input the script checks that

* reading never raises and ends within ``--stall`` CPU seconds;
* every error is one line ``PATH:LINE: error: ...`` naming the input and a line that
  exists in it;
* every good record is read (none lost next to a bad one);
* every article read splits into sentences, serialises to JSON and encodes as UTF-8,
  and every span of it matches the text.

With ``--pipeline N``, the first N articles read from fuzzed inputs also go through the
whole default pipeline (``Pipeline.pipe`` with ``on_error``): no exception may escape, every
article must come out, with exact spans, and serialise.

It prints one line of counts per kind and a total, and exits 1 when any check failed.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from narrascope.components.sentences import SentenceSplitter
from narrascope.doc import Article, iter_spans
from narrascope.read import ReadError, read_articles
from narrascope.read.semeval import attach_mentions, read_dominant, read_mentions
from narrascope.write import article_record

MAX_CHARS = 200_000
HOSTILE = [
    b"\xff", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\x1b[31m", b"\x1b]0;x\x07",
    "\u2028".encode(), "\u202e".encode(), b"\r", b"\r\n", b"\t", b'"', b'""', b",", b"\\",
    b"\\ud800", b"\\udfff", b"NaN", b"Infinity", b"-0", b"1e999", b"9" * 5000, b"[" * 3000,
    b"{" * 600, b"?" * 5000, b"A. " * 500, b"\xef\xbb\xbf", b"<script>alert(1)</script>",
    b"&amp;", b"<p>", b"date 2025-13-45 ", b"date 2025-04-10 ", b"10/04/2025",
    b"\x85", b"\x0c", b"\x7f", "é".encode("latin-1"), "“”".encode("cp1252"),
]
_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): error: \S")


@dataclass
class Outcome:
    crashes: int = 0
    stalls: int = 0
    bad_messages: int = 0
    lost: int = 0
    bad_articles: int = 0
    inputs: int = 0
    articles: int = 0
    errors: int = 0
    examples: list[str] = field(default_factory=list)

    def add(self, other: Outcome) -> None:
        for name in ("crashes", "stalls", "bad_messages", "lost", "bad_articles", "inputs",
                     "articles", "errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.examples += other.examples[: max(0, 10 - len(self.examples))]

    @property
    def failures(self) -> int:
        return self.crashes + self.stalls + self.bad_messages + self.lost + self.bad_articles


def mutate(data: bytes, rng: random.Random, n: int | None = None) -> bytes:
    """``data`` with a few hostile pieces inserted, bytes flipped or cut off."""
    out = bytearray(data)
    for _ in range(n if n is not None else rng.randint(1, 4)):
        op = rng.random()
        pos = rng.randint(0, len(out)) if out else 0
        if op < 0.55:
            out[pos:pos] = rng.choice(HOSTILE)
        elif op < 0.75 and out:
            out[min(pos, len(out) - 1)] = rng.randrange(256)
        elif op < 0.85:
            del out[pos:pos + rng.randint(1, 20)]
        elif op < 0.95:
            out[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        else:
            del out[pos:]
    return bytes(out)


def _text(rng: random.Random, words: int = 12) -> str:
    vocab = ["The", "minister", "said", "Kyiv", "NATO", "sanctions", "war", "élection",
             "“quoted”", "U.S.", "Mr.", "Putin", "climate", "data", "2025", "—", "report"]
    return " ".join(rng.choice(vocab) for _ in range(words)) + "."


# ------------------------------------------------------------------------------- inputs


def make_txt(rng: random.Random) -> tuple[bytes, set[str]]:
    seed = rng.choice([
        f"{_text(rng, 6)}\n\n{_text(rng)} {_text(rng)}\n",
        f" date 2025-04-1{rng.randint(0, 9)} {_text(rng)}\n{_text(rng)}",
        _text(rng, 40),
    ]).encode()
    return mutate(seed, rng), set()


#: Line numbers of the good records of the last input made (errors must not name them).
GOOD_LINES: set[int] = set()


def _line_mix(rng: random.Random, good: Callable[[int], bytes], bad: Callable[[], bytes],
              n: int, first_line: int = 1) -> tuple[bytes, set[str]]:
    lines: list[bytes] = []
    ids: set[str] = set()
    GOOD_LINES.clear()
    for i in range(n):
        if rng.random() < 0.5:
            lines.append(good(i))
            ids.add(f"good-{i}")
            GOOD_LINES.add(first_line + i)
        else:
            lines.append(bad().replace(b"\n", b" ").replace(b"\r", b" "))
    return b"\n".join(lines) + b"\n", ids


def make_jsonl(rng: random.Random) -> tuple[bytes, set[str]]:
    def good(i: int) -> bytes:
        return json.dumps({"id": f"good-{i}", "text": _text(rng), "date": "2025-04-10",
                           "source": "Example"}, ensure_ascii=rng.random() < 0.5).encode()

    def bad() -> bytes:
        rec = {"id": f"fz-{rng.randrange(10**6)}", "text": _text(rng),
               "date": rng.choice(["10/04/2025", "April 10, 2025", "x", "2025-02-30", ""]),
               "metadata": {"k": [1, 2, {"z": None}]}}
        return mutate(json.dumps(rec).encode(), rng)

    return _line_mix(rng, good, bad, rng.randint(2, 8))


def make_csv(rng: random.Random) -> tuple[bytes, set[str]]:
    odd_quotes = [0]

    def good(i: int) -> bytes:
        return f"good-{i},{_text(rng)},2025-04-10".encode()

    def bad() -> bytes:
        row = mutate(f"fz-{rng.randrange(10**6)},{_text(rng)},10/04/2025".encode(), rng)
        if row.count(b'"') % 2:  # two odd-quote lines would legally join the lines between
            if odd_quotes[0]:
                row = row.replace(b'"', b"'")
            odd_quotes[0] += 1
        return row

    body, ids = _line_mix(rng, good, bad, rng.randint(2, 8), first_line=2)
    return b"id,text,date\n" + body, ids


def make_html(rng: random.Random) -> tuple[bytes, set[str]]:
    page = (f"<html><head><title>{_text(rng, 5)}</title>"
            '<meta name="date" content="10/04/2025"></head><body><article>'
            f"<h1>{_text(rng, 5)}</h1><p>{_text(rng, 30)}</p><p>{_text(rng, 30)}</p>"
            "</article></body></html>").encode()
    return mutate(page, rng), set()


def make_parquet(rng: random.Random) -> tuple[bytes, set[str]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    n = rng.randint(1, 5)
    ids = [f"good-{i}" for i in range(n)]
    texts = [_text(rng) if rng.random() < 0.8 else rng.choice(["", "\x00x", "?" * 3000])
             for _ in range(n)]
    good = {i for i, t in zip(ids, texts, strict=True) if t.strip() and "\x00" not in t}
    buf = io.BytesIO()
    pq.write_table(pa.table({"id": ids, "text": texts,
                             "date": [rng.choice(["2025-04-10", "10/04/2025", None, "nope"])
                                      for _ in range(n)]}), buf)
    data = buf.getvalue()
    if rng.random() < 0.5:  # a damaged file: no record is promised
        return mutate(data, rng, 2), set()
    return data, good


def make_mentions(rng: random.Random) -> tuple[bytes, set[str]]:
    rows = [f"EN_{i}.txt\tPutin\t{rng.randint(0, 40)}\t{rng.randint(0, 45)}".encode()
            for i in range(rng.randint(1, 6))]
    data = b"\n".join(mutate(r, rng) if rng.random() < 0.5 else r for r in rows)
    if rng.random() < 0.1:
        data = data.decode("utf-8", "replace").encode("utf-16")
    return data, set()


def make_dominant(rng: random.Random) -> tuple[bytes, set[str]]:
    rows = [f"EN_{i}.txt\tURW: Discrediting Ukraine\tURW: Discrediting Ukraine: Other".encode()
            for i in range(rng.randint(1, 6))]
    data = b"\n".join(mutate(r, rng) if rng.random() < 0.5 else r for r in rows)
    return data, set()


KINDS: dict[str, tuple[str, Callable[[random.Random], tuple[bytes, set[str]]]]] = {
    "txt": (".txt", make_txt),
    "jsonl": (".jsonl", make_jsonl),
    "csv": (".csv", make_csv),
    "parquet": (".parquet", make_parquet),
    "html": (".html", make_html),
    "mentions": (".tsv", make_mentions),
    "dominant": (".tsv", make_dominant),
}


# ------------------------------------------------------------------------------- checks


def _check_message(err: ReadError, path: Path, nlines: int, out: Outcome,
                   good_lines: set[int] | None = None) -> None:
    m = _LINE.match(str(err))
    # Parquet has no lines: its messages number rows
    ok = (m is not None and "\n" not in str(err) and m.group("path") == str(path)
          and 1 <= int(m.group("line")) <= (10**9 if path.suffix == ".parquet" else max(nlines, 1)))
    if ok and good_lines and m is not None and int(m.group("line")) in good_lines:
        ok = False  # the error names the line of a good record: the wrong line
    if not ok:
        out.bad_messages += 1
        out.examples.append(f"bad message for {path.name}: {str(err)[:200]!r}")


def _check_article(art: Article, out: Outcome, splitter: SentenceSplitter) -> None:
    try:
        splitter(art)
        rec = article_record(art)
        json.dumps(rec, ensure_ascii=False, allow_nan=False).encode("utf-8")
        for sp in iter_spans(art):
            if art.text[sp.start:sp.end] != sp.text:
                raise ValueError(f"span {sp.start}-{sp.end} does not match")
    except Exception as exc:
        out.bad_articles += 1
        out.examples.append(f"article {art.id!r}: {type(exc).__name__}: {exc}"[:300])


def check_input(kind: str, data: bytes, good: set[str], folder: Path, name: str = "input",
                stall: float = 10.0, good_lines: set[int] | None = None,
                keep: list[Article] | None = None) -> Outcome:
    """Read one fuzzed input of ``kind`` (see :data:`KINDS`) and count what went wrong."""
    ext = KINDS[kind][0]
    path = folder / f"{name}{ext}"
    path.write_bytes(data)
    nlines = data.count(b"\n") + 1
    out = Outcome(inputs=1)
    errors: list[ReadError] = []
    splitter = SentenceSplitter()
    started = time.process_time()  # CPU time: a loaded machine is no stall
    try:
        if kind in ("mentions", "dominant"):
            if kind == "mentions":
                given = read_mentions(path, errors.append)
                art = Article(id="EN_1.txt", text="Title\n\nPutin said that Putin is here. " * 2)
                attach_mentions(art, given, str(path), errors.append)
            else:
                read_dominant(path, errors.append)
        else:
            arts = list(read_articles([path], max_chars=MAX_CHARS, on_error=errors.append,
                                      keep_layers=True))
            out.articles += len(arts)
            if keep is not None:
                keep.extend(a.model_copy(deep=True) for a in arts if not a.components)
            for art in arts:
                _check_article(art, out, splitter)
            missing = good - {a.id for a in arts}
            if missing:
                out.lost += len(missing)
                out.examples.append(f"lost {sorted(missing)} from {kind} input: "
                                    f"{[str(e) for e in errors][:3]} {data[:300]!r}")
    except Exception:
        out.crashes += 1
        out.examples.append(f"crash on {kind} input {data[:200]!r}:\n{traceback.format_exc()[-600:]}")
    if time.process_time() - started > stall:
        out.stalls += 1
        out.examples.append(f"stall ({time.process_time() - started:.1f} CPU-s) on {kind} input")
    out.errors += len(errors)
    for err in errors:
        _check_message(err, path, nlines, out, good_lines)
    return out


def run_pipeline(articles: list[Article]) -> Outcome:
    """The default pipeline over hostile articles: nothing may escape or get lost."""
    from narrascope.pipeline import Pipeline

    out = Outcome(inputs=len(articles))
    nlp = Pipeline.from_config(None)
    errors: list[str] = []
    seen: list[Article] = []
    started = time.perf_counter()
    ids = [a.id for a in articles]
    try:
        for art in nlp.pipe(articles, batch_size=8, on_error=lambda a, m: errors.append(m)):
            seen.append(art)
            try:
                json.dumps(article_record(art), ensure_ascii=False, allow_nan=False).encode()
                for sp in iter_spans(art):
                    if art.text[sp.start:sp.end] != sp.text:
                        raise ValueError(f"span {sp.start}-{sp.end} does not match")
            except Exception as exc:
                out.bad_articles += 1
                out.examples.append(f"pipeline article {art.id!r}: {type(exc).__name__}: {exc}"[:300])
    except Exception:
        out.crashes += 1
        out.examples.append(f"pipeline crash:\n{traceback.format_exc()[-800:]}")
    out.lost += len(ids) - len(seen)
    out.articles, out.errors = len(seen), len(errors)
    kinds = Counter(m.split(":")[0] for m in errors)
    print(f"pipeline  {len(articles):7} articles, {len(seen)} out, {len(errors)} component errors "
          f"({dict(kinds)}), {time.perf_counter() - started:.0f} s")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=10_000, help="inputs in all (default 10000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--stall", type=float, default=10.0, help="CPU seconds that count as a stall")
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds")
    ap.add_argument("--pipeline", type=int, default=0, metavar="N",
                    help="also run the first N articles read through the default pipeline")
    a = ap.parse_args(argv)
    kinds = [k for k in a.kinds.split(",") if k]
    rng = random.Random(a.seed)
    per_kind = {k: Outcome() for k in kinds}
    kept: list[Article] = []
    started = time.perf_counter()
    import warnings

    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.n):
            kind = kinds[i % len(kinds)]
            GOOD_LINES.clear()
            data, good = KINDS[kind][1](rng)
            per_kind[kind].add(check_input(kind, data, good, Path(tmp), f"in{i}", a.stall,
                                           set(GOOD_LINES),
                                           kept if len(kept) < a.pipeline else None))
    total = Outcome()
    print(f"{'kind':9} {'inputs':>7} {'articles':>8} {'errors':>7} {'crashes':>7} {'stalls':>6} "
          f"{'lost':>5} {'bad msg':>7} {'bad art':>7}")
    for kind, o in per_kind.items():
        total.add(o)
        print(f"{kind:9} {o.inputs:7} {o.articles:8} {o.errors:7} {o.crashes:7} {o.stalls:6} "
              f"{o.lost:5} {o.bad_messages:7} {o.bad_articles:7}")
    print(f"{'total':9} {total.inputs:7} {total.articles:8} {total.errors:7} {total.crashes:7} "
          f"{total.stalls:6} {total.lost:5} {total.bad_messages:7} {total.bad_articles:7}")
    if a.pipeline:
        total.add(run_pipeline(kept[: a.pipeline]))
    print(f"{time.perf_counter() - started:.0f} s, seed {a.seed}")
    for ex in total.examples:
        print("-", ex)
    return 1 if total.failures else 0


if __name__ == "__main__":
    sys.exit(main())
