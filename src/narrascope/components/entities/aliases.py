"""Alias tables: spelling variants, transliterations and metonyms -> canonical entities.

The packaged table (``resources/entities/aliases.yaml``) covers the ~240 entities
most common in Russia-Ukraine / geopolitics news; users add or override entries
with their own YAML file in the same format (component option ``aliases``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

_APOS = "'’`"
_POSSESSIVE = re.compile(r"(?:['’`]s|s['’`]|['’`])$")


def strip_possessive(text: str) -> str:
    """``Zelensky’s`` -> ``Zelensky``; ``allies'`` -> ``allies``."""
    m = _POSSESSIVE.search(text)
    if not m:
        return text
    if m.group(0)[0] == "s":  # plural possessive: keep the s
        return text[: m.start() + 1]
    return text[: m.start()]


#: words that make a surface more than "title + name"
_JOINERS = {"and", "or", "of", "with", "against", "to", "by", "&", "vs", "versus", "nor",
            "from", "for", "without"}


def normalize(text: str) -> str:
    """Lookup key: lower case, single spaces, no leading 'the', no possessive."""
    t = " ".join(text.replace("\u2019", "'").split())
    t = strip_possessive(t)
    t = t.strip(" \"“”‘'«»()[],.;:")
    low = t.lower()
    if low.startswith("the "):
        low = low[4:]
    return low


def read_entities_yaml(path: str | Path | None, packaged: str) -> tuple[Any, str]:
    """(parsed YAML, name for messages) of a user file, or of the packaged
    ``resources/entities/<packaged>`` when ``path`` is None."""
    if path is None:
        raw = resources.files("narrascope.resources").joinpath(
            f"entities/{packaged}").read_text(encoding="utf-8")
        where = f"packaged {packaged}"
    else:
        raw = Path(path).read_text(encoding="utf-8")
        where = str(path)
    return yaml.safe_load(raw) or {}, where


@dataclass
class CanonicalEntity:
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)


class AliasTable:
    """Canonical entities with their aliases; text scanning and name lookup."""

    def __init__(self, entities: list[CanonicalEntity]) -> None:
        self.entities: dict[str, CanonicalEntity] = {}
        self._key: dict[str, str] = {}
        for ent in entities:
            self.add(ent)
        self._regex: re.Pattern[str] | None = None
        self.sides: dict[str, str] = {}

    # ------------------------------------------------------------------ building
    def add(self, ent: CanonicalEntity) -> None:
        """Add (or override) an entity; its names then point to it."""
        old = self.entities.get(ent.name)
        if old is not None:
            ent = CanonicalEntity(ent.name, ent.type or old.type,
                                  list(dict.fromkeys(old.aliases + ent.aliases)))
        self.entities[ent.name] = ent
        for surface in [ent.name, *ent.aliases]:
            key = normalize(surface)
            if key:
                self._key[key] = ent.name
        self._regex = None

    @classmethod
    def from_yaml(cls, path: str | Path | None = None) -> AliasTable:
        table = cls([])
        table.extend_yaml(path)
        return table

    def extend_yaml(self, path: str | Path | None) -> None:
        """Read a table file (``None`` = the packaged one) and add its entities."""
        data, where = read_entities_yaml(path, "aliases.yaml")
        items = data.get("entities") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ValueError(f"{where}: expected a list under 'entities'")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not item.get("name"):
                raise ValueError(f"{where}: entity #{i + 1} needs a 'name'")
            aliases = item.get("aliases") or []
            if not isinstance(aliases, list):
                raise ValueError(f"{where}: entity {item['name']!r}: 'aliases' must be a list")
            self.add(CanonicalEntity(str(item["name"]), str(item.get("type") or "other"),
                                     [str(a) for a in aliases]))
        sides = data.get("sides") if isinstance(data, dict) else None
        if sides is not None:
            if not isinstance(sides, dict):
                raise ValueError(f"{where}: 'sides' must map a side to a list of names")
            for side, names in sides.items():
                for n in names or []:
                    self.sides[str(n)] = str(side)

    # ------------------------------------------------------------------- lookup
    def lookup(self, text: str) -> str | None:
        """Canonical name for a surface string (case-insensitive), or ``None``.

        A person's name after a title or description is found too: "President Maia
        Sandu", "Russian Foreign Minister Sergei Lavrov", "Mr Putin" (the longest
        known person name that ends the surface, after at most 6 words)."""
        key = normalize(text)
        hit = self._key.get(key)
        if hit is not None:
            return hit
        words = key.split(" ")
        for i in range(1, min(len(words), 7)):
            if _JOINERS & set(words[:i]):  # "Macron and Putin", "friends of Putin"
                return None
            hit = self._key.get(" ".join(words[i:]))
            if hit is not None:
                ent = self.entities.get(hit)
                return hit if ent is not None and ent.type == "person" else None
        return None

    def side(self, canonical: str) -> str | None:
        """Stance side of a canonical entity (``ru`` / ``west`` / ``civilian``) or ``None``."""
        return self.sides.get(canonical)

    def kind(self, canonical: str) -> str | None:
        ent = self.entities.get(canonical)
        return ent.type if ent else None

    def surnames(self) -> dict[str, list[str]]:
        """Last name (normalised) -> canonical persons carrying it."""
        out: dict[str, list[str]] = {}
        for ent in self.entities.values():
            if ent.type == "person" and " " in ent.name:
                out.setdefault(normalize(ent.name.split()[-1]), []).append(ent.name)
        return out

    # ------------------------------------------------------------------ scanning
    def _pattern(self) -> re.Pattern[str]:
        if self._regex is None:
            surfaces: set[str] = set()
            for ent in self.entities.values():
                for s in [ent.name, *ent.aliases]:
                    s = " ".join(s.split())
                    if len(s) < 2:
                        continue
                    surfaces.add(s)
            parts = []
            for s in sorted(surfaces, key=len, reverse=True):
                body = re.escape(s).replace("'", "['’]").replace("’", "['’]")
                if s.lower().startswith("the "):
                    body = "[Tt]he\\s+" + re.escape(s[4:])
                parts.append(body)
            self._regex = re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])")
        return self._regex

    def scan(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        """Alias occurrences in ``text[start:end]``: (start, end, canonical), leading
        'the' excluded from the span."""
        out = []
        for m in self._pattern().finditer(text, start, len(text) if end is None else end):
            s, e = m.start(), m.end()
            canon = self.lookup(m.group(0))
            if canon is None:
                continue
            low = text[s : s + 4].lower()
            if low == "the " or low == "the\u00a0":
                s += 4
                while s < e and text[s].isspace():
                    s += 1
            out.append((s, e, canon))
        return out


@lru_cache(maxsize=8)
def load_table(user_path: str | None = None) -> AliasTable:
    """The packaged table, extended by a user file (cached per process)."""
    table = AliasTable.from_yaml(None)
    if user_path:
        table.extend_yaml(user_path)
    return table
