"""QA regressions: messy inputs (stdin, duplicate ids, HTML dates, language, `-o -`)."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.doc import Article
from narrascope.read import ReadError, read_articles
from narrascope.read.html import read_html
from narrascope.read.lang import set_language
from narrascope.write import Sink


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def _read_stdin(monkeypatch, data: bytes, **kw):
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    errors: list[ReadError] = []
    arts = list(read_articles(["-"], on_error=errors.append, detect_language=False, **kw))
    return arts, errors


def test_stdin_jsonl_longer_than_one_article_is_read_whole(monkeypatch):
    # stdin was cut at 4 * max_chars bytes: the rest of a JSONL stream was silently lost
    data = "".join(
        json.dumps({"id": f"s{i}", "text": f"Short article number {i}."}) + "\n" for i in range(40)
    ).encode()
    arts, errors = _read_stdin(monkeypatch, data, max_chars=100)
    assert errors == []
    assert [a.id for a in arts] == [f"s{i}" for i in range(40)]


def test_stdin_jsonl_with_bom_is_jsonl(monkeypatch):
    arts, errors = _read_stdin(monkeypatch, b'\xef\xbb\xbf{"id": "x1", "text": "Hello world."}\r\n')
    assert errors == [] and [a.id for a in arts] == ["x1"]
    assert arts[0].text == "Hello world."


def test_stdin_text_with_bom_is_noted(monkeypatch):
    arts, _ = _read_stdin(monkeypatch, b"\xef\xbb\xbfTitle\n\nBody text here.")
    assert arts[0].text == "Title\n\nBody text here." and arts[0].metadata.get("bom") is True


def test_stdin_text_too_long_is_reported_as_too_long(monkeypatch):
    # 2-byte characters cut at 4 * max_chars + 1 bytes used to read as "invalid UTF-8"
    arts, errors = _read_stdin(monkeypatch, ("Ж" * 30).encode(), max_chars=10)
    assert arts == [] and len(errors) == 1 and "over 10 characters" in errors[0].message


def test_duplicate_id_in_jsonl_points_at_path_and_line(tmp_path: Path):
    f = tmp_path / "a.jsonl"
    f.write_text(
        json.dumps({"id": "j1", "text": "One."}) + "\n" + json.dumps({"id": "j1", "text": "Two."}) + "\n",
        encoding="utf-8",
    )
    errors: list[ReadError] = []
    list(read_articles([f], on_error=errors.append, detect_language=False))
    assert len(errors) == 1
    assert str(errors[0]).startswith(f"{f}:2: error: duplicate article id 'j1'")


def test_html_date_is_not_guessed_from_copyright_footer(tmp_path: Path):
    body = "Officials in Kyiv said on Monday that the West is funding a war. " * 4
    page = tmp_path / "p.html"
    page.write_text(
        f"<html><head><title>War news</title></head><body><article><h1>War news</h1><p>{body}</p>"
        "</article><footer>Copyright 2026 News Corp. All rights reserved.</footer></body></html>",
        encoding="utf-8",
    )
    assert read_html(page, 100_000).date is None
    dated = tmp_path / "d.html"
    dated.write_text(
        '<html><head><meta property="article:published_time" content="2024-03-05T10:00:00Z">'
        f"<title>T</title></head><body><article><p>{body}</p></article>"
        "<footer>Copyright 2026</footer></body></html>",
        encoding="utf-8",
    )
    assert str(read_html(dated, 100_000).date) == "2024-03-05"


def test_low_confidence_language_is_uncertain_not_foreign():
    art = set_language(Article(id="a", text="x", language="pcm", language_confidence=0.13))
    assert len(art.warnings) == 1 and "uncertain" in art.warnings[0]
    assert "not English" not in art.warnings[0]
    art = set_language(Article(id="b", text="x", language="de", language_confidence=0.99))
    assert "not English" in art.warnings[0]


def test_sink_dash_path_is_stdout():
    assert Sink(Path("-")).out is None


def test_report_dash_writes_stdout_not_a_file(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rec = tmp_path / "in.jsonl"
    rec.write_text(json.dumps({"id": "a", "text": "Plain text."}) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["report", str(rec), "-o", "-", "-q", "--components", "sentences"])
    assert r.exit_code == 0, r.output
    assert "<!DOCTYPE html>" in r.stdout
    assert not (tmp_path / "-").exists()


def test_failed_run_says_output_left_unchanged(tmp_path: Path):
    out = tmp_path / "keep.jsonl"
    out.write_text("old\n", encoding="utf-8")
    empty = tmp_path / "ws.txt"
    empty.write_text("  \n\t ", encoding="utf-8")
    r = CliRunner().invoke(app, ["analyze", str(empty), "-o", str(out)])
    assert r.exit_code == 1
    assert out.read_text(encoding="utf-8") == "old\n"
    assert "left as it was" in r.stderr and "wrote 0" not in r.stderr


def test_html_warning_kept_for_records_with_body_start(tmp_path: Path):
    # `analyze out.jsonl --reanalyze` dropped the "HTML entities or tags" warning
    f = tmp_path / "r.jsonl"
    f.write_text(json.dumps({"id": "x", "text": "Say <b>bold</b> &amp; more.", "body_start": 0}) + "\n",
                 encoding="utf-8")
    (art,) = read_articles([f], detect_language=False)
    assert any("HTML entities or tags" in w for w in art.warnings)


def test_out_is_a_folder_fails_before_the_work(tmp_path: Path):
    # used to analyse everything, then crash at the rename and leave FOLDER.partial
    txt = tmp_path / "a.txt"
    txt.write_text("Plain text article.", encoding="utf-8")
    folder = tmp_path / "outdir"
    folder.mkdir()
    r = CliRunner().invoke(app, ["analyze", str(txt), "-o", str(folder), "--components", "sentences"])
    assert r.exit_code == 2 and "Is a directory" in r.stderr
    assert not (tmp_path / "outdir.partial").exists()


def test_resume_with_out_equal_to_input_is_a_usage_error(tmp_path: Path):
    # resuming moved OUT (= the input) to OUT.partial: "no such file" on the input
    f = tmp_path / "same.jsonl"
    f.write_text(json.dumps({"id": "a", "text": "Plain text."}) + "\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["analyze", str(f), "-o", str(f), "--resume"])
    assert r.exit_code == 2 and "also an input" in r.stderr
    assert f.exists() and not (tmp_path / "same.jsonl.partial").exists()


def test_utf16_text_is_named_not_called_binary(tmp_path: Path):
    f = tmp_path / "u16.txt"
    f.write_bytes("Title\r\n\r\nThe West is funding the war.".encode("utf-16"))
    errors: list[ReadError] = []
    assert list(read_articles([f], on_error=errors.append)) == []
    assert "UTF-16" in errors[0].message and "binary" not in errors[0].message
