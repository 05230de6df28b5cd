"""Readers: layouts, title heuristic, formats, bad input (one-line errors naming file:line)."""

from __future__ import annotations

import inspect
import json
import os
import re
from pathlib import Path

import pytest

from narrascope.read import ReadError, looks_like_title, parse_text, read_articles
from narrascope.read.text import read_txt

ROOT = Path(__file__).resolve().parents[1]
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
EXAMPLES = ROOT / "examples"


def read_all(paths, **kw):
    errors: list[ReadError] = []
    arts = list(read_articles([str(p) for p in paths], on_error=errors.append, **kw))
    return arts, errors


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Kiev's spring offensive collapses as Western patrons look away", True),
        ("Is the West tired of Ukraine?", True),
        ("Zelensky meets Trump.", True),  # short headline with a full stop
        ("Peace talks in Istanbul? Not so fast, says Kyiv", True),  # short, two parts
        ("Sanctions bite: Russia's economy slows as oil revenue falls for a third month", True),
        # two sentences, 16+ words: a lead paragraph
        ("Russia attacked the city overnight with drones and missiles. Officials in Kharkiv "
         "said two people were hurt", False),
        # a long lead paragraph (several sentences) is body text
        ("After days of shuttle diplomacy with Kiev, Washington has moved straight to Moscow. "
         "This marks a significant shift in US strategy.", False),
        # one long sentence ending with a full stop (>12 words)
        ("Western officials have been seeking to lower expectations for the plan to end the "
         "war in Ukraine this year.", False),
        (" date 2024-09-25 Short title", False),  # a date prefix is never a title
        ("x" * 201, False),
        ("", False),
    ],
)
def test_title_heuristic(line: str, expected: bool) -> None:
    assert looks_like_title(line) is expected


def test_semeval_layout_keeps_text_and_sets_title() -> None:
    text = "A headline about Kyiv\n\nFirst sentence. Second one.\nThird paragraph.\n"
    art = parse_text(text, "EN_UA_1.txt")
    assert art.text == text and art.title == "A headline about Kyiv"
    assert art.body_start == 0 and art.metadata["layout"] == "semeval"


def test_long_first_paragraph_then_empty_line_is_not_a_title() -> None:
    first = ("Ukrainian President Volodymyr Zelensky's tour of the US appears to be falling "
             "flat, as his much-hyped plan has failed to impress his western allies.")
    art = parse_text(first + "\n\nSecond paragraph here.\n", "x.txt")
    assert art.title is None and art.metadata["layout"] == "plain"


def test_seed_layout_date_prefix() -> None:
    text = " date 2024-09-25 Ukrainian President Volodymyr Zelensky's tour.\n\nMore.\n\n\n"
    art = parse_text(text, "000.txt")
    assert str(art.date) == "2024-09-25"
    assert art.body_start == len(" date 2024-09-25 ")
    assert art.text[art.body_start:].startswith("Ukrainian")
    assert art.title is None and art.text == text


def test_invalid_date_prefix_is_a_warning() -> None:
    art = parse_text(" date 2024-13-45 Text here.", "x.txt")
    assert art.date is None and any("invalid date" in w for w in art.warnings)


