"""--profile NAME and ``profile = "NAME"`` in a config choose a named pipeline profile."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.profiles import apply_profile, profile_config

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "wire_neutral_003.txt"


def run(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args])


def test_unknown_profile_is_one_clear_error() -> None:
    r = run("analyze", EXAMPLE, "--profile", "nope")
    assert r.exit_code == 2
    assert "unknown profile 'nope'" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_profile_option_and_config_key(tmp_path: Path) -> None:
    r = run("analyze", EXAMPLE, "--profile", "fast", "--components", "sentences", "-q")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["components"] == ["sentences"]
    cfg = tmp_path / "mine.toml"
    cfg.write_text('profile = "fast"\n[pipeline]\ncomponents = ["sentences"]\n')
    r = run("analyze", EXAMPLE, "--config", cfg, "-q")
    assert r.exit_code == 0, r.stderr
    only_profile = tmp_path / "only.toml"
    only_profile.write_text('profile = "fast"\n')
    r = run("analyze", EXAMPLE, "--config", only_profile, "--components", "sentences", "-q")
    assert r.exit_code == 0, r.stderr


def test_config_sections_lay_over_the_profile() -> None:
    fast = profile_config("fast")
    mine = apply_profile({"profile": "fast", "components": {"techniques": {"use_model": True}}})
    assert mine["pipeline"] == fast["pipeline"]
    assert mine["components"]["techniques"]["use_model"] is True
