"""Shared by the dev-real measurement scripts: ``--set OPT=VALUE`` component options."""

from __future__ import annotations


def option_value(s: str) -> object:
    """``true``/``false`` -> bool, a number -> int or float, anything else: the text."""
    low = s.lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        return float(s) if "." in s else int(s)
    except ValueError:
        return s


def parse_options(pairs: list[str]) -> dict[str, object]:
    """``["a=1", "b=x"]`` -> ``{"a": 1, "b": "x"}``."""
    return {k: option_value(v) for k, _, v in (kv.partition("=") for kv in pairs)}
