"""``narrascope components`` and ``narrascope schema``."""

from __future__ import annotations

import json
from typing import Any

from narrascope.cli.app import app
from narrascope.doc import article_json_schema


def _options(factory: Any) -> str:
    """``name=default`` for each config option of a component factory."""
    import inspect

    try:
        params = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return ""
    return ", ".join(
        f"{p.name}={p.default!r}" if p.default is not inspect.Parameter.empty else p.name
        for p in params
        # ``backends`` is filled from the config's [backends] table, not set per component
        if p.name not in ("self", "name", "backends")
        and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    )


def _takes_backends(factory: Any) -> bool:
    import inspect

    try:
        return "backends" in inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False


@app.command("components")
def list_components() -> None:
    """List the registered pipeline components: what each assigns, needs and takes as options.

    Example: narrascope components
    """
    from narrascope.registry import BUILTIN_MODULES, registry

    names = registry.names()
    for name in names:
        info = registry.get(name)
        print(f"{name}")
        if info.description:
            print(f"    {info.description}")
        print(f"    assigns: {', '.join(info.assigns) or '-'}")
        if info.requires:
            print(f"    requires: {', '.join(info.requires)}")
        options = _options(info.factory)
        if options:
            print(f"    options: {options}")
        if _takes_backends(info.factory):
            print("    backend: the config's [backends.NAME] table named by `backend` "
                  "(docs/bring-your-own-model.md)")
    for name in BUILTIN_MODULES:
        if name not in names:
            print(f"{name}\n    (not available: {BUILTIN_MODULES[name]} cannot be imported)")


@app.command()
def schema() -> None:
    """Print the JSON Schema of one output record (one JSONL line).

    Example: narrascope schema > article.schema.json
    """
    print(json.dumps(article_json_schema(), indent=2, ensure_ascii=False))


