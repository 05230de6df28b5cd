"""Features of entity mentions in their article (one code path for training and analysis).

A mention's row (see :data:`BLOCKS`) holds, all from the shared sentence encoder:

- ``left`` / ``right``: the mention's *left view* (up to ``window_words`` words of its
  sentence before it, then the mention: what is done *to* it) and *right view* (the
  mention, then the words after it: what it *does* / is said to be);
- ``sentence``: the vector of its sentence;
- ``entity_left`` / ``entity_right``: the mean left / right views over all the mentions
  of the same canonical entity in the article (one framing per entity, as readers see it);
- ``article``: the mean vector of the article's content sentences (topic and slant);
- ``side_x_article``: the article vector times the entity's side sign (+1 Russian state
  side, -1 Ukrainian / Western side, 0 otherwise; ``resources/entities/aliases.yaml``
  section ``sides``).  This lets a linear head learn the article stance: the same
  article vector pushes a Russian-side entity one way and a Western-side one the other;
- ``cc_side_x_article``: the same on the climate axis (+1 climate-action side:
  activists, IPCC, green politicians; -1 fossil-fuel side: oil companies, lobbies,
  self-declared sceptics);
- ``side``: one-hot of the side (ru, west, green, fossil, civilian, none);
- ``narr`` / ``side_x_narr`` / ``cc_side_x_narr`` / ``civilian_x_narr``: the article's
  *narrative profile* (calibrated confidences of the 2 domains and 21 narratives from the
  role model's own frozen copy of a narratives head, :func:`narrative_profile`), raw and times the side signs /
  the civilian indicator: which propaganda narratives the article pushes says which way
  it casts each side.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from narrascope.components.entities.aliases import AliasTable, normalize, strip_possessive
from narrascope.components.entities.stance import CC_SIGN, SIGN, mention_side
from narrascope.doc import Article

DEFAULT_WINDOW = 8
DIM = 384
BLOCKS = ["left", "right", "sentence", "entity_left", "entity_right", "article",
          "side_x_article", "cc_side_x_article", "side", "narr", "side_x_narr",
          "cc_side_x_narr", "civilian_x_narr", "syntax", "side_x_syntax"]
SIDES = ["ru", "west", "green", "fossil", "civilian", None]
#: width of the narrative-profile blocks (domains + narratives of the shipped taxonomy)
NARR_DIM = 23
FEATURES_VERSION = 5
#: the ``syntax`` block: who acts on whom, and who speaks (see :func:`syntax_features`)
SYNTAX = ["subject", "passive_subject", "object", "by_agent", "prep_object", "possessor",
          "other_dep", "passive_verb", "speaker", "in_quotes", "voice_own", "voice_quoted",
          "voice_reported", "voice_other"]
SYNTAX_DIM = len(SYNTAX)


def block_widths() -> dict[str, int]:
    """Width of each block of :data:`BLOCKS`, in order."""
    return {b: len(SIDES) if b == "side" else NARR_DIM if "narr" in b
            else SYNTAX_DIM if "syntax" in b else DIM for b in BLOCKS}


def n_features() -> int:
    return sum(block_widths().values())


_WORD = re.compile(r"\S+")


@dataclass
class MentionRef:
    """One mention to featurize: offsets, its sentence bounds, entity and side."""

    start: int
    end: int
    s_start: int
    s_end: int
    sentence: int | None  # index into article.sentences, None: ad-hoc bounds
    canonical: str
    side: str | None


def mention_views(text: str, sent_start: int, sent_end: int, start: int, end: int,
                  window_words: int = DEFAULT_WINDOW) -> tuple[str, str]:
    """(left view, right view) of ``text[start:end]`` inside its sentence."""
    left = _WORD.findall(text[sent_start:start])[-window_words:] if window_words else []
    right = _WORD.findall(text[end:sent_end])[:window_words] if window_words else []
    mention = " ".join(text[start:end].split())
    return " ".join([*left, mention]), " ".join([mention, *right])


def resolve_canonicals(table: AliasTable, surfaces: Sequence[str]) -> list[str]:
    """Canonical entity of each surface: the alias table, else a surname that matches
    exactly one full person name among the surfaces, else the normalized surface."""
    found = [table.lookup(s) for s in surfaces]
    by_last: dict[str, set[str]] = defaultdict(set)
    for c in found:
        if c and table.kind(c) == "person" and " " in c:
            by_last[normalize(c.split()[-1])].add(c)
    for s in surfaces:  # full names not in the table
        words = " ".join(s.split()).split(" ")
        if len(words) >= 2 and all(w[:1].isupper() for w in words):
            by_last[normalize(words[-1])].add(" ".join(words))
    out = []
    display: dict[str, str] = {}  # one display form per normalized key
    for s, c in zip(surfaces, found, strict=True):
        if c is None:
            key = normalize(s)
            cands = by_last.get(key, set()) - {" ".join(s.split())}
            c = next(iter(cands)) if len(cands) == 1 and " " not in key else None
            if c is None:
                plain = strip_possessive(" ".join(s.split()))
                if plain.lower().startswith("the "):
                    plain = plain[4:]
                c = display.setdefault(key, plain or " ".join(s.split()))
        out.append(c)
    return out


def side_of(table: AliasTable, canonical: str, surface: str) -> str | None:
    """Stance side of a mention: civilians by keyword, then the alias table, then keywords."""
    return mention_side(table.side(canonical), surface)


def article_vector(article: Article, sent_vecs: np.ndarray) -> np.ndarray:
    rows = [i for i, s in enumerate(article.sentences) if s.kind != "boilerplate"]
    if not rows:
        rows = list(range(len(article.sentences)))
    if not rows:
        return np.zeros(DIM, dtype=np.float32)
    v = sent_vecs[rows].mean(axis=0)
    n = float(np.linalg.norm(v))
    return (v / n if n else v).astype(np.float32)


#: subfolder of a role model holding its frozen copy of the narratives head that its
#: narrative-profile blocks were computed with (see :func:`narrative_profile`)
PROFILE_SUBDIR = "narrative_profile"
#: files of a narratives model folder that the profile reads (and that are copied)
PROFILE_FILES = ("head.json", "head.npz", "model.json", "gate.npz", "taxonomy.yaml")


def default_profile_dir() -> Path:
    """The frozen narrative-profile head of the shipped role model."""
    return Path(str(resources.files("narrascope.resources").joinpath(
        f"models/roles/{PROFILE_SUBDIR}")))


@lru_cache(maxsize=4)
def _narratives_model(directory: str):  # type: ignore[no-untyped-def]
    from narrascope.components.narratives.model import load_model

    m = load_model(directory)
    if m.n_dom + m.n_nar != NARR_DIM:
        raise ValueError(f"{directory}: narratives model has {m.n_dom + m.n_nar} domains + "
                         f"narratives, the role features expect {NARR_DIM}")
    return m


def narratives_model_digest(directory: str | Path | None = None) -> str:
    """Digest of a narratives model folder's head and ``model.json`` (default: the shipped
    narratives model): a role model records the digest of the head its narrative-profile
    blocks come from, and checks its frozen copy against it."""
    import hashlib

    from narrascope.components.narratives.model import shipped_model_dir

    d = Path(directory) if directory is not None else shipped_model_dir()
    h = hashlib.sha256()
    for f in sorted(d.iterdir()):
        if f.is_file() and (f.name.startswith("head.") or f.name == "model.json"):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


def copy_profile_head(source: str | Path, target: str | Path) -> str:
    """Copy the narratives head in ``source`` (a narratives model folder or a role model's
    frozen copy) to ``target`` (written whole, then renamed); its taxonomy goes along, so
    the copy reads the same whatever later changes to the shipped narratives model.
    Returns the copy's digest (:func:`narratives_model_digest`)."""
    import shutil

    src, dst = Path(source), Path(target)
    if src.resolve() == dst.resolve():
        return narratives_model_digest(dst)
    tmp = dst.with_name(dst.name + ".partial")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for name in PROFILE_FILES:
        if (src / name).is_file():
            shutil.copyfile(src / name, tmp / name)
    if not (tmp / "taxonomy.yaml").exists():
        from narrascope.components.narratives.taxonomy import default_taxonomy_path

        shutil.copyfile(default_taxonomy_path(), tmp / "taxonomy.yaml")
    if dst.exists():
        shutil.rmtree(dst)
    tmp.rename(dst)
    return narratives_model_digest(dst)


