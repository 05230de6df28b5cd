"""The CLI, run in-process: analyze (formats, bad input, resume, component errors), help."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.doc import NOTICE, Article, iter_spans
from narrascope.registry import Component, registry

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
EXAMPLES = ROOT / "examples"
FAST = ["--components", "sentences", "-q"]


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# test components, registered once for this module
@registry.component("test_boom", assigns=["metadata.boom"])
class Boom(Component):
    """Raises on articles whose id contains 'bad'."""

    def __init__(self, name: str = "test_boom") -> None:
        self.name = name

    def __call__(self, article: Article) -> Article:
        if "bad" in article.id:
            raise ValueError("cannot handle\nthis article")
        article.metadata["boom"] = "ok"
        return article


STOP_AT: dict[str, str] = {}


@registry.component("test_interrupt", assigns=[])
class Interrupt(Component):
    """Simulates Ctrl-C when it reaches the article id in STOP_AT."""

    def __init__(self, name: str = "test_interrupt") -> None:
        self.name = name

    def __call__(self, article: Article) -> Article:
        if STOP_AT.get("id") == article.id:
            raise KeyboardInterrupt
        return article


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is missing")
def test_seeds_dates_and_offsets() -> None:
    r = run("analyze", SEEDS, "--format", "jsonl", *FAST)
    assert r.exit_code == 0, r.stderr
    recs = records(r.stdout)
    assert [x["date"] for x in recs] == ["2024-09-25", None, "2025-04-12"]
    for rec in recs:
        art = Article.model_validate(rec)
        spans = iter_spans(art)
        assert spans  # sentences at least
        for sp in spans:
            assert sp.text == art.text[sp.start:sp.end]
        assert rec["metadata"]["notice"] == NOTICE
    # "Watch: ..." caption of seed 000 is boilerplate; the date prefix is no sentence
    first = Article.model_validate(recs[0])
    assert first.sentences[0].start == first.body_start == 17
    assert first.sentences[-1].kind == "boilerplate" and first.sentences[-1].text.startswith("Watch:")


def test_every_command_has_help() -> None:
    for cmd in ([], ["analyze"], ["report"], ["evaluate"], ["components"], ["schema"], ["train"]):
        r = run(*cmd, "--help")
        assert r.exit_code == 0 and "Usage:" in r.stdout, cmd


def test_components_lists_what_they_assign() -> None:
    r = run("components")
    assert r.exit_code == 0
    assert "sentences\n" in r.stdout and "assigns: sentences" in r.stdout
    assert "options: max_chars=200000" in r.stdout
    # the LLM components name a backend table; the injected ``backends`` is no option
    assert "backends=None" not in r.stdout
    assert "backend: the config's [backends.NAME] table" in r.stdout


def test_bad_input_continues_and_strict_fails(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("A fine article.", encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01")
    (tmp_path / "rows.jsonl").write_text('{"id": "j1", "text": "Good."}\n{broken\n', encoding="utf-8")
    r = run("analyze", tmp_path, *FAST)
    assert r.exit_code == 0
    assert sorted(x["id"] for x in records(r.stdout)) == ["j1", "ok.txt"]
    err = r.stderr.splitlines()
    assert f"{tmp_path / 'bin.txt'}:1: error: binary file" in err[0]
    assert any(line.startswith(f"{tmp_path / 'rows.jsonl'}:2: error: malformed JSON") for line in err)
    r = run("analyze", tmp_path, *FAST, "--strict")
    assert r.exit_code == 1 and "error(s) (--strict)" in r.stderr


def test_nothing_readable_exits_1(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    r = run("analyze", tmp_path / "empty.txt", tmp_path / "missing.txt", *FAST)
    assert r.exit_code == 1
    assert "error: no article could be read" in r.stderr
    assert f"{tmp_path / 'missing.txt'}:1: error: no such file or folder" in r.stderr


def test_component_error_keeps_the_article(tmp_path: Path) -> None:
    for name in ("a_good.txt", "b_bad.txt", "c_good.txt"):
        (tmp_path / name).write_text(f"Text of {name}.", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    r = run("analyze", tmp_path, "-o", out, "--components", "sentences,test_boom", "-q",
            "--batch-size", "3")
    assert r.exit_code == 0
    line = [x for x in r.stderr.splitlines() if "test_boom" in x]
    assert line == ["b_bad.txt: error in component test_boom: ValueError: cannot handle this article"]
    recs = {x["id"]: x for x in records(out.read_text(encoding="utf-8"))}
    assert sorted(recs) == ["a_good.txt", "b_bad.txt", "c_good.txt"]
    assert recs["a_good.txt"]["metadata"]["boom"] == "ok" and recs["c_good.txt"]["components"] == [
        "sentences", "test_boom"]
    assert recs["b_bad.txt"]["components"] == ["sentences"]
    assert "error in component test_boom" in recs["b_bad.txt"]["warnings"][0]
    r = run("analyze", tmp_path, "-o", out, "--components", "sentences,test_boom", "-q", "--strict")
    assert r.exit_code == 1


def test_interrupted_run_is_resumed_without_duplicates(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    ids = [f"art{i}.txt" for i in range(6)]
    for i in ids:
        (src / i).write_text(f"Article {i} text.", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["analyze", src, "-o", out, "--components", "sentences,test_interrupt", "-q",
            "--batch-size", "2"]
    STOP_AT["id"] = "art3.txt"
    r = run(*args)
    assert r.exit_code == 130 and "rerun with --resume" in r.stderr
    partial = tmp_path / "out.jsonl.partial"
    assert not out.exists()
    assert [x["id"] for x in records(partial.read_text())] == ids[:2]
    with open(partial, "a", encoding="utf-8") as fh:  # simulate a line cut mid-write
        fh.write('{"id": "art2.txt", "text": "Arti')
    STOP_AT.clear()
    r = run(*args, "--resume")
    assert r.exit_code == 0, r.stderr
    got = [x["id"] for x in records(out.read_text())]
    assert got == ids and len(set(got)) == len(got)
    assert not partial.exists()
    # resuming a finished file adds nothing
    r = run(*args, "--resume")
    assert r.exit_code == 0 and [x["id"] for x in records(out.read_text())] == ids


def test_dash_is_stdout() -> None:
    r = run("analyze", EXAMPLES / "local_sports_006.txt", "-o", "-", *FAST)
    assert r.exit_code == 0 and records(r.stdout)[0]["id"] == "local_sports_006.txt"


def test_resume_needs_a_jsonl_file() -> None:
    r = run("analyze", EXAMPLES, "--resume", *FAST)
    assert r.exit_code == 2 and "--resume needs -o FILE and --format jsonl" in r.stderr


def test_mentions_dominant_and_date(tmp_path: Path) -> None:
    art = tmp_path / "EN_UA_1.txt"
    art.write_text("Putin meets Zelensky\n\nPutin said Kyiv must give in.\n", encoding="utf-8")
    mentions = tmp_path / "m.tsv"
    mentions.write_text(
        "EN_UA_1.txt\tPutin\t0\t4\n"        # good (end inclusive)
        "EN_UA_1.txt\tKyiv\t0\t3\n"         # text does not match: error, skipped
        "EN_UA_1\tKyiv\t33\t36\n"           # id without .txt: fine
        "EN_UA_1.txt\tX\t999\t1000\n",      # out of range
        encoding="utf-8")
    dominant = tmp_path / "d.tsv"
    dominant.write_text("EN_UA_1.txt\tURW: Discrediting Ukraine\tURW: Discrediting Ukraine: Other\n",
                        encoding="utf-8")
    r = run("analyze", art, "--mentions", mentions, "--dominant", dominant, "--date", "2025-02-03",
            *FAST)
    assert r.exit_code == 0
    (rec,) = records(r.stdout)
    assert [(m["start"], m["end"], m["text"], m["line"]) for m in rec["given_mentions"]] == [
        (0, 5, "Putin", 1), (33, 37, "Kyiv", 3)]
    assert rec["given_narrative"]["narrative"] == "URW: Discrediting Ukraine"
    assert rec["date"] == "2025-02-03"
    assert f"{mentions}:2: error: mention 'Kyiv' of EN_UA_1.txt" in r.stderr
    assert f"{mentions}:4: error:" in r.stderr and "outside the article" in r.stderr
    r = run("analyze", art, "--date", "03/02/2025", *FAST)
    assert r.exit_code == 2 and "not a date" in r.stderr


@pytest.mark.parametrize("fmt, needle", [
    ("csv", "id,title,date,date_source,language"),
    ("table", "does not judge whether an article is true"),
    ("semeval-st2", "EN_URW_example_001.txt\tOther\tOther"),
    ("semeval-st3", "EN_URW_example_001.txt\t"),
])
def test_formats(fmt: str, needle: str) -> None:
    r = run("analyze", EXAMPLES / "EN_URW_example_001.txt", "--format", fmt, *FAST)
    shown = r.stdout if fmt.startswith("semeval") else " ".join(r.stdout.split())
    assert r.exit_code == 0 and needle in shown


def test_output_file_and_unknown_component(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "o.csv"
    r = run("analyze", EXAMPLES, "-o", out, "--format", "csv", "--components", "sentences")
    assert r.exit_code == 0 and f"wrote 17 article(s) to {out}" in r.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 18
    r = run("analyze", EXAMPLES, "--components", "sentences,nope")
    assert r.exit_code == 2
    assert r.stderr.startswith("error: cannot build the pipeline: unknown component 'nope'")
    assert len(r.stderr.strip().splitlines()) == 1


def test_report_from_analysed_jsonl(tmp_path: Path) -> None:
    jl = tmp_path / "a.jsonl"
    assert run("analyze", EXAMPLES, "-o", jl, *FAST).exit_code == 0
    html = tmp_path / "r.html"
    r = run("report", jl, "-o", html, "-q", "--components", "nope")  # no re-analysis needed
    assert r.exit_code == 0, r.stderr
    page = html.read_text(encoding="utf-8")
    assert page.count('<section class="article"') == 17 and NOTICE.split(";")[0] in page


def test_schema_command_matches_docs() -> None:
    r = run("schema")
    assert r.stdout == (ROOT / "docs" / "schema" / "article.schema.json").read_text(encoding="utf-8")


def test_local_component_module(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "wordcount_test_mod.py").write_text(textwrap.dedent('''
        from narrascope.registry import Component, registry

        @registry.component("wordcount_test_mod", assigns=["metadata.words"])
        class WordCount(Component):
            def __init__(self, name="wordcount_test_mod"):
                self.name = name
            def __call__(self, article):
                article.metadata["words"] = len(article.text.split())
                return article
    '''), encoding="utf-8")
    cfg = tmp_path / "c.toml"
    cfg.write_text('[pipeline]\ncomponents = ["sentences", "wordcount_test_mod"]\n', encoding="utf-8")
    monkeypatch.chdir(ROOT)
    r = run("analyze", EXAMPLES / "local_sports_006.txt", "--config", cfg, "-q")
    assert r.exit_code == 0, r.stderr
    words = len((EXAMPLES / "local_sports_006.txt").read_text(encoding="utf-8").split())
    assert records(r.stdout)[0]["metadata"]["words"] == words == 110


def test_console_script_and_closed_pipe() -> None:
    import shutil
    import subprocess
    import sys

    exe = Path(sys.executable).parent / "narrascope"
    if not exe.exists():
        found = shutil.which("narrascope")
        if found is None:
            pytest.skip("the narrascope console script is not installed")
        exe = Path(found)
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.startswith("narrascope ")
    # the reader closes the pipe after one line: no traceback, exit status 0
    proc = subprocess.Popen([str(exe), "analyze", str(EXAMPLES), "--components", "sentences", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline().startswith(b"{")
    proc.stdout.close()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and b"Traceback" not in err, err


def test_standard_input_text_and_jsonl() -> None:
    r = CliRunner().invoke(app, ["analyze", "-", *FAST], input="Title line\n\nPiped body text.\n")
    assert r.exit_code == 0, r.stderr
    (rec,) = records(r.stdout)
    assert rec["id"] == "stdin" and rec["title"] == "Title line"
    r = CliRunner().invoke(app, ["analyze", "-", *FAST], input='{"id": "j", "text": "One."}\n{bad\n')
    assert [x["id"] for x in records(r.stdout)] == ["j"]
    assert r.stderr.startswith("<stdin>:2: error: malformed JSON")
