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

from narrascope.components.entities.features import (
    DEFAULT_WINDOW,
    FEATURES_VERSION,
    MentionRef,
    build,
    resolve_canonicals,
    side_of,
)
from narrascope.components.entities.model import RoleModel, Taxonomy, load_taxonomy
from narrascope.components.entities.span_net import SpanRoleNet
from narrascope.components.entities.stance import STANCE, apply_stance
from narrascope.doc import Article
from narrascope.learn import LinearMultiLabelHead
from narrascope.read.text import parse_text

#: Multiplier of the Antagonist score in given-mentions (SemEval) decoding (the heads are
#: trained with balanced class weights; real articles frame ~61% of mentions as
#: Antagonist).  1.5 was best in cross-validation (docs/model-card-roles.md).
MAIN_PRIOR = {"Antagonist": 1.5}
#: Fine roles per mention in decoding: one.  A second role (when its probability is
#: >= 0.5 and >= 0.85 of the best) raised micro-F1 but lowered the exact-match rate (the
#: official ranking) in cross-validation: EMR 0.327 with one, 0.278 with up to two.
MAX_FINE = 1
#: Multipliers of fine-role scores in decoding: Instigator was the fine role predicted for
#: most Antagonists on real articles whatever their gold role (dev-real); 0.65 (tried: 0.8,
#: 0.65) raised the dev-real exact-match rate 0.376 -> 0.409 and left the synthetic
#: held-out one unchanged (0.355 -> 0.356), docs/model-card-roles.md.
FINE_PRIOR = {"Instigator": 0.65}
#: Inverse L2 strength of both heads and the training weight of a whole-article
#: mention (template records count once); chosen by benchmarks/roles_experiments.py.
DEFAULT_C = 0.25
DOC_WEIGHT = 2
#: The span network (:mod:`.span_net`): epochs, peak learning rate, sentences of
#: context before the mention's own, and its weight in the average with the linear
#: heads; chosen on cross-validation folds of the train side (docs/model-card-roles.md).
SPAN_EPOCHS = 4
SPAN_LR = 2e-3
SPAN_CONTEXT = 1
SPAN_WEIGHT = 0.5


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


def _example(r: dict, where: str) -> Example:
    text, s, e = r["text"], int(r["start"]), int(r["end"])
    if "mention" in r and text[s:e] != r["mention"]:
        raise ValueError(f"{where}: mention {r['mention']!r} != text[{s}:{e}]")
    return Example(text, s, e, r.get("main_role"), list(r.get("fine_roles") or []),
                   str(r.get("template") or r.get("id") or where),
                   {"register": r.get("register")}, int(r.get("weight") or 1))


def read_corpus(data_dir: str | Path) -> list[Example]:
    """Records of ``*.jsonl`` files (a folder's top level, or one file)."""
    d = Path(data_dir)
    files = sorted(d.glob("*.jsonl")) if d.is_dir() else [d]
    if not files:
        raise FileNotFoundError(f"no *.jsonl files in {d}")
    out = []
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                out.append(_example(json.loads(line), f"{f}:{n}"))
    return out


#: Share of the whole articles kept out of training and model selection, for the
#: model card's held-out numbers (chosen by a hash of the article id).
HELDOUT_DOCS = 0.3


def is_heldout_doc(group: str) -> bool:
    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % 1000 < HELDOUT_DOCS * 1000


def read_docs(data_dir: str | Path) -> list[Example]:
    """Whole marked articles: ``docs/*.txt`` (:mod:`.corpus` format) and
    ``articles/*.jsonl``, one example per mark, grouped by article."""
    from narrascope.components.entities.corpus import read_docs_dir

    d = Path(data_dir)
    out = []
    if (d / "docs").is_dir():
        out += [_example(r, r["id"]) for r in read_docs_dir(d / "docs")]
    if (d / "articles").is_dir() and any((d / "articles").glob("*.jsonl")):
        out += read_corpus(d / "articles")
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


def is_template(ex: Example) -> bool:
    """Template records have random fill-in names: their side carries no signal."""
    return not ex.group.startswith(("passage/", "doc/", "article/")) and ex.meta.get(
        "line") is None


