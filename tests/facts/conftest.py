"""Helpers of the fact-level tests: the gathering functions read a `Context`; these tests give
them one answered from memory, so that what is gathered can be checked without a network (the
lab tests run the same functions against real servers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rgpd_audit.models import Target

T = TypeVar("T")
Item = TypeVar("Item")


class GivenContext:
    """What every check's gathering uses of a `Context`: the target, memo and map (in order,
    one thread); subclasses answer the DNS or the probes a check needs."""

    def __init__(self, domain: str = "cabinet.fr") -> None:
        self.target = Target(domain=domain)
        self.memos: dict[tuple[Any, ...], Any] = {}

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        if key not in self.memos:
            self.memos[key] = compute()
        value: T = self.memos[key]
        return value

    def map(self, func: Callable[[Item], T], items: Sequence[Item]) -> list[T]:
        return [func(item) for item in items]
