"""Reliability: one bad record never stops a run, no input stalls it, output stays bounded."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.components.sentences import SentenceSplitter, segment
from narrascope.doc import Article, Entity, Evidence, Label, Mention, Sentence
from narrascope.pipeline import Pipeline
from narrascope.read import ReadError, prepare_articles, read_articles
from narrascope.registry import Component, registry
from narrascope.write import OutputLocked, Sink, WriteStopped, make_writer, write_stream
from narrascope.write.bound import bound_article, record_limit, span_chars

FAST = ["--components", "sentences", "-q"]
ERROR_LINE = re.compile(r"^.+:\d+: (error|warning): \S")


def run(*args: object, input: str | None = None):
    return CliRunner().invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def read_all(paths: list, **kw) -> tuple[list[Article], list[ReadError]]:
    errors: list[ReadError] = []
    return list(read_articles(paths, on_error=errors.append, **kw)), errors


# --------------------------------------------------------------------- records that crashed


def test_hostile_jsonl_records_are_reported_and_the_rest_is_kept(tmp_path: Path) -> None:
    good = [json.dumps({"id": f"g{i}", "text": f"Good article {i}."}) for i in range(4)]
    bad = [
        '{"id": "s1", "text": "lone \\ud800 surrogate"}',           # lone surrogate in text
        '{"id": "s2", "text": "ok", "title": "\\udfff"}',            # ... in another field
        "[" * 5000 + "]" * 5000,                                     # nested too deep
        '{"id": "big", "text": "x", "n": ' + "9" * 5000 + "}",       # int over 4300 digits
        json.dumps({"id": "deep", "text": "x", "metadata": json.loads("[" * 300 + "]" * 300)}),
        '{"id": "nan", "text": "x", "score": NaN}',                  # NaN: not JSON
    ]
    lines = [good[0], *bad[:3], good[1], *bad[3:], good[2], good[3]]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    r = run("analyze", src, "-o", out, *FAST)
    assert r.exit_code == 0, r.stderr
    assert [x["id"] for x in records(out.read_text(encoding="utf-8"))] == ["g0", "g1", "g2", "g3"]
    errs = [line for line in r.stderr.splitlines() if ": error: " in line]
    assert [int(e.split(":")[1]) for e in errs] == [2, 3, 4, 6, 7, 8]
    assert all(ERROR_LINE.match(e) for e in errs)
    # --resume over the same input goes through too (the bad records do not crash it)
    r = run("analyze", src, "-o", out, *FAST, "--resume")
    assert r.exit_code == 0 and len(records(out.read_text(encoding="utf-8"))) == 4


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.txt")  # a Latin-1 byte in a file name
    (tmp_path / name).write_text("A text body.", encoding="utf-8")
    arts, errors = read_all([tmp_path])
    assert not errors and arts[0].id == "caf\\xe9.txt"
    out = tmp_path / "o.jsonl"
    r = run("analyze", tmp_path, "-o", out, *FAST)
    assert r.exit_code == 0, r.stderr
    assert records(out.read_text(encoding="utf-8"))[0]["id"] == "caf\\xe9.txt"


def test_pass_through_records_are_checked(tmp_path: Path) -> None:
    r = run("analyze", "-", *FAST, input='{"id": "a", "text": "One. Two."}\n')
    rec = records(r.stdout)[0]
    variants = {}
    bad_text = json.loads(json.dumps(rec))
    bad_text["sentences"][0]["text"] = "Xne."
    variants["text"] = bad_text
    out_of_range = json.loads(json.dumps(rec))
    out_of_range["sentences"][1].update(start=5, end=99)
    variants["range"] = out_of_range
    path = json.loads(json.dumps(rec))
    path["path"] = "/etc/passwd"
    src = tmp_path / "analysed.jsonl"
    src.write_text("\n".join(json.dumps(v) for v in variants.values()) + "\n"
                   + json.dumps(path) + "\n", encoding="utf-8")
    arts, errors = read_all([src], keep_layers=True)
    assert [e.line for e in errors] == [1, 2]
    assert "does not match" in errors[0].message and "outside the text" in errors[1].message
    assert len(arts) == 1 and arts[0].path == f"{src}:3" and arts[0].components == ["sentences"]


# ------------------------------------------------------------------------------ stalls


def test_sentence_splitting_is_linear_on_punctuation() -> None:
    start = time.process_time()
    for unit in ("?", ".", "A. ", "!?", "…", "Mr. "):
        text = (unit * (200_000 // len(unit) + 1))[:200_000]
        art = SentenceSplitter()(Article(id="p", text=text))
        assert art.sentences and all(s.text == text[s.start:s.end] for s in art.sentences)
    # quadratic splitting took ~48 CPU-s on 40,000 "?"; linear takes well under a second each
    assert time.process_time() - start < 20
    assert [t for _s, _e, t in segment("One. Two? Three!")] == ["body"] * 3


@registry.component("test_slow", assigns=[])
class Slow(Component):
    def __init__(self, name: str = "test_slow") -> None:
        self.name = name

    def __call__(self, article: Article) -> Article:
        if "slow" in article.id:
            time.sleep(30)
        article.metadata["fast"] = True
        return article


def test_time_budget_per_article() -> None:
    nlp = Pipeline.from_config({"pipeline": {"components": ["test_slow"], "time_budget": 0.5}})
    list(nlp.pipe([Article(id="warm", text="W.")]))  # a first batch may load models: grace
    arts = [Article(id=i, text="Text.") for i in ("a", "b_slow", "c")]
    errors: list[str] = []
    started = time.perf_counter()
    out = list(nlp.pipe(arts, batch_size=3, on_error=lambda a, m: errors.append(f"{a.id}: {m}")))
    assert time.perf_counter() - started < 10
    assert [a.id for a in out] == ["a", "b_slow", "c"]
    assert out[0].metadata["fast"] and out[2].metadata["fast"] and "fast" not in out[1].metadata
    assert errors == ["b_slow: error in component test_slow: TimeBudgetExceeded: over the time "
                      "budget of 0.5 s"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_special_files_are_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "b.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "ok.txt").write_text("Fine.", encoding="utf-8")
    result: list = []
    t = threading.Thread(target=lambda: result.append(read_all([tmp_path])), daemon=True)
    t.start()
    t.join(20)
    assert result, "reading a FIFO or /dev/zero blocked"
    arts, errors = result[0]
    assert [a.id for a in arts] == ["ok.txt"]
    msgs = sorted(str(e) for e in errors)
    assert "b.txt:1: error: a FIFO (named pipe), not a regular file" in msgs[0]
    assert "zero.txt:1: error: a device (through a symbolic link)" in msgs[1]


def test_long_jsonl_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "big", "text": "x" * 3_000_000}) + "\n")
        fh.write(json.dumps({"id": "ok", "text": "Fine."}) + "\n")
    arts, errors = read_all([src], max_chars=100_000)
    assert [a.id for a in arts] == ["ok"]
    assert errors[0].line == 1 and "line is over" in errors[0].message


def test_long_html_page_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    with open(page, "wb") as fh:
        fh.truncate(30_000_000)
    _, errors = read_all([page])
    assert "over the limit of 4000000 bytes" in str(errors[0])


# ----------------------------------------------------------------------------------- CSV


def test_csv_bad_byte_in_the_first_rows_costs_one_row(tmp_path: Path) -> None:
    rows = ["id,text"] + [f"r{i},Row number {i}." for i in range(2000)]
    rows[3] = "r2,Bad \xff byte"
    data = "\n".join(rows).encode("utf-8").replace("\xff".encode(), b"\xff") + b"\n"
    (tmp_path / "a.csv").write_bytes(data)
    arts, errors = read_all([tmp_path / "a.csv"])
    assert len(arts) == 1999 and [(e.line, "UTF-8" in e.message) for e in errors] == [(4, True)]


def test_csv_unterminated_quote_is_reported_and_the_rows_after_it_kept(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text(
        'id,text\nr1,One.\nr2,"Unterminated\nr3,Three.\nr4,"Multi\nline"\nr5,Five.\n',
        encoding="utf-8")
    arts, errors = read_all([tmp_path / "a.csv"])
    assert [a.id for a in arts] == ["r1", "r3", "r4", "r5"]
    assert arts[2].text == "Multi\nline" and arts[3].path.endswith("a.csv:7")
    assert [(e.line, "unterminated quote" in e.message or "malformed" in e.message)
            for e in errors] == [(3, True)]
    (tmp_path / "b.csv").write_text('id,text\nr1,One.\nr2,"never closed\nr3,Three.\n',
                                    encoding="utf-8")
    arts, errors = read_all([tmp_path / "b.csv"])
    assert [a.id for a in arts] == ["r1", "r3"]
    assert [(e.line, "unterminated quote" in e.message) for e in errors] == [(3, True)]


# ------------------------------------------------------------------------ output and sinks


def test_second_writer_to_one_output_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    first = Sink(out)
    with pytest.raises(OutputLocked, match="another narrascope run is writing"):
        Sink(out)
    (tmp_path / "a.txt").write_text("A text.", encoding="utf-8")
    r = run("analyze", tmp_path / "a.txt", "-o", out, *FAST)
    assert r.exit_code == 2 and "another narrascope run is writing this output" in r.stderr
    first.fh.write("{}\n")
    first.commit()
    assert not (tmp_path / "o.jsonl.lock").exists()
    r = run("analyze", tmp_path / "a.txt", "-o", out, *FAST)  # free again
    assert r.exit_code == 0 and records(out.read_text())[0]["id"] == "a.txt"


def test_kept_count_after_a_crash_counts_resumed_records(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    sink = Sink(out)
    writer = make_writer("jsonl", sink.fh)
    write_stream([Article(id="a", text="A.")], writer, sink)
    sink = Sink(out, resume=True)

    def crashing():
        yield Article(id="b", text="B.")
        raise RuntimeError("boom")

    with pytest.raises(WriteStopped) as info:
        write_stream(crashing(), make_writer("jsonl", sink.fh), sink)
    res = info.value.result
    assert (res.written, res.before, res.total) == (1, 1, 2)
    assert res.kept == tmp_path / "o.jsonl.partial"
    assert [x["id"] for x in records(res.kept.read_text())] == ["a", "b"]
    assert isinstance(info.value.cause, RuntimeError)


def test_a_record_the_writer_fails_on_is_reported_and_skipped(tmp_path: Path) -> None:
    class Picky:
        def __init__(self, fh):
            self.fh = fh

        def write(self, art: Article) -> None:
            if art.id == "b":
                raise ValueError("cannot")
            self.fh.write(art.id + "\n")

        def finish(self) -> None:
            pass

    sink = Sink(tmp_path / "o.txt")
    errors: list[str] = []
    res = write_stream([Article(id=i, text="T.") for i in "abc"], Picky(sink.fh), sink,
                       on_error=lambda a, m: errors.append(f"{a.id}: {m}"))
    assert (res.written, res.failed) == (2, 1) and res.committed
    assert (tmp_path / "o.txt").read_text() == "a\nc\n"
    assert errors == ["b: cannot write this article: ValueError: cannot"]


def test_output_per_article_is_bounded() -> None:
    names = [f"Name{i}" for i in range(3000)]
    text = "Title\n\n" + ", ".join(names) + "."
    s0 = text.index("Name0")
    sent = Sentence(start=s0, end=len(text), text=text[s0:], index=0)
    ents = []
    pos = s0
    for name in names:
        start = text.index(name, pos)
        pos = start + len(name)
        ev = Evidence(start=sent.start, end=sent.end, text=sent.text, sentence=0)
        role = Label(label="Antagonist", confidence=0.9, evidence=[ev])
        m = Mention(start=start, end=pos, text=name, label=name, sentence=0, main_role=role,
                    fine_roles=[Label(label="Spy", confidence=0.5, evidence=[ev])])
        ents.append(Entity(canonical=name, mentions=[m], main_role=role))
    art = Article(id="list", text=text, sentences=[sent], entities=ents)
    before = span_chars(art)
    assert before > 100 * len(text)
    assert bound_article(art)
    assert span_chars(art) <= record_limit(art) < 20 * len(text) + 1_000_000
    assert all(m.sentence == 0 and m.main_role and not m.main_role.evidence
               for e in art.entities for m in e.mentions)
    assert any(w.startswith("output bounded:") for w in art.warnings)
    small = Article(id="s", text="One. Two.")
    assert not bound_article(small) and not small.warnings


# ---------------------------------------------------------------------------- SemEval side


def test_side_inputs_are_robust(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "EN_1.txt").write_text("Title\n\nPutin spoke \u2028 in Kyiv.", encoding="utf-8")
    mentions = tmp_path / "m.txt"
    mentions.write_bytes("EN_1.txt\tPutin\t7\t11\nEN_9.txt\tX\t0\t0\n".encode("utf-16"))
    dominant = tmp_path / "d.txt"
    dominant.write_bytes(
        b"EN_1.txt\tURW: Blaming the war on others rather than the invader\t\n"
        + b"EN_1.txt\tURW: Discrediting Ukraine\t\n"
        + b"EN_2.txt\t<script>alert(1)</script>\t\n"
        + b"bad \xff line\tx\n"
        + "EN_3.txt\u2028\tCC: Amplifying Climate Fears\t\n".encode())
    errors: list[ReadError] = []
    warnings: list[str] = []
    arts = list(prepare_articles([tmp_path / "docs"], mentions=mentions, dominant=dominant,
                                 on_error=errors.append, on_warning=warnings.append))
    assert [m.text for m in arts[0].given_mentions] == ["Putin"]
    assert arts[0].given_narrative is not None
    assert arts[0].given_narrative.narrative.startswith("URW: Blaming the war")
    by_line = {e.line: e.message for e in errors}
    assert "second dominant narrative" in by_line[2]
    assert "not a narrative of the taxonomy" in by_line[3]
    assert "invalid UTF-8" in by_line[4]
    assert set(by_line) == {2, 3, 4}  # U+2028 inside line 5 does not shift the numbers
    assert any(w.startswith(f"{mentions}:2: warning: no article with id 'EN_9'") for w in warnings)
    assert any(w.startswith(f"{dominant}:5: warning: no article with id") for w in warnings)


# -------------------------------------------------------------------------------- signals


def test_sigterm_stops_with_a_message_and_keeps_the_output(tmp_path: Path) -> None:
    mod = tmp_path / "sleepy_test_mod.py"
    mod.write_text(textwrap.dedent('''
        import time
        from narrascope.registry import Component, registry

        @registry.component("sleepy_test_mod", assigns=[])
        class Sleepy(Component):
            def __init__(self, name="sleepy_test_mod"):
                self.name = name
            def __call__(self, article):
                if article.id != "a0.txt":
                    time.sleep(60)
                return article
    '''), encoding="utf-8")
    cfg = tmp_path / "c.toml"
    cfg.write_text('[pipeline]\ncomponents = ["sentences", "sleepy_test_mod"]\n', encoding="utf-8")
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        (src / f"a{i}.txt").write_text(f"Article {i}.", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    code = ("import sys; from narrascope.cli import main; sys.argv = ['narrascope'] + sys.argv[1:]; "
            "main()")
    proc = subprocess.Popen([sys.executable, "-c", code, "analyze", str(src), "-o", str(out),
                             "--config", str(cfg), "--batch-size", "1", "-q"],
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    partial = tmp_path / "o.jsonl.partial"
    deadline = time.time() + 60
    while time.time() < deadline and not (partial.exists() and partial.read_text()):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "error: terminated (SIGTERM) after 1 article(s); 1 article(s) kept in" in err
    assert "rerun with --resume" in err and "Traceback" not in err
    assert [x["id"] for x in records(partial.read_text())] == ["a0.txt"]


def test_parquet_missing_values_are_no_values(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["a", "b"], "text": ["One.", "Two."],
                             "score": [1.5, float("nan")]}), tmp_path / "a.parquet")
    arts, errors = read_all([tmp_path / "a.parquet"])
    assert not errors and [a.metadata.get("score") for a in arts] == [1.5, None]
    assert "NaN" not in json.dumps([a.model_dump(mode="json") for a in arts])
