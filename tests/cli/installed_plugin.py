"""A third-party package installed for one test: its modules and a dist-info folder on a
PYTHONPATH of its own, and the tool started in that environment."""

import os
import subprocess
import sys
from pathlib import Path


def install_package(
    site: Path, name: str, files: dict[str, str], entry_points: str
) -> dict[str, str]:
    """Package `name` with `files` (module or data file → text) and `entry_points` (the
    text of entry_points.txt) under `site`; the environment that sees it."""
    package = site / name
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for file, text in files.items():
        (package / file).write_text(text)
    info = site / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)
    return {**os.environ, "PYTHONPATH": str(site)}


def rgpd_audit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The tool's command line in `env`."""
    code = "from rgpd_audit.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=120
    )
