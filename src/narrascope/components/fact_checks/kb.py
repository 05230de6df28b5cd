"""The knowledge base of offices and office holders (YAML files, one per country or body).

A file looks like this (see ``docs/fact-checks.md`` for every field)::

    jurisdiction: US                 # code used by qualifiers and persons' nationality
    name: United States
    kind: country                    # or "body" (NATO, EU, UN ...)
    qualifiers: [US, U.S., American, America's]
    verified_until: 2025-10-31       # records checked up to this date
    complete_from: 2014-01-01        # every holder since this date is listed
    offices:
      us.secdef:
        name: United States Secretary of Defense
        titles: [Secretary of Defense, Defense Secretary, Pentagon chief]
        source: "Wikipedia: United States Secretary of Defense"
        terms:
          - {holder: Lloyd Austin, start: 2021-01-22, end: 2025-01-20}
          - {holder: Pete Hegseth, start: 2025-01-25}
    persons:
      Lloyd Austin: {aliases: [Lloyd J. Austin III], short: [Austin]}

Several files are merged: a later file may add terms or titles to an office id that an
earlier file defined, and aliases to a person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

DEFAULT_COMPLETE_FROM = dt.date(2014, 1, 1)


class KBError(ValueError):
    """A knowledge-base file is malformed; the message names the file and the entry."""


@dataclass
class Term:
    office: str
    holder: str
    start: dt.date | None
    end: dt.date | None
    acting: bool = False
    approx: bool = False
    uncertain: bool = False
    note: str | None = None
    source: str | None = None

    def covers(self, day: dt.date) -> bool:
        if self.start is not None and day < self.start:
            return False
        if self.end is not None and day >= self.end:
            return False
        return True


@dataclass
class Office:
    id: str
    name: str
    jurisdiction: str | None
    titles: list[str]
    source: str | None
    complete_from: dt.date
    verified_until: dt.date | None
    terms: list[Term] = field(default_factory=list)
    note: str | None = None
    file: str | None = None

    def holders_on(self, day: dt.date) -> list[Term]:
        return [t for t in self.terms if t.covers(day)]


@dataclass
class Person:
    name: str
    aliases: set[str] = field(default_factory=set)
    short: set[str] = field(default_factory=set)
    country: str | None = None
    note: str | None = None
    no_short: bool = False
    short_needs_full: bool = False


@dataclass
class KnowledgeBase:
    offices: dict[str, Office] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)
    # qualifier text (as written, case-sensitive) -> jurisdictions
    qualifiers: dict[str, set[str]] = field(default_factory=dict)
    # country names used after "of" ("President of Ukraine") -> jurisdictions
    country_names: dict[str, set[str]] = field(default_factory=dict)
    jurisdiction_names: dict[str, str] = field(default_factory=dict)
    jurisdiction_kinds: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    # ------------------------------------------------------------------ queries
    _by_holder: dict[str, list[Term]] | None = field(default=None, repr=False)

    def terms_of(self, person: str, office_id: str | None = None) -> list[Term]:
        if self._by_holder is None:
            index: dict[str, list[Term]] = {}
            for o in self.offices.values():
                for t in o.terms:
                    index.setdefault(t.holder, []).append(t)
            self._by_holder = index
        terms = self._by_holder.get(person, [])
        return [t for t in terms if t.office == office_id] if office_id else list(terms)

    def title_index(self) -> dict[str, list[Office]]:
        index: dict[str, list[Office]] = {}
        for office in self.offices.values():
            for title in office.titles:
                for variant in expand_title(title):
                    lst = index.setdefault(normalise_title(variant), [])
                    if office not in lst:
                        lst.append(office)
        return index

    def summary(self) -> dict[str, int]:
        return {
            "files": len(self.files),
            "offices": len(self.offices),
            "terms": sum(len(o.terms) for o in self.offices.values()),
            "persons": len(self.persons),
        }


# ------------------------------------------------------------------- helpers

_SPACES = re.compile(r"[\s\-\u2010\u2011\u2013]+")


def normalise_title(text: str) -> str:
    """Lower-case, unify apostrophes, hyphens and spaces: the key of the title index."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return _SPACES.sub(" ", text.lower()).strip()


_VARIANTS = [
    ("defense", "defence"),
    ("adviser", "advisor"),
    ("U.S.", "US"),
]