def examples_to_articles(examples: Sequence[Example]
                         ) -> tuple[list[Article], list[list[MentionRef]], list[tuple[int, int]]]:
    """Group examples by text into articles (read like ``analyze`` reads a .txt file)
    with one :class:`MentionRef` per example; returns (articles, refs, position of
    each example as (article, ref))."""
    from narrascope.components.entities.aliases import load_table
    from narrascope.components.entities.component import ensure_sentences, mention_ref

    table = load_table(None)
    by_text: dict[tuple[str, str], list[int]] = {}
    for i, ex in enumerate(examples):
        by_text.setdefault((ex.group, ex.text), []).append(i)
    articles: list[Article] = []
    refs: list[list[MentionRef]] = []
    where: list[tuple[int, int]] = [(0, 0)] * len(examples)
    for (group, text), idx in by_text.items():
        art = parse_text(text, group)
        ensure_sentences(art)
        starts = [s.start for s in art.sentences]
        surfaces = [text[examples[i].start:examples[i].end] for i in idx]
        canons = resolve_canonicals(table, surfaces)
        rs = []
        for j, (i, canon) in enumerate(zip(idx, canons, strict=True)):
            ex = examples[i]
            side = None if is_template(ex) else side_of(table, canon, surfaces[j])
            rs.append(mention_ref(art, starts, ex.start, ex.end, canon, side))
            where[i] = (len(articles), j)
        articles.append(art)
        refs.append(rs)
    return articles, refs, where


def example_rows(refs: Sequence[Sequence[MentionRef]], where: Sequence[tuple[int, int]]
                 ) -> list[int]:
    """For each example, its row among the batch's mentions flattened article by article
    (``refs`` and ``where`` as :func:`examples_to_articles` returns them)."""
    offset = np.cumsum([0] + [len(r) for r in refs])
    return [int(offset[a] + j) for a, j in where]


def _side_sources_digest() -> str:
    """Digest of what decides a mention's canonical entity and side (the shipped alias
    table, its lookup code and the keyword rules), so cached features go stale when one
    changes."""
    from importlib import resources

    import narrascope.components.entities.aliases as aliases_mod
    import narrascope.components.entities.stance as stance_mod

    h = hashlib.sha256(resources.files("narrascope.resources").joinpath(
        "entities/aliases.yaml").read_bytes())
    for mod in (stance_mod, aliases_mod):
        h.update(Path(mod.__file__).read_bytes())
    return h.hexdigest()[:16]


def embed_examples(examples: Sequence[Example], window_words: int = DEFAULT_WINDOW,
                   cache_dir: str | Path | None = None,
                   profile_dir: str | Path | None = None) -> np.ndarray:
    """Feature rows for examples (cached as .npy under ``cache_dir``), built by the same
    code as analysis (:func:`narrascope.components.entities.features.build`);
    ``profile_dir``: the narratives head of the narrative-profile blocks (default: the
    shipped role model's frozen copy)."""
    from narrascope.components.encoder import encoder_id
    from narrascope.components.entities.features import (
        default_profile_dir,
        narratives_model_digest,
    )

    profile = Path(profile_dir) if profile_dir is not None else default_profile_dir()
    # the narrative-profile blocks and the vectors change with the narratives head and
    # the encoder: both are part of the key, so a retrained model never reads stale rows
    key = hashlib.sha256(json.dumps(
        [FEATURES_VERSION, window_words, _side_sources_digest(), narratives_model_digest(profile),
         encoder_id(),
         [(ex.group, ex.text, ex.start, ex.end, is_template(ex)) for ex in examples]]
    ).encode()).hexdigest()[:20]
    cache_dir = Path(cache_dir or os.environ.get("NARRASCOPE_CACHE", "/tmp/narrascope-cache"))
    path = cache_dir / f"roles-{key}.npy"
    if path.exists():
        return np.load(path)
    articles, refs, where = examples_to_articles(examples)
    X = build(articles, refs, window_words, profile)
    X = X[example_rows(refs, where)]
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
        seed: int = 0, window_words: int = DEFAULT_WINDOW, meta: dict | None = None,
        main_class_weight: str | None = "balanced", head: str = "linear",
        head_params: dict | None = None, fine_C: float | None = None) -> RoleModel:
    """Fit both heads; an example of ``weight`` k counts k times.  ``head``:
    ``linear`` (logistic regressions) or ``mlp`` (one hidden layer)."""
    rep = np.repeat(np.arange(len(examples)), [max(1, ex.weight) for ex in examples])
    X = X[rep]
    examples = [examples[i] for i in rep]
    Ym, mains, Yf, fines = label_matrices(examples, tax)
    roled = np.array([bool(ex.main) for ex in examples])
    if head == "mlp":
        from narrascope.learn import MLPMultiLabelHead

        main_head = MLPMultiLabelHead(random_state=seed, **(head_params or {})).fit(X, Ym, mains)
        fine_head = MLPMultiLabelHead(random_state=seed, **(head_params or {})).fit(
            X[roled], Yf[roled], fines)
    else:
        main_head = LinearMultiLabelHead(C=C, class_weight=main_class_weight,
                                         random_state=seed).fit(X, Ym, mains)
        fine_head = LinearMultiLabelHead(C=fine_C if fine_C is not None else C,
                                         random_state=seed).fit(X[roled], Yf[roled], fines)
    return RoleModel(main_head, fine_head, tax, window_words, meta)


