"""A batch stopped by Ctrl-C or killed outright loses no finished audit, and `--resume`
redoes none of them."""

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import EXE, interrupt_another_thread
from tests.portfolio.conftest import client_list

DOMAINS = [
    "cabinet-conforme.fr", "sans-starttls.fr", "cert-expire.fr", "cert-autre-nom.fr",
    "cert-autosigne.fr", "mx-grand-public.fr", "tls-obsolete.fr", "mx-secours.fr",
]  # fmt: skip


def _finished(out: Path) -> dict[str, int]:
    """Domain → modification time of its state file, for every recorded practice."""
    state = out / ".etat"
    if not state.is_dir():
        return {}
    return {path.stem: path.stat().st_mtime_ns for path in state.glob("*.json")}


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill-9"])
def test_resume_redoes_no_finished_audit(
    cli, batch_args: list[str], tmp_path: Path, stop: signal.Signals
) -> None:
    path = client_list(tmp_path, [f"{domain};;;;" for domain in DOMAINS])
    out = tmp_path / "lot"
    db = f"sqlite:///{tmp_path / 'historique.sqlite'}"
    command = [EXE, "batch", str(path), *batch_args, "-o", str(out), "--db", db, "--jobs", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while len(_finished(out)) < 2 and process.poll() is None:
            assert time.monotonic() < deadline, "aucun audit terminé en 120 s"
            time.sleep(0.05)
        assert process.poll() is None, "le lot s'est terminé avant l'interruption"
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    if stop is signal.SIGINT:
        assert process.returncode == 130, stderr
        assert "relancez la même commande avec --resume" in stderr
    before = _finished(out)
    assert 2 <= len(before) < len(DOMAINS)
    audits = {domain: (out / domain / "audit.json").stat().st_mtime_ns for domain in before}

    again = cli(*command[1:], "--resume", timeout=240)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith(
        f"Reprise : {len(before)} audit(s) déjà terminé(s) sur {len(DOMAINS)}, non refaits."
    )
    after = _finished(out)
    assert set(after) == set(DOMAINS)
    # Neither the state nor the reports of a finished practice were touched again.
    assert {domain: after[domain] for domain in before} == before
    assert {d: (out / d / "audit.json").stat().st_mtime_ns for d in before} == audits
    entries = json.loads(cli("history", "--db", db, "--format", "json").stdout)
    # Each practice recorded once: an audit cut short by the stop was never recorded.
    assert sorted(entry["domain"] for entry in entries) == sorted(DOMAINS)


def test_new_batch_in_a_used_folder_needs_resume(
    cli, batch_args: list[str], tmp_path: Path
) -> None:
    path = client_list(tmp_path, ["cabinet-conforme.fr;;;;"])
    out = tmp_path / "lot"
    first = cli("batch", str(path), *batch_args, "-o", str(out), "--no-history")
    assert first.returncode == 0, first.stderr
    second = cli("batch", str(path), *batch_args, "-o", str(out), "--no-history")
    assert second.returncode == 2
    assert second.stderr.startswith(f"Erreur : le dossier {out} contient déjà un lot : --resume")
    third = cli("batch", str(path), *batch_args, "-o", str(out), "--no-history", "--resume")
    assert third.returncode == 0, third.stderr
    assert third.stdout.startswith("Reprise : 1 audit(s) déjà terminé(s) sur 1, non refaits.")


def test_ctrl_c_received_by_a_worker_thread_stops_the_batch(
    batch_args: list[str], tmp_path: Path
) -> None:
    path = client_list(tmp_path, [f"{domain};;;;" for domain in DOMAINS])
    out = tmp_path / "lot"
    command = [EXE, "batch", str(path), *batch_args, "-o", str(out), "--no-history", "-j", "1"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not _finished(out) and process.poll() is None:
            assert time.monotonic() < deadline, "aucun audit terminé en 120 s"
            time.sleep(0.05)
        assert process.poll() is None, "le lot s'est terminé avant l'interruption"
        interrupt_another_thread(process.pid)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, stderr
    # Stopped then, not once every practice had been audited.
    assert len(_finished(out)) < len(DOMAINS)
