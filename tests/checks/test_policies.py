"""DKIM, MTA-STS, TLS-RPT and provider checks against the lab's real DNS and HTTPS servers.

Each scenario's expected verdicts are asserted by test_mail_checks.py; these tests look at
what the findings observed (their facts), their severity and remediation, and at the edge
cases. The wording is asserted only where it is the point; the verdicts on every branch are
judged from constructed facts in tests/facts.
"""

from __future__ import annotations

import socket
from collections import defaultdict
from pathlib import Path
from typing import TypeVar

import dns.zone

from rgpd_audit import catalog, registry
from rgpd_audit import lab as lab_package
from rgpd_audit.checks.dkim import DkimFacts, DkimSelectorFacts
from rgpd_audit.checks.mta_sts import (
    MtaStsPolicyFacts,
    MtaStsRecordFacts,
    MxCoverageFacts,
    MxTlsFacts,
)
from rgpd_audit.checks.provider import MssanteFacts, ProviderFacts, Sighting
from rgpd_audit.config import Nameserver, RunConfig
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.lab import Lab
from rgpd_audit.lab.dns_server import DnsServer, load_zones
from rgpd_audit.models import Facts, Finding, Status, Target
from tests.conftest import ZONE_HEAD

ZONES = Path(lab_package.__file__).with_name("zones")

FAMILIES = ("dkim", "mta_sts", "tls_rpt", "provider")
F = TypeVar("F", bound=Facts)
SPECS = [s for s in registry.discover() if s.meta.id.split(".")[1] in FAMILIES]


def audit(
    lab: Lab, name: str, emails: tuple[str, ...] = (), **config: object
) -> dict[str, list[Finding]]:
    domain = lab.scenarios[name].domain if name in lab.scenarios else name
    ctx = CheckContext(
        Target(domain=domain, emails=list(emails)),
        lab.run_config(**{"timeout": 2.0, **config}),
    )
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in run_checks(ctx, SPECS).findings:
        grouped[finding.check_id].append(finding)
    return grouped


def evidence(finding: Finding) -> dict[str, object]:
    return {e.label: e.value for e in finding.evidence}


def remediation(finding: Finding, variant: str | None = None) -> str:
    """The sidecar's remediation for `finding`, or its `variant`."""
    meta = next(s.meta for s in SPECS if s.meta.id == finding.check_id)
    return meta.remediation_variants[variant] if variant else meta.remediation


def facts(finding: Finding, kind: type[F]) -> F:
    """The finding's facts, read back from audit.json form into their published type."""
    assert finding.facts_kind == kind.kind and finding.facts is not None, finding.facts_kind
    return kind.model_validate(finding.facts)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- DKIM --------------------------------------------------------------------------------


def test_selector_given_on_the_command_line_is_probed(lab: Lab) -> None:
    found = audit(lab, "dkim-perso", dkim_selectors=("cabinet2026",))
    [present] = found["mail.dkim.present"]
    assert present.status is Status.PASS
    seen = facts(present, DkimFacts)
    assert seen.tried[0] == "cabinet2026"
    assert [(s.selector, s.given) for s in seen.selectors] == [("cabinet2026", True)]
    [key] = found["mail.dkim.key"]
    assert key.status is Status.PASS and key.subject == "cabinet2026"
    assert facts(key, DkimSelectorFacts).given is True


def test_no_key_found_is_not_evaluated_and_says_how_to_find_the_selector(lab: Lab) -> None:
    [present] = audit(lab, "dkim-absent")["mail.dkim.present"]
    assert present.status is Status.INDETERMINATE
    assert present.error is not None and present.error.reason == "dns"
    seen = facts(present, DkimFacts)
    assert seen.selectors == [] and len(seen.tried) >= 30
    assert present.remediation == remediation(present, "not_found")
    # dkim-absent has no name under _domainkey at all (RFC 8020): the facts say so, and the
    # client reads why it is still no proof (a server may deny that name wrongly).
    assert seen.domainkey_exists is False
    domain = lab.scenarios["dkim-absent"].domain
    assert f"le nom _domainkey.{domain} n'existe pas dans le DNS" in present.summary
    assert "à tort" in present.summary
    # Client wording: no command-line option, the auditor is asked to rerun with the selector.
    assert "--" not in present.remediation and "s=" in present.remediation
    assert "communiquez ce sélecteur à la personne qui réalise l'audit" in present.remediation


def test_revoked_key_is_named_but_not_judged(lab: Lab) -> None:
    found = audit(lab, "dkim-revoque")
    [present] = found["mail.dkim.present"]
    assert present.status is Status.INDETERMINATE
    assert [s.revoked for s in facts(present, DkimFacts).selectors] == [True]
    # _domainkey exists there: every selector of the list was asked, none can be ruled out.
    assert facts(present, DkimFacts).domainkey_exists is True
    assert [f.status for f in found["mail.dkim.key"]] == [Status.NOT_APPLICABLE]


