"""An OpenAI-compatible chat backend: retries, a disk cache, accounting, one warning.

Configured in a pipeline config as ``[backends.llm]`` (any name works; components pick
one with their ``backend`` option)::

    [backends.llm]
    base_url = "http://127.0.0.1:8000/v1"   # vLLM, llama.cpp server, Ollama, a hosted API
    model = "my-model"
    api_key_env = "OPENAI_API_KEY"          # name of the variable holding the key (optional)
    timeout = 60                            # seconds per request
    max_concurrency = 4                     # requests in flight at once
    max_tokens = 1024
    temperature = 0
    cache_dir = "~/.cache/narrascope/llm"   # answers kept by (model, prompt version, text)

The official ``openai`` client is imported only when a request is made, so it is needed
only when a backend is configured (``pip install 'narrascope[llm]'``).

Failures fall in two kinds:

* the endpoint is unusable (connection refused, timeouts, 429/5xx after the retries,
  401/403/404, no key): :class:`BackendUnavailable`.  The backend stays *down* for
  ``retry_down`` seconds (no more requests, no more waiting) and produces **one**
  warning naming the endpoint (:meth:`LLMBackend.take_warning`); the components keep
  the offline labels;
* one answer is unusable (malformed or truncated JSON, not the requested schema):
  :class:`AnswerError`; that article keeps its offline labels.  ``max_bad_answers``
  unusable answers in a row (default 5) count as a failing endpoint.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

#: Answers are parsed as JSON objects; reasoning models may wrap them in these.
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)

MAX_BACKOFF_S = 30.0


class BackendUnavailable(RuntimeError):
    """The endpoint cannot be used now (unreachable, failing, refusing the key)."""


class AnswerError(ValueError):
    """One answer cannot be used (malformed, truncated, not following the schema)."""


@dataclass
class LLMConfig:
    """The options of a ``[backends.NAME]`` section (see the module docstring)."""

    base_url: str = "http://127.0.0.1:8000/v1"
    model: str = "default"
    api_key_env: str | None = None
    timeout: float = 60.0
    max_concurrency: int = 4
    max_tokens: int = 1024
    temperature: float = 0.0
    cache_dir: str | None = None
    max_retries: int = 3
    backoff: float = 1.0
    structured: str = "json_schema"
    retry_down: float = 300.0
    seed: int | None = None
    max_bad_answers: int = 5

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, name: str = "llm") -> LLMConfig:
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(k for k in data if k not in known)
        if unknown:
            raise ValueError(f"[backends.{name}] does not take option(s) {', '.join(unknown)}; "
                             f"it takes: {', '.join(sorted(known))}")
        cfg = cls(**data)
        cfg.timeout = float(cfg.timeout)
        cfg.max_concurrency = max(1, int(cfg.max_concurrency))
        cfg.max_tokens = max(1, int(cfg.max_tokens))
        cfg.temperature = float(cfg.temperature)
        cfg.max_retries = max(0, int(cfg.max_retries))
        cfg.backoff = max(0.0, float(cfg.backoff))
        cfg.retry_down = max(0.0, float(cfg.retry_down))
        cfg.max_bad_answers = max(1, int(cfg.max_bad_answers))
        if cfg.structured not in ("json_schema", "json_object", "none"):
            raise ValueError(f"[backends.{name}] structured = {cfg.structured!r}: want "
                             "'json_schema', 'json_object' or 'none'")
        if not str(cfg.base_url).startswith(("http://", "https://")):
            raise ValueError(f"[backends.{name}] base_url = {cfg.base_url!r}: want an "
                             "http:// or https:// URL ending in /v1")
        cfg.base_url = str(cfg.base_url).rstrip("/")
        return cfg


@dataclass
class Stats:
    """What one backend did during a run (the run summary prints it)."""

    requests: int = 0          # HTTP requests sent (retries included)
    answers: int = 0           # requests that returned a usable answer
    cache_hits: int = 0
    retries: int = 0
    failed: int = 0            # calls that gave up (endpoint or answer unusable)
    unusable: int = 0          # answers that could not be used
    skipped: int = 0           # calls not made because the endpoint was down
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0       # wall time spent in requests (summed over threads)
    by_step: dict[str, int] = field(default_factory=dict)


def parse_json_answer(content: str) -> Any:
    """The JSON object in an answer: the whole text, else a fenced block, else the first
    ``{...}`` that decodes (the tolerant fallback for servers without schema support)."""
    text = _THINK.sub("", content or "").strip()
    if not text:
        raise AnswerError("empty answer")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    for block in _FENCE.findall(text):
        try:
            return json.loads(block.strip())
        except json.JSONDecodeError:
            continue
    decoder = json.JSONDecoder()
    for m in re.finditer(r"[{\[]", text):
        try:
            obj, _end = decoder.raw_decode(text, m.start())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            return obj
    raise AnswerError("malformed JSON in the answer")


def check_schema(obj: Any, schema: dict[str, Any]) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    err = next(iter(sorted(validator.iter_errors(obj), key=lambda e: list(e.path))), None)
    if err is not None:
        where = "/".join(map(str, err.path)) or "(root)"
        raise AnswerError(f"answer does not follow the schema at {where}: {err.message[:200]}")


class LLMBackend:
    """One OpenAI-compatible endpoint, shared by the components that name it."""

    def __init__(self, config: LLMConfig | dict[str, Any], name: str = "llm") -> None:
        self.name = name
        self.config = config if isinstance(config, LLMConfig) else LLMConfig.from_dict(config, name)
        self.stats = Stats()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(self.config.max_concurrency)
        self._client: Any = None
        self._structured = self.config.structured
        self._down_until = 0.0
        self._down_reason = ""
        self._warned = False
        self._pending_warning: str | None = None
        self._bad_streak = 0

    # ------------------------------------------------------------------ public
    @property
    def endpoint(self) -> str:
        return f"{self.config.base_url} (model {self.config.model})"

    def complete_json(self, messages: list[dict[str, str]], schema: dict[str, Any], *,
                      schema_name: str, prompt_version: str, step: str = "") -> dict[str, Any]:
        """Send one chat request and return the answer's JSON object (checked against
        ``schema``); served from the cache when the same request was answered before."""
        key = self.cache_key(messages, schema, prompt_version)
        cached = self._cache_get(key)
        if cached is not None:
            try:
                obj = parse_json_answer(cached)
                check_schema(obj, schema)
                with self._lock:
                    self.stats.cache_hits += 1
                return obj
            except AnswerError:
                pass  # a stale or damaged entry: ask again
        self._check_up()
        try:
            content = self._chat(messages, schema, schema_name, step)
            try:
                obj = parse_json_answer(content)
                if not isinstance(obj, dict):
                    raise AnswerError("the answer is not a JSON object")
                check_schema(obj, schema)
            except AnswerError:
                with self._lock:
                    self.stats.unusable += 1
                    self.stats.failed += 1
                raise
        except AnswerError as exc:
            with self._lock:
                self._bad_streak += 1
                streak = self._bad_streak
            if streak >= self.config.max_bad_answers:  # a server that never answers usably
                with self._lock:
                    self._bad_streak = 0
                raise self._mark_down(f"{streak} unusable answers in a row, the last: {exc}",
                                      count=False) from None
            raise
        with self._lock:
            self._bad_streak = 0
        self._cache_put(key, content, prompt_version)
        return obj

    def take_warning(self) -> str | None:
        """The one "endpoint unreachable" warning of the run, once (then None)."""
        with self._lock:
            msg, self._pending_warning = self._pending_warning, None
            return msg

    @property
    def down(self) -> bool:
        with self._lock:
            return time.monotonic() < self._down_until

    def summary(self) -> str:
        s = self.stats
        line = (f"LLM backend '{self.name}' {self.endpoint}: {s.answers} answer(s) from "
                f"{s.requests} request(s) ({s.retries} retried), {s.cache_hits} from the cache, "
                f"{s.failed} failed ({s.unusable} unusable); {s.prompt_tokens:,} prompt + "
                f"{s.completion_tokens:,} completion tokens; {s.seconds:.1f} s in requests")
        if s.skipped:
            line += f"; {s.skipped} call(s) skipped while the endpoint was unreachable"
        return line

    def stats_dict(self) -> dict[str, Any]:
        return asdict(self.stats)

    # ------------------------------------------------------------------- cache
    def cache_key(self, messages: list[dict[str, str]], schema: dict[str, Any],
                  prompt_version: str) -> str:
        """sha256 over (model, prompt version, hash of the prompt text and schema)."""
        text = json.dumps({"messages": messages, "schema": schema}, sort_keys=True,
                          ensure_ascii=False)
        text_hash = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return hashlib.sha256(f"{self.config.model}\x00{prompt_version}\x00{text_hash}"
                              .encode()).hexdigest()

    def _cache_path(self, key: str) -> Path | None:
        if not self.config.cache_dir:
            return None
        return Path(self.config.cache_dir).expanduser() / key[:2] / f"{key}.json"

    def _cache_get(self, key: str) -> str | None:
        path = self._cache_path(key)
        if path is None or not path.is_file():
            return None
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            return str(entry["content"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _cache_put(self, key: str, content: str, prompt_version: str) -> None:
        path = self._cache_path(key)
        if path is None:
            return
        entry = {"model": self.config.model, "prompt_version": prompt_version,
                 "content": content}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False)
            os.replace(tmp, path)  # atomic: a concurrent reader sees all or nothing
        except OSError:
            pass  # a read-only or full cache never stops a run

    # ----------------------------------------------------------------- request
    def _check_up(self) -> None:
        with self._lock:
            if time.monotonic() < self._down_until:
                self.stats.skipped += 1
                raise BackendUnavailable(self._down_reason)

    def _mark_down(self, reason: str, count: bool = True) -> BackendUnavailable:
        with self._lock:
            self.stats.failed += int(count)
            self._down_until = time.monotonic() + self.config.retry_down
            self._down_reason = reason
            if not self._warned:
                self._warned = True
                self._pending_warning = (
                    f"LLM endpoint {self.endpoint} is unreachable or failing ({reason}); "
                    "the LLM components keep the offline labels")
        return BackendUnavailable(reason)

    def client(self) -> Any:
        if self._client is None:
            try:
                import openai
            except ImportError as exc:
                raise self._mark_down("the 'openai' package is not installed: "
                                      "pip install 'narrascope[llm]'") from exc
            key = "not-needed"
            if self.config.api_key_env:
                key = os.environ.get(self.config.api_key_env, "")
                if not key:
                    raise self._mark_down(f"environment variable {self.config.api_key_env} "
                                          "is not set")
            self._client = openai.OpenAI(base_url=self.config.base_url, api_key=key,
                                         timeout=self.config.timeout, max_retries=0)
        return self._client

    def _response_format(self, schema: dict[str, Any], schema_name: str) -> dict[str, Any] | None:
        if self._structured == "json_schema":
            return {"type": "json_schema",
                    "json_schema": {"name": schema_name, "schema": schema, "strict": True}}
        if self._structured == "json_object":
            return {"type": "json_object"}
        return None

    def _request(self, call: Callable[[], Any], step: str) -> Any:
        """``call()`` within the concurrency bound, counted, retried with backoff on 429,
        5xx, timeouts and dropped connections; the endpoint is marked down when the
        retries run out (or on 401/403/404).  ``BadRequestError`` is left to the caller."""
        import openai

        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                with self._slots:
                    with self._lock:
                        self.stats.requests += 1
                        if step:
                            self.stats.by_step[step] = self.stats.by_step.get(step, 0) + 1
                    try:
                        return call()
                    finally:
                        with self._lock:
                            self.stats.seconds += time.perf_counter() - started
            except (openai.AuthenticationError, openai.PermissionDeniedError,
                    openai.NotFoundError) as exc:
                raise self._mark_down(_describe(exc)) from None
            except openai.BadRequestError:
                raise
            except (openai.RateLimitError, openai.InternalServerError,
                    openai.APIConnectionError, openai.APIStatusError) as exc:
                status = getattr(exc, "status_code", None)
                if (isinstance(exc, openai.APIStatusError) and status is not None
                        and status < 500 and status not in (408, 409, 429)):
                    with self._lock:
                        self.stats.failed += 1
                    raise AnswerError(f"request rejected: {_describe(exc)}") from None
                if attempt >= self.config.max_retries:
                    raise self._mark_down(_describe(exc)) from None
                wait = _retry_after(exc)
            attempt += 1
            with self._lock:
                self.stats.retries += 1
            base = self.config.backoff * (2 ** (attempt - 1))
            delay = max(wait, min(base, MAX_BACKOFF_S) * (0.5 + random.random() / 2))
            time.sleep(min(delay, 60.0))
            self._check_up()  # another thread may have found the endpoint down meanwhile

    def _chat(self, messages: list[dict[str, str]], schema: dict[str, Any], schema_name: str,
              step: str) -> str:
        import openai

        client = self.client()
        while True:
            kwargs: dict[str, Any] = {
                "model": self.config.model, "messages": messages,
                "max_tokens": self.config.max_tokens, "temperature": self.config.temperature}
            fmt = self._response_format(schema, schema_name)
            if fmt is not None:
                kwargs["response_format"] = fmt
            if self.config.seed is not None:
                kwargs["seed"] = self.config.seed
            try:
                resp = self._request(lambda kw=kwargs: client.chat.completions.create(**kw), step)
            except openai.BadRequestError as exc:
                text = str(exc).lower()
                if fmt is not None and any(w in text for w in ("response_format", "json_schema",
                                                               "schema", "format")):
                    # the server does not take this kind of structured output: step down
                    self._structured = ("json_object" if self._structured == "json_schema"
                                        else "none")
                    continue
                with self._lock:
                    self.stats.failed += 1
                raise AnswerError(f"request rejected: {_describe(exc)}") from None
            break
        with self._lock:
            usage = getattr(resp, "usage", None)
            if usage is not None:
                self.stats.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
                self.stats.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)
        choices = getattr(resp, "choices", None) or []
        if not choices:
            with self._lock:
                self.stats.unusable += 1
                self.stats.failed += 1
            raise AnswerError("the answer has no choices")
        choice = choices[0]
        content = getattr(choice.message, "content", None) or ""
        if choice.finish_reason == "length":
            with self._lock:
                self.stats.unusable += 1
                self.stats.failed += 1
            raise AnswerError(f"truncated answer (max_tokens = {self.config.max_tokens} reached)")
        with self._lock:
            self.stats.answers += 1
        return content

    # -------------------------------------------------------------- embeddings
    def embed(self, texts: list[str], model: str | None = None, batch_size: int = 64
              ) -> np.ndarray:
        """Vectors of ``texts`` from ``/v1/embeddings`` (float32, one row per text), with
        the same retries, accounting and down state as the chat requests."""
        import numpy as np
        import openai

        self._check_up()
        client = self.client()
        rows: list[list[float]] = []
        for i in range(0, len(texts), max(1, batch_size)):
            chunk = list(texts[i:i + max(1, batch_size)])
            try:
                resp = self._request(lambda c=chunk: client.embeddings.create(
                    model=model or self.config.model, input=c), "embeddings")
            except openai.BadRequestError as exc:
                with self._lock:
                    self.stats.failed += 1
                raise AnswerError(f"request rejected: {_describe(exc)}") from None
            data = sorted(resp.data, key=lambda d: d.index)
            if len(data) != len(chunk):
                with self._lock:
                    self.stats.unusable += 1
                    self.stats.failed += 1
                raise AnswerError(f"{len(data)} embeddings for {len(chunk)} texts")
            with self._lock:
                self.stats.answers += 1
                usage = getattr(resp, "usage", None)
                self.stats.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
            rows.extend(list(d.embedding) for d in data)
        return np.asarray(rows, dtype=np.float32).reshape(len(rows), -1)


def _describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    if status is not None:
        return f"HTTP {status} {name}"
    cause = exc.__cause__ or exc.__context__
    detail = f": {' '.join(str(cause).split())[:120]}" if cause is not None else ""
    return f"{name}{detail}"


def _retry_after(exc: Exception) -> float:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return 0.0
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else 0.0
    except ValueError:
        return 0.0


# ------------------------------------------------------------------- sharing
_SHARED: dict[tuple[str, str], LLMBackend] = {}
_SHARED_LOCK = threading.Lock()


def get_backend(name: str, section: dict[str, Any] | None) -> LLMBackend:
    """The process-wide backend for ``[backends.NAME]`` (same options: same object)."""
    if section is None:
        raise ValueError(f"no [backends.{name}] section in the pipeline config")
    if not isinstance(section, dict):
        raise ValueError(f"[backends.{name}] must be a table of options")
    config = LLMConfig.from_dict(section, name)
    key = (name, json.dumps(asdict(config), sort_keys=True))
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = LLMBackend(config, name)
        return _SHARED[key]


def reset_backends() -> None:
    """Forget the shared backends (their counters, caches and down state)."""
    with _SHARED_LOCK:
        _SHARED.clear()
