"""Article ids and input file names on stderr: one line each, no terminal escape sequences.

The CLI runs in-process (as in ``test_cli.py``) on a JSONL whose ids hold a line
break, a tab and an ANSI colour sequence.  The records keep the ids as they are;
only what is printed on stderr is escaped (``repr`` style) and, when long, cut.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import MAX_SHOWN_ID, app, shown
from narrascope.components.narratives.evaluate import st2_lines
from narrascope.doc import Article, Label, Narratives
from narrascope.registry import Component, registry

FAST = ["--components", "sentences"]
IDS = ["a\nb", "c\td", "\x1b[31mred"]
SHOWN = ["a\\nb", "c\\td", "\\x1b[31mred"]


def run(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def write_jsonl(path: Path, ids: list[str]) -> Path:
    path.write_text("".join(json.dumps({"id": i, "text": f"Article number {n} says little."}) + "\n"
                            for n, i in enumerate(ids)), encoding="utf-8")
    return path


def assert_clean(stderr: str) -> list[str]:
    """The lines of ``stderr``, checked to hold no control or bidi character."""
    for ch in stderr:
        if ch != "\n":
            assert unicodedata.category(ch) not in ("Cc", "Zl", "Zp"), repr(stderr)
    assert "\u202e" not in stderr
    return stderr.splitlines()


@registry.component("test_hygiene_boom", assigns=["metadata.boom"])
class Boom(Component):
    """Raises on every article."""

    def __init__(self, name: str = "test_hygiene_boom") -> None:
        self.name = name

    def __call__(self, article: Article) -> Article:
        raise ValueError("cannot handle this article")


@pytest.fixture
def dominant(tmp_path: Path) -> Path:
    """A subtask-3 input naming no article of the test: one warning per article."""
    path = tmp_path / "dominant.tsv"
    path.write_text("other.txt\tURW: Praise of Russia\tURW: Praise of Russia: Other\n",
                    encoding="utf-8")
    return path


def test_warnings_show_escaped_ids_and_records_keep_them(tmp_path: Path, dominant: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", IDS)
    r = run("analyze", src, *FAST, "--dominant", dominant)
    assert r.exit_code == 0, r.stderr
    assert [x["id"] for x in records(r.stdout)] == IDS  # the data is not changed
    lines = assert_clean(r.stderr)
    for raw, safe in zip(IDS, SHOWN, strict=True):
        want = f"{safe}: warning: no dominant narrative for this article in {dominant}"
        assert want in lines, (raw, lines)
    # side-input lines of ids that were never read are reported with their line
    unused = [line for line in lines if line.startswith(f"{dominant}:")]
    assert unused and all("warning: no article with id" in line for line in unused)
    # every other line starts with one of the ids: no line was split
    assert all(any(line.startswith(f"{s}: ") for s in SHOWN) for line in lines
               if line not in unused), lines


def test_semeval_output_leaves_out_unsafe_ids_with_one_line_warnings(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", IDS)
    r = run("analyze", src, *FAST, "--format", "semeval-st2")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ""  # ids with a tab, a line break or an ESC cannot be written
    lines = assert_clean(r.stderr)
    for safe, raw in zip(SHOWN, IDS, strict=True):
        assert (f"{safe}: warning: article id {raw!r} contains a tab, a line break or a control "
                "character: left out of the semeval-st2 file (a changed id would not match the "
                "gold file)") in lines


def test_component_errors_show_escaped_ids(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", IDS)
    r = run("analyze", src, "--components", "sentences,test_hygiene_boom", "-q")
    assert r.exit_code == 0
    lines = assert_clean(r.stderr)
    assert lines == [f"{s}: error in component test_hygiene_boom: ValueError: cannot handle this "
                     "article" for s in SHOWN]
    assert [x["id"] for x in records(r.stdout)] == IDS


def test_long_id_is_cut_with_an_ellipsis(tmp_path: Path, dominant: Path) -> None:
    long_id = "\x1b" + "x" * 500
    src = write_jsonl(tmp_path / "in.jsonl", [long_id])
    r = run("analyze", src, *FAST, "--dominant", dominant)
    assert r.exit_code == 0
    (line,) = [x for x in assert_clean(r.stderr) if "no dominant narrative" in x]
    head = line.split(": warning: ")[0]
    assert len(head) == MAX_SHOWN_ID and head == "\\x1b" + "x" * (MAX_SHOWN_ID - 5) + "\u2026"
    assert records(r.stdout)[0]["id"] == long_id


def test_input_file_name_with_control_characters(tmp_path: Path) -> None:
    bad = tmp_path / "evil\n\x1b[2Jname.txt"
    try:
        bad.write_bytes(b"\x00\x01")
    except OSError:
        pytest.skip("the file system refuses such a name")
    (tmp_path / "ok.txt").write_text("A fine article.", encoding="utf-8")
    r = run("analyze", tmp_path, *FAST, "-q")
    assert r.exit_code == 0
    lines = assert_clean(r.stderr)
    assert any(line.startswith(f"{tmp_path}/evil\\n\\x1b[2Jname.txt:1: error: binary file")
               for line in lines), lines
    r = run("analyze", tmp_path / "missing\r.txt", *FAST)
    assert r.exit_code == 1
    assert f"{tmp_path}/missing\\r.txt:1: error: no such file or folder" in assert_clean(r.stderr)


def test_missing_side_input_name_is_escaped(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", ["ok"])
    r = run("analyze", src, *FAST, "--dominant", tmp_path / "no\x1b[31mpe.tsv")
    assert r.exit_code == 2
    assert assert_clean(r.stderr) == [f"error: --dominant {tmp_path}/no\\x1b[31mpe.tsv: no such file"]


# ------------------------------------------------------------------------ the helper


def test_shown_escapes_controls_only() -> None:
    assert shown("Zürich—Київ 東京 🇺🇦.txt") == "Zürich—Київ 東京 🇺🇦.txt"
    assert shown("a\nb\tc\rd\x00e\x7f\x85\u2028\u202eg") == (
        "a\\nb\\tc\\rd\\x00e\\x7f\\x85\\u2028\\u202eg")
    assert shown("back\\slash 'q'") == "back\\slash 'q'"
    assert shown(shown("a\nb")) == shown("a\nb")  # escaping twice changes nothing
    assert shown("x" * MAX_SHOWN_ID) == "x" * MAX_SHOWN_ID
    assert shown("x" * (MAX_SHOWN_ID + 1)) == "x" * (MAX_SHOWN_ID - 1) + "\u2026"
    assert shown("x" * 500, None) == "x" * 500
    # never cut inside an escape
    assert shown("x" * 117 + "\n" + "y", 120) == "x" * 117 + "\\n" + "y"  # fits exactly
    assert shown("x" * 118 + "\n" + "y", 120) == "x" * 118 + "\u2026"
    assert shown(Path("/tmp/a\tb")) == "/tmp/a\\tb"


# ------------------------------------------------ narratives predictions: same id checks


def test_narratives_st2_lines_leave_out_unsafe_ids() -> None:
    arts = [Article(id=i, text="t") for i in ["ok.txt", "a\nb.txt", "c\td.txt"]]
    arts[0].narratives = Narratives(taxonomy="semeval2025", model="m",
                                    domain=Label(label="URW", confidence=0.9),
                                    subnarratives=[Label(label="URW: Praise of Russia: Other",
                                                         confidence=0.7)])
    warned: list[str] = []
    lines = st2_lines(arts, warned.append)
    assert lines == ["ok.txt\tURW: Praise of Russia\tURW: Praise of Russia: Other"]
    assert len(warned) == 2 and all("left out of the subtask-2 predictions" in w for w in warned)
    assert arts[1].warnings == [warned[0]] and arts[2].warnings == [warned[1]]
    assert not arts[0].warnings
