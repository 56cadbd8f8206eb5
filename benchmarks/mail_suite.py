"""Benchmark: the whole mail suite on the lab, with slow DNS and slow SMTP greetings.

Measures, on one lab domain (default: the scenario « conforme », which publishes every record
the suite looks at):
- the wall time of all checks together against the critical path, taken as the slowest check
  run alone on a cold cache (target: ≤ 1.2×);
- the DNS queries the lab server received against the distinct (name, type) pairs they cover
  (target: equal — each DNS question asked once per audit);
- checkdmarc on the same domain and lab server, for a side-by-side time. It is installed in its
  own virtual environment (benchmark only: it is never a dependency of rgpd-audit).

    python benchmarks/mail_suite.py [--scenario NAME] [--dns-delay 0.1] [--smtp-delay 0.3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import venv
from collections import Counter
from pathlib import Path

from rgpd_audit import registry
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.lab import Lab, start_lab
from rgpd_audit.models import Target

CHECKDMARC_VENV = Path("/tmp/rgpd-audit-bench-checkdmarc")

# Run inside checkdmarc's venv: its resolver takes dnspython Nameserver objects as they are,
# which is how it reaches the lab's DNS server on a high port.
CHECKDMARC_SCRIPT = """
import json, sys, time
import dns.nameserver
import checkdmarc
domain, address, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
checkdmarc.check_domains(
    [domain], nameservers=[dns.nameserver.Do53Nameserver(address, port)], skip_tls=True, timeout=5.0
)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def _counts(lab: Lab) -> Counter[tuple[str, str]]:
    assert lab.dns_query_counts is not None
    return Counter(lab.dns_query_counts())


def _timed(lab: Lab, domain: str, specs: list[registry.CheckSpec]) -> tuple[float, Counter]:
    before = _counts(lab)
    ctx = CheckContext(Target(domain=domain), lab.run_config(timeout=5.0, deadline=120.0))
    start = time.perf_counter()
    run_checks(ctx, specs)
    elapsed = time.perf_counter() - start
    return elapsed, _counts(lab) - before


def _checkdmarc_seconds(lab: Lab, domain: str) -> float | None:
    python = CHECKDMARC_VENV / "bin" / "python"
    if not python.exists():
        print("installation de checkdmarc dans", CHECKDMARC_VENV, "…", file=sys.stderr)
        venv.create(CHECKDMARC_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "checkdmarc"], check=True)
    address, port = lab.nameserver.rsplit(":", 1)
    done = subprocess.run(
        [str(python), "-c", CHECKDMARC_SCRIPT, domain, address, port],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print("checkdmarc a échoué :", done.stderr.strip()[-500:], file=sys.stderr)
        return None
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def main() -> None:
    """Run the measurements and print them in French."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="conforme")
    parser.add_argument("--dns-delay", type=float, default=0.1)
    parser.add_argument("--smtp-delay", type=float, default=0.3)
    args = parser.parse_args()
    specs = registry.discover()
    with start_lab(dns_delay=args.dns_delay, smtp_greeting_delay=args.smtp_delay) as lab:
        domain = lab.scenarios[args.scenario].domain
        print(f"domaine {domain} ; DNS +{args.dns_delay:.2f} s, accueil SMTP +{args.smtp_delay} s")
        solo = {spec.meta.id: _timed(lab, domain, [spec])[0] for spec in specs}
        slowest = max(solo, key=solo.__getitem__)
        together, counts = _timed(lab, domain, specs)
        ratio = together / solo[slowest]
        print(f"{len(specs)} contrôles ; chemin critique (contrôle le plus lent seul, cache froid)")
        print(f"  {slowest} : {solo[slowest]:.2f} s")
        print(f"tous ensemble : {together:.2f} s = {ratio:.2f} × le chemin critique")
        sent, distinct = sum(counts.values()), len(counts)
        print(f"requêtes DNS reçues par le serveur : {sent} pour {distinct} couples (nom, type)")
        for (name, rdtype), n in sorted(counts.items()):
            if n > 1:
                print(f"  posée {n} fois : {name} {rdtype}")
        dns_only = [s for s in specs if s.meta.category in ("usurpation",)]
        ours, _ = _timed(lab, domain, dns_only)
        theirs = _checkdmarc_seconds(lab, domain)
        print(f"SPF + DKIM + DMARC seuls (rgpd-audit) : {ours:.2f} s")
        if theirs is not None:
            print(f"checkdmarc (SPF, DMARC, MX, NS, DNSSEC… sans TLS) : {theirs:.2f} s")


if __name__ == "__main__":
    main()
