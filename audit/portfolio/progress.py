"""What a batch shows while it runs: a bar with counts, failures and time left at a
terminal, one line per finished practice otherwise (a log, a scheduled task)."""

from __future__ import annotations

import sys
from types import TracebackType

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from rgpd_audit.practice import PracticeOutcome
from rgpd_audit.text import printable


def outcome_line(outcome: PracticeOutcome) -> str:
    """One practice's result in one line, as the console shows it."""
    from rgpd_audit.headline import headline

    if outcome.ok and outcome.verdict is not None:
        text = headline(outcome.verdict)
    else:
        text = f"ÉCHEC — {outcome.failure}"
    return printable(f"{outcome.domain} : {text}")


class BatchProgress:
    """Progress of the practices of a batch; `advance` once per finished practice."""

    def __init__(self, total: int, already: int, quiet: bool) -> None:
        self.total, self.done, self.failures = total, already, 0
        self._quiet = quiet
        self._progress: Progress | None = None
        if not quiet and sys.stderr.isatty():
            self._progress = Progress(
                TextColumn("Cabinets"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failures]}"),
                TimeElapsedColumn(),
                TextColumn("reste"),
                TimeRemainingColumn(),
                console=Console(stderr=True, highlight=False),
                transient=True,
            )
            self._task = self._progress.add_task(
                "", total=total, completed=already, failures="0 échec"
            )

    def __enter__(self) -> BatchProgress:
        if self._progress:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress:
            self._progress.stop()

    def advance(self, outcome: PracticeOutcome) -> None:
        """Count `outcome` and show it."""
        self.done += 1
        if not outcome.ok:
            self.failures += 1
        if self._progress:
            plural = "s" if self.failures > 1 else ""
            self._progress.update(self._task, advance=1, failures=f"{self.failures} échec{plural}")
            if not outcome.ok:
                # Failures stay on screen above the bar; successes are in summary.csv.
                self._progress.console.print(outcome_line(outcome), markup=False)
        elif not self._quiet:
            typer.echo(f"[{self.done}/{self.total}] {outcome_line(outcome)}")
