"""Trained heads record their encoder; loading them under another encoder is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from narrascope.components.encoder import (
    ENCODER_RECORD,
    EncoderMismatch,
    check_model_folder,
    encoder_id,
    record_encoder,
)
from narrascope.components.entities.model import RoleModel, default_model_dir
from narrascope.components.narratives.model import load_model, shipped_model_dir


def test_record_then_check_passes_for_the_active_encoder(tmp_path: Path) -> None:
    record_encoder(tmp_path, "narrascope train roles")
    rec = json.loads((tmp_path / ENCODER_RECORD).read_text())
    assert rec["encoder"] == encoder_id()
    check_model_folder(tmp_path, "x", "retrain")  # no error
    check_model_folder(tmp_path / "missing", "x", "retrain")  # no record: left alone


@pytest.mark.parametrize("kind", ["narratives", "roles"])
def test_heads_for_another_encoder_are_refused(tmp_path: Path, kind: str) -> None:
    src = shipped_model_dir() if kind == "narratives" else default_model_dir()
    d = tmp_path / kind
    shutil.copytree(src, d)
    (d / ENCODER_RECORD).write_text(json.dumps({"encoder": "st:some-other-model:0123"}))
    with pytest.raises(EncoderMismatch, match="trained for encoder 'st:some-other-model"):
        if kind == "narratives":
            load_model(d)
        else:
            RoleModel.load(d)
