"""TLSA records: parsing, association data and matching of a real certificate chain."""

import contextlib
import hashlib

import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from hypothesis import given
from hypothesis import strategies as st

from rgpd_audit.records.tlsa import (
    MatchOutcome,
    TlsaRecord,
    TlsaRecordError,
    association_data,
    match_chain,
    match_reason,
    matches,
    parse_tlsa,
)

HOST = "mx.cabinet.fr"


def _der(pem: bytes) -> bytes:
    return x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def chain() -> tuple[bytes, ...]:
    """A leaf issued by an intermediate, as a server sends it (leaf first, then issuer)."""
    root = trustme.CA()
    intermediate = root.create_child_ca()
    leaf = intermediate.issue_cert(HOST)
    return tuple(_der(blob.bytes()) for blob in leaf.cert_chain_pems)


def _record(usage: int, selector: int, mtype: int, der: bytes) -> TlsaRecord:
    return TlsaRecord(usage, selector, mtype, association_data(der, selector, mtype))


def test_parse_presentation_form() -> None:
    digest = "AB" * 32
    record = parse_tlsa(f"3 1 1 {digest[:20]} {digest[20:]}")
    assert (record.usage, record.selector, record.matching_type) == (3, 1, 1)
    assert record.data == bytes.fromhex(digest) and record.dane
    assert record.text == f"3 1 1 {digest}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("3 1 1", "quatre champs"),
        ("4 1 1 " + "00" * 32, "usage 4 inconnu"),
        ("3 2 1 " + "00" * 32, "sélecteur 2 inconnu"),
        ("3 1 3 " + "00" * 32, "type de correspondance 3"),
        ("3 1 1 " + "00" * 31, "31 octets, 32 attendus"),
        ("3 1 2 " + "00" * 32, "64 attendus"),
        ("3 1 1 zz", "hexadécimales"),
        ("x 1 1 00", "usage « x »"),
        ("3 1 0 abc", "hexadécimales"),
    ],
)
def test_unusable_records_say_why(text: str, problem: str) -> None:
    with pytest.raises(TlsaRecordError, match=problem):
        parse_tlsa(text)


def test_pkix_usages_are_not_for_smtp() -> None:
    assert not parse_tlsa("1 1 1 " + "00" * 32).dane
    assert not parse_tlsa("0 0 1 " + "00" * 32).dane


@given(st.text(max_size=200))
def test_random_text_only_raises_the_parsers_error(text: str) -> None:
    with contextlib.suppress(TlsaRecordError):
        parse_tlsa(text)


@given(
    st.integers(0, 300),
    st.integers(0, 300),
    st.integers(0, 300),
    st.binary(max_size=80),
)
def test_random_fields_only_raise_the_parsers_error(
    usage: int, selector: int, mtype: int, data: bytes
) -> None:
    try:
        record = parse_tlsa(f"{usage} {selector} {mtype} {data.hex()}")
    except TlsaRecordError:
        return
    assert record.data == data and record.usage <= 3


@given(st.binary(max_size=300))
def test_garbage_certificate_only_raises_the_parsers_error(der: bytes) -> None:
    with contextlib.suppress(TlsaRecordError):
        association_data(der, 1, 1)


def test_association_data_follows_rfc_6698(chain: tuple[bytes, ...]) -> None:
    leaf = x509.load_der_x509_certificate(chain[0])
    spki = leaf.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert association_data(chain[0], 0, 0) == chain[0]
    assert association_data(chain[0], 0, 1) == hashlib.sha256(chain[0]).digest()
    assert association_data(chain[0], 1, 1) == hashlib.sha256(spki).digest()
    assert association_data(chain[0], 1, 2) == hashlib.sha512(spki).digest()


def test_dane_ee_matches_the_leaf_only(chain: tuple[bytes, ...]) -> None:
    record = _record(3, 1, 1, chain[0])
    assert matches(record, chain[0]) and not matches(record, chain[1])
    verdict = match_chain([record], chain, "nom-quelconque.example")
    # DANE-EE ignores names and dates (RFC 7672 §3.1.1).
    assert verdict.record == record and verdict.outcome is MatchOutcome.END_ENTITY


def test_dane_ta_needs_the_issuer_in_the_chain_and_the_right_name(
    chain: tuple[bytes, ...],
) -> None:
    record = _record(2, 0, 1, chain[1])
    matched = match_chain([record], chain, HOST)
    assert matched.record == record and matched.outcome is MatchOutcome.TRUST_ANCHOR
    wrong_name = match_chain([record], chain, "autre.cabinet.fr")
    assert wrong_name.record is None and wrong_name.outcome is MatchOutcome.NAME_MISMATCH
    # The reason names the host the certificate should have named.
    assert "autre.cabinet.fr" in wrong_name.reason
    leaf_only = match_chain([record], chain[:1], HOST)
    assert leaf_only.record is None and leaf_only.outcome is MatchOutcome.NO_MATCH


def test_dane_ta_rejects_a_leaf_not_issued_by_the_anchor(chain: tuple[bytes, ...]) -> None:
    stranger = _der(trustme.CA().cert_pem.bytes())
    record = _record(2, 1, 1, stranger)
    forged = (chain[0], stranger)
    verdict = match_chain([record], forged, HOST)
    assert verdict.record is None and verdict.outcome is MatchOutcome.NOT_ISSUED_BY_ANCHOR


def test_mismatch_and_ignored_pkix(chain: tuple[bytes, ...]) -> None:
    pkix = _record(1, 1, 1, chain[0])
    wrong = _record(3, 1, 1, chain[1])
    verdict = match_chain([pkix, wrong], chain, HOST)
    assert verdict.record is None and verdict.outcome is MatchOutcome.NO_MATCH
    assert match_chain([wrong], (), HOST).outcome is MatchOutcome.NO_CERTIFICATE


@pytest.mark.parametrize("outcome", list(MatchOutcome))
def test_every_outcome_has_its_words(outcome: MatchOutcome) -> None:
    assert match_reason(outcome, HOST)
