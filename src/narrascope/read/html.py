"""HTML pages: the main text and metadata, extracted with trafilatura.

The article text is built as ``title + "\\n\\n" + main text`` (SemEval layout),
so offsets refer to that extracted text, not to the HTML source;
``metadata["text_origin"]`` says so.  Navigation, bylines, captions and lists of
other headlines are dropped by trafilatura where it can tell them apart.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import warnings
from pathlib import Path

from narrascope.doc import Article
from narrascope.read.errors import ReadError
from narrascope.read.text import decode

_SYNTHETIC = re.compile(r"""<meta\s+name=["']narrascope:synthetic["']\s+content=["']true["']""", re.I)


def read_html(path: Path, max_chars: int) -> Article:
    p = str(path)
    try:
        size = os.path.getsize(path)
        if size > 20 * max_chars:
            raise ReadError(p, f"HTML file is {size} bytes; too large (raise --max-chars)")
        data = path.read_bytes()
    except OSError as exc:
        raise ReadError(p, f"cannot read file: {exc.strerror or exc}") from None
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
    art = Article(id=path.name, text=text, title=title, path=p)
    art.url = (meta.get("url") or None)
    art.source = (meta.get("sitename") or None)
    date = meta.get("date")
    if date:
        try:
            art.date = dt.date.fromisoformat(str(date)[:10])
        except ValueError:
            art.warnings.append(f"page date {date!r} is not YYYY-MM-DD; ignored")
    art.metadata["layout"] = "html"
    art.metadata["text_origin"] = "extracted from HTML by trafilatura; offsets refer to 'text'"
    raw = html if isinstance(html, str) else html.decode("latin-1")
    if _SYNTHETIC.search(raw[:20000]):  # narrascope's own example and test pages
        art.metadata["synthetic"] = True
    for key in ("author", "description", "hostname"):
        if meta.get(key):
            art.metadata[key] = str(meta[key])
    return art
