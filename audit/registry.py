"""Check plugins: discovery through the `rgpd_audit.checks` entry-point group.

A check is a function `f(ctx) -> list[CheckResult]` decorated with `@check("family.subject.x")`,
whose metadata sits in a YAML sidecar of the same stem as its module. The entry-point name,
the decorator argument and the sidecar key are the same id; any mismatch is a content error.
Listing checks reads entry points and sidecars without importing the check modules.
"""

from __future__ import annotations

import fnmatch
import importlib.util
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from rgpd_audit import catalog
from rgpd_audit.common_facts import COMMON_FACTS
from rgpd_audit.concurrency import cached_once, import_lock
from rgpd_audit.errors import ContentError, InputError
from rgpd_audit.models import CheckMeta, CheckResult, Facts
from rgpd_audit.yaml_source import YamlDocument, validation_message

if TYPE_CHECKING:
    from rgpd_audit.context import CheckContext

GROUP = "rgpd_audit.checks"

CheckFunction = Callable[["CheckContext"], list[CheckResult]]


def check(
    check_id: str, facts: type[Facts] | tuple[type[Facts], ...] = ()
) -> Callable[[CheckFunction], CheckFunction]:
    """Mark a function as the implementation of `check_id`, producing `facts`.

    `facts` names the kinds of facts its results may carry (besides the servers an audit
    did not contact, `NotContacted` and `OverLimit`, which any check may report); a result
    carrying another kind is a bug of the check, reported as such.
    """
    kinds = facts if isinstance(facts, tuple) else (facts,)

    def mark(func: CheckFunction) -> CheckFunction:
        func.check_id = check_id  # type: ignore[attr-defined]
        func.fact_types = kinds  # type: ignore[attr-defined]
        return func

    return mark


def fact_types(func: CheckFunction) -> tuple[type[Facts], ...]:
    """The kinds of facts `func` declared with `@check`, with those any check may report."""
    return (*getattr(func, "fact_types", ()), *COMMON_FACTS)


@dataclass(frozen=True)
class CheckSpec:
    """A discovered check: its metadata and how to load its function."""

    meta: CheckMeta
    entry_point: EntryPoint

    def load(self) -> CheckFunction:
        """Import the check's module and return its function, checking the declared id."""
        # Under the import lock: the engine loads checks on its threads (see import_modules).
        with import_lock:
            func: CheckFunction = self.entry_point.load()
        declared = getattr(func, "check_id", None)
        if declared != self.meta.id:
            raise ContentError(
                f"le point d'entrée {self.meta.id} désigne {self.entry_point.value}, "
                f"déclaré @check({declared!r})"
            )
        return func


def discover() -> list[CheckSpec]:
    """Every installed check, sorted by id."""
    # A fresh list each time: callers may filter or reorder it without touching the cache.
    return list(_discovered())


@cached_once
def _discovered() -> tuple[CheckSpec, ...]:
    # Once per process: scanning every installed distribution's entry points and reading
    # each sidecar took a noticeable share of a batch's CPU when done per practice (the
    # installed checks do not change under a running process; a bad plugin is not cached,
    # the error is raised again at the next call).
    specs: dict[str, CheckSpec] = {}
    for ep in entry_points(group=GROUP):
        if ep.name in specs:
            raise ContentError(f"contrôle {ep.name} déclaré deux fois ({ep.value})")
        sidecar = _sidecar_path(ep)
        metas = _read_sidecar(sidecar)
        if ep.name not in metas:
            raise ContentError(f"{sidecar} : aucune métadonnée pour le contrôle {ep.name}")
        # Checked now rather than when a finding is made: a plugin citing an unknown source
        # must be refused before the audit, not after minutes of network work.
        catalog.references().resolve(metas[ep.name].references, f"{sidecar}, contrôle {ep.name}")
        specs[ep.name] = CheckSpec(metas[ep.name], ep)
    return tuple(specs[key] for key in sorted(specs))


def select(specs: Iterable[CheckSpec], only: Iterable[str], skip: Iterable[str]) -> list[CheckSpec]:
    """Keep checks matching `only` (all when empty) and not matching `skip`.

    A selector is a check id, an id pattern (`mail.tls.*`) or a category name. A selector
    that matches nothing is a user error: a typo must not silently audit nothing.
    """
    specs = list(specs)
    only, skip = list(only), list(skip)
    for option, selectors in (("--only", only), ("--skip", skip)):
        for selector in selectors:
            if not any(_matches(spec.meta, selector) for spec in specs):
                raise InputError(
                    f"{option} {selector} : aucun contrôle ne correspond "
                    "(voir « rgpd-audit checks list »)"
                )
    chosen = [s for s in specs if not only or any(_matches(s.meta, sel) for sel in only)]
    chosen = [s for s in chosen if not any(_matches(s.meta, sel) for sel in skip)]
    if not chosen:
        raise InputError("--only / --skip : plus aucun contrôle à lancer")
    return chosen


def _matches(meta: CheckMeta, selector: str) -> bool:
    # A family name (`mail.dkim`, `register`) selects every check below it, as `mail.dkim.*`.
    return (
        meta.category == selector
        or fnmatch.fnmatchcase(meta.id, selector)
        or meta.id.startswith(f"{selector}.")
    )


def _sidecar_path(ep: EntryPoint) -> Path:
    # find_spec imports only the parent package, not the check module itself; under the
    # import lock, as a practice on a batch's thread may be the first to ask.
    try:
        with import_lock:
            spec = importlib.util.find_spec(ep.module)
    except (ImportError, ValueError) as exc:
        raise ContentError(
            f"extension {ep.name} inutilisable : module {ep.module} introuvable ({exc})"
        ) from None
    if spec is None or spec.origin is None:
        raise ContentError(f"module introuvable pour le contrôle {ep.name} : {ep.module}")
    return Path(spec.origin).with_suffix(".yaml")


@cached_once
def _read_sidecar(path: Path) -> dict[str, CheckMeta]:
    doc = YamlDocument.read(path, str(path), kind="fichier de métadonnées")
    if not isinstance(doc.data, dict):
        raise ContentError(f"{path} : une table « id: métadonnées » est attendue")
    metas = {}
    for check_id, fields in doc.data.items():
        if not isinstance(fields, dict):
            raise ContentError(
                f"{path}, contrôle {check_id} : une table de métadonnées est attendue"
            )
        try:
            metas[check_id] = CheckMeta.model_validate({"id": check_id, **fields})
        except ValidationError as exc:
            raise ContentError(validation_message(doc, exc, (check_id,))) from None
    return metas
