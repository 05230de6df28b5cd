"""The ingest loop: read, skip what is stored, analyse the rest, add vectors, store.

Used by ``narrascope ingest`` and the benchmarks.  Every batch is one transaction,
so an interrupted ingest (even ``kill -9``) loses at most the batch in flight; run
the same command again and it resumes: the articles stored before are recognised by
id and content hash and skipped before any analysis.
"""

from __future__ import annotations

import gc
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from narrascope.doc import Article
from narrascope.store.records import article_vector, content_hash
from narrascope.store.store import IngestResult, Store

#: Sentences of an article averaged into its vector (the first ones carry the topic).
VECTOR_SENTENCES = 64


def pipeline_info(pipeline: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(fingerprint, config, models) of a pipeline: what a run records.

    The fingerprint changes when the components, their options, the narrascope
    version or a model file changes; ``--reanalyze`` re-analyses articles whose
    stored fingerprint differs.
    """
    from narrascope import __version__

    models: dict[str, Any] = {}
    for name, comp in getattr(pipeline, "components", []):
        info: dict[str, Any] = {"class": f"{type(comp).__module__}.{type(comp).__qualname__}"}
        for attr in ("version", "model_version", "model_name", "model_hash", "model_sha256",
                     "sha256"):
            v = getattr(comp, attr, None)
            if isinstance(v, str | int | float):
                info[attr] = v
        if name == "encoder":
            from narrascope.components import encoder

            info["model"] = encoder.MODEL_NAME
            info["sha256"] = encoder.MODEL_SHA256
        models[name] = info
    config = getattr(pipeline, "config", {}) or {}
    config = json.loads(json.dumps(config, default=str))
    blob = json.dumps({"v": __version__, "config": config, "models": models}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:32], config, models


def set_article_vector(article: Article, vec: np.ndarray) -> None:
    try:
        article.vector = vec  # type: ignore[attr-defined]
    except (AttributeError, ValueError):  # data model without the vector attribute
        article.cache["article_vector"] = vec


def ensure_article_vectors(articles: list[Article], encode: Callable[..., np.ndarray] | None = None
                           ) -> int:
    """Give every article without a vector one: the L2-normalised mean of the encoder's
    vectors of its content sentences (title + the start of the text when it has no
    sentences).  One encoder call for the batch; returns how many were computed."""
    todo = [a for a in articles if article_vector(a) is None]
    if not todo:
        return 0
    if encode is None:
        from narrascope.components.encoder import encode
    texts: list[str] = []
    spans: list[tuple[int, int]] = []
    for art in todo:
        sents = [s.text[:1000] for s in art.content_sentences[:VECTOR_SENTENCES] if s.text.strip()]
        if not sents:
            head = art.text[:2000]
            sents = [t for t in (art.title, head) if t and t.strip()] or [art.text[:2000]]
        spans.append((len(texts), len(texts) + len(sents)))
        texts.extend(sents)
    vecs = encode(texts)
    for art, (s, e) in zip(todo, spans, strict=True):
        v = np.asarray(vecs[s:e], dtype=np.float32).mean(axis=0)
        norm = float(np.linalg.norm(v))
        set_article_vector(art, v / norm if norm > 0 else v)
    return len(todo)


@dataclass
class IngestStats(IngestResult):
    read: int = 0
    analysed: int = 0
    vectors_computed: int = 0


def _chunks(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    batch: list[Article] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


#: Allocations between two young-generation collections while ingesting (Python's
#: default is 700).  A batch of validated records is hundreds of thousands of small
#: objects without reference cycles (freed by reference counting); at the default the
#: collector ran over them (and every long-lived object) again and again: about a third
#: of the reading time.
GC_THRESHOLD = 100_000


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage rarely, and never scan the objects alive now (modules, models)."""
    old = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(max(old[0], GC_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def ingest_stream(
    articles: Iterable[Article], store: Store, *, get_pipeline: Callable[[], Any] | None,
    run_id: int | None = None, fingerprint: str | None = None, reanalyze: bool = False,
    batch_size: int = 256, on_error: Callable[[Article, str], None] | None = None,
    vectors: bool = True, on_batch: Callable[[IngestStats], None] | None = None,
    encode: Callable[..., np.ndarray] | None = None,
) -> IngestStats:
    """Ingest ``articles`` into ``store``; analyse those without layers (all, with
    ``reanalyze``, except those stored by the same pipeline ``fingerprint``)."""
    with fewer_collections():
        return _ingest_stream(articles, store, get_pipeline=get_pipeline, run_id=run_id,
                              fingerprint=fingerprint, reanalyze=reanalyze,
                              batch_size=batch_size, on_error=on_error, vectors=vectors,
                              on_batch=on_batch, encode=encode)


def _ingest_stream(
    articles: Iterable[Article], store: Store, *, get_pipeline: Callable[[], Any] | None,
    run_id: int | None, fingerprint: str | None, reanalyze: bool, batch_size: int,
    on_error: Callable[[Article, str], None] | None, vectors: bool,
    on_batch: Callable[[IngestStats], None] | None, encode: Callable[..., np.ndarray] | None,
) -> IngestStats:
    stats = IngestStats()
    for batch in _chunks(articles, batch_size):
        stats.read += len(batch)
        have = store.existing([a.id for a in batch])
        keep: list[Article] = []
        for art in batch:
            old = have.get(art.id)
            if old is not None and old[0] == content_hash(art.text) and not (
                    reanalyze and old[1] != fingerprint):
                stats.skipped += 1
                continue
            keep.append(art)
        if not keep:
            if on_batch:
                on_batch(stats)
            continue
        need = [a for a in keep if reanalyze or not a.components]
        need_ids = {id(a) for a in need}
        if need:
            if get_pipeline is None:
                raise ValueError("articles without analysis need a pipeline")
            pipeline = get_pipeline()
            if fingerprint is None:  # the pipeline was built for this batch
                fingerprint = pipeline_info(pipeline)[0]
            done = pipeline.run_batch(need, on_error)
            by_id = {id(a): a for a in done}
            stats.analysed += len(need)
            keep = [by_id.get(id(a), a) for a in keep]
        fps = [fingerprint if id(a) in need_ids else None for a in keep]
        if vectors:
            stats.vectors_computed += ensure_article_vectors(keep, encode)
        res = store.ingest_batch(keep, run_id=run_id, fingerprint=fps, reanalyzed=reanalyze)
        stats.added += res.added
        stats.replaced += res.replaced
        stats.skipped += res.skipped
        stats.failures += res.failures
        if on_batch:
            on_batch(stats)
    return stats
