"""summary.csv (French Excel: `;`, UTF-8 with BOM) and summary.xlsx: one row per practice.

Both are written from the outcomes one at a time (openpyxl's write-only mode streams rows),
then replaced atomically (mode 0600: the summary names every client's weaknesses).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from rgpd_audit.files import write_private
from rgpd_audit.models import Severity
from rgpd_audit.practice import PracticeOutcome

CSV_NAME = "summary.csv"
XLSX_NAME = "summary.xlsx"

_SEVERITY_LABELS = {
    Severity.CRITICAL: "critiques",
    Severity.HIGH: "élevés",
    Severity.MEDIUM: "moyens",
    Severity.LOW: "faibles",
}
HEADER = [
    "ligne",
    "domaine",
    "cabinet",
    "statut",
    "conformité",
    "note de sécurité",
    "obligations non respectées",
    "points non conformes",
    *(f"non conformes {label}" for label in _SEVERITY_LABELS.values()),
    "première action",
    "audit n°",
    "erreur",
    "dossier",
]


def summary_row(outcome: PracticeOutcome) -> list[str | int | None]:
    """The practice's row, in `HEADER`'s order (numbers stay numbers for the spreadsheet)."""
    verdict = outcome.verdict
    if outcome.ok:
        status = "terminé"
    elif outcome.failure_kind == "reseau" and verdict is not None:
        status = "non évalué"
    else:
        status = "échec"
    return [
        outcome.line,
        outcome.domain,
        outcome.practice_name,
        status,
        (verdict.grade or "non évaluée") if verdict else None,
        verdict.security_score if verdict else None,
        verdict.unmet_obligations if verdict else None,
        verdict.failed_controls if verdict else None,
        *(
            outcome.failed_by_severity.get(severity.value, 0) if verdict else None
            for severity in _SEVERITY_LABELS
        ),
        outcome.first_action,
        outcome.audit_id,
        outcome.failure or outcome.history_error,
        outcome.output_dir,
    ]


def _csv_cell(value: str | int | None) -> str:
    if value is None:
        return ""
    text = str(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: the client's data (a
    # practice name, a server's reply in an error) must never run as one.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def write_summaries(outcomes: Iterable[PracticeOutcome], root: Path) -> tuple[Path, Path]:
    """Write summary.csv and summary.xlsx into `root`; return their paths."""
    from openpyxl import Workbook

    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Portefeuille")
    sheet.append(HEADER)
    for outcome in outcomes:
        row = summary_row(outcome)
        writer.writerow([_csv_cell(value) for value in row])
        sheet.append([_csv_cell(v) if isinstance(v, str) else v for v in row])
    csv_path, xlsx_path = root / CSV_NAME, root / XLSX_NAME
    # The BOM tells Excel the file is UTF-8 (otherwise « Conformité » shows as mojibake).
    write_private(csv_path, ("\ufeff" + text.getvalue()).encode("utf-8"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    write_private(xlsx_path, buffer.getvalue())
    return csv_path, xlsx_path
