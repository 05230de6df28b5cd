"""Fact checks on the real development set: dates found in the text, and every finding.

1. **Date recall**: the ``.txt`` files of ``../shared/dev-real/articles`` carry no
   machine-readable date; the ``fact_checks`` component looks for one stated in the text
   (:mod:`narrascope.components.fact_checks.dates`).  Scored against ``meta.jsonl``'s
   date: of the articles whose date is known *and* written in the first
   ``HEAD_CHARS`` characters of the text (in any form the page uses), how many get that
   date (recall), and how many get another date (wrong; a date found where the set has
   none is listed, not counted).
2. **Findings**: every fact-check finding on the set, read without dates (``.txt``)
   and with the set's dates (``articles.jsonl``), printed for review (target: none
   wrong), and on ``../shared/seeds`` (two known slips must be found).

    .venv/bin/python benchmarks/fact_checks_devreal.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def date_written(text: str, d: dt.date, head: int) -> bool:
    """Is date ``d`` written near the top of ``text``, in some common form?"""
    t = text[:head]
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]
    mon = months[d.month - 1]
    forms = [d.isoformat(), f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day}.{d.month}.{d.year}",
             f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.month:02d}/{d.day:02d}/{d.year}",
             f"{d.month}/{d.day}/{d.year}", f"{d.day}/{d.month}/{d.year}"]
    if any(f in t for f in forms):
        return True
    pat = (rf"\b(?:{mon}|{mon[:3]}\.?)\s+{d.day}(?:st|nd|rd|th)?,?\s+{d.year}\b|"
           rf"\b{d.day}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{mon}|{mon[:3]}\.?),?\s+{d.year}\b")
    return re.search(pat, t) is not None


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    dev = args.shared / "dev-real"
    if not (dev / "meta.jsonl").is_file():
        print(f"{dev}: no dev-real set here; nothing measured", file=sys.stderr)
        return {}

    import narrascope
    from narrascope.components.fact_checks.dates import HEAD_CHARS
    from narrascope.read import read_articles

    meta = {}
    for line in (dev / "meta.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            meta[r["id"]] = r
    nlp = narrascope.load({"pipeline": {"components": ["sentences", "fact_checks"]}})
    files = sorted((dev / "articles").glob("*.txt"))
    stated = found_right = found_wrong = 0
    extra: list[str] = []
    wrong: list[str] = []
    missed: list[str] = []
    findings: list[str] = []
    for a in nlp.pipe(read_articles(files)):
        key = a.id.removesuffix(".txt")
        gold = meta.get(key, {}).get("date")
        gd = dt.date.fromisoformat(gold) if gold else None
        got = a.date if a.date_source == "text" else None
        if gd is not None and date_written(a.text, gd, HEAD_CHARS):
            stated += 1
            if got == gd:
                found_right += 1
            elif got is not None:
                found_wrong += 1
                wrong.append(f"{key}: found {got}, set says {gd}")
            else:
                missed.append(key)
        elif got is not None:
            if gd is not None and got != gd:
                found_wrong += 1
                wrong.append(f"{key}: found {got}, set says {gd}")
            elif gd is None:
                extra.append(f"{key}: found {got} ({a.date_evidence.text!r}), set has no date"
                             if a.date_evidence else f"{key}: found {got}")
        for f in a.fact_checks:
            findings.append(f"txt   {key} [{a.date} {a.date_source}] {f.text!r} -> {f.label}")
    dated = list(read_articles([dev / "articles.jsonl"]))
    for a in nlp.pipe(dated):
        for f in a.fact_checks:
            findings.append(f"jsonl {a.id} [{a.date} {a.date_source}] {f.text!r} -> {f.label}")
    seeds = sorted((args.shared / "seeds").glob("*.txt"))
    seed_findings = []
    for a in nlp.pipe(read_articles(seeds)):
        for f in a.fact_checks:
            seed_findings.append(f"seed  {a.id} [{a.date} {a.date_source}] {f.text!r} -> {f.label}")
    out = {
        "articles_stating_their_date": stated,
        "date_found": found_right,
        "date_recall": round(found_right / stated, 3) if stated else None,
        "wrong_dates": found_wrong,
        "missed": missed,
        "wrong": wrong,
        "dates_where_the_set_has_none": extra,
        "findings": findings,
        "seed_findings": seed_findings,
    }
    if args.json:
        print(json.dumps(out, indent=1, default=str))
    else:
        for k, v in out.items():
            if isinstance(v, list):
                print(f"{k}: {len(v)}")
                for x in v:
                    print(f"   {x}")
            else:
                print(f"{k}: {v}")
    return out


if __name__ == "__main__":
    main()
