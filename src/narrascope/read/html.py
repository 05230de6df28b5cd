"""HTML pages: the main text and metadata, extracted with trafilatura.

The article text is built as ``title + "\\n\\n" + main text`` (SemEval layout),
so offsets refer to that extracted text, not to the HTML source;
``metadata["text_origin"]`` says so.  Navigation, bylines, captions and lists of
other headlines are dropped by trafilatura where it can tell them apart.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

from narrascope.doc import Article
from narrascope.read.dates import parse_date
from narrascope.read.errors import ReadError
from narrascope.read.text import decode, read_bytes_bounded

_SYNTHETIC = re.compile(r"""<meta\s+name=["']narrascope:synthetic["']\s+content=["']true["']""", re.I)


#: Largest HTML page read, in bytes: ``max(MIN_HTML_BYTES, 2 * max_chars)`` (4 MB by
#: default).  Text extraction of a 30 MB page takes minutes; news pages are far smaller.
MIN_HTML_BYTES = 4_000_000


def html_limit(max_chars: int) -> int:
    return max(MIN_HTML_BYTES, 2 * max_chars)


def read_html(path: Path, max_chars: int, article_id: str | None = None) -> Article:
    """One page; the id is ``article_id`` (default: the file name)."""
    p = str(path)
    limit = html_limit(max_chars)
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise ReadError(p, f"cannot read file: {exc.strerror or exc}") from None
    if size > limit:
        raise ReadError(p, f"HTML file is {size} bytes, over the limit of {limit} bytes "
                        "(raise it with --max-chars)")
    data = read_bytes_bounded(path, limit, "HTML file")
    if not data.strip():
        raise ReadError(p, "empty file (no HTML)", 1)
    try:
        html: str | bytes = decode(data, p)[0]
    except ReadError as err:
        if "NUL byte" in err.message:
            raise
        html = data  # not UTF-8: trafilatura detects the page's declared or guessed charset
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(
            html, with_metadata=True, include_comments=False, include_tables=False,
            favor_precision=True,
            # only dates the page states (meta tags, structured data, the URL): the
            # extensive search guesses from any year in the page, e.g. "Copyright 2026"
            # became 2026-01-01, and the fact checks compare offices on that date
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    if doc is None:
        raise ReadError(p, "no article text found in the HTML page")
    meta = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = (meta.get("text") or "").strip()
    if not body:
        raise ReadError(p, "no article text found in the HTML page")
    title = (meta.get("title") or "").strip() or None
    if title and "\n" in title:
        title = " ".join(title.split())
    text = body if (title is None or body.startswith(title)) else f"{title}\n\n{body}"
    if len(text) > max_chars:
        raise ReadError(p, f"article has {len(text)} characters, over the limit of {max_chars} "
                        "(raise it with --max-chars)")
    art = Article(id=article_id if article_id is not None else path.name, text=text, title=title,
                  path=p)
    art.url = (meta.get("url") or None)
    art.source = (meta.get("sitename") or None)
    date = meta.get("date")
    if date:
        art.date, problem = parse_date(date)
        if art.date is not None:
            art.date_source = "metadata"
        if problem:
            art.warnings.append(f"page {problem}")
    art.metadata["layout"] = "html"
    art.metadata["text_origin"] = "extracted from HTML by trafilatura; offsets refer to 'text'"
    raw = html if isinstance(html, str) else html.decode("latin-1")
    if _SYNTHETIC.search(raw[:20000]):  # narrascope's own example and test pages
        art.metadata["synthetic"] = True
    for key in ("author", "description", "hostname"):
        if meta.get(key):
            art.metadata[key] = str(meta[key])
    return art
