"""French wording helpers shared by the report, the action plan and the exports: dates in
French, the first sentence of a remediation."""

from __future__ import annotations

import re
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

# A sentence ends at . ! ? or … followed by a capital letter (or the end of the text), so that
# "p. ex." or "v1.2" do not cut a remediation in the middle.
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?…])(?=\s+[«A-ZÀ-ÖØ-Þ]|\s*$)", re.DOTALL)


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
    if isinstance(value, datetime):
        value = _paris_time(value)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            # Data snapshots may carry free text such as « 2026 » or « novembre 2026 ».
            return value
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {_MONTHS[value.month - 1]} {value.year}"


def format_time_fr(value: datetime | None) -> str:
    """Format a time of day in French typography, e.g. « 14 h 05 »."""
    if value is None:
        return "—"
    value = _paris_time(value)
    return f"{value.hour} h {value.minute:02d}"


def first_sentence(text: str) -> str:
    """First sentence of `text` (the whole text when it has a single sentence)."""
    text = " ".join(text.split())
    match = _FIRST_SENTENCE.match(text)
    return match.group(1) if match else text


def paris_day(value: datetime) -> date:
    """The calendar day of `value` in French metropolitan time (the report's dates)."""
    return _paris_time(value).date()


def short_action(text: str, limit: int = 150) -> str:
    """The first sentence of `text`, shortened before its details when longer than `limit`.

    « Demandez à l'hébergeur de refuser X (IMAP : …; POP : …). » becomes « Demandez à
    l'hébergeur de refuser X. »: the plan says what to do, the finding says how. A quotation
    (« … ») is never cut in the middle.
    """
    sentence = first_sentence(text)
    if len(sentence) <= limit:
        return sentence
    head = sentence[:limit]
    paren = head.find(" (")
    head = head[:paren] if paren >= 40 else head.rsplit(" ", 1)[0]
    if head.count("«") > head.count("»"):
        head = head[: head.rindex("«")]
    head = head.rstrip(" ,;:")
    return head + ("." if paren >= 40 else "…")


def short_label(label: str, limit: int = 48) -> str:
    """A reference's label for a narrow column: without its subtitle (« RGPD art. 32 —
    sécurité » → « RGPD art. 32 »), unless that would leave only a publisher's name, then
    up to its first comma, and never longer than `limit` (the card gives it in full)."""
    head = label.split(" — ", 1)[0]
    if len(head) < 8:
        head = label.split(",", 1)[0]
    if len(head) > limit:
        head = head[:limit].rsplit(" ", 1)[0].rstrip(" ,;:—") + "…"
    return head


def citation_label(label: str) -> str:
    """A reference's label without the subtitle of a well-known identifier (« RGPD art. 32 —
    sécurité du traitement » → « RGPD art. 32 », « RFC 8461 — … » → « RFC 8461 »); a
    document named by its publisher only (« CNIL — Guide … fiche 4 ») keeps its whole title,
    the identifier being the title itself."""
    head = label.split(" — ", 1)[0]
    return head if len(head) >= 8 else label


def format_date_short(value: date) -> str:
    """A date in figures, French order (« 05/01/2027 »), for narrow table columns."""
    return value.strftime("%d/%m/%Y")