def example_span_inputs(examples: Sequence[Example], context: int = SPAN_CONTEXT
                        ) -> tuple[list[np.ndarray], np.ndarray, list[tuple[int, int]]]:
    """Span-network inputs of examples, in example order (read like ``analyze`` does)."""
    from narrascope.components.entities.span_net import mention_inputs

    articles, refs, where = examples_to_articles(examples)
    states, sent_idx, ranges = mention_inputs(articles, refs, context)
    order = example_rows(refs, where)
    return states, sent_idx[order], [ranges[i] for i in order]


def fit_span(X: np.ndarray, examples: Sequence[Example], tax: Taxonomy, seed: int = 0,
             epochs: int = SPAN_EPOCHS, lr: float = SPAN_LR,
             context: int = SPAN_CONTEXT) -> SpanRoleNet:
    """Train the span network (:mod:`.span_net`) on the examples; ``X``: their feature
    rows (the network reads the small article-level blocks)."""
    from narrascope.components.entities.span_net import small_columns

    states, sent_idx, ranges = example_span_inputs(examples, context)
    Ym, mains, Yf, fines = label_matrices(examples, tax)
    weights = np.array([max(1, ex.weight) for ex in examples], dtype=np.float64)
    return SpanRoleNet(mains, fines, epochs=epochs, lr=lr, seed=seed).fit(
        states, sent_idx, ranges, X[:, small_columns()], Ym, Yf, weights)


def example_span_probs(model: RoleModel, X: np.ndarray, examples: Sequence[Example]
                       ) -> tuple[np.ndarray, np.ndarray] | None:
    """The model's span-network probabilities for examples (None without a network)."""
    if model.span_net is None or model.span_weight <= 0 or not len(examples):
        return None
    articles, refs, where = examples_to_articles(examples)
    order = example_rows(refs, where)
    Xo = np.empty_like(X)
    Xo[order] = X
    probs = model.span_probs(articles, refs, Xo)
    assert probs is not None
    return probs[0][order], probs[1][order]


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
    """Article-stance side of each example's mention, as the features see it."""
    articles, refs, where = examples_to_articles(examples)
    return [refs[a][j].side for a, j in where]


def example_entities(examples: Sequence[Example]) -> list[tuple[str, str]]:
    """(article, canonical entity) of each example, as the component groups mentions."""
    articles, refs, where = examples_to_articles(examples)
    return [(articles[a].id, refs[a][j].canonical) for a, j in where]


