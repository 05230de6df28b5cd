"""Evaluation of automatic mode (no given mentions) on marked whole articles.

Each gold entity is the set of marks of one canonical entity in an article; its gold
role is the majority main role of its P/A/I marks, or "none" when it only has N marks.
A predicted entity matches a gold entity when one of its mentions overlaps one of the
gold marks.  Reported: how many gold entities are found, how many of the roled ones get
the right entity-level main role (a missing entity or "no clear role" counts as wrong),
how many "none" entities stay without a role, and how often a role is given at all.

``python -m narrascope.train.entities.auto_eval`` scores the held-out articles
of ``data/roles`` with the shipped component.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence

from narrascope.components.entities.aliases import load_table
from narrascope.components.entities.features import resolve_canonicals
from narrascope.doc import Article
from narrascope.read.text import parse_text
from narrascope.train.entities.training import Example


def gold_entities(examples: Sequence[Example]) -> dict[str, list[tuple[str, list[tuple[int, int]]]]]:
    """article group -> [(gold role or 'none', [(start, end) of its marks])]."""
    table = load_table(None)
    by_doc: dict[str, list[Example]] = defaultdict(list)
    for ex in examples:
        by_doc[ex.group].append(ex)
    out = {}
    for group, exs in by_doc.items():
        canons = resolve_canonicals(table, [ex.text[ex.start:ex.end] for ex in exs])
        ents: dict[str, list[Example]] = defaultdict(list)
        for ex, c in zip(exs, canons, strict=True):
            ents[c].append(ex)
        rows = []
        for marks in ents.values():
            roles = Counter(ex.main for ex in marks if ex.main)
            role = roles.most_common(1)[0][0] if roles else "none"
            rows.append((role, [(ex.start, ex.end) for ex in marks]))
        out[group] = rows
    return out


def evaluate_automatic(examples: Sequence[Example], pipeline) -> dict:  # type: ignore[no-untyped-def]
    gold = gold_entities(examples)
    texts = {ex.group: ex.text for ex in examples}
    arts = [parse_text(texts[g], g) for g in gold]
    done: list[Article] = list(pipeline.pipe(arts))
    n_roled = n_found = n_right = n_none = n_none_kept = n_predicted_roled = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for art in done:
        for role, spans in gold[art.id]:
            best, hits = None, 0
            for ent in art.entities:
                h = sum(1 for m in ent.mentions for s, e in spans if m.start < e and s < m.end)
                if h > hits:
                    best, hits = ent, h
            pred = best.main_role.label if best is not None and best.main_role else "none"
            if role == "none":
                n_none += 1
                n_none_kept += pred == "none"
                continue
            n_roled += 1
            n_found += best is not None
            n_right += pred == role
            n_predicted_roled += pred != "none"
            confusion[(role, pred)] += 1
    return {
        "articles": len(done),
        "gold_roled_entities": n_roled,
        "found": round(n_found / max(n_roled, 1), 4),
        "given_a_role": round(n_predicted_roled / max(n_roled, 1), 4),
        "main_role_accuracy": round(n_right / max(n_roled, 1), 4),
        "gold_none_entities": n_none,
        "none_kept": round(n_none_kept / max(n_none, 1), 4),
        "confusion": {f"{g}->{p}": c for (g, p), c in sorted(confusion.items())},
    }


def main() -> None:
    import argparse

    from narrascope.pipeline import Pipeline, load_config
    from narrascope.train.entities import training as T

    ap = argparse.ArgumentParser(description="Automatic-mode entity roles on the held-out "
                                 "synthetic articles (docs/model-card-roles.md)")
    ap.add_argument("--entity-min-confidence", type=float, default=None)
    ap.add_argument("--no-groups", action="store_true",
                    help="do not find described groups (component option find_groups = false)")
    args = ap.parse_args()
    docs = [ex for ex in T.read_docs(T.default_data_dir()) if T.is_heldout_doc(ex.group)]
    cfg = load_config(None)
    cfg["pipeline"]["components"] = ["sentences", "encoder", "entities"]
    opts = cfg.setdefault("components", {}).setdefault("entities", {})
    if args.entity_min_confidence is not None:
        opts["entity_min_confidence"] = args.entity_min_confidence
    if args.no_groups:
        opts["find_groups"] = False
    nlp = Pipeline.from_config(cfg)
    print(json.dumps(evaluate_automatic(docs, nlp), indent=1))


if __name__ == "__main__":
    main()
