"""Data scripts: compose the article files and count labels for the datasheet.

``python -m narrascope.components.narratives.scripts compose|stats [--data DIR]`` works
without the CLI too.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from narrascope.components.narratives.data import (
    compose_articles,
    label_counts,
    read_articles,
    read_passages,
    split_passages,
    usable_passages,
    validate_passages,
    write_articles,
)
from narrascope.components.narratives.taxonomy import load_taxonomy
from narrascope.train.narratives.training import N_ARTICLES


def _passages_dir(data: Path) -> Path:
    return data / "passages" if (data / "passages").is_dir() else data


def compose_files(data: str | Path, taxonomy: str | Path | None = None,
                  seed: int = 0) -> list[tuple[Path, int]]:
    """Write ``articles-{train,dev,test}.jsonl`` next to the passages (deterministic)."""
    data = Path(data)
    tax = load_taxonomy(taxonomy)
    raw, _ = read_passages(_passages_dir(data))
    splits = split_passages(usable_passages(raw, tax))
    out = []
    for split in ("train", "dev", "test"):
        arts = compose_articles(splits[split], tax, N_ARTICLES[split], seed=seed, split=split)
        path = data / f"articles-{split}.jsonl"
        write_articles(arts, path)
        out.append((path, len(arts)))
    return out


def stats_markdown(data: str | Path, taxonomy: str | Path | None = None) -> str:
    """Markdown tables: passages per label/split, kinds, registers, negative types."""
    data = Path(data)
    tax = load_taxonomy(taxonomy)
    raw, errors = read_passages(_passages_dir(data))
    problems = errors + validate_passages(raw, tax)
    ps = usable_passages(raw, tax)
    splits = split_passages(ps)
    counts = {s: label_counts(v) for s, v in splits.items()}
    total = label_counts(ps)
    lines = [f"Passages: {len(raw)} read, {len(ps)} usable, {len(problems)} validation "
             f"problem(s); files: {len(list(_passages_dir(data).glob('*.jsonl')))}.", ""]
    kinds = Counter(p.kind for p in ps)
    regs = Counter(p.register for p in ps)
    negs = Counter(p.negative_type for p in ps if p.kind == "negative")
    doms = Counter(p.domain for p in ps)
    lines.append("| kind | n |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in
                                                           sorted(kinds.items())))
    lines.append("")
    lines.append("| domain | n |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in
                                                             sorted(doms.items())))
    lines.append("")
    lines.append("| negative_type | n |\n|---|---|\n" + "\n".join(
        f"| {k} | {v} |" for k, v in sorted(negs.items(), key=lambda x: str(x[0]))))
    lines.append("")
    lines.append("| register | n |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in
                                                               sorted(regs.items())))
    lines.append("")
    split_sizes = {s: len(v) for s, v in splits.items()}
    lines.append(f"Split by passage-id hash: {split_sizes}.")
    lines.append("")
    lines.append("| fine label | total | train | dev | test |\n|---|---|---|---|---|")
    low = []
    for lab in tax.subnarratives:
        n = total.get(lab, 0)
        lines.append(f"| {lab} | {n} | {counts['train'].get(lab, 0)} | "
                     f"{counts['dev'].get(lab, 0)} | {counts['test'].get(lab, 0)} |")
        need = 30 if tax.info[lab].domain == "URW" else 15
        if n < need:
            low.append(f"{lab} ({n} < {need})")
    lines.append("")
    lines.append(f"Fine labels below target ({len(low)}): " + ("; ".join(low) or "none") + ".")
    for split in ("train", "dev", "test"):
        f = data / f"articles-{split}.jsonl"
        if f.exists():
            arts = read_articles(f)
            other = sum(1 for a in arts if a.fine == [tax.other_label])
            n_sent = [a.text.count(". ") + a.text.count("\n") for a in arts]
            lines.append(f"- {f.name}: {len(arts)} articles, {other} without narrative, "
                         f"mean {sum(len(a.fine) for a in arts) / max(len(arts), 1):.2f} fine "
                         f"labels, ~{sum(n_sent) / max(len(arts), 1):.0f} sentence breaks each.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("command", choices=["compose", "stats", "validate"])
    ap.add_argument("--data", default="data/narratives")
    ap.add_argument("--taxonomy", default=None)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    if a.command == "compose":
        for path, n in compose_files(a.data, a.taxonomy, a.seed):
            print(f"{path}: {n} articles")
    elif a.command == "stats":
        print(stats_markdown(a.data, a.taxonomy))
    else:
        tax = load_taxonomy(a.taxonomy)
        raw, errors = read_passages(_passages_dir(Path(a.data)))
        problems = errors + validate_passages(raw, tax)
        print("\n".join(problems))
        print(f"{len(raw)} passages, {len(problems)} problem(s)")
        raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
