"""Run the narratives component over articles and write SemEval subtask-2 predictions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from narrascope.doc import Article


def st2_line(article: Article, other: str = "Other") -> str:
    """``id TAB narratives TAB subnarratives`` with the coarse list aligned to the fine one."""
    n = article.narratives
    fine = [x.label for x in n.subnarratives] if n else []
    if not fine:
        return f"{article.id}\t{other}\t{other}"
    sep = ": "
    coarse = [sep.join(f.split(sep)[:2]) for f in fine]
    return f"{article.id}\t{';'.join(coarse)}\t{';'.join(fine)}"


def read_txt_articles(paths: Sequence[str | Path]) -> list[Article]:
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.txt")) if p.is_dir() else [p])
    return [Article(id=f.name, text=f.read_text(encoding="utf-8"), path=str(f)) for f in files]


def predict_st2(articles: Iterable[Article], out: str | Path | None = None,
                model: str = "default", taxonomy: str | None = None,
                batch_size: int = 16) -> list[str]:
    """Analyse ``articles`` with sentences -> encoder -> narratives; return/write st2 lines."""
    from narrascope.pipeline import Pipeline

    cfg = {"pipeline": {"components": ["sentences", "encoder", "narratives"]},
           "components": {"narratives": {"model": model,
                                         **({"taxonomy": taxonomy} if taxonomy else {})}}}
    nlp = Pipeline.from_config(cfg)
    lines = [st2_line(a) for a in nlp.pipe(articles, batch_size=batch_size)]
    if out is not None:
        Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return lines
