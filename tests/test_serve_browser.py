"""The dashboard in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium).

Loads every page, uses the filters, checks that the trend chart renders and that the
reader highlights evidence, and that a hostile article (script tags, event handlers,
``javascript:`` URLs, attribute breakers) never runs code: no dialog, no console
error other than the Content-Security-Policy refusing something, no injected element.
Skipped, saying why, only when Chromium or playwright is missing (install them with
``scripts/chromium.sh``).  With ``NARRASCOPE_SCREENSHOTS=DIR`` the main pages are
saved as PNG files there (``docs/screenshots``).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("NARRASCOPE_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
HOSTILE_ID = 'x"><script>alert("xss-id")</script>'

if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
    pytest.skip(f"{CHROMIUM} not found (install it with scripts/chromium.sh)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (scripts/chromium.sh)")


def q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from narrascope.serve import create_app
    from narrascope.serve.synthetic import build_store, example_articles
    from narrascope.store import open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'corpus.db'}"
    store = build_store(url, example_articles(150), analytics=True)
    store.close()
    app = create_app(open_store(url, readonly=True), title="narrascope")
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        except Exception as exc:  # pragma: no cover - a broken Chromium install
            pytest.skip(f"{CHROMIUM} does not start: {str(exc).splitlines()[0]}")
        yield b
        b.close()


class Watch:
    """Dialogs, console messages and page errors of one page."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def script_errors(self) -> list[str]:
        return self.errors + [c for c in self.console if c.startswith("error")
                              and "Content Security Policy" not in c and "favicon" not in c
                              and "status of 404" not in c]


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1360, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


SHOTS = os.environ.get("NARRASCOPE_SCREENSHOTS")


