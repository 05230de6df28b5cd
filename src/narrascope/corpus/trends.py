"""Narrative prevalence over time, entity framing, technique density, emerging labels.

Prevalence of a label in a group of articles (an outlet, an outlet network, or all)
and a period (day, week = ISO week from Monday, month) is the confidence-weighted
share of the group's articles that carry it: ``sum(confidence) / articles``, counting
only labels with confidence >= ``min_confidence`` (``weighted=False``: the plain share
of articles).

Emerging (:func:`emerging`): for each label (or story cluster) the articles in the
last ``window_days`` before the reference date are compared with the same label's daily
rate in the ``baseline_days`` before that window.  With ``expected = rate * window``
the burst score is the Poisson z-score ``(observed - expected) / sqrt(expected + 1)``
(the +1 keeps labels never seen before finite); a label is emerging when the score is
>= ``min_score`` and it has >= ``min_count`` articles in the window.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

PERIODS = ("day", "week", "month")


def bucket(d: dt.date, period: str) -> dt.date:
    if period == "day":
        return d
    if period == "week":
        return d - dt.timedelta(days=d.weekday())
    if period == "month":
        return d.replace(day=1)
    raise ValueError(f"period must be one of {', '.join(PERIODS)}")


def _groups(store: Any, by: str) -> dict[str | None, str]:
    if by == "network":
        return {o.name: (o.network or o.name) for o in store.outlets()}
    return {}


def _group_of(outlet: str | None, by: str, networks: dict[str | None, str]) -> str:
    if by == "all":
        return "all"
    if by == "network":
        return networks.get(outlet, outlet or "(unknown)")
    return outlet or "(unknown)"


def article_counts(store: Any, f: Any, period: str, by: str) -> Counter[tuple[dt.date, str]]:
    networks = _groups(store, by)
    c: Counter[tuple[dt.date, str]] = Counter()
    for s in store.list_articles(f, limit=None, order="date"):
        if s.date is not None:
            c[(bucket(s.date, period), _group_of(s.outlet, by, networks))] += 1
    return c


def prevalence(store: Any, layer: str = "narrative", period: str = "week", by: str = "outlet",
               min_confidence: float = 0.0, weighted: bool = True, f: Any = None,
               labels: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Rows ``period, group, label, articles, weight, total, prevalence``."""
    networks = _groups(store, by)
    totals = article_counts(store, f, period, by)
    acc: dict[tuple[dt.date, str, str], list[float]] = defaultdict(lambda: [0, 0.0])
    want = set(labels) if labels else None
    seen: set[tuple[str, str]] = set()
    for r in store.label_rows(layer, f, min_confidence=min_confidence):
        if r.date is None or (want is not None and r.label not in want):
            continue
        if (r.article_id, r.label) in seen:
            continue
        seen.add((r.article_id, r.label))
        key = (bucket(r.date, period), _group_of(r.outlet, by, networks), r.label)
        acc[key][0] += 1
        acc[key][1] += r.confidence if weighted else 1.0
    out = []
    for (p, g, lab), (n, w) in acc.items():
        tot = totals.get((p, g), 0) or n
        out.append({"period": p.isoformat(), "group": g, "label": lab, "articles": int(n),
                    "weight": round(w, 4), "total": tot, "prevalence": round(w / tot, 4)})
    out.sort(key=lambda r: (r["period"], r["group"], -r["prevalence"], r["label"]))
    return out


def entity_framing(store: Any, entity: str | None = None, role: str = "Antagonist",
                   period: str = "month", by: str = "outlet", f: Any = None,
                   min_articles: int = 1) -> list[dict[str, Any]]:
    """Share of the articles framing an entity that cast it in ``role``, per period/group."""
    networks = _groups(store, by)
    acc: dict[tuple[dt.date, str, str], set[str]] = defaultdict(set)
    hit: dict[tuple[dt.date, str, str], set[str]] = defaultdict(set)
    for r in store.entity_roles(f, entity=entity):
        if r.date is None:
            continue
        key = (bucket(r.date, period), _group_of(r.outlet, by, networks), r.entity)
        acc[key].add(r.article_id)
        if r.role == role:
            hit[key].add(r.article_id)
    out = []
    for key, arts in acc.items():
        if len(arts) < min_articles:
            continue
        p, g, e = key
        out.append({"period": p.isoformat(), "group": g, "entity": e, "role": role,
                    "articles": len(arts), "in_role": len(hit.get(key, ())),
                    "share": round(len(hit.get(key, ())) / len(arts), 4)})
    out.sort(key=lambda r: (r["period"], r["group"], -r["articles"], r["entity"]))
    return out


def technique_density(store: Any, by: str = "outlet", f: Any = None,
                      min_confidence: float = 0.0) -> list[dict[str, Any]]:
    """Per group: articles, words, technique labels per 1000 words, top techniques."""
    from narrascope.corpus.shingles import tokens

    networks = _groups(store, by)
    words: Counter[str] = Counter()
    arts: Counter[str] = Counter()
    group_of: dict[str, str] = {}
    for row in store.iter_texts(f):
        g = _group_of(row.outlet, by, networks)
        group_of[row.id] = g
        words[g] += len(tokens(row.text))
        arts[g] += 1
    tech: dict[str, Counter[str]] = defaultdict(Counter)
    for r in store.label_rows("technique", f, min_confidence=min_confidence):
        g = group_of.get(r.article_id)
        if g is not None:
            tech[g][r.label] += 1
    out = []
    for g in sorted(arts):
        n = sum(tech[g].values())
        out.append({"group": g, "articles": arts[g], "words": words[g], "techniques": n,
                    "per_1000_words": round(1000 * n / max(1, words[g]), 3),
                    "top": [t for t, _ in tech[g].most_common(3)]})
    out.sort(key=lambda r: (-r["per_1000_words"], r["group"]))
    return out


