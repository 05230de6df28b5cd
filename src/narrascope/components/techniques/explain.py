"""Short grounded explanations of an article's dominant narrative (SemEval-2025 st3).

The explanation names the narrative in plain words and quotes the article sentences
closest (cosine over the shared encoder's vectors) to the narrative's definition.
Guarantees, checked by a property test:

* at most 80 whitespace-separated words (``len(text.split()) <= 80``);
* every fragment between “ and ” in the text is a verbatim substring of the article and
  is recorded in ``Explanation.quotes`` with its offsets (fragments never contain quote
  marks, tabs or line breaks, so the explanation fits on one TSV line).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from narrascope.doc import Article, Explanation, Sentence

MAX_WORDS = 80
MAX_LABEL_WORDS = 24
_QUOTE_CHARS = set('“”"„«»')
_EDGE_STRIP = " \u00a0‘’'`-–—,;:([{"
_EDGE_STRIP_END = " \u00a0‘’'`-–—,;:([{"
_LOWER_FIRST = {
    "the", "there", "diplomacy", "sanctions", "renewable", "temperature",
    "whatever", "doomsday", "amplifying", "criticism", "green", "climate", "hidden",
    "questioning", "nuclear", "west", "nato", "by", "praise", "russia", "ukraine",
}
_KEEP_CAPITAL = {"west", "nato", "russia", "ukraine"}


def _breaks(c: str) -> bool:
    """Characters a quoted fragment must not contain."""
    if c in _QUOTE_CHARS:
        return True
    if c.isspace() and c != " ":
        return True
    return unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def clean_label(text: str, max_words: int = MAX_LABEL_WORDS) -> str:
    """A label as plain one-line words: no quote marks or control characters."""
    chars = [" " if (_breaks(c) or c in "‘’'") and c != "-" else c for c in text]
    words = "".join(chars).split()
    return " ".join(words[:max_words])


def fragment(article: Article, sentence: Sentence, max_words: int) -> tuple[int, int] | None:
    """Offsets of the longest quotable run inside ``sentence``, cut to ``max_words``."""
    text = article.text
    best: tuple[int, int] | None = None
    best_words = 0
    i = sentence.start
    while i < sentence.end:
        while i < sentence.end and _breaks(text[i]):
            i += 1
        j = i
        while j < sentence.end and not _breaks(text[j]):
            j += 1
        s, e = i, j
        while s < e and text[s] in _EDGE_STRIP:
            s += 1
        while e > s and text[e - 1] in _EDGE_STRIP_END:
            e -= 1
        n = len(text[s:e].split())
        if n > best_words:
            best, best_words = (s, e), n
        i = j + 1
    if best is None or max_words <= 0:
        return None
    s, e = best
    words = list(re.finditer(r"\S+", text[s:e]))
    if len(words) > max_words:
        e = s + words[max_words - 1].end()
        while e > s and text[e - 1] in _EDGE_STRIP_END:
            e -= 1
    if e <= s or not text[s:e].split():
        return None
    return s, e


# ------------------------------------------------------------------ narratives taxonomy
@lru_cache(maxsize=4)
def narrative_definitions(path: str | None = None) -> dict[str, str]:
    """label -> definition, from the narratives taxonomy (empty if it cannot be loaded)."""
    from narrascope.components.narratives.taxonomy import TaxonomyError, load_taxonomy

    try:
        tax = load_taxonomy(path)
    except (TaxonomyError, OSError):
        return {}
    return {label: " ".join(info.definition.split())
            for label, info in tax.info.items() if info.definition}


def definition_for(label: str) -> str | None:
    defs = narrative_definitions()
    if label in defs:
        return defs[label]
    last = label.split(":")[-1].strip()
    for key, val in defs.items():
        if key.split(":")[-1].strip() == last and key.endswith(last) and last != "Other":
            return val
    return None


# ------------------------------------------------------------------ choosing the target
def dominant_narrative(article: Article) -> tuple[str, str | None] | None:
    """(narrative, subnarrative) to explain: the given one, else the most confident one."""
    if article.given_narrative is not None:
        return article.given_narrative.narrative, article.given_narrative.subnarrative
    nar = article.narratives
    if nar is None:
        return None
    subs = [s for s in nar.subnarratives if s.label and s.label != "Other"]
    if subs:
        best = max(subs, key=lambda s: s.confidence)
        parts = [p.strip() for p in best.label.split(":")]
        narrative = ": ".join(parts[:2]) if len(parts) >= 2 else best.label
        return narrative, best.label
    nars = [n for n in nar.narratives if n.label and n.label != "Other"]
    if nars:
        best = max(nars, key=lambda n: n.confidence)
        return best.label, None
    return None


def query_text(narrative: str, subnarrative: str | None) -> str:
    """What the sentences are compared with: the definition, else the label words."""
    parts: list[str] = []
    for label in (subnarrative, narrative):
        if not label:
            continue
        last = label.split(":")[-1].strip()
        if not last or last == "Other":
            continue
        parts.append(last)
        d = definition_for(label)
        if d:
            parts.append(d.rstrip(". "))
    return ". ".join(parts) or narrative


def _claim(narrative: str, subnarrative: str | None) -> tuple[str, str]:
    narr_parts = [p.strip() for p in narrative.split(":") if p.strip()]
    narr_short = narr_parts[-1] if narr_parts else narrative
    sub_last = subnarrative.split(":")[-1].strip() if subnarrative else ""
    if sub_last and sub_last != "Other":
        claim = sub_last
    else:
        claim = ""
    return clean_label(narr_short), clean_label(claim)


_VERBS = re.compile(
    r"\b(?:is|are|was|were|will|would|do|does|did|has|have|can|cannot|should|must|"
    r"belongs?|backfire|work|care|increase|destroy|lose|attack|intervene|risk)\b",
    re.IGNORECASE)


def _is_clause(text: str) -> bool:
    return bool(_VERBS.search(text))


def _lower_phrase(text: str) -> str:
    first = text.split(" ", 1)[0]
    if first.lower().endswith("ing") or first.lower() in {"praise", "criticism", "ad",
                                                         "doomsday", "questioning"}:
        return text[:1].lower() + text[1:]
    return text


_ADD_THE = {"situation", "conflict", "war", "crisis"}


def _lower_first(text: str) -> str:
    first = text.split(" ", 1)[0].lower()
    if first in _ADD_THE:
        return "the " + text[:1].lower() + text[1:]
    if first == "west":
        return "the " + text
    if first in _LOWER_FIRST and first not in _KEEP_CAPITAL:
        return text[:1].lower() + text[1:]
    return text


# ------------------------------------------------------------------ the explanation
def explain(article: Article, narrative: str, subnarrative: str | None,
            sentence_vecs: np.ndarray | None, query_vec: np.ndarray | None,
            bonus: dict[int, float] | None = None, max_quotes: int = 2) -> Explanation | None:
    """Build the explanation from precomputed vectors (pure; no encoder call here)."""
    sentences = [s for s in article.sentences if s.kind != "boilerplate"]
    if not sentences:
        sentences = list(article.sentences)
    narr_short, claim = _claim(narrative, subnarrative)
    generic = narr_short.lower() in {"other", ""}
    if generic:
        head = "The article pushes no listed narrative; its central point is made in"
    elif claim and _is_clause(claim):
        head = (f"The article advances the {narr_short} narrative, claiming that "
                f"{_lower_first(claim)}. It makes the case in")
    elif claim:  # a noun phrase such as "Discrediting Ukrainian military"
        head = (f"The article advances the {narr_short} narrative, in particular "
                f"{_lower_phrase(claim)}. It makes the case in")
    else:
        definition = clean_label(definition_for(narrative) or "").rstrip(". ")
        if definition:
            head = (f"The article advances the {narr_short} narrative: {definition}. "
                    "It makes the case in")
        else:
            head = f"The article advances the {narr_short} narrative. It makes the case in"
    head_words = len(head.split())
    if head_words > MAX_WORDS - 12:  # hostile, very long labels: keep room for quotes
        head = " ".join(head.split()[: MAX_WORDS - 12])
        head_words = len(head.split())

    # rank sentences by similarity to the narrative (plus a small technique bonus)
    scores = np.zeros(len(article.sentences), dtype=np.float32)
    if sentence_vecs is not None and query_vec is not None and len(sentence_vecs):
        scores[: len(sentence_vecs)] = np.asarray(sentence_vecs, dtype=np.float32) @ np.asarray(
            query_vec, dtype=np.float32).reshape(-1)
    for idx, b in (bonus or {}).items():
        if 0 <= idx < len(scores):
            scores[idx] += b
    ranked = sorted(sentences, key=lambda s: (-float(scores[s.index]) if s.index < len(scores)
                                              else 0.0, s.index))
    budget = MAX_WORDS - head_words - 4  # "sentences such as", "and", final punctuation
    chosen: list[tuple[int, int, Sentence]] = []
    per_quote = max(1, budget // max_quotes)
    for whole_only in (True, False):  # prefer sentences quotable (almost) whole
        for s in ranked:
            if len(chosen) >= max_quotes:
                break
            if any(c[2].index == s.index for c in chosen):
                continue
            frag = fragment(article, s, per_quote)
            if frag is None:
                continue
            n = len(article.text[frag[0]:frag[1]].split())
            if n < min(3, per_quote):
                continue
            if whole_only and n < per_quote and n < 0.6 * len(s.text.split()):
                continue
            chosen.append((frag[0], frag[1], s))
    if not chosen:  # very short or quote-less article: take any fragment at all
        for s in ranked:
            frag = fragment(article, s, per_quote)
            if frag is not None:
                chosen.append((frag[0], frag[1], s))
                break
    if not chosen:
        if generic:
            return None
        text = head.rsplit(".", 1)[0] + "." if "." in head else head + "."
        text = " ".join(text.split()[:MAX_WORDS])
        return Explanation(narrative=narrative, subnarrative=subnarrative, text=text, quotes=[],
                           source="template")
    chosen.sort(key=lambda c: c[0])
    quoted = [f"“{article.text[s:e]}”" for s, e, _ in chosen]
    lead = "sentences such as" if len(quoted) > 1 else "the sentence"
    text = f"{head} {lead} " + " and ".join(quoted) + "."
    words = text.split()
    if len(words) > MAX_WORDS:  # cannot happen by construction; keep the guarantee anyway
        chosen = chosen[:1]
        s, e, _ = chosen[0]
        text = f"{head} the sentence “{article.text[s:e]}”."
    quotes = [article.span(s, e) for s, e, _ in chosen]
    return Explanation(narrative=narrative, subnarrative=subnarrative, text=text, quotes=quotes,
                       source="template")


def explain_article(article: Article, vectors: Callable[[Article], np.ndarray],
                    embed: Callable[[str], np.ndarray],
                    bonus: dict[int, float] | None = None) -> Explanation | None:
    target = dominant_narrative(article)
    if target is None or not article.sentences:
        return None
    narrative, sub = target
    qv = embed(query_text(narrative, sub))
    return explain(article, narrative, sub, vectors(article), qv, bonus)
