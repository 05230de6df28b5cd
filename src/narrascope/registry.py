"""The component registry: pipeline components are registered by name.

A component is any object with ``name`` and ``pipe(articles, batch_size)``; most
subclass :class:`Component`, which only needs ``__call__`` for one article.  A
*factory* builds a component from its config section::

    from narrascope.registry import Component, registry

    @registry.component("shouting", assigns=["metadata.shouting"])
    class Shouting(Component):
        def __init__(self, name: str = "shouting", min_ratio: float = 0.5) -> None:
            self.name = name
            self.min_ratio = min_ratio

        def __call__(self, article):
            letters = [c for c in article.text if c.isalpha()]
            upper = sum(c.isupper() for c in letters) / max(len(letters), 1)
            article.metadata["shouting"] = upper >= self.min_ratio
            return article

Third-party packages register components without touching narrascope by
declaring an entry point in the ``narrascope.components`` group that points at
the module which calls ``registry.component`` (the plugin hook).
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, TypeVar

from narrascope.doc import Article

ENTRY_POINT_GROUP = "narrascope.components"

#: Modules holding the built-in components; imported lazily on first lookup so that
#: ``import narrascope`` stays fast and a broken optional component cannot break the rest.
BUILTIN_MODULES: dict[str, str] = {
    "sentences": "narrascope.components.sentences",
    "voice": "narrascope.components.voice",
    "encoder": "narrascope.components.encoder",
    "narratives": "narrascope.components.narratives",
    "entities": "narrascope.components.entities",
    "techniques": "narrascope.components.techniques",
    "fact_checks": "narrascope.components.fact_checks",
    **dict.fromkeys(("narratives_llm", "roles_llm", "explain_llm"), "narrascope.components.llm"),
}


class Component:
    """Base class for pipeline components: override ``__call__`` (and maybe ``pipe``)."""

    name: str = "component"

    def __call__(self, article: Article) -> Article:  # pragma: no cover - abstract
        raise NotImplementedError

    def pipe(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Article]:
        """Process a stream of articles; override to batch work across articles."""
        for article in articles:
            yield self(article)


F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class ComponentInfo:
    name: str
    factory: Callable[..., Any]
    assigns: list[str] = field(default_factory=list)
    requires: list[str] = field(default_factory=list)
    description: str = ""


class Registry:
    def __init__(self) -> None:
        self._components: dict[str, ComponentInfo] = {}
        self._plugins_loaded = False

    def component(
        self,
        name: str,
        *,
        assigns: Iterable[str] = (),
        requires: Iterable[str] = (),
        description: str = "",
    ) -> Callable[[F], F]:
        """Decorator registering a component factory (a class or a function)."""

        def decorate(factory: F) -> F:
            doc = description or (inspect.getdoc(factory) or "").split("\n")[0]
            self._components[name] = ComponentInfo(
                name, factory, list(assigns), list(requires), doc
            )
            return factory

        return decorate

    def _load(self, name: str) -> None:
        if name in self._components:
            return
        if name in BUILTIN_MODULES:
            importlib.import_module(BUILTIN_MODULES[name])
        if name not in self._components and not self._plugins_loaded:
            self._plugins_loaded = True
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                ep.load()

    def get(self, name: str) -> ComponentInfo:
        self._load(name)
        try:
            return self._components[name]
        except KeyError:
            known = ", ".join(sorted(set(self._components) | set(BUILTIN_MODULES)))
            raise KeyError(f"unknown component {name!r}; known components: {known}") from None

    def import_local(self, names: Iterable[str], folders: Iterable[Path]) -> None:
        """Import a module named like an unknown component from ``folders`` (your own components).

        A component ``shouting`` that is neither built in nor installed as a plugin is
        looked up as ``shouting.py`` (or a ``shouting/`` package) in each folder in turn;
        importing it runs its ``@registry.component`` decorator.
        """
        folders = list(folders)
        for name in names:
            if name in BUILTIN_MODULES or not name.isidentifier():
                continue
            try:
                self.get(name)
                continue
            except KeyError:
                pass
            for folder in folders:
                if (folder / f"{name}.py").is_file() or (folder / name / "__init__.py").is_file():
                    if str(folder) not in sys.path:
                        sys.path.insert(0, str(folder))
                    importlib.import_module(name)
                    break

    def names(self) -> list[str]:
        for name in BUILTIN_MODULES:
            try:
                self._load(name)
            except ImportError:
                pass
        return sorted(self._components)

    def create(self, name: str, config: dict[str, Any] | None = None) -> Any:
        """Build the component registered as ``name`` with its config section."""
        info = self.get(name)
        cfg = dict(config or {})
        factory_name = cfg.pop("factory", None)
        if factory_name is not None and factory_name != name:
            info = self.get(factory_name)
        params = inspect.signature(info.factory).parameters
        if "name" in params and "name" not in cfg:
            cfg["name"] = name
        unknown = [k for k in cfg if k not in params] if not any(
            p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
        ) else []
        if unknown:
            raise ValueError(
                f"component {name!r} does not take option(s) {', '.join(sorted(unknown))}; "
                f"it takes: {', '.join(p for p in params if p != 'name')}"
            )
        return info.factory(**cfg)


registry = Registry()
