"""Record, list, load and purge audits; one transaction per operation.

`HistoryStore.open` connects, checks the schema (upgrading SQLite) and turns every database
failure into `HistoryUnavailable`. `record` writes an audit and its findings in a single
transaction: a crash, a SIGKILL or Ctrl-C before the commit leaves the database as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from pydantic import BaseModel, JsonValue, ValidationError
from sqlalchemy import Connection, Engine, delete, func, insert, select

from rgpd_audit import clock
from rgpd_audit.history import tables
from rgpd_audit.history.connect import create_history_engine, unavailable_as, writer
from rgpd_audit.history.errors import HistoryUnavailable
from rgpd_audit.history.location import HistoryLocation
from rgpd_audit.history.migrate import ensure_current
from rgpd_audit.models import AuditResult, TrendPoint


class HistoryEntry(BaseModel):
    """One recorded audit as `rgpd-audit history` lists it."""

    id: int
    domain: str
    practice_name: str | None
    date: datetime
    tool_version: str
    scope: str | None
    grade: str | None
    security_score: int | None
    unmet_obligations: int
    failed_controls: int
    findings: int

    def point(self) -> TrendPoint:
        """This audit as one point of the practice's trend."""
        return TrendPoint(
            date=self.date,
            grade=self.grade,
            security_score=self.security_score,
            unmet_obligations=self.unmet_obligations,
            failed_controls=self.failed_controls,
        )


class RecordedAnswers(BaseModel):
    """The answers of a practice's latest recorded audit that had a questionnaire."""

    audit_id: int
    date: datetime
    profile: str | None
    practice_name: str | None
    values: dict[str, JsonValue]


_ENTRY_COLUMNS = (
    tables.audits.c.id,
    tables.audits.c.domain,
    tables.audits.c.practice_name,
    tables.audits.c.started_at,
    tables.audits.c.tool_version,
    tables.audits.c.scope,
    tables.audits.c.grade,
    tables.audits.c.security_score,
    tables.audits.c.unmet_obligations,
    tables.audits.c.failed_controls,
    tables.audits.c.findings_count,
)


class HistoryStore:
    """The history database of `location`, ready to use."""

    def __init__(self, engine: Engine, location: HistoryLocation) -> None:
        self.engine = engine
        self.location = location

    @classmethod
    def open(cls, location: HistoryLocation) -> HistoryStore:
        """Connect and check the schema; `HistoryUnavailable` with the reason otherwise."""
        with unavailable_as(location):
            engine = create_history_engine(location)
            ensure_current(engine, location)
        return cls(engine, location)

    @contextmanager
    def _transaction(self, *, write: bool = False) -> Iterator[Connection]:
        engine = writer(self.engine) if write else self.engine
        with unavailable_as(self.location), engine.begin() as connection:
            yield connection

    def record(self, result: AuditResult) -> int:
        """Record a finished audit with its findings, in one transaction; return its id."""
        verdict = result.verdict
        row = {
            "domain": result.target.domain,
            "practice_name": result.target.practice_name,
            "started_at": result.started_at,
            "recorded_at": clock.now(),
            "tool_version": result.tool_version,
            "scope": verdict.scope if verdict else None,
            "grade": verdict.grade if verdict else None,
            "conformity_score": verdict.conformity_score if verdict else None,
            "security_score": verdict.security_score if verdict else None,
            "unmet_obligations": verdict.unmet_obligations if verdict else 0,
            "failed_controls": verdict.failed_controls if verdict else 0,
            "findings_count": len(result.findings),
            "questionnaire": result.questionnaire,
            "profile": result.target.profile,
            "answers_json": json.dumps(result.answers, ensure_ascii=False),
            "audit_json": result.model_dump_json(),
        }
        with self._transaction(write=True) as connection:
            audit_id = int(
                connection.execute(
                    insert(tables.audits).returning(tables.audits.c.id), row
                ).scalar_one()
            )
            if result.findings:
                connection.execute(
                    insert(tables.findings),
                    [
                        {
                            "audit_id": audit_id,
                            "control": finding.control,
                            "check_id": finding.check_id,
                            "subject": finding.subject,
                            "status": finding.status.value,
                            "severity": finding.severity.value,
                            "basis": finding.basis.value if finding.basis else None,
                            "title": finding.title,
                        }
                        for finding in result.findings
                    ],
                )
        return audit_id

    def entries(self, domain: str | None = None) -> list[HistoryEntry]:
        """Recorded audits, oldest first; only those of `domain` when given."""
        query = select(*_ENTRY_COLUMNS).order_by(
            tables.audits.c.domain, tables.audits.c.started_at, tables.audits.c.id
        )
        if domain is not None:
            query = query.where(tables.audits.c.domain == domain)
        with self._transaction() as connection:
            rows = connection.execute(query).all()
        return [
            HistoryEntry(
                id=row.id,
                domain=row.domain,
                practice_name=row.practice_name,
                date=row.started_at,
                tool_version=row.tool_version,
                scope=row.scope,
                grade=row.grade,
                security_score=row.security_score,
                unmet_obligations=row.unmet_obligations,
                failed_controls=row.failed_controls,
                findings=row.findings_count,
            )
            for row in rows
        ]

    def load(self, audit_id: int) -> AuditResult | None:
        """The `audit.json` of a recorded audit, None if there is no such id."""
        query = select(tables.audits.c.audit_json).where(tables.audits.c.id == audit_id)
        with self._transaction() as connection:
            text = connection.execute(query).scalar()
        if text is None:
            return None
        try:
            return AuditResult.model_validate_json(text)
        except ValidationError:
            raise HistoryUnavailable(
                f"audit n° {audit_id} de l'historique illisible par cette version de l'outil "
                f"({self.location.label})"
            ) from None

    def latest_answers(self, domain: str) -> RecordedAnswers | None:
        """The answers of the practice's latest audit that had a questionnaire."""
        audits = tables.audits
        query = (
            select(
                audits.c.id,
                audits.c.started_at,
                audits.c.profile,
                audits.c.practice_name,
                audits.c.answers_json,
            )
            .where(audits.c.domain == domain, audits.c.questionnaire.is_not(None))
            .order_by(audits.c.started_at.desc(), audits.c.id.desc())
            .limit(1)
        )
        with self._transaction() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return RecordedAnswers(
            audit_id=row.id,
            date=row.started_at,
            profile=row.profile,
            practice_name=row.practice_name,
            values=json.loads(row.answers_json),
        )

    def purge(self, *, before: datetime | None, domain: str | None, dry_run: bool = False) -> int:
        """Delete the audits started before `before` and/or of `domain`; return how many.

        With `dry_run`, only count them (for the confirmation question).
        """
        audits = tables.audits
        conditions = []
        if before is not None:
            conditions.append(audits.c.started_at < before)
        if domain is not None:
            conditions.append(audits.c.domain == domain)
        if not conditions:
            raise ValueError("purge needs a date or a domain")
        chosen = select(audits.c.id).where(*conditions)
        with self._transaction(write=not dry_run) as connection:
            count = int(
                connection.execute(select(func.count()).select_from(chosen.subquery())).scalar_one()
            )
            if count and not dry_run:
                # Findings first: the same on both databases, whatever their foreign keys do.
                connection.execute(
                    delete(tables.findings).where(tables.findings.c.audit_id.in_(chosen))
                )
                connection.execute(delete(audits).where(*conditions))
        return count

    def close(self) -> None:
        """Release the engine (nothing stays open with NullPool; kept for symmetry)."""
        self.engine.dispose()
