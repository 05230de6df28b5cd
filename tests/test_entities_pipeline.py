"""Entities component end to end: mention resolution, given-mentions mode, seeds, training.

Loads spaCy and the shared encoder once (module-scoped fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrascope.doc import Article, GivenMention
from narrascope.registry import registry
from narrascope.train.entities.training import read_semeval_dir

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.fixture(scope="module")
def comps():
    return registry.create("sentences"), registry.create("entities")


def run(comps, *articles: Article) -> list[Article]:
    sent, ents = comps
    return list(ents.pipe(list(sent.pipe(list(articles)))))


def check_spans(art: Article) -> None:
    for ent in art.entities:
        for m in ent.mentions:
            assert art.text[m.start:m.end] == m.text
            for lab in ([m.main_role] if m.main_role else []) + m.fine_roles:
                for ev in lab.evidence:
                    assert art.text[ev.start:ev.end] == ev.text


TEXT = ("Pentagon chief Lloyd Austin met Ukrainian President Volodymyr Zelenskiy in Kyiv on Monday. "
        "Austin said Washington would send more shells, and Zelensky’s aides thanked the White House. "
        "Meanwhile the Kiev regime keeps shelling Donetsk, where civilians hide in basements.")


@pytest.fixture(scope="module")
def auto(comps) -> Article:
    return run(comps, Article(id="t", text=TEXT))[0]


def test_mentions_resolve(auto: Article) -> None:
    check_spans(auto)
    by = {e.canonical: e for e in auto.entities}
    assert {m.text for m in by["Volodymyr Zelensky"].mentions} == {"Volodymyr Zelenskiy", "Zelensky"}
    assert {m.text for m in by["Lloyd Austin"].mentions} == {"Lloyd Austin", "Austin"}
    assert {m.text for m in by["United States government"].mentions} == {"Washington", "White House"}
    # "in Kyiv" is the city; "the Kiev regime" the government
    assert {m.text for m in by["Ukrainian government"].mentions} == {"Kiev regime"}
    assert {m.text for m in by["Kyiv"].mentions} == {"Kyiv"} and by["Kyiv"].kind == "place"
    assert by["Volodymyr Zelensky"].kind == "person"
    assert "spacy_doc" in auto.cache


def test_automatic_roles_are_consistent(comps, auto: Article) -> None:
    tax = comps[1].model.taxonomy
    for ent in auto.entities:
        fines = [f.label for f in ent.fine_roles]
        assert tax.is_consistent(ent.main_role.label if ent.main_role else None, fines)
        if ent.main_role:
            assert ent.main_role.evidence and 0 <= ent.main_role.confidence <= 1
        for m in ent.mentions:
            assert tax.is_consistent(m.main_role.label if m.main_role else None,
                                     [f.label for f in m.fine_roles])


def test_given_mentions_exact(comps) -> None:
    text = "Putin met Zelensky.\n\nKiev said the talks failed, and Donetsk suffered again."
    given = [GivenMention(start=0, end=5, text="Putin", line=1),
             GivenMention(start=10, end=18, text="Zelensky", line=2),
             GivenMention(start=21, end=25, text="Kiev", line=3),
             GivenMention(start=50, end=57, text="Moscow", line=4),   # wrong text
             GivenMention(start=5, end=999, text="x", line=5)]        # outside the article
    art = run(comps, Article(id="g", text=text, given_mentions=given))[0]
    check_spans(art)
    ms = sorted((m for e in art.entities for m in e.mentions), key=lambda m: m.start)
    assert [(m.start, m.end, m.text) for m in ms] == [(0, 5, "Putin"), (10, 18, "Zelensky"),
                                                      (21, 25, "Kiev")]
    tax = comps[1].model.taxonomy
    for m in ms:
        assert m.main_role is not None and m.fine_roles
        assert tax.is_consistent(m.main_role.label, [f.label for f in m.fine_roles])
    assert sum("line 4" in w for w in art.warnings) == 1
    assert sum("line 5" in w for w in art.warnings) == 1
    empty = run(comps, Article(id="e", text=text, given_mentions=[]))[0]
    assert empty.entities == []


def test_seeds_zelensky_and_kyiv() -> None:
    files = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    if len(files) < 3:
        pytest.skip("../shared/seeds not available")
    comps = (registry.create("sentences"), registry.create("entities"))
    arts = run(comps, *[Article(id=f.stem, text=f.read_text(encoding="utf-8")) for f in files])
    for art in arts:
        check_spans(art)
        zel = [e for e in art.entities if e.canonical == "Volodymyr Zelensky"]
        assert zel, art.id
        assert all(m.text.startswith(("Zelensk", "Volodymyr", "Ukrainian leader"))
                   for m in zel[0].mentions)
    kyiv = {m.text for art in arts for e in art.entities if e.canonical == "Ukrainian government"
            for m in e.mentions}
    assert {"Kiev", "Kyiv"} <= kyiv
    one = next(a for a in arts if "Kyiv" in a.text and "Kiev" in a.text)
    assert len({e.canonical for e in one.entities
                if any(m.text in ("Kiev", "Kyiv") for m in e.mentions)}) == 1


def test_train_roles_command_on_fake_semeval(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from narrascope.cli import app, register_component_commands

    register_component_commands()
    root = make_fake_semeval(tmp_path / "st")
    out = tmp_path / "model"
    res = CliRunner().invoke(app, ["train", "roles", "--semeval-dir", str(root), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert (out / "model.json").exists() and (out / "fine.npz").exists()
    sent = registry.create("sentences")
    ents = registry.create("entities", {"model": str(out)})
    art = Article(id="x", text="Kiev shelled Donetsk.",
                  given_mentions=[GivenMention(start=0, end=4, text="Kiev")])
    art = list(ents.pipe(list(sent.pipe([art]))))[0]
    assert art.entities[0].mentions[0].main_role is not None


def make_fake_semeval(root: Path) -> Path:
    docs = root / "raw-documents"
    docs.mkdir(parents=True)
    texts = {
        "EN_1.txt": "Kiev shelled Donetsk again.\n\nRussia protects the civilians of Donetsk.",
        "EN_2.txt": "Zelensky lies about the losses.\n\nThe residents of Kharkiv suffer every night.",
        "EN_3.txt": "NATO provoked the war.\n\nHungary called for peace talks.",
    }
    lines = []
    for aid, t in texts.items():
        (docs / aid).write_text(t, encoding="utf-8")
    spec = [("EN_1.txt", "Kiev", "Antagonist", "Terrorist"),
            ("EN_1.txt", "Russia", "Protagonist", "Guardian"),
            ("EN_2.txt", "Zelensky", "Antagonist", "Deceiver"),
            ("EN_2.txt", "Kharkiv", "Innocent", "Victim"),
            ("EN_3.txt", "NATO", "Antagonist", "Instigator"),
            ("EN_3.txt", "Hungary", "Protagonist", "Peacemaker")]
    for aid, m, main, fine in spec:
        s = texts[aid].index(m)
        lines.append(f"{aid}\t{m}\t{s}\t{s + len(m) - 1}\t{main}\t{fine}")
    (root / "subtask-1-annotations.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_read_semeval_dir(tmp_path: Path) -> None:
    exs = read_semeval_dir(make_fake_semeval(tmp_path / "st"))
    assert len(exs) == 6
    assert {e.group for e in exs} == {"EN_1.txt", "EN_2.txt", "EN_3.txt"}
    assert all(e.text[e.start:e.end] in {"Kiev", "Russia", "Zelensky", "Kharkiv", "NATO", "Hungary"}
               for e in exs)
