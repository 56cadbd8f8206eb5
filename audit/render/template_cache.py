"""Compiled report templates kept between runs, so that each render skips Jinja's compiling.

Compiling the dozen report templates takes about a third of an HTML render. Jinja stores the
compiled code per template and source checksum (an edited template is compiled again) in the
user's cache directory. The directory must be the user's own and closed to others, since the
cache holds code that is loaded back; when it is not, or anything fails, templates are simply
compiled as before: the cache is an optimisation, never a requirement.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from jinja2 import BytecodeCache, FileSystemBytecodeCache
from jinja2.bccache import Bucket

APP_NAME = "rgpd-audit"


class _TolerantCache(FileSystemBytecodeCache):
    """A file cache whose I/O errors (full disk, read-only home) never fail a report."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _private_dir(path: Path) -> bool:
    """Create `path` (0700) if needed; True only if it is a real directory of ours, closed to
    others (another user able to write there could plant code)."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )


def template_cache() -> BytecodeCache | None:
    """The cache of compiled templates, or None when no safe directory is available."""
    from platformdirs import user_cache_dir

    directory = Path(user_cache_dir(APP_NAME, appauthor=False)) / "modeles-rapport"
    if not _private_dir(directory):
        return None
    return _TolerantCache(str(directory), pattern="%s.cache")
