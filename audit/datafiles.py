"""The data files shipped with the tool and its plugins: one registry that reads, validates,
caches and dates them.

Each file lives in the data package of the layer that reads it (`rgpd_audit.data` for the
catalogs, `rgpd_audit.hds.data`, `rgpd_audit.register.data`…) and is registered once, by the
module that owns its schema, with `register_data_file`:

    REFERENCES = register_data_file(
        "rgpd_audit.data", "references.yaml", ReferenceCatalog, name="Références réglementaires"
    )
    REFERENCES.load()          # validated once, then cached

A plugin registers its own files the same way. The modules that register the files the report
dates are declared in the `rgpd_audit.datafiles` entry-point group (the tool's own in
pyproject.toml, a plugin's in its own): they are imported before an audit, so that its
« sources et dates » list every such file whichever checks run.

A YAML file is validated as its document; any other file (a word list) as `{"text": …}`, its
whole content. A file shown in the report carries a `snapshot` header (`Snapshot`: source and
retrieval date), checked when the file is registered. A file that does not validate is a
`ContentError` naming the file, the line and the field, in French (`yaml_source`).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rgpd_audit.concurrency import import_lock
from rgpd_audit.errors import ContentError
from rgpd_audit.models import DataSnapshot
from rgpd_audit.yaml_source import (
    YamlDocument,
    field_path,
    first_error,
    read_text,
    validation_message,
)

M = TypeVar("M", bound=BaseModel)

#: Entry-point group naming the modules that register data files.
GROUP = "rgpd_audit.datafiles"

_YAML_SUFFIXES = (".yaml", ".yml")


class Snapshot(BaseModel):
    """Header of a data file: where its content comes from and when it was taken.

    The one header type of every data file; a file may extend it (the HDS hosts list says
    whether it is complete). `DataSnapshot` is what the report prints of it: the same two
    facts under the file's French name, in `audit.json` (the stable interface), so that a
    re-render months later still dates the data the audit relied on.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field(min_length=1)
    retrieved: str = Field(min_length=1)


@dataclass(frozen=True, eq=False)
class DataFile(Generic[M]):
    """One registered data file: where it is, what validates it, how the report names it."""

    #: The file as the report and the messages name it, in French (« Fournisseurs de
    #: messagerie »).
    name: str
    #: The package holding the file (`rgpd_audit.data`, or a plugin's data package).
    package: str
    filename: str
    model: type[M]
    #: Whether the report's « sources et dates » lists it (the model then has a `snapshot`).
    in_report: bool
    #: The report's line when it is not this file's own header: the HDS list in use may be a
    #: downloaded one. None: built from the file's `snapshot`.
    report_line: Callable[[], DataSnapshot] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # The validated content once loaded (a one-item list: the entry itself is frozen).
    _content: list[M] = field(default_factory=list, repr=False)

    @property
    def source(self) -> str:
        """How messages name the file (`rgpd_audit.data/references.yaml`)."""
        return f"{self.package}/{self.filename}"

    def load(self) -> M:
        """The file's content, validated on first use and then cached for the process."""
        # One load per file even when the engine's threads ask at once; the lock is the
        # file's own, so loading one file never waits for another.
        with self._lock:
            if not self._content:
                path = files(self.package) / self.filename
                self._content.append(read_model(self.model, path, self.source))
            return self._content[0]

    def snapshot(self) -> Snapshot:
        """The file's header (source and retrieval date)."""
        header = getattr(self.load(), "snapshot", None)
        if not isinstance(header, Snapshot):
            raise TypeError(f"{self.source} : pas d'en-tête snapshot (source, retrieved)")
        return header

    def report_snapshot(self) -> DataSnapshot:
        """The file's line in the report's « sources et dates »."""
        if self.report_line is not None:
            return self.report_line()
        header = self.snapshot()
        return DataSnapshot(name=self.name, source=header.source, retrieved=header.retrieved)


