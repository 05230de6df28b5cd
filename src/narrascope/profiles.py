"""Pipeline profiles: named configs shipped in ``resources/profiles/NAME.toml``.

``profile = "fast"`` at the top of a config (or ``--profile fast``) starts from that
profile and lays the config's own sections over it.  ``"{profile}"`` in an option of a
profile file stands for the profile's folder of trained heads
(``resources/models/profiles/NAME``).
"""

from __future__ import annotations

import copy
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

PROFILES_DIR = "profiles"


def profile_names() -> list[str]:
    folder = resources.files("narrascope.resources").joinpath(PROFILES_DIR)
    return sorted(["default", *(p.name[:-5] for p in folder.iterdir()
                                if p.name.endswith(".toml"))])


def heads_dir(name: str) -> Path:
    return Path(str(resources.files("narrascope.resources").joinpath("models", "profiles",
                                                                      name)))


def profile_config(name: str = "default") -> dict[str, Any]:
    """The config of a profile (``"default"``: the packaged default config)."""
    from narrascope.pipeline import load_config

    if name == "default":
        return load_config(None)
    f = resources.files("narrascope.resources").joinpath(PROFILES_DIR, f"{name}.toml")
    if not f.is_file():
        raise ValueError(f"unknown profile {name!r}: use one of {', '.join(profile_names())}")
    cfg = tomllib.loads(f.read_text(encoding="utf-8"))
    base = str(heads_dir(name))
    for opts in cfg.get("components", {}).values():
        for k, v in list(opts.items()):
            if isinstance(v, str) and "{profile}" in v:
                opts[k] = v.replace("{profile}", base)
    return cfg


def apply_profile(cfg: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """``cfg`` laid over its profile (``name``, else the config's own ``profile`` key)."""
    name = name or cfg.get("profile")
    if not name or name == "default" and "pipeline" in cfg:
        return cfg
    out = profile_config(str(name))
    for key, val in cfg.items():
        if key == "components":
            comps = out.setdefault("components", {})
            for comp, opts in val.items():
                comps.setdefault(comp, {}).update(copy.deepcopy(opts))
        elif key == "pipeline":
            out.setdefault("pipeline", {}).update(copy.deepcopy(val))
        else:
            out[key] = copy.deepcopy(val)
    out["profile"] = str(name)
    return out
