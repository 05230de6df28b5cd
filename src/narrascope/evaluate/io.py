"""Readers for SemEval-2025 Task 10 gold and prediction files (tab-separated)."""

from __future__ import annotations

from pathlib import Path


class EvalInputError(Exception):
    """A gold/prediction file that cannot be used at all."""


def _rows(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise EvalInputError(f"{path}: error: cannot read file: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise EvalInputError(f"{path}: error: invalid UTF-8") from None
    return [(i, line.split("\t")) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def norm_id(article_id: str) -> str:
    """Ids compare with or without a ``.txt`` extension and a folder part.

    ``sub/EN_UA_1.txt`` (an article read from a subfolder), ``EN_UA_1.txt`` and
    ``EN_UA_1`` are the same id: SemEval ids never hold a ``/``.
    """
    s = article_id.strip().replace("\\", "/").rsplit("/", 1)[-1]
    return s[:-4] if s.endswith(".txt") else s


def split_labels(cell: str) -> list[str]:
    return [x.strip() for x in cell.split(";") if x.strip()]


def read_st1(path: Path, warnings: list[str]) -> dict[tuple[str, int, int], tuple[str, list[str]]]:
    """``(id, start, end) -> (main_role, fine_roles)``."""
    out: dict[tuple[str, int, int], tuple[str, list[str]]] = {}
    for line, cols in _rows(path):
        if len(cols) < 5:
            warnings.append(f"{path}:{line}: warning: expected at least 5 columns, got {len(cols)}; skipped")
            continue
        try:
            key = (norm_id(cols[0]), int(cols[2]), int(cols[3]))
        except ValueError:
            warnings.append(f"{path}:{line}: warning: start/end are not integers; skipped")
            continue
        if key in out:
            warnings.append(f"{path}:{line}: warning: duplicate mention {key}; the later one is used")
        out[key] = (cols[4].strip(), [c.strip() for c in cols[5:] if c.strip()])
    return out


def read_st2(path: Path, warnings: list[str]) -> dict[str, tuple[list[str], list[str]]]:
    """``id -> (coarse labels, fine labels)``."""
    out: dict[str, tuple[list[str], list[str]]] = {}
    for line, cols in _rows(path):
        if len(cols) < 2:
            warnings.append(f"{path}:{line}: warning: expected id TAB narratives TAB subnarratives; skipped")
            continue
        fine = split_labels(cols[2]) if len(cols) > 2 else []
        key = norm_id(cols[0])
        if key in out:
            warnings.append(f"{path}:{line}: warning: duplicate article {cols[0]!r}; the later line is used")
        out[key] = (split_labels(cols[1]), fine)
    return out


def read_st3(path: Path, warnings: list[str]) -> dict[str, str]:
    """``id -> explanation`` (extra columns, as in an input file, are joined)."""
    out: dict[str, str] = {}
    for line, cols in _rows(path):
        if len(cols) < 2:
            warnings.append(f"{path}:{line}: warning: expected id TAB explanation; skipped")
            continue
        out[norm_id(cols[0])] = " ".join(c.strip() for c in cols[1:] if c.strip())
    return out
