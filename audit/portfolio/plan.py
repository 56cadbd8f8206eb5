"""A row of the client list → the `PracticeJob` of that practice, with the batch's settings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rgpd_audit.config import RunConfig
from rgpd_audit.models import Target
from rgpd_audit.portfolio.clients import ClientRow
from rgpd_audit.practice import PracticeJob

if TYPE_CHECKING:
    from rgpd_audit.history.location import HistoryLocation


@dataclass(frozen=True)
class BatchSettings:
    """What applies to every practice of the batch (the options of `run` it was given)."""

    config: RunConfig
    root: Path
    formats: tuple[str, ...]
    history: HistoryLocation | None


def practice_folder(root: Path, domain: str) -> Path:
    """One output folder per practice, named after its domain (normalised: a safe name)."""
    return root / domain


def job_for(row: ClientRow, settings: BatchSettings) -> PracticeJob:
    """The audit of `row`'s practice: its own files, the batch's network settings."""
    return PracticeJob(
        target=Target(
            domain=row.domain,
            practice_name=row.name,
            emails=list(row.emails),
            profile=row.profile,
        ),
        config=replace(settings.config, register_file=row.register, inventory_file=row.inventory),
        output_dir=practice_folder(settings.root, row.domain),
        formats=settings.formats,
        answers_file=row.answers,
        history=settings.history,
        line=row.line,
        # A batch has no preflight per practice: a domain missing from DNS is this
        # practice's failure (a typo in the list), never the whole batch's.
        check_domain=True,
    )
