"""Whole-process wall time of `rgpd-audit history` on 1 000 recorded audits, and of
`rgpd-audit diff` between two demo audits (median of 5 runs each).

Everything happens in a temporary data directory (RGPD_AUDIT_DATA_DIR): two demos are run
and recorded in the demo history, then the second demo's audit.json (about 180 kB, 117
findings) is recorded 1 000 times, spread over 100 practices and ten years, into a SQLite
history, through the same store the tool uses.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

RUNS = 5
AUDITS = 1000
PRACTICES = 100


def timed(exe: str, args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([exe, *args], check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    exe = shutil.which("rgpd-audit") or str(Path(sys.executable).with_name("rgpd-audit"))
    with tempfile.TemporaryDirectory() as work:
        env = {**os.environ, "RGPD_AUDIT_DATA_DIR": work}
        env.pop("RGPD_AUDIT_DB", None)
        for year, out in (("2025", "d1"), ("2026", "d2")):
            subprocess.run(
                [exe, "demo", "-q", "--format", "json", "-o", f"{work}/{out}"],
                check=True,
                env={**env, "RGPD_AUDIT_TEST_NOW": f"{year}-03-10T09:00:00+01:00"},
            )
        os.environ["RGPD_AUDIT_DATA_DIR"] = work
        from rgpd_audit.audit_file import load_audit_result
        from rgpd_audit.history.location import resolve
        from rgpd_audit.history.store import HistoryStore
        from rgpd_audit.models import Target

        base = load_audit_result(Path(work) / "d2" / "audit.json")
        store = HistoryStore.open(resolve(None))
        start = time.perf_counter()
        for n in range(AUDITS):
            practice = n % PRACTICES
            store.record(
                base.model_copy(
                    update={
                        "target": Target(
                            domain=f"cabinet-{practice:03d}.fr",
                            practice_name=f"Cabinet {practice}",
                        ),
                        "started_at": base.started_at - timedelta(days=365 * (n // PRACTICES)),
                    }
                )
            )
        recorded = time.perf_counter() - start
        size = (Path(work) / "historique.sqlite3").stat().st_size
        print(
            f"{AUDITS} audits enregistrés en {recorded:.1f} s "
            f"({1000 * recorded / AUDITS:.1f} ms par audit, une transaction chacun) ; "
            f"base SQLite de {size / 1e6:.0f} Mo"
        )
        for label, args in (
            (f"history ({AUDITS} audits)", ["history"]),
            (f"history --format json ({AUDITS} audits)", ["history", "--format", "json"]),
            ("history cabinet-042.fr (10 audits)", ["history", "cabinet-042.fr"]),
            ("diff --demo 1 2 (deux démonstrations)", ["diff", "--demo", "1", "2"]),
            (
                "diff de deux fichiers audit.json",
                ["diff", f"{work}/d1/audit.json", f"{work}/d2/audit.json"],
            ),
            ("--help (référence)", ["--help"]),
        ):
            median, low, high = timed(exe, args, env)
            print(
                f"rgpd-audit {label} : médiane {median:.3f} s "
                f"(min {low:.3f}, max {high:.3f}, {RUNS} exécutions)"
            )


if __name__ == "__main__":
    main()
