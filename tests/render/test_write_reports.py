"""write_reports: file names, private permissions, atomic replacement."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from rgpd_audit import files as files_module
from rgpd_audit.files import write_private
from rgpd_audit.models import AuditResult
from rgpd_audit.render import Format, write_reports


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    """A umask of 0 would make any file created with default modes world-readable."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("lax_umask")
def test_writes_all_formats_privately(result: AuditResult, tmp_path: Path) -> None:
    out = tmp_path / "rapports" / "cabinet-dupont.fr"
    written = write_reports(result, out, list(Format))
    paths = {w.path.name: w.path for w in written}

    assert paths == {
        name: out / name
        for name in (
            "audit.json",
            "report.html",
            "report.pdf",
            "report.xlsx",
            "plan-action.csv",
            "constats.csv",
        )
    }
    assert _mode(out) == 0o700
    for path in paths.values():
        assert _mode(path) == 0o600
    assert sorted(p.name for p in out.iterdir()) == sorted(paths)
    recorded = AuditResult.model_validate_json(paths["audit.json"].read_text())
    assert recorded.model_copy(update={"deliverables": []}) == result
    assert paths["report.html"].read_text().startswith("<!DOCTYPE html>")
    assert paths["report.pdf"].read_bytes().startswith(b"%PDF")


def test_digests_of_every_file_on_return_and_in_audit_json(
    result: AuditResult, tmp_path: Path
) -> None:
    written = write_reports(result, tmp_path, list(Format))
    for item in written:
        assert item.sha256 == hashlib.sha256(item.path.read_bytes()).hexdigest()
    recorded = AuditResult.model_validate_json((tmp_path / "audit.json").read_text())
    # audit.json records every other file; it cannot hold its own digest.
    assert {d.name: d.sha256 for d in recorded.deliverables} == {
        w.path.name: w.sha256 for w in written if w.format is not Format.JSON
    }
    assert all(d.size == (tmp_path / d.name).stat().st_size for d in recorded.deliverables)


def test_only_requested_formats(result: AuditResult, tmp_path: Path) -> None:
    written = write_reports(result, tmp_path, [Format.JSON])
    assert [w.format for w in written] == [Format.JSON]
    assert [p.name for p in tmp_path.iterdir()] == ["audit.json"]
    # Alone, audit.json is written once, without digests.
    assert AuditResult.model_validate_json(written[0].path.read_text()).deliverables == []


def test_existing_directory_is_left_alone(result: AuditResult, tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    write_reports(result, tmp_path, [Format.JSON])
    assert _mode(tmp_path) == 0o755


def test_replaces_world_readable_report(result: AuditResult, tmp_path: Path) -> None:
    old = tmp_path / "report.html"
    old.write_text("ancien rapport")
    old.chmod(0o644)
    write_reports(result, tmp_path, [Format.HTML])
    assert _mode(old) == 0o600
    assert "ancien rapport" not in old.read_text()


def test_failed_write_leaves_previous_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "audit.json"
    target.write_text("précédent")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disque plein")

    monkeypatch.setattr(files_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disque plein"):
        write_private(target, b"nouveau")
    assert target.read_text() == "précédent"
    assert [p.name for p in tmp_path.iterdir()] == ["audit.json"]


def test_temp_file_is_private_from_creation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, int]] = []
    real_open = os.open

    def spy_open(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
        seen.append((os.fspath(path), mode))
        assert flags & os.O_CREAT and flags & os.O_EXCL
        return real_open(path, flags, mode)

    monkeypatch.setattr(files_module.os, "open", spy_open)
    write_private(tmp_path / "report.pdf", b"%PDF-")
    assert len(seen) == 1
    path, mode = seen[0]
    assert Path(path).parent == tmp_path
    assert mode == 0o600
