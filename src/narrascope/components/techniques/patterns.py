"""Transparent lexical detectors for persuasion techniques (YAML patterns + a few rules).

All matching runs on the original text, so every match is a half-open span of
``article.text``.  Curly and straight quotes/apostrophes are handled by the
macros of ``resources/techniques/patterns.yaml`` and by the quote finder below.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from narrascope.components.techniques.taxonomy import resource_dir, technique_names

MACROS = {
    "{APOS}": "['’ʼ‘]",
    "{Q}": "[\"'“”‘’«»„]",
    "{OPENQ}": "[\"'“‘«„]",
    "{CLOSEQ}": "[\"'”’»]",
    "{S}": "(?:['’ʼ]s)?",
}

#: quoted regions on one line: “…”, "…", «…», ‘…’ and '…' (single quotes only when not
#: an apostrophe); a double quote left open runs to the end of its paragraph.
_QUOTE_RE = re.compile(
    r"“[^“”\n\r]*(?:”|(?=[\n\r])|$)"
    r"|\"[^\"\n\r]*(?:\"|(?=[\n\r])|$)"
    r"|«[^«»\n\r]*(?:»|(?=[\n\r])|$)"
    r"|„[^„“”\n\r]*(?:[“”]|(?=[\n\r])|$)"
    r"|(?<![\w])‘[^\n\r]+?’(?![\w])"
    r"|(?<![\w])'[^\n\r]+?'(?![\w])"
)
_WORD_RE = re.compile(r"\w+(?:['’]\w+)*")
#: a reporting verb shortly before a short quote: the article reports someone's words
_SPEECH_NEAR = re.compile(
    r"\b(?:said|says|say|saying|told|tells|wrote|writes|added|asked|stated|declared|"
    r"titled|entitled|headlined|called|calling|named|considered|considers|described|"
    r"describes|describing|termed|dubbed|labell?ed|branded|urged|warned|insisted|"
    r"according\s+to|slogan|motto|hashtag|song|film|book|show|programme|program|"
    r"operation|magazine|newspaper|album|accus\w*|prais\w*|echo\w*|agree\w*|assert\w*|"
    r"claim\w*|remarks?|promis\w*|pledg\w*|vow\w*|word|words|term|terms|phrase|label)\b",
    re.IGNORECASE,
)
#: a quote right after a possessive, a colon or a comma is a title or a quotation
_QUOTE_CONTEXT = re.compile(r"(?:['’]s\s*|:\s*|,\s*|\bas\s+(?:an?\s+)?)$", re.IGNORECASE)

STOPWORDS = set(
    """a an the and or but if of to in on at by for with from as into onto over under about
    after before than then that this these those it its it's is are was were be been being
    has have had do does did not no nor so too very can could will would shall should may
    might must he she they we you i me him her them us our your their his my mine who whom
    which what when where why how all any both each few more most other some such only own
    same just also there here out up down off again further once s t said says say told
    tell according reported reports report spokesman spokeswoman spokesperson statement
    percent per cent year years month months week weeks day days million billion thousand
    minister ministry president prime foreign government official officials told news
    agency added one two three four five first second last new people mr ms mrs""".split()
)


@dataclass
class PatternMatch:
    start: int
    end: int
    technique: str
    confidence: float
    pattern: str
    sentence: int | None = None


@dataclass
class Pattern:
    name: str
    technique: str
    confidence: float
    regex: re.Pattern[str]
    group: int | str = 0
    skip_in_quotes: bool = False


def expand_macros(regex: str) -> str:
    for k, v in MACROS.items():
        regex = regex.replace(k, v)
    return regex


def quote_regions(text: str) -> list[tuple[int, int]]:
    """Half-open spans of quoted passages (quote marks included)."""
    return [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text) if m.end() - m.start() > 1]


#: a question of at most this many words alone on its line, in a longer text, is a heading
HEADING_WORDS = 8


def _alone_on_line(text: str, start: int, end: int) -> bool:
    """The span is all of its line, and the text has more than that line."""
    ls = text.rfind("\n", 0, start) + 1
    le = text.find("\n", end)
    le = len(text) if le < 0 else le
    return not text[ls:start].strip() and not text[end:le].strip() and (
        bool(text[:ls].strip()) or bool(text[le:].strip()))


def _inside(regions: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in regions)


class PatternMatcher:
    """Applies the YAML patterns and the special rules to an article's sentences."""

    def __init__(self, path: str | Path | None = None) -> None:
        p = Path(path) if path else resource_dir() / "patterns.yaml"
        data: dict[str, Any] = yaml.safe_load(p.read_text(encoding="utf-8"))
        known = set(technique_names())
        self.patterns: list[Pattern] = []
        names: set[str] = set()
        for item in data.get("patterns", []):
            if item["technique"] not in known:
                raise ValueError(f"{p}: pattern {item['name']!r}: unknown technique "
                                 f"{item['technique']!r}")
            if item["name"] in names:
                raise ValueError(f"{p}: duplicate pattern name {item['name']!r}")
            names.add(item["name"])
            flags = 0 if item.get("case_sensitive") else re.IGNORECASE
            self.patterns.append(Pattern(
                name=item["name"], technique=item["technique"],
                confidence=float(item.get("confidence", 0.7)),
                regex=re.compile(expand_macros(item["regex"]), flags),
                group=item.get("group", 0), skip_in_quotes=bool(item.get("skip_in_quotes")),
            ))
        self.special: dict[str, dict[str, Any]] = data.get("special", {}) or {}
        for name, cfg in self.special.items():
            if cfg.get("technique") not in known:
                raise ValueError(f"{p}: special rule {name!r}: unknown technique")

    # ------------------------------------------------------------------ matching
    def match_text(self, text: str, sentences: list[tuple[int, int, int]]) -> list[PatternMatch]:
        """All matches in ``text`` restricted to the given ``(start, end, index)`` sentences."""
        regions = quote_regions(text)
        out: list[PatternMatch] = []
        ordered = sorted(sentences)
        starts = [s for s, _, _ in ordered]
        lo = ordered[0][0] if ordered else 0
        hi = max((e for _, e, _ in ordered), default=0)
        for pat in self.patterns:
            for m in pat.regex.finditer(text, lo, hi):
                start, end = m.span(pat.group)
                if start < 0 or end <= start:
                    continue
                k = bisect_right(starts, start) - 1
                if k < 0 or end > ordered[k][1]:
                    continue  # outside the analysed sentences or across a boundary
                if pat.skip_in_quotes and _inside(regions, start, end):
                    continue
                out.append(PatternMatch(start, end, pat.technique, pat.confidence,
                                        pat.name, ordered[k][2]))
        out.extend(self._questions(text, sentences, regions))
        out.extend(self._scare_quotes(text, sentences, regions, out))
        out.extend(self._repetition(text, sentences))
        return _dedupe(out)

    def _questions(self, text: str, sentences: list[tuple[int, int, int]],
                   regions: list[tuple[int, int]]) -> list[PatternMatch]:
        cfg = self.special.get("rhetorical_question")
        if not cfg:
            return []
        out = []
        for s, e, idx in sentences:
            body = text[s:e].rstrip()
            if not body.endswith("?") or len(body.split()) < 4:
                continue
            q = s + len(body) - 1
            if _inside(regions, q, q + 1):
                continue
            if len(body.split()) <= HEADING_WORDS and _alone_on_line(text, s, s + len(body)):
                continue  # a heading (of this page or a related story), not a question put
            out.append(PatternMatch(s, s + len(body), cfg["technique"],
                                    float(cfg.get("confidence", 0.6)), "rhetorical_question",
                                    idx))
        return out

    def _scare_quotes(self, text: str, sentences: list[tuple[int, int, int]],
                      regions: list[tuple[int, int]],
                      found: list[PatternMatch]) -> list[PatternMatch]:
        cfg = self.special.get("scare_quotes")
        if not cfg:
            return []
        max_words = int(cfg.get("max_words", 3))
        covered = [(m.start, m.end) for m in found if m.pattern == "so_called"]
        out = []
        for s, e, idx in sentences:
            for qs, qe in regions:
                if qs < s or qe > e:
                    continue
                inner = text[qs + 1: qe - 1] if text[qe - 1] in "\"'”’»“" else text[qs + 1: qe]
                words = inner.split()
                if not (1 <= len(words) <= max_words) or not _WORD_RE.search(inner):
                    continue
                if inner.rstrip()[-1:] in ".!?,":  # a quoted short sentence, not a scare quote
                    continue
                if any(c.isdigit() for c in inner) or (
                        len(words) >= 2 and all(w[:1].isupper() for w in words)):
                    continue  # a figure or a title ("500+", "Nuclear Path"), not doubt
                if _SPEECH_NEAR.search(text, max(s, qs - 60), qs) or _QUOTE_CONTEXT.search(
                        text[max(s, qs - 12): qs]):
                    continue
                if qs == s:  # quote opens the sentence: reported speech
                    continue
                if any(cs <= qs < ce or cs < qe <= ce for cs, ce in covered):
                    continue
                out.append(PatternMatch(qs, qe, cfg["technique"],
                                        float(cfg.get("confidence", 0.55)), "scare_quotes", idx))
        return out

    def _repetition(self, text: str, sentences: list[tuple[int, int, int]]) -> list[PatternMatch]:
        out: list[PatternMatch] = []
        word_cfg = self.special.get("repeated_word")
        phrase_cfg = self.special.get("repeated_phrase")
        tokens: list[tuple[str, int, int, int, bool]] = []  # lower, start, end, sentence, cap
        first_of_sentence: set[int] = set()  # token positions opening a sentence
        for s, e, idx in sentences:
            sent_words = [(m.group().lower(), m.start(), m.end(), idx, m.group()[:1].isupper())
                          for m in _WORD_RE.finditer(text, s, e)]
            if sent_words:
                first_of_sentence.add(len(tokens))
            tokens.extend(sent_words)
            if word_cfg:
                by_word: dict[str, list[int]] = defaultdict(list)
                for k, (w, _, _, _, _) in enumerate(sent_words):
                    if len(w) >= 3 and w not in STOPWORDS and not w.isdigit():
                        by_word[w].append(k)
                for occ in by_word.values():
                    if len(occ) >= 3 and _for_effect(text, sent_words, occ, s):
                        out.append(PatternMatch(sent_words[occ[0]][1], sent_words[occ[-1]][2],
                                                word_cfg["technique"],
                                                float(word_cfg.get("confidence", 0.8)),
                                                "repeated_word", idx))
                anaphora = _anaphora(text, sent_words, s)
                if anaphora is not None:
                    out.append(PatternMatch(anaphora[0], anaphora[1], word_cfg["technique"],
                                            float(word_cfg.get("confidence", 0.8)),
                                            "anaphora", idx))
        if not phrase_cfg:
            return out
        min_count = int(phrase_cfg.get("min_count", 3))
        min_content = int(phrase_cfg.get("min_content_words", 2))
        #: shortest phrase: two-word phrases repeated in real news are mostly the topic's
        #: names ("sea ice", "Russian forces"), not repetition for effect
        min_words = max(2, int(phrase_cfg.get("min_words", 2)))
        words = [t[0] for t in tokens]
        sent = [t[3] for t in tokens]
        content = [w not in STOPWORDS and not w.isdigit() for w in words]
        lower_content = [c and not t[4] for c, t in zip(content, tokens, strict=True)]
        #: a capital letter inside a sentence marks a name ("von der Leyen", "U.S. is
        #: doing"): a name said three times is the topic, not repetition for effect
        named = [t[4] and k not in first_of_sentence for k, t in enumerate(tokens)]
        window = int(phrase_cfg.get("max_sentence_gap", 2))
        used: set[int] = set()
        total = len(tokens)
        for n in [k for k in (4, 3, 2) if k >= min_words]:
            grams: dict[tuple[str, ...], list[int]] = defaultdict(list)
            for i in range(total - n + 1):
                j = i + n - 1
                if not (content[i] and content[j]) or sent[i] != sent[j]:
                    continue
                if sum(content[i:j + 1]) < min_content or not any(lower_content[i:j + 1]):
                    continue
                if any(named[i:j + 1]):
                    continue
                grams[tuple(words[i:j + 1])].append(i)
            for starts in grams.values():
                if len(starts) < min_count:
                    continue
                starts = [i for i in starts if not any(k in used for k in range(i, i + n))]
                starts = _close_run(starts, sent, window, min_count)
                if len(starts) < min_count:
                    continue
                for i in starts:
                    used.update(range(i, i + n))
                for i in starts[1:]:
                    out.append(PatternMatch(tokens[i][1], tokens[i + n - 1][2],
                                            phrase_cfg["technique"],
                                            float(phrase_cfg.get("confidence", 0.6)),
                                            "repeated_phrase", tokens[i][3]))
        return out


