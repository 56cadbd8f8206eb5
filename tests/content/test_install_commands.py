"""The README's commands are the ones CI runs, and the locks cover what pyproject.toml asks."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _shell_blocks(section: str) -> list[str]:
    body = README.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.*?)```", body, re.DOTALL)


def _pins(lock: str) -> dict[str, tuple[Version, int]]:
    """name → (pinned version, number of hashes) of a requirements lock."""
    pins: dict[str, tuple[Version, int]] = {}
    for entry in re.split(r"\n(?=[a-z0-9])", (ROOT / lock).read_text()):
        match = re.match(r"([A-Za-z0-9_.-]+)==([^ ;\\\n]+)", entry)
        if match:
            name = canonicalize_name(match.group(1))
            pins[name] = (Version(match.group(2)), entry.count("--hash=sha256:"))
    return pins


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    (command,) = _shell_blocks("Développement")[:1]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert command.strip() == ci_lines[-1]


def test_readme_install_uses_a_virtual_environment_and_the_lock() -> None:
    system, install = _shell_blocks("Installation et démonstration")[:2]
    assert system.startswith("sudo apt-get update && sudo apt-get install -y python3-venv ")
    assert "$(" not in system
    assert install.startswith("python3 -m venv .venv && ")
    # The whole tree, as locked: no resolution at install time (a release of the day once made
    # pip pick an unpinned fonttools[woff] for WeasyPrint and refuse the lock).
    assert "--require-hashes --no-deps -r requirements.lock" in install
    assert install.strip().endswith(".venv/bin/rgpd-audit demo")


@pytest.mark.parametrize(
    ("lock", "extras"),
    # The test lock covers the dask extra too: CI runs the batch tests on a real Dask cluster.
    [("requirements.lock", []), ("requirements-test.lock", ["test", "dask"])],
)
def test_lock_pins_every_dependency_within_pyproject_bounds(lock: str, extras: list[str]) -> None:
    pins = _pins(lock)
    wanted = list(PYPROJECT["project"]["dependencies"])
    for extra in extras:
        wanted += PYPROJECT["project"]["optional-dependencies"][extra]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} absent de {lock} : lancez scripts/update-lock.sh"
        version, hashes = pins[name]
        assert requirement.specifier.contains(version, prereleases=True), (name, str(version))
        assert hashes >= 1
    assert all(hashes >= 1 for _, hashes in pins.values())


def test_installed_environment_is_consistent() -> None:
    """The lock is installed with --no-deps: it must hold every dependency of what it pins."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "check"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
