"""The LLM backend against the shipped local server (real HTTP, the real openai client):
protocol, retries, faults, the one warning, the cache, concurrency and the tolerant parser."""

from __future__ import annotations

import json
import threading
import time

import pytest

pytest.importorskip("openai")

from narrascope.backends.llm import (  # noqa: E402
    AnswerError,
    BackendUnavailable,
    LLMBackend,
    LLMConfig,
    get_backend,
    parse_json_answer,
    reset_backends,
)
from narrascope.testing.llm_server import LocalLLMServer, minimal_instance  # noqa: E402

MODEL = "local-test-model"
SCHEMA = {"type": "object", "additionalProperties": False, "required": ["n"],
          "properties": {"n": {"type": "integer"}}}
MSG = [{"role": "user", "content": "count"}]


def backend(server: LocalLLMServer, **opts) -> LLMBackend:
    cfg = {"base_url": server.url, "model": MODEL, "backoff": 0, "timeout": 5, **opts}
    return LLMBackend(cfg)


def ask(b: LLMBackend, messages=MSG, version: str = "t1") -> dict:
    return b.complete_json(messages, SCHEMA, schema_name="count", prompt_version=version)


@pytest.fixture(scope="module")
def server():
    with LocalLLMServer(responder=lambda body: {"n": 7}, delay=1.5) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean(server):
    server.clear_faults()
    server.requests.clear()
    reset_backends()
    yield
    server.clear_faults()


def chat_requests(server) -> list[dict]:
    return [r for r in server.requests if r["path"] == "/v1/chat/completions"]


# ---------------------------------------------------------------- the protocol
def test_the_real_client_speaks_to_the_server(server):
    import openai

    client = openai.OpenAI(base_url=server.url, api_key="k", max_retries=0)
    resp = client.chat.completions.create(model=MODEL, messages=MSG)
    assert json.loads(resp.choices[0].message.content) == {"n": 7}
    assert resp.usage.prompt_tokens > 0 and resp.choices[0].finish_reason == "stop"
    emb = client.embeddings.create(model=MODEL, input=["a", "b"])  # base64 by default
    floats = client.embeddings.create(model=MODEL, input="a", encoding_format="float")
    assert len(emb.data) == 2 and len(emb.data[0].embedding) == 64
    assert emb.data[0].embedding == pytest.approx(floats.data[0].embedding, abs=1e-6)
    assert [m.id for m in client.models.list()] == [MODEL]
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="no-such-model", messages=MSG)


def test_answers_and_accounting(server):
    b = backend(server)
    assert ask(b) == {"n": 7}
    body = chat_requests(server)[0]["body"]
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"] == SCHEMA
    assert body["temperature"] == 0 and body["max_tokens"] == 1024
    assert b.stats.requests == 1 and b.stats.answers == 1 and b.stats.prompt_tokens > 0
    assert "1 answer(s) from 1 request(s)" in b.summary()


def test_api_key_from_the_named_environment_variable(monkeypatch):
    with LocalLLMServer(responder=lambda body: {"n": 1}, api_key="sekret") as srv:
        monkeypatch.setenv("NARRASCOPE_TEST_KEY", "sekret")
        assert ask(backend(srv, api_key_env="NARRASCOPE_TEST_KEY")) == {"n": 1}
        assert srv.requests[-1]["authorization"] == "Bearer sekret"
        monkeypatch.setenv("NARRASCOPE_TEST_KEY", "wrong")
        b = backend(srv, api_key_env="NARRASCOPE_TEST_KEY")
        with pytest.raises(BackendUnavailable, match="401"):
            ask(b)
        monkeypatch.delenv("NARRASCOPE_TEST_KEY")
        b = backend(srv, api_key_env="NARRASCOPE_TEST_KEY")
        with pytest.raises(BackendUnavailable, match="NARRASCOPE_TEST_KEY is not set"):
            ask(b)
        assert "NARRASCOPE_TEST_KEY" in (b.take_warning() or "")


# ------------------------------------------------------------- retries, faults
@pytest.mark.parametrize("fault", ["429", "500", "503", "disconnect"])
def test_transient_faults_are_retried(server, fault):
    server.inject(fault, times=2)
    b = backend(server)
    assert ask(b) == {"n": 7}
    assert b.stats.retries == 2 and b.stats.requests == 3
    assert b.take_warning() is None


def test_retries_back_off(server):
    server.inject("429", times=2)
    b = backend(server, backoff=0.1)
    started = time.perf_counter()
    ask(b)
    assert time.perf_counter() - started >= 0.1  # 0.05..0.1 then 0.1..0.2 s


def test_a_failing_endpoint_gives_one_warning_and_no_more_requests(server):
    server.inject("503", times=100)
    b = backend(server, max_retries=2)
    with pytest.raises(BackendUnavailable, match="503"):
        ask(b)
    assert len(chat_requests(server)) == 3
    warning = b.take_warning()
    assert warning is not None and server.url in warning and MODEL in warning
    assert b.take_warning() is None  # once per run
    with pytest.raises(BackendUnavailable):
        ask(b, [{"role": "user", "content": "another"}])
    assert len(chat_requests(server)) == 3 and b.stats.skipped == 1  # no new request
    assert b.take_warning() is None


def test_timeouts(server):
    server.inject("timeout", times=5)
    b = backend(server, timeout=0.3, max_retries=1)
    started = time.perf_counter()
    with pytest.raises(BackendUnavailable, match="Timeout"):
        ask(b)
    assert time.perf_counter() - started < 1.5
    assert "unreachable" in (b.take_warning() or "")


