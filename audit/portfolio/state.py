"""What a batch has finished, kept in its output folder so that `--resume` redoes nothing.

One small file per practice (`.etat/<domaine>.json`, the practice's `PracticeOutcome`),
written atomically (mode 0600) the moment the practice's audit is over: Ctrl-C, a crash or a
reboot can cost at most the audits still running, never a finished one, and no file is ever
half written. A failed practice is recorded too (the summary reports it) but is tried again
by `--resume`, since its cause (a dead server, a file since corrected) may be gone.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from rgpd_audit.files import ensure_private_dir, write_private
from rgpd_audit.practice import PracticeOutcome

STATE_DIR = ".etat"


class BatchState:
    """The finished practices of the batch whose output folder is `root`."""

    def __init__(self, root: Path) -> None:
        self.directory = root / STATE_DIR

    def exists(self) -> bool:
        """Whether a batch already started in this folder."""
        return self.directory.is_dir() and any(self.directory.glob("*.json"))

    def prepare(self) -> None:
        """Create the batch's folder and its state folder (0700: client data)."""
        ensure_private_dir(self.directory.parent)
        ensure_private_dir(self.directory)

    def _path(self, domain: str) -> Path:
        # Domains are normalised (lower-case ASCII, no slash): safe as file names.
        return self.directory / f"{domain}.json"

    def get(self, domain: str) -> PracticeOutcome | None:
        """The recorded outcome of `domain`, None if none (or unreadable: redone)."""
        try:
            return PracticeOutcome.model_validate_json(self._path(domain).read_bytes())
        except (OSError, ValidationError):
            return None

    def finished(self, domain: str) -> bool:
        """True when `domain`'s audit succeeded in an earlier run: `--resume` skips it."""
        outcome = self.get(domain)
        return outcome is not None and outcome.ok

    def record(self, outcome: PracticeOutcome) -> None:
        """Keep `outcome` for good (atomic write, 0600)."""
        write_private(self._path(outcome.domain), outcome.model_dump_json().encode("utf-8"))

    def forget_all(self) -> None:
        """Drop the state of an earlier batch (a new batch in the same folder)."""
        for path in self.directory.glob("*.json"):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def outcomes(self, domains: Iterator[str]) -> Iterator[PracticeOutcome]:
        """The recorded outcomes of `domains`, in that order, one at a time."""
        for domain in domains:
            outcome = self.get(domain)
            if outcome is not None:
                yield outcome
