"""``narrascope analyze`` with ``[backends.llm]``: an endpoint that does not answer leaves
the offline labels and one clear message (exit 0, 1 with --strict); the local server's
answers reach the output."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("openai")

from narrascope.backends.llm import reset_backends  # noqa: E402
from narrascope.cli import app  # noqa: E402
from narrascope.testing.llm_server import LocalLLMServer  # noqa: E402

pytestmark = pytest.mark.slow  # loads the sentence encoder

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
EXAMPLE = ROOT / "examples" / "climate_skeptic_oped_005.txt"


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config(tmp_path: Path, url: str, components: list[str]) -> Path:
    cfg = tmp_path / "llm.toml"
    cfg.write_text(
        "[pipeline]\ncomponents = " + json.dumps(["sentences", "encoder", "narratives",
                                                    *components]) + "\n"
        f'[backends.llm]\nbase_url = "{url}"\nmodel = "local-test-model"\n'
        "max_retries = 1\nbackoff = 0\ntimeout = 5\n")
    return cfg


def run(*args: object):
    reset_backends()
    return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is not here")
def test_seeds_with_an_endpoint_that_does_not_answer(tmp_path):
    url = f"http://127.0.0.1:{closed_port()}/v1"
    cfg = config(tmp_path, url, ["narratives_llm", "explain_llm"])
    out = tmp_path / "seeds.jsonl"
    r = run("analyze", SEEDS, "--config", cfg, "-o", out)
    assert r.exit_code == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if url in line and "unreachable or" in line]
    assert len(said) == 1, r.stderr
    assert "offline labels" in said[0]
    assert any(line.startswith("LLM backend") for line in r.stderr.splitlines())
    recs = records(out)
    assert len(recs) == 3
    for rec in recs:
        nar = rec["narratives"]
        assert nar["narratives"] and all(n["source"] == "model" for n in nar["narratives"])
        assert rec["metadata"]["llm"]["narratives_llm"] == "offline: endpoint unavailable"
    one = sorted(SEEDS.glob("*.txt"))[0]
    strict = run("analyze", one, "--config", cfg, "-o", tmp_path / "strict.jsonl",
                 "--strict", "-q")
    assert strict.exit_code == 1 and url in strict.stderr


def test_analyze_with_the_local_server(tmp_path):
    def answer(body):
        name = body["response_format"]["json_schema"]["name"]
        props = body["response_format"]["json_schema"]["schema"]["properties"]
        numbers = [int(n) for n in re.findall(r"^\[(\d+)\]", body["messages"][-1]["content"],
                                              re.M)]
        if name.endswith("_domain"):
            return {"domain": "CC", "evidence": numbers[1:2], "confidence": "high"}
        if name.endswith("_narratives"):
            assert "Criticism of climate movement" in props["narratives"]["items"][
                "properties"]["name"]["enum"]
            return {"narratives": [{"name": "Criticism of climate movement",
                                    "evidence": numbers[1:3], "confidence": "high"}]}
        return {"subnarratives": []}

    with LocalLLMServer(responder=answer) as server:
        cfg = config(tmp_path, server.url, ["narratives_llm"])
        out = tmp_path / "out.jsonl"
        r = run("analyze", EXAMPLE, "--config", cfg, "-o", out)
    assert r.exit_code == 0, r.stderr
    nar = records(out)[0]["narratives"]
    assert [n["label"] for n in nar["narratives"]] == ["CC: Criticism of climate movement"]
    assert [s["label"] for s in nar["subnarratives"]] == [
        "CC: Criticism of climate movement: Other"]
    assert nar["narratives"][0]["source"] == "llm"
    summary = [line for line in r.stderr.splitlines() if line.startswith("LLM backend")]
    assert len(summary) == 1 and "3 answer(s) from 3 request(s)" in summary[0]
    assert "prompt +" in summary[0] and " s in requests" in summary[0]


def test_taxonomy_option_reaches_the_llm_components(tmp_path):
    tax = tmp_path / "harbour.yaml"
    tax.write_text(
        "name: harbour\ndomains:\n- code: ENERGY\n  narratives:\n  - name: Rules hurt families\n"
        "    definition: New energy rules are said to harm ordinary households.\n"
        "    subnarratives:\n    - name: Other\n      definition: Any harm.\n")

    def answer(body):
        schema = body["response_format"]["json_schema"]["schema"]
        assert schema["properties"]["domain"]["enum"] == ["ENERGY", "Other"]
        return {"domain": "Other", "evidence": [], "confidence": "low"}

    with LocalLLMServer(responder=answer) as server:
        cfg = config(tmp_path, server.url, [])
        r = run("analyze", EXAMPLE, "--config", cfg, "--components", "sentences,narratives_llm",
                "--taxonomy", tax, "-o", tmp_path / "out.jsonl")
    assert r.exit_code == 0, r.stderr
    assert records(tmp_path / "out.jsonl")[0]["narratives"]["taxonomy"] == "harbour"
