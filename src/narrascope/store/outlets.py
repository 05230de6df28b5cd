"""Outlets: who published an article, from its URL's registered domain or its ``source``.

The registered domain comes from tldextract with the public-suffix list bundled in
the package (no network access): ``https://www.bbc.co.uk/news/x`` -> ``bbc.co.uk``.
An outlet file attaches attributes (CSV or YAML; fields ``name``, ``domains``,
``country``, ``type``, ``network``; in CSV, domains are separated by ``;`` or
spaces).  See ``examples/outlets.yaml``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

FIELDS = ("name", "domains", "country", "type", "network")


@dataclass
class OutletSpec:
    """One outlet of an outlet file."""

    name: str
    domains: list[str] = field(default_factory=list)
    country: str | None = None
    type: str | None = None
    network: str | None = None


class OutletFileError(ValueError):
    """A problem in an outlet file, with ``path:line:`` in the message."""


@lru_cache(maxsize=1)
def _extractor() -> Any:
    import tldextract

    # suffix_list_urls=(): never fetch; the snapshot shipped with tldextract is used
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def normalise_domain(value: str) -> str:
    d = value.strip().lower().rstrip(".")
    return d[4:] if d.startswith("www.") else d


def registered_domain(url: str | None) -> str | None:
    """``bbc.co.uk`` for ``https://www.bbc.co.uk/news``; the host when it has no public suffix."""
    if not url:
        return None
    raw = url.strip()
    if "//" not in raw:
        raw = "//" + raw
    try:
        host = urlsplit(raw).hostname
    except ValueError:
        return None
    return _host_domain(host) if host else None


@lru_cache(maxsize=65536)
def _host_domain(host: str) -> str:
    ext = _extractor()(host)
    reg = ext.top_domain_under_public_suffix if hasattr(ext, "top_domain_under_public_suffix") \
        else ext.registered_domain
    return normalise_domain(reg or host)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [normalise_domain(p) for p in value.replace(";", " ").replace(",", " ").split() if p]
    if isinstance(value, list):
        return [normalise_domain(str(v)) for v in value if str(v).strip()]
    raise ValueError(f"domains must be a list or a string, not {type(value).__name__}")


def _spec(raw: Any, where: str) -> OutletSpec:
    if not isinstance(raw, dict):
        raise OutletFileError(f"{where}: error: expected a mapping with 'name', got {type(raw).__name__}")
    unknown = sorted(set(map(str, raw)) - set(FIELDS))
    if unknown:
        raise OutletFileError(f"{where}: error: unknown field(s) {', '.join(unknown)} "
                              f"(known: {', '.join(FIELDS)})")
    name = str(raw.get("name") or "").strip()
    if not name:
        raise OutletFileError(f"{where}: error: missing 'name'")
    try:
        domains = _as_list(raw.get("domains"))
    except ValueError as exc:
        raise OutletFileError(f"{where}: error: {exc}") from None

    def opt(key: str) -> str | None:
        v = raw.get(key)
        return str(v).strip() or None if v is not None else None

    return OutletSpec(name=name, domains=domains, country=opt("country"), type=opt("type"),
                      network=opt("network"))


def read_outlet_file(path: str | Path) -> list[OutletSpec]:
    """Read a CSV or YAML outlet file; raise :class:`OutletFileError` (``path:line: error``)."""
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OutletFileError(f"{p}:1: error: cannot read the outlet file: {exc}") from None
    specs: list[OutletSpec] = []
    if p.suffix.lower() == ".csv":
        reader = csv.DictReader(raw.splitlines())
        if not reader.fieldnames or "name" not in reader.fieldnames:
            raise OutletFileError(f"{p}:1: error: the CSV header needs 'name' (and optional "
                                  f"{', '.join(FIELDS[1:])})")
        for row in reader:
            specs.append(_spec({k: v for k, v in row.items() if k and v not in (None, "")},
                               f"{p}:{reader.line_num}"))
    else:
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
            raise OutletFileError(f"{p}:{line}: error: invalid YAML") from None
        if isinstance(data, dict) and "outlets" in data:
            data = data["outlets"]
        if not isinstance(data, list):
            raise OutletFileError(f"{p}:1: error: expected a list of outlets (or 'outlets: [...]')")
        for i, item in enumerate(data):
            specs.append(_spec(item, f"{p}:{_yaml_line(raw, i)}"))
    seen: dict[str, str] = {}
    for s in specs:
        for d in s.domains:
            if d in seen and seen[d] != s.name:
                raise OutletFileError(f"{p}:1: error: domain {d} belongs to both {seen[d]!r} "
                                      f"and {s.name!r}")
            seen[d] = s.name
    return specs


def _yaml_line(raw: str, index: int) -> int:
    """Line of the ``index``-th top-level list item (for messages)."""
    count = -1
    for n, line in enumerate(raw.splitlines(), 1):
        if line.lstrip().startswith("- ") and (len(line) - len(line.lstrip())) <= 2:
            count += 1
            if count == index:
                return n
    return 1
