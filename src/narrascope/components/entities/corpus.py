"""Marked whole-article files of the role corpus (``data/roles/docs/*.txt``).

Format (UTF-8 text)::

    # comment lines start with '#'
    ### <doc-id> | domain=URW | slant=pro-kremlin | register=wire | date=2025-03-02
    Article text, any number of lines and paragraphs, where a framed mention is
    written [[surface|MAIN:Fine1,Fine2]] with MAIN one of P (Protagonist),
    A (Antagonist), I (Innocent) or N (merely reported, no role, no fine roles).

Each article starts at a ``### `` header line; its text runs to the next header
(trailing blank lines dropped).  Marks are removed to give the article text, and each
mark becomes one record with half-open offsets into that text.  A leading "the " inside
a mark is left out of the mention (as SemEval annotators do).

``python -m narrascope.components.entities.corpus FILE...`` checks files and prints
counts; errors name the file and line.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from narrascope.components.entities.model import load_taxonomy

MARK = re.compile(r"\[\[([^|\]\n]+)\|([PAIN])(?::([^\]\n]*))?\]\]")
MAIN_CODE = {"P": "Protagonist", "A": "Antagonist", "I": "Innocent", "N": None}
HEADER = re.compile(r"^###\s+(\S+)\s*(.*)$")


class CorpusError(ValueError):
    pass


def _parse_header(rest: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for part in rest.split("|"):
        if "=" in part:
            k, v = part.split("=", 1)
            meta[k.strip()] = v.strip()
    return meta


def parse_marked(raw: str, where: str = "") -> tuple[str, list[tuple[int, int, str | None, list[str]]]]:
    """Strip marks from ``raw``: (text, [(start, end, main, fines)])."""
    tax = load_taxonomy(None)
    text_parts: list[str] = []
    length = 0
    marks = []
    pos = 0
    for m in MARK.finditer(raw):
        chunk = raw[pos:m.start()]
        text_parts.append(chunk)
        length += len(chunk)
        surface = m.group(1)
        s = length
        text_parts.append(surface)
        length += len(surface)
        e = length
        main = MAIN_CODE[m.group(2)]
        fines = [f.strip() for f in (m.group(3) or "").split(",") if f.strip()]
        if surface.lower().startswith("the ") and len(surface) > 4:
            s += 4
        if surface != surface.strip():
            raise CorpusError(f"{where}: mark {surface!r} has leading/trailing spaces")
        if main is None and fines:
            raise CorpusError(f"{where}: [[{surface}|N]] takes no fine roles")
        for f in fines:
            if f not in tax.fines:
                raise CorpusError(f"{where}: unknown fine role {f!r} in [[{surface}|...]]")
            if tax.main_of(f) != main:
                raise CorpusError(f"{where}: {f} is not a {main} role in [[{surface}|...]]")
        if main and not fines:
            raise CorpusError(f"{where}: [[{surface}|...]] needs at least one fine role")
        marks.append((s, e, main, fines))
        pos = m.end()
    text_parts.append(raw[pos:])
    text = "".join(text_parts)
    left = re.search(r"\[\[|\]\]", text)
    if left:
        line = text.count("\n", 0, left.start())
        raise CorpusError(f"{where}: malformed mark near {text[left.start():left.start() + 40]!r} "
                          f"(line +{line} of the article)")
    return text, marks


def read_marked_articles(path: str | Path) -> list[dict]:
    """Records (one per mark) of every article of one marked file."""
    p = Path(path)
    lines = p.read_text(encoding="utf-8").splitlines()
    docs: list[tuple[str, dict[str, str], int, list[str]]] = []
    for n, line in enumerate(lines, 1):
        h = HEADER.match(line)
        if h:
            docs.append((h.group(1), _parse_header(h.group(2)), n, []))
        elif docs:
            if line.startswith("#") and not line.startswith("###"):
                continue
            docs[-1][3].append(line)
        elif line.strip() and not line.startswith("#"):
            raise CorpusError(f"{p}:{n}: text before the first '### <id>' header")
    records: list[dict] = []
    seen: set[str] = set()
    for doc_id, meta, n, body in docs:
        if doc_id in seen:
            raise CorpusError(f"{p}:{n}: duplicate article id {doc_id!r}")
        seen.add(doc_id)
        raw = "\n".join(body).strip("\n") + "\n"
        text, marks = parse_marked(raw, f"{p}:{n} ({doc_id})")
        if not marks:
            raise CorpusError(f"{p}:{n}: article {doc_id!r} has no marks")
        for k, (s, e, main, fines) in enumerate(marks):
            records.append({
                "id": f"{doc_id}-{k}", "template": f"doc/{doc_id}", "text": text,
                "mention": text[s:e], "start": s, "end": e, "main_role": main,
                "fine_roles": fines, "register": meta.get("register"),
                "domain": meta.get("domain"), "slant": meta.get("slant"),
                "weight": 1, "synthetic": True,
            })
    return records


def read_docs_dir(folder: str | Path) -> list[dict]:
    out: list[dict] = []
    for f in sorted(Path(folder).glob("*.txt")):
        out.extend(read_marked_articles(f))
    return out


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    rc = 0
    for a in args:
        try:
            recs = read_marked_articles(a)
        except (CorpusError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            rc = 1
            continue
        docs = {r["template"] for r in recs}
        mains = Counter(r["main_role"] or "none" for r in recs)
        fines = Counter(f for r in recs for f in r["fine_roles"])
        words = sum(len(t.split()) for t in {r["text"] for r in recs})
        print(f"{a}: {len(docs)} articles, {words} words, {len(recs)} marks; "
              f"main {dict(mains)}")
        print("  fine: " + ", ".join(f"{k} {v}" for k, v in sorted(fines.items())))
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