def evaluate(model: RoleModel, X: np.ndarray, examples: Sequence[Example],
             stance: bool = False, span: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """Given-mentions evaluation (role-bearing examples) + 'none' detection.

    ``stance``: decode given mentions with the article-stance signal (the examples'
    ``group`` = the article / passage), as the component does.  ``span``: the span
    network's probabilities for the examples (:func:`example_span_probs`; computed
    here when not given).
    """
    roled = [i for i, ex in enumerate(examples) if ex.main]
    gold = [(examples[i].main, examples[i].fines) for i in roled]
    if span is None:
        span = example_span_probs(model, X, examples)
    sub_span = (span[0][roled], span[1][roled]) if span is not None else None
    if not roled:
        preds = []
    elif stance:
        sub = [examples[i] for i in roled]
        preds = apply_stance(model, X[roled], [ex.group for ex in sub], example_sides(sub),
                             span=sub_span)
    else:
        preds = model.predict(X[roled], forced=True, main_scale=None, span=sub_span)
    out = {"given_mentions": score(gold, [(p.main, [f for f, _ in p.fines]) for p in preds])}
    auto = model.predict(X, forced=False, span=span)
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
                       C: float = DEFAULT_C, window_words: int = DEFAULT_WINDOW,
                       taxonomy_path: str | None = None, doc_weight: int = DOC_WEIGHT,
                       span: bool = True, profile_dir: str | Path | None = None) -> dict:
    """Train, report held-out metrics, save the model to ``out_dir``.

    Synthetic corpus (default): trains on every template / passage record and on the
    whole articles outside the held-out share (:func:`is_heldout_doc`); reports on the
    held-out whole articles.  ``semeval_dir``: the official data, split by article the
    same way.  ``seed`` seeds the heads and the span network (the article split is
    fixed by id).  ``span``: also train the span network (:mod:`.span_net`, a few
    minutes on two cores) and average it with the linear heads.  ``profile_dir``: the
    narratives head of the narrative-profile features (default: the shipped role model's
    frozen copy, so retraining the narratives model changes no role feature); the model
    saved to ``out_dir`` carries a copy of it.
    """
    from narrascope.components.entities.features import default_profile_dir

    profile = Path(profile_dir) if profile_dir is not None else default_profile_dir()
    tax = load_taxonomy(taxonomy_path)
    if semeval_dir is not None:
        examples = read_semeval_dir(semeval_dir)
        source = f"semeval:{Path(semeval_dir).name}"
        train = [ex for ex in examples if not is_heldout_doc(ex.group)]
        test = [ex for ex in examples if is_heldout_doc(ex.group)]
        if not train:  # too few articles to hold some out
            train, test = examples, []
    else:
        d = Path(data_dir) if data_dir else default_data_dir()
        base = read_corpus(d)
        docs = read_docs(d)
        for ex in docs:
            ex.weight = doc_weight
        examples = base + docs
        source = f"corpus:{d.name}"
        train = base + [ex for ex in docs if not is_heldout_doc(ex.group)]
        test = [ex for ex in docs if is_heldout_doc(ex.group)]
    for ex in examples:
        if not tax.is_consistent(ex.main, ex.fines):
            raise ValueError(f"example {ex.group}: roles {ex.main} / {ex.fines} are inconsistent")
    Xtr = embed_examples(train, window_words, profile_dir=profile)
    Xte = (embed_examples(test, window_words, profile_dir=profile) if test
           else np.zeros((0, Xtr.shape[1])))
    n_articles = len({ex.group for ex in test})
    meta = {"trained_on": source, "seed": seed, "C": C, "n_train": len(train),
            "n_heldout": len(test), "n_heldout_articles": n_articles,
            "main_prior": dict(MAIN_PRIOR), "max_fine": MAX_FINE,
            "fine_prior": dict(FINE_PRIOR), "stance": dict(STANCE)}
    model = fit(Xtr, train, tax, C=C, seed=seed, window_words=window_words, meta=meta)
    model.profile_dir = profile
    if span:
        model.span_net = fit_span(Xtr, train, tax, seed=seed)
        model.meta.update({"span_weight": SPAN_WEIGHT, "span_context": SPAN_CONTEXT,
                           "span_epochs": SPAN_EPOCHS, "span_lr": SPAN_LR})
    report: dict = {"source": source, "seed": seed, "n_train": len(train),
                    "n_heldout": len(test), "n_heldout_articles": n_articles}
    if test:
        span_te = example_span_probs(model, Xte, test)  # once for the four reports
        report["heldout"] = evaluate(model, Xte, test, span=span_te)
        report["heldout_stance"] = evaluate(model, Xte, test, stance=True,
                                            span=span_te)["given_mentions"]
        report["majority_baseline"] = majority_baseline(train, test)
        if model.span_net is not None:  # each half of the average alone, for the card
            for key, w in (("heldout_linear_only", 0.0), ("heldout_span_only", 1.0)):
                model.meta["span_weight"] = w
                report[key] = evaluate(model, Xte, test, span=span_te)["given_mentions"]
            model.meta["span_weight"] = SPAN_WEIGHT
    model.meta["heldout"] = report.get("heldout")
    if out_dir is not None:
        model.save(out_dir)
    return report
