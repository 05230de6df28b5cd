"""Training of the article-level gate and calibration on real articles.

* :func:`gate_examples` - the gate's training articles: the project-written gate
  articles (``data/narratives/gate/*.jsonl``: advances / reports / unrelated in many
  registers), the handwritten long articles (mainstream ones report, the others
  advance) and the passages as short articles (positives advance, except quoted
  speech; negatives report, unrelated ones are unrelated), all synthetic.
* :func:`fit_gate` - multinomial logistic regression over
  :func:`narrascope.components.narratives.gate.gate_features`.
* :func:`calibrate_real` - choose the gate threshold, the weight of quoted/reported
  speech, the distancing weight, the "<narrative>: Other" margin, the narrative margin
  (how far below the article's best narrative another may score) and the confidence
  calibration on a folder of real labelled articles (``*.txt`` + ``subtask2.tsv`` in
  SemEval layout, e.g. ``../shared/dev-real``).  Only numbers are kept, never text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.components.narratives.data import EmbeddingCache, Passage
from narrascope.components.narratives.gate import (
    GATE_CLASSES,
    N_SCALARS,
    Gate,
    gate_features,
)
from narrascope.components.narratives.model import BaseNarrativeModel, _logit, make_units
from narrascope.doc import Article

GATE_PASSAGE_WEIGHT = 0.25


@dataclass
class ArticleInput:
    """What the model sees of one article: content vectors, voices, texts, title flags."""

    id: str
    S: np.ndarray
    voices: list[str]
    texts: list[str]
    is_title: list[bool]
    units: tuple[np.ndarray, list[tuple[int, int]]] | None = None  # cached unit scores


def prepare(article: Article) -> tuple[list[int], list[str], list[str], list[bool]]:
    """Rows, voices, texts and title flags of the content sentences the component uses."""
    from narrascope.components.sentences import SentenceSplitter
    from narrascope.components.voice import sentence_voices

    if not article.sentences:
        SentenceSplitter()(article)
    voices = sentence_voices(article)
    rows = [s.index for s in article.content_sentences if voices[s.index] != "clutter"]
    sents = article.sentences
    return (rows, [voices[r] for r in rows], [sents[r].text for r in rows],
            [sents[r].kind == "title" for r in rows])


def article_inputs(articles: Sequence[Article], cache: EmbeddingCache) -> list[ArticleInput]:
    prepared = [prepare(a) for a in articles]
    flat = [t[:1000] for _, _, texts, _ in prepared for t in texts]
    V = cache.encode(flat)
    out, pos = [], 0
    for a, (_rows, voices, texts, title) in zip(articles, prepared, strict=True):
        out.append(ArticleInput(a.id, V[pos:pos + len(texts)], voices, texts, title))
        pos += len(texts)
    return out


def synthetic_article(aid: str, title: str | None, text: str) -> Article:
    full = f"{title}\n\n{text}" if title else text
    return Article(id=aid, text=full, title=title)


def txt_article(aid: str, text: str) -> Article:
    """An article in SemEval layout (line 1 title, line 2 empty), as the .txt reader sees it."""
    from narrascope.read.text import looks_like_title

    first, sep, rest = text.partition("\n")
    second, _, body = rest.partition("\n")
    if sep and not second.strip() and body.strip() and looks_like_title(first):
        return Article(id=aid, text=text, title=first.rstrip("\r").strip())
    return Article(id=aid, text=text)


def gate_examples(data_dir: str | Path, passages: Sequence[Passage],
                  handwritten: Sequence[Any] = ()) -> tuple[list[Article], list[str], list[float]]:
    """Articles, gate classes and weights for the gate (all synthetic)."""
    arts: list[Article] = []
    ys: list[str] = []
    ws: list[float] = []
    for f in sorted((Path(data_dir) / "gate").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            d = json.loads(line)
            arts.append(synthetic_article(d["id"], d.get("title"), d["text"]))
            ys.append(d["gate"])
            ws.append(1.0)
    for h in handwritten:
        arts.append(txt_article(h.id, h.text))
        ys.append("reports" if not h.coarse or h.coarse == ["Other"] else "advances")
        ws.append(1.0)
    for p in passages:
        if p.labels:
            if p.register == "quote":
                continue  # reported speech alone does not say whether an article endorses it
            y = "advances"
        else:
            y = "unrelated" if p.negative_type == "unrelated" else "reports"
        arts.append(Article(id=p.id, text=p.text))
        ys.append(y)
        ws.append(GATE_PASSAGE_WEIGHT)
    return arts, ys, ws


def features(model: BaseNarrativeModel, inp: ArticleInput) -> np.ndarray:
    U, spans = make_units(inp.S, model.windows)
    P = model.unit_scores(U) if len(U) else np.zeros((0, len(model.labels)), np.float32)
    return gate_features(inp.S, P, spans, inp.voices, inp.is_title, model.nar_idx,
                         model.dom_idx, inp.texts)


def fit_gate(model: BaseNarrativeModel, inputs: Sequence[ArticleInput], ys: Sequence[str],
             ws: Sequence[float], C: float = 0.05, seed: int = 0,
             vectors: bool = False) -> Gate:
    """``vectors=False``: only the 14 scalar features (voice shares, head scores,
    wording); the sentence-vector means fit the synthetic registers too closely."""
    from sklearn.linear_model import LogisticRegression

    X = np.stack([features(model, i) for i in inputs]).astype(np.float64)
    first = 0 if vectors else X.shape[1] - N_SCALARS
    X = X[:, first:]
    y = np.array([GATE_CLASSES.index(c) for c in ys])
    w = np.asarray(ws, dtype=float)
    # balance the classes by total weight
    for k in range(len(GATE_CLASSES)):
        m = y == k
        if m.any():
            w[m] *= w.sum() / (len(GATE_CLASSES) * w[m].sum())
    mean, scale = X.mean(0), X.std(0) + 1e-6
    clf = LogisticRegression(C=C, max_iter=3000, random_state=seed)
    clf.fit((X - mean) / scale, y, sample_weight=w)
    coef = np.zeros((len(GATE_CLASSES), X.shape[1]))
    icpt = np.zeros(len(GATE_CLASSES))
    for r, k in enumerate(clf.classes_):
        coef[k], icpt[k] = clf.coef_[r], clf.intercept_[r]
    return Gate(coef=coef, intercept=icpt, mean=mean, scale=scale, first_feature=first,
                info={"C": C, "vectors": vectors, "n_train": int(len(y)),
                      "train_counts": {c: int((y == k).sum()) for k, c in enumerate(GATE_CLASSES)}})


# ------------------------------------------------------------ real-article calibration

def read_real(folder: str | Path) -> tuple[list[Article], dict[str, tuple[list[str], list[str]]]]:
    """Articles (``articles/*.txt`` or ``*.txt``) and gold of a SemEval-layout folder."""
    from narrascope.evaluate.io import read_st2
    from narrascope.read.text import read_txt

    root = Path(folder)
    adir = root / "articles" if (root / "articles").is_dir() else root
    arts = [read_txt(p, 200_000) for p in sorted(adir.glob("*.txt"))]
    gold_file = root / "subtask2.tsv"
    if not gold_file.exists():
        gold_file = root / "labels-st2.tsv"
    warnings: list[str] = []
    gold = read_st2(gold_file, warnings)
    return arts, gold


def cache_units(model: BaseNarrativeModel, inputs: Sequence[ArticleInput]) -> None:
    """Compute each article's unit scores once (they do not depend on the tuned knobs)."""
    for inp in inputs:
        U, spans = make_units(inp.S, model.windows)
        P = model.unit_scores(U) if len(U) else np.zeros((0, len(model.labels)), np.float32)
        inp.units = (P, spans)


def decode(model: BaseNarrativeModel, inp: ArticleInput) -> tuple[list[str], list[str]]:
    pooled, _, _ = model.score_matrix(inp.S, inp.voices, inp.texts, inp.is_title, inp.units)
    p = model.last_p_advances
    row = model.decide(pooled[None, :], p_advances=None if p is None else np.array([p]))[0]
    coarse = [model.labels[j] for j in model.nar_idx if row[j]] or ["Other"]
    fine = [model.labels[j] for j in model.sub_idx if row[j]] or ["Other"]
    return coarse, fine


def score(model: BaseNarrativeModel, inputs: Sequence[ArticleInput],
          gold: dict[str, tuple[list[str], list[str]]]) -> tuple[float, float, float]:
    """(coarse samples F1, fine samples F1, share of gold-Other articles given a narrative)."""
    from narrascope.evaluate.scores import set_f1

    c, f, fp, n_other = [], [], 0, 0
    for inp in inputs:
        key = inp.id.removesuffix(".txt")
        g = gold.get(key) or gold.get(inp.id)
        if g is None:
            continue
        pc, pf = decode(model, inp)
        c.append(set_f1(set(g[0]), set(pc)))
        f.append(set_f1(set(g[1]), set(pf)))
        if set(g[0]) == {"Other"}:
            n_other += 1
            fp += pc != ["Other"]
    return float(np.mean(c)), float(np.mean(f)), fp / max(n_other, 1)


GRID = {"threshold": (0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7),
        "quoted_weight": (0.4, 0.6, 0.8, 1.0),
        "negation_weight": (0.5, 1.0),
        "other_margin": (0.6, 0.8, 1.0),
        "narrative_margin": (0.0, 3.0, 1.5)}


def calibrate_real(model: BaseNarrativeModel, inputs: Sequence[ArticleInput],
                   gold: dict[str, tuple[list[str], list[str]]],
                   log: Callable[[str], None] = print) -> dict[str, Any]:
    """Choose gate threshold / voice weights / Other margin / narrative margin on real
    articles (coarse grid, objective coarse + fine samples F1), then fit the confidence
    re-calibration."""
    import itertools

    cache_units(model, inputs)
    best: tuple[float, dict[str, float]] | None = None
    keys = list(GRID)
    for vals in itertools.product(*(GRID[k] for k in keys)):
        cfg = dict(zip(keys, vals, strict=True))
        if model.gate is None and cfg["threshold"] != GRID["threshold"][0]:
            continue
        _apply(model, cfg)
        c, f, fp = score(model, inputs, gold)
        obj = c + f
        if best is None or obj > best[0] + 1e-9:
            best = (obj, cfg)
    assert best is not None
    _apply(model, best[1])
    c, f, fp = score(model, inputs, gold)
    log(f"  real-article choice {best[1]}: coarse {c:.3f} fine {f:.3f} false alarms {fp:.3f}")
    model.calibration = fit_confidence(model, inputs, gold)
    for inp in inputs:
        inp.units = None
    return {"chosen": best[1], "coarse_f1": round(c, 4), "fine_f1": round(f, 4),
            "false_alarm_rate_on_no_narrative": round(fp, 4), "n": len(inputs),
            "calibration": model.calibration}


def _apply(model: BaseNarrativeModel, cfg: dict[str, float]) -> None:
    if model.gate is not None:
        model.gate.threshold = cfg["threshold"]
    model.quoted_weight = cfg["quoted_weight"]
    model.negation_weight = cfg["negation_weight"]
    model.other_margin = cfg["other_margin"]
    model.narrative_margin = cfg.get("narrative_margin", 0.0)


def fit_confidence(model: BaseNarrativeModel, inputs: Sequence[ArticleInput],
                   gold: dict[str, tuple[list[str], list[str]]]) -> dict[str, float]:
    """Platt step on the output labels of real articles (is the label in gold?)."""
    old = model.calibration
    model.calibration = {}
    z, y, single = [], [], []
    for inp in inputs:
        g = gold.get(inp.id.removesuffix(".txt")) or gold.get(inp.id)
        if g is None:
            continue
        pooled, per_sent, _ = model.score_matrix(inp.S, inp.voices, inp.texts, inp.is_title,
                                                 inp.units)
        p = model.last_p_advances
        row = model.decide(pooled[None, :], p_advances=None if p is None else np.array([p]))[0]
        conf = model.confidence(pooled, per_sent)
        n_over = (per_sent >= model.thresholds[None, :]).sum(0) if len(per_sent) else None
        gold_set = set(g[0]) | set(g[1])
        for j in np.concatenate([model.nar_idx, model.sub_idx]):
            if row[j]:
                z.append(float(_logit(conf[j])))
                y.append(model.labels[j] in gold_set)
                single.append(bool(n_over is not None and n_over[j] <= 1))
    model.calibration = old
    if len(set(y)) < 2:
        return {"a": 1.0, "b": 0.0, "cap": 0.97, "cap_single": 0.9}
    Z, Y = np.array(z), np.array(y, float)
    best, best_ll = (1.0, 0.0), np.inf
    for a in np.linspace(0.1, 2.0, 20):  # shrink towards the observed precision
        for b in np.linspace(-2, 2, 21):
            p = np.clip(1 / (1 + np.exp(-(a * Z + b))), 1e-6, 1 - 1e-6)
            ll = -(Y * np.log(p) + (1 - Y) * np.log(1 - p)).mean()
            if ll < best_ll:
                best, best_ll = (float(a), float(b)), ll
    S = np.array(single)
    prec_single = float(Y[S].mean()) if S.any() else 0.9
    return {"a": round(best[0], 4), "b": round(best[1], 4), "cap": 0.97,
            "cap_single": round(min(0.9, max(0.5, prec_single + 0.1)), 4),
            "n_labels": int(len(Y)), "precision": round(float(Y.mean()), 4)}


def cross_validate_real(model: BaseNarrativeModel, inputs: Sequence[ArticleInput],
                        gold: dict[str, tuple[list[str], list[str]]], k: int = 5,
                        strata: dict[str, str] | None = None,
                        log: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    """How well the real-article choice generalises: ``k``-fold cross-validation.

    For each fold, :func:`calibrate_real` chooses the knobs on the other folds; the
    fold's articles are then decoded with those knobs.  Returns samples F1 (coarse,
    fine) and false alarms over all held-out predictions, and the knobs of each fold.
    ``strata`` (id -> group, e.g. the stance) spreads each group over the folds.  The
    model's own knobs and calibration are restored at the end.
    """
    from narrascope.evaluate.scores import set_f1

    saved = (None if model.gate is None else model.gate.threshold, model.quoted_weight,
             model.negation_weight, model.other_margin, model.narrative_margin,
             dict(model.calibration))
    ids = [i.id.removesuffix(".txt") for i in inputs]
    order = sorted(range(len(inputs)), key=lambda j: ((strata or {}).get(ids[j], ""), ids[j]))
    fold = {j: n % k for n, j in enumerate(order)}
    c, f, fp, n_other, chosen = [], [], 0, 0, []
    for q in range(k):
        train = [inputs[j] for j in range(len(inputs)) if fold[j] != q]
        test = [inputs[j] for j in range(len(inputs)) if fold[j] == q]
        rep = calibrate_real(model, train, gold, log=lambda s: None)
        chosen.append(rep["chosen"])
        for inp in test:
            g = gold.get(inp.id.removesuffix(".txt")) or gold.get(inp.id)
            if g is None:
                continue
            pc, pf = decode(model, inp)
            c.append(set_f1(set(g[0]), set(pc)))
            f.append(set_f1(set(g[1]), set(pf)))
            if set(g[0]) == {"Other"}:
                n_other += 1
                fp += pc != ["Other"]
        log(f"  fold {q}: {rep['chosen']}")
    if model.gate is not None and saved[0] is not None:
        model.gate.threshold = saved[0]
    (model.quoted_weight, model.negation_weight, model.other_margin,
     model.narrative_margin) = saved[1:5]
    model.calibration = saved[5]
    return {"k": k, "coarse_f1": round(float(np.mean(c)), 4),
            "fine_f1": round(float(np.mean(f)), 4), "no_narrative_articles": n_other,
            "given_a_narrative": fp, "chosen_per_fold": chosen}
