"""Private, atomic file writes: reports, answers files, registers, the HDS list, the history.

Everything the tool writes describes a health practice (its security weaknesses, its answers,
its processing register): it must never be readable by other local users, not even for the
instant between creation and `chmod`. This module imports nothing of the tool, so that every
layer, from the history store to the renderers, can use it without depending on another.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700


def ensure_private_dir(path: Path) -> None:
    """Create `path` (mode 0700) if it does not exist; an existing directory is left as is."""
    if path.is_dir():
        return
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    # mkdir's mode is filtered by the umask; a restrictive umask is fine, a lax one is not.
    path.chmod(PRIVATE_DIR_MODE)


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically, the file being mode 0600 from its creation on.

    The temporary file lives in the same directory so that `os.replace` is a rename on the
    same file system; readers see either the old report or the complete new one.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    # O_EXCL: never reuse (or follow a symlink planted at) an existing name.
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
