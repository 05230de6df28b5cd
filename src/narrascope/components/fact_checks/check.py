"""Check a title-person claim against the knowledge base on the article's date.

Precision first: every path that is not clearly a slip returns ``None``.

* the title is resolved to one office: by the qualifier ("US", "Ukraine's", "of Russia"),
  else by the offices with that title the person ever held, else by the person's country;
  ambiguous -> nothing;
* without a date (or in a sentence that talks about the past: "in 2019", "at the time",
  "then", "under", "the Biden administration") only ``never_held`` is checked;
* ``never_held`` is said only of a person whose first known office starts after the date
  from which the office's holder list is complete, so that a holder from before the
  knowledge base's coverage is not called a liar; otherwise a dated article gets
  ``not_in_office_on_date``;
* ``former`` / ``ex-`` / ``then-`` are correct for anyone who held the office before;
* a claim within ``grace_days`` of the end (or start) of the person's term, a term marked
  ``uncertain`` and a date past the office's ``verified_until`` for anything but a term
  that ended long before, give nothing;
* the US usage of keeping "President" (and other one-word titles) after leaving office is
  respected: "President Obama" in 2020 gives nothing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re

from narrascope.components.fact_checks.detect import Claim
from narrascope.components.fact_checks.kb import KnowledgeBase, Office, Term, date_str
from narrascope.doc import Article, FactCheck, OfficeTerm

_PAST_MARKERS = re.compile(
    r"""\b(?:at\s+the\s+time|at\s+that\s+time|back\s+then|back\s+when|had|later|back\s+in|in\s+those\s+days|then|once(?!\s+(?:again|more))|formerly|
    previously|had\s+been|served\s+as|serving\s+as|when\s+(?:he|she|they)\s+(?:was|were)|
    while\s+(?:he|she)\s+was|during\s+(?:his|her|their)\s+(?:time|tenure|term)|under|
    tenure|administration|era|ago|last\s+year|years?\s+earlier|in\s+the\s+past|
    predecessor|successor|preceded|succeeded|history|recalled|remembered|memoir|anniversary|
    last\s+month|earlier\s+this\s+year|died|death|obituary|left\s+office|stepped\s+down|resigned|resignation|was\s+replaced|
    were\s+replaced|replaced|dismissed|was\s+fired|ousted|until|retired|outgoing|served)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)s?\b")
_SIMPLE_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+|$)")

# one-word titles that US usage keeps after office ("President Obama", "Secretary Kerry");
# "Chancellor" and "Premier" are not kept after office ("Chancellor Olaf Scholz" in 2025 is
# a slip: he is "former Chancellor" then)
_HONORIFIC_TITLES = {"president", "secretary", "general", "senator"}


def sentence_bounds(article: Article, start: int, end: int) -> tuple[int, int, str]:
    """Offsets and kind of the sentence that holds ``start``."""
    sents = article.sentences
    if sents:
        starts = article.cache.get("_fact_checks_sentence_starts")
        if starts is None or len(starts) != len(sents):
            starts = [s.start for s in sents]
            article.cache["_fact_checks_sentence_starts"] = starts
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and start < sents[i].end:
            s = sents[i]
            return s.start, s.end, s.kind
    text = article.text
    ls = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start)) + 1
    le_candidates = [i for i in (text.find("\n", end), text.find(". ", end)) if i != -1]
    le = min(le_candidates) + 1 if le_candidates else len(text)
    return ls, le, "body"


_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]
_MONTH_RE = re.compile(r"\b(" + "|".join(m.capitalize() for m in _MONTHS) + r")\b")


def past_context(sentence: str, claim_rel: tuple[int, int], date: dt.date | None) -> bool:
    """Does the sentence narrate the past (so a then-valid title needs no "then-")?"""
    outside = sentence[: claim_rel[0]] + " " + sentence[claim_rel[1]:]
    if _PAST_MARKERS.search(outside):
        return True
    if date is not None:
        # "In January, Pentagon chief Lloyd Austin warned ..." in an article of June
        for m in _MONTH_RE.finditer(outside):
            if m.group(1) == "May" and not re.match(r"May\s+\d", outside[m.start():]):
                continue  # the modal verb "may"
            if _MONTHS.index(m.group(1).lower()) + 1 != date.month:
                return True
    for m in _YEAR.finditer(outside):
        year = int(m.group(1))
        if date is None or year < date.year:
            return True
    return False