def expand_title(title: str) -> list[str]:
    """Spelling variants of a title (defence/defense, adviser/advisor, U.S./US)."""
    out = {title}
    for a, b in _VARIANTS:
        for t in list(out):
            if a in t:
                out.add(t.replace(a, b))
            if b in t:
                out.add(t.replace(b, a))
            cap_a, cap_b = a[:1].upper() + a[1:], b[:1].upper() + b[1:]
            if cap_a in t:
                out.add(t.replace(cap_a, cap_b))
            if cap_b in t:
                out.add(t.replace(cap_b, cap_a))
    return sorted(out)


def _date(value: Any, where: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int):  # a bare year
        return dt.date(value, 1, 1)
    try:
        text = str(value)
        if re.fullmatch(r"\d{4}", text):
            return dt.date(int(text), 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return dt.date(int(text[:4]), int(text[5:]), 1)
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise KBError(f"{where}: bad date {value!r} (use YYYY-MM-DD)") from exc


def _str_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KBError(f"{where}: expected a list of strings")
    return list(value)


_OFFICE_KEYS = {"name", "titles", "source", "terms", "complete_from", "verified_until",
                "jurisdiction", "note", "country"}
_TERM_KEYS = {"holder", "start", "end", "acting", "approx", "uncertain", "note", "source"}
_PERSON_KEYS = {"aliases", "short", "country", "note", "no_short", "short_needs_full"}
_FILE_KEYS = {"jurisdiction", "name", "kind", "qualifiers", "country_names", "verified_until",
              "complete_from", "source", "offices", "persons", "note", "generated_by"}


def builtin_kb_files() -> list[Path]:
    root = resources.files("narrascope.resources").joinpath("kb")
    return sorted(Path(str(p)) for p in root.iterdir() if str(p).endswith((".yaml", ".yml")))


def load_kb(paths: Iterable[str | Path] = (), builtin: bool = True) -> KnowledgeBase:
    """Load the packaged knowledge base (unless ``builtin=False``) plus user files/dirs."""
    files: list[Path] = builtin_kb_files() if builtin else []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            files.extend(sorted(x for x in p.iterdir() if x.suffix in {".yaml", ".yml"}))
        elif p.exists():
            files.append(p)
        else:
            raise KBError(f"{p}: knowledge-base file not found")
    kb = KnowledgeBase()
    for f in files:
        try:
            data = yaml.safe_load(f.read_text(encoding="utf-8"))
        except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. a date 2020-13-01
            raise KBError(f"{f}: invalid YAML: {exc}") from exc
        add_data(kb, data or {}, str(f))
    finalise(kb)
    return kb


def add_data(kb: KnowledgeBase, data: dict[str, Any], where: str) -> None:
    """Merge one parsed file into ``kb``."""
    if not isinstance(data, dict):
        raise KBError(f"{where}: a knowledge-base file must be a mapping")
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise KBError(f"{where}: unknown top-level key(s) {sorted(unknown)}")
    kb.files.append(where)
    juris = data.get("jurisdiction")
    kind = data.get("kind", "country")
    if juris:
        kb.jurisdiction_names.setdefault(juris, data.get("name") or juris)
        kb.jurisdiction_kinds.setdefault(juris, kind)
        for q in _str_list(data.get("qualifiers"), f"{where}: qualifiers"):
            kb.qualifiers.setdefault(q, set()).add(juris)
            if "'" in q:
                kb.qualifiers.setdefault(q.replace("'", "\u2019"), set()).add(juris)
        for q in _str_list(data.get("country_names"), f"{where}: country_names"):
            kb.country_names.setdefault(q, set()).add(juris)
    file_complete = _date(data.get("complete_from"), where) or DEFAULT_COMPLETE_FROM
    file_verified = _date(data.get("verified_until"), where)
    file_source = data.get("source")

    for oid, odata in (data.get("offices") or {}).items():
        ow = f"{where}: office {oid!r}"
        if not isinstance(odata, dict):
            raise KBError(f"{ow}: expected a mapping")
        bad = set(odata) - _OFFICE_KEYS
        if bad:
            raise KBError(f"{ow}: unknown key(s) {sorted(bad)}")
        office = kb.offices.get(oid)
        if office is None:
            if not odata.get("name"):
                raise KBError(f"{ow}: a new office needs a 'name'")
            office = Office(
                id=oid,
                name=odata["name"],
                jurisdiction=odata.get("jurisdiction") or odata.get("country") or juris,
                titles=[],
                source=odata.get("source") or file_source,
                complete_from=_date(odata.get("complete_from"), ow) or file_complete,
                verified_until=_date(odata.get("verified_until"), ow) or file_verified,
                note=odata.get("note"),
                file=where,
            )
            kb.offices[oid] = office
            if office.jurisdiction:
                kb.jurisdiction_kinds.setdefault(office.jurisdiction, kind)
        else:  # extending an office from another file
            if odata.get("verified_until"):
                office.verified_until = _date(odata["verified_until"], ow)
        for t in _str_list(odata.get("titles"), f"{ow}: titles"):
            if t not in office.titles:
                office.titles.append(t)
        if office.name not in office.titles and "(" not in office.name:
            office.titles.append(office.name)
        for i, tdata in enumerate(odata.get("terms") or []):
            tw = f"{ow}: term {i + 1}"
            if not isinstance(tdata, dict) or not tdata.get("holder"):
                raise KBError(f"{tw}: a term needs at least 'holder'")
            bad = set(tdata) - _TERM_KEYS
            if bad:
                raise KBError(f"{tw}: unknown key(s) {sorted(bad)}")
            term = Term(
                office=oid,
                holder=str(tdata["holder"]),
                start=_date(tdata.get("start"), tw),
                end=_date(tdata.get("end"), tw),
                acting=bool(tdata.get("acting", False)),
                approx=bool(tdata.get("approx", False)),
                uncertain=bool(tdata.get("uncertain", False)),
                note=tdata.get("note"),
                source=tdata.get("source") or office.source,
            )
            if term.start and term.end and term.end < term.start:
                raise KBError(f"{tw}: end {term.end} before start {term.start}")
            office.terms.append(term)
            person = kb.persons.get(term.holder)
            if person is None:
                person = kb.persons[term.holder] = Person(term.holder)
            if person.country is None and kind == "country" and juris:
                person.country = juris

    for name, pdata in (data.get("persons") or {}).items():
        pw = f"{where}: person {name!r}"
        pdata = pdata or {}
        if not isinstance(pdata, dict):
            raise KBError(f"{pw}: expected a mapping")
        bad = set(pdata) - _PERSON_KEYS
        if bad:
            raise KBError(f"{pw}: unknown key(s) {sorted(bad)}")
        person = kb.persons.get(name)
        if person is None:
            person = kb.persons[name] = Person(name)
        person.aliases.update(_str_list(pdata.get("aliases"), f"{pw}: aliases"))
        person.short.update(_str_list(pdata.get("short"), f"{pw}: short"))
        if pdata.get("country"):
            if not isinstance(pdata["country"], str):
                raise KBError(f"{pw}: country must be a string (quote codes like \"NO\")")
            person.country = pdata["country"]
        elif person.country is None and kind == "country" and juris:
            person.country = juris
        if pdata.get("no_short"):
            person.no_short = True
        if pdata.get("short_needs_full"):
            person.short_needs_full = True
        if pdata.get("note"):
            person.note = pdata["note"]


_PARTICLES = {"von", "der", "de", "van", "vel", "da", "di", "le", "la", "bin", "al"}


def finalise(kb: KnowledgeBase) -> None:
    """Sort terms and derive surname aliases (``short``) for Western-order names."""
    kb._by_holder = None
    for office in kb.offices.values():
        office.terms.sort(key=lambda t: (t.start or dt.date.min))
    for person in kb.persons.values():
        if person.no_short or person.short:
            continue
        for full in {person.name, *person.aliases}:
            tokens = full.split()
            if len(tokens) < 2:
                continue
            # "Ursula von der Leyen" -> "von der Leyen"; "Lloyd Austin III" -> "Austin"
            while tokens and tokens[-1] in {"Jr.", "Jr", "Sr.", "II", "III", "IV"}:
                tokens = tokens[:-1]
            i = len(tokens) - 1
            while i > 1 and tokens[i - 1].lower() in _PARTICLES:
                i -= 1
            if i >= 1:
                person.short.add(" ".join(tokens[i:]))


def date_str(d: dt.date | None) -> str:
    return d.isoformat() if d else "?"
