"""A local OpenAI-compatible HTTP server that answers from fixture files.

It speaks the wire protocol of ``/v1/chat/completions``, ``/v1/embeddings`` and
``/v1/models`` (JSON bodies, ``Authorization: Bearer`` keys, OpenAI error objects,
``usage`` counts, ``finish_reason``, base64 or float embeddings) on 127.0.0.1, so the
real ``openai`` client is tested end to end, and it can inject faults::

    from narrascope.testing.llm_server import LocalLLMServer

    with LocalLLMServer(fixtures="answers.jsonl") as server:
        server.inject("429", times=2)          # the next two requests get HTTP 429
        ... [backends.llm] base_url = server.url ...

Answers, in order of precedence: a recorded answer for the request (fixture records
``{"key": request_key(body), "content": "..."}`` in ``.jsonl`` files), then the
``responder`` callable (``body -> str | dict | None``; what it returns is recorded to
``record`` when given), then the smallest JSON value that follows the request's
``response_format`` schema (``unmatched = "minimal"``) or an HTTP 404 error
(``unmatched = "error"``).

Faults (:meth:`LocalLLMServer.inject`): ``timeout`` (answer after ``delay`` seconds),
``disconnect`` (close without answering), ``429`` (with ``Retry-After: 0``), ``500``,
``503``, ``malformed`` (text that is not JSON), ``truncated`` (half the answer,
``finish_reason = "length"``), ``hallucinate`` (every cited sentence index becomes
9999, every quoted phrase one the article does not contain), ``reject_schema`` (HTTP
400 for a ``json_schema`` response format, as servers without structured output do).

Run it by hand: ``python -m narrascope.testing.llm_server --port 8000 --fixtures FILE``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FAULTS = ("timeout", "disconnect", "429", "500", "503", "malformed", "truncated",
          "hallucinate", "reject_schema")

Responder = Callable[[dict[str, Any]], "str | dict[str, Any] | None"]


def request_key(body: dict[str, Any]) -> str:
    """The fixture key of a chat request: sha256 of its messages (canonical JSON)."""
    text = json.dumps(body.get("messages", []), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def request_schema(body: dict[str, Any]) -> dict[str, Any] | None:
    fmt = body.get("response_format") or {}
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
        return schema if isinstance(schema, dict) else None
    return None


def minimal_instance(schema: dict[str, Any]) -> Any:
    """The smallest value following ``schema`` (required keys, minItems, first enum)."""
    for key in ("anyOf", "oneOf"):
        if key in schema and schema[key]:
            return minimal_instance(schema[key][0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: minimal_instance(props.get(k, {})) for k in schema.get("required", [])}
    if kind == "array":
        return [minimal_instance(schema.get("items", {}))
                for _ in range(int(schema.get("minItems", 0)))]
    if kind == "string":
        return "x" * int(schema.get("minLength", 0))
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return False
    return None


_EVIDENCE_KEYS = {"evidence", "sentences"}
FAKE_QUOTE = "a phrase this article never contains"


def hallucinate(obj: Any) -> Any:
    """The answer with invented evidence: cited sentences 9999, quotes not in the text."""
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if k in _EVIDENCE_KEYS and isinstance(v, list):
                out[k] = [9999 for _ in v] or [9999]
            elif k == "quotes" and isinstance(v, list):
                out[k] = [FAKE_QUOTE for _ in v] or [FAKE_QUOTE]
            elif k == "explanation" and isinstance(v, str):
                out[k] = f"The article says “{FAKE_QUOTE}”."
            else:
                out[k] = hallucinate(v)
        return out
    if isinstance(obj, list):
        return [hallucinate(v) for v in obj]
    return obj


def embedding(text: str, dim: int) -> list[float]:
    """A deterministic unit vector for ``text`` (hash-seeded)."""
    import numpy as np

    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    v /= float(np.linalg.norm(v)) or 1.0
    return [float(x) for x in v]


@dataclass
class Fault:
    kind: str
    times: int
    path: str


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class LocalLLMServer:
    """A real HTTP server on 127.0.0.1 (a thread per request); use it as a context manager."""

    def __init__(self, fixtures: str | Path | list[str | Path] | None = None, *,
                 responder: Responder | None = None, record: str | Path | None = None,
                 unmatched: str = "minimal", api_key: str | None = None,
                 models: list[str] | None = None, embedding_dim: int = 64,
                 delay: float = 5.0, host: str = "127.0.0.1", port: int = 0) -> None:
        self.answers: dict[str, str] = {}
        for src in ([fixtures] if isinstance(fixtures, str | Path) else fixtures or []):
            self.load(src)
        self.responder = responder
        self.record = Path(record) if record else None
        self.unmatched = unmatched
        self.api_key = api_key
        self.models = models or ["local-test-model"]
        self.embedding_dim = embedding_dim
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --------------------------------------------------------------- control
    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def load(self, src: str | Path) -> None:
        p = Path(src)
        files = sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
        for f in files:
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    self.answers[str(rec["key"])] = str(rec["content"])

    def inject(self, kind: str, times: int = 1, path: str = "/v1/chat/completions") -> None:
        """The next ``times`` requests to ``path`` get fault ``kind`` (see FAULTS)."""
        if kind not in FAULTS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(FAULTS)}")
        with self.lock:
            self.faults.append(Fault(kind, times, path))

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def take_fault(self, path: str, body: dict[str, Any]) -> str | None:
        with self.lock:
            for f in self.faults:
                if f.path != path or f.times <= 0:
                    continue
                if f.kind == "reject_schema" and request_schema(body) is None:
                    continue
                f.times -= 1
                return f.kind
        return None

    def start(self) -> LocalLLMServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True,
                                        name="narrascope-llm-server")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    # --------------------------------------------------------------- answers
    def answer(self, body: dict[str, Any]) -> str | None:
        key = request_key(body)
        if key in self.answers:
            return self.answers[key]
        if self.responder is not None:
            out = self.responder(body)
            if out is not None:
                content = out if isinstance(out, str) else json.dumps(out, ensure_ascii=False)
                if self.record is not None:
                    with self.lock:
                        self.answers[key] = content
                        with self.record.open("a", encoding="utf-8") as fh:
                            fh.write(json.dumps({"key": key, "content": content},
                                                ensure_ascii=False) + "\n")
                return content
        if self.unmatched == "minimal":
            schema = request_schema(body)
            return json.dumps(minimal_instance(schema) if schema else {})
        return None


def _handler(server: LocalLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet
            return

        # ---------------------------------------------------------- replies
        def _send(self, status: int, payload: dict[str, Any],
                  headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def _error(self, status: int, message: str, kind: str, code: str | None = None,
                   headers: dict[str, str] | None = None) -> None:
            self._send(status, {"error": {"message": message, "type": kind, "param": None,
                                          "code": code}}, headers)

        def _body(self) -> dict[str, Any] | None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._error(400, "We could not parse the JSON body of your request.",
                            "invalid_request_error")
                return None
            if not isinstance(body, dict):
                self._error(400, "The request body must be a JSON object.",
                            "invalid_request_error")
                return None
            return body

        def _authorised(self) -> bool:
            if server.api_key is None:
                return True
            if self.headers.get("Authorization") == f"Bearer {server.api_key}":
                return True
            self._error(401, "Incorrect API key provided.", "invalid_request_error",
                        "invalid_api_key")
            return False

        # ---------------------------------------------------------- routes
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            if not self._authorised():
                return
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [
                    {"id": m, "object": "model", "created": 0, "owned_by": "narrascope"}
                    for m in server.models]})
                return
            self._error(404, f"Unknown path {self.path}", "invalid_request_error")

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            body = self._body()
            if body is None:
                return
            path = self.path.rstrip("/")
            with server.lock:
                server.requests.append({"path": path, "body": body,
                                        "authorization": self.headers.get("Authorization")})
            if not self._authorised():
                return
            if path not in ("/v1/chat/completions", "/v1/embeddings"):
                self._error(404, f"Unknown path {self.path}", "invalid_request_error")
                return
            if body.get("model") is None:
                self._error(400, "you must provide a model parameter", "invalid_request_error")
                return
            if body["model"] not in server.models:
                self._error(404, f"The model `{body['model']}` does not exist",
                            "invalid_request_error", "model_not_found")
                return
            fault = server.take_fault(path, body)
            if fault == "disconnect":
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if fault == "timeout":
                time.sleep(server.delay)
            if fault in ("429",):
                self._error(429, "Rate limit reached for requests", "requests",
                            "rate_limit_exceeded", {"Retry-After": "0"})
                return
            if fault in ("500", "503"):
                self._error(int(fault), "The server had an error while processing your request.",
                            "server_error")
                return
            if fault == "reject_schema":
                self._error(400, "response_format of type json_schema is not supported "
                            "by this server", "invalid_request_error")
                return
            if path == "/v1/embeddings":
                self._embeddings(body)
            else:
                self._chat(body, fault)

        def _chat(self, body: dict[str, Any], fault: str | None) -> None:
            messages = body.get("messages")
            if not isinstance(messages, list) or not messages:
                self._error(400, "'messages' must be a non-empty array", "invalid_request_error")
                return
            content = server.answer(body)
            if content is None:
                self._error(404, "no recorded answer for this request", "invalid_request_error",
                            "no_fixture")
                return
            finish = "stop"
            if fault == "malformed":
                content = "Sure! Here is the JSON you asked for: {labels: [oops"
            elif fault == "truncated":
                content = content[: max(1, len(content) // 2)]
                finish = "length"
            elif fault == "hallucinate":
                try:
                    content = json.dumps(hallucinate(json.loads(content)), ensure_ascii=False)
                except json.JSONDecodeError:
                    pass
            prompt = sum(_tokens(str(m.get("content", ""))) for m in messages
                         if isinstance(m, dict))
            completion = _tokens(content)
            self._send(200, {
                "id": "chatcmpl-" + request_key(body)[:24], "object": "chat.completion",
                "created": int(time.time()), "model": body["model"],
                "system_fingerprint": "narrascope-local",
                "choices": [{"index": 0, "finish_reason": finish, "logprobs": None,
                             "message": {"role": "assistant", "content": content,
                                         "refusal": None}}],
                "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                          "total_tokens": prompt + completion}})

        def _embeddings(self, body: dict[str, Any]) -> None:
            inputs = body.get("input")
            if isinstance(inputs, str):
                inputs = [inputs]
            if not isinstance(inputs, list) or not all(isinstance(x, str) for x in inputs):
                self._error(400, "'input' must be a string or an array of strings",
                            "invalid_request_error")
                return
            dim = int(body.get("dimensions") or server.embedding_dim)
            as_b64 = body.get("encoding_format") == "base64"
            data = []
            for i, text in enumerate(inputs):
                vec = embedding(text, dim)
                value: Any = (base64.b64encode(struct.pack(f"<{dim}f", *vec)).decode("ascii")
                              if as_b64 else vec)
                data.append({"object": "embedding", "index": i, "embedding": value})
            tokens = sum(_tokens(t) for t in inputs)
            self._send(200, {"object": "list", "data": data, "model": body["model"],
                             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    return Handler


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="A local OpenAI-compatible server answering "
                                 "from fixture files (for tests and trials).")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--fixtures", action="append", default=[],
                    help="a .jsonl file of {key, content} answers, or a folder of them")
    ap.add_argument("--model", action="append", default=None, help="model name(s) to accept")
    ap.add_argument("--unmatched", choices=["minimal", "error"], default="minimal")
    args = ap.parse_args(argv)
    server = LocalLLMServer(args.fixtures, port=args.port, models=args.model,
                            unmatched=args.unmatched)
    print(f"serving {server.url} ({len(server.answers)} recorded answers)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