def narrative_profile(article: Article, sent_vecs: np.ndarray,
                      profile_dir: str | Path | None = None) -> np.ndarray:
    """Calibrated confidences of the domains and narratives of the narratives head in
    ``profile_dir`` (default: the shipped role model's frozen copy) for the article's
    content sentences (the same whatever narratives model or taxonomy the pipeline runs)."""
    m = _narratives_model(str(profile_dir if profile_dir is not None else default_profile_dir()))
    rows = [s.index for s in article.content_sentences] or list(range(len(article.sentences)))
    if not rows:
        return np.zeros(NARR_DIM, dtype=np.float32)
    pooled, _, _ = m.score_matrix(sent_vecs[rows])
    conf = m.confidence(pooled)
    return np.concatenate([conf[m.dom_idx], conf[m.nar_idx]]).astype(np.float32)


_QUOTE_CHARS = "\"“”«»„"


def parsed_doc(article: Article):  # type: ignore[no-untyped-def]
    """The article's spaCy ``Doc`` with a dependency parse: the one the ``voice``
    component shares (``article.cache["spacy_doc"]``) when it has one, else a fresh parse
    (spaCy's small English pipeline with the parser), kept in the cache."""
    from narrascope.components.voice import SPACY_CACHE_KEY, parse

    if _has_parse(article):
        return article.cache[SPACY_CACHE_KEY]
    doc = parse([article.text])[0]
    article.cache[SPACY_CACHE_KEY] = doc
    return doc


