"""Writers: SemEval subtasks 1-3, JSONL (notice, schema), CSV, atomic and resumable sinks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from narrascope.doc import (
    NOTICE,
    Article,
    Entity,
    Explanation,
    FactCheck,
    Label,
    Mention,
    Narratives,
    Sentence,
    TechniqueCount,
    Techniques,
    TechniqueSpan,
)
from narrascope.write import CSV_COLUMNS, article_record, make_writer
from narrascope.write.semeval import st1_lines, st2_line, st2_pairs, st3_line
from narrascope.write.sink import Sink, partial_path, repair_and_read_ids

TEXT = ("Zelensky's plan flops\n\nUkrainian President Volodymyr Zelensky begged the West "
        "again. Pentagon chief Lloyd Austin refused. The <script>alert('x')</script> \"end\".\n")


def _find(text: str, s: str) -> tuple[int, int]:
    i = text.index(s)
    return i, i + len(s)


def full_article(text: str = TEXT, art_id: str = "EN_UA_1.txt") -> Article:
    """An article with every layer filled by hand (offsets computed from the text)."""
    a = Article(id=art_id, text=text, title=text.split("\n")[0])
    s0, e0 = _find(text, "Ukrainian President Volodymyr Zelensky begged the West again.")
    a.sentences = [Sentence(start=0, end=21, text=text[:21], index=0, kind="title"),
                   Sentence(start=s0, end=e0, text=text[s0:e0], index=1)]
    ev = a.evidence(s0, e0, 0.9, 1)
    a.narratives = Narratives(
        taxonomy="semeval2025", model="hand",
        domain=Label(label="URW", confidence=0.95),
        narratives=[Label(label="URW: Discrediting Ukraine", confidence=0.8, evidence=[ev]),
                    Label(label="URW: Praise of Russia", confidence=0.6)],
        subnarratives=[Label(label="URW: Discrediting Ukraine: Situation in Ukraine is hopeless",
                             confidence=0.7, evidence=[ev]),
                       Label(label="URW: Discrediting Ukraine: Discrediting Ukrainian government "
                             "and officials and policies", confidence=0.55)],
    )
    z1 = _find(text, "Zelensky")
    z2 = _find(text, "Volodymyr Zelensky")
    ant = Label(label="Antagonist", confidence=0.8)
    a.entities = [Entity(
        canonical="Volodymyr Zelensky", kind="person", main_role=ant,
        fine_roles=[Label(label="Incompetent", confidence=0.6)],
        mentions=[Mention(start=z1[0], end=z1[1], text="Zelensky", label="Volodymyr Zelensky", main_role=ant,
                          fine_roles=[Label(label="Incompetent", confidence=0.6),
                                      Label(label="Deceiver", confidence=0.5)]),
                  Mention(start=z2[0], end=z2[1], text="Volodymyr Zelensky", label="Volodymyr Zelensky")],
    )]
    b = _find(text, "begged the West again")
    a.techniques = Techniques(
        spans=[TechniqueSpan(start=b[0], end=b[1], text=text[b[0]:b[1]], label="Loaded_Language",
                             confidence=0.7, source="pattern", detail="begged"),
               TechniqueSpan(start=s0, end=e0, text=text[s0:e0], label="Name_Calling-Labeling",
                             confidence=0.4, source="model", sentence=1)],
        profile={"Loaded_Language": TechniqueCount(count=1, per_1000_words=40.0)},
        words=25, density_per_1000_words=80.0,
    )
    a.narratives.explanation = Explanation(
        narrative="URW: Discrediting Ukraine",
        text="The text says Zelensky\t\"begged the West again\".\n", quotes=[a.span(*b)])
    c = _find(text, "Pentagon chief Lloyd Austin")
    a.fact_checks = [FactCheck(start=c[0], end=c[1], text=text[c[0]:c[1]], source="kb",
                               person="Lloyd Austin", office="US Secretary of Defense",
                               label="held_only_before", severity="high",
                               message="Lloyd Austin left the office on 2025-01-20.")]
    a.components = ["sentences", "narratives", "entities", "techniques", "fact_checks"]
    return a


def test_st1_end_offsets_are_inclusive_and_roles_fall_back_to_the_entity() -> None:
    a = full_article()
    lines = st1_lines(a)
    assert len(lines) == 2
    cols = lines[0].split("\t")
    start, end = int(cols[2]), int(cols[3])
    assert a.text[start:end + 1] == cols[1]  # SemEval: end inclusive
    parsed = [line.split("\t") for line in lines]
    by_text = {p[1]: p[4:] for p in parsed}
    assert by_text["Volodymyr Zelensky"] == ["Antagonist", "Incompetent"]  # entity's roles
    assert by_text["Zelensky"] == ["Antagonist", "Incompetent", "Deceiver"]
    assert [int(p[2]) for p in parsed] == sorted(int(p[2]) for p in parsed)


def test_st2_aligned_lists_and_other() -> None:
    a = full_article()
    coarse, fine = st2_pairs(a)
    assert coarse == ["URW: Discrediting Ukraine", "URW: Discrediting Ukraine", "URW: Praise of Russia"]
    assert fine[2] == "URW: Praise of Russia: Other"  # narrative without subnarrative
    assert len(coarse) == len(fine)
    assert st2_line(a) == "EN_UA_1.txt\t" + ";".join(coarse) + "\t" + ";".join(fine)
    empty = Article(id="x.txt", text="t")
    assert st2_line(empty) == "x.txt\tOther\tOther"


def test_st3_line_is_one_line() -> None:
    assert st3_line(full_article()) == 'EN_UA_1.txt\tThe text says Zelensky "begged the West again".'
    assert st3_line(Article(id="y", text="t")) == "y\t"


def test_jsonl_record_carries_the_notice_and_round_trips() -> None:
    a = full_article()
    buf = io.StringIO()
    w = make_writer("jsonl", buf)
    w.write(a)
    w.write(Article(id="b", text="B."))
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2
    rec = json.loads(lines[0])
    assert rec["metadata"]["notice"] == NOTICE
    back = Article.model_validate(rec)
    assert back.entities[0].mentions[0].text == "Zelensky"
    assert rec == article_record(a)


def test_csv_has_summary_columns() -> None:
    buf = io.StringIO()
    w = make_writer("csv", buf)
    w.write(full_article())
    w.write(Article(id="plain", text="Nothing."))
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert list(rows[0]) == CSV_COLUMNS
    assert rows[0]["antagonists"] == "Volodymyr Zelensky"
    assert rows[0]["narratives"].startswith("URW: Discrediting Ukraine (0.80)")
    assert rows[0]["techniques_per_1000_words"] == "80.00"
    assert "Lloyd Austin left" in rows[0]["fact_checks"]
    assert rows[1]["id"] == "plain" and rows[1]["narratives"] == ""


def test_table_has_findings_and_notice() -> None:
    buf = io.StringIO()
    w = make_writer("table", buf, color=False)
    w.write(full_article())
    w.finish()
    out = " ".join(buf.getvalue().split())
    for needle in ("EN_UA_1.txt", "URW: Discrediting Ukraine (0.80)", "Antagonist: Volodymyr Zelensky",
                   "80.0 per 1000 words", "Lloyd Austin left the office", "it does not judge"):
        assert needle in out


def test_sink_is_atomic(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "o.jsonl"
    sink = Sink(out)
    sink.write('{"id": "a"}\n')
    sink.flush()
    assert not out.exists() and partial_path(out).exists()
    sink.commit()
    assert out.read_text() == '{"id": "a"}\n' and not partial_path(out).exists()


def test_resume_drops_a_truncated_last_line(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    part = partial_path(out)
    part.write_text('{"id": "a"}\n{"id": "b"}\n{"id": "c", "te', encoding="utf-8")
    assert repair_and_read_ids(part) == {"a", "b"}
    assert part.read_text() == '{"id": "a"}\n{"id": "b"}\n'
    sink = Sink(out, resume=True)
    assert sink.done_ids == {"a", "b"}
    sink.write('{"id": "c"}\n')
    sink.commit()
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == ["a", "b", "c"]


def test_st1_with_given_mentions_writes_exactly_those_in_their_order() -> None:
    from narrascope.doc import GivenMention

    a = full_article()
    z2 = _find(a.text, "Volodymyr Zelensky")
    z1 = _find(a.text, "Zelensky")
    a.given_mentions = [GivenMention(start=z2[0], end=z2[1], text="Volodymyr Zelensky", line=1),
                        GivenMention(start=0, end=3, text="Zel", line=2)]  # not labelled: no line
    lines = st1_lines(a)
    assert [ln.split("\t")[1] for ln in lines] == ["Volodymyr Zelensky"]
    a.given_mentions.insert(0, GivenMention(start=z1[0], end=z1[1], text="Zelensky", line=0))
    assert [ln.split("\t")[1] for ln in st1_lines(a)] == ["Zelensky", "Volodymyr Zelensky"]
