"""Key, signature and chain judgments on certificates built here, and cipher classification."""

import datetime as dt
from dataclasses import replace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from rgpd_audit.net import tls_versions
from rgpd_audit.net.certificates import (
    MAX_CERTIFICATE_NAMES,
    MAX_NAMES_SHOWN,
    describe,
    judge,
    judge_chain,
    key_problems,
)
from rgpd_audit.net.tls_versions import cipher_family, is_aead

NOW = dt.datetime.now(dt.UTC)
Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _cert(
    subject: str,
    key: Key,
    issuer: str | None = None,
    issuer_key: Key | None = None,
    ca: bool = False,
    names: tuple[str, ...] = (),
) -> bytes:
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer or subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=90))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        alternative = x509.SubjectAlternativeName([x509.DNSName(name) for name in names])
        builder = builder.add_extension(alternative, critical=False)
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    return cert.public_bytes(Encoding.DER)


@pytest.fixture(scope="module")
def authority() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key, _cert("Autorite intermediaire", key, "Racine", key, ca=True)


def test_short_rsa_key_is_a_problem_and_2048_is_not(
    authority: tuple[rsa.RSAPrivateKey, bytes],
) -> None:
    ca_key, _ = authority
    short = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    problems = key_problems(describe(_cert("mx.cabinet.fr", short, "Autorite", ca_key)))
    assert problems == ["clé RSA de 1024 bits, en dessous du minimum de 2048 bits"]
    assert key_problems(describe(_cert("mx.cabinet.fr", ca_key, "Autorite", ca_key))) == []


def test_sha1_signature_is_a_problem_except_on_a_self_signed_certificate(
    authority: tuple[rsa.RSAPrivateKey, bytes],
) -> None:
    # This cryptography build refuses to sign with SHA-1: the judgment is made on the
    # description, which is what a SHA-1 certificate read from a server yields.
    ca_key, _ = authority
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    issued = describe(_cert("mx.cabinet.fr", leaf_key, "Autorite", ca_key))
    sha1 = replace(issued, signature_algorithm="SHA1")
    assert key_problems(sha1) == ["signé avec SHA1, algorithme cassé (collisions démontrées)"]
    self_signed = replace(describe(_cert("Racine", ca_key)), signature_algorithm="SHA1")
    assert self_signed.self_signed and key_problems(self_signed) == []


def test_p256_key_is_enough() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    info = describe(_cert("mx.cabinet.fr", key, "Autorite", key))
    assert info.key_bits == 256 and key_problems(info) == []


def test_chain_verified_by_openssl_is_complete(authority: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    ca_key, intermediate = authority
    leaf = _cert(
        "mx.cabinet.fr", ec.generate_private_key(ec.SECP256R1()), "Autorite intermediaire", ca_key
    )
    verdict = judge_chain((leaf, intermediate), verify_error=None)
    assert verdict.problems == []
    assert [c.subject for c in verdict.certificates] == [
        "CN=mx.cabinet.fr",
        "CN=Autorite intermediaire",
    ]


def test_leaf_alone_with_missing_issuer_names_the_missing_authority(
    authority: tuple[rsa.RSAPrivateKey, bytes],
) -> None:
    ca_key, _ = authority
    leaf = _cert(
        "mx.cabinet.fr", ec.generate_private_key(ec.SECP256R1()), "Autorite intermediaire", ca_key
    )
    verdict = judge_chain((leaf,), verify_error=(20, "unable to get local issuer certificate"))
    [problem] = verdict.problems
    assert "CN=Autorite intermediaire" in problem
    assert "seul le certificat du serveur est envoyé" in problem


def test_misordered_chain_is_reported(authority: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    ca_key, intermediate = authority
    other = _cert("Autre autorite", ca_key, "Racine", ca_key, ca=True)
    leaf = _cert(
        "mx.cabinet.fr", ec.generate_private_key(ec.SECP256R1()), "Autorite intermediaire", ca_key
    )
    verdict = judge_chain((leaf, other, intermediate), verify_error=None)
    assert verdict.problems and "désordre" in verdict.problems[0]


def test_expired_leaf_is_not_a_chain_problem(authority: tuple[rsa.RSAPrivateKey, bytes]) -> None:
    ca_key, intermediate = authority
    leaf = _cert(
        "mx.cabinet.fr", ec.generate_private_key(ec.SECP256R1()), "Autorite intermediaire", ca_key
    )
    assert (
        judge_chain((leaf, intermediate), verify_error=(10, "certificate has expired")).problems
        == []
    )


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("AECDH-AES256-SHA", "anonymous"),
        ("ADH-AES128-GCM-SHA256", "anonymous"),
        ("AECDH-NULL-SHA", "anonymous"),
        ("NULL-SHA256", "null"),
        ("ECDHE-RSA-NULL-SHA", "null"),
        ("RC4-SHA", "rc4"),
        ("EXP-DES-CBC-SHA", "export"),
        ("DES-CBC3-SHA", "des"),
        ("ECDHE-ECDSA-AES256-GCM-SHA384", None),
        ("ECDHE-RSA-AES128-SHA", None),
        ("TLS_AES_256_GCM_SHA384", None),
    ],
)
def test_cipher_families(name: str, family: str | None) -> None:
    assert cipher_family(name) == family


def test_tested_families_in_stable_order() -> None:
    assert tls_versions.tested_families(("NULL-SHA", "ADH-AES256-SHA", "ECDHE-RSA-AES128-SHA")) == [
        "NULL",
        "anonymes",
    ]


def test_aead_suites() -> None:
    assert is_aead("TLS_CHACHA20_POLY1305_SHA256")
    assert is_aead("ECDHE-RSA-CHACHA20-POLY1305")
    assert is_aead("ECDHE-ECDSA-AES128-GCM-SHA256")
    assert not is_aead("ECDHE-ECDSA-AES256-SHA")
    assert not is_aead("AES256-SHA256")


def test_certificate_naming_itself_but_signed_by_another_key_is_not_self_signed(
    authority: tuple[rsa.RSAPrivateKey, bytes],
) -> None:
    ca_key, _ = authority
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    info = describe(_cert("mx.cabinet.fr", leaf_key, "mx.cabinet.fr", ca_key))
    assert not info.self_signed


def test_a_certificate_with_thousands_of_names_is_read_and_worded_within_bounds() -> None:
    # The server chooses its certificate: 1 500 names must not all reach the facts, nor a
    # report's sentence.
    key = ec.generate_private_key(ec.SECP256R1())
    names = tuple(f"h{index}.hebergeur.example" for index in range(1500))
    info = describe(_cert("hebergeur.example", key, names=names))
    assert info.names == names[:MAX_CERTIFICATE_NAMES]
    problems = judge(info, "mx.cabinet.fr", None, now=NOW).problems
    assert problems == [
        "le certificat ne nomme pas mx.cabinet.fr (il couvre : "
        + ", ".join(names[:MAX_NAMES_SHOWN])
        + f" et {MAX_CERTIFICATE_NAMES - MAX_NAMES_SHOWN} autres noms)"
    ]
