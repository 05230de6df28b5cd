"""Batch ingest on Ray: the pipeline on a Ray cluster, written into the store.

:func:`ray_ingest` reads and checks the inputs in the driver, leaves out what the store
holds already (id + content hash), and sends the rest through Ray Data: ``map_batches``
with actors (:class:`Analyser`) that each load the models once and analyse a batch of
articles.  The analysed records come back to the driver, which is the only writer: one
store transaction per batch, idempotent by id + content hash.  A worker that dies
mid-batch loses nothing (Ray runs the batch again on another actor) and duplicates
nothing (the store skips an id it holds with the same content hash).

``workers=0`` analyses in the driver process (no Ray), the reference of the benchmark.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["Analyser", "ray_ingest"]


def _pipeline(config: str | Path | None, components: str | None, taxonomy: str | Path | None,
              profile: str | None):  # type: ignore[no-untyped-def]
    from narrascope.pipeline import Pipeline, load_config

    if config is not None:
        cfg = load_config(config)
    else:
        from narrascope.profiles import profile_config

        cfg = profile_config(profile or "default")
    if components:
        names = [c.strip() for c in str(components).split(",") if c.strip()]
        cfg = {**cfg, "pipeline": {**cfg.get("pipeline", {}), "components": names}}
    overrides = {"narratives": {"taxonomy": str(taxonomy)}} if taxonomy else None
    return Pipeline.from_config(cfg, overrides=overrides)


def _set_threads(threads: int | None) -> None:
    if not threads:
        return
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["NARRASCOPE_ENCODER_THREADS"] = str(threads)
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:  # pragma: no cover - torch is a dependency
        pass


def _to_row(art: Any) -> dict[str, Any]:
    import json

    import numpy as np

    vec = getattr(art, "vector", None)
    return {"record": json.dumps(art.to_json_dict()),
            "vector": None if vec is None else np.asarray(vec, np.float32).tobytes()}


def _from_row(row: dict[str, Any]) -> Any:
    import json

    import numpy as np

    from narrascope.doc import Article, upgrade_record

    art = Article.model_validate(upgrade_record(json.loads(row["record"])))
    if row.get("vector") is not None:
        art.vector = np.frombuffer(row["vector"], dtype=np.float32).copy()
    return art


class Analyser:
    """A Ray Data actor: the pipeline, loaded once per worker; one batch in, the analysed
    records out (JSON text + the article vector)."""

    def __init__(self, config: str | None = None, components: str | None = None,
                 taxonomy: str | None = None, profile: str | None = None,
                 threads: int | None = 1, fail_marker: str | None = None) -> None:
        _set_threads(threads)
        self.nlp = _pipeline(config, components, taxonomy, profile)
        self.fail_marker = fail_marker

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        arts = [_from_row({"record": r, "vector": None}) for r in batch["record"]]
        if self.fail_marker and not Path(self.fail_marker).exists():
            # tests: the first worker to get here dies mid-batch, once
            Path(self.fail_marker).write_text(str(os.getpid()))
            os._exit(1)
        errors: list[str] = []

        def on_error(art: Any, msg: str) -> None:
            errors.append(f"{art.id}: {msg}")

        done = list(self.nlp.pipe(arts, batch_size=len(arts) or 1, on_error=on_error))
        rows = [_to_row(a) for a in done]
        return {"record": [r["record"] for r in rows], "vector": [r["vector"] for r in rows]}


def _read(paths: Sequence[str | Path], max_chars: int, date: Any, keep_layers: bool,
          errors: list[tuple[str, str]]) -> Iterator[Any]:
    def on_error(err: Any) -> None:
        print(str(err), file=sys.stderr)
        errors.append((f"{getattr(err, 'path', '')}:{getattr(err, 'line', None) or 1}",
                       getattr(err, "message", str(err))))

    from narrascope.read import read_articles

    for art in read_articles([Path(p) for p in paths], max_chars=max_chars, on_error=on_error,
                             keep_layers=keep_layers):
        if date is not None and art.date is None and not art.components:
            art.date = date
        yield art


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for x in items:
        batch.append(x)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ray_ingest(paths: Sequence[str | Path], db: str | None = None, *, db_url: str | None = None,
               workers: int | None = None, address: str | None = None,
               threads: int | None = 1, config: str | Path | None = None,
               components: str | None = None, taxonomy: str | Path | None = None,
               profile: str | None = None, date: Any = None, batch_size: int | None = None,
               max_chars: int = 2_000_000, vectors: bool = True, reanalyze: bool = False,
               outlets: Any = None, quiet: bool = False, fail_marker: str | None = None,
               **_ignored: Any) -> dict[str, Any]:
    """Analyse ``paths`` on Ray (``workers`` actors of ``threads`` threads each; a local
    cluster of ``workers`` CPUs unless ``address`` names one: ``"auto"``, ``ray://...``)
    and store the results in ``db`` / ``db_url``.  Returns counts and timings."""
    from narrascope.store import open_store
    from narrascope.store.ingest import content_hash, ensure_article_vectors

    url = str(db_url or db or "narrascope.db")
    if "://" not in url:
        url = f"sqlite:///{url}"
    workers = max(0, int(os.cpu_count() or 1) if workers is None else int(workers))
    size = int(batch_size or 16)
    store = open_store(url)
    errors: list[tuple[str, str]] = []
    summary: dict[str, Any] = {"read": 0, "skipped": 0, "written": 0, "replaced": 0,
                               "failures": 0, "workers": workers}
    try:
        if outlets is not None:
            store.load_outlets(outlets)
        todo = []
        for batch in _batches(_read(paths, max_chars, date, not reanalyze, errors), 500):
            summary["read"] += len(batch)
            have = store.existing([a.id for a in batch])
            for art in batch:
                old = have.get(art.id)
                if old is not None and old[0] == content_hash(art.text) and not reanalyze:
                    summary["skipped"] += 1
                else:
                    todo.append(art)
        run_id = store.begin_run(fingerprint=f"ray:{profile or config or 'default'}",
                                 components=[], config={"engine": "ray", "workers": workers},
                                 models={}, command="ingest --engine ray")
        t0 = time.perf_counter()
        if workers == 0:
            _set_threads(threads)
            nlp = _pipeline(config, components, taxonomy, profile)
            results: Iterable[list[Any]] = (
                list(nlp.pipe(b, batch_size=size)) for b in _batches(todo, size))
        else:
            results = _on_ray(todo, workers, address, threads, size, config, components,
                              taxonomy, profile, fail_marker, quiet)
        for done in results:
            if "first_batch_seconds" not in summary:  # models loaded, first batch analysed
                summary["first_batch_seconds"] = round(time.perf_counter() - t0, 3)
                summary["first_batch_articles"] = len(done)
            if vectors:
                ensure_article_vectors(done)
            res = store.ingest_batch(done, run_id=run_id, reanalyzed=reanalyze)
            summary["written"] += res.added
            summary["replaced"] += res.replaced
            summary["skipped"] += res.skipped
            summary["failures"] += res.failures
        summary["pipeline_seconds"] = round(time.perf_counter() - t0, 3)
        store.record_errors(run_id, errors)
        from narrascope.store import IngestResult

        store.finish_run(run_id, IngestResult(added=summary["written"],
                                              replaced=summary["replaced"],
                                              skipped=summary["skipped"],
                                              failures=summary["failures"]))
    finally:
        store.close()
    if not quiet:
        print(f"ray ingest: {summary['read']} read, {summary['written']} stored, "
              f"{summary['skipped']} skipped, {workers} worker(s)", file=sys.stderr)
    return summary


def _on_ray(todo: list[Any], workers: int, address: str | None, threads: int | None,
            size: int, config: Any, components: Any, taxonomy: Any, profile: Any,
            fail_marker: str | None, quiet: bool) -> Iterator[list[Any]]:
    import ray

    started = False
    if not ray.is_initialized():
        if address:
            ray.init(address=address, include_dashboard=False, log_to_driver=not quiet)
        else:
            ray.init(num_cpus=workers * int(threads or 1), include_dashboard=False,
                     log_to_driver=not quiet)
        started = True
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = not quiet
        rows = [{"record": _to_row(a)["record"]} for a in todo]
        if not rows:
            return
        ds = ray.data.from_items(rows, override_num_blocks=max(1, -(-len(rows) // size)))
        out = ds.map_batches(
            Analyser, batch_size=size, batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(size=workers),
            # Ray Data restarts a dead actor and retries its batch by default
            # (max_restarts = max_task_retries = -1); the kill test relies on it
            num_cpus=int(threads or 1),
            fn_constructor_kwargs={"config": str(config) if config else None,
                                   "components": components,
                                   "taxonomy": str(taxonomy) if taxonomy else None,
                                   "profile": profile, "threads": threads,
                                   "fail_marker": fail_marker})
        for batch in out.iter_batches(batch_size=size, batch_format="numpy"):
            yield [_from_row({"record": r, "vector": v})
                   for r, v in zip(batch["record"], batch["vector"], strict=True)]
    finally:
        if started:
            ray.shutdown()