def burst(observed: int, baseline: int, window_days: int, baseline_days: int) -> tuple[float,
                                                                                      float]:
    """(expected, score) of the burst statistic in this module's docstring."""
    expected = baseline / max(1, baseline_days) * window_days
    return expected, (observed - expected) / math.sqrt(expected + 1)


def emerging_counts(events: Iterable[tuple[str, dt.date]], as_of: dt.date | None = None,
                    window_days: int = 7, baseline_days: int = 28, min_count: int = 3,
                    min_score: float = 3.0, kind: str = "narrative") -> list[dict[str, Any]]:
    """Emerging keys among ``(key, date)`` events (one per article and key)."""
    events = list(events)
    if not events:
        return []
    as_of = as_of or max(d for _, d in events)
    w0 = as_of - dt.timedelta(days=window_days - 1)
    b0 = w0 - dt.timedelta(days=baseline_days)
    obs: Counter[str] = Counter()
    base: Counter[str] = Counter()
    first: dict[str, dt.date] = {}
    for k, d in events:
        first[k] = min(first.get(k, d), d)
        if w0 <= d <= as_of:
            obs[k] += 1
        elif b0 <= d < w0:
            base[k] += 1
    out = []
    for k, o in obs.items():
        exp, score = burst(o, base[k], window_days, baseline_days)
        if o >= min_count and score >= min_score:
            out.append({"kind": kind, "key": k, "window": o, "baseline": base[k],
                        "expected": round(exp, 3), "score": round(score, 3),
                        "first_seen": first[k].isoformat(),
                        "new": first[k] >= w0, "as_of": as_of.isoformat()})
    out.sort(key=lambda r: (-r["score"], r["key"]))
    return out


# ------------------------------------------------------------------------------ plots


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_prevalence(rows: Sequence[dict[str, Any]], path: Path, kind: str = "lines",
                    top: int = 8, title: str | None = None) -> None:
    """Lines or stacked areas of the top labels over time (all groups pooled, weighted by
    articles); ``kind="heatmap"``: group x label heat map of the mean prevalence."""
    plt = _plt()
    if kind == "heatmap":
        return _heatmap(rows, path, top, title, plt)
    weight: dict[tuple[str, str], float] = defaultdict(float)
    total: dict[str, int] = {}
    for r in rows:
        weight[(r["period"], r["label"])] += r["weight"]
        total.setdefault(r["period"], 0)
    per_group_tot: dict[tuple[str, str], int] = {}
    for r in rows:
        per_group_tot[(r["period"], r["group"])] = r["total"]
    for (p, _g), t in per_group_tot.items():
        total[p] += t
    best = Counter()
    for (_p, lab), w in weight.items():
        best[lab] += w
    labels = [lab for lab, _ in best.most_common(top)]
    periods = sorted(total)
    xs = [dt.date.fromisoformat(p) for p in periods]
    series = [[weight.get((p, lab), 0.0) / max(1, total[p]) for p in periods] for lab in labels]
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=110)
    if kind == "area" and series:
        ax.stackplot(xs, series, labels=[_short(lab) for lab in labels], alpha=0.85)
    else:
        for lab, ys in zip(labels, series, strict=True):
            ax.plot(xs, ys, marker="o", ms=3, label=_short(lab))
    ax.set_ylabel("confidence-weighted share of articles")
    ax.set_title(title or "Narrative prevalence")
    if labels:
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _short(label: str, n: int = 48) -> str:
    return label if len(label) <= n else label[: n - 1] + "\u2026"


def _heatmap(rows: Sequence[dict[str, Any]], path: Path, top: int, title: str | None,
             plt: Any) -> None:
    import numpy as np

    w: dict[tuple[str, str], float] = defaultdict(float)
    tot: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        w[(r["group"], r["label"])] += r["weight"]
        tot[r["group"]][r["period"]] = r["total"]
    groups = sorted(tot)
    best = Counter()
    for (_g, lab), x in w.items():
        best[lab] += x
    labels = [lab for lab, _ in best.most_common(top)]
    m = np.array([[w.get((g, lab), 0.0) / max(1, sum(tot[g].values())) for lab in labels]
                  for g in groups]) if groups and labels else np.zeros((1, 1))
    fig, ax = plt.subplots(figsize=(2 + 0.9 * max(1, len(labels)), 1.5 + 0.4 * max(1, len(groups))),
                           dpi=110)
    im = ax.imshow(m, aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(labels)), [_short(x, 30) for x in labels], rotation=45, ha="right",
                  fontsize=7)
    ax.set_yticks(range(len(groups)), groups, fontsize=7)
    fig.colorbar(im, ax=ax, label="share of articles")
    ax.set_title(title or "Narratives per outlet")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
