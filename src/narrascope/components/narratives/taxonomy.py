"""Narrative taxonomies as data: load, validate and query a two-level taxonomy file.

A taxonomy file (YAML or JSON) lists domains, their narratives and each narrative's
subnarratives (every narrative must include its ``Other`` subnarrative).  Full label
strings are built with the separator, exactly as in SemEval-2025 Task 10::

    "URW: Discrediting Ukraine"                                   (narrative, coarse)
    "URW: Discrediting Ukraine: Situation in Ukraine is hopeless" (subnarrative, fine)
    "URW: Discrediting Ukraine: Other"                            (fine, no listed sub)
    "Other"                                                       (no narrative at all)

The schema is checked with :data:`TAXONOMY_SCHEMA` (JSON Schema) plus structural rules
(unique codes and names, one ``Other`` per narrative).  Any file with the same schema can
replace the shipped ``semeval2025.yaml`` (``--taxonomy FILE``, component option
``taxonomy``); training and evaluation only use the :class:`Taxonomy` API.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_TAXONOMY = "semeval2025"

_NOTE = {"type": "string"}
_SUB = {
    "type": "object",
    "required": ["name", "definition"],
    "additionalProperties": False,
    "properties": {"name": {"type": "string", "minLength": 1}, "definition": _NOTE,
                   "include": _NOTE, "exclude": _NOTE},
}
_NARR = {
    "type": "object",
    "required": ["name", "definition", "subnarratives"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1}, "definition": _NOTE,
        "include": _NOTE, "exclude": _NOTE,
        "subnarratives": {"type": "array", "minItems": 1, "items": _SUB},
    },
}
TAXONOMY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "narrascope narrative taxonomy",
    "type": "object",
    "required": ["name", "domains"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "version": {"type": "string"},
        "description": {"type": "string"},
        "other_label": {"type": "string", "minLength": 1},
        "separator": {"type": "string", "minLength": 1},
        "domains": {
            "type": "array", "minItems": 1,
            "items": {
                "type": "object",
                "required": ["code", "narratives"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "pattern": r"^[A-Za-z0-9_-]+$"},
                    "name": {"type": "string"}, "definition": _NOTE,
                    "narratives": {"type": "array", "minItems": 1, "items": _NARR},
                },
            },
        },
    },
}


class TaxonomyError(ValueError):
    """The taxonomy file is missing, unreadable or does not follow the schema."""


@dataclass(frozen=True)
class LabelInfo:
    label: str          # full label string
    level: str          # "narrative" | "subnarrative"
    domain: str
    narrative: str      # full narrative label
    name: str           # short name (last component)
    definition: str = ""
    include: str = ""
    exclude: str = ""

    @property
    def is_other(self) -> bool:
        return self.level == "subnarrative" and self.name == "Other"

    def describe(self) -> str:
        """A natural-language description used by the zero-shot model."""
        parts = [self.definition, self.include]
        return " ".join(p.strip() for p in parts if p and p.strip())


@dataclass
class Taxonomy:
    name: str
    version: str
    domains: list[str]
    narratives: list[str]
    subnarratives: list[str]
    info: dict[str, LabelInfo]
    other_label: str = "Other"
    separator: str = ": "
    source: str = ""
    domain_names: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ queries
    def narrative_of(self, label: str) -> str:
        """The narrative (coarse) label of a fine or coarse label."""
        return self.info[label].narrative

    def domain_of(self, label: str) -> str:
        if label == self.other_label:
            return self.other_label
        return self.info[label].domain

    def subnarratives_of(self, narrative: str) -> list[str]:
        return [s for s in self.subnarratives if self.info[s].narrative == narrative]

    def other_of(self, narrative: str) -> str:
        return f"{narrative}{self.separator}Other"

    def is_other(self, label: str) -> bool:
        return label in self.info and self.info[label].is_other

    def __contains__(self, label: str) -> bool:
        return label in self.info or label == self.other_label

    def check_label(self, label: str) -> None:
        if label not in self:
            raise TaxonomyError(f"label {label!r} is not in taxonomy {self.name!r}")

    def consistent(self, fine: list[str], coarse: list[str] | None = None) -> tuple[list[str], list[str]]:
        """Make a (fine, coarse) pair hierarchy-consistent.

        Every fine label brings its narrative; a narrative without a fine label gets
        ``<narrative>: Other``; no label at all gives ``other_label``.  Order follows
        the taxonomy.
        """
        fine_set = {f for f in fine if f in self.info and self.info[f].level == "subnarrative"}
        coarse_set = {c for c in (coarse or []) if c in self.info}
        coarse_set |= {self.info[f].narrative for f in fine_set}
        for c in coarse_set:
            if not any(self.info[f].narrative == c for f in fine_set):
                fine_set.add(self.other_of(c))
        if not coarse_set:
            return [self.other_label], [self.other_label]
        return ([s for s in self.subnarratives if s in fine_set],
                [n for n in self.narratives if n in coarse_set])

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "source": self.source,
                "n_narratives": len(self.narratives), "n_subnarratives": len(self.subnarratives)}


def validate_taxonomy_data(data: Any, source: str = "<taxonomy>") -> None:
    """Raise :class:`TaxonomyError` naming every schema / structure problem."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(TAXONOMY_SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    if errors:
        msgs = [f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors[:10]]
        raise TaxonomyError(f"{source}: invalid taxonomy:\n  " + "\n  ".join(msgs))
    sep = data.get("separator", ": ")
    problems: list[str] = []
    codes = [d["code"] for d in data["domains"]]
    if len(set(codes)) != len(codes):
        problems.append(f"duplicate domain codes in {codes}")
    for d in data["domains"]:
        names = [n["name"] for n in d["narratives"]]
        if len(set(names)) != len(names):
            problems.append(f"domain {d['code']}: duplicate narrative names")
        for n in d["narratives"]:
            if sep in n["name"]:
                problems.append(f"{d['code']}: narrative {n['name']!r} contains the separator")
            subs = [s["name"] for s in n["subnarratives"]]
            if len(set(subs)) != len(subs):
                problems.append(f"{d['code']}: {n['name']}: duplicate subnarrative names")
            if "Other" not in subs:
                problems.append(f"{d['code']}: {n['name']}: the 'Other' subnarrative is missing")
    if problems:
        raise TaxonomyError(f"{source}: invalid taxonomy:\n  " + "\n  ".join(problems))


