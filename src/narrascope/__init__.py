"""narrascope: make the manipulation in news articles visible, with evidence.

>>> import narrascope
>>> nlp = narrascope.load()                      # the default pipeline
>>> art = nlp(narrascope.Article(id="x", text="..."))
"""

from __future__ import annotations

from narrascope.doc import (
    NOTICE,
    SCHEMA_VERSION,
    Article,
    Entity,
    Evidence,
    FactCheck,
    Label,
    Mention,
    Narratives,
    Sentence,
    Span,
    Techniques,
)
from narrascope.pipeline import Pipeline, load_config
from narrascope.registry import Component, registry

__version__ = "0.1.0"


def load(config: str | dict | None = None) -> Pipeline:
    """Build the pipeline named by ``config`` (a path or dict); default: the packaged one."""
    return Pipeline.from_config(config)


def __getattr__(name: str) -> object:
    if name == "Corpus":  # imported on first use (SQLAlchemy, pandas)
        from narrascope.store.frames import Corpus

        return Corpus
    raise AttributeError(f"module 'narrascope' has no attribute {name!r}")


__all__ = [
    "Corpus", "NOTICE", "SCHEMA_VERSION", "Article", "Component", "Entity", "Evidence", "FactCheck",
    "Label", "Mention", "Narratives", "Pipeline", "Sentence", "Span", "Techniques",
    "__version__", "load", "load_config", "registry",
]
