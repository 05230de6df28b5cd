"""Find title-person pairs ("Pentagon chief Lloyd Austin", "Lloyd Austin, the US defence
secretary") in a text.

Detection is name-first: one compiled regex finds the knowledge-base persons (full names,
aliases, surnames); for each name a title is looked for right before it (pattern A:
``[modifier] [qualifier] TITLE [of COUNTRY] [,] [rank] NAME``) or right after it
(pattern B: ``NAME, [the] [modifier] [qualifier] TITLE [of COUNTRY]`` closed by punctuation
or a verb).  Titles, qualifiers and names are compiled once per knowledge base into
trie-shaped regexes, so an article takes well under a millisecond per name found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrascope.components.fact_checks.kb import KnowledgeBase, normalise_title

# --------------------------------------------------------------------- vocab

#: modifiers before a title and what they mean for the check
MODIFIERS: dict[str, str] = {
    "then": "then", "at the time": "then",
    "former": "former", "ex": "former", "onetime": "former", "one time": "former",
    "erstwhile": "former", "previous": "former", "late": "former", "sacked": "former",
    "ousted": "former", "dismissed": "former", "fired": "former", "retired": "former",
    "past": "former", "longtime former": "former", "disgraced former": "former",
    "outgoing": "outgoing", "departing": "outgoing", "lame duck": "outgoing",
    "incoming": "skip", "acting": "skip", "interim": "skip", "caretaker": "skip",
    "future": "skip", "would be": "skip", "potential": "skip", "possible": "skip",
    "prospective": "skip", "likely": "skip", "designated": "skip", "newly appointed": "present",
    "new": "present", "current": "present", "sitting": "present", "incumbent": "present",
    "serving": "present", "longtime": "present", "long time": "present",
    "self proclaimed": "skip", "self styled": "skip", "so called": "skip",
    "illegitimate": "skip", "unelected": "skip", "de facto": "skip", "first": "skip",
    "second": "skip", "last": "skip", "next": "skip", "deputy": "block", "vice": "block",
    "assistant": "block", "under": "block", "shadow": "block", "junior": "block",
    "associate": "block", "principal": "block", "co": "block",
}

#: words right before the whole match that make it something else than a claim
BLOCK_BEFORE = {
    "for", "as", "become", "became", "becomes", "becoming", "named", "nominated", "appointed",
    "appoint", "nominate", "pick", "picks", "nominee", "candidate", "replace", "replaced",
    "replacing", "replaces", "succeed", "succeeded", "succeeding", "succeeds", "than", "like",
    "unlike", "post", "position", "role", "job", "office", "be", "elect", "elected", "run",
    "ran", "running", "seat", "vs", "versus", "if", "whether", "deputy", "vice", "assistant",
    "under", "shadow", "junior", "associate", "principal", "acting", "interim", "caretaker",
    "designate", "fake", "fictional", "not", "no", "never", "nor", "non", "pretend", "mock",
    "imaginary", "hypothetical", "future", "chosen", "choose", "chose", "tapped", "tap",
}
#: words right before the match that put the title in the past ("Biden's Pentagon chief")
THEN_BEFORE = {"administration", "administration's", "era", "government", "government's",
               "cabinet", "cabinet's", "regime", "regime's", "his", "her", "their", "whose"}

RANKS = (
    r"(?:(?:Army|Air|Navy|Four[- ]star)\s+)?(?:(?:Lt\.?|Lieutenant|Maj\.?|Major|Brig\.?|"
    r"Brigadier|Colonel|Col\.?)\s+)?(?:Gen\.?|General|Adm\.?|Admiral|Marshal|Mr\.?|Ms\.?|"
    r"Mrs\.?|Dr\.?|Sir|Dame|Lord|Colonel|Col\.?)"
)
HONORIFICS = {"Mr", "Ms", "Mrs", "Dr", "Gen", "General", "Sir", "Dame", "Lord", "Adm",
              "Admiral", "Col", "Colonel", "Marshal", "Comrade", "Madam"}

#: what may follow an apposition ("Lloyd Austin, the US defence secretary, said"): a
#: punctuation mark or a reporting verb.  "who ...", "in the Biden administration" and the
#: like are not accepted: they often move the title into the past.
FOLLOW_OK = re.compile(
    r"""^(?:[ \t]*(?:$|[,.;:)!?])|\s+(?:said|says|told|tells|has\s+said|wrote|writes|added|
    noted|stated|warned|announced|insisted|claimed|argued|stressed|urged|vowed|declared|
    confirmed|denied|suggested|called|asked|replied|responded|explained|admitted)\b)""",
    re.VERBOSE,
)

_WEEKDAYS_MONTHS = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Jr", "Jr.", "III", "II", "Sr", "Sr.",
}

_POSSESSIVE = re.compile(r"[A-Z][\w\u00C0-\u024F.-]*['\u2019]s?")
_NEXT_TOKEN = re.compile(r"^(?:['\u2019]s?)?\s*([A-Z][\w.\u00C0-\u024F'\u2019-]*)")
_PREV_TOKEN = re.compile(r"([\w\u00C0-\u024F.'\u2019-]+)[\s,]*$")


# --------------------------------------------------------------------- regex builders

def _trie_regex(words: list[str], char_pattern) -> str:
    """A regex matching exactly ``words`` with common prefixes factored out."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [char_pattern(ch) + build(node[ch]) for ch in sorted(k for k in node if k != "")]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return build(trie)


