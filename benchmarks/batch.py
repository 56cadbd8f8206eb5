"""Portfolio mode at scale: `rgpd-audit batch` over N lab practice domains (default 1 000).

The lab serves N generated practice domains (`cabinet-0001.labo-rgpd.fr`…) beside its own
zones, each with an SPF and a DMARC record and an MX at one of a few "providers" (lab MX
hosts shared by many practices, as a mail provider's are), every DNS answer delayed by
`--dns-delay` (default 20 ms). A share of them (`--dkim-share`, default one in two) also
publish a DKIM key at their provider's usual selector: the audit asks the 32 selectors of
its list only under an existing `_domainkey` name (RFC 8020), so a list without any key
would flatter it. The whole batch runs as the user runs it (a subprocess, JSON only, no
history, `--jobs` left to its default unless given) and the script prints:

- domains per second (whole-process wall time, start-up included);
- CPU time of the batch process per domain, and the load average around the run (the
  machine may be shared: the figures depend on it);
- peak memory of the batch process (maximum resident set size);
- DNS queries received by the lab server, in all and per domain;
- server connections per distinct MX address (the batch's own count: SMTP sessions and TLS
  handshakes, one probe per MX for the whole batch);
- with `--checkdmarc`: checkdmarc 6 on the same lab and domain list (SPF, DMARC, MX and
  STARTTLS: `skip_tls=False`), installed by this script in its own venv under /tmp, never a
  dependency of the project, for the throughput ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

import dns.zone

import rgpd_audit.lab
from rgpd_audit.lab import start_lab

EXE = str(Path(sys.executable).with_name("rgpd-audit"))
LAB_ZONES = Path(rgpd_audit.lab.__file__).with_name("zones")
#: A 2048-bit key of the lab (the dkim-rsa2048 scenario), published by the practices with DKIM.
DKIM_KEY = next(
    line.split("TXT", 1)[1].strip()
    for line in (LAB_ZONES / "dkim-rsa2048.labo-rgpd.fr.zone").read_text("utf-8").splitlines()
    if line.startswith("google._domainkey")
)
#: The selector a practice with DKIM uses, by provider (Google Workspace's, Microsoft 365's).
DKIM_SELECTORS = ("google", "selector1")
#: MX hosts of the lab standing for mail providers shared by the practices.
PROVIDERS = (
    "mx.cabinet-conforme.fr.",
    "mx1.mail.ovh.net.",
    "mx.cert-expire.fr.",
    "mx.sans-starttls.fr.",
    "mx.dnssec-signe.labo-rgpd.fr.",
)
CHECKDMARC_VENV = Path("/tmp/rgpd-audit-bench-checkdmarc")
CHECKDMARC_SCRIPT = """
import json, sys, time
import dns.nameserver
import checkdmarc
domains = open(sys.argv[1]).read().split()
address, port = sys.argv[2], int(sys.argv[3])
start = time.perf_counter()
checkdmarc.check_domains(
    domains, nameservers=[dns.nameserver.Do53Nameserver(address, port)], skip_tls=False,
    timeout=5.0,
)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def practice_zone(index: int, dkim_share: float = 0.0) -> dns.zone.Zone:
    """The zone of practice number `index`: MX at a shared provider, SPF, DMARC, and a DKIM
    key for `dkim_share` of the practices (spread evenly over the list)."""
    origin = f"cabinet-{index:04d}.labo-rgpd.fr."
    text = (
        f"$ORIGIN {origin}\n$TTL 3600\n"
        "@ IN SOA ns1.labo-rgpd.fr. hostmaster.labo-rgpd.fr. 1 3600 900 1209600 300\n"
        "@ IN NS ns1.labo-rgpd.fr.\n"
        f"@ IN MX 10 {PROVIDERS[index % len(PROVIDERS)]}\n"
        '@ IN TXT "v=spf1 mx -all"\n'
        f'_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@{origin.rstrip(".")}"\n'
    )
    if int(index * dkim_share) != int((index - 1) * dkim_share):
        selector = DKIM_SELECTORS[index % len(DKIM_SELECTORS)]
        text += f"{selector}._domainkey IN TXT {DKIM_KEY}\n"
    return dns.zone.from_text(text, relativize=False)


