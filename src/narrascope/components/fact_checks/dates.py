"""The publication date an article states in its own text.

Many pages carry no machine-readable date but say it near the top: a leading ``date
2025-04-11`` stamp, a ``Published 12 March 2025`` / ``Updated: 27.11.2024 16:47`` line,
a line holding only the date (``Wednesday, March 9, 2022``, ``April 15, 2024, 5:21 PM``,
``By Jane Doe  August 2, 2025 at 11:22am``) or a wire dateline (``MOSCOW, March 3, 2025
(Reuters) -``).  :func:`find_text_date` returns the first such date with the exact span
where the text states it.

Precision first: dates inside running sentences ("the pipelines were blown up on
September 26, 2022") are event dates, never taken; numeric dates are taken only when
the order of day and month is unambiguous (ISO ``2024-11-27``, ``27.11.2024`` with a day
above 12); a month without a day (``date 2024-08``) gives no date; only the top of the
page (``HEAD_CHARS``) is read, and a ``Published`` line wins over an ``Updated`` one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

#: how far into the text a stated publication date is looked for
HEAD_CHARS = 1500

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
}
_MON = (r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
        r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?[ \t]+)"
_TIME = (r"(?:(?:,|[ \t]+at|[ \t]*[-|\u2013\u2014])?[ \t]*\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
         r"(?:[ \t]*[AaPp]\.?[Mm]\.?)?(?:[ \t]*(?:[A-Z]{2,4}|GMT[+-]?\d*|UTC[+-]?\d*))?)")
#: the date itself, in the written forms; numeric forms only where unambiguous
_DATE = (
    rf"(?:{_WEEKDAY}?(?:"
    rf"{_MON}[ \t]+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?[ \t]+(?P<y1>(?:19|20)\d{{2}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?"
    + _MON.replace("?P<mon>", "?P<mon2>") + r",?[ \t]+(?P<y2>(?:19|20)\d{2})"
    r"|(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2})(?![\d-])"
    r"|(?P<ed>\d{1,2})[./](?P<em>\d{1,2})[./](?P<ey>(?:19|20)\d{2})(?![\d./])"
    r"))"
)
_DATE_RE = re.compile(_DATE)

#: `` date 2025-04-11 `` at the start of a line (the stamp of stored pages)
_STAMP = re.compile(r"(?m)^[ \t]*date[ \t]+(?P<iy>(?:19|20)\d{2})-(?P<im>\d{2})-(?P<id>\d{2})"
                    r"(?![\d-])")
#: "Published ...", "Updated: ...", "Posted on ..." (the date within 40 characters)
_MARKER = re.compile(
    r"(?i:\b(?P<kind>first[ \t]+published|published|last[ \t]+updated|updated|posted|"
    r"last[ \t]+modified|modified|date[ \t]+published|publication[ \t]+date|released))"
    r"(?:[ \t]+(?:on|at))?[ \t]*[:\-\u2013\u2014]?[ \t]*")
#: a byline before the date on its line: "By Jane Doe " / "Jane Doe | "
_BYLINE = re.compile(r"^[ \t]*(?:By[ \t]+[A-Z][\w.'\u2019-]*(?:[ \t]+[A-Z][\w.'\u2019-]*){0,3}"
                     r"[ \t]*[,|\u2013\u2014-]?[ \t]*)?$")
#: a wire dateline: "MOSCOW, " or "KYIV, Ukraine, " at the start of a line before the date
_DATELINE_BEFORE = re.compile(r"^[ \t]*[A-Z][A-Z .'-]{2,30}(?:,[ \t]*[A-Z][a-z]+)?,[ \t]*$")
_AGENCY_AFTER = re.compile(r"^[ \t]*(?:\((?:Reuters|AP|AFP|dpa|TASS|RIA Novosti|Xinhua|"
                           r"Sputnik|UNIAN|Ukrinform|IANS|PTI|ANI|Bloomberg)\)|/[A-Za-z]+/)?"
                           r"[ \t]*[-\u2013\u2014:]")
_REST_OF_LINE_OK = re.compile(rf"^{_TIME}?[ \t]*(?:[|,\u2013\u2014-][ \t]*)?"
                              r"(?:(?:Share|Print|Comments?|\d+[ \t]+min(?:ute)?s?[ \t]+read)"
                              r"\b.*)?[ \t]*$", re.I)


@dataclass(frozen=True)
class TextDate:
    """A date stated in the text: the date, the span ``[start, end)`` of its words and
    how it is stated (``stamp``, ``published``, ``updated``, ``line``, ``dateline``)."""

    date: dt.date
    start: int
    end: int
    kind: str


def _parse(m: re.Match[str]) -> dt.date | None:
    g = m.groupdict()
    try:
        if g.get("mon"):
            return dt.date(int(g["y1"]), _MONTHS[g["mon"].lower().rstrip(".")], int(g["d1"]))
        if g.get("mon2"):
            return dt.date(int(g["y2"]), _MONTHS[g["mon2"].lower().rstrip(".")], int(g["d2"]))
        if g.get("iy"):
            return dt.date(int(g["iy"]), int(g["im"]), int(g["id"]))
        if g.get("ey"):
            a, b = int(g["ed"]), int(g["em"])
            if a > 12 >= b:  # 27.11.2024: day first
                return dt.date(int(g["ey"]), b, a)
            if b > 12 >= a:  # 11/27/2024: month first
                return dt.date(int(g["ey"]), a, b)
            return None  # 10/08/2023: day and month cannot be told apart
    except (ValueError, KeyError):
        return None
    return None


def _plausible(d: dt.date, today: dt.date | None) -> bool:
    today = today or dt.date.today()
    return dt.date(1990, 1, 1) <= d <= today + dt.timedelta(days=2)


def find_text_date(text: str, start: int = 0, head_chars: int = HEAD_CHARS,
                   today: dt.date | None = None) -> TextDate | None:
    """The publication date the text states near its top (from offset ``start``), or
    ``None``.  Order of preference: a ``date`` stamp, a ``Published`` line, a line that
    holds only the date (with weekday, time or byline), a wire dateline, an ``Updated``
    line."""
    head_end = min(len(text), start + head_chars)
    head = text[:head_end]
    found: list[tuple[int, int, TextDate]] = []  # (preference, position, date)
    for m in _STAMP.finditer(head, start):
        d = _parse(m)
        if d and _plausible(d, today):
            found.append((0, m.start(), TextDate(d, m.start("iy"), m.end("id"), "stamp")))
    for mk in _MARKER.finditer(head, start):
        dm = _DATE_RE.match(head, mk.end())
        if not dm:
            continue
        d = _parse(dm)
        if not d or not _plausible(d, today):
            continue
        kind = "updated" if re.search(r"(?i)updated|modified", mk.group("kind")) else "published"
        found.append((1 if kind == "published" else 4, mk.start(),
                      TextDate(d, mk.start(), dm.end(), kind)))
    for dm in _DATE_RE.finditer(head, start):
        d = _parse(dm)
        if not d or not _plausible(d, today):
            continue
        ls = head.rfind("\n", 0, dm.start()) + 1
        le = text.find("\n", dm.end())
        le = len(text) if le < 0 else le
        before, after = text[ls:dm.start()], text[dm.end():le]
        if _MARKER.search(before):
            continue  # taken above
        if _BYLINE.match(before) and _REST_OF_LINE_OK.match(after):
            found.append((2, dm.start(), TextDate(d, dm.start(), dm.end(), "line")))
        elif _DATELINE_BEFORE.match(before) and _AGENCY_AFTER.match(after):
            found.append((3, dm.start(), TextDate(d, dm.start(), dm.end(), "dateline")))
    if not found:
        return None
    found.sort(key=lambda t: (t[0], t[1]))
    return found[0][2]
