"""The ``narrascope`` command line: analyze, report, evaluate, train, components, schema.

Every command has ``--help``.  Errors are one line on stderr
(``path:line: error: ...`` for input problems, ``ID: error in component X: ...``
for analysis problems); the run goes on with the other articles.  Exit status:
0 on success, 1 when nothing could be read or (with ``--strict``) anything
failed, 2 for usage errors.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from importlib.metadata import entry_points
from typing import Annotated, Any

import typer

from narrascope import __version__
from narrascope.cli import analyze as _analyze  # noqa: F401  (registers analyze, report)
from narrascope.cli import evaluate as _evaluate  # noqa: F401  (registers evaluate)
from narrascope.cli import info as _info  # noqa: F401  (registers components, schema)
from narrascope.cli.app import app, train_app
from narrascope.cli.common import MAX_SHOWN_ID, Run, _silence_stdout, fail, shown
from narrascope.doc import NOTICE

#: Entry-point group of component commands: each entry point names a module with
#: ``register(train_app)`` (adds ``narrascope train NAME ...``) and/or
#: ``register_extra(app)`` (adds top-level groups such as ``narrascope kb ...``).
COMPONENT_COMMANDS_ENTRY_POINT_GROUP = "narrascope.component_commands"

#: The built-in component command modules, also declared in pyproject's entry points;
#: used when the installed metadata lacks them (an editable install not reinstalled).
COMPONENT_COMMANDS = ("narratives", "entities", "techniques", "fact_checks")

#: Command modules of narrascope itself; each has ``register(app: typer.Typer) -> None``.
COMMAND_MODULES = (
    "narrascope.cli.store",    # ingest, query, db
    "narrascope.cli.corpus",   # corpus copies/network/clusters/trends/emerging/outlet
    "narrascope.cli.serve",    # serve
    "narrascope.cli.scale",    # ray helpers
)

#: Entry-point group through which other packages add commands (``register(app)``).
COMMANDS_ENTRY_POINT_GROUP = "narrascope.commands"

# model loaders must not draw their own progress bars or advice on the user's terminal
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

def _version(value: bool) -> None:
    if value:
        print(f"narrascope {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """narrascope: make the manipulation in news articles visible, with evidence."""


# ----------------------------------------------------------------------------- plugins


def _import_optional(module: str) -> Any | None:
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except (ImportError, ValueError):
        return None
    try:
        return importlib.import_module(module)
    except Exception as exc:  # a broken component must not break the CLI
        if os.environ.get("NARRASCOPE_DEBUG"):
            print(f"warning: cannot load {module}: {exc}", file=sys.stderr)
        return None


_registered = False


def register_component_commands() -> None:
    """Let each component add ``train`` commands (``register``) and top-level groups."""
    global _registered
    if _registered:
        return
    _registered = True
    register_command_modules()
    for name, mod in _component_command_modules():
        for hook, target in (("register", train_app), ("register_extra", app)):
            fn = getattr(mod, hook, None)
            if callable(fn):
                try:
                    fn(target)
                except Exception as exc:
                    if os.environ.get("NARRASCOPE_DEBUG"):
                        print(f"warning: {name}.{hook} failed: {exc}", file=sys.stderr)


def _component_command_modules() -> list[tuple[str, Any]]:
    """``(name, module)`` of the component commands: entry points, then built-in fallbacks."""
    found: dict[str, Any] = {}
    try:
        eps = list(entry_points(group=COMPONENT_COMMANDS_ENTRY_POINT_GROUP))
    except Exception:
        eps = []
    for ep in eps:
        if ep.value in found:
            continue
        try:
            found[ep.value] = (ep.name, ep.load())
        except Exception as exc:  # a broken plugin must not break the CLI
            if os.environ.get("NARRASCOPE_DEBUG"):
                print(f"warning: cannot load component commands {ep.name}: {exc}", file=sys.stderr)
    for name in COMPONENT_COMMANDS:
        module = f"narrascope.components.{name}.commands"
        if module not in found:
            mod = _import_optional(module)
            if mod is not None:
                found[module] = (name, mod)
    return list(found.values())


def register_command_modules() -> None:
    """Add the optional command groups of narrascope and of installed plugins."""
    modules = [m for m in (_import_optional(name) for name in COMMAND_MODULES) if m is not None]
    for ep in entry_points(group=COMMANDS_ENTRY_POINT_GROUP):
        try:
            modules.append(ep.load())
        except Exception as exc:  # a broken plugin must not break the CLI
            if os.environ.get("NARRASCOPE_DEBUG"):
                print(f"warning: cannot load command plugin {ep.name}: {exc}", file=sys.stderr)
    for mod in modules:
        fn = getattr(mod, "register", None)
        if callable(fn):
            fn(app)


def main() -> None:
    """Entry point: unexpected failures become one line (NARRASCOPE_DEBUG=1: traceback)."""
    register_component_commands()
    try:
        app()
    except BrokenPipeError:  # `narrascope analyze ... | head`
        _silence_stdout()
        sys.exit(0)
    except Exception as exc:
        if os.environ.get("NARRASCOPE_DEBUG"):
            raise
        print(f"error: internal error: {type(exc).__name__}: {shown(' '.join(str(exc).split()), None)} "
              "(run with NARRASCOPE_DEBUG=1 for a traceback)", file=sys.stderr)
        sys.exit(1)


__all__ = ["COMPONENT_COMMANDS_ENTRY_POINT_GROUP", "MAX_SHOWN_ID", "NOTICE", "Run", "app", "fail", "main", "register_component_commands",
           "shown", "train_app"]
