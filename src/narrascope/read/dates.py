"""Publication dates as written in records and pages: ISO, or anything dateparser reads.

``"2025-04-10"``, ``"2025-04-10T08:00:00Z"``, ``"10/04/2025"``, ``"April 10, 2025"``,
``"10 avril 2025"`` are read; a value that is not a date gives ``None`` and a warning
(the article is kept with its date unknown, never dropped).  A slashed date like
``10/04/2025`` is read day first (the European convention) unless only the other order is a date
(``04/23/2025`` is read month first); when both orders are dates a warning says how
it was read.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_SLASHED = re.compile(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*")
#: Longest date string looked at (longer values are not dates).
MAX_DATE_CHARS = 100


def parse_date(value: Any) -> tuple[dt.date | None, str | None]:
    """``(date, warning)`` for a date value of a record; ``warning`` None when clean."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    s = str(value).strip()
    if not s:
        return None, None
    shown = repr(s[:MAX_DATE_CHARS])
    if len(s) > MAX_DATE_CHARS:
        return None, f"date {shown}... is not a date; date unknown"
    if _ISO.match(s):
        try:
            return dt.date.fromisoformat(s[:10]), None
        except ValueError:
            pass
    m = _SLASHED.fullmatch(s)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (a, b) if a > 12 or b <= 12 else (b, a)
        try:
            date = dt.date(year, month, day)
        except ValueError:
            return None, f"date {shown} is not a date; date unknown"
        order = "day first" if (day, month) == (a, b) else "month first"
        return date, (f"date {shown} read as {date.isoformat()} ({order})"
                      if a <= 12 and b <= 12 and a != b else None)
    try:
        import dateparser

        parsed = dateparser.parse(s, settings={"REQUIRE_PARTS": ["day", "month", "year"],
                                               "PREFER_DAY_OF_MONTH": "first",
                                               "RETURN_AS_TIMEZONE_AWARE": False,
                                               "PARSERS": ["custom-formats", "absolute-time"]})
    except Exception:  # dateparser raises several types for odd input
        parsed = None
    if parsed is None:
        return None, f"date {shown} is not a date; date unknown"
    return parsed.date(), None
