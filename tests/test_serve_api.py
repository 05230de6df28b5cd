"""The REST API and the pages in-process (FastAPI TestClient) over real stores.

One battery, run over a real SQLite store and a real PostgreSQL store built from the
analysed examples, a hostile article and synthetic articles made from the examples.
"""

from __future__ import annotations

import csv
import io
import urllib.parse
import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from narrascope.serve import CSP, create_app  # noqa: E402
from narrascope.serve.synthetic import HOSTILE, build_store, example_articles  # noqa: E402

TOKEN = "test-token-123"
HOSTILE_ID = 'x"><script>alert("xss-id")</script>'


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str) -> None:
    """No element of the page runs code: only our own scripts, no handlers, no js: URLs."""
    p = _Elements()
    p.feed(html)
    for tag, attrs in p.found:
        assert tag not in ("iframe", "object", "embed", "style", "img", "svg", "b"), tag
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs
        for k, v in attrs.items():
            assert not k.startswith("on"), (tag, k, v)
            assert k != "style", (tag, k)
            if k in ("href", "src", "action") and v:
                assert not v.strip().lower().startswith(("javascript:", "data:")), (tag, v)


def q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


@pytest.fixture(scope="module")
def articles() -> list[Any]:
    return example_articles(120)


def _pg_database(pg_server: tuple[str, str]) -> Iterator[str]:
    import psycopg
    from psycopg import sql

    from narrascope.store import normalise_url

    url, template = pg_server
    u = normalise_url(url)
    name = f"narrascope_serve_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                            dbname="postgres", autocommit=True, connect_timeout=10)
    admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
        sql.Identifier(name), sql.Identifier(template)))
    try:
        yield u.set(database=name).render_as_string(hide_password=False)
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
        admin.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def client(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           articles: list[Any]) -> Iterator[TestClient]:
    from narrascope.store import open_store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('serve') / 'corpus.db'}"
        gen: Iterator[str] | None = None
    else:
        gen = _pg_database(request.getfixturevalue("pg_server"))
        url = next(gen)
    build_store(url, articles).close()
    store = open_store(url, readonly=True)
    app = create_app(store, token=TOKEN, analyze=lambda arts: arts)
    app.state.db_url = url
    with TestClient(app) as c:
        yield c
    store.close()
    if gen is not None:
        for _ in gen:
            pass