def test_unreachable_endpoint():
    b = LLMBackend({"base_url": "http://127.0.0.1:9/v1", "backoff": 0, "max_retries": 1})
    with pytest.raises(BackendUnavailable, match="Connection"):
        ask(b)
    assert "http://127.0.0.1:9/v1" in (b.take_warning() or "")


def test_down_endpoint_is_tried_again_after_retry_down(server):
    server.inject("500", times=1)
    b = backend(server, max_retries=0, retry_down=0.2)
    with pytest.raises(BackendUnavailable):
        ask(b)
    time.sleep(0.25)
    assert ask(b) == {"n": 7}


@pytest.mark.parametrize("fault, reason", [("malformed", "malformed JSON"),
                                           ("truncated", "truncated")])
def test_unusable_answers(server, fault, reason):
    server.inject(fault)
    b = backend(server)
    with pytest.raises(AnswerError, match=reason):
        ask(b)
    assert b.stats.unusable == 1
    assert b.take_warning() is None and not b.down  # one bad answer is not a down endpoint
    assert ask(b) == {"n": 7}


def test_a_server_that_never_answers_usably_counts_as_failing(server):
    server.inject("malformed", times=10)
    b = backend(server, max_bad_answers=3)
    for i in range(2):
        with pytest.raises(AnswerError):
            ask(b, [{"role": "user", "content": str(i)}])
    with pytest.raises(BackendUnavailable):
        ask(b, [{"role": "user", "content": "3"}])
    assert "3 unusable answers in a row" in (b.take_warning() or "")
    assert b.stats.failed == 3 and b.down


def test_an_answer_outside_the_schema_is_unusable():
    with LocalLLMServer(responder=lambda body: {"n": "seven"}) as srv:
        with pytest.raises(AnswerError, match="schema"):
            ask(backend(srv))


def test_servers_without_json_schema_support_get_json_object(server):
    server.inject("reject_schema", times=5)
    b = backend(server)
    assert ask(b) == {"n": 7}
    formats = [r["body"].get("response_format") for r in chat_requests(server)]
    assert formats[0]["type"] == "json_schema" and formats[-1] == {"type": "json_object"}


def test_embeddings(server):
    b = backend(server)
    server.inject("503", times=1, path="/v1/embeddings")
    vecs = b.embed(["a", "b", "c"], batch_size=2)
    assert vecs.shape == (3, 64) and vecs.dtype.name == "float32"
    assert abs(float((vecs[0] ** 2).sum()) - 1.0) < 1e-5
    assert (b.embed(["a"]) == vecs[:1]).all()  # deterministic
    assert b.stats.retries == 1 and b.stats.by_step["embeddings"] == 4


# ----------------------------------------------------------------------- cache
def test_disk_cache(server, tmp_path):
    b = backend(server, cache_dir=str(tmp_path))
    assert ask(b) == {"n": 7}
    b2 = backend(server, cache_dir=str(tmp_path))
    assert ask(b2) == {"n": 7}
    assert len(chat_requests(server)) == 1 and b2.stats.cache_hits == 1
    files = list(tmp_path.rglob("*.json"))
    assert len(files) == 1
    assert json.loads(files[0].read_text())["prompt_version"] == "t1"
    ask(b2, version="t2")  # another prompt version: asked again
    assert len(chat_requests(server)) == 2
    backend(server, cache_dir=str(tmp_path), model=MODEL)
    other = LLMBackend({"base_url": server.url, "model": "x", "cache_dir": str(tmp_path)})
    assert other.cache_key(MSG, SCHEMA, "t1") != b.cache_key(MSG, SCHEMA, "t1")
    files[0].write_text("{damaged")
    assert ask(backend(server, cache_dir=str(tmp_path))) == {"n": 7}
    assert len(chat_requests(server)) == 3


# ----------------------------------------------------------------- concurrency
def test_concurrency_is_bounded():
    in_flight = [0, 0]
    lock = threading.Lock()

    def slow(body):
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
        time.sleep(0.15)
        with lock:
            in_flight[0] -= 1
        return {"n": 1}

    with LocalLLMServer(responder=slow) as srv:
        b = backend(srv, max_concurrency=2)
        threads = [threading.Thread(target=ask, args=(b, [{"role": "user", "content": str(i)}]))
                   for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert in_flight[1] == 2 and b.stats.answers == 6


# ---------------------------------------------------------------- config, parser
def test_config_validation():
    with pytest.raises(ValueError, match="does not take option.*bogus"):
        LLMConfig.from_dict({"bogus": 1})
    with pytest.raises(ValueError, match="base_url"):
        LLMConfig.from_dict({"base_url": "127.0.0.1:8000"})
    with pytest.raises(ValueError, match="no \\[backends.llm\\]"):
        get_backend("llm", None)
    a = get_backend("llm", {"model": "m"})
    assert get_backend("llm", {"model": "m"}) is a and get_backend("llm", {"model": "n"}) is not a


@pytest.mark.parametrize("content", [
    '{"n": 1}', '```json\n{"n": 1}\n```', 'Here you go: {"n": 1} Hope it helps.',
    '<think>maybe {"n": 2}?</think>{"n": 1}'])
def test_tolerant_parser(content):
    assert parse_json_answer(content) == {"n": 1}


@pytest.mark.parametrize("content", ["", "no json here", '{"n": 1'])
def test_tolerant_parser_refuses(content):
    with pytest.raises(AnswerError):
        parse_json_answer(content)


def test_minimal_instance():
    schema = {"type": "object", "required": ["a", "b"], "properties": {
        "a": {"type": "string", "enum": ["x", "y"]}, "b": {"type": "array", "items": {}}}}
    assert minimal_instance(schema) == {"a": "x", "b": []}
