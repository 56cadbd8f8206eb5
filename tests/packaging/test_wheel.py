"""The wheel carries every sub-package and data file: installed from it and run from another
folder, `checks list` and `demo` work (architecture note, section 1)."""

import shutil
import site
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from rgpd_audit import datafiles

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding only the wheel; dependencies come from the test environment."""
    work = tmp_path_factory.mktemp("wheel")
    # Built from a copy: setuptools never cleans build/, so a stale module left there by an
    # earlier build would end up in the wheel (and the checkout stays untouched).
    source = work / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", "rgpd-audit-*"
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(work / "dist"),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = (work / "dist").glob("rgpd_audit-*.whl")
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False)
    [purelib] = env_dir.glob("lib/python*/site-packages")
    # Dependencies are reused from this environment; .pth lines are not site dirs, so the
    # editable install living there is not activated in the new venv.
    (purelib / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--quiet",
            "--target",
            str(purelib),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return env_dir


def test_wheel_has_no_generic_top_level_package(installed: Path) -> None:
    [purelib] = installed.glob("lib/python*/site-packages")
    assert (purelib / "rgpd_audit" / "checks" / "mail_transport.yaml").is_file()
    assert (purelib / "rgpd_audit" / "questionnaires" / "sante.yaml").is_file()
    assert (purelib / "rgpd_audit" / "report_templates" / "report.html").is_file()
    assert not (purelib / "audit").exists() and not (purelib / "checks").exists()


def test_wheel_holds_every_module_and_data_file(installed: Path) -> None:
    # A sub-package missing from [tool.setuptools] packages still imports in the editable
    # install, so only the wheel shows it (rgpd_audit.portfolio was missing); data files
    # likewise, now that each layer's data package holds its own.
    [purelib] = installed.glob("lib/python*/site-packages")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    missing = []
    for package, folder in pyproject["tool"]["setuptools"]["package-dir"].items():
        for path in (ROOT / folder).rglob("*"):
            # Markdown is documentation for the repository's readers, not shipped.
            if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".md":
                continue
            target = purelib.joinpath(*package.split("."), path.relative_to(ROOT / folder))
            if not target.is_file():
                missing.append(str(target.relative_to(purelib)))
    assert not missing, f"absents de la roue : {sorted(set(missing))}"
    assert not (purelib / "rgpd_audit" / "checks" / "data").exists()


def test_installed_data_files_validate(installed: Path, tmp_path: Path) -> None:
    # Read from the wheel, through the registry: every module imported registers its files.
    code = (
        "import importlib, pkgutil, rgpd_audit\n"
        "from rgpd_audit import datafiles\n"
        "for m in pkgutil.walk_packages(rgpd_audit.__path__, 'rgpd_audit.'):\n"
        "    if not m.name.startswith(('rgpd_audit.history.migrations', 'rgpd_audit.checks')):\n"
        "        importlib.import_module(m.name)\n"
        "for entry in datafiles.registered():\n"
        "    entry.load()\n"
        "print(len(datafiles.registered()), len(datafiles.report_snapshots()))\n"
    )
    done = subprocess.run(
        [installed / "bin" / "python", "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = [
        path
        for package, folder in pyproject["tool"]["setuptools"]["package-dir"].items()
        if package == "rgpd_audit.data" or package.endswith(".data")
        for path in (ROOT / folder).iterdir()
        if path.is_file() and path.name != "__init__.py"
    ]
    # As many dated lines in the report as from the source tree.
    assert done.stdout.split() == [str(len(shipped)), str(len(datafiles.report_snapshots()))]


def test_installed_wheel_runs_from_another_folder(installed: Path, tmp_path: Path) -> None:
    python = installed / "bin" / "python"
    code = "from rgpd_audit.cli import main; main()"
    listed = subprocess.run(
        [python, "-c", code, "checks", "list"], cwd=tmp_path, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    assert "mail.tls.certificate" in listed.stdout
    where = subprocess.run(
        [python, "-c", "import rgpd_audit; print(rgpd_audit.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert str(installed) in where.stdout, where.stdout
    demo = subprocess.run(
        [python, "-c", code, "demo", "--format", "json,html"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    assert (tmp_path / "rgpd-audit-demo" / "report.html").is_file()
