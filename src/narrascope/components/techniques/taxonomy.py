"""The technique/frame taxonomy, kept as data in ``resources/techniques/taxonomy.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml


def resource_dir() -> Path:
    return Path(str(resources.files("narrascope.resources").joinpath("techniques")))


@dataclass(frozen=True)
class Technique:
    name: str
    family: str
    definition: str
    phrase_level: bool


@dataclass(frozen=True)
class Frame:
    name: str
    definition: str


@lru_cache(maxsize=4)
def load_taxonomy(path: str | None = None) -> dict[str, Any]:
    p = Path(path) if path else resource_dir() / "taxonomy.yaml"
    data = yaml.safe_load(p.read_text(encoding="utf-8"))
    techniques = [
        Technique(t["name"], t.get("family", ""), " ".join(str(t.get("definition", "")).split()),
                  bool(t.get("phrase_level", False)))
        for t in data["techniques"]
    ]
    frames = [Frame(f["name"], " ".join(str(f.get("definition", "")).split()))
              for f in data["frames"]]
    return {"name": data.get("name", "techniques"), "techniques": techniques, "frames": frames}


def technique_names() -> list[str]:
    return [t.name for t in load_taxonomy()["techniques"]]


def frame_names() -> list[str]:
    return [f.name for f in load_taxonomy()["frames"]]


def phrase_level_techniques() -> set[str]:
    return {t.name for t in load_taxonomy()["techniques"] if t.phrase_level}
