"""Training data for the narratives model: passages, composed articles, split, cache.

* **Passages** (``data/narratives/passages/*.jsonl``, written by hand, synthetic): 1-4
  sentences with fine labels, or negatives with no label.  :func:`validate_passages`
  checks them against a taxonomy.
* **Articles** (``data/narratives/articles*.jsonl``): whole synthetic articles composed
  deterministically from passages by :func:`compose_articles` (a few positive passages
  among many neutral sentences, varied layouts), with gold labels.
* **Split**: a passage is held out when ``sha1(f"{seed}:{id}")`` falls in the lowest
  ``heldout_pct`` percent; held-out articles are composed only from held-out passages,
  so training never sees a held-out sentence.
* **Embedding cache**: sentence vectors of the shared encoder, keyed by the SHA-1 of the
  text, in ``$NARRASCOPE_CACHE_DIR`` (default ``/tmp/narrascope-cache``).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.components.narratives.taxonomy import Taxonomy

REGISTERS = {"wire", "oped", "telegram", "mt", "quote", "blog", "tv"}
NEGATIVE_TYPES = {"neutral_war", "pro_ukraine", "debunk", "climate_science", "unrelated"}
DOMAINS = {"URW", "CC", "none"}
SPLIT_SEED = 13
HELDOUT_PCT = 20


@dataclass
class Passage:
    id: str
    text: str
    labels: list[str]
    domain: str
    kind: str
    register: str = ""
    negative_type: str | None = None
    source_file: str = ""
    line: int = 0


@dataclass
class GoldArticle:
    """A composed (or read) article with gold labels at both levels."""

    id: str
    text: str
    fine: list[str]
    coarse: list[str]
    domain: str
    split: str = "train"
    passages: list[str] = field(default_factory=list)
    layout: str = ""
    synthetic: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "labels": self.fine,
                "narratives": self.coarse, "domain": self.domain, "split": self.split,
                "passages": self.passages, "layout": self.layout,
                "synthetic": self.synthetic}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> GoldArticle:
        return cls(id=d["id"], text=d["text"], fine=list(d["labels"]),
                   coarse=list(d.get("narratives", [])), domain=d.get("domain", "Other"),
                   split=d.get("split", "train"), passages=list(d.get("passages", [])),
                   layout=d.get("layout", ""), synthetic=bool(d.get("synthetic", True)))


# ------------------------------------------------------------------ passages

def read_passages(directory: str | Path) -> tuple[list[Passage], list[str]]:
    """Read every ``*.jsonl`` under ``directory``; return passages and parse errors."""
    out: list[Passage] = []
    errors: list[str] = []
    for path in sorted(Path(directory).glob("*.jsonl")):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{path.name}:{i}: invalid JSON: {exc}")
                continue
            if not isinstance(d, dict) or "id" not in d or "text" not in d:
                errors.append(f"{path.name}:{i}: record needs 'id' and 'text'")
                continue
            out.append(Passage(
                id=str(d["id"]), text=str(d["text"]), labels=list(d.get("labels") or []),
                domain=str(d.get("domain", "none")), kind=str(d.get("kind", "")),
                register=str(d.get("register", "")), negative_type=d.get("negative_type"),
                source_file=path.name, line=i))
            out[-1].raw = d  # type: ignore[attr-defined]
    return out, errors


def validate_passages(passages: Sequence[Passage], taxonomy: Taxonomy) -> list[str]:
    """Every problem found, as ``file:line: message`` strings (empty = valid)."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    texts: dict[str, str] = {}
    for p in passages:
        where = f"{p.source_file}:{p.line}"
        raw = getattr(p, "raw", {})
        if p.id in seen:
            problems.append(f"{where}: duplicate id {p.id!r} (first at {seen[p.id]})")
        seen.setdefault(p.id, where)
        key = " ".join(p.text.split()).lower()
        if key in texts:
            problems.append(f"{where}: same text as {texts[key]}")
        texts.setdefault(key, where)
        if not p.text.strip():
            problems.append(f"{where}: empty text")
        if raw and raw.get("synthetic") is not True:
            problems.append(f"{where}: 'synthetic' must be true")
        if p.kind not in {"positive", "negative"}:
            problems.append(f"{where}: kind {p.kind!r} is not positive/negative")
        if p.domain not in DOMAINS:
            problems.append(f"{where}: domain {p.domain!r} not in {sorted(DOMAINS)}")
        if p.register not in REGISTERS:
            problems.append(f"{where}: register {p.register!r} not in {sorted(REGISTERS)}")
        for lab in p.labels:
            if lab not in taxonomy.info or taxonomy.info[lab].level != "subnarrative":
                problems.append(f"{where}: label {lab!r} is not a fine label of {taxonomy.name}")
            elif p.domain != taxonomy.info[lab].domain:
                problems.append(f"{where}: label {lab!r} does not match domain {p.domain!r}")
        if p.kind == "positive":
            if not p.labels:
                problems.append(f"{where}: positive passage without labels")
            if p.negative_type is not None:
                problems.append(f"{where}: positive passage with negative_type")
        elif p.kind == "negative":
            if p.labels:
                problems.append(f"{where}: negative passage with labels")
            if p.negative_type not in NEGATIVE_TYPES:
                problems.append(f"{where}: negative_type {p.negative_type!r} not in "
                                f"{sorted(NEGATIVE_TYPES)}")
        if raw:
            extra = set(raw) - {"id", "text", "labels", "domain", "register", "kind",
                                "negative_type", "synthetic"}
            if extra:
                problems.append(f"{where}: unknown field(s) {sorted(extra)}")
        n_sent = len(split_sentences(p.text))
        if n_sent > 8:
            problems.append(f"{where}: {n_sent} sentences (expected 1-4)")
    return problems


