"""`batch` against the lab: one folder per practice, failures isolated, summaries, history,
and one probe per MX for the whole batch."""

import csv
import itertools
import json
import re
import stat
from pathlib import Path

from openpyxl import load_workbook

from rgpd_audit import registry
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.models import Target
from rgpd_audit.net.sharing import SharedNetwork
from tests.portfolio.conftest import client_list


def test_batch_isolates_failures_and_writes_every_output(
    cli, batch_args: list[str], tmp_path: Path
) -> None:
    (tmp_path / "mauvaises.yaml").write_text("q.inconnue.question: oui\n")
    path = client_list(
        tmp_path,
        [
            "cabinet-conforme.fr;Cabinet Conforme;contact@cabinet-conforme.fr;medecin;",
            "sans-starttls.fr;=SOMME(1);;;mauvaises.yaml",
            "inexistant.labo-rgpd.fr;Faute de frappe;;;",
            "absent-du-labo.fr;DNS mort;;;",
            "cert-expire.fr;Certificat expiré;;;",
        ],
    )
    out = tmp_path / "lot"
    db = tmp_path / "historique.sqlite"
    done = cli(
        "batch", str(path), *batch_args[:-2], "--format", "json,pdf", "-o", str(out),
        "--db", f"sqlite:///{db}", "--jobs", "3", timeout=240,
    )  # fmt: skip
    # Some practices failed: exit 1, after every other practice was audited all the same.
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1].startswith("Lot terminé : 2 audit(s) terminé(s) sur 5, 3 en échec")
    assert any("sans-starttls.fr : ÉCHEC — " in line and "mauvaises.yaml, ligne 1" in line
               for line in lines)  # fmt: skip
    assert any("inexistant.labo-rgpd.fr : ÉCHEC — " in line and "faute de frappe" in line
               for line in lines)  # fmt: skip
    assert any("absent-du-labo.fr : ÉCHEC — aucun contrôle" in line for line in lines)
    for domain in ("cabinet-conforme.fr", "cert-expire.fr"):
        audit = json.loads((out / domain / "audit.json").read_text())
        assert audit["target"]["domain"] == domain
        assert stat.S_IMODE((out / domain / "report.pdf").stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700

    raw = (out / "summary.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert table[0][:4] == ["ligne", "domaine", "cabinet", "statut"]
    by_domain = {row[1]: row for row in table[1:]}
    assert [row[1] for row in table[1:]] == [
        "cabinet-conforme.fr", "sans-starttls.fr", "inexistant.labo-rgpd.fr",
        "absent-du-labo.fr", "cert-expire.fr",
    ]  # fmt: skip
    assert by_domain["cert-expire.fr"][3] == "terminé"
    assert by_domain["sans-starttls.fr"][3] == "échec"
    # A practice name that looks like a formula stays text in the spreadsheet.
    assert by_domain["sans-starttls.fr"][2] == "'=SOMME(1)"
    failed_controls = int(by_domain["cert-expire.fr"][7])
    assert failed_controls == json.loads((out / "cert-expire.fr" / "audit.json").read_text())[
        "verdict"]["failed_controls"]  # fmt: skip
    assert sum(int(value) for value in by_domain["cert-expire.fr"][8:12]) == failed_controls

    sheet = load_workbook(out / "summary.xlsx", read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == tuple(table[0])
    assert len(values) == 6
    assert (out / "portefeuille.pdf").read_bytes().startswith(b"%PDF")

    history = cli("history", "--db", f"sqlite:///{db}", "--format", "json")
    recorded = sorted(entry["domain"] for entry in json.loads(history.stdout))
    assert recorded == ["cabinet-conforme.fr", "cert-expire.fr"]


def _probes(stdout: str) -> tuple[int, int]:
    match = re.search(r"(\d+) connexion\(s\) pour (\d+) adresse\(s\)", stdout)
    assert match, stdout
    return int(match.group(1)), int(match.group(2))


def test_practices_sharing_an_mx_cost_it_one_probe(
    cli, batch_args: list[str], tmp_path: Path
) -> None:
    """Four practices at one provider: the provider's MX sees as many connections as for one."""
    shared = [
        "dnssec-non-signe.labo-rgpd.fr", "dnssec-ds-absent.labo-rgpd.fr",
        "dnssec-signature-expiree.labo-rgpd.fr", "dnssec-signature-invalide.labo-rgpd.fr",
    ]  # fmt: skip
    counts = []
    for index, domains in enumerate((shared[:1], shared)):
        path = client_list(tmp_path, [f"{d};;;;" for d in domains], name=f"l{index}.csv")
        done = cli(
            "batch", str(path), *batch_args, "--only", "mail.starttls.offered",
            "--only", "mail.tls.versions", "-o", str(tmp_path / f"lot{index}"), "--no-history",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        counts.append(_probes(done.stdout))
    assert counts[0] == counts[1]


def test_dns_answers_are_shared_across_the_batch_within_their_ttl(
    cli, lab, batch_args: list[str], tmp_path: Path
) -> None:
    """The provider's MX name and the root's keys are asked once for the whole batch."""
    domains = ["dnssec-non-signe.labo-rgpd.fr", "dnssec-ds-absent.labo-rgpd.fr",
               "dnssec-signature-expiree.labo-rgpd.fr"]  # fmt: skip
    path = client_list(tmp_path, [f"{d};;;;" for d in domains])
    before = lab.dns_query_counts()
    done = cli("batch", str(path), *batch_args, "-o", str(tmp_path / "lot"), "--no-history")
    assert done.returncode == 0, done.stderr
    after = lab.dns_query_counts()
    asked = {key: after[key] - before.get(key, 0) for key in after}
    assert asked[("mx.dnssec-signe.labo-rgpd.fr.", "A")] == 1
    assert asked[(".", "DNSKEY")] == 1
    # Each practice's own names are still asked for each practice.
    assert all(asked[(f"{d}.", "MX")] >= 1 for d in domains)


def test_a_practices_own_names_are_not_kept_for_the_batch(lab) -> None:
    """Only the names several practices may share are kept: the same practice audited twice
    on one shared network asks its own names again, the keys above it once."""
    shared = SharedNetwork(max_rate=None, max_dns_rate=None)
    domain = lab.scenarios["dnssec-signe"].domain
    specs = [s for s in registry.discover() if s.meta.id == "dns.dnssec.chain"]
    before = lab.dns_query_counts()
    for _ in range(2):
        ctx = CheckContext(Target(domain=domain), lab.run_config(timeout=2.0), shared=shared)
        run_checks(ctx, specs)
    after = lab.dns_query_counts()
    asked = {key: after[key] - before.get(key, 0) for key in after}
    assert asked[(f"{domain}.", "DNSKEY")] == 2
    assert asked[("labo-rgpd.fr.", "DNSKEY")] == 1
    assert asked[(".", "DNSKEY")] == 1


def _assert_paced(times: list[float], rate: float) -> None:
    """Arrival `times` (seen by the server) of operations paced at `rate` per second.

    The limiter books one slot every 1/rate s; a thread woken late (the suite runs in
    parallel workers on a loaded machine: tens of milliseconds) brings its arrival closer to
    the next one, so each gap is checked with a wide margin, and the whole span (which
    lateness cannot shorten by more than one delay) within half an interval. Without pacing, these
    operations arrive within a few milliseconds of each other.
    """
    interval = 1 / rate
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.3 * interval, gaps
    assert times[-1] - times[0] >= (len(times) - 1) * interval - 0.5 * interval, gaps


def test_max_rate_spaces_the_connections_to_a_shared_mx(
    cli, lab, batch_args: list[str], tmp_path: Path
) -> None:
    """`--max-rate 2`: the provider's MX sees its connections (SMTP probe, then the TLS
    assessment's extra handshakes) half a second apart, as the server counts time."""
    assert lab.smtp_connection_times is not None
    domains = ["dnssec-non-signe.labo-rgpd.fr", "dnssec-ds-absent.labo-rgpd.fr",
               "dnssec-signature-expiree.labo-rgpd.fr"]  # fmt: skip
    path = client_list(tmp_path, [f"{d};;;;" for d in domains])
    seen = len(lab.smtp_connection_times())
    done = cli(
        "batch", str(path), *batch_args, "--only", "mail.starttls.offered",
        "--only", "mail.tls.versions", "-o", str(tmp_path / "lot"), "--no-history",
        "--jobs", "3", "--max-rate", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    by_address: dict[str, list[float]] = {}
    for address, when in lab.smtp_connection_times()[seen:]:
        by_address.setdefault(address, []).append(when)
    # The probe and the extra handshakes (old versions, weak suites): three connections.
    assert by_address and all(len(times) >= 3 for times in by_address.values()), by_address
    for times in by_address.values():
        _assert_paced(times, 2)


def test_max_dns_rate_paces_the_queries_to_the_resolver(
    cli, lab, batch_args: list[str], tmp_path: Path
) -> None:
    """`--max-dns-rate 10`: the lab's resolver receives the batch's queries 0.1 s apart,
    from the preflight query to the last check, the TCP retries of big answers included."""
    assert lab.dns_query_times is not None
    path = client_list(tmp_path, ["dnssec-non-signe.labo-rgpd.fr;;;;", "cabinet-conforme.fr;;;;"])
    seen = len(lab.dns_query_times())
    done = cli(
        "batch", str(path), *batch_args, "--only", "mail.dmarc.present", "-o",
        str(tmp_path / "lot"), "--no-history", "--jobs", "2", "--max-dns-rate", "10",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    times = lab.dns_query_times()[seen:]
    assert len(times) >= 5, times
    _assert_paced(times, 10)


def test_max_dns_rate_paces_the_plain_retry_of_a_refused_question(
    cli, lab, batch_args: list[str], tmp_path: Path
) -> None:
    """The provider's MX names of fournisseur-ovh are outside the lab, which refuses them:
    each is asked again without DNSSEC, and that retry waits its turn as well."""
    assert lab.dns_query_times is not None and lab.dns_query_counts is not None
    path = client_list(tmp_path, ["fournisseur-ovh.labo-rgpd.fr;;;;"])
    seen = len(lab.dns_query_times())
    before = lab.dns_query_counts()
    done = cli(
        "batch", str(path), *batch_args, "--only", "mail.starttls.offered", "--only",
        "mail.dmarc.present", "-o", str(tmp_path / "lot"), "--no-history", "--jobs", "1",
        "--max-dns-rate", "10",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    after = lab.dns_query_counts()
    assert after[("mx1.mail.ovh.net.", "A")] - before.get(("mx1.mail.ovh.net.", "A"), 0) == 2
    times = lab.dns_query_times()[seen:]
    _assert_paced(times, 10)
