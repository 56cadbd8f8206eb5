"""Dates and times in French, as everything the tool prints says them: the report, the
history (`history show`, `diff`), the console.

A neutral module (standard library only), so that the history and the command line can word a
date like the report without importing the renderers.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _paris_time(value: datetime) -> datetime:
    """`value` in French metropolitan time, which the report states it uses.

    Naive datetimes are taken as already local; without tz data (slim images) the stored
    offset is kept rather than failing the whole report.
    """
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(ZoneInfo("Europe/Paris"))
    except ZoneInfoNotFoundError:
        return value


def format_date_fr(value: datetime | date | str | None) -> str:
    """Format a date in French, e.g. « 25 novembre 2026 » (« 1er » for the first day)."""
    if value is None:
        return "—"
    day_of: date
    if isinstance(value, str):
        try:
            day_of = date.fromisoformat(value[:10])
        except ValueError:
            # Data snapshots may carry free text such as « 2026 » or « novembre 2026 ».
            return value
    elif isinstance(value, datetime):
        day_of = _paris_time(value)
    else:
        day_of = value
    day = "1er" if day_of.day == 1 else str(day_of.day)
    return f"{day} {_MONTHS[day_of.month - 1]} {day_of.year}"


def format_time_fr(value: datetime | None) -> str:
    """Format a time of day in French typography, e.g. « 14 h 05 »."""
    if value is None:
        return "—"
    value = _paris_time(value)
    return f"{value.hour} h {value.minute:02d}"


def paris_day(value: datetime) -> date:
    """The calendar day of `value` in French metropolitan time (the report's dates)."""
    return _paris_time(value).date()


def format_date_short(value: date | datetime) -> str:
    """A date in figures, French order (« 05/01/2027 »), for narrow columns and chart axes;
    a moment is given as its day in French metropolitan time, as `format_date_fr` does."""
    if isinstance(value, datetime):
        value = paris_day(value)
    return value.strftime("%d/%m/%Y")