def usable_passages(passages: Sequence[Passage], taxonomy: Taxonomy) -> list[Passage]:
    """Passages whose labels are all known (unknown labels are dropped, duplicates too)."""
    out: list[Passage] = []
    seen: set[str] = set()
    for p in passages:
        if p.id in seen or not p.text.strip():
            continue
        seen.add(p.id)
        labels = [x for x in p.labels if x in taxonomy.info
                  and taxonomy.info[x].level == "subnarrative"]
        if p.kind == "positive" and not labels:
            continue
        out.append(Passage(p.id, p.text, labels, p.domain, p.kind, p.register,
                           p.negative_type, p.source_file, p.line))
    return out


def label_counts(passages: Iterable[Passage]) -> Counter[str]:
    c: Counter[str] = Counter()
    for p in passages:
        c.update(p.labels)
    return c


def split_of(passage_id: str, seed: int = SPLIT_SEED, pct: int = HELDOUT_PCT) -> str:
    """``"dev"`` (threshold tuning), ``"test"`` (reported numbers) or ``"train"``.

    The held-out ``pct`` percent of passages (by hash) are halved into dev and test.
    """
    h = int(hashlib.sha1(f"{seed}:{passage_id}".encode()).hexdigest()[:8], 16) % 100
    if h < pct // 2:
        return "dev"
    if h < pct:
        return "test"
    return "train"


def is_heldout(passage_id: str, seed: int = SPLIT_SEED, pct: int = HELDOUT_PCT) -> bool:
    return split_of(passage_id, seed, pct) != "train"


def split_passages(passages: Sequence[Passage], seed: int = SPLIT_SEED,
                   pct: int = HELDOUT_PCT) -> dict[str, list[Passage]]:
    out: dict[str, list[Passage]] = {"train": [], "dev": [], "test": []}
    for p in passages:
        out[split_of(p.id, seed, pct)].append(p)
    return out


def topic_of(p: Passage, taxonomy: Taxonomy) -> str | None:
    """The topic domain of a passage (negatives about the war are URW-topic text)."""
    if p.domain in taxonomy.domains:
        return p.domain
    if p.labels:
        return taxonomy.info[p.labels[0]].domain
    guess = {"neutral_war": "URW", "pro_ukraine": "URW", "debunk": "URW",
             "climate_science": "CC"}.get(p.negative_type or "")
    return guess if guess in taxonomy.domains else None


