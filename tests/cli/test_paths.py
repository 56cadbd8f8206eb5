"""Bad paths and options: one French line, exit 2 (issue 16, defects 3 and 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

LONG = "a" * 300  # one path component longer than NAME_MAX (255)
#: Were a check below to let the run go on, its DNS questions stay on loopback (refused).
NO_NETWORK = ("--nameserver", "127.0.0.1:9")


def one_error_line(done, *expected: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and "Errno" not in done.stderr, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Erreur : "), line
    for part in expected:
        assert part in line, line
    return line


@pytest.mark.parametrize(
    "args",
    [
        ["run", "-d", "cabinet.fr", *NO_NETWORK, "-o", f"x/{LONG}"],
        ["run", "-d", "cabinet.fr", *NO_NETWORK, "--register", LONG],
        ["run", "-d", "cabinet.fr", *NO_NETWORK, "--inventory", LONG],
        ["run", "-d", "cabinet.fr", *NO_NETWORK, "--ca-file", LONG],
        ["run", "-d", "cabinet.fr", *NO_NETWORK, "--trust-anchor", LONG],
        ["run", "-d", "cabinet.fr", *NO_NETWORK, "--answers", LONG],
        ["register", "init", "-o", f"{LONG}.xlsx"],
        ["register", "validate", f"{LONG}.xlsx"],
        ["hds", "list", "--data-dir", LONG],
        ["hds", "update", "--file", LONG],
        ["hds", "update", "--file", "/dev/null", "--data-dir", LONG],
    ],
)
def test_a_name_too_long_is_one_french_line(cli, tmp_path: Path, args: list[str]) -> None:
    one_error_line(cli(*args, cwd=tmp_path), "nom trop long")


def test_files_that_are_not_regular_files_are_named_as_such(cli, tmp_path: Path) -> None:
    loop = tmp_path / "boucle"
    loop.symlink_to(loop)
    folder = tmp_path / "dossier"
    folder.mkdir()
    one_error_line(
        cli("run", "-d", "cabinet.fr", *NO_NETWORK, "--answers", "/dev/zero"),
        "pas un fichier ordinaire",
    )
    one_error_line(
        cli("run", "-d", "cabinet.fr", *NO_NETWORK, "--register", str(folder)), "c'est un dossier"
    )
    one_error_line(
        cli("run", "-d", "cabinet.fr", *NO_NETWORK, "--ca-file", str(loop)),
        "boucle de liens symboliques",
    )


def test_output_folder_problems(cli, tmp_path: Path) -> None:
    dangling = tmp_path / "lien"
    dangling.symlink_to(tmp_path / "absent")
    one_error_line(
        cli("run", "-d", "cabinet.fr", *NO_NETWORK, "-o", str(dangling)),
        "lien symbolique vers un dossier absent",
    )
    one_error_line(
        cli("run", "-d", "cabinet.fr", *NO_NETWORK, "-o", "", cwd=tmp_path), "chemin vide"
    )
    assert list(tmp_path.iterdir()) == [dangling]


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "224.0.0.1", "ff02::1", "255.255.255.255"])
def test_nameserver_must_be_one_machine(cli, address: str) -> None:
    one_error_line(
        cli("run", "-d", "cabinet.fr", *NO_NETWORK, "--nameserver", address), "--nameserver"
    )


@pytest.mark.parametrize("value", ["1e-9", "0.01"])
def test_timeout_too_short_for_any_server_is_refused(cli, value: str) -> None:
    one_error_line(cli("run", "-d", "cabinet.fr", *NO_NETWORK, "--timeout", value), "--timeout")


def test_password_does_not_replace_a_read_only_answers_file(cli, tmp_path: Path) -> None:
    answers = tmp_path / "reponses.yaml"
    answers.write_text("meta:\n  practice_name: Cabinet\n", encoding="utf-8")
    answers.chmod(0o444)
    done = cli("password", "--stdin", "--answers-out", str(answers))
    one_error_line(done, "lecture seule")
    assert answers.read_text(encoding="utf-8") == "meta:\n  practice_name: Cabinet\n"


def test_csv_field_limit_is_said_in_french(cli, tmp_path: Path) -> None:
    register = tmp_path / "registre.csv"
    register.write_text('Traitement;Finalités\n"' + "x" * 200_000 + '";y\n', encoding="utf-8")
    one_error_line(cli("register", "validate", str(register)), "cellule de plus de")
