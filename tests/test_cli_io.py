"""The thin CLI over the library run loop: formats by extension, dates, ids, early checks,
format registries and plugins."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import narrascope.cli.common as common
import narrascope.read as read_mod
import narrascope.write as write_mod
from narrascope.cli import app
from narrascope.doc import Article
from narrascope.pipeline import Pipeline
from narrascope.read import ReadStats, prepare_articles, read_articles, register_reader
from narrascope.write import (
    format_for_path,
    make_writer,
    register_writer,
    writer_formats,
)

FAST = ["--components", "sentences", "-q"]


def run(*args: object, input: str | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_output_format_from_the_extension(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A text.", encoding="utf-8")
    out = tmp_path / "out.csv"
    r = run("analyze", tmp_path / "a.txt", "-o", out, *FAST)
    assert r.exit_code == 0, r.stderr
    assert out.read_text(encoding="utf-8").startswith("id,title,date")
    r = run("analyze", tmp_path / "a.txt", "-o", tmp_path / "out.html", *FAST)
    assert r.exit_code == 0 and "<html" in (tmp_path / "out.html").read_text(encoding="utf-8")
    r = run("analyze", tmp_path / "a.txt", "-o", tmp_path / "out.data", *FAST)  # unknown: JSONL
    assert records((tmp_path / "out.data").read_text(encoding="utf-8"))[0]["id"] == "a.txt"
    r = run("analyze", tmp_path / "a.txt", "--format", "nope", *FAST)
    assert r.exit_code == 2 and "choose one of jsonl, csv" in r.stderr
    assert format_for_path("x.JSONL") == "jsonl" and format_for_path(None) == "jsonl"


def test_date_option_fills_missing_dates_only(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "A.", "date": "April 10, 2025"}) + "\n"
                   + json.dumps({"id": "b", "text": "B."}) + "\n"
                   + json.dumps({"id": "c", "text": "C.", "date": "10/04/2025"}) + "\n"
                   + json.dumps({"id": "d", "text": "D.", "date": "not a date"}) + "\n",
                   encoding="utf-8")
    r = run("analyze", src, *FAST, "--date", "2025-01-01")
    assert r.exit_code == 0, r.stderr
    got = {x["id"]: (x["date"], x["date_source"]) for x in records(r.stdout)}
    assert got == {"a": ("2025-04-10", "metadata"), "b": ("2025-01-01", "option"),
                   "c": ("2025-04-10", "metadata"), "d": ("2025-01-01", "option")}


def test_semeval_ids_stay_file_names(tmp_path: Path) -> None:
    docs = tmp_path / "raw-documents"
    docs.mkdir()
    (docs / "EN_UA_103861.txt").write_text("Title\n\nBody text here.", encoding="utf-8")
    (docs / "sub").mkdir()
    (docs / "sub" / "EN_UA_103861.txt").write_text("Other body.", encoding="utf-8")
    r = run("analyze", docs, *FAST, "--format", "semeval-st2")
    assert r.exit_code == 0, r.stderr
    assert [line.split("\t")[0] for line in r.stdout.splitlines()] == [
        "EN_UA_103861.txt", "sub/EN_UA_103861.txt"]
    r = run("analyze", docs / "EN_UA_103861.txt", *FAST, "--format", "semeval-st2")
    assert r.stdout.startswith("EN_UA_103861.txt\t")


def test_input_is_checked_before_the_models_load(tmp_path: Path, monkeypatch) -> None:
    built: list[int] = []
    real = common.build_pipeline

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(common, "build_pipeline", counting)
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    r = run("analyze", tmp_path / "empty.txt", *FAST)
    assert r.exit_code == 1 and "no article could be read" in r.stderr and not built
    # converting analysed records builds no pipeline either
    (tmp_path / "a.txt").write_text("A text.", encoding="utf-8")
    jl = tmp_path / "a.jsonl"
    assert run("analyze", tmp_path / "a.txt", "-o", jl, *FAST).exit_code == 0
    built.clear()
    r = run("analyze", jl, "--format", "semeval-st2", "-q")
    assert r.exit_code == 0 and r.stdout == "a.txt\tOther\tOther\n" and not built


def test_prepare_articles_and_pipe_for_library_users(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("One. Two.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"\x00")
    stats = ReadStats()
    errors: list = []
    arts = list(prepare_articles([tmp_path], on_error=errors.append, stats=stats,
                                 date=dt.date(2025, 1, 2)))
    assert [a.id for a in arts] == ["a.txt"] and arts[0].date_source == "option"
    assert (stats.read, stats.errors) == (1, 1) and "binary file" in str(errors[0])
    nlp = Pipeline.from_config({"pipeline": {"components": ["sentences"]}})
    done = list(nlp.pipe(arts))
    assert done[0].components == ["sentences"]
    again = list(nlp.pipe(done))  # analysed already: passed through, not run twice
    assert again[0].components == ["sentences"]
    assert list(nlp.pipe(done, skip_analysed=False))[0].components == ["sentences", "sentences"]


def test_writer_plugin_format(tmp_path: Path, monkeypatch) -> None:
    class IdsWriter:
        def __init__(self, fh, sep: str = "\n") -> None:
            self.fh, self.sep = fh, sep

        def write(self, art: Article) -> None:
            self.fh.write(art.id + self.sep)

        def finish(self) -> None:
            pass

    monkeypatch.setattr(write_mod, "WRITERS", dict(write_mod.WRITERS))
    register_writer("ids", IdsWriter, extensions=(".ids",))
    assert "ids" in writer_formats() and format_for_path("x.ids") == "ids"
    (tmp_path / "a.txt").write_text("A text.", encoding="utf-8")
    r = run("analyze", tmp_path / "a.txt", "-o", tmp_path / "o.ids", *FAST)
    assert r.exit_code == 0 and (tmp_path / "o.ids").read_text() == "a.txt\n"

    class EP:  # an entry point of the narrascope.writers group naming a factory
        name, value = "ids2", "plugin:IdsWriter"

        def load(self):
            return IdsWriter

    monkeypatch.setattr(write_mod, "_writer_plugins_loaded", False)
    monkeypatch.setattr(write_mod, "entry_points", lambda group: [EP()] if
                        group == write_mod.WRITERS_ENTRY_POINT_GROUP else [])
    assert "ids2" in writer_formats()
    import io

    fh = io.StringIO()
    make_writer("ids2", fh, sep=";").write(Article(id="z", text="Z."))
    assert fh.getvalue() == "z;"


def test_reader_plugin_format(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(read_mod, "READERS", dict(read_mod.READERS))

    def read_lines(path, *, max_chars, keep_layers=False, article_id=None):
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            yield Article(id=f"{article_id}#{i}", text=line, path=f"{path}:{i}")

    register_reader("lines", read_lines, (".lines",))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "x.lines").write_text("One.\nTwo.\n", encoding="utf-8")
    assert [a.id for a in read_articles([tmp_path])] == ["sub/x.lines#1", "sub/x.lines#2"]


@pytest.mark.parametrize("bad", ["-", ""])
def test_resume_needs_a_file(bad: str) -> None:
    r = run("analyze", "x.txt", "-o", bad, "--resume") if bad else run("analyze", "x.txt",
                                                                       "--resume")
    assert r.exit_code == 2 and "--resume needs -o FILE" in r.stderr


def test_side_inputs_match_ids_read_from_a_folder_above(tmp_path: Path) -> None:
    docs = tmp_path / "EN" / "raw-documents"
    docs.mkdir(parents=True)
    (docs / "EN_UA_1.txt").write_text("Title\n\nPutin spoke in Kyiv.", encoding="utf-8")
    mentions = tmp_path / "mentions.tsv"
    mentions.write_text("EN_UA_1.txt\tPutin\t7\t11\n", encoding="utf-8")
    warnings: list[str] = []
    (art,) = prepare_articles([tmp_path / "EN"], mentions=mentions, on_error=warnings.append,
                              on_warning=warnings.append)
    assert art.id == "raw-documents/EN_UA_1.txt"
    assert [m.text for m in art.given_mentions] == ["Putin"] and not warnings
