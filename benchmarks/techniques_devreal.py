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
    .venv/bin/python benchmarks/techniques_devreal.py --cv 5
    .venv/bin/python benchmarks/techniques_devreal.py --cpu 24      # CPU-s per component

``--calibrate FILE`` writes the per-technique thresholds the component ships
(``calibration.json``): above every sentence-model score on the plain-reporting articles
(mainstream, unrelated, climate-mainstream).  Because those thresholds are chosen on the
same articles, the AUC of a run with them is in-sample; ``--cv K`` (default 5) reports the
honest number as well: the articles are split into K folds (stratified by stance, a
near-duplicate group kept in one fold), the thresholds are chosen on the plain articles of
the other folds only, and the densities of each fold's articles with its own thresholds
give the out-of-fold AUC (and the number of model spans on held-out plain articles).
A technique whose model still gives a span on a held-out plain article in an inner
cross-validation is switched off.  The margin is chosen by the same cross-validation
(fewest held-out plain articles given a model span, then the best out-of-fold AUC); the
patterns alone (no sentence model: nothing is calibrated on the set) are the other
candidate, and the one chosen is printed (``cross_validated_choice``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from statistics import fmean
from typing import Any

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


@dataclass
class Record:
    """What the cross-validation needs of one article: its counted pattern spans, the
    sentence model's scores on its eligible sentences, and its word count."""

    id: str
    stance: str
    group: str
    words: int
    counted_patterns: int
    pattern_keys: set[tuple[int, str]] = field(default_factory=set)
    sentences: list[tuple[int, str | None]] = field(default_factory=list)
    P: Any = None  # (len(sentences), techniques) float array


def plain_thresholds(records: list[Record], labels: list[str], margin: float = MARGIN
                     ) -> dict[str, float]:
    """Per technique: the highest model score on the plain-reporting articles' sentences
    + ``margin`` (at most 0.999)."""
    import numpy as np

    rows = [r.P for r in records if r.stance in PLAIN and r.P is not None and len(r.P)]
    if not rows:
        return {}
    P = np.vstack(rows)
    return {lab: round(min(0.999, float(P[:, j].max()) + margin), 4)
            for j, lab in enumerate(labels)}


def density(r: Record, thr: Any, labels: list[str], count_voices: tuple[str, ...],
            found: list[str] | None = None) -> tuple[float, int]:
    """The component's density for decision thresholds ``thr`` (the pattern spans are
    fixed; a model span where a pattern span of the technique lies in the sentence is not
    added), and the number of counted model spans."""
    n_model = 0
    if r.P is not None and len(r.P):
        hits = r.P >= thr
        for row, (idx, voice) in enumerate(r.sentences):
            if (voice or "own") not in count_voices:
                continue
            for j in hits[row].nonzero()[0]:
                if (idx, labels[j]) not in r.pattern_keys:
                    n_model += 1
                    if found is not None:
                        found.append(f"{r.id}:{idx}:{labels[j]}:{float(r.P[row, j]):.3f}")
    total = r.counted_patterns + n_model
    return (round(total * 1000.0 / r.words, 3) if r.words else 0.0), n_model


def folds_of(records: list[Record], k: int) -> dict[str, int]:
    """Group -> fold: stratified by stance (groups of a stance dealt round-robin in id
    order), a near-duplicate group in one fold."""
    groups: dict[str, str] = {}
    for r in records:
        groups.setdefault(r.group, r.stance)
    fold: dict[str, int] = {}
    by_stance: dict[str, list[str]] = defaultdict(list)
    for g, st in sorted(groups.items()):
        by_stance[st].append(g)
    offset = 0
    for st in sorted(by_stance):
        for i, g in enumerate(by_stance[st]):
            fold[g] = (i + offset) % k
        offset += len(by_stance[st])
    return fold


#: the threshold of a technique switched off (the model's probabilities never reach it)
OFF = 1.01


def fired(r: Record, thr: Any, labels: list[str]) -> set[str]:
    """Techniques the sentence model gives a span in article ``r`` (any voice)."""
    out: set[str] = set()
    if r.P is not None and len(r.P):
        hits = r.P >= thr
        for row, (idx, _) in enumerate(r.sentences):
            out.update(labels[j] for j in hits[row].nonzero()[0]
                       if (idx, labels[j]) not in r.pattern_keys)
    return out


def calibrate(train: list[Record], labels: list[str], base: Any, margin: float,
              inner: int) -> dict[str, float]:
    """Thresholds chosen on ``train`` only: per technique max(trained threshold, highest
    score on plain sentences + ``margin``); then, by an ``inner``-fold cross-validation
    inside ``train``, a technique whose model still gives a span on a held-out plain
    article is switched off (OFF): thresholding cannot make it precise on real text."""
    import numpy as np

    def thresholds(recs: list[Record]) -> Any:
        cal = plain_thresholds(recs, labels, margin)
        return np.maximum(base, np.array([cal.get(lab, 1.0) for lab in labels],
                                         dtype=np.float32))

    off: set[str] = set()
    if inner > 1:
        fold = folds_of(train, inner)
        for f in range(inner):
            thr = thresholds([r for r in train if fold[r.group] != f])
            for r in train:
                if fold[r.group] == f and r.stance in PLAIN:
                    off |= fired(r, thr, labels)
    thr = thresholds(train)
    return {lab: (OFF if lab in off else round(float(thr[j]), 4))
            for j, lab in enumerate(labels)}


def cross_validate(records: list[Record], comp: Any, model: Any, k: int,
                   margin: float = MARGIN) -> dict[str, Any]:
    """Out-of-fold densities: each fold's articles with thresholds chosen
    (:func:`calibrate`, its inner cross-validation included) on the other folds."""
    import numpy as np

    labels = list(model.labels)
    base = model.decision_thresholds(comp.threshold_scale, calibrated=False)
    fold = folds_of(records, k)
    voices = tuple(comp.count_voices)
    oof: dict[str, list[float]] = defaultdict(list)
    plain_model_spans = plain_articles_flagged = 0
    flagged: list[str] = []
    switched_off: Counter = Counter()
    for f in range(k):
        train = [r for r in records if fold[r.group] != f]
        cal = calibrate(train, labels, base, margin, k)
        switched_off.update(lab for lab, t in cal.items() if t >= OFF)
        thr = np.array([cal[lab] for lab in labels], dtype=np.float32)
        for r in records:
            if fold[r.group] != f:
                continue
            d, n_model = density(r, thr, labels, voices,
                                 flagged if r.stance in PLAIN else None)
            oof[r.stance].append(d)
            if r.stance in PLAIN:
                plain_model_spans += n_model
                plain_articles_flagged += n_model > 0
    uncal: dict[str, list[float]] = defaultdict(list)
    for r in records:
        uncal[r.stance].append(density(r, base, labels, voices)[0])
    return {
        "folds": k,
        "margin": margin,
        "auc_prokremlin_vs_mainstream_oof": round(auc(oof["pro-kremlin"],
                                                      oof["mainstream"]), 3),
        "auc_climate_skeptic_vs_climate_mainstream_oof": round(auc(
            oof["climate-skeptic"], oof["climate-mainstream"]), 3),
        "mean_density_oof": {st: round(fmean(v), 2) for st, v in sorted(oof.items())},
        "model_spans_on_held_out_plain_articles": plain_model_spans,
        "held_out_plain_articles_with_model_spans": plain_articles_flagged,
        "held_out_plain_model_spans": flagged,  # article:sentence:technique:score
        "switched_off_in_folds": dict(switched_off.most_common()),
        "auc_prokremlin_vs_mainstream_uncalibrated": round(auc(uncal["pro-kremlin"],
                                                               uncal["mainstream"]), 3),
    }


def cpu_seconds(n: int, repeats: int = 3) -> dict[str, float]:
    """CPU-seconds of each default-pipeline component on ``bench_analyze.make_articles(n)``
    (synthetic, the same articles as the speed benchmarks), the least of ``repeats`` runs
    after a warm-up batch: the techniques and fact_checks components' share of the work."""
    import time

    from bench_analyze import make_articles  # a sibling module of these scripts

    import narrascope

    nlp = narrascope.load()

    def run(arts: list) -> dict[str, float]:  # type: ignore[type-arg]
        took = {}
        for name, comp in nlp.components:
            t0 = time.process_time()
            arts = list(comp.pipe(arts, batch_size=len(arts)))
            took[name] = time.process_time() - t0
        return took

    run(make_articles(8, seed=1))
    runs = [run(make_articles(n)) for _ in range(repeats)]
    return {k: round(min(r[k] for r in runs), 3) for k in runs[0]}


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
    ap.add_argument("--cv", type=int, default=5, metavar="K",
                    help="folds of the out-of-fold calibration check (0: none)")
    ap.add_argument("--margins", default="0.01,0.03,0.05,0.1",
                    help="margins tried by the cross-validation; the one with the fewest "
                    "held-out plain articles given a model span (then the best out-of-fold "
                    "AUC, then the smaller margin) is the one --calibrate writes")
    ap.add_argument("--cpu", type=int, default=0, metavar="N",
                    help="instead: CPU-seconds per default-pipeline component on "
                    "bench_analyze.make_articles(N) (no dev-real needed)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    if args.cpu:
        took = cpu_seconds(args.cpu)
        print(json.dumps(took))
        print(f"techniques + fact_checks: {took['techniques'] + took['fact_checks']:.3f} "
              f"CPU-s of {sum(took.values()):.3f} for {args.cpu} articles")
        return took
    if not (args.dev / "meta.jsonl").is_file():
        print(f"{args.dev}: no dev-real set here; nothing measured", file=sys.stderr)
        return {}

    import numpy as np

    import narrascope
    from narrascope.components.encoder import sentence_vectors
    from narrascope.components.techniques.component import word_count
    from narrascope.components.techniques.model import load_model
    from narrascope.read import read_articles
    from narrascope.registry import registry

    names = [c for c in args.components.split(",") if c in set(registry.names())]
    opts = parse_options(args.set)
    nlp = narrascope.load({"pipeline": {"components": names, "batch_size": 16},
                           "components": {"techniques": opts}})
    stance: dict[str, str] = {}
    group: dict[str, str] = {}
    for line in (args.dev / "meta.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            stance[r["id"]] = r["stance"]
            group[r["id"]] = r.get("dup_group") or r["id"]
    files = sorted((args.dev / "articles").glob("*.txt"))
    dens: dict[str, list[float]] = defaultdict(list)
    per_tech: dict[str, Counter] = defaultdict(Counter)
    in_title = in_clutter = rep_in_title = rep_in_clutter = 0
    records: list[Record] = []
    comp = nlp.get("techniques")
    # the sentence model's scores are read even when the component runs without it (its
    # default): the cross-validation compares both
    model = comp.model if comp.model is not None else load_model(comp.model_dir)
    has_model = model is not None
    for a in nlp.pipe(read_articles(files)):
        aid = a.id.removesuffix(".txt")
        st = stance.get(aid, "?")
        t = a.techniques
        if t is None:
            continue
        dens[st].append(t.density_per_1000_words)
        regions = repeated_title_regions(a)
        clutter = {s.index for s in a.sentences
                   if s.kind == "boilerplate" or getattr(s, "voice", None) == "clutter"}
        for sp in t.spans:
            per_tech[st][f"{sp.label} ({sp.source})"] += 1
            title_hit = any(s <= sp.start and sp.end <= e for s, e in regions)
            in_title += title_hit
            in_clutter += sp.sentence in clutter
            if sp.label == "Repetition":
                rep_in_title += title_hit
                rep_in_clutter += sp.sentence in clutter
            if args.spans:
                print(f"{a.id:14} {st:15} {sp.label:28} {sp.source:7} {sp.text[:60]!r}")
        content = comp.content(a)
        rec = Record(id=aid, stance=st, group=group.get(aid, aid),
                     words=word_count(a, content),
                     counted_patterns=sum(1 for sp in t.spans if sp.source == "pattern"
                                          and (sp.voice or "own") in comp.count_voices),
                     pattern_keys={(sp.sentence, sp.label) for sp in t.spans
                                   if sp.source == "pattern" and sp.sentence is not None})
        if has_model:
            eligible = [s for s in content if len(s.text.split()) >= comp.min_sentence_words]
            if eligible:
                rec.sentences = [(s.index, s.voice) for s in eligible]
                rec.P = model.predict_proba(sentence_vectors(a)[[s.index for s in eligible]])
            shipped = (model.decision_thresholds(comp.threshold_scale, comp.calibrated)
                       if comp.model is not None else OFF)
            if abs(density(rec, shipped, list(model.labels), comp.count_voices)[0]
                   - t.density_per_1000_words) > 1e-6:  # the CV must model the component
                print(f"{aid}: density recomputed differs from the component's",
                      file=sys.stderr)
        records.append(rec)
    out: dict[str, Any] = {
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
        "repetition_spans_in_repeated_headline_or_clutter": rep_in_title + rep_in_clutter,
        "spans_by_stance": {k: sum(v.values()) for k, v in sorted(per_tech.items())},
        "per_technique": {k: dict(v.most_common()) for k, v in sorted(per_tech.items())},
    }
    margin = MARGIN
    if has_model and args.cv > 1:
        tried = [cross_validate(records, comp, model, args.cv, float(m))
                 for m in args.margins.split(",") if m.strip()]
        best = min(tried, key=lambda r: (r["held_out_plain_articles_with_model_spans"],
                                         -r["auc_prokremlin_vs_mainstream_oof"], r["margin"]))
        margin = best["margin"]
        out["cross_validated"] = best
        out["cross_validated_margins"] = {
            str(r["margin"]): [r["auc_prokremlin_vs_mainstream_oof"],
                               r["held_out_plain_articles_with_model_spans"]] for r in tried}
        # the other candidate: no sentence model at all (the patterns alone)
        patterns = defaultdict(list)
        for r in records:
            patterns[r.stance].append(density(r, OFF, list(model.labels),
                                              tuple(comp.count_voices))[0])
        out["patterns_only_auc_prokremlin_vs_mainstream"] = round(auc(
            patterns["pro-kremlin"], patterns["mainstream"]), 3)
        out["cross_validated_choice"] = (
            "patterns only (use_model = false)"
            if best["held_out_plain_articles_with_model_spans"] > 0
            and out["patterns_only_auc_prokremlin_vs_mainstream"]
            >= best["auc_prokremlin_vs_mainstream_oof"]
            else f"the sentence model with margin {margin}")
    if args.calibrate is not None and has_model:
        thr = calibrate(records, list(model.labels),
                        model.decision_thresholds(comp.threshold_scale, calibrated=False),
                        margin, args.cv)
        n_plain = sum(len(r.sentences) for r in records if r.stance in PLAIN)
        args.calibrate.write_text(json.dumps({
            "how": "per technique: max(trained threshold at threshold_scale "
                   f"{comp.threshold_scale}, the highest sentence-model score on the analysed "
                   f"sentences of the real development set's {', '.join(sorted(PLAIN))} "
                   f"articles ({n_plain} sentences) + {margin}); {OFF} (off) for a technique "
                   f"whose model still gave a span on a held-out plain article in a "
                   f"{args.cv}-fold cross-validation of that rule; the margin chosen by the "
                   "same cross-validation; the component uses max(trained threshold at its "
                   "threshold_scale, this)",
            "cross_validated": {k: v for k, v in (out.get("cross_validated") or {}).items()
                                if k != "held_out_plain_model_spans"},
            "cross_validated_choice": out.get("cross_validated_choice"),
            "command": "python benchmarks/techniques_devreal.py --calibrate FILE",
            "thresholds": thr}, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.calibrate}", file=sys.stderr)
    if args.model_scores is not None and has_model:
        with_p = [r for r in records if r.P is not None]
        np.savez(args.model_scores, P=np.vstack([r.P for r in with_p]),
                 stance=np.array([r.stance for r in with_p for _ in r.sentences]),
                 labels=np.array(model.labels), thresholds=model.thresholds)
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