#: neighbours that do not make a repetition ("the region ... the region")
_GLUE = frozenset("the a an of in on at to for with by from and or".split())
_ITEM_START = re.compile(r"(?:^|[,;:\u2013\u2014(]|\s-)\s*(?:and\s+|or\s+|but\s+)?$")


def _for_effect(text: str, words: list[tuple[str, int, int, int, bool]], occ: list[int],
                sentence_start: int) -> bool:
    """A word written three times in a sentence is repetition for effect when it is not a
    name (capitalised inside the sentence) and it follows itself ("lies, lies"), opens a
    clause each time ("never forget,
    never forgive, never again"; "they lied about X, they lied about Y") or comes with
    the same neighbour ("more taxes, more taxes", "failure after failure after failure");
    a head noun shared by the items of a list ("the Kharkiv region, the Donetsk region and
    the Luhansk region") is neither."""
    if any(words[k][4] and k > 0 for k in occ):
        return False
    if any(k + 1 in occ for k in occ):  # "lies, lies and more lies"
        return True
    opens = sum(1 for k in occ if k == 0 or _ITEM_START.search(
        text[max(sentence_start, words[k][1] - 12): words[k][1]]))
    if opens >= 2 and opens == len(occ):
        return True
    prev = Counter(words[k - 1][0] for k in occ if k > 0)
    nxt = Counter(words[k + 1][0] for k in occ if k + 1 < len(words))
    same = max((c for w, c in [*prev.items(), *nxt.items()] if w not in _GLUE), default=0)
    return same >= max(2, len(occ) - 1)


