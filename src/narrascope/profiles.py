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
    return Path(__file__).resolve().parent / "resources" / "models" / "profiles" / name


def profile_config(name: str = "default") -> dict[str, Any]:
    """The config of a profile (``"default"``: the packaged default config)."""
    from narrascope.pipeline import load_config

    if name == "default":
        return load_config(None)
    f = resources.files("narrascope.resources").joinpath(PROFILES_DIR).joinpath(f"{name}.toml")
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


# ------------------------------------------------------------------ language routing
def _route_pipeline(value: str, cfg: dict[str, Any], base: Path | None) -> Any:
    from narrascope.pipeline import Pipeline

    if value == "default":
        own = {k: v for k, v in cfg.items() if k != "languages"}
        return Pipeline.from_config(own if "pipeline" in own else profile_config("default"))
    if value == "llm":
        llm_cfg = {k: v for k, v in cfg.items() if k not in {"languages", "pipeline"}}
        llm_cfg["pipeline"] = {"components": ["sentences", "narratives_llm"]}
        return Pipeline.from_config(llm_cfg)
    if value in profile_names():
        return Pipeline.from_config(profile_config(value))
    path = Path(value)
    if not path.is_absolute() and base is not None:
        path = base / path
    if not path.is_file():
        raise ValueError(f"[languages]: {value!r} is neither 'default', 'llm', a profile "
                         f"({', '.join(profile_names())}) nor a config file")
    return Pipeline.from_config(path)


class LanguageRouter:
    """Each article through the pipeline configured for its language (``[languages]``:
    ISO 639-1 code -> ``"default"`` (the config's own pipeline), a profile name, a
    config file, or ``"llm"``; ``"*"`` for every other language).  An article in a
    language without a route gets the sentence splitter only and a note that its
    English-only layers are withheld."""

    def __init__(self, cfg: dict[str, Any], base: Path | None = None) -> None:
        from narrascope.pipeline import Pipeline

        self.config = cfg
        routes = {str(k).lower(): str(v) for k, v in cfg.get("languages", {}).items()}
        self.routes: dict[str, Any] = {}
        built: dict[str, Any] = {}
        for lang, value in routes.items():
            if value not in built:
                built[value] = _route_pipeline(value, cfg, base)
            self.routes[lang] = built[value]
        self.fallback = self.routes.get("*") or Pipeline.from_config(
            {"pipeline": {"components": ["sentences"]}})
        first = next(iter(self.routes.values()), self.fallback)
        self.batch_size = first.batch_size
        self.components = first.components

    @property
    def component_names(self) -> list[str]:
        return [n for n, _ in self.components]

    def get(self, name: str) -> Any:
        return dict(self.components)[name]

    def route(self, article: Any) -> Any:
        lang = (article.language or "en").lower()
        return self.routes.get(lang) or self.fallback

    def run_batch(self, batch: list[Any], on_error: Any = None) -> list[Any]:
        groups: dict[int, tuple[Any, list[int]]] = {}
        for i, art in enumerate(batch):
            p = self.route(art)
            groups.setdefault(id(p), (p, []))[1].append(i)
        out: list[Any] = [None] * len(batch)
        for p, idx in groups.values():
            done = p.run_batch([batch[i] for i in idx], on_error)
            for i, art in zip(idx, done, strict=True):
                if p is self.fallback and "*" not in self.routes:
                    art.warnings.append(
                        f"no model configured for language {art.language!r} ([languages] "
                        "in the config): English-only layers withheld")
                out[i] = art
        return out

    def pipe(self, articles: Any, batch_size: int | None = None, on_error: Any = None,
             **_: Any) -> Any:
        size = max(1, int(batch_size or self.batch_size))
        batch: list[Any] = []
        for art in articles:
            batch.append(art)
            if len(batch) >= size:
                yield from self.run_batch(batch, on_error)
                batch = []
        if batch:
            yield from self.run_batch(batch, on_error)


def build(config: dict[str, Any] | str | Path | None = None) -> Any:
    """A :class:`~narrascope.pipeline.Pipeline` from a config (its ``profile`` applied),
    or a :class:`LanguageRouter` when the config has a ``[languages]`` table."""
    from narrascope.pipeline import Pipeline, load_config

    base = Path(config).resolve().parent if isinstance(config, str | Path) else None
    cfg = apply_profile(config if isinstance(config, dict) else load_config(config))
    if cfg.get("languages"):
        return LanguageRouter(cfg, base)
    return Pipeline.from_config(cfg)
