from datetime import UTC, datetime, timedelta

import trustme
from cryptography import x509

from rgpd_audit.net.certificates import describe, judge, matches_host


def _der(pem: bytes) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding

    return x509.load_pem_x509_certificate(pem).public_bytes(Encoding.DER)


def test_wildcard_matches_one_label_only() -> None:
    names = ("*.cabinet.fr",)
    assert matches_host(names, "mx.cabinet.fr")
    assert matches_host(names, "MX.Cabinet.FR.")
    assert not matches_host(names, "a.mx.cabinet.fr")
    assert not matches_host(names, "cabinet.fr")


def test_every_problem_is_listed_not_only_the_first() -> None:
    ca = trustme.CA()
    now = datetime.now(UTC)
    leaf = ca.issue_cert(
        "autre.example.net", not_before=now - timedelta(days=400), not_after=now - timedelta(days=3)
    )
    info = describe(_der(leaf.cert_chain_pems[0].bytes()))
    verdict = judge(info, "mx.cabinet.fr", verify_error=(20, "unable to get local issuer"))
    text = " ".join(verdict.problems)
    assert "expiré" in text
    assert "ne nomme pas mx.cabinet.fr" in text
    assert "autorité émettrice inconnue" in text
    assert verdict.days_left < 0


def test_expired_date_error_from_openssl_is_not_a_trust_problem() -> None:
    ca = trustme.CA()
    now = datetime.now(UTC)
    leaf = ca.issue_cert(
        "mx.cabinet.fr", not_before=now - timedelta(days=10), not_after=now + timedelta(days=90)
    )
    info = describe(_der(leaf.cert_chain_pems[0].bytes()))
    assert not info.self_signed
    assert judge(info, "mx.cabinet.fr", verify_error=None).problems == []
    later = now + timedelta(days=100)
    verdict = judge(info, "mx.cabinet.fr", verify_error=(10, "certificate has expired"), now=later)
    assert verdict.problems == [f"certificat expiré depuis le {info.not_after:%d/%m/%Y}"]


def test_ca_certificate_is_seen_as_self_signed() -> None:
    ca = trustme.CA()
    info = describe(_der(ca.cert_pem.bytes()))
    assert info.self_signed
    assert info.key.startswith("RSA") or info.key.startswith("ECDSA")


def test_self_signed_certificate_trusted_by_the_user_is_not_a_problem() -> None:
    ca = trustme.CA()
    info = describe(_der(ca.cert_pem.bytes()))
    trusted = judge(info, "mx.cabinet.fr", verify_error=None)
    assert not any("autosigné" in problem for problem in trusted.problems)
    untrusted = judge(info, "mx.cabinet.fr", verify_error=(19, "self signed certificate in chain"))
    assert any("autosigné" in problem for problem in untrusted.problems)


def test_expired_intermediate_is_reported_even_when_the_leaf_is_in_date() -> None:
    ca = trustme.CA()
    now = datetime.now(UTC)
    leaf = ca.issue_cert(
        "mx.cabinet.fr", not_before=now - timedelta(days=1), not_after=now + timedelta(days=90)
    )
    info = describe(_der(leaf.cert_chain_pems[0].bytes()))
    verdict = judge(info, "mx.cabinet.fr", verify_error=(10, "certificate has expired"))
    assert verdict.problems == [
        "un certificat intermédiaire de la chaîne est expiré ou pas encore valide"
    ]