def _has_parse(article: Article) -> bool:
    from narrascope.components.voice import SPACY_CACHE_KEY

    doc = article.cache.get(SPACY_CACHE_KEY)
    return (doc is not None and doc.has_annotation("DEP")
            and article.text.startswith(doc.text))  # a long article's Doc covers a prefix


def _parse_missing(articles: Sequence[Article]) -> None:
    """Parse, in one batch, the articles that have no parsed ``Doc`` yet."""
    from narrascope.components.voice import SPACY_CACHE_KEY, parse

    todo = [a for a in articles if not _has_parse(a)]
    for a, doc in zip(todo, parse([a.text for a in todo]) if todo else [], strict=True):
        a.cache[SPACY_CACHE_KEY] = doc


def ensure_voice(article: Article) -> None:
    """Sentence voices (own / quoted / reported / clutter) as the ``voice`` component
    gives them, computed here when it did not run."""
    if article.sentences and all(s.voice is None for s in article.sentences):
        from narrascope.components.voice import assign_voice

        assign_voice(article, parsed_doc(article))


def syntax_features(article: Article, doc, r: MentionRef) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Who acts on whom, and who speaks, for one mention (:data:`SYNTAX`): the
    dependency of the mention's head word (subject, passive subject, object, the agent
    after a passive "by", other prepositional object, possessor, other), whether its verb
    is passive, whether the mention is the speaker of its (quoted / reported) sentence or
    inside quote marks, and the sentence's voice."""
    v = np.zeros(SYNTAX_DIM, dtype=np.float32)
    span = doc.char_span(r.start, r.end, alignment_mode="expand") if doc is not None else None
    if span is not None and len(span):
        head = span.root
        dep = head.dep_
        if dep == "nsubj":
            k = "subject"
        elif dep == "nsubjpass":
            k = "passive_subject"
        elif dep in ("dobj", "dative", "obj"):
            k = "object"
        elif dep == "pobj" and head.head.lower_ == "by" and head.head.dep_ == "agent":
            k = "by_agent"
        elif dep == "pobj":
            k = "prep_object"
        elif dep == "poss":
            k = "possessor"
        else:
            k = "other_dep"
        v[SYNTAX.index(k)] = 1.0
        verb = head.head
        if any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children):
            v[SYNTAX.index("passive_verb")] = 1.0
    sent = article.sentences[r.sentence] if r.sentence is not None else None
    voice = sent.voice if sent is not None else None
    if sent is not None and voice in ("quoted", "reported") and sent.speaker:
        mention = article.text[r.start:r.end].lower()
        speaker = sent.speaker.lower()
        if mention in speaker or speaker in mention:
            v[SYNTAX.index("speaker")] = 1.0
    before = article.text[r.s_start:r.start]
    if sum(before.count(c) for c in _QUOTE_CHARS) % 2 == 1:
        v[SYNTAX.index("in_quotes")] = 1.0
    v[SYNTAX.index({"own": "voice_own", "quoted": "voice_quoted",
                    "reported": "voice_reported"}.get(voice or "", "voice_other"))] = 1.0
    return v