def shot(page: Any, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def test_every_page_loads_without_script_errors(server: str, page: Any) -> None:
    w = Watch(page)
    label = "URW: Discrediting Ukraine"
    pages = ["/", "/narratives", f"/narratives/{q(label)}", "/outlets", "/outlets/Baltic%20Herald",
             "/entities", f"/entities/{q('European Union')}", "/clusters", "/copies", "/search",
             f"/articles/{q('EN_URW_example_001.txt')}", "/docs", "/no-such-page"]
    for url in pages:
        resp = page.goto(server + url)
        assert resp is not None
        assert resp.status == (404 if url == "/no-such-page" else 200), url
        assert "does not judge whether an article is true" in page.inner_text("body")
    assert not w.dialogs and not w.script_errors(), (w.dialogs, w.script_errors())


def test_overview_trend_chart_renders(server: str, page: Any) -> None:
    w = Watch(page)
    page.goto(server + "/")
    page.wait_for_selector("figure.chart[data-state=drawn]", timeout=10_000)
    lines = page.locator("figure.chart svg path.line")
    assert lines.count() >= 2
    assert page.locator("figure.chart .legend button").count() == lines.count()
    d = lines.first.get_attribute("d") or ""
    assert d.startswith("M") and d.count("L") >= 5
    # a legend button hides its line
    page.locator("figure.chart .legend button").first.click()
    assert "off" in (lines.first.get_attribute("class") or "")
    shot(page, "overview")
    # the period filter goes into the URL and redraws
    page.select_option("select[name=period]", "month")
    with page.expect_navigation():
        page.click("form.inline button[type=submit]")
    page.wait_for_selector("figure.chart[data-state=drawn]")
    assert "period=month" in page.url
    assert not w.script_errors()


def test_filters_are_in_the_url(server: str, page: Any) -> None:
    page.goto(server + "/search")
    total = int(page.inner_text("#result-count").split()[0].replace(",", ""))
    page.select_option("select[name=narrative]", "URW: Discrediting Ukraine")
    page.fill("input[name=since]", "2025-02-01")
    with page.expect_navigation():
        page.click("#search-form button[type=submit]")
    assert "narrative=URW%3A+Discrediting+Ukraine" in page.url and "since=2025-02-01" in page.url
    assert "q=" not in page.url  # empty fields are left out
    filtered = int(page.inner_text("#result-count").split()[0].replace(",", ""))
    assert 0 < filtered < total
    csv_href = page.get_attribute("a[data-export=csv]", "href") or ""
    assert "narrative=URW%3A+Discrediting+Ukraine" in csv_href and "format=csv" in csv_href
    shot(page, "search")
    page.goto(server + f"/narratives/{q('URW: Discrediting Ukraine')}")
    page.wait_for_selector("figure.chart[data-state=drawn]")
    shot(page, "narrative")
    page.goto(server + "/outlets/Baltic%20Herald")
    page.wait_for_selector("figure.chart[data-state=drawn]")
    shot(page, "outlet")
    page.goto(server + f"/entities/{q('European Union')}")
    # selectors, not wait_for_function: the page's CSP (no 'unsafe-eval') blocks its polling
    page.wait_for_selector("figure.chart[data-state=drawn] >> nth=1")
    shot(page, "entity")
    page.goto(server + "/copies")
    shot(page, "copies")
    page.goto(server + "/clusters")
    link = page.locator("table.data a[href^='/clusters/']")
    if link.count():
        with page.expect_navigation():
            link.first.click()
        assert page.locator(".timeline li").count() >= 2
        shot(page, "story")


def test_reader_highlights_and_details_by_keyboard(server: str, page: Any) -> None:
    w = Watch(page)
    page.goto(server + f"/articles/{q('EN_URW_example_001.txt')}")
    marks = page.locator("#text mark.narr")
    assert marks.count() > 0
    assert page.locator("#text mark.ent").count() > 0
    # a finding opened from the side list highlights its evidence
    first = page.locator("details.finding.narr summary").first
    first.click()
    page.wait_for_selector("#text mark.active", timeout=5000)
    assert page.locator("#text mark.active").count() > 0
    shot(page, "reader")
    # keyboard: focus a highlight and press Enter -> its findings open
    page.locator("details.finding[open] summary").first.click()  # close again
    page.locator("#text mark.ent").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("details.finding.ent[open]", timeout=5000)
    page.wait_for_selector("#selection:not([hidden])", timeout=5000)
    assert page.locator("#selection").is_visible()
    # a layer toggle hides that layer and goes into the URL
    page.uncheck("input[data-layer=narr]")
    page.wait_for_selector("body.hide-narr", state="attached")
    assert "hide-narr" in (page.get_attribute("body", "class") or "")
    assert "layers=" in page.url and "narr" not in page.url.split("layers=")[1].split("&")[0]
    page.reload(wait_until="load")
    assert not page.is_checked("input[data-layer=narr]")
    assert not w.script_errors()


def test_hostile_article_never_executes(server: str, page: Any) -> None:
    w = Watch(page)
    resp = page.goto(server + f"/articles/{q(HOSTILE_ID)}")
    assert resp is not None and resp.status == 200
    csp = resp.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    body = page.inner_text("#text")
    assert '<script>alert("xss-text")</script>' in body  # shown as text
    assert page.locator("#text script, #text img, #text svg, #text b, [onerror], [onload], "
                        "[onclick], [onmouseover]").count() == 0
    assert page.locator("script").count() == 2  # our two static scripts
    assert page.locator("a[href^='javascript']").count() == 0
    # click and hover every highlight and finding: still nothing runs
    for m in page.locator("#text mark").all()[:12]:
        m.hover()
        m.click()
    for s in page.locator("details.finding summary").all():
        s.click()
    shot(page, "reader-hostile")
    for url in ("/search?q=alert", "/outlets", "/", "/entities"):
        page.goto(server + url)
        assert page.locator("[onerror], [onload], [onclick], img, #text script").count() == 0
    page.wait_for_timeout(300)
    assert not w.dialogs, w.dialogs
    assert not w.script_errors(), w.script_errors()
