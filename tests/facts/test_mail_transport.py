"""MX, STARTTLS and TLS of the MX servers judged from constructed facts (no network).

Each `judge_*` of checks/mail_transport.py is a pure function of its facts: every outcome is
built here field by field. The gathering side is tested with a context that hands out
constructed probes, so that the conversion of what the network layer saw is checked too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, cast

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from rgpd_audit.checks.mail_transport import (
    CertificateFacts,
    ChainFacts,
    CiphersFacts,
    HandshakeAttempt,
    KeyFacts,
    MxFacts,
    MxHost,
    ProbeError,
    SmtpFacts,
    TlsFailure,
    UnreachableFacts,
    VersionsFacts,
    chain_problems,
    gather_chain,
    gather_ciphers,
    gather_versions,
    judge_mx,
    judge_starttls,
    judge_tls_certificate,
    judge_tls_chain,
    judge_tls_ciphers,
    judge_tls_key,
    judge_tls_versions,
    judge_unreachable,
    observe_smtp,
    starttls_offered,
    tls_certificate,
)
from rgpd_audit.common_facts import NotContacted, OverLimit
from rgpd_audit.context import MailExchanger, MxSet
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, ErrorInfo, Severity, Status
from rgpd_audit.net.certificates import describe, judge_chain
from rgpd_audit.net.smtp import SmtpProbe, TlsSession
from rgpd_audit.net.smtp import TlsFailure as ProbeTlsFailure
from rgpd_audit.net.tls_versions import Attempt, TlsAssessment
from rgpd_audit.plugin import Context, ObservedCertificate, VerifyError
from tests.facts.conftest import GivenContext

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
HOST = "mx.cabinet.fr"


def evidence(result: CheckResult) -> dict[str, object]:
    return {e.label: e.value for e in result.evidence}


def problems(result: CheckResult) -> list[str]:
    """The « Problèmes » listed in the evidence."""
    listed = evidence(result)["Problèmes"]
    assert isinstance(listed, list) and all(isinstance(p, str) for p in listed)
    return [str(p) for p in listed]


def server(**fields: Any) -> SmtpFacts:
    """A server that answered, offered STARTTLS and completed a TLS 1.3 handshake."""
    base: dict[str, Any] = {
        "host": HOST,
        "address": "192.0.2.10",
        "port": 25,
        "banner": "220 mx.cabinet.fr ESMTP",
        "starttls_offered": True,
        "tls_established": True,
        "tls_version": "TLSv1.3",
        "cipher": "TLS_AES_256_GCM_SHA384",
    }
    return SmtpFacts.model_validate({**base, **fields})


def no_tls(**fields: Any) -> SmtpFacts:
    return server(tls_established=False, tls_version=None, cipher=None, **fields)


def certificate(**fields: Any) -> ObservedCertificate:
    base: dict[str, Any] = {
        "subject": f"CN={HOST}",
        "common_name": HOST,
        "issuer": "CN=Autorite intermediaire",
        "names": [HOST],
        "not_before": NOW - dt.timedelta(days=10),
        "not_after": NOW + dt.timedelta(days=200),
        "serial": "1a2b",
        "sha256": "ab" * 32,
        "key": "RSA 2048 bits",
        "key_bits": 2048,
        "signature_algorithm": "SHA256",
        "self_signed": False,
    }
    return ObservedCertificate.model_validate({**base, **fields})


INTERMEDIATE = certificate(
    subject="CN=Autorite intermediaire",
    common_name="Autorite intermediaire",
    issuer="CN=Racine",
    names=[],
)


# --- mail.mx.present -------------------------------------------------------------------


def mx(*hosts: MxHost, **fields: Any) -> MxFacts:
    return MxFacts.model_validate(
        {"domain": "cabinet.fr", "exists": True, "exchangers": list(hosts), **fields}
    )


def test_nxdomain_fails() -> None:
    [result] = judge_mx(MxFacts(domain="cabinet.fr", exists=False))
    assert result.status is Status.FAIL and result.severity is None
    assert isinstance(result.facts, MxFacts) and not result.facts.exists


def test_null_mx_passes_and_shows_it() -> None:
    [result] = judge_mx(mx(null_mx=True))
    assert result.status is Status.PASS
    assert evidence(result) == {"MX": "0 ."}


def test_no_mx_is_a_low_severity_failure_with_its_own_remediation() -> None:
    [result] = judge_mx(mx())
    assert (result.status, result.severity) == (Status.FAIL, Severity.LOW)
    assert result.remediation_key == "no_mx"


def test_every_host_with_an_address_passes() -> None:
    hosts = [
        MxHost(preference=10, host="mx1.cabinet.fr", addresses=["192.0.2.1", "2001:db8::1"]),
        MxHost(preference=20, host="mx2.cabinet.fr", addresses=["192.0.2.2"]),
    ]
    [result] = judge_mx(mx(*hosts))
    assert result.status is Status.PASS and result.remediation_key is None
    assert evidence(result)["MX 10 mx1.cabinet.fr"] == ["192.0.2.1", "2001:db8::1"]
    assert result.facts == mx(*hosts)


def test_host_without_address_fails() -> None:
    [result] = judge_mx(mx(MxHost(preference=10, host=HOST)))
    assert result.status is Status.FAIL and result.remediation_key is None
    assert evidence(result)[f"MX 10 {HOST}"] == "aucune adresse"


def test_non_routable_address_fails_with_its_remediation() -> None:
    host = MxHost(preference=10, host=HOST, non_routable=["10.0.0.1"], over_limit=["192.0.2.9"])
    [result] = judge_mx(mx(host))
    assert result.status is Status.FAIL and result.remediation_key == "non_routable"
    assert evidence(result)[f"MX 10 {HOST}"] == [
        "10.0.0.1 (non routable, non contactée)",
        "192.0.2.9 (non testée : limite)",
    ]


def test_address_lookup_failure_is_indeterminate() -> None:
    host = MxHost(preference=10, host=HOST, lookup_errors=["délai dépassé (A)"])
    [result] = judge_mx(mx(host))
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "dns"
    assert evidence(result)[f"Résolution de {HOST}"] == ["délai dépassé (A)"]


def test_lookup_failure_of_a_backup_does_not_hide_a_missing_address() -> None:
    hosts = [
        MxHost(preference=10, host="mx1.cabinet.fr"),
        MxHost(preference=20, host="mx2.cabinet.fr", lookup_errors=["délai dépassé"]),
    ]
    [result] = judge_mx(mx(*hosts))
    assert result.status is Status.FAIL


def test_hosts_beyond_the_cap_are_a_limit_result() -> None:
    host = MxHost(preference=10, host=HOST, addresses=["192.0.2.1"])
    verdict, limit = judge_mx(mx(host, over_limit=["mx11.cabinet.fr", "mx12.cabinet.fr"]))
    assert verdict.status is Status.PASS
    assert limit.status is Status.INDETERMINATE
    assert limit.error is not None and limit.error.reason == "limit"
    assert isinstance(limit.facts, OverLimit)
    assert limit.facts.untested == ["mx11.cabinet.fr", "mx12.cabinet.fr"]


# --- mail.starttls.offered -------------------------------------------------------------


def test_unreachable_everywhere_blames_the_auditors_network() -> None:
    servers = [no_tls(unreachable=True, address=a, banner=None) for a in ("192.0.2.1", "2.2.2.2")]
    result = judge_unreachable(UnreachableFacts(servers=servers))
    assert result.status is Status.INDETERMINATE and result.subject is None
    assert result.error is not None and result.error.reason == "blocked"
    assert evidence(result)["Adresses testées"] == [f"{HOST} (192.0.2.1)", f"{HOST} (2.2.2.2)"]


def test_starttls_with_a_session_passes_and_keeps_its_facts() -> None:
    facts = server()
    result = judge_starttls(facts)
    assert result.status is Status.PASS and result.subject == f"{HOST} (192.0.2.10)"
    assert result.facts == facts
    assert evidence(result) == {
        "Serveur": "192.0.2.10 port 25",
        "Bannière SMTP": "220 mx.cabinet.fr ESMTP",
        "Version TLS": "TLSv1.3",
        "Suite de chiffrement": "TLS_AES_256_GCM_SHA384",
    }


def test_starttls_only_in_an_obsolete_version_still_passes_and_says_so() -> None:
    result = judge_starttls(server(tls_version="TLSv1", cipher="AES256-SHA"))
    assert result.status is Status.PASS
    # The wording is the point: the version is named as obsolete, not hidden.
    assert "seulement en TLSv1," in result.summary


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"starttls_offered": False}, Status.FAIL),
        ({"starttls_offered": False, "esmtp": False}, Status.FAIL),
        ({"tls_failure": TlsFailure(message="alerte TLS", temporary=False)}, Status.FAIL),
        (
            {"tls_failure": TlsFailure(message="454 plus tard", temporary=True)},
            Status.INDETERMINATE,
        ),
    ],
)
def test_starttls_missing_or_broken(fields: dict[str, Any], status: Status) -> None:
    result = judge_starttls(no_tls(**fields))
    assert result.status is status
    assert "Version TLS" not in evidence(result)


def test_temporary_tls_failure_keeps_its_reason() -> None:
    failure = TlsFailure(message="délai de négociation", temporary=True, reason="timeout")
    result = judge_starttls(no_tls(tls_failure=failure))
    assert result.error is not None
    assert (result.error.reason, result.error.message) == ("timeout", "délai de négociation")


def test_server_that_did_not_reach_ehlo_is_not_testable() -> None:
    error = ProbeError(reason="smtp", message="421 trop de connexions")
    result = judge_starttls(no_tls(starttls_offered=False, error=error))
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.message == "421 trop de connexions"


def test_ipv6_address_without_ipv6_on_the_auditors_side_is_not_applicable() -> None:
    error = ProbeError(reason="connection", message="réseau injoignable")
    facts = no_tls(starttls_offered=False, error=error, no_route=True, address="2001:db8::1")
    assert judge_starttls(facts).status is Status.NOT_APPLICABLE


# --- mail.tls.certificate --------------------------------------------------------------


def cert_facts(**fields: Any) -> CertificateFacts:
    base: dict[str, Any] = {"server": server(), "certificate": certificate(), "checked_at": NOW}
    return CertificateFacts.model_validate({**base, **fields})


def test_valid_certificate_passes_with_the_days_left() -> None:
    result = judge_tls_certificate(cert_facts())
    assert result.status is Status.PASS and result.severity is None
    assert evidence(result)["Jours restants"] == 200
    assert evidence(result)["Émetteur"] == "CN=Autorite intermediaire"


@pytest.mark.parametrize(("days", "severity"), [(45, Severity.LOW), (10, Severity.MEDIUM)])
def test_certificate_expiring_soon_is_a_lighter_failure(days: int, severity: Severity) -> None:
    facts = cert_facts(certificate=certificate(not_after=NOW + dt.timedelta(days=days)))
    result = judge_tls_certificate(facts)
    assert (result.status, result.severity) == (Status.FAIL, severity)
    assert result.remediation_key == "expiring_soon"
    assert evidence(result)["Jours restants"] == days


def test_expired_certificate_fails_at_the_checks_severity() -> None:
    facts = cert_facts(
        certificate=certificate(not_after=NOW - dt.timedelta(days=1)),
        verify_error=VerifyError(code=10, message="certificate has expired"),
    )
    result = judge_tls_certificate(facts)
    assert (result.status, result.severity, result.remediation_key) == (Status.FAIL, None, None)
    assert len(problems(result)) == 1


def test_expired_and_self_signed_are_two_problems() -> None:
    facts = cert_facts(
        certificate=certificate(
            not_after=NOW - dt.timedelta(days=1), self_signed=True, issuer=f"CN={HOST}"
        ),
        verify_error=VerifyError(code=18, message="self-signed certificate"),
    )
    result = judge_tls_certificate(facts)
    assert result.status is Status.FAIL
    assert len(problems(result)) == 2


def test_certificate_for_another_name_fails() -> None:
    facts = cert_facts(certificate=certificate(names=["autre.example.net"]))
    result = judge_tls_certificate(facts)
    assert result.status is Status.FAIL
    # The wording is the point: the name asked and the names covered are both given.
    assert f"ne nomme pas {HOST}" in result.summary and "autre.example.net" in result.summary


def test_unknown_authority_fails() -> None:
    facts = cert_facts(verify_error=VerifyError(code=20, message="unable to get local issuer"))
    assert judge_tls_certificate(facts).status is Status.FAIL


def test_wildcard_certificate_names_the_host() -> None:
    facts = cert_facts(certificate=certificate(names=["*.cabinet.fr"]))
    assert judge_tls_certificate(facts).status is Status.PASS


def test_no_certificate_without_starttls() -> None:
    facts = cert_facts(server=no_tls(starttls_offered=False), certificate=None)
    result = judge_tls_certificate(facts)
    assert result.status is Status.NOT_APPLICABLE and result.facts == facts


def test_failed_handshake_leaves_the_certificate_unread() -> None:
    failure = TlsFailure(message="poignée de main refusée", temporary=False, reason="tls")
    result = judge_tls_certificate(cert_facts(server=no_tls(tls_failure=failure), certificate=None))
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "tls"
    assert result.error.message == "poignée de main refusée"


def test_unreadable_certificate_without_a_tls_failure() -> None:
    result = judge_tls_certificate(cert_facts(certificate=None))
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "tls"


# --- mail.tls.versions -----------------------------------------------------------------


def test_old_versions_refused_passes() -> None:
    facts = VersionsFacts(server=server(), legacy=HandshakeAttempt(accepted=False))
    result = judge_tls_versions(facts)
    assert result.status is Status.PASS
    assert evidence(result)["TLS 1.1 et antérieures"] == "refusées"


def test_tls_1_2_without_1_3_passes() -> None:
    facts = VersionsFacts(
        server=server(tls_version="TLSv1.2", cipher="ECDHE-RSA-AES128-GCM-SHA256"),
        legacy=HandshakeAttempt(accepted=False),
    )
    assert judge_tls_versions(facts).status is Status.PASS


def test_old_version_accepted_fails_naming_it() -> None:
    legacy = HandshakeAttempt(accepted=True, version="TLSv1.1", cipher="AES128-SHA")
    result = judge_tls_versions(VersionsFacts(server=server(), legacy=legacy))
    assert result.status is Status.FAIL
    assert evidence(result)["Version obsolète acceptée"] == "TLSv1.1"


def test_old_version_attempt_that_said_nothing_is_indeterminate() -> None:
    error = ProbeError(reason="smtp", message="421 occupé")
    legacy = HandshakeAttempt(accepted=False, error=error)
    result = judge_tls_versions(VersionsFacts(server=server(), legacy=legacy))
    assert result.status is Status.INDETERMINATE
    assert result.error == ErrorInfo(reason="smtp", message="421 occupé")


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        (VersionsFacts(server=no_tls(starttls_offered=False)), Status.NOT_APPLICABLE),
        (VersionsFacts(server=no_tls()), Status.INDETERMINATE),
        (
            VersionsFacts(
                server=no_tls(error=ProbeError(reason="timeout", message="délai dépassé"))
            ),
            Status.INDETERMINATE,
        ),
        # A session whose extra handshakes were not made: nothing to say about old versions.
        (VersionsFacts(server=server()), Status.INDETERMINATE),
    ],
)
def test_versions_without_a_session(facts: VersionsFacts, status: Status) -> None:
    assert judge_tls_versions(facts).status is status


# --- mail.tls.ciphers ------------------------------------------------------------------

OFFERED = ["ADH-AES256-GCM-SHA384", "AECDH-AES128-SHA", "NULL-SHA256", "DES-CBC3-SHA"]


def test_no_weak_suite_accepted_passes_and_lists_the_families_tried() -> None:
    facts = CiphersFacts(
        server=server(), weak=HandshakeAttempt(accepted=False), weak_offered=OFFERED
    )
    result = judge_tls_ciphers(facts)
    assert result.status is Status.PASS
    assert evidence(result)["Familles de suites faibles testées"] == [
        "NULL",
        "anonymes",
        "DES/3DES",
    ]
    assert result.facts == facts


def test_weak_suite_accepted_fails_naming_it() -> None:
    weak = HandshakeAttempt(accepted=True, version="TLSv1.2", cipher="ADH-AES256-GCM-SHA384")
    result = judge_tls_ciphers(CiphersFacts(server=server(), weak=weak, weak_offered=OFFERED))
    assert result.status is Status.FAIL
    assert evidence(result)["Suite faible acceptée"] == "ADH-AES256-GCM-SHA384"


def test_weak_suite_attempt_that_said_nothing_is_indeterminate() -> None:
    weak = HandshakeAttempt(accepted=False, error=ProbeError(reason="tls", message="local"))
    result = judge_tls_ciphers(CiphersFacts(server=server(), weak=weak))
    assert result.status is Status.INDETERMINATE
    assert result.error is not None and result.error.reason == "tls"


def test_cbc_suite_preferred_is_noted_not_failed() -> None:
    facts = CiphersFacts(
        server=server(tls_version="TLSv1", cipher="ECDHE-RSA-AES256-SHA"),
        weak=HandshakeAttempt(accepted=False),
        weak_offered=OFFERED,
    )
    result = judge_tls_ciphers(facts)
    assert result.status is Status.PASS
    assert "CBC" in result.summary  # the note is the point of this outcome


def test_ciphers_not_applicable_without_starttls() -> None:
    facts = CiphersFacts(server=no_tls(starttls_offered=False))
    assert judge_tls_ciphers(facts).status is Status.NOT_APPLICABLE


def test_ciphers_without_their_extra_handshake_are_indeterminate() -> None:
    assert judge_tls_ciphers(CiphersFacts(server=server())).status is Status.INDETERMINATE


# --- mail.tls.certificate_key ----------------------------------------------------------


def test_strong_key_passes() -> None:
    leaf = certificate()
    result = judge_tls_key(KeyFacts(server=server(), certificate=leaf, chain=[leaf, INTERMEDIATE]))
    assert result.status is Status.PASS
    assert evidence(result)["Clé"] == "RSA 2048 bits"
    assert evidence(result)["Signature"] == "SHA256"


def test_short_key_of_the_leaf_fails() -> None:
    leaf = certificate(key="RSA 1024 bits", key_bits=1024)
    result = judge_tls_key(KeyFacts(server=server(), certificate=leaf, chain=[leaf]))
    assert result.status is Status.FAIL
    [problem] = problems(result)
    assert problem.startswith("certificat du serveur : ")


def test_sha1_intermediate_fails_but_a_sha1_root_sent_along_does_not() -> None:
    leaf = certificate()
    weak = INTERMEDIATE.model_copy(update={"signature_algorithm": "SHA1"})
    root = certificate(
        subject="CN=Racine", issuer="CN=Racine", self_signed=True, signature_algorithm="SHA1"
    )
    failing = judge_tls_key(KeyFacts(server=server(), certificate=leaf, chain=[leaf, weak]))
    assert failing.status is Status.FAIL
    [problem] = problems(failing)
    assert problem.startswith("certificat intermédiaire CN=Autorite intermediaire : ")
    chain = [leaf, INTERMEDIATE, root]
    fine = judge_tls_key(KeyFacts(server=server(), certificate=leaf, chain=chain))
    assert fine.status is Status.PASS


def test_key_without_certificate_is_indeterminate() -> None:
    result = judge_tls_key(KeyFacts(server=server()))
    assert result.status is Status.INDETERMINATE
    assert result.error == ErrorInfo(reason="tls", message="aucun certificat reçu")


# --- mail.tls.chain --------------------------------------------------------------------


def chain_facts(*chain: ObservedCertificate, verify_error: VerifyError | None = None) -> ChainFacts:
    return ChainFacts(
        server=server(), certificate=chain[0], chain=list(chain), verify_error=verify_error
    )


def test_complete_chain_passes() -> None:
    result = judge_tls_chain(chain_facts(certificate(), INTERMEDIATE))
    assert result.status is Status.PASS
    assert evidence(result)["Certificats envoyés"] == [f"CN={HOST}", "CN=Autorite intermediaire"]


def test_missing_intermediate_fails() -> None:
    missing = VerifyError(code=20, message="unable to get local issuer certificate")
    result = judge_tls_chain(chain_facts(certificate(), verify_error=missing))
    assert result.status is Status.FAIL
    assert len(problems(result)) == 1


def test_certificates_out_of_order_fail() -> None:
    result = judge_tls_chain(chain_facts(certificate(), certificate(subject="CN=Autre")))
    assert result.status is Status.FAIL


def test_chain_that_links_up_passes_whatever_else_is_wrong() -> None:
    expired = VerifyError(code=10, message="certificate has expired")
    result = judge_tls_chain(chain_facts(certificate(), INTERMEDIATE, verify_error=expired))
    assert result.status is Status.PASS


def test_self_signed_certificate_has_no_chain() -> None:
    leaf = certificate(issuer=f"CN={HOST}", self_signed=True)
    untrusted = VerifyError(code=18, message="self-signed certificate")
    assert judge_tls_chain(chain_facts(leaf, verify_error=untrusted)).status is (
        Status.NOT_APPLICABLE
    )


def test_chain_without_certificate_is_indeterminate() -> None:
    result = judge_tls_chain(ChainFacts(server=server()))
    assert result.status is Status.INDETERMINATE


def _rsa_cert(
    subject: str, issuer: str, key: rsa.RSAPrivateKey, signer: rsa.RSAPrivateKey
) -> bytes:
    def name(value: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, value)])

    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(subject))
        .issuer_name(name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=90))
        .sign(signer, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(
    ("order", "verify_error"),
    [
        ((0, 1), None),
        ((0,), (20, "unable to get local issuer certificate")),
        ((0, 1), (2, "unable to get issuer certificate")),
        ((1, 0), None),
        ((0, 1), (10, "certificate has expired")),
    ],
)
def test_chain_problems_read_the_facts_as_judge_chain_reads_the_der(
    order: tuple[int, ...], verify_error: tuple[int, str] | None, rsa_key: rsa.RSAPrivateKey
) -> None:
    # The chain check judges the certificates' facts; the network layer's judge_chain reads
    # the DER. Both go through chain_problems and must say the same of the same chain.
    key = rsa_key
    sent = (
        _rsa_cert(HOST, "Autorite intermediaire", key, key),
        _rsa_cert("Autorite intermediaire", "Racine", key, key),
    )
    der = tuple(sent[i] for i in order)
    described = [ObservedCertificate.of(describe(d)) for d in der]
    code = verify_error[0] if verify_error else None
    assert chain_problems(described, code) == judge_chain(der, verify_error).problems


# --- Gathering, through a context of constructed probes --------------------------------


class FakeContext(GivenContext):
    """The part of `Context` the mail transport checks use, with probes given in advance."""

    def __init__(
        self,
        mx: MxSet,
        probes: Sequence[SmtpProbe] = (),
        assessments: dict[str, TlsAssessment] | None = None,
    ) -> None:
        super().__init__("cabinet.fr")
        self._mx = mx
        self._probes = {p.address: p for p in probes}
        self._assessments = assessments or {}

    def mx(self) -> MxSet:
        return self._mx

    def smtp_probe(self, host: str, address: str) -> SmtpProbe:
        return self._probes[address]

    def tls_assessment(self, host: str, address: str) -> TlsAssessment | None:
        return self._assessments.get(address)


def context(mx: MxSet, probes: Sequence[SmtpProbe] = (), **assessments: TlsAssessment) -> Context:
    return cast(Context, FakeContext(mx, probes, assessments))


def one_mx(*addresses: str, **fields: Any) -> MxSet:
    return MxSet(True, False, (MailExchanger(10, HOST, tuple(addresses), **fields),))


@pytest.fixture(scope="module")
def served() -> tuple[bytes, ...]:
    """A chain as a server sends it: leaf, then the intermediate that issued it."""
    root = trustme.CA()
    leaf = root.create_child_ca().issue_cert(HOST)
    return tuple(
        x509.load_pem_x509_certificate(blob.bytes()).public_bytes(serialization.Encoding.DER)
        for blob in leaf.cert_chain_pems
    )


def session(chain: tuple[bytes, ...], version: str = "TLSv1.3") -> TlsSession:
    return TlsSession(version, "TLS_AES_128_GCM_SHA256", describe(chain[0]), None, chain)


def test_probe_facts_keep_what_the_conversation_showed() -> None:
    failure = ProbeTlsFailure("454 TLS indisponible", temporary=True)
    probe = SmtpProbe(HOST, "192.0.2.1", 25, banner="220 ok", starttls_offered=True)
    facts = observe_smtp(replace(probe, tls_failure=failure))
    assert facts.tls_failure == TlsFailure(message="454 TLS indisponible", temporary=True)
    assert not facts.tls_established and facts.tls_version is None
    error = ErrorInfo(reason="timeout", message="délai dépassé")
    dead = observe_smtp(SmtpProbe(HOST, "192.0.2.1", 25, error=error, unreachable=True))
    assert dead.error == ProbeError(reason="timeout", message="délai dépassé")
    assert dead.unreachable and not dead.no_route


def test_chain_facts_describe_every_certificate_sent(served: tuple[bytes, ...]) -> None:
    probe = SmtpProbe(HOST, "192.0.2.1", 25, starttls_offered=True, tls=session(served))
    facts = gather_chain(context(one_mx("192.0.2.1"), [probe]), HOST, "192.0.2.1")
    assert facts.certificate is not None and HOST in facts.certificate.names
    assert [c.subject for c in facts.chain] == [describe(d).subject for d in served]
    assert facts.chain[0].sha256 == facts.certificate.sha256
    assert judge_tls_chain(facts).status is Status.PASS


def test_extra_handshakes_become_attempts(served: tuple[bytes, ...]) -> None:
    probe = SmtpProbe(HOST, "192.0.2.1", 25, starttls_offered=True, tls=session(served))
    old = TlsSession("TLSv1", "AES128-SHA", None, None)
    busy = ErrorInfo(reason="smtp", message="421 occupé")
    assessment = TlsAssessment(Attempt(session=old), Attempt(error=busy), ("ADH-AES128-SHA",))
    ctx = context(one_mx("192.0.2.1"), [probe], **{"192.0.2.1": assessment})
    versions = gather_versions(ctx, HOST, "192.0.2.1")
    assert versions.legacy == HandshakeAttempt(accepted=True, version="TLSv1", cipher="AES128-SHA")
    ciphers = gather_ciphers(ctx, HOST, "192.0.2.1")
    assert ciphers.weak == HandshakeAttempt(
        accepted=False, error=ProbeError(reason="smtp", message="421 occupé")
    )
    assert ciphers.weak_offered == ["ADH-AES128-SHA"]


def test_no_extra_handshake_without_a_session() -> None:
    probe = SmtpProbe(HOST, "192.0.2.1", 25)
    ctx = context(one_mx("192.0.2.1"), [probe])
    assert gather_versions(ctx, HOST, "192.0.2.1").legacy is None
    assert gather_ciphers(ctx, HOST, "192.0.2.1").weak is None


def test_no_mx_means_nothing_to_test() -> None:
    [result] = starttls_offered(context(MxSet(True, True, ())))
    assert result.status is Status.NOT_APPLICABLE and result.facts is None


def test_every_address_unreachable_gives_one_blocked_result() -> None:
    error = ErrorInfo(reason="connection", message="connexion refusée")
    probes = [
        SmtpProbe(HOST, address, 25, error=error, unreachable=True)
        for address in ("192.0.2.1", "192.0.2.2")
    ]
    [result] = tls_certificate(context(one_mx("192.0.2.1", "192.0.2.2"), probes))
    assert result.error is not None and result.error.reason == "blocked"
    assert isinstance(result.facts, UnreachableFacts) and len(result.facts.servers) == 2


def test_addresses_not_contacted_follow_the_verdicts() -> None:
    probe = SmtpProbe(HOST, "192.0.2.1", 25, starttls_offered=False, banner="220 ok")
    mx = one_mx("192.0.2.1", non_routable=("10.0.0.1",), over_limit=("192.0.2.99",))
    verdict, internal, limit = starttls_offered(context(mx, [probe]))
    assert verdict.status is Status.FAIL and isinstance(verdict.facts, SmtpFacts)
    assert internal.status is Status.NOT_APPLICABLE
    assert internal.facts == NotContacted(host=HOST, address="10.0.0.1")
    assert limit.error is not None and limit.error.reason == "limit"


def test_only_non_routable_addresses_give_only_their_results() -> None:
    [internal] = starttls_offered(context(one_mx(non_routable=("127.0.0.1",))))
    assert isinstance(internal.facts, NotContacted)


def test_no_address_at_all_is_a_dns_problem() -> None:
    with pytest.raises(CheckError) as raised:
        starttls_offered(context(one_mx(lookup_errors=("délai dépassé",))))
    assert (raised.value.reason, raised.value.message) == ("dns", "délai dépassé")
