"""SemEval scorers against hand-computed scores (the arithmetic is in each test)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from narrascope.cli import app
from narrascope.evaluate import EvalInputError, Taxonomy, score_st1, score_st2, score_st3, set_f1

N1, N2, N3 = "URW: Discrediting Ukraine", "URW: Praise of Russia", "CC: Criticism of institutions"


def write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def st2_files(tmp_path: Path) -> tuple[Path, Path]:
    gold = write(tmp_path / "gold.txt", [
        f"A.txt\t{N1};{N1};{N2}\t{N1}: s1;{N1}: s2;{N2}: Other",
        "B.txt\tOther\tOther",
        f"C.txt\t{N3}\t{N3}: s1",
    ])
    pred = write(tmp_path / "pred.txt", [
        "B\tOther\tOther",                # ids match with or without .txt, in any order
        f"A\t{N1}\t{N1}: s1",
        f"D\t{N1}\t{N1}: s1",             # not in gold: ignored, warned
    ])                                     # C has no prediction: scores 0
    return gold, pred


def test_set_f1() -> None:
    assert set_f1({"a", "b"}, {"a"}) == pytest.approx(2 * 1 / (2 + 1))
    assert set_f1(set(), set()) == 1.0 and set_f1({"a"}, set()) == 0.0


def test_st2_hand_computed(st2_files: tuple[Path, Path]) -> None:
    res = score_st2(*st2_files)
    # coarse sets: A gold {N1, N2} vs pred {N1}: 2*1/(2+1) = 2/3; B {Other} vs {Other}: 1; C: 0
    # mean = (2/3 + 1 + 0) / 3 = 5/9; deviations 1/9, 4/9, -5/9 -> var = (1+16+25)/81/3 = 14/81
    assert res.metrics["f1_coarse"] == pytest.approx(5 / 9)
    assert res.metrics["f1_coarse_std"] == pytest.approx(math.sqrt(14) / 9)
    # fine sets: A gold {N1:s1, N1:s2, N2:Other} vs {N1:s1}: 2*1/(3+1) = 0.5; B: 1; C: 0
    # mean = 1.5/3 = 0.5; deviations 0, 0.5, -0.5 -> var = 0.5/3 = 1/6
    assert res.metrics["f1_fine"] == pytest.approx(0.5)
    assert res.metrics["f1_fine_std"] == pytest.approx(math.sqrt(1 / 6))
    joined = " ".join(res.warnings)
    assert "1 gold article(s) have no prediction" in joined and "C" in joined
    assert "1 predicted article(s) are not in the gold file" in joined and "D" in joined


def test_st2_unknown_labels_are_warned(tmp_path: Path, st2_files: tuple[Path, Path]) -> None:
    tax = tmp_path / "tax.yaml"
    tax.write_text("URW:\n  Discrediting Ukraine:\n    - s1\n  Praise of Russia: []\n", encoding="utf-8")
    res = score_st2(*st2_files, taxonomy=Taxonomy.load(tax))
    unknown = [w for w in res.warnings if "not in the taxonomy" in w]
    assert len(unknown) == 0  # every predicted label is known (s1 under Discrediting Ukraine)
    write(st2_files[1], ["A\tURW: Made up\tURW: Made up: thing"])
    res = score_st2(*st2_files, taxonomy=Taxonomy.load(tax))
    assert any("2 predicted label(s) not in the taxonomy" in w for w in res.warnings)


def test_st1_hand_computed(tmp_path: Path) -> None:
    gold = write(tmp_path / "gold.txt", [
        "a.txt\tKyiv\t0\t3\tProtagonist\tGuardian",
        "a.txt\tPutin\t10\t14\tAntagonist\tTyrant\tCorrupt",
        "b.txt\tkids\t0\t3\tInnocent\tVictim",
    ])
    pred = write(tmp_path / "pred.txt", [
        "a.txt\tKyiv\t0\t3\tProtagonist\tGuardian",          # exact
        "a.txt\tPutin\t10\t14\tAntagonist\tTyrant",          # main ok, 1 of 2 fine roles
        "b.txt\tkids\t0\t3\tAntagonist\tVictim",             # main wrong, fine role right
        "a.txt\tNATO\t20\t23\tProtagonist\tPeacemaker",      # no gold mention: false positive
    ])
    res = score_st1(gold, pred)
    # EMR: only the first of 3 gold mentions matches exactly -> 1/3
    assert res.metrics["emr"] == pytest.approx(1 / 3)
    # main role right for 2 of 3 gold mentions
    assert res.metrics["main_role_accuracy"] == pytest.approx(2 / 3)
    # fine roles: TP = 1 + 1 + 1 = 3; predicted = 1 + 1 + 1 + 1 = 4; gold = 1 + 2 + 1 = 4
    assert res.metrics["micro_precision"] == pytest.approx(3 / 4)
    assert res.metrics["micro_recall"] == pytest.approx(3 / 4)
    assert res.metrics["micro_f1"] == pytest.approx(0.75)
    joined = " ".join(res.warnings)
    assert "match no gold mention" in joined
    assert "Antagonist/Victim" in joined  # role outside the taxonomy


def test_empty_gold_is_an_error(tmp_path: Path) -> None:
    gold = write(tmp_path / "g.txt", [""])
    with pytest.raises(EvalInputError):
        score_st2(gold, gold)


def test_cli_evaluate_st2_and_st1(st2_files: tuple[Path, Path], tmp_path: Path) -> None:
    gold, pred = st2_files
    r = CliRunner().invoke(app, ["evaluate", "st2", "--gold", str(gold), "--pred", str(pred)])
    assert r.exit_code == 0, r.output
    assert "F1 coarse (samples): 0.5556 (0.4157)" in r.stdout
    assert "F1 fine (samples):   0.5000 (0.4082)" in r.stdout
    assert "warning: 1 gold article(s) have no prediction" in r.stderr
    r = CliRunner().invoke(app, ["evaluate", "st2", "--gold", str(gold), "--pred", str(tmp_path / "nope")])
    assert r.exit_code == 2 and "no such file" in r.stderr


def test_st3_uses_minilm_cosine_and_says_so(tmp_path: Path) -> None:
    gold = write(tmp_path / "g.txt", ["a\tThe West is tired of Ukraine.", "b\tRussia is strong."])
    pred = write(tmp_path / "p.txt", ["a\tThe West is tired of Ukraine."])
    res = score_st3(gold, pred)
    # a: identical texts -> cosine 1; b: no prediction -> 0; mean 0.5, population std 0.5
    assert res.metrics["minilm_cosine"] == pytest.approx(0.5, abs=1e-4)
    assert res.metrics["minilm_cosine_std"] == pytest.approx(0.5, abs=1e-4)
    assert "BERTScore" in res.notes[0] and "not available offline" in res.notes[0]
    r = CliRunner().invoke(app, ["evaluate", "st3", "--gold", str(gold), "--pred", str(pred)])
    assert r.exit_code == 0 and "note: BERTScore" in r.stdout and "MiniLM cosine" in r.stdout


SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.skipif(not (SEEDS / "labels-st2.tsv").is_file(), reason="../shared/seeds is missing")
def test_seed_labels_are_in_the_shipped_taxonomy_and_score_1_against_themselves() -> None:
    tax = Taxonomy.load()
    if tax is None:
        pytest.skip("no taxonomy shipped yet")
    labels = SEEDS / "labels-st2.tsv"
    res = score_st2(labels, labels, taxonomy=tax)
    assert res.metrics["f1_coarse"] == res.metrics["f1_fine"] == 1.0
    assert res.metrics["f1_fine_std"] == 0.0
    assert res.warnings == []


def test_malformed_lines_are_warned_with_file_and_line(tmp_path: Path) -> None:
    gold = write(tmp_path / "g.txt", ["a\tKyiv\t0\t3\tProtagonist\tGuardian", "a\tbad\tx\t3\tInnocent"])
    r = CliRunner().invoke(app, ["evaluate", "st1", "--gold", str(gold), "--pred", str(gold)])
    assert r.exit_code == 0
    assert f"{gold}:2: warning: start/end are not integers; skipped" in r.stderr.splitlines()
    assert "EMR:                1.0000" in r.stdout


def test_ids_from_subfolders_match_gold_ids() -> None:
    from narrascope.evaluate.io import norm_id

    assert norm_id("raw-documents/EN_UA_1.txt") == norm_id("EN_UA_1.txt") == norm_id("EN_UA_1")
    assert norm_id("a/b/EN_CC_2.txt") == "EN_CC_2"


def test_separation_auc() -> None:
    import math

    from narrascope.evaluate.labels import separation_auc

    assert separation_auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert separation_auc([0.1], [0.9]) == 0.0
    assert separation_auc([0.5], [0.5]) == 0.5
    assert math.isnan(separation_auc([], [0.1]))
