"""Import direction: the contracts of pyproject.toml ([tool.importlinter]), checked by
`lint-imports` on the package as installed.

import-linter finds a package's modules by walking its folder; in the editable install,
`rgpd_audit` is `audit/` and `rgpd_audit.checks` lives in `checks/`, outside it. The tests
therefore lay the installed layout out in a temporary folder (links to the source files,
following [tool.setuptools.package-dir]) and run `lint-imports` there. Every import counts,
including those inside functions and under TYPE_CHECKING: an import moved into a function to
dodge a cycle still breaks the « acyclic » contract.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CONTRACTS = {c["id"]: c["name"] for c in PYPROJECT["tool"]["importlinter"]["contracts"]}


def lay_out_installed_package(target: Path) -> Path:
    """Links to every module under the import names a wheel gives them; returns `target`."""
    mapping: dict[str, str] = PYPROJECT["tool"]["setuptools"]["package-dir"]
    for package, folder in mapping.items():
        source = ROOT / folder
        for module in source.rglob("*.py"):
            link = target.joinpath(*package.split("."), module.relative_to(source))
            if link.exists():  # audit/net is mapped both whole and within audit/
                continue
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(module)
    return target


def _lint_imports() -> str:
    # The test environment's own, never another one found first on PATH.
    found = str(Path(sys.executable).with_name("lint-imports"))
    if not Path(found).exists():
        pytest.fail(
            "lint-imports est absent : installez les dépendances de test "
            "(pip install --require-hashes --no-deps -r requirements-test.lock)"
        )
    return found


def run_lint_imports(layout: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on `layout` with the contracts of `config`, from a scratch folder."""
    env = {**os.environ, "PYTHONPATH": str(layout)}
    return subprocess.run(
        [_lint_imports(), "--no-cache", "--no-logo", str(config)],
        cwd=layout,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def contract_results(output: str) -> dict[str, bool]:
    """Contract name → kept, from lint-imports' summary lines (« name KEPT|BROKEN »)."""
    results = {}
    for line in output.splitlines():
        match = re.fullmatch(r"(.+?)\s*(KEPT|BROKEN)", line.strip())
        if match:
            results[match.group(1)] = match.group(2) == "KEPT"
    return results


def broken_details(output: str, name: str) -> str:
    """The section lint-imports prints for the broken contract `name`: the offending chains."""
    _, _, details = output.partition("Broken contracts")
    sections = re.split(r"\n(?=\S.*\n-{3,}\n)", details)
    return next((s.strip() for s in sections if s.startswith(name)), output)


@pytest.fixture(scope="module")
def lint_output(tmp_path_factory: pytest.TempPathFactory) -> str:
    layout = lay_out_installed_package(tmp_path_factory.mktemp("installed"))
    done = run_lint_imports(layout, ROOT / "pyproject.toml")
    if "Contracts:" not in done.stdout:
        pytest.fail(f"lint-imports n'a vérifié aucun contrat :\n{done.stdout}\n{done.stderr}")
    return done.stdout


@pytest.mark.parametrize("contract_id", list(CONTRACTS))
def test_contract_is_kept(lint_output: str, contract_id: str) -> None:
    name = CONTRACTS[contract_id]
    results = contract_results(lint_output)
    assert name in results, f"contrat « {name} » absent de la sortie :\n{lint_output}"
    assert results[name], f"contrat rompu : {name}\n\n{broken_details(lint_output, name)}"


@pytest.mark.parametrize(
    ("module", "statement", "broken"),
    [
        # Models importing the command line, even inside a function: against the layers,
        # a cycle, and through it every module reaches everything.
        (
            "rgpd_audit.models",
            "import rgpd_audit.cli",
            {"layers", "acyclic", "history-without-render"},
        ),
        # The renderer reaching the network: allowed by the layers, refused by its own contract.
        ("rgpd_audit.render.wording", "import rgpd_audit.net.dns", {"render-offline"}),
    ],
    ids=["models-cli", "render-net"],
)
def test_contracts_catch_an_import_against_the_direction(
    tmp_path: Path, module: str, statement: str, broken: set[str]
) -> None:
    layout = lay_out_installed_package(tmp_path / "installed")
    path = layout.joinpath(*module.split(".")).with_suffix(".py")
    text = path.read_text(encoding="utf-8")
    path.unlink()  # the link, not the source file
    path.write_text(f"{text}\n\ndef _late() -> None:\n    {statement}\n", encoding="utf-8")
    done = run_lint_imports(layout, ROOT / "pyproject.toml")
    results = contract_results(done.stdout)
    found = {c for c, name in CONTRACTS.items() if results.get(name) is False}
    assert broken <= found, done.stdout
    assert results[CONTRACTS["private"]] is True, done.stdout
    # The report names the offending import.
    assert f"{module} -> {statement.split()[-1]}" in done.stdout
