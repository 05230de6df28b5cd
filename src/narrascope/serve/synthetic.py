"""Synthetic corpora for the dashboard's tests, screenshots and benchmark.

Analysed example records are the templates: each synthetic article is a template
with a new id, outlet, date and URL and a subset of the template's narratives (drawn
so that the narratives rise and fall over time and differ by outlet).  Every span
stays valid because the text is the template's.  :func:`hostile_record` builds an
article whose text, title, id, URL, outlet and entity names try to break out of
the HTML (script tags, event handlers, ``javascript:`` URLs, attribute breakers),
with its spans moved so that they still point at the right text.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.doc import Article, upgrade_record

OUTLETS = (
    "Baltic Herald", "Capital Wire", "Eastern Voice", "Frontline Daily", "Green Ledger",
    "Harbour Times", "Independent Monitor", "Northern Post", "Open Forum", "Plain Facts",
    "Riverside Courier", "Steppe Telegraph",
)


def load_records(path: str | Path) -> list[Article]:
    """narrascope JSONL records (any schema version) as Articles with their layers."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(Article.model_validate(upgrade_record(json.loads(line))))
    return out


def synthetic_articles(templates: list[Article], n: int, *, outlets: tuple[str, ...] = OUTLETS,
                       start: dt.date = dt.date(2025, 1, 6), days: int = 182,
                       seed: int = 0, first: int = 0, dim: int = 384) -> Iterator[Article]:
    """Articles ``first`` to ``n - 1`` made from ``templates`` (deterministic for a seed:
    the same index always gives the same article).  ``dim``: length of the synthetic article
    vectors (0: none)."""
    rng = random.Random(seed)
    with_layers = [t for t in templates if t.narratives is not None] or templates
    for i in range(n):
        t = with_layers[i % len(with_layers)]
        outlet = outlets[rng.randrange(len(outlets))] if outlets else None
        oi = outlets.index(outlet) if outlet else 0
        day = rng.randrange(days)
        if i < first:  # draw the same random numbers as for a built article
            for _ in (t.narratives.narratives if t.narratives is not None else []):
                rng.random()
            continue
        date = start + dt.timedelta(days=day)
        upd: dict[str, Any] = {
            "id": f"syn-{i:07d}", "source": outlet, "date": date, "date_source": "given",
            "url": None,
            "path": None,
        }
        art = t.model_copy(update=upd, deep=True)
        if dim:
            # the template's direction plus noise: articles of one template form one story
            base = np.random.default_rng(i % len(with_layers)).standard_normal(dim)
            v = base + 0.3 * np.random.default_rng((seed, i)).standard_normal(dim)
            art.vector = (v / np.linalg.norm(v)).astype(np.float32)
        nar = art.narratives
        if nar is not None and nar.narratives:
            keep = []
            for j, lab in enumerate(nar.narratives):
                # each label has its own wave over time and its own outlet preference
                phase = (j * 1.7 + oi * 0.9) % (2 * math.pi)
                p = 0.5 + 0.45 * math.sin(2 * math.pi * day / days * (1 + j % 3) + phase)
                if rng.random() < p:
                    keep.append(lab)
            nar.narratives = keep or nar.narratives[:1]
            kept = {lab.label for lab in nar.narratives}
            nar.subnarratives = [s for s in nar.subnarratives
                                 if any(s.label.startswith(k + ":") for k in kept)]
        yield art


#: Strings that try to run script or break out of attributes, wherever they are shown.
HOSTILE = (
    '<script>alert("xss-text")</script>',
    '<img src=x onerror="alert(\'xss-img\')">',
    '"><svg onload=alert("xss-attr")>',
    "javascript:alert('xss-url')",
    "'onmouseover='alert(1)' x='",
    "</textarea></style></script><b onclick=alert('xss-b')>bold</b>",
)


def _shift(obj: Any, pos: int, size: int, text: str) -> None:
    """Move every span dict in ``obj`` for ``size`` characters inserted at ``pos``."""
    if isinstance(obj, dict):
        if isinstance(obj.get("start"), int) and isinstance(obj.get("end"), int) and "text" in obj:
            s, e = obj["start"], obj["end"]
            if s >= pos:
                s += size
                e += size
            elif e > pos:
                e += size
            obj["start"], obj["end"] = s, e
            obj["text"] = text[s:e]
        for v in obj.values():
            _shift(v, pos, size, text)
    elif isinstance(obj, list):
        for v in obj:
            _shift(v, pos, size, text)


def hostile_record(template: Article, article_id: str = 'x"><script>alert("xss-id")</script>'
                   ) -> Article:
    """The template with hostile strings in its text (inside and between spans) and fields."""
    rec = copy.deepcopy(template.to_json_dict())
    text = rec["text"]
    # where to insert: inside the first narrative evidence span and at a few sentence ends
    points: list[int] = []
    nar = rec.get("narratives") or {}
    for lab in nar.get("narratives") or []:
        for ev in lab.get("evidence") or []:
            points.append(ev["start"] + max(1, (ev["end"] - ev["start"]) // 2))
            break
        if points:
            break
    for sent in (rec.get("sentences") or [])[1:6]:
        points.append(sent["end"])
    points = sorted(set(p for p in points if 0 < p <= len(text)))
    for k, pos in enumerate(reversed(points)):
        s = " " + HOSTILE[k % len(HOSTILE)] + " "
        text = text[:pos] + s + text[pos:]
        _shift({k2: v for k2, v in rec.items() if k2 != "text"}, pos, len(s), text)
    rec["text"] = text
    rec["id"] = article_id
    rec["title"] = HOSTILE[0] + " " + (rec.get("title") or "hostile")
    rec["url"] = "javascript:alert('xss-url')"
    rec["source"] = '"><img src=x onerror=alert("xss-outlet")>'
    rec["date"] = "2025-03-03"
    for ent in (rec.get("entities") or [])[:1]:
        name = '<img src=x onerror=alert("xss-entity")>'
        ent["canonical"] = name
        for m in ent.get("mentions") or []:
            m["label"] = name
    art = Article.model_validate(rec)
    for sp in _all_spans(art):
        assert art.text[sp.start:sp.end] == sp.text
    return art


def _all_spans(art: Article) -> list[Any]:
    from narrascope.doc import iter_spans

    return [s for s in iter_spans(art) if s is not art]


def example_articles(n_synthetic: int = 300, seed: int = 0) -> list[Article]:
    """The analysed examples, one hostile article and ``n_synthetic`` synthetic ones."""
    path = Path(__file__).resolve().parents[3] / "tests" / "data" / "serve" / "examples.jsonl"
    ex = load_records(path)
    return [*ex, hostile_record(ex[0]), *synthetic_articles(ex, n_synthetic, seed=seed)]


def build_store(url: str, articles: list[Article], analytics: bool = False) -> Any:
    """A store at ``url`` holding ``articles`` (created and migrated if needed); with
    ``analytics``, the copies and story clusters computed by ``narrascope.corpus`` too
    (skipped, returning the reason in ``store.analytics_error``, if that fails)."""
    from narrascope.store import open_store

    store = open_store(url)
    store.ingest(articles)
    store.analytics_error = None
    if analytics:
        try:
            from narrascope.corpus.storage import update_clusters, update_copies

            update_copies(store)
            update_clusters(store)
        except Exception as exc:  # the corpus analytics are optional for the dashboard
            store.analytics_error = f"{type(exc).__name__}: {exc}"
    return store