# Files of every model are kept together; each owner keeps its precisely typed DataFile[M].
_registered: dict[tuple[str, str], DataFile[Any]] = {}
_registry_lock = threading.Lock()


def register_data_file(
    package: str,
    filename: str,
    model: type[M],
    *,
    name: str,
    in_report: bool = True,
    report_line: Callable[[], DataSnapshot] | None = None,
) -> DataFile[M]:
    """Register the data file `filename` of `package`, validated by the pydantic `model`.

    `name` is the file as a client reads it in the report, in French. With `in_report` (the
    default), the report's « sources et dates » lists the file's `snapshot` header (source
    and retrieval date), which `model` must therefore declare as a `Snapshot`. `report_line`
    replaces that line when the report must say more than the header (rarely needed).

    Registering the same file again with the same name and model (a module imported anew)
    replaces the entry; with another name or model it is a `ValueError`. The file is read
    on the first `load()`, not here.
    """
    if in_report and report_line is None and not _declares_snapshot(model):
        raise ValueError(
            f"{package}/{filename} : le modèle {model.__qualname__} doit déclarer un champ "
            "snapshot de type Snapshot pour figurer parmi les sources du rapport"
        )
    entry = DataFile(name, package, filename, model, in_report, report_line)
    key = (package, filename)
    with _registry_lock:
        known = _registered.get(key)
        if known is not None and (known.name, _qualname(known.model)) != (name, _qualname(model)):
            raise ValueError(
                f"{package}/{filename} est déjà enregistré (« {known.name} », modèle "
                f"{_qualname(known.model)})"
            )
        _registered[key] = entry
    return entry


def registered() -> list[DataFile[Any]]:
    """Every registered data file, in registration order."""
    with _registry_lock:
        return list(_registered.values())


def report_snapshots() -> list[DataSnapshot]:
    """The lines of the report's « sources et dates »: every registered file shown in the
    report (those of the declared modules at least), by name in French alphabetical order
    (whichever module happened to be imported first, the report reads the same)."""
    import_declared()
    shown = [entry for entry in registered() if entry.in_report]
    lines = [entry.report_snapshot() for entry in shown]
    return sorted(lines, key=lambda line: _collation_key(line.name))


@cache
def import_declared() -> None:
    """Import every module of the `rgpd_audit.datafiles` entry-point group, once per process,
    so that each registers its dated files; `ContentError` for a plugin that cannot be
    imported. Under the import lock: reports are written on a batch's threads."""
    with import_lock:
        _load_declared()


def _load_declared() -> None:
    for ep in entry_points(group=GROUP):
        try:
            ep.load()
        except ImportError as exc:
            raise ContentError(
                f"extension {ep.name} inutilisable : module de données {ep.value} "
                f"introuvable ({exc})"
            ) from None


def read_model(model: type[M], path: Path | Traversable, source: str) -> M:
    """Read and validate one data file; `ContentError` naming `source`, line and field.

    Also used for files that are not registered because they are not shipped: the HDS list
    `hds update` downloads, a plugin's file given on the command line.
    """
    if path.name.endswith(_YAML_SUFFIXES):
        doc = YamlDocument.read(path, source)
        try:
            return model.model_validate(doc.data)
        except ValidationError as exc:
            raise ContentError(validation_message(doc, exc)) from None
    text = read_text(path, source)
    try:
        return model.model_validate({"text": text})
    except ValidationError as exc:
        # A text file has no lines to point at for a field: the field and the message.
        loc, message = first_error(exc)
        where = f"{source}, champ {field_path(loc)}" if loc else source
        raise ContentError(f"{where} : {message}") from None


def _declares_snapshot(model: type[BaseModel]) -> bool:
    info = model.model_fields.get("snapshot")
    annotation = info.annotation if info is not None else None
    return isinstance(annotation, type) and issubclass(annotation, Snapshot)


def _qualname(model: type[BaseModel]) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def _collation_key(text: str) -> str:
    # « Hébergeurs » sorts with « Hébergement », not after « Z »: accents are ignored first.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
