"""One checker for every path the user gives: a precise French line for any `OSError`.

Options naming a file to read (`--answers`, `--register`, `--ca-file`…) or a folder to write
(`--output`, `--data-dir`) all go through here before any work starts, so that a path too
long for the system, a directory given as a file, a device, a symbolic link loop or a
permission problem is said in one line (exit code 2), never as a traceback or as the
system's English text.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from rgpd_audit.errors import InputError

_REASONS = {
    errno.ENAMETOOLONG: "nom trop long (un élément du chemin dépasse 255 caractères, ou le "
    "chemin entier la limite du système)",
    errno.ENOENT: "introuvable",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier",
    errno.ELOOP: "boucle de liens symboliques",
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "système de fichiers en lecture seule",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EDQUOT: "quota de disque dépassé",
    errno.EEXIST: "existe déjà",
    errno.ENXIO: "périphérique absent",
    errno.ENODEV: "périphérique absent",
    errno.EIO: "erreur d'entrée-sortie du disque",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.EFBIG: "fichier trop volumineux pour le système",
    # Network errors, quoted in findings « non évalué » (client reports are in French).
    errno.ECONNREFUSED: "connexion refusée",
    errno.ECONNRESET: "connexion réinitialisée par le serveur",
    errno.ECONNABORTED: "connexion abandonnée",
    errno.EPIPE: "connexion coupée",
    errno.ETIMEDOUT: "délai de connexion dépassé",
    errno.EHOSTUNREACH: "hôte injoignable",
    errno.ENETUNREACH: "réseau injoignable",
    errno.EADDRNOTAVAIL: "adresse non disponible",
}


def os_error_text(exc: OSError) -> str:
    """What went wrong, in French (never the system's English `strerror`)."""
    reason = _REASONS.get(exc.errno or 0)
    if reason is not None:
        return reason
    name = errno.errorcode.get(exc.errno or 0)
    return f"erreur du système ({name})" if name else "erreur du système"


def _where(option: str, path: Path | str) -> str:
    return f"{option} {path}".strip()


def input_file(path: Path, option: str) -> Path:
    """`path` if it is an existing regular file that can be opened for reading.

    A directory, a device or FIFO (`/dev/zero`), a dangling link or a loop is refused with
    what it is, not as « fichier introuvable ».
    """
    where = _where(option, path)
    if not str(path):
        raise InputError(f"{option} : chemin vide")
    try:
        info = path.stat()
    except OSError as exc:
        if exc.errno == errno.ENOENT and path.is_symlink():
            raise InputError(f"{where} : lien symbolique vers un fichier absent") from None
        text = "fichier introuvable" if exc.errno == errno.ENOENT else os_error_text(exc)
        raise InputError(f"{where} : {text}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{where} : c'est un dossier, pas un fichier")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{where} : ce n'est pas un fichier ordinaire (périphérique, tube ou socket)"
        )
    try:
        # O_NONBLOCK: were the file swapped for a FIFO after stat(), open() must not block.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        os.close(fd)
    except OSError as exc:
        raise InputError(f"{where} : fichier illisible ({os_error_text(exc)})") from None
    return path


def output_dir(raw: str | Path, option: str) -> Path:
    """The folder `raw` if it exists, or can be created, and can be written into.

    An empty path is refused (it would silently mean the current folder), and so is a path
    that exists and is not a folder, including a symbolic link to nothing.
    """
    if not str(raw).strip():
        raise InputError(
            f"{option} : chemin vide ; indiquez un dossier (« . » pour le dossier courant)"
        )
    path = Path(raw)
    where = _where(option, path)
    info = _stat_or_none(path, where, "dossier")
    if info is not None and not stat.S_ISDIR(info.st_mode):
        raise InputError(f"{where} : ce chemin existe et n'est pas un dossier")
    parent = path if info is not None else _existing_parent(path, where)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{where} : écriture impossible dans {parent} (permission refusée)")
    return path


def _stat_or_none(path: Path, where: str, kind: str) -> os.stat_result | None:
    """`path`'s status, None when it does not exist yet (it is about to be created); a
    dangling link or any other system error is one French line."""
    try:
        return path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(f"{where} : lien symbolique vers un {kind} absent") from None
        return None
    except OSError as exc:
        raise InputError(f"{where} : {os_error_text(exc)}") from None


def output_file(raw: str | Path, option: str) -> Path:
    """`raw` as a file to create or replace: its folder must be writable, it must not be a
    folder or a special file, and an existing file must be writable (not read-only)."""
    if not str(raw).strip():
        raise InputError(f"{option} : chemin vide ; indiquez un nom de fichier")
    path = Path(raw)
    where = _where(option, path)
    info = _stat_or_none(path, where, "fichier")
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{where} : c'est un dossier, pas un fichier")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{where} : ce n'est pas un fichier ordinaire")
        # The mode, not os.access: root may write anything, yet a file made read-only
        # (chmod 0444) says it must not be replaced.
        if not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(
            path, os.W_OK
        ):
            raise InputError(f"{where} : fichier en lecture seule (permission refusée)")
    parent = _existing_parent(path, where)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{where} : écriture impossible dans {parent} (permission refusée)")
    return path


#: Limits of Linux file systems (NAME_MAX, PATH_MAX), checked on paths not created yet.
_NAME_MAX = 255
_PATH_MAX = 4096


def _check_lengths(path: Path, where: str) -> None:
    # A folder to be created later fails only then (mkdir), after the whole audit: say it now.
    too_long = any(len(part.encode("utf-8", "surrogateescape")) > _NAME_MAX for part in path.parts)
    if too_long or len(str(path.absolute()).encode("utf-8", "surrogateescape")) >= _PATH_MAX:
        raise InputError(f"{where} : {_REASONS[errno.ENAMETOOLONG]}")


def _existing_parent(path: Path, where: str) -> Path:
    _check_lengths(path, where)
    for parent in path.absolute().parents:
        try:
            info = parent.stat()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise InputError(f"{where} : {os_error_text(exc)}") from None
        if not stat.S_ISDIR(info.st_mode):
            raise InputError(f"{where} : {parent} n'est pas un dossier")
        return parent
    raise InputError(f"{where} : aucun dossier existant dans ce chemin")
