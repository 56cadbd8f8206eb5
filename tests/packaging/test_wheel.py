"""The wheel carries every sub-package and data file: installed from it and run from another
folder, `checks list` and `demo` work (architecture note, section 1)."""

import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

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


#: Source folder → where the wheel installs it (pyproject's package-dir mapping).
SOURCES = {
    "audit": "rgpd_audit",
    "checks": "rgpd_audit/checks",
    "questionnaires": "rgpd_audit/questionnaires",
    "report_templates": "rgpd_audit/report_templates",
}


def test_wheel_carries_every_source_file(installed: Path) -> None:
    # A sub-package missing from pyproject's list works in an editable install and in the
    # tests, and breaks its command after the README's (non-editable) install.
    [purelib] = installed.glob("lib/python*/site-packages")
    missing = [
        f"{folder}/{path.relative_to(ROOT / folder)}"
        for folder, target in SOURCES.items()
        for path in (ROOT / folder).rglob("*")
        # Markdown files are notes for the project's developers, not shipped.
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".md"
        if not (purelib / target / path.relative_to(ROOT / folder)).is_file()
    ]
    assert not missing, f"absents de la roue : {missing}"


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
