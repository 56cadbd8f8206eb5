"""`report.html`: the French report, also the input of the PDF renderer.

Wording, labels and layout live in `report_templates/`; what goes in which part, and under
which number, is decided by `structure.py`. This module hands both to Jinja with a few
helpers (French dates, ordering, shortened evidence for the compact annex).
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import JsonValue

from rgpd_audit.catalog import scoring_table
from rgpd_audit.dates import format_date_fr, format_date_short, format_time_fr
from rgpd_audit.models import AuditResult, Consultant, Finding, Severity, Status
from rgpd_audit.render.colours import contrast, readable_accent
from rgpd_audit.render.glossary import glossary
from rgpd_audit.render.structure import report_structure
from rgpd_audit.render.template_cache import template_cache
from rgpd_audit.render.wording import citation_label, first_sentence, short_label

__all__ = [
    "Annexes",
    "clip_value",
    "first_sentence",
    "render_html",
    "sort_findings",
    "templates_dir",
]

TEMPLATES_PACKAGE = "rgpd_audit.report_templates"

# Report order of statuses: what needs action first.
_STATUS_ORDER = {
    Status.FAIL: 0,
    Status.INDETERMINATE: 1,
    Status.PASS: 2,
    Status.NOT_APPLICABLE: 3,
}

# The compact annex shortens what a reader never reads whole (keys, certificates in full,
# long lists); audit.json, also embedded in the PDF, keeps every value as received.
CLIP_CHARS = 240
CLIP_ITEMS = 8


class Annexes(StrEnum):
    """How much evidence the report prints (`--annexes`)."""

    COMPLETE = "complet"  # every control's evidence, values in full
    COMPACT = "compact"  # evidence of the controls to act on, long values shortened
    NONE = "aucune"  # no evidence annex (audit.json holds it)


def templates_dir() -> Path:
    """Directory of the report templates (also WeasyPrint's base URL)."""
    # The package is always installed as plain files (setuptools, editable or not), so the
    # Traversable is a real directory.
    return Path(str(files(TEMPLATES_PACKAGE))).resolve()


def finding_priority(finding: Finding) -> tuple[int, int, str]:
    """Sort key: status (fail, indeterminate, pass, n/a), then severity (critical first).

    Problems come before what is in order: a passed high-severity control must not push a
    failed low-severity one down the page.
    """
    return (_STATUS_ORDER[finding.status], -finding.severity.rank, finding.title)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in report order (see `finding_priority`)."""
    return sorted(findings, key=finding_priority)


def clip_value(value: JsonValue, chars: int = CLIP_CHARS, items: int = CLIP_ITEMS) -> JsonValue:
    """`value` with long strings cut at `chars` and lists and mappings at `items` entries.

    What is cut is said (« … (1 234 caractères) », « … et 5 autres ») so that a reader never
    takes a shortened record for the real one.
    """
    if isinstance(value, str):
        if len(value) <= chars:
            return value
        return f"{value[:chars]}… ({len(value)} caractères, en entier dans le fichier de résultats)"
    if isinstance(value, list):
        kept = [clip_value(v, chars, items) for v in value[:items]]
        if len(value) > items:
            kept.append(f"… et {len(value) - items} autres")
        return kept
    if isinstance(value, dict):
        pairs = list(value.items())
        clipped: dict[str, JsonValue] = {k: clip_value(v, chars, items) for k, v in pairs[:items]}
        if len(pairs) > items:
            clipped["…"] = f"et {len(pairs) - items} autres"
        return clipped
    return value


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir()),
        # Forced on for every template name: summaries and evidence carry text from DNS TXT
        # records, SMTP banners and certificates, i.e. from whoever controls those servers.
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=template_cache(),
    )
    env.filters["date_fr"] = format_date_fr
    env.filters["time_fr"] = format_time_fr
    env.filters["date_short"] = format_date_short
    env.filters["first_sentence"] = first_sentence
    env.filters["sort_findings"] = sort_findings
    env.filters["clip"] = clip_value
    env.filters["short_label"] = short_label
    env.filters["citation_label"] = citation_label
    env.filters["readable_accent"] = readable_accent
    env.filters["contrast"] = contrast
    env.globals["severities"] = sorted(Severity, key=lambda s: -s.rank)
    return env


def _question_texts(result: AuditResult) -> dict[str, str]:
    """Question wording for an audit.json that predates `answer_lines`: the report never
    shows a question's internal id. Questions since removed keep no wording."""
    if result.answer_lines or not result.answers:
        return {}
    from rgpd_audit.errors import ContentError
    from rgpd_audit.questionnaire import load_questionnaire

    try:
        questionnaire = load_questionnaire()
    except ContentError:
        return {}
    texts = {}
    for section in questionnaire.sections:
        for question in section.questions:
            texts[question.id] = question.text
    return texts


def _profile_label(result: AuditResult) -> str | None:
    """The practice's profile in words: as recorded, else looked up for an audit.json that
    predates `profile_label` (the report never shows a profile's id when it has words);
    the id itself for a profile the questionnaire no longer knows."""
    profile = result.target.profile
    if result.profile_label or not profile:
        return result.profile_label or profile
    from rgpd_audit.errors import ContentError
    from rgpd_audit.questionnaire import load_questionnaire

    try:
        return load_questionnaire().profiles.get(profile, profile)
    except ContentError:
        return profile


def render_html(
    result: AuditResult,
    *,
    annexes: Annexes = Annexes.COMPACT,
    consultant: Consultant | None = None,
) -> str:
    """Render the full French report of `result` as a standalone HTML document.

    `consultant` (the firm's configuration) overrides the one recorded in `result`.
    """
    return (
        _environment()
        .get_template("report.html")
        .render(
            result=result,
            scoring=scoring_table(),
            structure=report_structure(result),
            findings=sort_findings(result.findings),
            annexes=Annexes(annexes).value,
            consultant=consultant or result.consultant,
            glossary=glossary().terms,
            question_texts=_question_texts(result),
            profile_label=_profile_label(result),
        )
    )
