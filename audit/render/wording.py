"""French wording helpers shared by the report, the action plan and the exports: the first
sentence of a remediation, short labels; dates in French come from `rgpd_audit.dates`."""

from __future__ import annotations

import re

# A sentence ends at . ! ? or … followed by a capital letter (or the end of the text), so that
# "p. ex." or "v1.2" do not cut a remediation in the middle.
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?…])(?=\s+[«A-ZÀ-ÖØ-Þ]|\s*$)", re.DOTALL)


def first_sentence(text: str) -> str:
    """First sentence of `text` (the whole text when it has a single sentence)."""
    text = " ".join(text.split())
    match = _FIRST_SENTENCE.match(text)
    return match.group(1) if match else text


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
