"""Run the narratives component over articles and write SemEval subtask-2 predictions.

The lines come from :func:`narrascope.write.semeval.st2_line`, the function behind
``narrascope analyze --format semeval-st2``, so both write the same file: an article
whose id holds a tab or a line break is left out with a warning (a changed id would
not match the gold file).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from narrascope.doc import Article
from narrascope.write.semeval import left_out_warning, st2_line, unsafe_id

__all__ = ["predict_st2", "read_txt_articles", "st2_line", "st2_lines"]


def _warn(msg: str) -> None:
    print(f"warning: {msg}", file=sys.stderr)


def st2_lines(articles: Iterable[Article],
              on_warning: Callable[[str], None] | None = _warn) -> list[str]:
    """The subtask-2 line of each article; an id with a tab or a line break is left out.

    For each article left out, the warning goes to ``article.warnings`` and to
    ``on_warning`` (default: stderr; None: nowhere else).
    """
    lines: list[str] = []
    for art in articles:
        if unsafe_id(art.id):
            msg = left_out_warning(art.id, "subtask-2 predictions")
            art.warnings.append(msg)
            if on_warning is not None:
                on_warning(msg)
            continue
        lines.append(st2_line(art))
    return lines


def read_txt_articles(paths: Sequence[str | Path]) -> list[Article]:
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.txt")) if p.is_dir() else [p])
    return [Article(id=f.name, text=f.read_text(encoding="utf-8"), path=str(f)) for f in files]


def predict_st2(articles: Iterable[Article], out: str | Path | None = None,
                model: str = "default", taxonomy: str | None = None,
                batch_size: int = 16,
                on_warning: Callable[[str], None] | None = _warn) -> list[str]:
    """Analyse ``articles`` with sentences -> encoder -> narratives; return/write st2 lines.

    Articles whose id cannot go in a TSV row are left out (see :func:`st2_lines`).
    """
    from narrascope.pipeline import Pipeline

    cfg = {"pipeline": {"components": ["sentences", "encoder", "narratives"]},
           "components": {"narratives": {"model": model,
                                         **({"taxonomy": taxonomy} if taxonomy else {})}}}
    nlp = Pipeline.from_config(cfg)
    lines = st2_lines(nlp.pipe(articles, batch_size=batch_size), on_warning)
    if out is not None:
        Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines
