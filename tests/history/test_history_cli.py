"""The history through the real CLI: two demos a year apart, a crash during the write, two
audits finishing together, an unreachable server. Real SQLite and PostgreSQL, no mock."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rgpd_audit.history.connect import create_history_engine
from rgpd_audit.history.location import resolve
from rgpd_audit.history.migrate import upgrade
from rgpd_audit.history.store import HistoryStore
from rgpd_audit.lab import Lab

EXE = str(Path(sys.executable).with_name("rgpd-audit"))
EXAMPLE_ANSWERS = Path(__file__).resolve().parents[2] / "questionnaires" / "exemple-reponses.yaml"
FIXED = "Pas d'engagement de confidentialité écrit"
SECTION = 'id="evolution"'


def env(data_dir: Path, now: str | None = None) -> dict[str, str]:
    values = {**os.environ, "RGPD_AUDIT_DATA_DIR": str(data_dir)}
    if now:
        values["RGPD_AUDIT_TEST_NOW"] = now
    return values


def cli(*args: str, environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args],
        capture_output=True,
        text=True,
        env=environ,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 90) -> None:
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            pytest.fail(f"attente trop longue : {what}")
        time.sleep(0.02)


def test_two_demo_audits_a_year_apart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    # Last year the staff had signed no confidentiality commitment; this year they have.
    last_year = tmp_path / "reponses-2025.yaml"
    last_year.write_text(
        EXAMPLE_ANSWERS.read_text().replace(
            "q.gouvernance.confidentialite_personnel: oui",
            "q.gouvernance.confidentialite_personnel: non",
        )
    )
    first = cli(
        "demo", "-q", "--answers", str(last_year), "--format", "json,html",
        "-o", str(tmp_path / "2025"),
        environ=env(data, "2025-03-10T09:00:00+01:00"),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert SECTION not in (tmp_path / "2025" / "report.html").read_text()
    second = cli(
        "demo", "-o", str(tmp_path / "2026"), environ=env(data, "2026-03-10T09:00:00+01:00")
    )
    assert second.returncode == 0, second.stderr
    assert "audit n° 2 enregistré dans l'historique" in second.stdout
    html = unescape((tmp_path / "2026" / "report.html").read_text())
    assert SECTION in html
    assert "Points corrigés depuis le 10 mars 2025 (1)" in html and FIXED in html
    assert (tmp_path / "2026" / "report.pdf").read_bytes().startswith(b"%PDF")

    listed = cli("history", "--demo", "cabinet-exemple.fr", "--format", "json", environ=env(data))
    entries = json.loads(listed.stdout)
    assert [e["date"][:10] for e in entries] == ["2025-03-10", "2026-03-10"]
    assert entries[1]["failed_controls"] == entries[0]["failed_controls"] - 1

    by_id = cli("diff", "--demo", "1", "2", environ=env(data))
    assert by_id.returncode == 0, by_id.stderr
    fixed = by_id.stdout.split("Corrigés : ")[1].split("\n\n")[0]
    assert fixed.startswith("1\n") and FIXED in fixed
    by_file = cli(
        "diff", str(tmp_path / "2025" / "audit.json"), str(tmp_path / "2026" / "audit.json"),
        "--format", "json", environ=env(data),
    )  # fmt: skip
    resolved = json.loads(by_file.stdout)["changes"]["resolved"]
    assert [r["title"] for r in resolved] == [FIXED]
    assert not (data / "historique.sqlite3").exists(), "a demo never enters the real history"

    # Minimisation: purging asks for a confirmation, --yes outside a terminal.
    refused = cli("history", "purge", "--demo", "--before", "2026-01-01", environ=env(data))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    purged = cli("history", "purge", "--demo", "--before", "2026-01-01", "--yes", environ=env(data))
    assert purged.returncode == 0 and "1 audit(s) effacé(s)" in purged.stdout
    left = json.loads(cli("history", "--demo", "--format", "json", environ=env(data)).stdout)
    assert [e["id"] for e in left] == [2]


def run_args(lab_args: list[str], out: Path, db: str) -> list[str]:
    return [
        EXE, "run", "--domain", "cabinet-conforme.fr", *lab_args, "--format", "json",
        "-q", "-o", str(out), "--db", db,
    ]  # fmt: skip


def test_unreachable_postgres_still_writes_the_files(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    args = run_args(lab_args, tmp_path / "out", "postgresql://rgpd:secret@127.0.0.1:1/historique")
    done = subprocess.run(args, capture_output=True, text=True, env=env(tmp_path), timeout=180)
    assert done.returncode == 4, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Erreur : base d'historique injoignable")
    assert "secret" not in done.stderr
    assert json.loads((tmp_path / "out" / "audit.json").read_text())["complete"]
    skipped = subprocess.run(
        [*args, "--no-history"], capture_output=True, text=True, env=env(tmp_path), timeout=180
    )
    assert skipped.returncode == 0, skipped.stderr


def count(url: str) -> tuple[int, int]:
    store = HistoryStore.open(resolve(url))
    with store.engine.connect() as connection:
        audits = connection.execute(text("SELECT count(*) FROM audits")).scalar_one()
        findings = connection.execute(text("SELECT count(*) FROM findings")).scalar_one()
    store.close()
    return audits, findings


def test_sqlite_killed_during_the_write_leaves_the_history_unchanged(
    tmp_path: Path, lab: Lab, lab_args: list[str]
) -> None:
    path = tmp_path / "historique.sqlite3"
    url = f"sqlite:///{path}"
    first = subprocess.run(run_args(lab_args, tmp_path / "a", url), env=env(tmp_path), timeout=180)
    assert first.returncode == 0
    before = count(url)
    # A reader's shared lock lets the audit write its rows (the rollback journal appears)
    # but not commit: the process is then exactly inside its transaction.
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM audits").fetchall()
    audit = subprocess.Popen(run_args(lab_args, tmp_path / "b", url), env=env(tmp_path))
    try:
        journal = path.with_name(path.name + "-journal")
        wait_for(journal.exists, "l'écriture de l'historique")
        time.sleep(0.3)
        assert audit.poll() is None, "the audit must still be waiting to commit"
        audit.send_signal(signal.SIGKILL)
        audit.wait(timeout=30)
    finally:
        reader.execute("ROLLBACK")
        reader.close()
    assert (tmp_path / "b" / "audit.json").exists(), "the files come before the history"
    assert count(url) == before
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    check.close()


def postgres_engine(url: str):  # type: ignore[no-untyped-def]
    return create_engine(make_url(url).set(drivername="postgresql+psycopg"))


def waiting_audits(url: str) -> list[int]:
    with postgres_engine(url).connect() as connection:
        rows = connection.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE application_name = 'rgpd-audit' "
                "AND wait_event_type = 'Lock' "
                # Only this test's database: the server is shared by the parallel workers,
                # whose audits wait on locks of their own.
                "AND datname = current_database()"
            )
        ).all()
    return [row.pid for row in rows]


def test_postgres_killed_during_the_write_leaves_the_history_unchanged(
    tmp_path: Path, lab: Lab, lab_args: list[str], postgres_url: str
) -> None:
    upgrade(create_history_engine(resolve(postgres_url)))
    first = subprocess.run(
        run_args(lab_args, tmp_path / "a", postgres_url), env=env(tmp_path), timeout=180
    )
    assert first.returncode == 0
    before = count(postgres_url)
    blocker = postgres_engine(postgres_url).connect()
    # The audit's row goes in, its findings wait behind this lock: mid-transaction.
    blocker.execute(text("LOCK TABLE findings IN SHARE MODE"))
    audit = subprocess.Popen(run_args(lab_args, tmp_path / "b", postgres_url), env=env(tmp_path))
    try:
        wait_for(lambda: len(waiting_audits(postgres_url)) == 1, "l'écriture de l'historique")
        [backend] = waiting_audits(postgres_url)
        audit.send_signal(signal.SIGKILL)
        audit.wait(timeout=30)
    finally:
        blocker.rollback()
        blocker.close()

    def backend_gone() -> bool:
        with postgres_engine(postgres_url).connect() as connection:
            return not connection.execute(
                text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"), {"pid": backend}
            ).first()

    wait_for(backend_gone, "la fin de la session du processus tué")
    assert count(postgres_url) == before


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_two_audits_finishing_together_both_land(
    tmp_path: Path, lab: Lab, lab_args: list[str], backend: str, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        path = tmp_path / "historique.sqlite3"
        url = f"sqlite:///{path}"
        HistoryStore.open(resolve(url)).close()
        holder = sqlite3.connect(path, isolation_level=None)
        # The write lock: both audits read the history and write their files, then queue.
        holder.execute("BEGIN IMMEDIATE")
        release = lambda: (holder.execute("ROLLBACK"), holder.close())  # noqa: E731
    else:
        url = request.getfixturevalue("postgres_url")
        upgrade(create_history_engine(resolve(url)))
        blocker = postgres_engine(url).connect()
        blocker.execute(text("LOCK TABLE audits IN SHARE MODE"))
        release = lambda: (blocker.rollback(), blocker.close())  # noqa: E731
    # Both audits reach their history write while it is held, then commit together.
    audits = [
        subprocess.Popen(
            run_args(lab_args, tmp_path / name, url),
            env=env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    try:
        wait_for(
            lambda: all((tmp_path / name / "audit.json").exists() for name in ("a", "b")),
            "les deux audits",
        )
        if backend == "postgresql":
            wait_for(lambda: len(waiting_audits(url)) == 2, "les deux écritures")
        else:
            time.sleep(0.5)
    finally:
        release()
    for audit in audits:
        _out, err = audit.communicate(timeout=120)
        assert audit.returncode == 0, err
    assert count(url)[0] == 2


def test_the_consultant_configuration_names_the_shared_history(
    tmp_path: Path, lab_args: list[str]
) -> None:
    import os
    import subprocess
    import sys

    exe = str(Path(sys.executable).with_name("rgpd-audit"))
    database = tmp_path / "cabinet-de-conseil.sqlite3"
    config_dir = tmp_path / "xdg" / "rgpd-audit"
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text(
        f'[defaults]\ndb = "sqlite:///{database}"\n', encoding="utf-8"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    env.pop("RGPD_AUDIT_DB", None)
    audit = subprocess.run(
        [exe, "run", "-d", "cabinet-conforme.fr", *lab_args, "--format", "json",
         "-o", str(tmp_path / "audit")],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert audit.returncode == 0, audit.stderr
    assert str(database) in audit.stdout
    listed = subprocess.run(
        [exe, "history", "--format", "json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert listed.returncode == 0, listed.stderr
    assert "cabinet-conforme.fr" in listed.stdout
