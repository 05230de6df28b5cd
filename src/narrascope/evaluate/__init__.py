"""Scorers for the SemEval-2025 Task 10 subtasks (``narrascope evaluate``)."""

from __future__ import annotations

from narrascope.evaluate.io import EvalInputError
from narrascope.evaluate.scores import ST3_NOTE, Result, score_st1, score_st2, score_st3, set_f1
from narrascope.evaluate.taxonomy import Taxonomy

__all__ = ["ST3_NOTE", "EvalInputError", "Result", "Taxonomy", "score_st1", "score_st2",
           "score_st3", "set_f1"]