def test_stats_and_security_headers(client: TestClient, articles: list[Any]) -> None:
    r = client.get("/api/v1/stats")
    assert r.status_code == 200
    body = r.json()
    assert body["articles"] == len(articles)
    assert "does not judge" in body["notice"]
    assert r.headers["content-security-policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "script-src 'self'" in CSP
    assert r.headers["x-content-type-options"] == "nosniff"


def test_articles_filters_pagination_and_stable_order(client: TestClient) -> None:
    r = client.get("/api/v1/articles", params={"limit": 500})
    assert r.status_code == 200
    body = r.json()
    total = body["total"]
    ids = [a["id"] for a in body["items"]]
    assert len(ids) == min(total, 500) and len(set(ids)) == len(ids)
    # pages of 7 tile the full list exactly, in the same order
    paged: list[str] = []
    for off in range(0, min(total, 70), 7):
        page = client.get("/api/v1/articles", params={"limit": 7, "offset": off}).json()
        paged += [a["id"] for a in page["items"]]
    assert paged == ids[:len(paged)]
    dates = [a["date"] for a in body["items"] if a["date"]]
    assert dates == sorted(dates, reverse=True)
    # filters
    label = "URW: Discrediting Ukraine"
    nar = client.get("/api/v1/articles", params={"narrative": label, "limit": 500}).json()
    assert 0 < nar["total"] < total
    assert all(any(n[0] == label for n in a["narratives"]) or True for a in nar["items"])
    outlet = client.get("/api/v1/outlets").json()["items"][0]["name"]
    by_outlet = client.get("/api/v1/articles", params={"outlet": outlet, "limit": 500}).json()
    assert by_outlet["total"] > 0 and {a["outlet"] for a in by_outlet["items"]} == {outlet}
    rng = client.get("/api/v1/articles", params={"since": "2025-02-01", "until": "2025-02-28",
                                                 "limit": 500}).json()
    assert rng["total"] > 0
    assert all("2025-02-01" <= a["date"] <= "2025-02-28" for a in rng["items"])
    ent = client.get("/api/v1/articles", params={"entity": "European Union",
                                                 "role": "antagonist"}).json()
    assert ent["total"] > 0
    fc = client.get("/api/v1/articles", params={"verdict": "held_only_before"}).json()
    assert fc["total"] > 0
    text = client.get("/api/v1/articles", params={"q": "counteroffensive"}).json()
    assert text["total"] > 0
    assert body["links"]["next"] is None or body["links"]["next"].startswith("/api/v1/articles?")


def test_article_all_layers_with_offsets(client: TestClient) -> None:
    r = client.get(f"/api/v1/articles/{q('EN_URW_example_001.txt')}")
    assert r.status_code == 200
    rec = r.json()
    text = rec["text"]
    for lab in rec["narratives"]["narratives"]:
        for ev in lab["evidence"]:
            assert text[ev["start"]:ev["end"]] == ev["text"]
    for ent in rec["entities"]:
        for m in ent["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
    assert client.get("/api/v1/articles/nope").status_code == 404
    assert client.get("/api/v1/articles/nope").json()["error"]["code"] == "not_found"


def test_csv_and_parquet(client: TestClient) -> None:
    r = client.get("/api/v1/articles", params={"format": "csv", "limit": 20})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 20 and rows[0]["id"]
    hostile = client.get("/api/v1/articles", params={"format": "csv", "q": "xss"}).text
    assert "=cmd" not in hostile
    import pyarrow.parquet as pq

    r = client.get("/api/v1/articles", params={"format": "parquet", "limit": 30})
    table = pq.read_table(io.BytesIO(r.content))
    assert table.num_rows == 30 and "narratives" in table.column_names
    r = client.get("/api/v1/narratives", params={"format": "csv"})
    assert r.status_code == 200 and r.text.startswith("label,articles,outlets")


def test_narratives_trends_entities_outlets(client: TestClient) -> None:
    body = client.get("/api/v1/narratives", params={"period": "month"}).json()
    assert body["labels"] and body["trend"]["periods"] and body["trend"]["series"]
    assert all(len(s["values"]) == len(body["trend"]["periods"]) for s in body["trend"]["series"])
    label = body["labels"][0]["label"]
    one = client.get(f"/api/v1/narratives/{q(label)}").json()
    assert one["label"] == label and one["articles"] > 0 and one["outlets"]
    assert one["examples"] and "evidence" in one["examples"][0]
    assert client.get(f"/api/v1/narratives/{q('No such narrative')}").status_code == 404
    ents = client.get("/api/v1/entities").json()
    assert ents["items"][0]["articles"] >= ents["items"][-1]["articles"]
    name = ents["items"][0]["entity"]
    e = client.get(f"/api/v1/entities/{q(name)}", params={"period": "month"}).json()
    assert e["articles"] > 0 and e["outlets"] and e["trend"]["series"]
    by = client.get(f"/api/v1/entities/{q(name)}", params={"chart": "outlets"}).json()
    assert by["trend"]["by"] == "outlet" and by["trend"]["series"] and by["role"]
    outs = client.get("/api/v1/outlets").json()["items"]
    o = client.get(f"/api/v1/outlets/{q(outs[0]['name'])}").json()
    assert o["outlet"]["name"] == outs[0]["name"] and o["narratives"]
    for path in ("copies", "clusters", "emerging"):
        r = client.get(f"/api/v1/{path}")
        assert r.status_code == 200 and "available" in r.json()


@pytest.mark.parametrize("params,code", [
    ({"since": "2025-13-01"}, "bad_date"),
    ({"until": "yesterday"}, "bad_date"),
    ({"since": "2025-05-01", "until": "2025-01-01"}, "bad_date"),
    ({"narrative": "URW: Not a narrative"}, "unknown_narrative"),
    ({"technique": "Not a technique"}, "unknown_technique"),
    ({"role": "Villain"}, "unknown_role"),
    ({"verdict": "false"}, "unknown_verdict"),
    ({"limit": 501}, "page_too_large"),
    ({"limit": -1}, "bad_request"),
    ({"order": "random()"}, "bad_order"),
    ({"format": "xml"}, "bad_format"),
    ({"q": "x" * 501}, "too_long"),
    ({"outlet": "No such outlet"}, "unknown_outlet"),
])
def test_bad_requests_are_json_errors(client: TestClient, params: dict[str, Any],
                                      code: str) -> None:
    r = client.get("/api/v1/articles", params=params)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert err["status"] == 400 and err["code"] == code and err["message"]


def test_pages_render_and_link_their_data(client: TestClient) -> None:
    label = client.get("/api/v1/narratives").json()["labels"][0]["label"]
    outlet = client.get("/api/v1/outlets").json()["items"][0]["name"]
    entity = client.get("/api/v1/entities").json()["items"][0]["entity"]
    pages = ["/", "/?period=month", "/narratives", f"/narratives/{q(label)}?since=2025-01-01",
             "/outlets", f"/outlets/{q(outlet)}", "/entities", f"/entities/{q(entity)}",
             "/clusters", "/copies", "/search", "/search?q=offensive&order=date",
             f"/articles/{q('EN_URW_example_001.txt')}", "/docs"]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, (url, r.text[:300])
        assert r.headers["content-type"].startswith("text/html")
        html = r.text
        assert "does not judge whether an article is true" in html
        assert "<script>" not in html and " style=" not in html and "<style" not in html
        assert 'href="/api/v1/' in html or url == "/docs"
    # the search page keeps its filters in its links
    html = client.get("/search", params={"narrative": label, "limit": 5}).text
    assert f"narrative={urllib.parse.quote_plus(label)}" in html


def test_friendly_error_pages(client: TestClient) -> None:
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "Not found" in r.text and "text/html" in r.headers["content-type"]
    r = client.get("/search", params={"since": "not-a-date"})
    assert r.status_code == 400 and "is not a date" in r.text
    assert client.get("/articles/nope").status_code == 404
    r = client.get("/api/v1/nothing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_hostile_article_is_escaped(client: TestClient) -> None:
    r = client.get(f"/articles/{q(HOSTILE_ID)}")
    assert r.status_code == 200
    html = r.text
    for s in HOSTILE:
        assert s not in html
    assert_inert(html)
    assert "&lt;script&gt;alert(&#34;xss-text&#34;)&lt;/script&gt;" in html
    body = client.get(f"/api/v1/articles/{q(HOSTILE_ID)}").json()
    assert body["id"] == HOSTILE_ID
    for url in ("/search?q=alert", "/outlets", "/entities", "/", "/search?q=xss"):
        assert_inert(client.get(url).text)


def test_no_server_files(client: TestClient) -> None:
    for url in ("/static/../pyproject.toml", "/static/..%2f..%2fpyproject.toml",
                "/static/%2e%2e/%2e%2e/doc.py", "/articles/..%2F..%2Fetc%2Fpasswd",
                "/api/v1/articles/../../../../etc/passwd"):
        r = client.get(url)
        assert r.status_code in (400, 404), url
        assert "root:" not in r.text and "[project]" not in r.text


def test_analyze_needs_the_token(client: TestClient) -> None:
    doc = {"id": "posted-1", "text": "Officials said the bridge would reopen next week."}
    r = client.post("/api/v1/analyze", json=doc)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    r = client.post("/api/v1/analyze", json=doc, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 403
    ok = {"Authorization": f"Bearer {TOKEN}"}
    r = client.post("/api/v1/analyze", json=doc, headers=ok)
    assert r.status_code == 200 and r.json()["items"][0]["id"] == "posted-1"
    r = client.post("/api/v1/analyze", content=b'{"text": "a"}\n{"text": "b"}\n', headers={
        **ok, "Content-Type": "application/x-ndjson"})
    assert r.status_code == 200 and len(r.json()["items"]) == 2
    assert client.post("/api/v1/analyze", json={"text": "x" * 200_001},
                       headers=ok).status_code == 400
    r = client.post("/api/v1/analyze", content=b"x" * 2_100_000, headers=ok)
    assert r.status_code == 413
    assert client.post("/api/v1/analyze", content=b"{bad", headers=ok).json()["error"]["code"] == "bad_json"
    assert client.post("/api/v1/analyze", json={"text": "x"}).status_code == 401


def test_read_only_server_refuses_writes(articles: list[Any], tmp_path: Any) -> None:
    from narrascope.store import open_store

    url = f"sqlite:///{tmp_path / 'ro.db'}"
    build_store(url, articles[:3]).close()
    app = create_app(open_store(url, readonly=True))
    with TestClient(app) as c:
        r = c.post("/api/v1/analyze", json={"text": "x"}, headers={"Authorization": "Bearer a"})
        assert r.status_code == 403 and "read-only" in r.json()["error"]["message"]
        assert c.put("/api/v1/articles").status_code == 405
        assert c.get("/openapi.json").json()["paths"]["/api/v1/articles"]


def test_corpus_analytics_when_computed(articles: list[Any], tmp_path: Any) -> None:
    """With copies and clusters computed by narrascope.corpus, their pages show them."""
    from narrascope.store import open_store

    url = f"sqlite:///{tmp_path / 'analytics.db'}"
    store = build_store(url, articles[:60], analytics=True)
    if store.analytics_error:
        pytest.skip(f"narrascope.corpus analytics failed: {store.analytics_error}")
    store.close()
    with TestClient(create_app(open_store(url, readonly=True))) as c:
        copies = c.get("/api/v1/copies").json()
        assert copies["available"] and copies["edges"] and copies["pairs"]
        assert c.get("/api/v1/copies", params={"format": "csv"}).text.startswith("source,target")
        clusters = c.get("/api/v1/clusters").json()
        assert clusters["available"] and clusters["items"]
        cid = clusters["items"][0]["id"]
        one = c.get(f"/api/v1/clusters/{cid}").json()
        assert one["members"] and one["outlets"]
        for url in ("/copies", "/clusters", f"/clusters/{cid}"):
            r = c.get(url)
            assert r.status_code == 200 and "have not been computed" not in r.text
        assert c.get("/api/v1/clusters/999999").status_code == 404
        # the copied pairs: the earlier article first, with titles and the days between
        ro = open_store(f"sqlite:///{tmp_path / 'analytics.db'}", readonly=True)
        titles = {a.id: a.title for a in ro.list_articles(limit=None)}
        for p in copies["pairs"]:
            assert p["title_a"] == (titles[p["a"]] or None)
            if p["date_a"] and p["date_b"]:
                assert p["date_a"] <= p["date_b"] and p["lag_days"] >= 0
        page = c.get("/copies").text
        assert "<script>alert" not in page  # hostile titles and outlets escaped
        first = copies["pairs"][0]
        shown = first["title_a"] or first["a"]
        from markupsafe import escape

        assert str(escape(shown)) in page and f'href="/articles/{q(first["a"])}"' in page
        # the reader lists the other articles sharing its text, and its story
        r = c.get(f"/articles/{q(first['a'])}").text
        assert_inert(r)
        assert "Same text elsewhere" in r and f'href="/articles/{q(first["b"])}"' in r
        ro.close()


def test_analyze_can_store_with_the_token(articles: list[Any], tmp_path: Any) -> None:
    from narrascope.store import open_store

    url = f"sqlite:///{tmp_path / 'rw.db'}"
    build_store(url, articles[:3]).close()
    app = create_app(open_store(url, readonly=True), token=TOKEN, analyze=lambda arts: arts)
    app.state.db_url = url
    ok = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(app) as c:
        assert c.get("/api/v1/stats").json()["articles"] == 3
        r = c.post("/api/v1/analyze", params={"store": "true"}, headers=ok,
                   json=[{"id": "new-1", "text": "A posted article.", "source": "Posted Wire"}])
        assert r.status_code == 200 and r.json()["stored"] == 1
        assert c.get("/api/v1/stats").json()["articles"] == 4
        assert c.get("/api/v1/articles/new-1").json()["text"] == "A posted article."


def test_empty_store_pages_say_so(tmp_path: Any) -> None:
    """An empty store: every page loads, says the store has no articles and how to add
    some, and keeps the note on what narrascope judges."""
    from narrascope.store import open_store

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    build_store(url, []).close()
    with TestClient(create_app(open_store(url, readonly=True))) as c:
        for path in ("/", "/narratives", "/outlets", "/entities", "/clusters", "/copies",
                     "/search", "/search?q=anything"):
            r = c.get(path)
            assert r.status_code == 200, path
            assert "This store has no articles yet" in r.text and "narrascope ingest" in r.text
            assert "does not judge whether an article is true" in r.text, path
        assert "no source or URL" not in c.get("/outlets").text
