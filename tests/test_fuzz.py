"""Fuzz battery (hypothesis, bounded in time): every reader and the SemEval side inputs.

Each example is checked by ``scripts/fuzz.py``'s ``check_input`` (the script runs the
same checks on 10,000 inputs): reading never raises or stalls, every error is one
``PATH:LINE: error:`` line naming a line of the input that is not a good record's, no
good record is lost, and every article read splits into sentences and serialises.
"""

from __future__ import annotations

import importlib.util
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("narrascope_fuzz_script", ROOT / "scripts" / "fuzz.py")
assert _spec is not None and _spec.loader is not None
fuzz = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = fuzz
_spec.loader.exec_module(fuzz)

# bounded: a fixed number of examples, each within a deadline that only a stall (a
# quadratic step, a blocking read) exceeds, even on a loaded machine
SETTINGS = settings(max_examples=25, deadline=20_000, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])
HOSTILE = st.sampled_from(fuzz.HOSTILE)
TEXTS = st.text(st.characters(codec="utf-8"), max_size=60)  # surrogates excluded: bytes below
PIECES = st.lists(st.one_of(HOSTILE, st.binary(max_size=12), TEXTS.map(str.encode)), max_size=6)


def check(kind: str, data: bytes, good: set[str], folder: Path, good_lines: set[int] | None = None
          ) -> None:
    out = fuzz.check_input(kind, data, good, folder, stall=10.0, good_lines=good_lines)
    assert out.failures == 0, out.examples


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@SETTINGS
@given(data=st.binary(max_size=400) | PIECES.map(b"".join))
def test_txt_any_bytes(folder: Path, data: bytes) -> None:
    check("txt", data, set(), folder)


@SETTINGS
@given(pieces=st.lists(PIECES.map(b"".join), min_size=1, max_size=6), seed=st.integers(0, 2**16))
def test_jsonl_good_records_survive_bad_lines(folder: Path, pieces: list[bytes], seed: int) -> None:
    rng = random.Random(seed)
    lines, good, good_lines = [], set(), set()
    for i, piece in enumerate(pieces):
        if rng.random() < 0.5:
            lines.append(json.dumps({"id": f"good-{i}", "text": f"Text {i}."}).encode())
            good.add(f"good-{i}")
            good_lines.add(len(lines))
        bad = b'{"id": "fz", "text": "' + piece + b'"}' if rng.random() < 0.5 else piece
        lines.append(bad.replace(b"\n", b" ").replace(b"\r", b" "))
    check("jsonl", b"\n".join(lines) + b"\n", good, folder, good_lines)


@SETTINGS
@given(pieces=st.lists(PIECES.map(b"".join), min_size=1, max_size=6), seed=st.integers(0, 2**16))
def test_csv_good_rows_survive_bad_rows(folder: Path, pieces: list[bytes], seed: int) -> None:
    rng = random.Random(seed)
    lines, good, good_lines = [b"id,text"], set(), set()
    odd = False
    for i, piece in enumerate(pieces):
        row = (b"fz,x" + piece).replace(b"\n", b" ").replace(b"\r", b" ")
        if row.count(b'"') % 2:  # a second odd-quote line would legally join the lines between
            if odd:
                row = row.replace(b'"', b"'")
            odd = True
        lines.append(row)
        if rng.random() < 0.6:
            lines.append(f"good-{i},Row {i}.".encode())
            good.add(f"good-{i}")
            good_lines.add(len(lines))
    check("csv", b"\n".join(lines) + b"\n", good, folder, good_lines)


@SETTINGS
@given(data=st.binary(max_size=300) | PIECES.map(b"".join))
def test_csv_any_bytes(folder: Path, data: bytes) -> None:
    check("csv", b"id,text\n" + data, set(), folder)


@settings(SETTINGS, max_examples=10)
@given(pieces=PIECES)
def test_html_pages(folder: Path, pieces: list[bytes]) -> None:
    page = b"<html><head><title>T</title></head><body><article><p>" + b"".join(pieces) + (
        b" Some article text that is long enough to be the main text of the page.</p>"
        b"</article></body></html>")
    check("html", page, set(), folder)


@settings(SETTINGS, max_examples=10)
@given(seed=st.integers(0, 2**16))
def test_parquet_files(folder: Path, seed: int) -> None:
    data, good = fuzz.make_parquet(random.Random(seed))
    check("parquet", data, good, folder)


@SETTINGS
@given(rows=st.lists(st.tuples(TEXTS, TEXTS, st.integers(-5, 80) | TEXTS.map(len),
                               st.integers(-5, 80)), max_size=5), extra=PIECES,
       utf16=st.booleans())
def test_mentions_side_input(folder: Path, rows: list, extra: list[bytes], utf16: bool) -> None:
    text = "\n".join(f"{a}\t{b}\t{c}\t{d}" for a, b, c, d in rows)
    data = text.encode("utf-16") if utf16 else text.encode() + b"\n" + b"".join(extra)
    check("mentions", data, set(), folder)


@SETTINGS
@given(rows=st.lists(st.tuples(TEXTS, TEXTS, TEXTS), max_size=5), extra=PIECES)
def test_dominant_side_input(folder: Path, rows: list, extra: list[bytes]) -> None:
    data = "\n".join("\t".join(r) for r in rows).encode() + b"\n" + b"".join(extra)
    check("dominant", data, set(), folder)


def test_the_script_runs_clean_on_a_sample() -> None:
    assert fuzz.main(["-n", "35", "--seed", "11"]) == 0