def test_key_size_sets_the_severity(lab: Lab) -> None:
    [weak] = audit(lab, "dkim-rsa512")["mail.dkim.key"]
    # DKIM is a recommendation: medium at most (severity policy), a short key is low.
    assert (weak.status, weak.severity.value) == (Status.FAIL, "medium")
    assert weak.remediation == remediation(weak)
    assert facts(weak, DkimSelectorFacts).rsa_bits == 512
    assert evidence(weak)["Taille de la clé RSA"] == "512 bits"
    [short] = audit(lab, "dkim-rsa1024")["mail.dkim.key"]
    assert (short.status, short.severity.value) == (Status.FAIL, "low")
    assert facts(short, DkimSelectorFacts).rsa_bits == 1024
    assert short.remediation == remediation(short, "short")


def test_dual_signing_judges_each_key(lab: Lab) -> None:
    keys = audit(lab, "dkim-ed25519")["mail.dkim.key"]
    assert {k.subject: k.status for k in keys} == {
        "protonmail": Status.PASS,
        "protonmail2": Status.PASS,
    }
    assert sorted(str(facts(k, DkimSelectorFacts).key_type) for k in keys) == ["ed25519", "rsa"]


def test_testing_flag_names_the_selector(lab: Lab) -> None:
    [testing] = audit(lab, "dkim-test")["mail.dkim.testing"]
    assert testing.status is Status.FAIL and testing.subject == "mail"
    assert facts(testing, DkimSelectorFacts).testing is True


def test_unreadable_key_record_fails_with_the_reason(lab: Lab) -> None:
    [key] = audit(lab, "dkim-illisible")["mail.dkim.key"]
    assert key.status is Status.FAIL
    seen = facts(key, DkimSelectorFacts)
    assert seen.key_type is None and seen.syntax_error and seen.record


def test_each_dkim_name_is_asked_once_for_three_checks(lab: Lab) -> None:
    with DnsServer(load_zones(), host="127.0.0.1") as server:
        audit(
            lab,
            "dkim-rsa2048",
            nameservers=(Nameserver("127.0.0.1", server.port),),
            dkim_selectors=("cabinet2026",),
        )
        counts = server.query_counts()
    dkim = {key: n for key, n in counts.items() if "._domainkey." in key[0].lower()}
    assert len(dkim) >= 30
    assert set(dkim.values()) == {1}


def test_no_domainkey_name_spares_the_selector_queries_but_not_the_given_ones(lab: Lab) -> None:
    domain = lab.scenarios["dkim-absent"].domain
    with DnsServer(load_zones(), host="127.0.0.1") as server:
        found = audit(
            lab,
            "dkim-absent",
            nameservers=(Nameserver("127.0.0.1", server.port),),
            dkim_selectors=("cabinet2026",),
        )
        counts = server.query_counts()
    dkim = {key: n for key, n in counts.items() if "_domainkey." in key[0].lower()}
    # RFC 8020: _domainkey does not exist, so neither do the selectors of the list; the
    # selector given for the audit is still asked.
    assert dkim == {
        (f"_domainkey.{domain}.", "TXT"): 1,
        (f"cabinet2026._domainkey.{domain}.", "TXT"): 1,
    }
    [present] = found["mail.dkim.present"]
    searched = len(catalog.dkim_selectors().all_selectors()) + 1
    assert present.status is Status.INDETERMINATE and f"{searched} recherchés" in present.summary


def test_alias_at_domainkey_pointing_nowhere_hides_no_key() -> None:
    # The NXDOMAIN of an alias chain is the target's (RFC 6604): _domainkey itself exists
    # and the key under it must still be found.
    key = next(
        line.split("TXT", 1)[1].strip()
        for line in (ZONES / "dkim-rsa2048.labo-rgpd.fr.zone").read_text().splitlines()
        if line.startswith("google._domainkey")
    )
    origin = "alias-domainkey.test."
    zone = dns.zone.from_text(
        f"{ZONE_HEAD}_domainkey CNAME nulle-part\ngoogle._domainkey TXT {key}\n",
        origin=origin,
        relativize=False,
    )
    with DnsServer([zone], host="127.0.0.1") as server:
        ctx = CheckContext(
            Target(domain=origin.rstrip("."), emails=[]),
            RunConfig(nameservers=(Nameserver("127.0.0.1", server.port),), timeout=2.0),
        )
        assert not ctx.nothing_under(f"_domainkey.{origin}")
        findings = run_checks(ctx, [s for s in SPECS if s.meta.id == "mail.dkim.present"])
    [present] = findings.findings
    assert present.status is Status.PASS and "google" in present.summary


# --- MTA-STS -----------------------------------------------------------------------------


