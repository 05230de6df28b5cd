"""``narrascope serve``: registered with the CLI, its options, a clear error for a bad store,
and a real server process answering over HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app, register_component_commands
from narrascope.serve.synthetic import build_store, example_articles

ROOT = Path(__file__).resolve().parents[1]


def test_serve_help() -> None:
    register_component_commands()
    res = CliRunner().invoke(app, ["serve", "--help"])
    assert res.exit_code == 0, res.output
    for opt in ("--db", "--host", "--port", "--token", "NARRASCOPE_TOKEN"):
        assert opt in res.output


def test_serve_bad_store_is_one_line_error(tmp_path: Path) -> None:
    register_component_commands()
    res = CliRunner().invoke(app, ["serve", "--db", str(tmp_path / "missing.db")])
    assert res.exit_code != 0
    assert "error:" in (res.output + (res.stderr if hasattr(res, "stderr") else ""))


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_process_answers(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    build_store(f"sqlite:///{db}", example_articles(5)).close()
    port = _port()
    env = {**os.environ, "NARRASCOPE_TOKEN": "s3cret"}
    exe = Path(sys.executable).parent / "narrascope"
    if not exe.exists():
        pytest.skip(f"{exe} is not installed (pip install -e .)")
    proc = subprocess.Popen([str(exe), "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/stats", timeout=2) as r:
                    body = json.loads(r.read())
                    headers = r.headers
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None, proc.stderr.read().decode() if proc.poll() is not None else ""
        assert body["articles"] == 15
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/analyze", data=b"{}",
                                     method="POST", headers={"Authorization": "Bearer nope",
                                                             "Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=5)
        assert err.value.code == 403
    finally:
        proc.terminate()
        proc.wait(10)
