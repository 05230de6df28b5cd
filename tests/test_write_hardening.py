"""Writers under hostile values: CSV formula injection, SemEval rows broken by tabs or line breaks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.doc import (
    Article,
    Entity,
    Explanation,
    FactCheck,
    Label,
    Mention,
    Narratives,
    Techniques,
)
from narrascope.write import (
    CSV_COLUMNS,
    CSV_NUMERIC_COLUMNS,
    article_record,
    guard_cell,
    make_writer,
)
from narrascope.write.semeval import st1_lines, st2_line, st3_line, unsafe_id

SEMEVAL = ("semeval-st1", "semeval-st2", "semeval-st3")
BAD_IDS = ("a\tb.txt", "a\nb.txt", "a\rb.txt", "a\u2028b.txt", "trailing.txt\n")


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def hostile_article() -> Article:
    """Every text column of the CSV starts with a character spreadsheets run as a formula."""
    text = "@SUM(1+1) said the -minister.\n"
    a = Article(id="-2+3.txt", text=text, title='=HYPERLINK("http://x.invalid","click")',
                language="en", language_confidence=0.5, path="+evil.txt")
    a.narratives = Narratives(taxonomy="t", model="m", domain=Label(label="=URW", confidence=0.9),
                              narratives=[Label(label="+N", confidence=0.8)],
                              subnarratives=[Label(label="-S", confidence=0.7)])
    ant = Label(label="Antagonist", confidence=0.8)
    a.entities = [Entity(canonical="@SUM(1+1)", kind="person", main_role=ant,
                         mentions=[Mention(start=0, end=9, text="@SUM(1+1)", label="@SUM(1+1)", main_role=ant)])]
    a.techniques = Techniques(words=5, density_per_1000_words=0.0)
    a.narratives.explanation = Explanation(narrative="+N", text="\t=1+1")
    a.fact_checks = [FactCheck(start=0, end=9, text=a.text[0:9], person="p", office="o", label="held_only_before",
                               severity="high", message="\r=cmd|' /C calc'!A0")]
    a.warnings = ["-1+1"]
    return a


# ------------------------------------------------------------------ CSV injection


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "-2"])
def test_guard_cell_prefixes_formula_starts(value: str) -> None:
    assert guard_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["", "plain", "a=b", "'quoted", " =1", "1-2", 0.5, 3, None])
def test_guard_cell_leaves_other_values(value: object) -> None:
    assert guard_cell(value) == value


def test_csv_guards_every_text_column() -> None:
    buf = io.StringIO()
    w = make_writer("csv", buf)
    w.write(hostile_article())
    row = csv_rows(buf.getvalue())[0]
    assert row["id"] == "'-2+3.txt"
    assert row["title"] == "'" + '=HYPERLINK("http://x.invalid","click")'
    assert row["domain"] == "'=URW (0.90)"
    assert row["narratives"] == "'+N (0.80)"
    assert row["subnarratives"] == "'-S (0.70)"
    assert row["antagonists"] == "'@SUM(1+1)"
    assert row["explanation"] == "'\t=1+1"
    assert row["fact_checks"] == "'\n=cmd|' /C calc'!A0"  # guarded, then CR written as LF
    assert row["warnings"] == "'-1+1"
    assert row["path"] == "'+evil.txt"
    for col in CSV_COLUMNS:  # no text cell starts with a formula character any more
        if col not in CSV_NUMERIC_COLUMNS:
            assert not row[col].startswith(("=", "+", "-", "@", "\t", "\r")), col


def test_csv_keeps_numeric_columns() -> None:
    a = hostile_article()
    a.language_confidence = -0.25  # a real (if odd) number we wrote: not a formula
    buf = io.StringIO()
    make_writer("csv", buf).write(a)
    row = csv_rows(buf.getvalue())[0]
    assert row["language_confidence"] == "-0.25"
    assert row["technique_spans"] == "0"
    assert row["techniques_per_1000_words"] == "0.00"


def test_csv_harmless_text_is_unchanged() -> None:
    a = Article(id="EN_1.txt", text="x", title="'Quoted' title, a=b - c @ d",
                language="en", language_confidence=0.99)
    buf = io.StringIO()
    make_writer("csv", buf).write(a)
    row = csv_rows(buf.getvalue())[0]
    assert row["id"] == "EN_1.txt"
    assert row["title"] == "'Quoted' title, a=b - c @ d"
    assert row["language_confidence"] == "0.99"


def test_csv_guard_can_be_turned_off() -> None:
    buf = io.StringIO()
    make_writer("csv", buf, formula_guard=False).write(hostile_article())
    row = csv_rows(buf.getvalue())[0]
    assert row["id"] == "-2+3.txt"
    assert row["title"].startswith("=HYPERLINK(")
    assert row["antagonists"] == "@SUM(1+1)"


@pytest.mark.parametrize("guard", [True, False])
def test_csv_carriage_return_does_not_break_the_row(guard: bool) -> None:
    a = Article(id="cr.txt", text="x", title="Line one\rline two\r\nthree", path="p.txt")
    buf = io.StringIO()
    w = make_writer("csv", buf, formula_guard=guard)
    w.write(a)
    w.write(Article(id="next.txt", text="y"))
    rows = list(csv.DictReader(io.StringIO(buf.getvalue(), newline="")))
    assert [r["id"] for r in rows] == ["cr.txt", "next.txt"]
    assert rows[0]["title"] == "Line one\nline two\nthree"
    assert rows[0]["path"] == "p.txt"


def _passthrough_jsonl(tmp_path: Path, *articles: Article) -> Path:
    path = tmp_path / "in.jsonl"
    for a in articles:
        a.components = a.components or ["sentences"]
    path.write_text("".join(json.dumps(article_record(a)) + "\n" for a in articles), encoding="utf-8")
    return path


def test_cli_csv_is_guarded_by_default(tmp_path: Path) -> None:
    src = _passthrough_jsonl(tmp_path, hostile_article())
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(app, ["analyze", str(src), "--format", "csv", "-o", str(out), "-q"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    row = csv_rows(out.read_text(encoding="utf-8"))[0]
    assert row["title"].startswith("'=HYPERLINK(")
    assert row["id"] == "'-2+3.txt"


# ------------------------------------------------------------- SemEval TSV rows


def mention_article(art_id: str = "EN_1.txt") -> Article:
    text = "Volodymyr\nZelensky and Joe\u2028Biden met.\n"
    a = Article(id=art_id, text=text)
    ant = Label(label="Antagonist", confidence=0.8)
    pro = Label(label="Protagonist", confidence=0.7)
    a.entities = [
        Entity(canonical="Volodymyr Zelensky", kind="person", main_role=ant,
               mentions=[Mention(start=0, end=18, text=text[0:18], label="Volodymyr Zelensky", main_role=ant,
                                 fine_roles=[Label(label="Tab\tRole", confidence=0.5)])]),
        Entity(canonical="Joe Biden", kind="person", main_role=pro,
               mentions=[Mention(start=23, end=32, text=text[23:32], label="Joe Biden", main_role=pro)]),
    ]
    a.narratives = Narratives(taxonomy="custom", model="m", domain=Label(label="URW", confidence=1.0),
                              narratives=[Label(label="URW: Bad\tlabel", confidence=0.9)],
                              subnarratives=[Label(label="URW: Bad\tlabel: Line\nbreak", confidence=0.8)])
    a.narratives.explanation = Explanation(
        narrative="URW: Bad\tlabel", text="First\tpart.\r\nSecond\u2028part\x85end.")
    return a


def test_st1_free_text_breaks_become_spaces() -> None:
    lines = st1_lines(mention_article())
    assert len(lines) == 2
    for line in lines:
        assert line.splitlines() == [line]
    cols = [ln.split("\t") for ln in lines]
    assert cols[0][:5] == ["EN_1.txt", "Volodymyr Zelensky", "0", "17", "Antagonist"]
    assert cols[0][5:] == ["Tab Role"]
    assert cols[1] == ["EN_1.txt", "Joe Biden", "23", "31", "Protagonist"]
    assert len(cols[1][1]) == 32 - 23  # same length as the span


def test_st2_and_st3_free_text_breaks_become_spaces() -> None:
    a = mention_article()
    st2 = st2_line(a)
    assert st2.splitlines() == [st2]
    assert st2.split("\t") == ["EN_1.txt", "URW: Bad label", "URW: Bad label: Line break"]
    st3 = st3_line(a)
    assert st3.splitlines() == [st3]
    assert st3.split("\t") == ["EN_1.txt", "First part. Second part end."]


@pytest.mark.parametrize("art_id", BAD_IDS)
def test_unsafe_ids_are_detected(art_id: str) -> None:
    assert unsafe_id(art_id)
    assert not unsafe_id("EN_UA_1 with space.txt")


@pytest.mark.parametrize("art_id", BAD_IDS)
@pytest.mark.parametrize("line_of", [st1_lines, st2_line, st3_line])
def test_line_functions_refuse_unsafe_ids(art_id: str, line_of) -> None:
    with pytest.raises(ValueError, match="tab or a line break"):
        line_of(mention_article(art_id))


@pytest.mark.parametrize("fmt", SEMEVAL)
@pytest.mark.parametrize("art_id", BAD_IDS)
def test_writer_skips_unsafe_id_with_warning(fmt: str, art_id: str) -> None:
    buf = io.StringIO()
    w = make_writer(fmt, buf)
    bad = mention_article(art_id)
    w.write(bad)
    w.write(mention_article("EN_2.txt"))
    w.finish()
    lines = buf.getvalue().split("\n")
    assert lines[-1] == ""
    assert lines[:-1] and all(ln.startswith("EN_2.txt\t") for ln in lines[:-1])
    assert w.skipped == [art_id]
    assert len(bad.warnings) == 1
    assert repr(art_id) in bad.warnings[0] and fmt in bad.warnings[0]


def test_cli_semeval_skips_unsafe_id_and_warns(tmp_path: Path) -> None:
    src = _passthrough_jsonl(tmp_path, mention_article("bad\tid.txt"), mention_article("EN_2.txt"))
    out = tmp_path / "st3.txt"
    r = CliRunner().invoke(app, ["analyze", str(src), "--format", "semeval-st3", "-o", str(out)],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.stderr
    assert out.read_text(encoding="utf-8") == "EN_2.txt\tFirst part. Second part end.\n"
    warned = [ln for ln in r.stderr.splitlines() if "'bad\\tid.txt'" in ln]
    assert warned and "warning" in warned[0] and "left out of the semeval-st3 file" in warned[0]