def test_missing_mta_sts_gives_the_records_to_publish(lab: Lab) -> None:
    [record] = audit(lab, "sts-absent")["mail.mta_sts.record"]
    assert record.status is Status.FAIL
    assert record.remediation == remediation(record, "absent").replace(
        "<votre-domaine>", "sts-absent.labo-rgpd.fr"
    )
    assert facts(record, MtaStsRecordFacts).records == []
    # The exact text to publish is the point: it is copied into the zone as shown.
    to_publish = evidence(record)["À publier"]
    assert isinstance(to_publish, list)
    assert to_publish[0] == '_mta-sts.sts-absent.labo-rgpd.fr. IN TXT "v=STSv1; id=1;"'
    assert to_publish[2:] == [
        "version: STSv1",
        "mode: testing",
        "mx: mx.sts-absent.labo-rgpd.fr",
        "max_age: 604800",
    ]


def test_uncovered_mx_is_named(lab: Lab) -> None:
    [coverage] = audit(lab, "sts-mx-manquant")["mail.mta_sts.mx_coverage"]
    # MTA-STS is a recommendation: medium at most (severity policy).
    assert coverage.status is Status.FAIL and coverage.severity.value == "medium"
    seen = facts(coverage, MxCoverageFacts)
    assert seen.uncovered == ["mx2.sts-mx-manquant.labo-rgpd.fr"]
    assert seen.mode == "enforce" and len(seen.mx_hosts) == 2


def test_wildcard_pattern_covers_the_mx(lab: Lab) -> None:
    [coverage] = audit(lab, "sts-joker")["mail.mta_sts.mx_coverage"]
    assert coverage.status is Status.PASS
    seen = facts(coverage, MxCoverageFacts)
    assert seen.patterns == ["*.sts-joker.labo-rgpd.fr"] and seen.uncovered == []


def test_policy_problems_are_observed(lab: Lab) -> None:
    expectations: dict[str, dict[str, object]] = {
        "sts-cert-expire": {"fetch_failure": "certificate_rejected", "http_status": None},
        "sts-sans-politique": {"http_status": 404, "policy": None},
        "sts-redirection": {
            "http_status": 301,
            "location": "https://www.sts-redirection.labo-rgpd.fr/mta-sts.txt",
        },
        "sts-sans-hote": {"fetch_failure": "host_not_found", "http_status": None},
        "sts-mauvais-type": {"content_type": "text/html; charset=utf-8"},
    }
    for name, observed in expectations.items():
        [policy] = audit(lab, name)["mail.mta_sts.policy"]
        assert (policy.status, policy.severity.value) == (Status.FAIL, "medium"), name
        seen = facts(policy, MtaStsPolicyFacts)
        assert {key: getattr(seen, key) for key in observed} == observed, name
    [too_long] = audit(lab, "sts-max-age")["mail.mta_sts.policy"]
    seen = facts(too_long, MtaStsPolicyFacts)
    assert seen.policy is None and "max_age: 99999999" in (seen.lines or [])
    # The parser's reason reaches the reader: the wording is the point here.
    assert seen.syntax_error and "dépasse le maximum" in seen.syntax_error
    assert seen.syntax_error in too_long.summary


def test_testing_mode_is_a_failure_with_its_own_remediation(lab: Lab) -> None:
    found = audit(lab, "sts-testing")
    [mode] = found["mail.mta_sts.mode"]
    assert mode.status is Status.FAIL and mode.remediation == remediation(mode, "testing")
    [policy] = found["mail.mta_sts.policy"]
    assert (policy.status, policy.severity.value) == (Status.FAIL, "low")
    seen = facts(policy, MtaStsPolicyFacts)
    assert seen.policy is not None
    assert (seen.policy.max_age, seen.policy.mode) == (86400, "testing")
    assert evidence(policy)["Politique"] == seen.lines
    assert seen.lines == [
        "version: STSv1",
        "mode: testing",
        "mx: mx.sts-testing.labo-rgpd.fr",
        "max_age: 86400",
    ]


def test_mx_certificate_refused_under_enforce_is_named(lab: Lab) -> None:
    found = audit(lab, "sts-cert-mx")
    [mx_tls] = found["mail.mta_sts.mx_tls"]
    assert (mx_tls.status, mx_tls.severity.value) == (Status.FAIL, "medium")
    assert mx_tls.subject == "mx.sts-cert-mx.labo-rgpd.fr (127.0.0.95)"
    seen = facts(mx_tls, MxTlsFacts)
    assert seen.mode == "enforce" and seen.starttls_offered and seen.certificate is not None
    assert seen.certificate.not_after < seen.checked_at
    assert [f.status for f in found["mail.mta_sts.mode"]] == [Status.PASS]


