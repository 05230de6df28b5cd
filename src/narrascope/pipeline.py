"""The pipeline: a config that names components, run in order over batches.

>>> from narrascope import Pipeline, Article
>>> nlp = Pipeline.from_config({"pipeline": {"components": ["sentences"]}})
>>> [s.text for s in nlp(Article(id="a", text="One. Two.")).sentences]
['One.', 'Two.']
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from narrascope.doc import Article
from narrascope.registry import registry

DEFAULT_CONFIG_NAME = "default.toml"

#: ``on_error(article, message)``: called for each article a component failed on.
ErrorHandler = Callable[[Article, str], None]


def load_config(path: str | Path | None = None) -> dict[str, Any]:
    """Read a pipeline config (TOML or YAML); ``None`` gives the packaged default."""
    if path is None:
        text = resources.files("narrascope.resources").joinpath(DEFAULT_CONFIG_NAME).read_text()
        return tomllib.loads(text)
    p = Path(path)
    raw = p.read_text(encoding="utf-8")
    try:
        if p.suffix.lower() in {".yaml", ".yml"}:
            cfg = yaml.safe_load(raw) or {}
        else:
            cfg = tomllib.loads(raw)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{p}: invalid config: {exc}") from exc
    if not isinstance(cfg, dict) or "pipeline" not in cfg:
        raise ValueError(f"{p}: a config needs a [pipeline] section with 'components'")
    return cfg


class Pipeline:
    """An ordered list of named components built from a config."""

    def __init__(self, components: list[tuple[str, Any]], config: dict[str, Any]) -> None:
        self.components = components
        self.config = config
        self.batch_size = int(config.get("pipeline", {}).get("batch_size", 32))

    @classmethod
    def from_config(
        cls,
        config: dict[str, Any] | str | Path | None = None,
        overrides: dict[str, dict[str, Any]] | None = None,
        search_paths: Iterable[str | Path] | None = None,
    ) -> Pipeline:
        """Build a pipeline from a config dict, a config file, or the default.

        ``overrides`` maps component names to options that replace the config's.
        A component that is neither built in nor a plugin is imported from a module of
        its name in ``search_paths`` (default: the config file's folder, then the
        current folder).
        """
        cfg = copy.deepcopy(config) if isinstance(config, dict) else load_config(config)
        if search_paths is None:
            here = [Path(config).resolve().parent] if isinstance(config, str | Path) else []
            search_paths = [*here, Path.cwd()]
        registry.import_local(cfg.get("pipeline", {}).get("components", []),
                              [Path(p) for p in search_paths])
        sections = cfg.setdefault("components", {})
        for name, opts in (overrides or {}).items():
            sections.setdefault(name, {}).update(opts)
        names = list(cfg.get("pipeline", {}).get("components", []))
        if not names:
            raise ValueError("the pipeline config lists no components")
        built = [(name, registry.create(name, sections.get(name))) for name in names]
        cls._check_requirements(names)
        return cls(built, cfg)

    @staticmethod
    def _check_requirements(names: list[str]) -> None:
        seen: set[str] = set()
        for name in names:
            info = registry.get(name)
            missing = [r for r in info.requires if r not in seen]
            if missing:
                raise ValueError(
                    f"component {name!r} needs {', '.join(missing)} earlier in the pipeline"
                )
            seen.add(name)

    @property
    def component_names(self) -> list[str]:
        return [name for name, _ in self.components]

    def get(self, name: str) -> Any:
        for n, comp in self.components:
            if n == name:
                return comp
        raise KeyError(name)

    def __call__(self, article: Article) -> Article:
        return next(iter(self.pipe([article], batch_size=1)))

    def pipe(
        self,
        articles: Iterable[Article],
        batch_size: int | None = None,
        on_error: ErrorHandler | None = None,
    ) -> Iterator[Article]:
        """Stream articles through every component, ``batch_size`` at a time.

        Without ``on_error`` a component's exception propagates.  With it, a failing
        batch is re-run article by article: the articles at fault are kept (without
        that component's layer, with a warning) and ``on_error(article, message)`` is
        called for each, so one hostile article cannot stop a run of millions.

        Per-article caches (embeddings, parsed docs) are dropped once an article
        leaves the pipeline, so memory stays bounded by the batch size.
        """
        size = batch_size or self.batch_size
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= size:
                yield from self.run_batch(batch, on_error)
                batch = []
        if batch:
            yield from self.run_batch(batch, on_error)

    def run_batch(self, batch: list[Article], on_error: ErrorHandler | None = None) -> list[Article]:
        """Run every component over one batch (see :meth:`pipe` for ``on_error``)."""
        done = list(batch)
        for name, comp in self.components:
            done = _run_component(name, comp, done, on_error)
        for art in done:
            art.cache.clear()
        return done


def _run_component(
    name: str, comp: Any, batch: list[Article], on_error: ErrorHandler | None
) -> list[Article]:
    try:
        out = list(comp.pipe(list(batch), batch_size=len(batch)))
        if len(out) != len(batch):
            raise RuntimeError(f"returned {len(out)} articles for {len(batch)}")
    except Exception as exc:
        if on_error is None:
            raise
        if len(batch) > 1:  # find the article(s) at fault; the others get the layer
            return [a for art in batch for a in _run_component(name, comp, [art], on_error)]
        art = batch[0]
        msg = f"error in component {name}: {type(exc).__name__}: {' '.join(str(exc).split())}"
        art.warnings.append(msg)
        on_error(art, msg)
        return [art]
    for art in out:
        art.components.append(name)
    return out
