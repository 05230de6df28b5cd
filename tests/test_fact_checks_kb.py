"""The knowledge base files, the loader and the Wikidata importer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import typer
import yaml
from typer.testing import CliRunner

from narrascope.components.fact_checks.commands import register_extra
from narrascope.components.fact_checks.kb import KBError, builtin_kb_files, load_kb
from narrascope.components.fact_checks.wikidata import import_wikidata, parse_time

DATA = Path(__file__).parent / "data"

REQUIRED_JURISDICTIONS = {"US", "RU", "UA", "GB", "DE", "FR", "PL", "HU", "BY", "CN", "TR",
                          "NATO", "EU", "UN"}


@pytest.fixture(scope="module")
def kb():
    return load_kb()


def test_builtin_kb_loads_and_covers_required_bodies(kb):
    assert len(builtin_kb_files()) >= 14
    jur = {o.jurisdiction for o in kb.offices.values()}
    assert REQUIRED_JURISDICTIONS <= jur
    for code in ("US", "RU", "UA", "GB", "DE", "FR", "PL", "HU", "BY", "CN", "TR"):
        names = " ".join(o.name for o in kb.offices.values() if o.jurisdiction == code)
        assert "President" in names or "Chancellor" in names or "Monarch" in names, code
        assert "Foreign" in names or "Secretary of State" in names, code
        assert "Defen" in names or "Armed Forces" in names, code
    for oid in ("nato.sg", "eu.commission_president", "eu.high_rep", "un.sg",
                "ua.commander_in_chief", "us.envoy_ukraine_russia", "us.envoy_middle_east",
                "us.deputy_secstate", "us.secstate", "us.nsa", "ru.security_council_secretary",
                "ru.kremlin_spokesman", "ua.head_of_office"):
        assert oid in kb.offices, oid


def test_every_term_has_a_source_and_sane_dates(kb):
    for office in kb.offices.values():
        assert office.source, office.id
        for t in office.terms:
            assert t.source, (office.id, t.holder)
            assert t.start is not None, (office.id, t.holder)
            assert t.start <= dt.date(2026, 11, 22)
            if t.end:
                assert t.end >= t.start
        regular = [t for t in office.terms if not t.acting]
        for a, b in zip(regular, regular[1:], strict=False):
            assert a.end is not None, f"{office.id}: {a.holder} has no end but {b.holder} follows"
            assert b.start >= a.end - dt.timedelta(days=1), (office.id, a.holder, b.holder)


def test_key_records(kb):
    def holder(oid, day):
        return [t.holder for t in kb.offices[oid].holders_on(dt.date.fromisoformat(day))]

    assert holder("us.secdef", "2025-04-12") == ["Pete Hegseth"]
    assert holder("us.secdef", "2024-04-12") == ["Lloyd Austin"]
    assert holder("nato.sg", "2024-12-01") == ["Mark Rutte"]
    assert holder("ua.commander_in_chief", "2023-05-01") == ["Valerii Zaluzhnyi"]
    assert holder("ru.mod", "2023-05-01") == ["Sergei Shoigu"]
    assert holder("ru.mod", "2024-06-01") == ["Andrei Belousov"]
    assert holder("gb.pm", "2022-10-01") == ["Liz Truss"]
    assert holder("us.deputy_secstate", "2024-06-01") == ["Kurt Campbell"]
    assert "Steve Witkoff" not in {t.holder for t in kb.offices["us.deputy_secstate"].terms}
    assert "Pentagon chief" in kb.offices["us.secdef"].titles
    assert "Secretary of War" in kb.offices["us.secdef"].titles
    zel = kb.persons["Volodymyr Zelensky"]
    assert {"Zelensky", "Zelenskiy", "Zelenskyy"} <= zel.short


def test_user_file_extends_and_errors_name_the_file(tmp_path):
    extra = tmp_path / "more.yaml"
    extra.write_text(
        "offices:\n  us.secdef:\n    titles: [Pentagon supremo]\n", encoding="utf-8")
    kb = load_kb([extra])
    assert "Pentagon supremo" in kb.offices["us.secdef"].titles
    bad = tmp_path / "bad.yaml"
    bad.write_text("offices:\n  x.y:\n    name: X\n    terms:\n      - {holder: A, start: "
                   "2020-13-01}\n", encoding="utf-8")
    with pytest.raises(KBError, match="bad.yaml"):
        load_kb([bad], builtin=False)
    bad.write_text("offices:\n  x.y:\n    name: X\n    terms:\n      - {start: 2020-01-01}\n",
                   encoding="utf-8")
    with pytest.raises(KBError, match="bad.yaml: office 'x.y': term 1"):
        load_kb([bad], builtin=False)
    with pytest.raises(KBError, match="not found"):
        load_kb([tmp_path / "missing.yaml"])


def test_parse_time_precision():
    assert parse_time({"time": "+2021-01-22T00:00:00Z", "precision": 11}) == (
        dt.date(2021, 1, 22), False)
    assert parse_time({"time": "+2021-00-00T00:00:00Z", "precision": 9}) == (
        dt.date(2021, 1, 1), True)
    assert parse_time({"time": "+2021-05-00T00:00:00Z", "precision": 10}) == (
        dt.date(2021, 5, 1), True)


def test_import_entities_fixture(tmp_path):
    doc = import_wikidata(DATA / "fact_checks_wikidata_entities.json", jurisdiction="XL")
    office = doc["offices"]["xl.Q2000001"]
    assert office["name"] == "Minister of Fisheries of Exampleland"
    assert "fisheries minister" in office["titles"]
    holders = [(t["holder"], t.get("start"), t.get("end")) for t in office["terms"]]
    assert holders == [("Ivana Testova", dt.date(2019, 3, 1), dt.date(2022, 6, 15)),
                       ("Petar Primerov", dt.date(2022, 6, 15), None)]
    assert "xl.Q2000002" not in doc["offices"]  # deprecated statement skipped
    assert doc["persons"]["Ivana Testova"]["aliases"] == ["Ivana T. Testova"]


def test_import_sparql_fixture():
    doc = import_wikidata(DATA / "fact_checks_wikidata_sparql.json", jurisdiction="XL")
    [office] = doc["offices"].values()
    assert office["name"] == "Chief Forester of Exampleland"
    assert office["terms"][0]["start"] == dt.date(2016, 1, 1)


def test_import_command_writes_a_loadable_file(tmp_path):
    app = typer.Typer()

    @app.callback()
    def _main() -> None:
        pass

    register_extra(app)
    out = tmp_path / "out.yaml"
    res = CliRunner().invoke(app, ["kb", "import-wikidata",
                                   str(DATA / "fact_checks_wikidata_entities.json"),
                                   "-o", str(out), "--jurisdiction", "XL"])
    assert res.exit_code == 0, res.output
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["jurisdiction"] == "XL"
    kb = load_kb([out])
    terms = kb.offices["xl.Q2000001"].terms
    assert terms[0].source.startswith("Wikidata Q1000001")
    res = CliRunner().invoke(app, ["kb", "holder", "Pentagon chief", "--date", "2025-04-12"])
    assert res.exit_code == 0 and "Pete Hegseth" in res.output
    res = CliRunner().invoke(app, ["kb", "validate"])
    assert res.exit_code == 0 and "ok:" in res.output