def split_sentences(text: str) -> list[tuple[int, int]]:
    from narrascope.components.sentences import segment

    return [(s, e) for s, e, _ in segment(text)]


# ------------------------------------------------------------- composing articles

_NEUTRAL_FILLER = {
    "URW": ("neutral_war", "pro_ukraine", "debunk"),
    "CC": ("climate_science",),
    "none": ("unrelated",),
}
_BOILER = [
    "Watch: video from the scene.",
    "Read more: the latest updates.",
    "Photo: Reuters",
    "Follow us on Telegram for more updates.",
    "Share this article",
]


def _sentences_of(p: Passage) -> list[str]:
    return [p.text[s:e] for s, e in split_sentences(p.text)]


def compose_articles(passages: Sequence[Passage], taxonomy: Taxonomy, n: int,
                     seed: int = 0, split: str = "train", prefix: str = "art",
                     ) -> list[GoldArticle]:
    """Compose ``n`` synthetic articles from ``passages`` (deterministic for a seed).

    About 25 % of the articles have no positive passage (gold ``Other``: mainstream
    news); the rest mix 1-5 positive passages of one domain with 12-45 neutral
    sentences of the same domain (plus a few unrelated ones), in varied layouts.
    """
    rng = random.Random(f"{seed}:{split}:{prefix}")
    pos: dict[str, list[Passage]] = {"URW": [], "CC": []}
    for p in passages:
        if p.kind == "positive" and p.domain in pos:
            pos[p.domain].append(p)
    neg_by_type: dict[str, list[Passage]] = {}
    for p in passages:
        if p.kind == "negative":
            neg_by_type.setdefault(p.negative_type or "unrelated", []).append(p)
    all_neg = [p for p in passages if p.kind == "negative"]
    if not all_neg:
        return []
    # by narrative, so that positives of one article often share a narrative
    by_narr: dict[str, list[Passage]] = {}
    for dom in pos:
        for p in pos[dom]:
            by_narr.setdefault(taxonomy.info[p.labels[0]].narrative, []).append(p)
    out: list[GoldArticle] = []
    for k in range(n):
        r = rng.random()
        domains = [d for d in ("URW", "CC") if pos[d]]
        if r < 0.25 or not domains:
            chosen: list[Passage] = []
            dom = rng.choice(["URW", "URW", "URW", "CC", "none"])
        else:
            dom = "URW" if ("URW" in domains and (rng.random() < 0.7 or "CC" not in domains)) \
                else "CC"
            m = rng.choice([1, 1, 2, 2, 3, 3, 4, 5])
            chosen = []
            for _ in range(m):
                if chosen and rng.random() < 0.5:
                    narr = taxonomy.info[chosen[0].labels[0]].narrative
                    pool = by_narr.get(narr) or pos[dom]
                else:
                    pool = pos[dom]
                cand = rng.choice(pool)
                if cand not in chosen:
                    chosen.append(cand)
        fill_types = [t for t in _NEUTRAL_FILLER.get(dom, ("unrelated",)) if t in neg_by_type]
        fill_pool = [p for t in fill_types for p in neg_by_type[t]] or all_neg
        unrelated = neg_by_type.get("unrelated", [])
        target = rng.randint(12, 45)
        fillers: list[str] = []
        used: set[str] = set()
        tries = 0
        while len(fillers) < target and tries < 400:
            tries += 1
            src = unrelated if (unrelated and rng.random() < 0.1) else fill_pool
            p = rng.choice(src)
            if p.id in used:
                continue
            used.add(p.id)
            fillers.extend(_sentences_of(p))
        # units: each positive passage is kept whole; fillers are single sentences
        units: list[tuple[str, bool]] = [(s, False) for s in fillers]
        for p in chosen:
            pos_i = rng.randint(0, len(units))
            units.insert(pos_i, (p.text.strip(), True))
        if chosen and rng.random() < 0.5:  # slanted articles often open with the claim
            first = next(i for i, u in enumerate(units) if u[1])
            units.insert(0, units.pop(first))
        layout = rng.choice(["semeval", "semeval", "dated", "lines", "plain"])
        text = _layout(units, layout, rng)
        fine, coarse = taxonomy.consistent([lab for p in chosen for lab in p.labels])
        domain = dom if dom in taxonomy.domains else taxonomy.other_label
        out.append(GoldArticle(
            id=f"{prefix}_{split}_{k:04d}", text=text, fine=fine, coarse=coarse,
            domain=domain, split=split, passages=[p.id for p in chosen] + sorted(used),
            layout=layout))
    return out


