"""What `rgpd-audit render` accepts from an `audit.json`, which anyone may have edited.

A real audit holds a few hundred findings and short names; the limits below are far above
that and far below what would make the PDF take minutes. Dates must be ones the report can
print in French time, and the scores are recomputed from the findings rather than trusted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from rgpd_audit.errors import InputError
from rgpd_audit.models import AuditResult

#: Largest `audit.json` that render accepts (a real one weighs tens of kilobytes).
MAX_RENDER_BYTES = 8 * 1024 * 1024
MAX_FINDINGS = 2000
MAX_ANSWER_LINES = 1000
MAX_NAME_CHARS = 200
MAX_LINE_CHARS = 4000
#: Dates closer than this to the limits of `datetime` cannot be moved to French time.
_MARGIN = timedelta(days=2)


def check_render_input(path: Path, result: AuditResult) -> AuditResult:
    """`result` with its scores recomputed, or `InputError` naming the field that is too big."""
    from rgpd_audit.scoring import score, verdict

    def refuse(what: str) -> InputError:
        return InputError(f"{path} : {what} ; ce n'est pas un audit.json produit par l'outil")

    for label, value in (("started_at", result.started_at), ("finished_at", result.finished_at)):
        if value is not None and not _printable_date(value):
            raise refuse(f"date {label} hors limites ({value.isoformat()})")
    target = result.target
    for label, text in (
        ("nom du cabinet (target.practice_name)", target.practice_name),
        ("domaine (target.domain)", target.domain),
        ("profil (target.profile)", target.profile),
        ("questionnaire", result.questionnaire),
        ("profil (profile_label)", result.profile_label),
        ("version de l'outil (tool_version)", result.tool_version),
    ):
        if text is not None and len(text) > MAX_NAME_CHARS:
            raise refuse(f"{label} de plus de {MAX_NAME_CHARS} caractères")
    if len(target.emails) > 50 or any(len(e) > 320 for e in target.emails):
        raise refuse("adresses de contact (target.emails) trop nombreuses ou trop longues")
    if len(result.findings) > MAX_FINDINGS:
        raise refuse(f"plus de {MAX_FINDINGS} constats ({len(result.findings)})")
    for number, finding in enumerate(result.findings, start=1):
        texts = (finding.check_id, finding.title, finding.category, finding.remediation)
        if any(len(text) > MAX_LINE_CHARS for text in texts):
            raise refuse(f"constat n° {number} : texte de plus de {MAX_LINE_CHARS} caractères")
    if len(result.answer_lines) > MAX_ANSWER_LINES:
        raise refuse(f"plus de {MAX_ANSWER_LINES} réponses au questionnaire")
    for line in result.answer_lines:
        texts = (line.question_id, line.section, line.question, line.answer)
        if any(len(text) > MAX_LINE_CHARS for text in texts):
            raise refuse(f"réponse {line.question_id[:60]} de plus de {MAX_LINE_CHARS} caractères")
    # Stored scores and verdicts are never trusted (10**30, -5, an invented grade, a letter
    # above the cap): the findings decide, as they did when the audit ran.
    # The same fact the audit used: a questionnaire was given (even left unanswered).
    answered = result.questionnaire is not None
    return result.model_copy(
        update={
            "scores": score(result.findings),
            "verdict": verdict(result.findings, answered=answered),
        }
    )


def _printable_date(value: datetime) -> bool:
    naive = value.replace(tzinfo=None)
    return datetime.min + _MARGIN < naive < datetime.max - _MARGIN
