"""Does the engine really run checks concurrently?

The lab delays every DNS answer by 100 ms and every SMTP greeting by 300 ms. The critical path
of the demo domain is: MX lookup, then the A/AAAA lookups of the MX hosts (in parallel), then
one SMTP greeting per MX address (in parallel) — 0.1 + 0.1 + 0.3 = 0.5 s of waiting. A serial
engine would need several times that.
"""

import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from rgpd_audit.lab import start_lab

DNS_DELAY = 0.1
GREETING_DELAY = 0.3
CRITICAL_PATH = DNS_DELAY + DNS_DELAY + GREETING_DELAY


def main() -> None:
    exe = shutil.which("rgpd-audit") or str(Path(sys.executable).with_name("rgpd-audit"))
    with (
        start_lab(dns_delay=DNS_DELAY, smtp_greeting_delay=GREETING_DELAY) as lab,
        tempfile.TemporaryDirectory() as out,
    ):
        command = [
            exe,
            "run",
            "--domain",
            lab.scenarios["demo"].domain,
            "--format",
            "json",
            "--quiet",
            *lab.cli_args(),
            "--output",
            out,
        ]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        wall = time.perf_counter() - start
        result = json.loads((Path(out) / "audit.json").read_text())
    audit = (
        datetime.fromisoformat(result["finished_at"]) - datetime.fromisoformat(result["started_at"])
    ).total_seconds()
    checks = len({f["check_id"] for f in result["findings"]})
    print(f"chemin critique : {CRITICAL_PATH:.2f} s ({checks} contrôles)")
    ratio = audit / CRITICAL_PATH
    print(f"durée des contrôles (audit.json) : {audit:.2f} s = {ratio:.2f} × le chemin critique")
    print(f"commande complète (démarrage de Python compris) : {wall:.2f} s")


if __name__ == "__main__":
    main()
