"""Throughput of the entities component (``python -m narrascope.components.entities.bench``).

Builds ~600-word articles from the ``.txt`` files of a folder (default
``../shared/seeds``), runs ``sentences`` and ``encoder`` first (not timed), then
times the ``entities`` component over one batch, three times.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from narrascope.doc import Article
from narrascope.registry import registry


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", nargs="?",
                    default=str(Path(__file__).resolve().parents[5] / "shared" / "seeds"))
    ap.add_argument("-n", type=int, default=32, help="articles per batch")
    ap.add_argument("--words", type=int, default=600)
    args = ap.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted(Path(args.folder).glob("*.txt"))]
    if not texts:
        raise SystemExit(f"no .txt files in {args.folder}")
    bodies = []
    for i in range(args.n):
        words = "\n\n".join(texts[(i + k) % len(texts)] for k in range(3)).split(" ")
        bodies.append(" ".join(words[: args.words + i % 7]))
    sent, enc, ents = (registry.create(n) for n in ("sentences", "encoder", "entities"))

    def fresh() -> list[Article]:
        arts = [Article(id=str(i), text=t) for i, t in enumerate(bodies)]
        return list(enc.pipe(list(sent.pipe(arts))))

    list(ents.pipe(fresh()[:2]))  # warm-up: load spaCy and the encoder
    words = sum(len(b.split()) for b in bodies) / len(bodies)
    for _ in range(3):
        arts = fresh()
        t0, c0 = time.perf_counter(), time.process_time()
        list(ents.pipe(arts, batch_size=len(arts)))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"entities: {wall / len(arts):.4f} s/article wall, {cpu / len(arts):.4f} s/article "
              f"CPU ({len(arts)} articles of ~{words:.0f} words)")


if __name__ == "__main__":
    main()
