"""The documentation's examples run as written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.doc import NOTICE

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "adding-a-component.md"


def blocks(path: Path, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def test_adding_a_component_example_runs_exactly(tmp_path: Path) -> None:
    module, *python_rest = blocks(DOC, "python")
    config = blocks(DOC, "toml")[0]
    (tmp_path / "shouting.py").write_text(module, encoding="utf-8")
    (tmp_path / "my.toml").write_text(config, encoding="utf-8")
    # the CLI run of section 3 (the module is found next to the config file)
    article = tmp_path / "loud.txt"
    article.write_text("A calm title\n\nTHIS IS AN OUTRAGE. It is fine.\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["analyze", str(article), "--config", str(tmp_path / "my.toml"), "-q"])
    assert r.exit_code == 0, r.stderr
    rec = json.loads(r.stdout)
    assert rec["components"] == ["sentences", "shouting"]
    loud = rec["metadata"]["shouting"]["sentences"]
    assert [rec["sentences"][i]["text"] for i in loud] == ["THIS IS AN OUTRAGE."]
    # the Python snippet at the end, in a fresh interpreter, from the module's folder
    snippet = python_rest[-1]
    out = subprocess.run([sys.executable, "-c", snippet], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "{'sentences': [0]}"


def test_readme_starts_with_the_two_commands_and_documents_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = blocks(ROOT / "README.md", "bash")
    first = [line.split("#")[0].strip() for line in code[0].strip().splitlines()]
    assert first[:2] == ["make demo", "make test"]
    assert readme.index("make demo") < readme.index("narrascope analyze")
    for cmd in ("analyze", "report", "evaluate", "components", "schema", "train"):
        assert f"narrascope {cmd}" in readme, cmd
    assert "## Performance" in readme
    flat = " ".join(readme.replace("\n>", " ").replace("`", "'").split())
    assert NOTICE in flat  # the notice, verbatim


def test_output_doc_python_recipe_runs(tmp_path: Path, monkeypatch) -> None:
    from narrascope.write import article_record
    from test_write import full_article

    (tmp_path / "out.jsonl").write_text(json.dumps(article_record(full_article())) + "\n",
                                        encoding="utf-8")
    snippet = blocks(ROOT / "docs" / "output.md", "python")[0]
    monkeypatch.chdir(tmp_path)
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(snippet, "docs/output.md", "exec"), {})
    assert buf.getvalue().startswith("EN_UA_1.txt URW: Discrediting Ukraine 0.8 [")


def test_ci_entry_point_runs_make_test() -> None:
    import os

    ci = ROOT / ".ci" / "run"
    assert os.access(ci, os.X_OK), ".ci/run must be executable"
    lines = ci.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#!") and "bash" in lines[0]
    assert "make test" in lines
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "pip install torch==2.13.0" in makefile and "pip install -e ." in makefile
