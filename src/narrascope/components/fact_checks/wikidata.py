"""Import "position held" (P39) statements from a local Wikidata JSON file into a KB file.

Two inputs are understood (no network access is made):

1. entity JSON as returned by ``Special:EntityData/Q….json`` or ``wbgetentities``:
   ``{"entities": {"Q…": {"labels": …, "aliases": …, "claims": {"P39": [ … ]}}}}``.
   Each P39 statement's value is the office item; qualifiers P580 (start time) and P582
   (end time) give the dates.  Office items present in the same file give the office
   label and aliases (used as titles); otherwise the Q-id is used as the name.
2. SPARQL JSON results (``{"head": …, "results": {"bindings": [ … ]}}``) with the variables
   ``person``, ``personLabel``, ``position``, ``positionLabel``, ``start``, ``end``
   (optional ``personAltLabel``, ``positionAltLabel``).

Dates with year or month precision are written as the first day and marked
``approx: true``; statements with a deprecated rank are skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml

_QID = re.compile(r"Q\d+$")


def _label(entity: dict[str, Any], lang: str) -> str | None:
    labels = entity.get("labels") or {}
    for code in (lang, "en", "mul"):
        if code in labels:
            return labels[code].get("value")
    return None


def _aliases(entity: dict[str, Any], lang: str) -> list[str]:
    return [a.get("value") for a in (entity.get("aliases") or {}).get(lang, []) if a.get("value")]


def parse_time(value: Any) -> tuple[dt.date | None, bool]:
    """A Wikidata time value (dict or string) -> (date, approximate)."""
    precision = 11
    if isinstance(value, dict):
        precision = int(value.get("precision", 11))
        value = value.get("time")
    if not value:
        return None, False
    m = re.match(r"^[+]?(\d{1,4})-(\d{2})-(\d{2})", str(value))
    if not m:
        return None, False
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if precision <= 9 or month == 0:
        return dt.date(year, 1, 1), True
    if precision == 10 or day == 0:
        return dt.date(year, month, 1), True
    return dt.date(year, month, day), False


def _qualifier_time(statement: dict[str, Any], prop: str) -> tuple[dt.date | None, bool]:
    for q in (statement.get("qualifiers") or {}).get(prop, []):
        if q.get("snaktype", "value") != "value":
            continue
        return parse_time((q.get("datavalue") or {}).get("value"))
    return None, False


def _from_entities(data: dict[str, Any], lang: str) -> tuple[dict, dict]:
    entities = data.get("entities") or {}
    offices: dict[str, dict[str, Any]] = {}
    persons: dict[str, dict[str, Any]] = {}
    for qid, ent in entities.items():
        statements = (ent.get("claims") or {}).get("P39") or []
        if not statements:
            continue
        name = _label(ent, lang) or qid
        persons[name] = {"aliases": _aliases(ent, lang), "qid": qid}
        for st in statements:
            if st.get("rank") == "deprecated":
                continue
            snak = st.get("mainsnak") or {}
            if snak.get("snaktype", "value") != "value":
                continue
            value = (snak.get("datavalue") or {}).get("value") or {}
            oq = value.get("id") if isinstance(value, dict) else None
            if not oq:
                continue
            start, a1 = _qualifier_time(st, "P580")
            end, a2 = _qualifier_time(st, "P582")
            office_ent = entities.get(oq) or {}
            office = offices.setdefault(oq, {
                "name": _label(office_ent, lang) or oq,
                "titles": _aliases(office_ent, lang),
                "terms": [],
            })
            office["terms"].append(_term(name, start, end, a1 or a2, f"Wikidata {qid} P39 {oq}"))
    return offices, persons


def _term(holder: str, start: Any, end: Any, approx: bool, source: str) -> dict[str, Any]:
    """One knowledge-base term record (start/end/approx only when known)."""
    term: dict[str, Any] = {"holder": holder}
    if start:
        term["start"] = start
    if end:
        term["end"] = end
    if approx:
        term["approx"] = True
    term["source"] = source
    return term


def _from_sparql(data: dict[str, Any]) -> tuple[dict, dict]:
    offices: dict[str, dict[str, Any]] = {}
    persons: dict[str, dict[str, Any]] = {}

    def val(b: dict, k: str) -> str | None:
        return (b.get(k) or {}).get("value")

    for b in data.get("results", {}).get("bindings", []):
        pid = (val(b, "person") or "").rsplit("/", 1)[-1]
        oid = (val(b, "position") or "").rsplit("/", 1)[-1]
        if not pid or not oid:
            continue
        name = val(b, "personLabel") or pid
        alt = [a.strip() for a in (val(b, "personAltLabel") or "").split(",") if a.strip()]
        persons.setdefault(name, {"aliases": alt, "qid": pid})
        office = offices.setdefault(oid, {
            "name": val(b, "positionLabel") or oid,
            "titles": [a.strip() for a in (val(b, "positionAltLabel") or "").split(",")
                       if a.strip()],
            "terms": [],
        })
        start, a1 = parse_time(val(b, "start"))
        end, a2 = parse_time(val(b, "end"))
        term = _term(name, start, end, a1 or a2, f"Wikidata {pid} P39 {oid}")
        if term not in office["terms"]:
            office["terms"].append(term)
    return offices, persons


def import_wikidata(path: str | Path, jurisdiction: str | None = None, lang: str = "en",
                    office_filter: set[str] | None = None,
                    office_map: dict[str, str] | None = None) -> dict[str, Any]:
    """Read a Wikidata JSON file and return a knowledge-base document (a dict).

    ``office_map`` maps office Q-ids to existing knowledge-base office ids (e.g.
    ``{"Q11696": "us.president"}``) so that imported terms extend those offices instead of
    creating a second office with the same titles.
    """
    office_map = office_map or {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if isinstance(data, dict) and "results" in data and "head" in data:
        offices, persons = _from_sparql(data)
    elif isinstance(data, dict) and "entities" in data:
        offices, persons = _from_entities(data, lang)
    else:
        raise ValueError(
            f"{path}: not a Wikidata entity file ({{'entities': …}}) nor SPARQL JSON results"
        )
    if office_filter:
        offices = {k: v for k, v in offices.items() if k in office_filter}
    prefix = (jurisdiction or "wd").lower()
    held = {t["holder"] for o in offices.values() for t in o["terms"]}
    doc: dict[str, Any] = {
        "generated_by": f"narrascope kb import-wikidata {Path(path).name}",
    }
    if jurisdiction:
        doc["jurisdiction"] = jurisdiction
        doc["name"] = jurisdiction
    doc["source"] = f"Wikidata (P39 position held), imported from {Path(path).name}"
    doc["offices"] = {}
    for oid, office in sorted(offices.items()):
        office["terms"].sort(key=lambda t: t.get("start") or dt.date.min)
        entry: dict[str, Any] = {"name": office["name"]}
        titles = [t for t in office["titles"] if t != office["name"]]
        if titles:
            entry["titles"] = titles
        entry["source"] = f"Wikidata {oid}"
        entry["terms"] = office["terms"]
        doc["offices"][office_map.get(oid, f"{prefix}.{oid}")] = entry
    doc["persons"] = {
        name: ({"aliases": sorted(set(p["aliases"]))} if p["aliases"] else {})
        | {"note": f"Wikidata {p['qid']}"}
        for name, p in sorted(persons.items()) if name in held
    }
    return doc


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