def build(articles: Sequence[Article], refs: Sequence[Sequence[MentionRef]],
          window_words: int = DEFAULT_WINDOW,
          profile_dir: str | Path | None = None) -> np.ndarray:
    """Feature rows for the mentions of a batch (``refs[i]``: mentions of article i),
    in order.  Every needed text is encoded in one encoder call.  ``profile_dir``: the
    narratives head of the narrative-profile blocks (default: the shipped role model's
    frozen copy; a role model passes its own)."""
    from narrascope.components.encoder import encode, ensure_vectors, sentence_vectors

    ensure_vectors([a for a, r in zip(articles, refs, strict=True) if r])
    _parse_missing([a for a, r in zip(articles, refs, strict=True) if r])
    views: list[tuple[str, str]] = []
    extra: list[str] = []
    for art, rs in zip(articles, refs, strict=True):
        for r in rs:
            views.append(mention_views(art.text, r.s_start, r.s_end, r.start, r.end, window_words))
            if r.sentence is None:
                extra.append(art.text[r.s_start:r.s_end])
    if not views:
        return np.zeros((0, n_features()), dtype=np.float32)
    uniq = list(dict.fromkeys([t for v in views for t in v] + extra))
    at = {t: i for i, t in enumerate(uniq)}
    vecs = encode(uniq)
    rows = []
    k = 0
    for art, rs in zip(articles, refs, strict=True):
        if not rs:
            continue
        sv = sentence_vectors(art)
        avec = article_vector(art, sv)
        prof = narrative_profile(art, sv, profile_dir)
        doc = parsed_doc(art)
        ensure_voice(art)
        lv = np.stack([vecs[at[views[k + i][0]]] for i in range(len(rs))])
        rv = np.stack([vecs[at[views[k + i][1]]] for i in range(len(rs))])
        members: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(rs):
            members[r.canonical].append(i)
        for i, r in enumerate(rs):
            if r.sentence is not None:
                s = sv[r.sentence]
            else:
                s = vecs[at[art.text[r.s_start:r.s_end]]]
            idx = members[r.canonical]
            sign = SIGN.get(r.side or "", 0.0)
            cc_sign = CC_SIGN.get(r.side or "", 0.0)
            onehot = np.zeros(len(SIDES), dtype=np.float32)
            onehot[SIDES.index(r.side if r.side in SIDES else None)] = 1.0
            civ = 1.0 if r.side == "civilian" else 0.0
            syn = syntax_features(art, doc, r)
            rows.append(np.concatenate([lv[i], rv[i], s, lv[idx].mean(axis=0),
                                        rv[idx].mean(axis=0), avec, sign * avec,
                                        cc_sign * avec, onehot, prof, sign * prof,
                                        cc_sign * prof, civ * prof, syn, sign * syn]))
        k += len(rs)
    return np.vstack(rows).astype(np.float32)