def _checkdmarc_seconds(domains: list[str], nameserver: str) -> float | None:
    python = CHECKDMARC_VENV / "bin" / "python"
    if not python.exists():
        print("installation de checkdmarc dans", CHECKDMARC_VENV, "…", file=sys.stderr)
        venv.create(CHECKDMARC_VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "checkdmarc==6.0.4"], check=True)
    address, port = nameserver.rsplit(":", 1)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as listing:
        listing.write("\n".join(domains))
    done = subprocess.run(
        [str(python), "-c", CHECKDMARC_SCRIPT, listing.name, address, port],
        capture_output=True,
        text=True,
        check=False,
    )
    os.unlink(listing.name)
    if done.returncode != 0:
        print("checkdmarc a échoué :", done.stderr.strip()[-500:], file=sys.stderr)
        return None
    return float(json.loads(done.stdout.strip().splitlines()[-1])["seconds"])


def main() -> None:
    """Run the batch and print the figures in French."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--dns-delay", type=float, default=0.02)
    parser.add_argument("--dkim-share", type=float, default=0.5)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--checkdmarc", action="store_true")
    args = parser.parse_args()
    zones = [practice_zone(i, args.dkim_share) for i in range(1, args.domains + 1)]
    domains = [zone.origin.to_text().rstrip(".") for zone in zones]
    with (
        tempfile.TemporaryDirectory() as work,
        start_lab(dns_delay=args.dns_delay, extra_zones=zones) as lab,
    ):
        clients = Path(work) / "clients.csv"
        clients.write_text("domaine\n" + "\n".join(domains) + "\n", encoding="utf-8")
        assert lab.dns_query_counts is not None
        before = sum(lab.dns_query_counts().values())
        command = [
            EXE, "batch", str(clients), *lab.cli_args(), "--timeout", "5", "--format", "json",
            "--no-history", "-o", str(Path(work) / "lot"),
        ]  # fmt: skip
        if args.jobs is not None:
            command += ["--jobs", str(args.jobs)]
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime
        queries = sum(lab.dns_query_counts().values()) - before
        closing = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
        jobs = args.jobs if args.jobs is not None else "par défaut"
        print(
            f"{args.domains} domaines (DKIM : {args.dkim_share:.0%}), "
            f"DNS +{args.dns_delay * 1000:.0f} ms, --jobs {jobs}"
        )
        print(f"  code de sortie {done.returncode} ; {closing}")
        print(f"  {elapsed:.1f} s, soit {args.domains / elapsed:.1f} domaines/s")
        print(
            f"  temps CPU du lot : {cpu:.1f} s ({cpu / args.domains * 1000:.0f} ms par domaine) ; "
            f"charge de la machine : {load_before:.1f} avant, {os.getloadavg()[0]:.1f} après"
        )
        print(f"  mémoire maximale du lot : {usage.ru_maxrss / 1024:.0f} Mio")
        print(f"  requêtes DNS reçues : {queries} ({queries / args.domains:.1f} par domaine)")
        match = re.search(r"(\d+) connexion\(s\) pour (\d+) adresse\(s\)", done.stdout)
        if match:
            connections, addresses = int(match.group(1)), int(match.group(2))
            print(
                f"  connexions aux serveurs : {connections} pour {addresses} adresses de MX, "
                f"soit {connections / addresses:.1f} par adresse"
            )
        if args.checkdmarc:
            theirs = _checkdmarc_seconds(domains, lab.nameserver)
            if theirs is not None:
                rate = args.domains / theirs
                print(f"  checkdmarc (SPF, DMARC, MX, STARTTLS) : {theirs:.1f} s, {rate:.1f} dom/s")
                print(f"  rapport de débit rgpd-audit / checkdmarc : {theirs / elapsed:.2f}")


if __name__ == "__main__":
    main()
