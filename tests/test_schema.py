"""The exported JSON Schema is up to date and real outputs validate against it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.doc import SCHEMA_VERSION, article_json_schema
from narrascope.write import article_record
from test_write import full_article

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "docs" / "schema" / "article.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_schema_file_is_up_to_date() -> None:
    expected = json.dumps(article_json_schema(), indent=2, ensure_ascii=False) + "\n"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == expected, (
        "docs/schema/article.schema.json is stale: run `narrascope schema > "
        "docs/schema/article.schema.json`")
    assert SCHEMA_VERSION in json.loads(expected)["$id"]


def test_full_record_validates(validator: Draft202012Validator) -> None:
    validator.validate(article_record(full_article()))


def test_cli_outputs_validate(validator: Draft202012Validator) -> None:
    r = CliRunner().invoke(app, ["analyze", str(ROOT / "examples"), "--components", "sentences", "-q"])
    assert r.exit_code == 0
    recs = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(recs) == 17
    for rec in recs:
        validator.validate(rec)


def test_invalid_records_are_rejected(validator: Draft202012Validator) -> None:
    rec = article_record(full_article())
    del rec["id"]
    assert not validator.is_valid(rec)
    rec = article_record(full_article())
    rec["narratives"]["narratives"][0]["confidence"] = 1.5
    assert not validator.is_valid(rec)
