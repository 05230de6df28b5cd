"""Group mentions: actors named by a description instead of a name.

About a third of the framed entities in war and climate news are groups ("local
residents", "Ukrainian soldiers", "TCC officers", "climate activists", "the fossil
fuel lobby").  NER misses them and the alias table only lists a few.  This module
finds them with a lexicon, ``resources/entities/groups.yaml`` (a user file in the
same format extends it, as with the alias table)::

    version: 1
    modifiers:                 # words allowed (up to 4) right before a group head
      ru:    [Russian, Belarusian, pro-Kremlin, ...]   # give side ru
      west:  [Ukrainian, Western, EU, ...]             # give side west
      none:  [Chinese, Indigenous, Donbass, ...]       # kept in the name, no side
      plain: [local, ordinary, elderly, dock, ...]     # dropped from the name
    groups:
    - {name: soldiers, kind: group, side: by_modifier, patterns: [servicemen, troops]}
    - {name: people, kind: group, side: civilian, needs_modifier: true, patterns: []}
    - {name: residents, kind: group, side: civilian, place_suffix: true, patterns: [locals]}

Group fields: ``name`` (canonical head, also a pattern), ``patterns`` (variants),
``side`` (``ru`` / ``west`` / ``green`` / ``fossil`` / ``civilian``, or ``by_modifier``:
the side of the ru/west modifiers, else ``default_side``), ``needs_modifier``
(``true``: only with a modifier, so "ordinary people" but never "people";
``nationality``: only with a ru/west/none modifier, so "Danish government" but not
"the government"; variants of two or more words, "armed forces", need none; a place
suffix counts for ``true``), ``place_suffix`` (a following "of / in / from [the]
Capitalised Place [region]" joins the mention) and ``kind`` (default ``group``).

Matching: one regex (prefix tries, linear in the text), case-insensitive on word
boundaries; a space in a pattern also matches a hyphen or a single line break (and
a hyphen a space); a word with two capitals (US, EU, TCC, NGOs) or a multi-word
pattern all in Title Case (Big Oil, Global South) matches case-sensitively; straight
and curly apostrophes are the same.  A head capitalised other than by opening a
sentence is part of a name ("Metropolitan Police") and is skipped.  The longest match wins; a leading "the" and a
trailing possessive are never part of the span.  Canonical name = the ru/west/none
modifiers + the group name (+ the place suffix): "Ukrainian soldiers", "Western
curators", "residents of Sudzha"; plain modifiers are in the span only.

Spans never overlap the positions marked in ``taken`` (NER / alias mentions found
first): a suffix over a taken span is dropped, and leading modifiers that are taken
("Kyiv" in "Kyiv residents") are cut from the span but still name the group
(canonical "Kyiv residents", span "residents").

``python -m narrascope.components.entities.groups [DOCS_DIR] [--ner]`` prints how
many gold marks of the marked articles (default ``data/roles/docs``) missed by the
alias table (``--ner``: by alias + NER mentions) the lexicon finds.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from narrascope.components.entities.aliases import read_entities_yaml
from narrascope.components.entities.mentions import RawMention

SIDES = ("ru", "west", "green", "fossil", "civilian")
MODIFIER_CLASSES = ("ru", "west", "none", "plain")
MAX_MODIFIERS = 4

_HY = "\\-\u2010\u2011"
#: between words of a pattern: a hyphen, spaces, or one line break
_SEP_WORD = rf"(?:[{_HY}]|[^\S\n]+|[^\S\n]*\n[^\S\n]*)"
#: between modifiers and before the head: spaces or one line break
_SEP = r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"
_APOS = "'\u2019\u2018`"
_NOT_AFTER = rf"(?![\w{_HY}])"
_NOT_BEFORE = rf"(?<![\w{_HY}])"

_POST_HEAD = re.compile(r"[^\S\n]+(of|in|from)[^\S\n]+(?:the[^\S\n]+)?", re.I)
_POST_WORD = re.compile(rf"[^\W\d_]\w*(?:[{_HY}][^\W\d_]\w*)*")
_POST_SEP = re.compile(r"[^\S\n]+")
_REGION_WORDS = {"region", "regions", "district", "districts", "oblast", "province", "area",
                 "city", "county", "village", "villages", "town", "valley", "islands"}
_NOT_PLACE = {"january", "february", "march", "april", "may", "june", "july", "august",
              "september", "october", "november", "december", "monday", "tuesday",
              "wednesday", "thursday", "friday", "saturday", "sunday", "i", "a", "an",
              "this", "that", "these", "those", "his", "her", "their", "our", "its"}
_ADJ_SUFFIX = ("ian", "ean", "an", "ese", "ish", "ic", "i")


def _key(text: str) -> str:
    """Lookup key: lower case, one space between words (hyphens count as spaces),
    straight apostrophes."""
    t = text
    for a in _APOS[1:]:
        t = t.replace(a, "'")
    return " ".join(re.split(rf"[\s{_HY}]+", t.strip())).lower()


def _tokens(pattern: str) -> list[str]:
    toks = [t for t in re.split(rf"[\s{_HY}]+", pattern.strip()) if t]
    if len(toks) > 1 and toks[0].lower() == "the":
        toks = toks[1:]
    return toks


def _units(pattern: str) -> list[tuple[str, bool]]:
    """A pattern as trie units: (char, case_sensitive); ' ' = word separator."""
    toks = _tokens(pattern)
    title = len(toks) > 1 and all(t[:1].isupper() for t in toks)
    out: list[tuple[str, bool]] = []
    for i, tok in enumerate(toks):
        if i:
            out.append((" ", False))
        cs = title or sum(c.isupper() for c in tok) >= 2
        for c in tok:
            if c in _APOS:
                out.append(("'", False))
            elif cs and c.isalpha():
                out.append((c, True))
            else:
                out.append((c.lower(), False))
    return out


def _unit_re(unit: tuple[str, bool]) -> str:
    c, cs = unit
    if c == " ":
        return _SEP_WORD
    if c == "'":
        return f"[{_APOS}]"
    if cs:
        return f"(?-i:{re.escape(c)})"
    return re.escape(c)


def _trie_regex(patterns: list[str]) -> str:
    """One regex matching any of ``patterns``, factored as a prefix trie so that each
    position costs a few character tests whatever the number of patterns."""
    root: dict[Any, Any] = {}
    for p in patterns:
        node = root
        for u in _units(p):
            node = node.setdefault(u, {})
        node[None] = {}
    if not root:
        return "(?!)"

    def build(node: dict[Any, Any]) -> str:
        alts = [_unit_re(u) + build(child) for u, child in
                sorted(((u, c) for u, c in node.items() if u is not None),
                       key=lambda x: x[0])]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if None in node else body

    return build(root)


@dataclass(frozen=True)
class Modifier:
    """A word allowed before a group head; ``cls`` one of :data:`MODIFIER_CLASSES`."""

    text: str
    cls: str

    @property
    def side(self) -> str | None:
        return self.cls if self.cls in ("ru", "west") else None

    @property
    def plain(self) -> bool:
        return self.cls == "plain"


@dataclass
class GroupEntry:
    name: str
    patterns: list[str] = field(default_factory=list)
    side: str | None = None
    default_side: str | None = None
    needs_modifier: str | None = None  # None, "any" or "nationality"
    place_suffix: bool = False
    kind: str = "group"


@dataclass
class GroupHit:
    """One group mention with its analysis (what :func:`find_group_mentions` returns
    as a :class:`RawMention`)."""

    start: int
    end: int
    text: str
    canonical: str
    entry: GroupEntry
    modifiers: list[Modifier]
    side: str | None


class GroupLexicon:
    """Group heads and modifiers; text scanning and side lookup."""

    def __init__(self) -> None:
        self.groups: dict[str, GroupEntry] = {}
        self.modifiers: dict[str, Modifier] = {}
        self._patterns: dict[str, tuple[str, str]] = {}  # key -> (pattern, group name)
        self._surfaces: dict[str, None] = {}  # every pattern as written (ordered set)
        self._regex: re.Pattern[str] | None = None
        self._mod_regex: re.Pattern[str] | None = None

    def __len__(self) -> int:
        return len(self.groups)

    # ------------------------------------------------------------------ building
    def add_group(self, entry: GroupEntry) -> None:
        """Add a group (or extend one of the same name: patterns are added, the
        other fields replaced)."""
        old = self.groups.get(entry.name)
        if old is not None:
            entry.patterns = list(dict.fromkeys(old.patterns + entry.patterns))
        self.groups[entry.name] = entry
        for p in [entry.name, *entry.patterns]:
            k = _key(" ".join(_tokens(p)))
            if k:
                self._patterns[k] = (p, entry.name)
                self._surfaces[p] = None
        self._regex = None

    def add_modifier(self, text: str, cls: str) -> None:
        if cls not in MODIFIER_CLASSES:
            raise ValueError(f"modifier class must be one of {MODIFIER_CLASSES}, not {cls!r}")
        k = _key(text)
        if k:
            self.modifiers[k] = Modifier(" ".join(text.split()), cls)
        self._regex = self._mod_regex = None

    @classmethod
    def from_yaml(cls, path: str | Path | None = None) -> GroupLexicon:
        lex = cls()
        lex.extend_yaml(path)
        return lex

    def extend_yaml(self, path: str | Path | None) -> None:
        """Read a lexicon file (``None`` = the packaged one) and add its content."""
        data, where = read_entities_yaml(path, "groups.yaml")
        if not isinstance(data, dict):
            raise ValueError(f"{where}: expected a mapping with 'groups' / 'modifiers'")
        mods = data.get("modifiers") or {}
        if not isinstance(mods, dict):
            raise ValueError(f"{where}: 'modifiers' must map a class to a list of words")
        for c, words in mods.items():
            if c not in MODIFIER_CLASSES:
                raise ValueError(f"{where}: unknown modifier class {c!r} "
                                 f"(one of {', '.join(MODIFIER_CLASSES)})")
            if not isinstance(words, list):
                raise ValueError(f"{where}: modifiers.{c} must be a list")
            for w in words:
                if not isinstance(w, str):
                    raise ValueError(f"{where}: modifiers.{c}: {w!r} is not a word "
                                     "(quote it)")
                self.add_modifier(w, c)
        items = data.get("groups") or []
        if not isinstance(items, list):
            raise ValueError(f"{where}: 'groups' must be a list")
        for i, item in enumerate(items):
            self.add_group(self._entry(item, f"{where}: group #{i + 1}"))

    @staticmethod
    def _entry(item: Any, where: str) -> GroupEntry:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ValueError(f"{where} needs a 'name'")
        where = f"{where} ({item['name']!r})"
        pats = item.get("patterns") or []
        if not isinstance(pats, list) or not all(isinstance(p, str) for p in pats):
            raise ValueError(f"{where}: 'patterns' must be a list of strings")
        side = item.get("side")
        if side is not None and side not in (*SIDES, "by_modifier"):
            raise ValueError(f"{where}: side must be one of {', '.join(SIDES)} or by_modifier")
        default = item.get("default_side")
        if default is not None and default not in SIDES:
            raise ValueError(f"{where}: default_side must be one of {', '.join(SIDES)}")
        need = item.get("needs_modifier", False)
        if need not in (True, False, None, "nationality"):
            raise ValueError(f"{where}: needs_modifier must be true, false or nationality")
        return GroupEntry(
            name=item["name"], patterns=[str(p) for p in pats], side=side,
            default_side=default,
            needs_modifier="any" if need is True else ("nationality" if need else None),
            place_suffix=bool(item.get("place_suffix", False)),
            kind=str(item.get("kind") or "group"))

    # ------------------------------------------------------------------- regexes
    def regex(self) -> re.Pattern[str]:
        """The compiled scanner: up to 4 modifiers, then a head (group ``head``)."""
        if self._regex is None:
            mod = _trie_regex([m.text for m in self.modifiers.values()])
            head = _trie_regex(list(self._surfaces))
            self._regex = re.compile(
                rf"{_NOT_BEFORE}(?:(?:{mod}){_SEP}){{0,{MAX_MODIFIERS}}}"
                rf"(?P<head>{head}){_NOT_AFTER}", re.I)
        return self._regex

    def _modifier_regex(self) -> re.Pattern[str]:
        if self._mod_regex is None:
            mod = _trie_regex([m.text for m in self.modifiers.values()])
            self._mod_regex = re.compile(rf"(?P<mod>{mod}){_SEP}", re.I)
        return self._mod_regex

    # ------------------------------------------------------------------ scanning
    def scan(self, text: str, region: tuple[int, int] | None = None,
             taken: bytearray | bytes | None = None) -> list[GroupHit]:
        """Group mentions of ``text[region]``, left to right, not overlapping each
        other nor any position ``i`` with ``taken[i]`` set."""
        lo, hi = region or (0, len(text))
        lo, hi = max(0, lo), min(len(text), hi)
        rx = self.regex()
        out: list[GroupHit] = []
        pos = lo
        while pos < hi:
            m = rx.search(text, pos, hi)
            if m is None:
                break
            hit = self._analyse(text, m, hi, taken)
            if hit is None:
                pos = m.start() + 1
                continue
            out.append(hit)
            pos = max(hit.end, m.end())
        return out

    def _analyse(self, text: str, m: re.Match[str], hi: int,
                 taken: bytearray | bytes | None) -> GroupHit | None:
        head_s, head_e = m.span("head")
        if head_e == hi and hi < len(text) and (text[hi].isalnum() or text[hi] in "_-"):
            return None  # the region cuts a word
        # modifiers, as the scanner read them
        mods: list[tuple[int, Modifier]] = []
        p, mrx = m.start(), self._modifier_regex()
        while p < head_s:
            mm = mrx.match(text, p, head_s)
            mod = self.modifiers.get(_key(mm.group("mod"))) if mm else None
            if mm is None or mod is None or mm.end() <= p:
                mods = []
                break
            mods.append((p, mod))
            p = mm.end()
        # the longest pattern ending at the head wins ("oil" + "companies" = oil companies)
        name, key = None, ""
        for i, (ms, _) in enumerate(mods):
            key = _key(text[ms:head_e])
            if key in self._patterns:
                name, head_s, mods = self._patterns[key][1], ms, mods[:i]
                break
        if name is None:
            key = _key(text[head_s:head_e])
            if key not in self._patterns:
                return None
            name = self._patterns[key][1]
        entry = self.groups[name]
        if taken is not None and _any(taken, head_s, head_e):
            return None
        if self._in_proper_name(text, mods[0][0] if mods else head_s, head_s, head_e, key):
            return None
        end, post = head_e, ""
        if entry.place_suffix:
            suffix = self._place_suffix(text, head_e, hi)
            if suffix and not (taken is not None and _any(taken, head_e, suffix[0])):
                end, post = suffix
        if " " not in key or key == _key(entry.name):  # variants of 2+ words stand alone
            if entry.needs_modifier == "any" and not mods and not post:
                return None
            if entry.needs_modifier == "nationality" and all(md.plain for _, md in mods):
                return None
        start = mods[0][0] if mods else head_s
        if taken is not None:
            last = _last(taken, start, head_s)
            if last >= 0:
                start = next((ms for ms, _ in mods if ms > last), head_s)
        used = [md for _, md in mods]
        nat = list(dict.fromkeys(md.text for md in used if not md.plain))
        canonical = " ".join([*nat, entry.name]) + (f" {post}" if post else "")
        return GroupHit(start, end, text[start:end], canonical, entry, used,
                        self._side(entry, used))

    def _in_proper_name(self, text: str, start: int, head_s: int, head_e: int,
                        key: str) -> bool:
        """A head capitalised other than by opening a sentence is part of a name or
        a title-case headline ("Metropolitan Police", "National Farmers' Union")."""
        if not text[head_s].isupper() or self._patterns[key][0][:1].isupper():
            return False
        if start < head_s:
            return True
        before = text[:start].rstrip(" \t\"'“‘«([")
        return bool(before) and before[-1] not in ".!?:;\n—–"

    def _place_suffix(self, text: str, pos: int, hi: int) -> tuple[int, str] | None:
        """``(end, "of Sudzha district")`` for a place suffix starting at ``pos``."""
        pm = _POST_HEAD.match(text, pos, hi)
        if pm is None:
            return None
        p, words, end = pm.end(), [], -1
        for i in range(3):
            if i:
                sm = _POST_SEP.match(text, p, hi)
                if sm is None:
                    break
                p = sm.end()
            wm = _POST_WORD.match(text, p, hi)
            if wm is None or not self._place_word(wm.group(0)):
                break
            words.append(wm.group(0))
            p = end = wm.end()
        if not words:
            return None
        sm = _POST_SEP.match(text, end, hi)
        if sm:
            wm = _POST_WORD.match(text, sm.end(), hi)
            if wm and wm.group(0).lower() in _REGION_WORDS:
                words.append(wm.group(0).lower())
                end = wm.end()
        if end < len(text) and (text[end].isalnum() or text[end] in "_-" + _HY[1:]):
            return None
        if end == hi and hi < len(text):
            return None
        return end, f"{pm.group(1).lower()} {' '.join(words)}"

    def _place_word(self, word: str) -> bool:
        if not word[:1].isupper() or word.lower() in _NOT_PLACE:
            return False
        mod = self.modifiers.get(_key(word))
        if mod is None:
            return True
        return mod.cls == "none" and not word.lower().endswith(_ADJ_SUFFIX)

    # --------------------------------------------------------------------- sides
    @staticmethod
    def _side(entry: GroupEntry, mods: list[Modifier]) -> str | None:
        if entry.side != "by_modifier":
            return entry.side
        sides = {md.side for md in mods if md.side}
        if len(sides) == 1:
            return sides.pop()
        return entry.default_side if not sides else None

    def side(self, canonical: str, surface: str | None = None) -> str | None:
        """Side of a group mention from its canonical name (which keeps the side
        modifiers), else from its surface; ``None`` when neither is a group."""
        for s in (canonical, surface):
            if not s:
                continue
            hits = self.scan(s)
            if hits:
                return max(hits, key=lambda h: h.end - h.start).side
        return None


def _any(taken: bytearray | bytes, s: int, e: int) -> bool:
    return taken.find(1, s, min(e, len(taken))) >= 0


def _last(taken: bytearray | bytes, s: int, e: int) -> int:
    return taken.rfind(1, s, min(e, len(taken)))


@lru_cache(maxsize=8)
def _load(path: str | None) -> GroupLexicon:
    lex = GroupLexicon.from_yaml(None)
    if path:
        lex.extend_yaml(path)
    return lex


def load_groups(path: str | Path | None = None) -> GroupLexicon:
    """The packaged lexicon, extended by a user file (cached per process)."""
    return _load(str(path) if path else None)


def find_group_mentions(text: str, lexicon: GroupLexicon | None = None,
                        region: tuple[int, int] | None = None,
                        taken: bytearray | None = None, *,
                        aliases: Any = None) -> list[RawMention]:
    """Group mentions of ``text`` (``region`` = (start, end) to scan only a part) as
    ``RawMention(start, end, text, "GROUP", canonical, "group")``, never overlapping a
    position set in ``taken`` (``bytearray(len(text) + 1)``, 1 = covered by an
    NER / alias mention; it is not modified).  With ``aliases`` (an ``AliasTable``)
    a canonical name the table knows ("ukrainian soldiers") becomes the table's
    canonical entity ("Ukrainian armed forces")."""
    lex = lexicon if lexicon is not None else load_groups()
    out = []
    for h in lex.scan(text, region, taken):
        canon = h.canonical
        if aliases is not None:
            canon = aliases.lookup(canon) or canon
        out.append(RawMention(h.start, h.end, h.text, "GROUP", canon, h.entry.kind))
    return out


def group_side(canonical: str, surface: str | None = None,
               lexicon: GroupLexicon | None = None) -> str | None:
    """Side (ru / west / green / fossil / civilian) of a group mention, or ``None``:
    "Russian soldiers" -> ru, "Ukrainian soldiers" -> west, "local residents" ->
    civilian, "oil companies" -> fossil, "mercenaries" -> west (its default)."""
    lex = lexicon if lexicon is not None else load_groups()
    return lex.side(canonical, surface)


# ------------------------------------------------------------------ measurement
_CUT_WORDS = {"of", "in", "who", "at", "with", "living", "along", "still", "without", "from",
              "recruited", "like", "that", "which", "on", "stayed", "remain", "whose"}


def _group_like(text: str, s: int, e: int) -> bool:
    """Heuristic: a mark whose head noun is a common noun (lower case, or capitalised
    only because it opens a sentence), not "a/an ..." (one unnamed person)."""
    words = text[s:e].split()
    if not words or words[0].lower() in ("a", "an"):
        return False
    cut = next((i for i, w in enumerate(words) if i and w.lower() in _CUT_WORDS), len(words))
    head = words[cut - 1].strip("\"'“”‘’.,;:")
    if head[:1].islower():
        return True
    before = text[:s].rstrip(" \"“‘'")
    return cut == 1 and head[1:].islower() and (not before or before[-1] in ".!?:\n")


def measure(folder: str | Path = "data/roles/docs", lexicon: GroupLexicon | None = None,
            ner: bool = False) -> dict[str, float]:
    """Gold marks of the marked articles in ``folder`` that the alias table (and, with
    ``ner``, spaCy NER: ``find_mentions``) misses, and how many of them the group
    lexicon finds (any overlap; the earlier mentions as ``taken``).  Spurious = group
    matches overlapping no gold mark (only framed mentions are marked, so this is an
    upper bound)."""
    from narrascope.components.entities.aliases import load_table
    from narrascope.components.entities.corpus import read_docs_dir

    lex = lexicon if lexicon is not None else load_groups()
    table = load_table(None)
    by_text: dict[str, list[tuple[int, int]]] = {}
    for r in read_docs_dir(folder):
        by_text.setdefault(r["text"], []).append((r["start"], r["end"]))
    texts = list(by_text)
    if ner:
        from narrascope.components.entities.mentions import find_mentions, parse

        first = [[(m.start, m.end) for m in find_mentions(t, d, table)]
                 for t, d in zip(texts, parse(texts), strict=True)]
    else:
        first = [[(s, e) for s, e, _ in table.scan(t)] for t in texts]
    n = missed = found = exact = gl = gl_found = spurious = matches = 0
    for text, spans in zip(texts, first, strict=True):
        marks = by_text[text]
        taken = bytearray(len(text) + 1)
        for s, e in spans:
            taken[s:e] = b"\x01" * (e - s)
        hits = lex.scan(text, taken=taken)
        matches += len(hits)
        spurious += sum(1 for h in hits if not any(h.start < e and s < h.end for s, e in marks))
        for s, e in marks:
            n += 1
            if any(a < e and s < b for a, b in spans):
                continue
            missed += 1
            ok = any(h.start < e and s < h.end for h in hits)
            found += ok
            exact += any(h.start == s and h.end == e for h in hits)
            if _group_like(text, s, e):
                gl += 1
                gl_found += ok
    return {"articles": len(texts), "marks": n, "missed_before": missed,
            "found": found, "recall": round(found / max(missed, 1), 3),
            "exact": exact, "group_like": gl, "group_like_found": gl_found,
            "group_like_recall": round(gl_found / max(gl, 1), 3), "matches": matches,
            "spurious": spurious,
            "spurious_per_article": round(spurious / max(len(texts), 1), 2)}


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--ner"]
    print(measure(args[0] if args else "data/roles/docs", ner="--ner" in sys.argv[1:]))