def taxonomy_from_data(data: dict[str, Any], source: str = "<taxonomy>") -> Taxonomy:
    validate_taxonomy_data(data, source)
    sep = data.get("separator", ": ")
    info: dict[str, LabelInfo] = {}
    narratives: list[str] = []
    subs: list[str] = []
    for d in data["domains"]:
        code = d["code"]
        for n in d["narratives"]:
            nl = f"{code}{sep}{n['name']}"
            narratives.append(nl)
            info[nl] = LabelInfo(nl, "narrative", code, nl, n["name"], n.get("definition", ""),
                                 n.get("include", ""), n.get("exclude", ""))
            for s in n["subnarratives"]:
                sl = f"{nl}{sep}{s['name']}"
                subs.append(sl)
                info[sl] = LabelInfo(sl, "subnarrative", code, nl, s["name"],
                                     s.get("definition", ""), s.get("include", ""),
                                     s.get("exclude", ""))
    return Taxonomy(
        name=data["name"], version=str(data.get("version", "")),
        domains=[d["code"] for d in data["domains"]], narratives=narratives,
        subnarratives=subs, info=info, other_label=data.get("other_label", "Other"),
        separator=sep, source=source,
        domain_names={d["code"]: d.get("name", d["code"]) for d in data["domains"]},
    )


def default_taxonomy_path() -> Path:
    import narrascope

    return Path(narrascope.__file__).parent / "resources" / "taxonomies" / f"{DEFAULT_TAXONOMY}.yaml"


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime: float) -> Taxonomy:
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"{p}: cannot read taxonomy: {exc}") from exc
    try:
        data = json.loads(raw) if p.suffix.lower() == ".json" else yaml.safe_load(raw)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise TaxonomyError(f"{p}: cannot parse taxonomy: {exc}") from exc
    return taxonomy_from_data(data, str(p))


def load_taxonomy(path: str | Path | Taxonomy | None = None) -> Taxonomy:
    """Load a taxonomy: ``None`` or ``"semeval2025"`` gives the shipped one."""
    if isinstance(path, Taxonomy):
        return path
    if path is None or str(path) == DEFAULT_TAXONOMY:
        p = default_taxonomy_path()
    else:
        p = Path(path)
        if not p.exists():
            raise TaxonomyError(f"{p}: taxonomy file not found")
    return _load_cached(str(p.resolve()), p.stat().st_mtime)
