"""DANE (mail.dane.*) judged from constructed facts, and gathered from constructed answers.

No network: the TLSA facts are built field by field, and the gathering side gets its DNSSEC
answers and SMTP probes from a context that hands out prepared ones (the chains are real
certificates, so the matching itself is the real one).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from rgpd_audit.checks.dane import (
    Failure,
    MatchFacts,
    TlsaFacts,
    gather_match,
    gather_published,
    judge_match,
    judge_rollover,
    judge_tlsa,
    tlsa_matches,
    tlsa_rollover,
)
from rgpd_audit.context import MailExchanger, MxSet
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, ErrorInfo, Severity, Status
from rgpd_audit.net.certificates import describe
from rgpd_audit.net.dnssec import Security, Validation
from rgpd_audit.net.smtp import SmtpProbe, TlsSession
from rgpd_audit.plugin import Context
from rgpd_audit.records.tlsa import MatchOutcome, association_data
from tests.facts.conftest import GivenContext

HOST = "mx.cabinet.fr"
OWNER = f"_25._tcp.{HOST}"
DIGEST = "AB" * 32
OTHER = "CD" * 32


def evidence(result: CheckResult) -> dict[str, object]:
    return {e.label: e.value for e in result.evidence}


def tlsa(*records: str, **fields: Any) -> TlsaFacts:
    base: dict[str, Any] = {"host": HOST, "security": Security.SECURE, "records": list(records)}
    return TlsaFacts.model_validate({**base, **fields})


# --- mail.dane.tlsa --------------------------------------------------------------------


def test_secure_usable_records_pass_and_pkix_ones_are_counted_apart() -> None:
    facts = tlsa(f"3 1 1 {DIGEST}", f"1 1 1 {OTHER}")
    result = judge_tlsa(facts)
    assert result.status is Status.PASS and result.subject == HOST
    assert result.facts == facts
    assert evidence(result)["Ignorés (usage PKIX, RFC 7672)"] == [f"1 1 1 {OTHER}"]
    assert evidence(result)["État DNSSEC"] == "validé (sécurisé)"


def test_bogus_answer_is_a_medium_failure_with_its_remediation() -> None:
    result = judge_tlsa(tlsa(security=Security.BOGUS, reason="signature expirée"))
    assert (result.status, result.severity) == (Status.FAIL, Severity.MEDIUM)
    assert result.remediation_key == "bogus"
    assert evidence(result)["Motif"] == "signature expirée"


@pytest.mark.parametrize(
    ("records", "severity"), [((f"3 1 1 {DIGEST}",), Severity.MEDIUM), ((), Severity.LOW)]
)
def test_unsigned_zone_fails_heavier_when_tlsa_are_published_there(
    records: tuple[str, ...], severity: Severity
) -> None:
    result = judge_tlsa(tlsa(*records, security=Security.INSECURE))
    assert (result.status, result.severity) == (Status.FAIL, severity)
    assert result.remediation_key == "unsigned"


def test_proven_absence_is_a_low_failure_with_the_record_to_publish() -> None:
    result = judge_tlsa(tlsa(served_key=DIGEST))
    assert (result.status, result.severity) == (Status.FAIL, Severity.LOW)
    assert evidence(result)["Enregistrement à publier"] == f"{OWNER}. IN TLSA 3 1 1 {DIGEST}"


def test_proven_absence_without_a_served_key_suggests_nothing() -> None:
    result = judge_tlsa(tlsa())
    assert result.status is Status.FAIL
    assert "Enregistrement à publier" not in evidence(result)


def test_only_pkix_or_unreadable_records_fail_at_the_checks_severity() -> None:
    result = judge_tlsa(tlsa(f"0 0 1 {DIGEST}", "3 1 1 zz"))
    assert (result.status, result.severity) == (Status.FAIL, None)
    unreadable = evidence(result)["Illisibles"]
    assert isinstance(unreadable, list) and len(unreadable) == 1
    assert "hexadécimales" in str(unreadable[0])


def test_lookup_failure_is_indeterminate_without_evidence() -> None:
    facts = TlsaFacts(host=HOST, lookup_error=Failure(reason="timeout", message="délai dépassé"))
    for judge in (judge_tlsa, judge_rollover):
        result = judge(facts)
        assert result.status is Status.INDETERMINATE and result.evidence == []
        assert result.error == ErrorInfo(reason="timeout", message="délai dépassé")


# --- mail.dane.match -------------------------------------------------------------------


def match(**fields: Any) -> MatchFacts:
    base: dict[str, Any] = {
        "tlsa": tlsa(f"3 1 1 {DIGEST}"),
        "address": "192.0.2.1",
        "port": 25,
        "tls_established": True,
        "served_key": DIGEST,
    }
    return MatchFacts.model_validate({**base, **fields})


@pytest.mark.parametrize("outcome", [MatchOutcome.END_ENTITY, MatchOutcome.TRUST_ANCHOR])
def test_matching_record_passes(outcome: MatchOutcome) -> None:
    facts = match(outcome=outcome, matched_record=f"3 1 1 {DIGEST}")
    result = judge_match(facts)
    assert result.status is Status.PASS and result.subject == f"{HOST} (192.0.2.1)"
    assert evidence(result)["Clé présentée (3 1 1)"] == DIGEST
    assert result.facts == facts


@pytest.mark.parametrize(
    "outcome",
    [
        MatchOutcome.NO_MATCH,
        MatchOutcome.NAME_MISMATCH,
        MatchOutcome.NOT_ISSUED_BY_ANCHOR,
        MatchOutcome.UNREADABLE_CHAIN,
        MatchOutcome.NO_CERTIFICATE,
    ],
)
def test_no_matching_record_fails(outcome: MatchOutcome) -> None:
    assert judge_match(match(outcome=outcome)).status is Status.FAIL


def test_name_mismatch_names_the_host() -> None:
    result = judge_match(match(outcome=MatchOutcome.NAME_MISMATCH))
    assert f"le certificat ne porte pas le nom {HOST}" in result.summary


def test_server_without_tls_fails() -> None:
    result = judge_match(match(tls_established=False, served_key=None))
    assert result.status is Status.FAIL
    assert evidence(result)["Serveur"] == "192.0.2.1 port 25"


def test_server_not_testable_is_indeterminate() -> None:
    error = Failure(reason="smtp", message="421 occupé")
    result = judge_match(match(tls_established=False, served_key=None, error=error))
    assert result.status is Status.INDETERMINATE
    assert result.error == ErrorInfo(reason="smtp", message="421 occupé")


# --- mail.dane.rollover ----------------------------------------------------------------


@pytest.mark.parametrize(
    "records",
    [
        (f"3 1 1 {DIGEST}", f"3 1 1 {OTHER}"),  # the next key announced beside the current one
        (f"2 0 1 {DIGEST}",),  # the authority, which outlives the server's certificate
    ],
)
def test_rollover_ready(records: tuple[str, ...]) -> None:
    assert judge_rollover(tlsa(*records)).status is Status.PASS


def test_single_record_is_not_ready_for_a_new_key() -> None:
    result = judge_rollover(tlsa(f"3 1 1 {DIGEST}", f"3 1 1 {DIGEST}"))
    assert result.status is Status.FAIL and result.subject == HOST


# --- Gathering, through a context of constructed answers -------------------------------


class FakeValidator:
    """DNSSEC answers given in advance, by name; a missing name is a DNS failure."""

    def __init__(self, answers: dict[str, Validation]) -> None:
        self.answers = answers

    def validate(self, name: str, rdtype: str) -> Validation:
        if name not in self.answers:
            raise CheckError("timeout", "délai dépassé")
        return self.answers[name]


class FakeContext(GivenContext):
    """The part of `Context` the DANE checks use."""

    def __init__(
        self, mx: MxSet, answers: dict[str, Validation], probes: Sequence[SmtpProbe]
    ) -> None:
        super().__init__("cabinet.fr")
        self._mx = mx
        self._validator = FakeValidator(answers)
        self._probes = {p.address: p for p in probes}
        self.probed: list[str] = []

    def mx(self) -> MxSet:
        return self._mx

    def dnssec(self) -> FakeValidator:
        return self._validator

    def smtp_probe(self, host: str, address: str) -> SmtpProbe:
        self.probed.append(address)
        return self._probes[address]


def answer(*records: str, security: Security = Security.SECURE) -> Validation:
    return Validation(OWNER, "TLSA", security, True, records, "", "cabinet.fr.", ())


@pytest.fixture(scope="module")
def served() -> tuple[bytes, ...]:
    """A chain as a server sends it: leaf, then the intermediate that issued it."""
    root = trustme.CA()
    leaf = root.create_child_ca().issue_cert(HOST)
    return tuple(
        x509.load_pem_x509_certificate(blob.bytes()).public_bytes(serialization.Encoding.DER)
        for blob in leaf.cert_chain_pems
    )


def probe(chain: tuple[bytes, ...], address: str = "192.0.2.1") -> SmtpProbe:
    tls = TlsSession("TLSv1.3", "TLS_AES_128_GCM_SHA256", describe(chain[0]), None, chain)
    return SmtpProbe(HOST, address, 25, starttls_offered=True, tls=tls)


def exchanger(*addresses: str) -> MailExchanger:
    return MailExchanger(10, HOST, addresses)


def test_served_key_is_looked_up_only_when_a_record_must_be_suggested(
    served: tuple[bytes, ...],
) -> None:
    key = association_data(served[0], 1, 1).hex().upper()
    fake = FakeContext(MxSet(True, False, ()), {OWNER: answer()}, [probe(served)])
    facts = gather_published(cast(Context, fake), exchanger("192.0.2.1"))
    assert facts.served_key == key and fake.probed == ["192.0.2.1"]
    secured = FakeContext(MxSet(True, False, ()), {OWNER: answer(f"3 1 1 {key}")}, [])
    facts = gather_published(cast(Context, secured), exchanger("192.0.2.1"))
    assert facts.served_key is None and secured.probed == []


@pytest.mark.parametrize(
    ("record", "outcome"),
    [
        (lambda chain: f"3 1 1 {association_data(chain[0], 1, 1).hex()}", MatchOutcome.END_ENTITY),
        (
            lambda chain: f"2 0 1 {association_data(chain[1], 0, 1).hex()}",
            MatchOutcome.TRUST_ANCHOR,
        ),
        (lambda chain: f"3 1 1 {DIGEST}", MatchOutcome.NO_MATCH),
    ],
)
def test_match_facts_say_how_the_chain_stands(
    served: tuple[bytes, ...], record: Callable[[tuple[bytes, ...]], str], outcome: MatchOutcome
) -> None:
    fake = FakeContext(MxSet(True, False, ()), {}, [probe(served)])
    facts = gather_match(cast(Context, fake), tlsa(record(served)), "192.0.2.1")
    assert facts.outcome is outcome and facts.tls_established
    assert facts.served_key == association_data(served[0], 1, 1).hex().upper()
    assert (facts.matched_record is not None) == (outcome is not MatchOutcome.NO_MATCH)


def test_match_facts_of_a_server_without_tls() -> None:
    fake = FakeContext(MxSet(True, False, ()), {}, [SmtpProbe(HOST, "192.0.2.1", 25)])
    facts = gather_match(cast(Context, fake), tlsa(f"3 1 1 {DIGEST}"), "192.0.2.1")
    assert not facts.tls_established and facts.outcome is None and facts.error is None


def test_match_and_rollover_skip_hosts_without_secure_dane(served: tuple[bytes, ...]) -> None:
    mx = MxSet(True, False, (exchanger("192.0.2.1"),))
    unsigned = {OWNER: answer(f"3 1 1 {DIGEST}", security=Security.INSECURE)}
    for check in (tlsa_matches, tlsa_rollover):
        [result] = check(cast(Context, FakeContext(mx, unsigned, [probe(served)])))
        assert result.status is Status.NOT_APPLICABLE and result.facts is None


def test_lookup_failures_come_before_the_matches(served: tuple[bytes, ...]) -> None:
    key = association_data(served[0], 1, 1).hex()
    mx = MxSet(True, False, (MailExchanger(5, "mx0.cabinet.fr", ()), exchanger("192.0.2.1")))
    fake = FakeContext(mx, {OWNER: answer(f"3 1 1 {key}")}, [probe(served)])
    failure, verdict = tlsa_matches(cast(Context, fake))
    assert failure.status is Status.INDETERMINATE and failure.subject == "mx0.cabinet.fr"
    assert verdict.status is Status.PASS and isinstance(verdict.facts, MatchFacts)
