"""The pipeline: a config that names components, run in order over batches.

>>> from narrascope import Pipeline, Article
>>> nlp = Pipeline.from_config({"pipeline": {"components": ["sentences"]}})
>>> [s.text for s in nlp(Article(id="a", text="One. Two.")).sentences]
['One.', 'Two.']
"""

from __future__ import annotations

import contextlib
import copy
import os
import signal
import threading
import tomllib
from collections.abc import Callable, Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from narrascope.doc import Article
from narrascope.registry import registry

DEFAULT_CONFIG_NAME = "default.toml"

#: Seconds a component may spend on one article (``[pipeline] time_budget``; 0: no limit).
#: The default pipeline needs about 0.5 s an article on 2 CPU cores.
DEFAULT_TIME_BUDGET = 60.0
#: Seconds at least that a component's first batch may take (it may load its models).
FIRST_BATCH_GRACE = 300.0

#: ``on_error(article, message)``: called for each article a component failed on.
ErrorHandler = Callable[[Article, str], None]

#: glibc malloc arenas at most (``MALLOC_ARENA_MAX`` in the environment wins): with one
#: arena per thread, the encoders' thread pools left freed batches scattered over
#: arenas that are never given back, and the RSS of a long run stepped up
MALLOC_ARENAS = 2


def _libc() -> Any:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        lib = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return lib if lib is not None and hasattr(lib, "malloc_trim") else None  # glibc only


_LIBC = _libc()
if _LIBC is not None and "MALLOC_ARENA_MAX" not in os.environ:
    _LIBC.mallopt(-8, MALLOC_ARENAS)  # M_ARENA_MAX, before any thread pool starts


def release_memory() -> None:
    """Give the heap's free pages back to the system (glibc ``malloc_trim``), after
    each batch: the per-article caches were just dropped."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


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
    if not isinstance(cfg, dict) or ("pipeline" not in cfg and "profile" not in cfg):
        raise ValueError(f"{p}: a config needs a [pipeline] section with 'components' "
                         "(or a 'profile' to start from)")
    return cfg


class Pipeline:
    """An ordered list of named components built from a config."""

    def __init__(self, components: list[tuple[str, Any]], config: dict[str, Any]) -> None:
        self.components = components
        self.config = config
        self.batch_size = int(config.get("pipeline", {}).get("batch_size", 32))
        #: seconds per article and component (0: no limit); see :meth:`pipe`
        self.time_budget = float(config.get("pipeline", {}).get("time_budget", DEFAULT_TIME_BUDGET))
        self._warm: set[str] = set()  # components that ran once (models loaded)

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
        built = [(name, registry.create(name, _with_backends(name, sections.get(name), cfg)))
                 for name in names]
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

    def summary(self) -> list[str]:
        """Run-summary lines of the components that keep accounts (e.g. LLM backends)."""
        lines: list[str] = []
        for _name, comp in self.components:
            for line in getattr(comp, "run_summary", lambda: [])():
                if line not in lines:
                    lines.append(line)
        return lines

    @property
    def component_names(self) -> list[str]:
        return [name for name, _ in self.components]

    def get(self, name: str) -> Any:
        for n, comp in self.components:
            if n == name:
                return comp
        raise KeyError(name)

    def __call__(self, article: Article) -> Article:
        return next(iter(self.pipe([article], batch_size=1, skip_analysed=False)))

    def pipe(
        self,
        articles: Iterable[Article],
        batch_size: int | None = None,
        on_error: ErrorHandler | None = None,
        *,
        skip_analysed: bool = True,
    ) -> Iterator[Article]:
        """Stream articles through every component, ``batch_size`` at a time, in order.

        ``batch_size`` None: the config's ``[pipeline] batch_size``.

        An article that was analysed already (``article.components`` is not empty, e.g.
        a record of a narrascope JSONL read back with its layers) passes through
        unchanged, in its place in the stream; ``skip_analysed=False`` runs the
        components over it again.

        Without ``on_error`` a component's exception propagates.  With it, a failing
        batch is re-run article by article: the articles at fault are kept (without
        that component's layer, with a warning) and ``on_error(article, message)`` is
        called for each, so one hostile article cannot stop a run of millions.

        The config's ``[pipeline] time_budget`` (seconds per article, default
        :data:`DEFAULT_TIME_BUDGET`; 0: none) bounds each component: a batch of ``n``
        articles gets ``n`` budgets (a component's first batch, which may load models, at
        least :data:`FIRST_BATCH_GRACE`); when it runs over, it is re-run article by article
        and an article that alone runs over is kept without that layer, as above
        (``TimeBudgetExceeded``).  The budget needs the main thread (SIGALRM); elsewhere
        it is not enforced.

        Per-article caches (embeddings, parsed docs) are dropped once an article
        leaves the pipeline, so memory stays bounded by the batch size.
        """
        size = max(1, int(batch_size or self.batch_size))
        batch: list[Article] = []
        for article in articles:
            if skip_analysed and article.components:
                if batch:  # keep the order of the stream
                    yield from self.run_batch(batch, on_error)
                    batch = []
                yield article
                continue
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
            grace = 0.0 if name in self._warm else FIRST_BATCH_GRACE
            done = _run_component(name, comp, done, on_error, self.time_budget, grace)
            self._warm.add(name)
        for art in done:
            art.cache.clear()
        release_memory()
        return done


class TimeBudgetExceeded(Exception):
    """A component ran over the pipeline's time budget (``[pipeline] time_budget``)."""


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`TimeBudgetExceeded` in this block after ``seconds`` (main thread only)."""
    usable = (seconds > 0 and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise TimeBudgetExceeded(f"over the time budget of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run_component(
    name: str, comp: Any, batch: list[Article], on_error: ErrorHandler | None,
    budget: float = 0.0, grace: float = 0.0,
) -> list[Article]:
    limit = max(budget * len(batch), grace) if budget > 0 and on_error is not None else 0.0
    try:
        with _time_limit(limit):
            out = list(comp.pipe(list(batch), batch_size=len(batch)))
        if len(out) != len(batch):
            raise RuntimeError(f"returned {len(out)} articles for {len(batch)}")
    except Exception as exc:
        if on_error is None:
            raise
        if len(batch) > 1:  # find the article(s) at fault; the others get the layer
            return [a for art in batch
                    for a in _run_component(name, comp, [art], on_error, budget, grace)]
        art = batch[0]
        msg = f"error in component {name}: {type(exc).__name__}: {' '.join(str(exc).split())}"
        art.warnings.append(msg)
        on_error(art, msg)
        return [art]
    for art in out:
        art.components.append(name)
    _report_run_errors(comp, on_error)
    return out


def _with_backends(name: str, section: dict[str, Any] | None, cfg: dict[str, Any]
                   ) -> dict[str, Any]:
    """A component's options, plus the config's ``[backends]`` table when its factory
    takes a ``backends`` argument (the LLM components name their backend in it)."""
    import inspect

    opts = dict(section or {})
    factory = registry.get(str(opts.get("factory", name))).factory
    if "backends" in inspect.signature(factory).parameters and "backends" not in opts:
        opts["backends"] = cfg.get("backends") or {}
    return opts


def _report_run_errors(comp: Any, on_error: ErrorHandler | None) -> None:
    """Problems a component met once for the whole run (an LLM endpoint that does not
    answer), reported on the article where they showed; the articles keep their layers."""
    take = getattr(comp, "take_run_errors", None)
    if take is None:
        return
    for art, msg in take():
        if on_error is None:
            art.warnings.append(msg)
        else:
            on_error(art, msg)
