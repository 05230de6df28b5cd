"""Training and evaluation of the role classifier.

Data: ``*.jsonl`` records (``text``, ``start``, ``end`` half-open, ``main_role`` or
null, ``fine_roles``, ``template``) as in ``data/roles/roles.jsonl``, or the official
SemEval-2025 Task 10 subtask-1 files (``raw-documents/`` + ``subtask-1-annotations.txt``).
The held-out split is drawn by template (or by article for SemEval data) with a fixed
seed, so no passage written from the same template is on both sides.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from narrascope.components.entities.model import (
    DEFAULT_WINDOW,
    RoleModel,
    Taxonomy,
    featurize,
    load_taxonomy,
    mention_views,
)
from narrascope.components.entities.stance import STANCE, apply_stance, mention_side
from narrascope.components.sentences import segment
from narrascope.learn import LinearMultiLabelHead

#: Multiplier of the Antagonist score in given-mentions (SemEval) decoding: real
#: articles frame more mentions as Antagonist (~61%) than the synthetic corpus (~55%).
#: Hand-set, neutral on the synthetic held-out passages; see docs/model-card-roles.md.
MAIN_PRIOR = {"Antagonist": 1.2}


@dataclass
class Example:
    text: str
    start: int
    end: int
    main: str | None
    fines: list[str]
    group: str
    meta: dict = field(default_factory=dict)
    weight: int = 1


def default_data_dir() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent / "data" / "roles"
        if cand.is_dir():
            return cand
    return Path("data/roles")


def read_corpus(data_dir: str | Path) -> list[Example]:
    d = Path(data_dir)
    files = sorted(d.glob("*.jsonl")) if d.is_dir() else [d]
    if not files:
        raise FileNotFoundError(f"no *.jsonl files in {d}")
    out = []
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            r = json.loads(line)
            text, s, e = r["text"], int(r["start"]), int(r["end"])
            if "mention" in r and text[s:e] != r["mention"]:
                raise ValueError(f"{f}:{n}: mention {r['mention']!r} != text[{s}:{e}]")
            out.append(Example(text, s, e, r.get("main_role"), list(r.get("fine_roles") or []),
                               str(r.get("template") or r.get("id") or f"{f.name}:{n}"),
                               {"register": r.get("register")}, int(r.get("weight") or 1)))
    return out


def read_semeval_dir(path: str | Path) -> list[Example]:
    """Official subtask-1 data: ``raw-documents/*.txt`` and ``subtask-1-annotations.txt``
    (article_id, mention, start, end inclusive, main role, fine roles...)."""
    root = Path(path)
    ann = next(iter(sorted(root.rglob("subtask-1-annotations.txt"))), None)
    docs = next(iter(sorted(p for p in root.rglob("raw-documents") if p.is_dir())), None)
    if ann is None or docs is None:
        raise FileNotFoundError(f"{root}: needs raw-documents/ and subtask-1-annotations.txt")
    texts: dict[str, str] = {}
    out = []
    for n, line in enumerate(ann.read_text(encoding="utf-8").splitlines(), 1):
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 6:
            continue
        aid, mention, s, e, main, *fines = cols
        if aid not in texts:
            p = docs / aid
            if not p.exists():
                continue
            with open(p, encoding="utf-8", newline="") as fh:
                texts[aid] = fh.read()
        text = texts[aid]
        start, end = int(s), int(e) + 1
        if text[start:end] != mention:
            continue
        out.append(Example(text, start, end, main.strip(), [f.strip() for f in fines if f.strip()],
                           aid, {"line": n}))
    return out


def split(examples: Sequence[Example], seed: int = 0, heldout: float = 0.2
          ) -> tuple[list[Example], list[Example]]:
    """Group-wise split: within each label key, ``heldout`` of the groups go to test."""
    by_key: dict[str, list[str]] = {}
    for ex in examples:
        key = "+".join(ex.fines) if ex.fines else "none"
        groups = by_key.setdefault(key, [])
        if ex.group not in groups:
            groups.append(ex.group)
    rng = random.Random(seed)
    test_groups: set[str] = set()
    for key in sorted(by_key):
        groups = sorted(by_key[key])
        rng.shuffle(groups)
        k = max(1, round(len(groups) * heldout)) if len(groups) > 1 else 0
        test_groups.update(groups[:k])
    train = [ex for ex in examples if ex.group not in test_groups]
    test = [ex for ex in examples if ex.group in test_groups]
    return train, test


def _sentence_bounds(text: str, start: int, end: int, cache: dict) -> tuple[int, int]:
    spans = cache.get(id(text))
    if spans is None:
        spans = [(s, e) for s, e, _ in segment(text)]
        cache[id(text)] = spans
    for s, e in spans:
        if s <= start < e:
            return s, max(e, end)
    return start, end


def embed_examples(examples: Sequence[Example], window_words: int = DEFAULT_WINDOW,
                   cache_dir: str | Path | None = None) -> np.ndarray:
    """Feature rows for examples (embeddings cached as .npy under ``cache_dir``)."""
    from narrascope.components.encoder import encode

    seg_cache: dict = {}
    lefts, rights, sents = [], [], []
    for ex in examples:
        s, e = _sentence_bounds(ex.text, ex.start, ex.end, seg_cache)
        left, right = mention_views(ex.text, s, e, ex.start, ex.end, window_words)
        lefts.append(left)
        rights.append(right)
        sents.append(ex.text[s:e])
    key = hashlib.sha256(json.dumps([lefts, rights, sents]).encode()).hexdigest()[:20]
    cache_dir = Path(cache_dir or os.environ.get("NARRASCOPE_CACHE", "/tmp/narrascope-cache"))
    path = cache_dir / f"roles-{key}.npy"
    if path.exists():
        return np.load(path)
    uniq = list(dict.fromkeys(lefts + rights + sents))
    vecs = encode(uniq)
    index = {t: i for i, t in enumerate(uniq)}
    X = featurize(vecs[[index[t] for t in lefts]], vecs[[index[t] for t in rights]],
                  vecs[[index[t] for t in sents]])
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        np.save(path, X)
    except OSError:
        pass
    return X


def label_matrices(examples: Sequence[Example], tax: Taxonomy
                   ) -> tuple[np.ndarray, list[str], np.ndarray, list[str]]:
    mains = [*tax.mains, tax.none_label]
    fines = tax.fines
    Ym = np.zeros((len(examples), len(mains)), dtype=np.int8)
    Yf = np.zeros((len(examples), len(fines)), dtype=np.int8)
    for i, ex in enumerate(examples):
        Ym[i, mains.index(ex.main if ex.main else tax.none_label)] = 1
        for f in ex.fines:
            Yf[i, fines.index(f)] = 1
    return Ym, mains, Yf, fines


def fit(X: np.ndarray, examples: Sequence[Example], tax: Taxonomy, C: float = 4.0,
        seed: int = 0, window_words: int = DEFAULT_WINDOW, meta: dict | None = None
        ) -> RoleModel:
    """Fit both heads; an example of ``weight`` k counts k times."""
    rep = np.repeat(np.arange(len(examples)), [max(1, ex.weight) for ex in examples])
    X = X[rep]
    examples = [examples[i] for i in rep]
    Ym, mains, Yf, fines = label_matrices(examples, tax)
    main_head = LinearMultiLabelHead(C=C, random_state=seed).fit(X, Ym, mains)
    roled = np.array([bool(ex.main) for ex in examples])
    fine_head = LinearMultiLabelHead(C=C, random_state=seed).fit(X[roled], Yf[roled], fines)
    return RoleModel(main_head, fine_head, tax, window_words, meta)


# ----------------------------------------------------------------------- metrics
def score(gold: Sequence[tuple[str, list[str]]], pred: Sequence[tuple[str, list[str]]]
          ) -> dict[str, float]:
    """SemEval subtask-1 metrics: EMR, micro P/R/F1 over fine roles, main accuracy."""
    n = len(gold)
    if n == 0:
        return {"n": 0}
    emr = sum(gm == pm and set(gf) == set(pf) for (gm, gf), (pm, pf) in zip(gold, pred, strict=True)) / n
    acc = sum(gm == pm for (gm, _), (pm, _) in zip(gold, pred, strict=True)) / n
    tp = sum(len(set(gf) & set(pf)) for (_, gf), (_, pf) in zip(gold, pred, strict=True))
    npred = sum(len(set(pf)) for _, pf in pred)
    ngold = sum(len(set(gf)) for gf in (g[1] for g in gold))
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"n": n, "emr": round(emr, 4), "micro_p": round(p, 4), "micro_r": round(r, 4),
            "micro_f1": round(f1, 4), "main_accuracy": round(acc, 4)}


def majority_baseline(train: Sequence[Example], test: Sequence[Example]) -> dict[str, float]:
    """Predict the most frequent main role and its most frequent fine role."""
    roled = [ex for ex in train if ex.main]
    main = Counter(ex.main for ex in roled).most_common(1)[0][0]
    fine = Counter(f for ex in roled if ex.main == main for f in ex.fines).most_common(1)[0][0]
    gold = [(ex.main, ex.fines) for ex in test if ex.main]
    return {**score(gold, [(main, [fine])] * len(gold)), "main": main, "fine": fine}


def example_sides(examples: Sequence[Example]) -> list[str | None]:
    """Article-stance side of each example's mention (alias table, then keywords)."""
    from narrascope.components.entities.aliases import load_table

    table = load_table(None)
    out = []
    for ex in examples:
        surface = ex.text[ex.start:ex.end]
        canon = table.lookup(surface)
        out.append(mention_side(table.side(canon) if canon else None, surface))
    return out


def evaluate(model: RoleModel, X: np.ndarray, examples: Sequence[Example],
             stance: bool = False) -> dict:
    """Given-mentions evaluation (role-bearing examples) + 'none' detection.

    ``stance``: decode given mentions with the article-stance signal (the examples'
    ``group`` = the article / passage), as the component does.
    """
    roled = [i for i, ex in enumerate(examples) if ex.main]
    gold = [(examples[i].main, examples[i].fines) for i in roled]
    if not roled:
        preds = []
    elif stance:
        sub = [examples[i] for i in roled]
        preds = apply_stance(model, X[roled], [ex.group for ex in sub], example_sides(sub))
    else:
        preds = model.predict(X[roled], forced=True, main_scale=None)
    out = {"given_mentions": score(gold, [(p.main, [f for f, _ in p.fines]) for p in preds])}
    auto = model.predict(X, forced=False)
    none_gold = [ex.main is None for ex in examples]
    none_pred = [p.main is None for p in auto]
    if any(none_gold):
        tp = sum(g and p for g, p in zip(none_gold, none_pred, strict=True))
        out["automatic_none"] = {
            "precision": round(tp / max(sum(none_pred), 1), 4),
            "recall": round(tp / max(sum(none_gold), 1), 4),
            "roled_kept": round(sum((not g) and (not p) for g, p in zip(none_gold, none_pred, strict=True))
                                / max(sum(not g for g in none_gold), 1), 4),
        }
    return out


def train_and_evaluate(data_dir: str | Path | None = None, out_dir: str | Path | None = None,
                       seed: int = 0, semeval_dir: str | Path | None = None,
                       C: float = 4.0, window_words: int = DEFAULT_WINDOW,
                       taxonomy_path: str | None = None) -> dict:
    """Train on the train split, report held-out metrics, save the model to ``out_dir``."""
    tax = load_taxonomy(taxonomy_path)
    if semeval_dir is not None:
        examples = read_semeval_dir(semeval_dir)
        source = f"semeval:{Path(semeval_dir).name}"
    else:
        d = Path(data_dir) if data_dir else default_data_dir()
        examples = read_corpus(d)
        source = f"corpus:{d.name}"
    for ex in examples:
        if not tax.is_consistent(ex.main, ex.fines):
            raise ValueError(f"example {ex.group}: roles {ex.main} / {ex.fines} are inconsistent")
    train, test = split(examples, seed=seed)
    Xtr = embed_examples(train, window_words)
    Xte = embed_examples(test, window_words) if test else np.zeros((0, Xtr.shape[1]))
    meta = {"trained_on": source, "seed": seed, "C": C, "n_train": len(train),
            "n_heldout": len(test), "main_prior": dict(MAIN_PRIOR), "stance": dict(STANCE)}
    model = fit(Xtr, train, tax, C=C, seed=seed, window_words=window_words, meta=meta)
    report = {"source": source, "seed": seed, "n_train": len(train), "n_heldout": len(test)}
    if test:
        report["heldout"] = evaluate(model, Xte, test)
        report["heldout_stance"] = evaluate(model, Xte, test, stance=True)["given_mentions"]
        report["majority_baseline"] = majority_baseline(train, test)
        sub = [i for i, ex in enumerate(test) if ex.group.startswith("passage/")]
        if sub and len(sub) < len(test):
            subset = [test[i] for i in sub]
            report["heldout_passages"] = evaluate(model, Xte[sub], subset)
            report["heldout_passages_stance"] = evaluate(model, Xte[sub], subset, stance=True)[
                "given_mentions"]
            report["majority_baseline_passages"] = majority_baseline(train, subset)
        if semeval_dir is None and (d / "articles").is_dir():
            arts = read_corpus(d / "articles")
            Xa = embed_examples(arts, window_words)
            report["articles"] = evaluate(model, Xa, arts)["given_mentions"]
            report["articles_stance"] = evaluate(model, Xa, arts, stance=True)["given_mentions"]
    model.meta["heldout"] = report.get("heldout")
    if out_dir is not None:
        model.save(out_dir)
    return report
