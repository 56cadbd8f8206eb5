"""What every server of the lab shares: `start()`, `stop()`, and use as a `with` block."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class LabService(ABC):
    """A lab server (or group of servers) started on entry and always stopped on exit."""

    @abstractmethod
    def start(self) -> None:
        """Bind and start serving; on failure, release whatever was bound and raise."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving and release every socket and thread."""

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
