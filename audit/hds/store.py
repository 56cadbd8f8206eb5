"""Where the list of certified hosts lives: the user data directory, else the shipped extract.

`rgpd-audit hds update` writes the downloaded list atomically, so a failed or interrupted
update leaves the previous list in place; every reader then takes the newest list available.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from rgpd_audit.concurrency import cached_once
from rgpd_audit.datafiles import read_model, register_data_file
from rgpd_audit.errors import ContentError
from rgpd_audit.files import ensure_private_dir, write_private
from rgpd_audit.hds.model import HostList
from rgpd_audit.models import DataSnapshot
from rgpd_audit.yaml_source import MAX_BYTES, YamlDocument

#: Overrides the user data directory (tests, several practices' audits on one machine).
DATA_DIR_ENV = "RGPD_AUDIT_DATA_DIR"
LIST_FILE = "hds_hosts.yaml"
REPORT_NAME = "Hébergeurs certifiés de données de santé (HDS)"


def data_dir(override: Path | None = None) -> Path:
    """The directory holding downloaded data: `override`, `$RGPD_AUDIT_DATA_DIR` or the
    platform's user data directory (e.g. ~/.local/share/rgpd-audit on Linux)."""
    if override is not None:
        return override
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env)
    # Imported here: only the HDS commands and checks need it.
    from platformdirs import user_data_dir

    return Path(user_data_dir("rgpd-audit", appauthor=False))


def shipped_hosts() -> HostList:
    """The partial extract shipped with the tool (vendor claims only)."""
    return SHIPPED_HOSTS.load()


@dataclass(frozen=True)
class ListInUse:
    """The list the tool relies on, and the file it was read from (None: the shipped one)."""

    hosts: HostList
    path: Path | None

    def describe(self) -> str:
        """One French line for the auditor: `for_report`, plus what to type or where it is."""
        if self.path is None:
            return f"{self.for_report()} ; « rgpd-audit hds update » la télécharge"
        return f"{self.for_report()} ({self.path})"

    def for_report(self) -> str:
        """Which list, from where, of when, complete or not, as a client report says it: no
        command to type, no path on the auditor's disk."""
        snapshot = self.hosts.snapshot
        return list_description(
            snapshot.retrieved, snapshot.source, snapshot.complete, shipped=self.path is None
        )


def list_description(retrieved: str, source: str, complete: bool, *, shipped: bool) -> str:
    """A list of certified hosts as a client report names it (`shipped`: the partial extract
    that comes with the tool, no list having been downloaded)."""
    if shipped:
        return (
            f"extrait partiel de la liste de l'ANS ({retrieved}), non exhaustif : "
            "la liste officielle complète n'a pas été consultée"
        )
    kind = "liste complète" if complete else "liste partielle"
    return f"{kind} du {retrieved}, source {source}"


def current_list(directory: Path | None = None) -> ListInUse:
    """The downloaded list if there is one, else the shipped extract.

    A downloaded list that no longer validates is a `ContentError` naming the file: silently
    falling back to the partial extract would hide that the official list is not used.
    """
    path = data_dir(directory) / LIST_FILE
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ListInUse(shipped_hosts(), None)
    except OSError as exc:
        from rgpd_audit.paths import os_error_text

        # Too long a name, a loop, no permission: said, never a traceback nor the extract.
        raise ContentError(f"{path.parent} : {os_error_text(exc)}") from None
    return ListInUse(_downloaded_list(path, stat.st_mtime_ns, stat.st_size), path)


@cached_once
def _downloaded_list(path: Path, mtime_ns: int, size: int) -> HostList:
    # Once per version of the file: an audit dates it in planning, in its result and in the
    # HDS check, and a batch does so for every practice (some 0.4 s a read for 700 hosts).
    # A list saved anew (`hds update`) has another date or size, so it is read again.
    return read_model(HostList, path, str(path))


def save_list(hosts: HostList, directory: Path | None = None) -> Path:
    """Store `hosts` as the current list (atomic replace, private file); return its path."""
    header = (
        "# Liste des hébergeurs certifiés de données de santé (HDS), enregistrée par "
        "« rgpd-audit hds update ».\n# Source : "
        f"{hosts.snapshot.source}\n# Relevée le : {hosts.snapshot.retrieved}\n"
    )
    body = yaml.safe_dump(
        hosts.model_dump(mode="json", exclude_none=True), allow_unicode=True, sort_keys=False
    )
    data = (header + body).encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ContentError(
            f"liste trop volumineuse une fois convertie ({len(data) // 1024} Kio) : ce n'est "
            "pas la liste attendue"
        )
    # Read back before replacing anything: a list the checks could not load must never
    # take the place of a good one.
    HostList.model_validate(YamlDocument.parse(header + body, LIST_FILE).data)
    directory = data_dir(directory)
    ensure_private_dir(directory)
    path = directory / LIST_FILE
    write_private(path, data)
    return path


def report_snapshot(directory: Path | None = None) -> DataSnapshot:
    """Source and date of the list in use, as the report prints them (never raises)."""
    try:
        in_use = current_list(directory)
    except ContentError as exc:
        return DataSnapshot(name=REPORT_NAME, source=f"liste illisible : {exc}", retrieved="—")
    snapshot = in_use.hosts.snapshot
    if in_use.path is None:
        source = (
            f"{snapshot.source} (extrait partiel : la liste officielle complète de l'ANS n'a "
            "pas été consultée)"
        )
    else:
        source = snapshot.source if snapshot.complete else f"{snapshot.source} (liste partielle)"
    return DataSnapshot(name=REPORT_NAME, source=source, retrieved=snapshot.retrieved)


# The report dates the list in use, which may be a downloaded one, not this file's header.
SHIPPED_HOSTS = register_data_file(
    "rgpd_audit.hds.data", LIST_FILE, HostList, name=REPORT_NAME, report_line=report_snapshot
)
