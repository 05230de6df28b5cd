"""Technique density on the real development set: does it tell pro-Kremlin from mainstream?

Runs ``sentences,encoder[,voice],techniques`` over ``../shared/dev-real/articles`` and
reports, per stance, the mean ``techniques.density_per_1000_words`` (the component's own
definition: spans x 1000 / words of the non-boilerplate sentences), the ROC AUC of that
density for pro-Kremlin (positive) against mainstream articles, the spans per technique
and source by stance, and the number of spans that lie inside a repeated headline (the
title line written again in the body) or in clutter (boilerplate or ``voice ==
"clutter"`` sentences).  Nothing of the set is written into the repository.

    .venv/bin/python benchmarks/techniques_devreal.py
    .venv/bin/python benchmarks/techniques_devreal.py --set threshold_scale=1.0
    .venv/bin/python benchmarks/techniques_devreal.py --model-scores /tmp/scores.npz
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from statistics import fmean

from devreal_options import parse_options  # a sibling module of these scripts

from narrascope.evaluate.labels import separation_auc

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "dev-real"
#: stances whose sentences count as plain reporting for the calibration
PLAIN = ("mainstream", "unrelated", "climate-mainstream")
MARGIN = 0.01


auc = separation_auc  # the one definition, in narrascope.evaluate


def repeated_title_regions(article) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Where the article's title line is written again after itself."""
    title = (article.title or article.text.split("\n", 1)[0]).strip()
    if len(title) < 12:
        return []
    out = []
    i = article.text.find(title, 1)
    while i >= 0:
        out.append((i, i + len(title)))
        i = article.text.find(title, i + 1)
    return out


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--components", default="sentences,encoder,voice,techniques")
    ap.add_argument("--set", action="append", default=[], metavar="OPT=VALUE",
                    help="techniques component option")
    ap.add_argument("--model-scores", type=Path, default=None,
                    help="save the sentence model's probabilities per sentence (npz) with stances")
    ap.add_argument("--spans", action="store_true", help="print every span (text cut to 60)")
    ap.add_argument("--calibrate", type=Path, default=None, metavar="JSON",
                    help="write per-technique thresholds: above every model score on the "
                    "analysed sentences of mainstream, unrelated and climate-mainstream articles")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if not (args.dev / "meta.jsonl").is_file():
        print(f"{args.dev}: no dev-real set here; nothing measured", file=sys.stderr)
        return {}

    import numpy as np

    import narrascope
    from narrascope.read import read_articles
    from narrascope.registry import registry

    names = [c for c in args.components.split(",") if c in set(registry.names())]
    opts = parse_options(args.set)
    nlp = narrascope.load({"pipeline": {"components": names, "batch_size": 16},
                           "components": {"techniques": opts}})
    stance = {}
    for line in (args.dev / "meta.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            stance[r["id"]] = r["stance"]
    files = sorted((args.dev / "articles").glob("*.txt"))
    dens: dict[str, list[float]] = defaultdict(list)
    per_tech: dict[str, Counter] = defaultdict(Counter)
    in_title = in_clutter = 0
    scores: list[np.ndarray] = []
    score_stance: list[str] = []
    comp = nlp.get("techniques")
    for a in nlp.pipe(read_articles(files)):
        st = stance.get(a.id.removesuffix(".txt"), "?")
        t = a.techniques
        if t is None:
            continue
        dens[st].append(t.density_per_1000_words)
        regions = repeated_title_regions(a)
        clutter = {s.index for s in a.sentences
                   if s.kind == "boilerplate" or getattr(s, "voice", None) == "clutter"}
        for sp in t.spans:
            src = getattr(sp, "source", None) or getattr(sp, "detector", "?")
            lab = getattr(sp, "label", None) or getattr(sp, "technique", "?")
            per_tech[st][f"{lab} ({src})"] += 1
            if any(s <= sp.start and sp.end <= e for s, e in regions):
                in_title += 1
            if sp.sentence in clutter:
                in_clutter += 1
            if args.spans:
                print(f"{a.id:14} {st:15} {lab:28} {src:7} {sp.text[:60]!r}")
        if (args.model_scores is not None or args.calibrate is not None) \
                and getattr(comp, "model", None) is not None:
            from narrascope.components.encoder import sentence_vectors

            content = [s for s in comp.content(a)
                       if len(s.text.split()) >= comp.min_sentence_words]
            if content:
                P = comp.model.predict_proba(sentence_vectors(a)[[s.index for s in content]])
                scores.append(P)
                score_stance.extend([st] * len(content))
    out = {
        "mean_density": {k: round(fmean(v), 2) for k, v in sorted(dens.items())},
        "articles": {k: len(v) for k, v in sorted(dens.items())},
        "auc_prokremlin_vs_mainstream": round(auc(dens["pro-kremlin"], dens["mainstream"]), 3),
        "auc_prokremlin_vs_all_other_urw_free": round(auc(
            dens["pro-kremlin"], dens["mainstream"] + dens["unrelated"]
            + dens["climate-mainstream"]), 3),
        "auc_climate_skeptic_vs_climate_mainstream": round(auc(
            dens["climate-skeptic"], dens["climate-mainstream"]), 3),
        "spans_in_repeated_headline": in_title,
        "spans_in_clutter": in_clutter,
        "spans_by_stance": {k: sum(v.values()) for k, v in sorted(per_tech.items())},
        "per_technique": {k: dict(v.most_common()) for k, v in sorted(per_tech.items())},
    }
    if args.calibrate is not None and scores:
        P = np.vstack(scores)
        plain = np.isin(np.array(score_stance), list(PLAIN))
        thr = {lab: round(min(0.999, float(P[plain, j].max()) + MARGIN), 4)
               for j, lab in enumerate(comp.model.labels)}
        args.calibrate.write_text(json.dumps({
            "how": "per technique: the highest sentence-model score on the analysed sentences "
                   f"of the real development set's {', '.join(sorted(PLAIN))} articles "
                   f"({int(plain.sum())} sentences) + {MARGIN}; the component uses "
                   "max(trained threshold at its threshold_scale, this)",
            "command": "python benchmarks/techniques_devreal.py --calibrate FILE",
            "thresholds": thr}, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.calibrate}")
    if args.model_scores is not None and scores:
        np.savez(args.model_scores, P=np.vstack(scores), stance=np.array(score_stance),
                 labels=np.array(comp.model.labels), thresholds=comp.model.thresholds)
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for k, v in out.items():
            if k != "per_technique":
                print(f"{k}: {v}")
        for st, v in out["per_technique"].items():
            print(f"  {st}: {v}")
    return out


if __name__ == "__main__":
    main()