def _title_char(ch: str) -> str:
    if ch == " ":
        return r"[ \t\u00a0\-\u2010\u2011\u2013]+"
    if ch == "'":
        return "['\u2019]"
    return re.escape(ch)


def _name_char(ch: str) -> str:
    if ch == " ":
        return r"[ \t\u00a0]+"
    if ch in "'\u2019":
        return "['\u2019]"
    return re.escape(ch)


# --------------------------------------------------------------------- results

@dataclass
class Claim:
    start: int
    end: int
    person: str
    title: str  # normalised title key
    title_text: str
    qualifiers: set[str] | None
    modifier: str  # present / former / then / outgoing / skip
    pattern: str  # "A" (title before name) or "B" (apposition after the name)
    name_start: int
    name_end: int
    by_surname: bool = False  # resolved from a surname alone, the full name is not in the text


@dataclass
class _NameHit:
    start: int
    end: int
    persons: list[str]
    short: bool


class Detector:
    """Compiled regexes for one knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.title_index = kb.title_index()
        titles = sorted(self.title_index)
        self.title_last_words = {t.split()[-1].strip(".") for t in titles}
        title_re = "(?i:" + _trie_regex(titles, _title_char) + ")"
        # "block" words are not consumed as modifiers: "Deputy Secretary of State" is a title
        mods = sorted(m for m, k in MODIFIERS.items() if k != "block")
        mod_re = "(?i:" + _trie_regex(mods, _title_char) + r")(?:[ \t]*[-\u2010\u2011\u2013][ \t]*|[ \t\u00a0]+)"
        quals = sorted(kb.qualifiers)
        qual_re = _trie_regex(quals, _name_char) if quals else "(?!x)x"
        cnames = sorted(kb.country_names)
        cname_re = _trie_regex(cnames, _name_char) if cnames else "(?!x)x"
        of_re = rf"(?:\s+of\s+(?:the\s+)?(?P<ofc>{cname_re})(?![\w]))?"
        core = (
            rf"(?:(?P<mod1>{mod_re}))?(?:(?P<qual>{qual_re})\s+)?(?:(?P<mod2>{mod_re}))?"
            rf"(?P<title>{title_re}){of_re}"
        )
        # pattern A, run once over the whole text: a title phrase right before a word
        self.left_re = re.compile(
            r"(?<![\w\-\u2010\u2011'\u2019])" + core
            + rf"(?P<sep>[ \t\u00a0]*,[ \t\u00a0]*|[ \t\u00a0]+)(?:{RANKS}[ \t\u00a0]+)?(?=\w)"
        )
        self.right_re = re.compile(
            r"^(?P<poss>['\u2019]s)?\s*,\s*(?:(?:the|a|an)\s+)?" + core
        )
        # names
        self.full_names: dict[str, set[str]] = {}
        self.short_names: dict[str, set[str]] = {}
        for person in kb.persons.values():
            for alias in {person.name, *person.aliases}:
                self.full_names.setdefault(alias, set()).add(person.name)
            for s in person.short:
                self.short_names.setdefault(s, set()).add(person.name)
        # a string both full for one person and short for another: keep both meanings
        all_names = sorted(set(self.full_names) | set(self.short_names))
        name_re = _trie_regex(all_names, _name_char)
        self.name_re = re.compile(
            r"(?<![\w\-\u2010\u2011'\u2019])(?:" + name_re + r")(?![\w\-\u2010\u2011])"
        )
        self.first_names: dict[str, set[str]] = {}
        for person in kb.persons.values():
            for alias in {person.name, *person.aliases}:
                toks = alias.split()
                if len(toks) > 1:
                    self.first_names.setdefault(person.name, set()).update(toks[:-1])

    # ------------------------------------------------------------------ names
    def _lookup_name(self, text: str) -> tuple[list[str], bool]:
        key = re.sub(r"\s+", " ", text).replace("\u2019", "'")
        full = self.full_names.get(key) or self.full_names.get(key.replace("'", "\u2019"))
        if full:
            return sorted(full), False
        short = self.short_names.get(key) or self.short_names.get(key.replace("'", "\u2019"))
        return sorted(short or ()), True

    def find_names(self, text: str) -> list[_NameHit]:
        hits = []
        for m in self.name_re.finditer(text):
            persons, short = self._lookup_name(m.group(0))
            if not persons:
                continue
            nxt = _NEXT_TOKEN.match(text[m.end(): m.end() + 40])
            if nxt and not text[m.end():].startswith(("'", "\u2019")):
                tok = nxt.group(1).rstrip(".,")
                gap = text[m.end(): m.end() + nxt.start(1)]
                if gap.strip() == "" and "\n" not in gap and tok not in _WEEKDAYS_MONTHS:
                    continue  # "Austin Dillon": the name goes on
            hits.append(_NameHit(m.start(), m.end(), persons, short))
        return hits

    def resolve_short(
        self, text: str, hits: list[_NameHit]
    ) -> tuple[dict[tuple[int, int], str], set[tuple[int, int]]]:
        """Resolve every name hit to one person, or leave it out when ambiguous.

        Also returns the hits resolved from a surname alone, without the person's full
        name anywhere in the article.
        """
        by_surname: set[tuple[int, int]] = set()
        mentioned_full: set[str] = set()
        for h in hits:
            if not h.short and len(h.persons) == 1:
                mentioned_full.add(h.persons[0])
        out: dict[tuple[int, int], str] = {}
        for h in hits:
            if not h.short:
                if len(h.persons) == 1:
                    out[(h.start, h.end)] = h.persons[0]
                continue
            cands = h.persons
            in_article = [p for p in cands if p in mentioned_full]
            if len(in_article) == 1:
                out[(h.start, h.end)] = in_article[0]
            elif len(cands) == 1 and not in_article \
                    and not self.kb.persons[cands[0]].short_needs_full \
                    and not self._other_bearer(
                text, text[h.start:h.end], cands[0]
            ):
                out[(h.start, h.end)] = cands[0]
                by_surname.add((h.start, h.end))
        return out, by_surname

    def _other_bearer(self, text: str, surname: str, person: str) -> bool:
        """Does the article name someone else with this surname ("Mike Johnson")?"""
        known_first = self.first_names.get(person, set())
        pat = re.compile(r"([A-Z][\w\u00C0-\u024F.'\u2019-]*)\s+" + re.escape(surname) + r"\b")
        for m in pat.finditer(text):
            word = m.group(1).rstrip(".")
            if word in known_first or word in HONORIFICS:
                continue
            if word.lower() in self.title_last_words or word.lower() in MODIFIERS:
                continue
            if word in self.kb.qualifiers or word in _FUNCTION_WORDS or _POSSESSIVE.fullmatch(word):
                continue
            return True
        return False

    # ------------------------------------------------------------------ claims
    def find_claims(self, text: str) -> list[Claim]:
        hits = self.find_names(text)
        if not hits:
            return []
        resolved, by_surname = self.resolve_short(text, hits)
        title_ends = {m.end(): m for m in self.left_re.finditer(text)}
        claims: list[Claim] = []
        for h in hits:
            person = resolved.get((h.start, h.end))
            if person is None:
                continue
            claim = self._left(text, h, person, title_ends)
            if claim is None:
                claim = self._right(text, h, person)
            if claim is not None:
                claim.by_surname = (h.start, h.end) in by_surname
                claims.append(claim)
        return claims

    def _mod_kind(self, *mods: str | None) -> str:
        kind = "present"
        for m in mods:
            if not m:
                continue
            k = MODIFIERS.get(normalise_title(m.rstrip(" -\u2010\u2011")), "present")
            if k in ("block", "skip"):
                return k
            if k != "present":
                kind = k
        return kind

    def _quals(self, m: re.Match) -> set[str] | None:
        out: set[str] = set()
        if m.group("qual"):
            out |= self.kb.qualifiers.get(re.sub(r"\s+", " ", m.group("qual")), set())
        if m.group("ofc"):
            out |= self.kb.country_names.get(re.sub(r"\s+", " ", m.group("ofc")), set())
        return out or None

    def _before(self, text: str, pos: int) -> tuple[str, str]:
        pm = _PREV_TOKEN.search(text[max(0, pos - 60):pos])
        if not pm:
            return "", text[max(0, pos - 3):pos]
        return pm.group(1), text[max(0, pos - 60):pos][pm.end(1):]

    def _context_kind(self, text: str, start: int) -> str | None:
        """Look at the word before the claim: blockers, "Biden's", "then"."""
        word, gap = self._before(text, start)
        low = word.lower().strip(".")
        if "," in gap or not word or word.endswith((".", "!", "?", ":", ";")):
            return None  # "Moreover, Pentagon chief ..." or a new sentence: a fresh phrase
        if low in BLOCK_BEFORE:
            return "block"
        if low in THEN_BEFORE or low.endswith("-era"):
            return "then"
        if low in ("then", "formerly", "once"):
            return "then"
        if _POSSESSIVE.fullmatch(word) and word not in self.kb.qualifiers:
            return "then"  # "Biden's Pentagon chief": the office as it was under someone
        if word[:1].isupper() and low not in _FUNCTION_WORDS_LOWER and low not in MODIFIERS:
            # "Assistant Secretary of State", "EU Foreign Policy Chief": part of a longer title
            return "block"
        return None

    def _left(self, text: str, h: _NameHit, person: str,
              title_ends: dict[int, re.Match]) -> Claim | None:
        m = title_ends.get(h.start)
        if m is None:
            return None
        start = m.start()
        if "," in m.group("sep"):
            # "the defence minister, Sergei Shoigu, said": the name must close the apposition
            if not FOLLOW_OK.match(text[h.end:h.end + 40]):
                return None
        ctx = self._context_kind(text, start)
        if ctx == "block":
            return None
        kind = self._mod_kind(m.group("mod1"), m.group("mod2"))
        if kind in ("block", "skip"):
            return None
        if ctx == "then" and kind == "present":
            kind = "then"
        title_key = normalise_title(m.group("title"))
        if title_key not in self.title_index:
            return None
        if len(title_key) <= 3 and not m.group("title").isupper():
            return None  # "PM", "VP": only as acronyms ("at 5 pm Keir Starmer ...")
        return Claim(
            start=start, end=h.end, person=person, title=title_key,
            title_text=m.group("title"), qualifiers=self._quals(m), modifier=kind,
            pattern="A", name_start=h.start, name_end=h.end,
        )

    def _right(self, text: str, h: _NameHit, person: str) -> Claim | None:
        window = text[h.end:h.end + 160]
        if not re.match(r"^(?:['\u2019]s)?\s*,", window):
            return None
        m = self.right_re.match(window)
        if not m or m.group("poss"):
            return None
        after = window[m.end():]
        if not FOLLOW_OK.match(after):
            return None  # "Witkoff, Secretary of State Marco Rubio": a list, not apposition
        # the name must not be preceded by an unknown first name ("Mike Johnson, the ...")
        word, gap = self._before(text, h.start)
        if word and word[:1].isupper() and gap.strip() == "" and word.rstrip(".") not in HONORIFICS \
                and word.lower() not in self.title_last_words and word not in _FUNCTION_WORDS:
            first = self.first_names.get(person, set())
            if word not in first:
                return None
        # list guard: "Putin, Lavrov, the foreign minister" -> only the last name is apposed
        before = text[max(0, h.start - 3):h.start]
        if before.endswith((", ", ",")):
            return None
        kind = self._mod_kind(m.group("mod1"), m.group("mod2"))
        if kind in ("block", "skip"):
            return None
        title_key = normalise_title(m.group("title"))
        if title_key not in self.title_index:
            return None
        if len(title_key) <= 3 and not m.group("title").isupper():
            return None
        return Claim(
            start=h.start, end=h.end + m.end(), person=person, title=title_key,
            title_text=m.group("title"), qualifiers=self._quals(m), modifier=kind,
            pattern="B", name_start=h.start, name_end=h.end,
        )


_FUNCTION_WORDS = {
    "The", "A", "An", "But", "And", "Or", "So", "Yet", "When", "While", "If", "As", "After",
    "Before", "Since", "Then", "Now", "Meanwhile", "However", "Still", "Also", "Even", "Only",
    "This", "That", "These", "Those", "In", "On", "At", "For", "With", "By", "From", "To",
    "Of", "Under", "Over", "According", "Both", "Neither", "Either", "Why", "How", "What",
    "Where", "Who", "Did", "Does", "Do", "Has", "Had", "Have", "Was", "Is", "Will", "Would",
    "Could", "Should", "Can", "Said", "Says", "Asked", "Later", "Earlier", "Today",
    "Yesterday", "Last", "Next", "Like", "Unlike", "Although", "Though", "Because",
    "Indeed", "Instead", "Moreover", "Furthermore", "Besides", "Thus", "Hence", "Here",
    "There", "Ex", "Former", "Outgoing", "Acting", "New", "Incoming", "Current",
    "Separately", "Elsewhere", "Speaking", "Tonight", "Overall", "Finally", "Notably",
    "Similarly", "Likewise", "Additionally", "Recently", "Previously", "Initially",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December", "Reuters", "AP", "AFP", "TASS", "RIA",
}
_FUNCTION_WORDS_LOWER = {w.lower() for w in _FUNCTION_WORDS}