def _layout(units: list[tuple[str, bool]], layout: str, rng: random.Random) -> str:
    paras: list[list[str]] = []
    i = 0
    while i < len(units):
        k = rng.choice([1, 2, 2, 3, 4])
        paras.append([u[0] for u in units[i:i + k]])
        i += k
    body = [" ".join(p) for p in paras]
    if layout == "semeval":  # title line, empty line, one paragraph per line
        title = body[0].split(". ")[0].rstrip(".")[:160]
        text = title + "\n\n" + "\n".join(body[0:]) + "\n"
    elif layout == "dated":  # seed style: " date YYYY-MM-DD " glued to the first sentence
        day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        text = f" date {day} " + "\n\n".join(body) + "\n\n" + rng.choice(_BOILER) + "\n"
    elif layout == "lines":
        text = "\n".join(body) + "\n" + "\n" * rng.randint(0, 8)
    else:
        text = "\n\n".join(body)
    return text


def write_articles(articles: Sequence[GoldArticle], path: str | Path) -> None:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with p.open("w", encoding="utf-8") as fh:
        for a in articles:
            fh.write(json.dumps(a.to_json(), ensure_ascii=False) + "\n")


def read_articles(path: str | Path) -> list[GoldArticle]:
    return [GoldArticle.from_json(json.loads(line))
            for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


# --------------------------------------------------------------- embedding cache

def cache_dir() -> Path:
    return Path(os.environ.get("NARRASCOPE_CACHE_DIR", "/tmp/narrascope-cache"))


class EmbeddingCache:
    """Sentence vectors of the shared encoder on disk, keyed by SHA-1 of the text."""

    def __init__(self, path: str | Path | None = None) -> None:
        if path is None:  # one file per encoder: vectors of another encoder never mix in
            from narrascope.components.encoder import MODEL_NAME, encoder_id

            eid = encoder_id()
            name = ("minilm-sentences.npz" if eid == MODEL_NAME else
                    f"sentences-{hashlib.sha1(eid.encode()).hexdigest()[:12]}.npz")
            path = cache_dir() / name
        self.path = Path(path)
        self._index: dict[str, int] = {}
        self._vecs: list[np.ndarray] = []
        self._dirty = False
        if self.path.exists():
            try:
                with np.load(self.path) as z:
                    keys = z["keys"]
                    vecs = z["vecs"]
                self._index = {str(k): i for i, k in enumerate(keys)}
                self._vecs = list(vecs.astype(np.float32))
            except (OSError, KeyError, ValueError):
                self._index, self._vecs = {}, []

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from narrascope.components.encoder import DIM, encode

        keys = [self.key(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True)
                          if k not in self._index}.items())
        if missing:
            vecs = encode([t for _, t in missing])
            for (k, _), v in zip(missing, vecs, strict=True):
                self._index[k] = len(self._vecs)
                self._vecs.append(v)
            self._dirty = True
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return np.stack([self._vecs[self._index[k]] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if not self._dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(sorted(self._index, key=self._index.get))
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vecs=np.stack(self._vecs).astype(np.float32))
        os.replace(tmp, self.path)
        self._dirty = False
