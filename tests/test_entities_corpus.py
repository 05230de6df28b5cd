"""The whole-article role corpus: file format, checker errors, and one feature code path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from narrascope.components.entities.corpus import CorpusError, main, read_marked_articles
from narrascope.components.entities.features import n_features, resolve_canonicals
from narrascope.components.entities.stance import mention_side
from narrascope.train.entities import training as T

GOOD = """# comment
### t-1 | domain=URW | slant=pro-kremlin | register=wire
 date 2025-03-02 [[The Kiev regime|A:Incompetent]] failed again.

[[Russia|P:Guardian,Peacemaker]] stood firm, [[Reuters|N]] reported.
### t-2 | domain=CC | slant=cc-skeptic
[[Greta Thunberg|A:Instigator]] spoke.
"""


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "docs.txt"
    p.write_text(text, encoding="utf-8")
    return p


def test_marks_become_records_with_exact_offsets(tmp_path: Path) -> None:
    recs = read_marked_articles(write(tmp_path, GOOD))
    assert [r["mention"] for r in recs] == ["Kiev regime", "Russia", "Reuters", "Greta Thunberg"]
    for r in recs:
        assert r["text"][r["start"]:r["end"]] == r["mention"]
        assert "[[" not in r["text"] and r["synthetic"] is True
    assert recs[1]["fine_roles"] == ["Guardian", "Peacemaker"]
    assert recs[2]["main_role"] is None and recs[2]["fine_roles"] == []
    assert recs[0]["template"] == recs[1]["template"] == "doc/t-1"
    assert recs[3]["domain"] == "CC" and recs[0]["slant"] == "pro-kremlin"


@pytest.mark.parametrize("bad, message", [
    ("### a\n[[Russia|P:Instigator]] x\n", "not a Protagonist role"),
    ("### a\n[[Russia|P]] x\n", "needs at least one fine role"),
    ("### a\n[[Russia|N:Victim]] x\n", "takes no fine roles"),
    ("### a\n[[Russia|A:Villain]] x\n", "unknown fine role"),
    ("### a\n[[Russia|Q:Victim]] x\n", "malformed mark"),
    ("### a\n[[Russia|A:Tyrant]] x\n### a\n[[Kiev|A:Tyrant]]\n", "duplicate article id"),
    ("text first\n### a\n[[Kiev|A:Tyrant]]\n", "before the first"),
    ("### a\nno marks at all\n", "has no marks"),
])
def test_checker_names_file_and_line(tmp_path: Path, bad: str, message: str) -> None:
    p = write(tmp_path, bad)
    with pytest.raises(CorpusError, match=message) as err:
        read_marked_articles(p)
    assert str(p) in str(err.value)


def test_checker_cli_exit_codes(tmp_path: Path, capsys) -> None:
    assert main([str(write(tmp_path, GOOD))]) == 0
    assert "2 articles" in capsys.readouterr().out
    assert main([str(tmp_path / "missing.txt")]) == 1


def test_shipped_corpus_is_valid_and_balanced() -> None:
    docs = T.read_docs(T.default_data_dir())
    tax = __import__("narrascope.components.entities.model", fromlist=["x"]).load_taxonomy()
    assert len({d.group for d in docs}) >= 100
    roled = [d for d in docs if d.main]
    for d in docs:
        assert tax.is_consistent(d.main, d.fines)
    share = sum(d.main == "Antagonist" for d in roled) / len(roled)
    assert 0.5 < share < 0.7
    held = {d.group for d in docs if T.is_heldout_doc(d.group)}
    assert 0.2 < len(held) / len({d.group for d in docs}) < 0.4


def test_surname_resolves_to_full_name_in_article() -> None:
    from narrascope.components.entities.aliases import load_table

    table = load_table(None)
    got = resolve_canonicals(table, ["Martin Cole", "Cole", "the Kiev regime", "Kiev regime's",
                                     "Zelenskiy", "climate activists"])
    assert got[:2] == ["Martin Cole", "Martin Cole"]
    assert got[2] == got[3] == "Ukrainian government"
    assert got[4] == "Volodymyr Zelensky"
    assert got[5] == "climate activists"  # case kept, not in the table


def test_sides_cover_both_domains() -> None:
    assert mention_side(None, "climate activists") == "green"
    assert mention_side(None, "the oil majors") == "fossil"
    assert mention_side(None, "Dutch farmers") == "civilian"
    assert mention_side("green", "Greta Thunberg") == "green"


def test_training_features_equal_analysis_features(tmp_path: Path) -> None:
    """Training embeds examples with the same code the component runs at analysis time."""
    from narrascope.components.entities.aliases import load_table
    from narrascope.components.entities.component import ensure_sentences, mention_ref
    from narrascope.components.entities.features import build, side_of
    from narrascope.read.text import parse_text

    docs = [d for d in T.read_docs(T.default_data_dir())][:12]
    group = docs[0].group
    exs = [d for d in docs if d.group == group]
    X_train = T.embed_examples(exs, cache_dir=tmp_path / "no-cache-yet")
    assert X_train.shape == (len(exs), n_features())
    table = load_table(None)
    art = parse_text(exs[0].text, group)
    ensure_sentences(art)
    starts = [s.start for s in art.sentences]
    surfaces = [e.text[e.start:e.end] for e in exs]
    refs = [mention_ref(art, starts, e.start, e.end, c, side_of(table, c, s))
            for e, c, s in zip(exs, resolve_canonicals(table, surfaces), surfaces, strict=True)]
    X_run = build([art], [refs])
    np.testing.assert_allclose(X_train, X_run, atol=1e-5)