def _anaphora(text: str, words: list[tuple[str, int, int, int, bool]],
              sentence_start: int) -> tuple[int, int] | None:
    """Three clauses of a sentence opened by the same two words, one of them more than
    glue ("no to X, no to Y, no to Z"; "the same excuses, the same faces, the same
    failures"; not "in the north, in the south, in the east")."""
    opens: dict[tuple[str, str], list[int]] = defaultdict(list)
    for k in range(len(words) - 1):
        if k == 0 or _ITEM_START.search(
                text[max(sentence_start, words[k][1] - 12): words[k][1]]):
            pair = (words[k][0], words[k + 1][0])
            if not (pair[0] in _GLUE and pair[1] in _GLUE) and not words[k + 1][4]:
                opens[pair].append(k)
    for ks in opens.values():
        if len(ks) >= 3:
            return words[ks[0]][1], words[ks[-1] + 1][2]
    return None


def _close_run(starts: list[int], sent: list[int], gap: int, need: int) -> list[int]:
    """The longest run of occurrences whose sentences follow each other within ``gap``
    sentences: a phrase repeated for effect comes back in a paragraph; a term of the
    topic ("special military operation") is spread over the whole article."""
    best: list[int] = []
    run: list[int] = []
    for i in starts:
        if run and sent[i] - sent[run[-1]] > gap:
            run = []
        run.append(i)
        if len(run) > len(best):
            best = list(run)
    return best if len(best) >= need else []


def _dedupe(matches: list[PatternMatch]) -> list[PatternMatch]:
    """Drop a match of a technique contained in a longer match of the same technique."""
    matches.sort(key=lambda m: (m.technique, m.start, -(m.end - m.start), -m.confidence))
    out: list[PatternMatch] = []
    last: dict[str, PatternMatch] = {}
    for m in matches:
        prev = last.get(m.technique)
        if prev is not None and prev.start <= m.start and m.end <= prev.end:
            prev.confidence = max(prev.confidence, m.confidence)
            continue
        out.append(m)
        last[m.technique] = m
    out.sort(key=lambda m: (m.start, m.end, m.technique))
    return out
