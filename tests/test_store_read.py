"""Analysed records read back for the store: the JSON-line fast path refuses exactly what
the general path refuses, with the same messages, and reads the same articles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from narrascope.read.errors import ReadError
from narrascope.read.records import (
    _no_constant,
    fast_analysed_record,
    read_jsonl,
    record_to_article,
)
from narrascope.store.synthetic import Synth


def _record(i: int = 0) -> dict[str, Any]:
    return Synth(3, outlets=2).article(i).model_dump(mode="json")


def _both(tmp_path: Path, line: str) -> tuple[list[Any], list[Any]]:
    """What read_jsonl gives for ``line`` and what the general path gives for it."""
    p = tmp_path / "r.jsonl"
    p.write_text(line + "\n", encoding="utf-8")
    fast = list(read_jsonl(p, 200_000, keep_layers=True))
    try:
        rec = json.loads(line, parse_constant=_no_constant)
        slow: list[Any] = [record_to_article(rec, str(p), 1, 200_000, keep_layers=True)]
    except ReadError as err:
        slow = [err]
    except ValueError as exc:  # refused by the JSON parser, as read_jsonl does
        slow = [exc]
    return fast, slow


def test_fast_path_reads_the_same_article(tmp_path: Path) -> None:
    rec = _record()
    line = json.dumps(rec, ensure_ascii=False)
    art = fast_analysed_record(line.encode(), "r.jsonl", 1, 200_000)
    assert art is not None
    fast, slow = _both(tmp_path, line)
    assert fast[0].model_dump() == slow[0].model_dump()
    assert fast[0].path == f"{tmp_path / 'r.jsonl'}:1"


def _with(rec: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    obj: Any = rec
    keys = path.split(".")
    for k in keys[:-1]:
        obj = obj[int(k)] if isinstance(obj, list) else obj[k]
    last = keys[-1]
    if isinstance(obj, list):
        obj[int(last)] = value
    else:
        obj[last] = value
    return rec


@pytest.mark.parametrize("case", [
    "span_text", "span_past_end", "empty_span_past_end", "end_before_start", "unknown_field",
    "nan", "infinity", "lone_surrogate", "deep_metadata", "too_long", "old_schema",
])
def test_hostile_records_refused_as_by_the_general_path(tmp_path: Path, case: str) -> None:
    rec = _record()
    n = len(rec["text"])
    s0 = rec["sentences"][0]
    if case == "span_text":
        line = json.dumps(_with(rec, "sentences.0.text", s0["text"] + "x"))
    elif case == "span_past_end":
        line = json.dumps(_with(rec, "sentences.0.end", n + 3))
    elif case == "empty_span_past_end":
        rec["sentences"][0].update(start=n + 5, end=n + 5, text="")
        line = json.dumps(rec)
    elif case == "end_before_start":
        rec["sentences"][0].update(start=5, end=2, text="")
        line = json.dumps(rec)
    elif case == "unknown_field":
        line = json.dumps(_with(rec, "sentences.0.extra", 1))
    elif case == "nan":
        line = json.dumps(rec)[:-1] + ', "language_confidence": NaN}'
    elif case == "infinity":
        rec["metadata"] = {"k": 1}
        line = json.dumps(rec).replace('"k": 1', '"k": Infinity')
    elif case == "lone_surrogate":
        rec["metadata"] = {"k": "SURR"}
        line = json.dumps(rec).replace("SURR", "\\ud800")
    elif case == "deep_metadata":
        deep: Any = 1
        for _ in range(60):
            deep = [deep]
        rec["metadata"] = {"k": deep}
        line = json.dumps(rec)
    elif case == "too_long":
        line = json.dumps(rec)
        p = tmp_path / "r.jsonl"
        p.write_text(line + "\n", encoding="utf-8")
        got = list(read_jsonl(p, n - 1, keep_layers=True))
        assert isinstance(got[0], ReadError) and "over the limit" in str(got[0])
        return
    else:  # a 1.x record goes to the general path, which upgrades it
        rec["schema_version"] = "1.2"
        line = json.dumps(rec)
        assert fast_analysed_record(line.encode(), "r", 1, 200_000) is None
        fast, slow = _both(tmp_path, line)
        assert fast[0].model_dump() == slow[0].model_dump()
        return
    if case in ("nan", "infinity", "lone_surrogate", "deep_metadata", "unknown_field",
                "end_before_start"):  # left to the general path
        assert fast_analysed_record(line.encode(), "r", 1, 200_000) is None
    fast, slow = _both(tmp_path, line)
    assert len(fast) == 1 and isinstance(fast[0], ReadError), (case, fast)
    if isinstance(slow[0], ReadError):
        assert str(fast[0]) == str(slow[0])
    else:
        assert "malformed JSON" in str(fast[0])


def test_span_checks_give_the_general_messages(tmp_path: Path) -> None:
    rec = _record()
    n = len(rec["text"])
    rec["sentences"][1].update(end=n + 3)
    p = tmp_path / "r.jsonl"
    p.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    (err,) = list(read_jsonl(p, 200_000, keep_layers=True))
    assert isinstance(err, ReadError)
    assert f"is outside the text ({n} characters)" in str(err)
