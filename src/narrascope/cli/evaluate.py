"""``narrascope evaluate``: score prediction files with the SemEval metrics."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from narrascope.cli.app import app
from narrascope.cli.common import fail, shown


class Task(StrEnum):
    st1 = "st1"
    st2 = "st2"
    st3 = "st3"

@app.command()
def evaluate(
    task: Annotated[Task, typer.Argument(help="Subtask: st1 (entity framing), st2 (narratives), "
                                         "st3 (explanations).", metavar="st1|st2|st3")],
    gold: Annotated[Path, typer.Option("--gold", help="Gold file in the task's format.")],
    pred: Annotated[Path, typer.Option("--pred", help="Predictions in the task's format.")],
    taxonomy: Annotated[Path | None, typer.Option(
        "--taxonomy", help="st2: taxonomy for label warnings (default: the shipped one).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score predictions with the SemEval-2025 Task 10 metrics (articles matched by id).

    Example: narrascope evaluate st2 --gold dev/subtask-2-annotations.txt --pred pred.txt
    """
    from narrascope.evaluate import EvalInputError, Taxonomy, score_st1, score_st2, score_st3

    for opt, p in (("--gold", gold), ("--pred", pred)):
        if not p.is_file():
            raise fail(f"{opt} {p}: no such file")
    try:
        if task is Task.st1:
            res = score_st1(gold, pred)
        elif task is Task.st2:
            res = score_st2(gold, pred, Taxonomy.load(taxonomy))
        else:
            res = score_st3(gold, pred)
    except EvalInputError as exc:
        print(shown(exc, None), file=sys.stderr)
        raise typer.Exit(1) from None
    for w in res.warnings:  # file problems already read "path:line: warning: ..."
        print(shown(w if ": warning: " in w else f"warning: {w}", None), file=sys.stderr)
    if as_json:
        print(json.dumps(res.as_dict(), indent=2))
        return
    for note in res.notes:
        print(f"note: {shown(note, None)}")
    m = res.metrics
    if task is Task.st2:
        print(f"F1 coarse (samples): {m['f1_coarse']:.4f} ({m['f1_coarse_std']:.4f})")
        print(f"F1 fine (samples):   {m['f1_fine']:.4f} ({m['f1_fine_std']:.4f})")
    elif task is Task.st1:
        print(f"EMR:                {m['emr']:.4f}")
        print(f"micro P / R / F1:   {m['micro_precision']:.4f} / {m['micro_recall']:.4f} / "
              f"{m['micro_f1']:.4f}")
        print(f"main-role accuracy: {m['main_role_accuracy']:.4f}")
    else:
        print(f"MiniLM cosine similarity: {m['minilm_cosine']:.4f} ({m['minilm_cosine_std']:.4f})")
    print(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in res.counts.items()))