def test_crlf_and_bom(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_bytes(b"\xef\xbb\xbfTitle line\r\n\r\nBody text here.\r\n")
    art = read_txt(p, 1000)
    assert art.text == "Title line\r\n\r\nBody text here.\r\n"  # line endings untouched
    assert art.title == "Title line" and art.metadata["bom"] is True


def test_html_entities_in_txt_are_left_alone(tmp_path: Path) -> None:
    p = tmp_path / "e.txt"
    raw = "Title\n\nTom &amp; Jerry said &quot;hi&quot; <p>there</p>.\n"
    p.write_text(raw, encoding="utf-8")
    (art,), errors = read_all([p])
    assert not errors and art.text == raw
    assert any("HTML" in w for w in art.warnings)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is missing")
def test_seed_files() -> None:
    arts, errors = read_all([SEEDS])
    assert not errors
    by_id = {a.id: a for a in arts}
    assert sorted(by_id) == sorted(p.name for p in SEEDS.glob("*.txt"))
    dates = [str(a.date) if a.date else None for a in sorted(arts, key=lambda a: a.id)]
    assert dates == ["2024-09-25", None, "2025-04-12"]
    for a in arts:
        assert a.title is None  # 000 has a long first paragraph + empty line: not a title
        assert a.text == (SEEDS / a.id).read_bytes().decode("utf-8")
        assert a.language == "en" and a.language_confidence and a.language_confidence > 0.9


def test_folder_walk_is_recursive_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Zed text body.", encoding="utf-8")
    (tmp_path / "a.txt").write_text("Alpha text body.", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("ignored", encoding="utf-8")
    gen = read_articles([tmp_path], on_error=print)
    assert inspect.isgenerator(gen)
    assert [a.id for a in gen] == ["a.txt", "b/z.txt"]  # ids relative to the folder


def test_bad_inputs_one_line_errors_and_the_rest_is_read(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "good.txt").write_text("Fine text.", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("line one\nline \xe9t\xe9 two\n".encode("latin-1"))
    (tmp_path / "binary.txt").write_bytes(b"abc\n\x00\x01\x02")
    (tmp_path / "empty.txt").write_bytes(b"")
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as fh:  # 50 MB, sparse: the size check must not read it
        fh.truncate(50_000_000)
    (tmp_path / "unreadable.txt").write_text("secret", encoding="utf-8")
    real = os.open

    def fake_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(path).endswith("unreadable.txt"):
            raise PermissionError(13, "Permission denied")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    arts, errors = read_all([tmp_path])
    assert [a.id for a in arts] == ["good.txt", "latin1.txt"]
    # not UTF-8: decoded as Windows-1252 and flagged, offsets on the decoded text
    assert arts[1].text == "line one\nline \xe9t\xe9 two\n" and arts[1].metadata["encoding"] == "cp1252"
    assert any("not UTF-8" in w for w in arts[1].warnings)
    msgs = {Path(e.path).name: str(e) for e in errors}
    assert set(msgs) == {"binary.txt", "empty.txt", "huge.txt", "unreadable.txt"}
    assert ":2: error: binary file" in msgs["binary.txt"]
    assert ":1: error: empty file" in msgs["empty.txt"]
    assert "over the limit of 2000000 characters" in msgs["huge.txt"]
    assert "Permission denied" in msgs["unreadable.txt"]
    assert all("\n" not in m and re.match(r"^\S+:\d+: error: \S", m) for m in msgs.values())


def test_max_chars(tmp_path: Path) -> None:
    (tmp_path / "long.txt").write_text("word " * 100, encoding="utf-8")
    arts, errors = read_all([tmp_path], max_chars=150)
    assert not arts and "500 characters, over the limit of 150" in str(errors[0])


def test_without_on_error_the_error_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("Fine text.", encoding="utf-8")
    with pytest.warns(UserWarning, match="missing.txt:1: error: no such file"):
        arts = list(read_articles([tmp_path / "missing.txt", tmp_path / "ok.txt"]))
    assert [a.id for a in arts] == ["ok.txt"]
    with pytest.raises(ReadError):
        list(read_articles([tmp_path / "missing.txt"], raise_errors=True))


def test_jsonl_malformed_rows_are_reported_with_line(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    lines = [
        json.dumps({"id": "a1", "text": "First article.", "date": "2025-01-02", "source": "X",
                    "synthetic": True}),
        "{not json",
        json.dumps({"text": "no id"}),
        "",
        json.dumps({"id": "a2", "text": "Second.", "title": "T", "url": "https://e.invalid/2",
                    "language": "en"}),
        json.dumps({"id": "a3", "text": "Bad date.", "date": "yesterday"}),
    ]
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    arts, errors = read_all([p])
    # a record without id gets FILE:LINE; a date that is no date is unknown, with a warning
    assert [a.id for a in arts] == ["a1", "a.jsonl:3", "a2", "a3"]
    assert arts[3].date is None and "'yesterday' is not a date" in arts[3].warnings[0]
    assert "no 'id'" in arts[1].warnings[0]
    arts = [arts[0], arts[2]]
    assert str(arts[0].date) == "2025-01-02" and arts[0].source == "X"
    assert arts[0].date_source == "metadata"
    assert arts[0].metadata["synthetic"] is True
    assert arts[1].title == "T" and arts[1].url == "https://e.invalid/2"
    assert [(e.line, e.message.split(":")[0]) for e in errors] == [(2, "malformed JSON")]


def test_csv_and_malformed_row(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text('id,text,date\nc1,"Multi\nline text.",2024-05-01\nc2,too,many,fields\n'
                 'c3,Third text.,\n', encoding="utf-8")
    arts, errors = read_all([p])
    assert [a.id for a in arts] == ["c1", "c3"]
    assert arts[0].text == "Multi\nline text." and str(arts[0].date) == "2024-05-01"
    assert len(errors) == 1 and errors[0].line == 4 and "malformed CSV row" in str(errors[0])


def test_parquet_streams_row_groups(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"id": ["p1", "p2", "p3"], "text": ["One.", "Two.", ""],
                      "language": ["en", None, "en"]})
    path = tmp_path / "a.parquet"
    pq.write_table(table, path, row_group_size=1)
    assert pq.ParquetFile(path).num_row_groups == 3
    arts, errors = read_all([path])
    assert [a.id for a in arts] == ["p1", "p2"]
    assert errors[0].line == 3 and "empty 'text'" in errors[0].message


def test_html_page_main_text_and_metadata() -> None:
    arts, errors = read_all([EXAMPLES / "city_page_008.html"])
    assert not errors
    (art,) = arts
    assert art.title == "Mayor opens new tram line amid protests"
    assert str(art.date) == "2025-05-20" and art.source == "The Example Courier"
    assert "eastern tram line" in art.text
    for clutter in ("Related headlines", "Subscribe", "Five things to do", "All rights reserved"):
        assert clutter not in art.text


def test_non_english_is_flagged_not_dropped(tmp_path: Path) -> None:
    (tmp_path / "de.txt").write_text(
        "Die Regierung in Berlin hat am Dienstag neue Hilfen für die Ukraine beschlossen. "
        "Der Bundestag muss noch zustimmen.", encoding="utf-8")
    (art,), _ = read_all([tmp_path])
    assert art.language == "de" and art.language_confidence > 0.9
    assert any("not English" in w for w in art.warnings)


def test_duplicate_ids_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text("One.", encoding="utf-8")
    (tmp_path / "b" / "x.txt").write_text("Two.", encoding="utf-8")
    arts, errors = read_all([tmp_path])  # ids relative to the folder: two articles
    assert [a.id for a in arts] == ["a/x.txt", "b/x.txt"] and not errors
    arts, errors = read_all([tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt"])
    assert len(arts) == 1 and "duplicate article id 'x.txt'" in str(errors[0])


def test_jsonl_text_with_a_seed_date_prefix(tmp_path: Path) -> None:
    p = tmp_path / "s.jsonl"
    text = " date 2025-04-12 Pentagon chief Lloyd Austin refused to attend."
    p.write_text(json.dumps({"id": "s1", "text": text}) + "\n"
                 + json.dumps({"id": "s2", "text": text, "date": "2025-05-01"}) + "\n",
                 encoding="utf-8")
    (a, b), errors = read_all([p])
    assert not errors and a.text == text and b.text == text
    assert str(a.date) == "2025-04-12" and a.body_start == 17
    assert str(b.date) == "2025-05-01"  # an explicit date column wins


def test_date_prefix_on_its_own_line() -> None:
    art = parse_text("date 2025-01-05\nBody starts here.", "d.txt")
    assert str(art.date) == "2025-01-05" and art.text[art.body_start:] == "Body starts here."


def test_html_in_a_legacy_charset(tmp_path: Path) -> None:
    body = "".join(f"<p>Le caf\xe9 du coin a rouvert ses portes apr\xe8s des travaux, num\xe9ro {i}.</p>"
                   for i in range(6))
    page = (f'<html><head><meta charset="windows-1252"><title>Caf\xe9</title></head><body>'
            f"<article><h1>Caf\xe9 rouvert</h1>{body}</article></body></html>")
    p = tmp_path / "legacy.html"
    p.write_bytes(page.encode("cp1252"))
    (art,), errors = read_all([p])
    assert not errors and "café du coin" in art.text