def test_policy_host_trusted_only_through_a_known_authority(lab: Lab) -> None:
    [policy] = audit(lab, "sts-enforce", ca_file=None)["mail.mta_sts.policy"]
    assert policy.status is Status.FAIL
    assert facts(policy, MtaStsPolicyFacts).fetch_failure == "certificate_rejected"


def test_unreachable_policy_host_is_indeterminate_never_a_failure(lab: Lab) -> None:
    found = audit(lab, "sts-enforce", ports={"https": closed_port()})
    assert [f.status for f in found["mail.mta_sts.record"]] == [Status.PASS]
    for check_id in ("mail.mta_sts.policy", "mail.mta_sts.mode", "mail.mta_sts.mx_coverage"):
        [finding] = found[check_id]
        assert finding.status is Status.INDETERMINATE, check_id
        assert finding.error is not None and finding.error.reason == "connection"


# --- TLS-RPT -----------------------------------------------------------------------------


def test_tls_rpt_destinations_are_listed(lab: Lab) -> None:
    [record] = audit(lab, "sts-joker")["mail.tls_rpt.record"]
    assert evidence(record)["Destinations des rapports"] == [
        "https://rapports.sts-joker.labo-rgpd.fr/tlsrpt"
    ]


def test_tls_rpt_problems_are_explained(lab: Lab) -> None:
    [invalid] = audit(lab, "tlsrpt-invalide")["mail.tls_rpt.record"]
    assert "mailto: ou https:" in invalid.summary
    [double] = audit(lab, "tlsrpt-double")["mail.tls_rpt.record"]
    assert "2 enregistrements" in double.summary


def test_null_mx_makes_reception_policies_not_applicable(lab: Lab) -> None:
    found = audit(lab, "mx-nul")
    for check_id in ("mail.mta_sts.record", "mail.mta_sts.policy", "mail.tls_rpt.record"):
        assert [f.status for f in found[check_id]] == [Status.NOT_APPLICABLE], check_id


# --- Provider and jurisdiction -----------------------------------------------------------


def test_non_eu_provider_is_named_with_country_and_law(lab: Lab) -> None:
    [google] = audit(lab, "fournisseur-google")["mail.provider.jurisdiction"]
    assert google.subject == "Google Workspace" and google.status is Status.FAIL
    assert google.remediation == remediation(google, "etats_unis")
    seen = facts(google, ProviderFacts)
    assert (seen.provider.country, seen.provider.non_eu_law) == ("États-Unis", True)
    assert Sighting(via="spf_include", name="_spf.google.com") in seen.recognised_by
    assert any(r.label.startswith("RGPD art. 44") for r in google.references)
    # The wording is the point: a point to verify, with its article, never a legal finding.
    assert "article 28" in google.summary and "CLOUD Act" not in google.summary


def test_eu_provider_passes(lab: Lab) -> None:
    [ovh] = audit(lab, "fournisseur-ovh")["mail.provider.jurisdiction"]
    assert ovh.status is Status.PASS
    seen = facts(ovh, ProviderFacts).provider
    assert (seen.country, seen.non_eu_law) == ("France", False)


def test_sending_provider_found_through_spf_only(lab: Lab) -> None:
    [microsoft] = audit(lab, "fournisseur-spf")["mail.provider.jurisdiction"]
    seen = facts(microsoft, ProviderFacts)
    assert (seen.provider.id, seen.provider.verified) == ("microsoft-365", False)
    assert seen.recognised_by == [Sighting(via="spf_include", name="spf.protection.outlook.com")]


def test_mssante_address_is_reported_as_the_recommended_channel(lab: Lab) -> None:
    found = audit(lab, "conforme", emails=("dr.martin@medecin.mssante.fr", "contact@cabinet.fr"))
    [mssante] = found["mail.provider.mssante"]
    assert mssante.status is Status.PASS
    assert facts(mssante, MssanteFacts).mssante_addresses == ["dr.martin@medecin.mssante.fr"]
    # The wording is the point: MSSanté is put forward as the recommended channel.
    assert "recommandé" in mssante.summary


def test_no_mssante_address_is_an_information_not_a_breach(lab: Lab) -> None:
    [mssante] = audit(lab, "conforme", emails=("contact@cabinet.fr",))["mail.provider.mssante"]
    assert (mssante.status, mssante.severity.value) == (Status.FAIL, "info")
    seen = facts(mssante, MssanteFacts)
    assert (seen.emails, seen.mssante_addresses) == (["contact@cabinet.fr"], [])
    [unknown] = audit(lab, "conforme")["mail.provider.mssante"]
    assert unknown.status is Status.NOT_APPLICABLE


def test_dead_resolver_leaves_every_check_indeterminate(lab: Lab) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    found = audit(lab, "sts-enforce", nameservers=(Nameserver("127.0.0.1", dead),), timeout=0.5)
    statuses = {f.status for findings in found.values() for f in findings}
    assert statuses == {Status.INDETERMINATE}