def _office_term(t: Term, kb: KnowledgeBase) -> OfficeTerm:
    office = kb.offices[t.office]
    src = t.source or office.source
    flags = [f for f, on in (("acting", t.acting), ("approximate dates", t.approx),
                             ("uncertain record", t.uncertain)) if on]
    if flags:
        src = f"{src} ({', '.join(flags)})" if src else ", ".join(flags)
    return OfficeTerm(office=office.name, holder=t.holder, start=t.start, end=t.end, source=src)


def _span_text(t: Term) -> str:
    end = date_str(t.end) if t.end else "present"
    return f"{date_str(t.start)} to {end}"


class Checker:
    def __init__(self, kb: KnowledgeBase, title_index: dict[str, list[Office]],
                 grace_days: int = 30, approx_grace_days: int = 60) -> None:
        self.kb = kb
        self.title_index = title_index
        self.grace = dt.timedelta(days=grace_days)
        self.approx_grace = dt.timedelta(days=approx_grace_days)

    # --------------------------------------------------------------- resolution
    def resolve_office(self, claim: Claim) -> tuple[Office | None, list[Office]]:
        """The office the claim attributes, and the matching offices the person held."""
        cands = list(self.title_index.get(claim.title, []))
        if claim.qualifiers:
            cands = [o for o in cands if o.jurisdiction in claim.qualifiers]
        if not cands:
            return None, []
        held = [o for o in cands if self.kb.terms_of(claim.person, o.id)]
        if held:
            return (held[0] if len(held) == 1 else None), held
        if claim.qualifiers:
            # the text names the country: "Hungarian Foreign Minister X"
            return (cands[0] if len(cands) == 1 else None), []
        # no country written: the person's own country decides; an office of another
        # country is not assumed ("head of state Putin" is not a claim about Ukraine)
        country = self.kb.persons[claim.person].country
        kinds = self.kb.jurisdiction_kinds
        mine = [o for o in cands if (country and o.jurisdiction == country)
                or kinds.get(o.jurisdiction or "") == "body"]
        return (mine[0] if len(mine) == 1 else None), []

    def _modern(self, person: str, office: Office) -> bool:
        """All of the person's known career lies inside the office's complete coverage."""
        terms = self.kb.terms_of(person)
        starts = [t.start for t in terms if t.start]
        if not starts or len(starts) != len(terms):
            return False
        return min(starts) >= office.complete_from

    # ------------------------------------------------------------------- check
    def check(self, claim: Claim, article: Article, sentence: str,
              rel: tuple[int, int]) -> FactCheck | None:
        if claim.modifier in ("skip", "block"):
            return None
        office, held = self.resolve_office(claim)
        if office is None:
            return None  # not in the knowledge base, or ambiguous
        person = claim.person
        pterms = self.kb.terms_of(person, office.id)
        date = article.date

        if not self.kb.terms_of(person):
            return None  # nothing known about this person's offices: nothing to say
        past = date is not None and past_context(sentence, rel, date)
        if not pterms:
            if claim.by_surname:
                return None  # "President Carter" may be another Carter: need the full name
            return self._never_held(claim, article, office, past)

        if date is None or claim.modifier in ("then", "outgoing"):
            return None
        if any(t.uncertain for t in pterms):
            return None
        if date < office.complete_from:
            return None
        covering = [t for t in pterms if t.covers(date)]
        before = [t for t in pterms if t.end is not None and t.end <= date]
        after = [t for t in pterms if t.start is not None and t.start > date]

        if claim.modifier == "former":
            # "former X" is right for anyone who held it before the date
            if before or covering or not after or past:
                return None
            if any(self._near(date, t.start, t.approx) for t in after):
                return None
            return self._finding(claim, article, office, "held_only_after", "medium", pterms)

        if covering or past:
            return None
        for t in pterms:
            if self._near(date, t.start, t.approx) or self._near(date, t.end, t.approx):
                return None
        after_verified = office.verified_until is not None and date > office.verified_until
        if claim.title in _HONORIFIC_TITLES and not claim.qualifiers:
            return None  # "President Obama", "President Trump" in 2022: usage keeps the title
        if before and not after:
            last_end = max(t.end for t in before if t.end)
            recent = (date - last_end).days <= 730
            severity = "high" if recent and not after_verified else "medium"
            return self._finding(claim, article, office, "held_only_before", severity, pterms)
        if after_verified:
            return None
        if after and not before:
            return self._finding(claim, article, office, "held_only_after", "medium", pterms)
        return self._finding(claim, article, office, "not_in_office_on_date", "medium", pterms)

    def _near(self, date: dt.date, boundary: dt.date | None, approx: bool) -> bool:
        if boundary is None:
            return False
        return abs(date - boundary) <= (self.approx_grace if approx else self.grace)

    def _never_held(self, claim: Claim, article: Article, office: Office,
                    past: bool) -> FactCheck | None:
        person = claim.person
        date = article.date
        if date is not None and office.verified_until is not None and date > office.verified_until:
            return None  # the person may have been appointed after our records end
        if self._modern(person, office):
            return self._finding(claim, article, office, "never_held", "high", [])
        # the person may have held it before our records are complete
        if date is None or past or claim.modifier in ("then", "former", "outgoing"):
            return None
        if date < office.complete_from:
            return None
        if office.verified_until is not None and date > office.verified_until:
            return None
        return self._finding(claim, article, office, "not_in_office_on_date", "medium", [])

    # ----------------------------------------------------------------- finding
    def _finding(self, claim: Claim, article: Article, office: Office, verdict: str,
                 severity: str, pterms: list[Term]) -> FactCheck:
        kb = self.kb
        date = article.date
        person = claim.person
        written = article.text[claim.start:claim.end]
        terms: list[Term] = list(pterms)
        holder_on_date = None
        holder_terms: list[Term] = []
        if date is not None:
            holder_terms = office.holders_on(date)
            if holder_terms:
                holder_on_date = " / ".join(t.holder for t in holder_terms)
                terms.extend(t for t in holder_terms if t not in terms)
        other = [t for t in kb.terms_of(person) if t.office != office.id]
        if verdict == "never_held":
            terms.extend(other[-3:])

        when = f" on {date.isoformat()}" if date else ""
        msg = [f'The text calls {person} "{claim.title_text}" ({office.name}){when}.']
        if verdict == "never_held":
            msg.append(f"The knowledge base lists no term of {person} in that office")
            if other:
                msg[-1] += "; its records for " + person + ": " + "; ".join(
                    f"{kb.offices[t.office].name} ({_span_text(t)})" for t in other[-3:]
                )
            msg[-1] += "."
        else:
            msg.append(
                f"{person} held it " + ", ".join(_span_text(t) for t in pterms)
                + (f", not on {date.isoformat()}." if date else ".")
            )
        if holder_on_date and date is not None:
            since = ", ".join(_span_text(t) for t in holder_terms)
            msg.append(f"On {date.isoformat()} the office was held by {holder_on_date} ({since}).")
        if office.source:
            msg.append(f"Source: {office.source}.")
        if office.verified_until and (date is None or verdict == "never_held"):
            msg.append(f"Records verified up to {office.verified_until.isoformat()}.")
        if claim.modifier == "former" and verdict != "never_held":
            msg.append("The text says 'former'.")
        del written
        return FactCheck(
            start=claim.start,
            end=claim.end,
            text=article.text[claim.start:claim.end],
            label=verdict,  # type: ignore[arg-type]
            source="kb",
            person=person,
            office=office.name,
            severity=severity,  # type: ignore[arg-type]
            message=" ".join(msg),
            article_date=date,
            date_source=article.date_source if date is not None else None,
            holder_on_date=holder_on_date,
            terms=[_office_term(t, kb) for t in terms],
        )
