"""Known SemEval-2025 labels, for warnings about labels outside the taxonomy.

Reads the taxonomy shipped by the narratives component
(``narrascope/resources/taxonomies/semeval2025.yaml``) tolerantly: every string
in the file (keys and values) is a known name, and a label ``D: N: S`` is known
when its parts are.  Without the file no label warnings are given.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def _strings(obj: Any, out: set[str]) -> None:
    if isinstance(obj, str):
        out.add(obj.strip())
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _strings(k, out)
            _strings(v, out)
    elif isinstance(obj, list | tuple):
        for v in obj:
            _strings(v, out)


class Taxonomy:
    def __init__(self, names: set[str], exact: bool = False) -> None:
        self.names = names
        self.exact = exact

    @classmethod
    def load(cls, path: str | Path | None = None) -> Taxonomy | None:
        """The label set of a taxonomy file (default: the shipped one); None if unavailable."""
        try:  # the narratives component's loader knows the exact label strings
            from narrascope.components.narratives.taxonomy import load_taxonomy

            tax = load_taxonomy(path)
            labels = {*tax.narratives, *tax.subnarratives, tax.other_label}
            return cls(labels, exact=True)
        except Exception:  # not installed, or a file in another layout: read it tolerantly
            pass
        try:
            if path is None:
                ref = resources.files("narrascope.resources").joinpath("taxonomies/semeval2025.yaml")
                if not ref.is_file():
                    return None
                data = yaml.safe_load(ref.read_text(encoding="utf-8"))
            else:
                data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, ModuleNotFoundError):
            return None
        names: set[str] = set()
        _strings(data, names)
        return cls(names) if names else None

    def knows(self, label: str) -> bool:
        if label in self.names or label == "Other":
            return True
        if self.exact:
            return False
        parts = label.split(": ")
        if len(parts) < 2:
            return False
        if parts[-1] == "Other":
            parts = parts[:-1]
        head = ": ".join(parts[:2])
        return all(p in self.names for p in parts) or (
            head in self.names and all(p in self.names for p in parts[2:])
        )


def role_known(main: str, fine: str | None = None) -> bool:
    """Whether ``main`` (and ``fine`` under it) is a role of the shipped roles taxonomy."""
    from narrascope.components.entities.model import load_taxonomy as load_roles

    roles = load_roles().main_roles  # resources/entities/roles.yaml, cached
    if main not in roles:
        return False
    return fine is None or fine in roles[main]
