"""Progress on stderr: a rich progress bar on a terminal, one line per finding with --verbose,
nothing when piped or with --quiet."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rgpd_audit.models import CheckMeta, Finding
from rgpd_audit.text import printable

_STATUS_LABELS = {
    "pass": "[green]conforme[/]",
    "fail": "[red]non conforme[/]",
    "indeterminate": "[yellow]non évalué[/]",
    "not_applicable": "[dim]sans objet[/]",
}


class ProgressObserver:
    """Engine observer showing progress of the checks."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        self._console = Console(stderr=True, highlight=False)
        self._verbose = verbose and not quiet
        show_bar = not quiet and sys.stderr.isatty()
        self._progress = (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            if show_bar
            else None
        )
        self._task = self._progress.add_task("Contrôles", total=None) if self._progress else None

    def __enter__(self) -> ProgressObserver:
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

    def on_start(self, total: int) -> None:
        """Size the bar once the number of checks is known."""
        if self._progress and self._task is not None:
            self._progress.update(self._task, total=total)

    def on_check_done(self, meta: CheckMeta, findings: Sequence[Finding]) -> None:
        """Advance the bar; with --verbose, print the check's findings."""
        if self._progress and self._task is not None:
            self._progress.update(self._task, advance=1, description=f"Contrôles — {meta.id}")
        if self._verbose:
            for finding in findings:
                # Summaries quote servers' replies and user files: neither rich markup nor
                # terminal escape sequences may pass through.
                subject = f" ({_safe(finding.subject)})" if finding.subject else ""
                self._console.print(
                    f"{_STATUS_LABELS[finding.status.value]} {finding.check_id}{subject} : "
                    f"{_safe(finding.summary)}",
                    markup=True,
                    soft_wrap=True,
                )


@contextmanager
def report_status(quiet: bool) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr naming the report step under way (a PDF takes seconds).

    Yields the callback to give `write_reports`; silent when piped or with --quiet.
    """
    if quiet or not sys.stderr.isatty():
        yield lambda _text: None
        return
    console = Console(stderr=True, highlight=False)
    with console.status("Écriture des résultats…") as status:
        yield lambda text: status.update(f"{text}…")


def _safe(text: str) -> str:
    return escape(printable(text))
