"""DKIM key records: parsing and key analysis, on strings only."""

import base64
import contextlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from rgpd_audit.records.dkim import DkimRecordError, parse_dkim_key, parse_tag_list

# Public halves of keys generated once for the lab zones (private halves never kept).
RSA_2048 = (
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAt7t2+yD2H7Rh+C9Jo6YB1c+6EekxEUdfc+suB7rp"
    "UtwDIifiiTI0G57cRtiGT8P/YaRn3GwjxS47noYKD/DOIQC3hZJ7JGfA7QYmYCbhBBz/sgVHlqVfy/9CDO+X"
    "CxPlP4PPAfwgpcChwwkoHqKvRO3BMDqHgpSf2aU6s6/rgEFu+3vocaI+H01QzZBS9uFNFgK0BSG4RR1RHk+h"
    "u1o6QUPQDNeolcCjCxq6NKh8AJa88DRV+6AvtIi2K31FdxRYMjqOeLu3MPv+ahzLsVG5uewyk9sJ6ESKS6Ra"
    "oHCTWBDbnC55YlaTsmFzYkf+7b4MqztXTTAHQquJKAkjaL28twIDAQAB"
)
RSA_1024 = (
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCtzuGXtLrp+yq+lMrUYg0Se5ofM8QwSyLmEtotakeMYkcu"
    "NTJ4PIRFqwwuwAGgieuSfogq7DdDUTqrPLkRd6cKSqWktoIKuXgR3cnfpFOXImmYZZv41Gj0tczArV+DVV/7"
    "ZoMMYGqrmHoeznrceUv+siAoUezoV7tzfjM9KPwf0QIDAQAB"
)
ED25519 = "EeeFarXOFlm6b2eR4zeWTfn2x1r5ksaCZZrNXvdCpVs="


def _pkcs1(key_spki: str) -> str:
    key = serialization.load_der_public_key(base64.b64decode(key_spki))
    assert isinstance(key, rsa.RSAPublicKey)
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return base64.b64encode(der).decode()


def test_rsa_key_size_is_read_from_the_key_itself() -> None:
    key = parse_dkim_key(f"v=DKIM1; k=rsa; p={RSA_2048}")
    assert (key.key_type, key.rsa_bits, key.revoked, key.testing) == ("rsa", 2048, False, False)
    assert parse_dkim_key(f"p={RSA_1024}").rsa_bits == 1024


def test_bare_pkcs1_rsa_key_is_accepted() -> None:
    assert parse_dkim_key(f"v=DKIM1; p={_pkcs1(RSA_1024)}").rsa_bits == 1024


def test_key_split_by_whitespace_is_joined() -> None:
    spaced = " ".join(RSA_2048[i : i + 60] for i in range(0, len(RSA_2048), 60))
    assert parse_dkim_key(f"v=DKIM1; k=rsa;\tp= {spaced} ").rsa_bits == 2048


def test_ed25519_key() -> None:
    key = parse_dkim_key(f"v=DKIM1; k=ed25519; p={ED25519}")
    assert key.key_type == "ed25519" and key.rsa_bits is None


def test_empty_p_is_a_revoked_key() -> None:
    key = parse_dkim_key("v=DKIM1; k=rsa; p=")
    assert key.revoked and key.rsa_bits is None


def test_flags_hashes_and_services() -> None:
    key = parse_dkim_key(
        f"v=DKIM1; h=sha256 : SHA1; s=email; t=y:s; n=note; p={ED25519}; k=ed25519"
    )
    assert key.testing and key.strict_subdomains
    assert key.hash_algorithms == ("sha256", "sha1")
    assert key.services == ("email",)


def test_unknown_key_type_is_parsed_for_the_check_to_judge() -> None:
    assert parse_dkim_key("k=dsa; p=AAAA").key_type == "dsa"


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ("v=DKIM1; k=rsa", r"p= \(clé publique\) absente"),
        (f"k=rsa; v=DKIM1; p={RSA_1024}", "v= doit valoir DKIM1"),
        (f"v=DKIM2; p={RSA_1024}", "v= doit valoir DKIM1"),
        (f"v=DKIM1; p={RSA_1024}; p=", "deux fois"),
        ("v=DKIM1; p=pas une clé!", "hors base64"),
        ("v=DKIM1; p=AAAAA", "base64 mal formé"),
        ("v=DKIM1; p=Y2VjaSBuJ2VzdCBwYXMgdW5lIGNsZQ==", "illisible"),
        ("v=DKIM1; k=ed25519; p=AAAA", "octets au lieu de 32"),
        (f"v=DKIM1; k=rsa; p={ED25519}", "illisible"),
        ("v=DKIM1; sans égal", "balise=valeur"),
    ],
)
def test_records_receivers_reject(record: str, reason: str) -> None:
    with pytest.raises(DkimRecordError, match=reason):
        parse_dkim_key(record)


def test_tag_list_ignores_empty_parts_and_trims() -> None:
    assert parse_tag_list(" a = 1 ;; b=2; ") == {"a": "1", "b": "2"}


@given(st.text(max_size=300))
def test_parser_raises_only_its_own_error_on_any_text(text: str) -> None:
    with contextlib.suppress(DkimRecordError):
        parse_dkim_key(text)


@given(st.binary(max_size=600), st.sampled_from(["rsa", "ed25519", "x"]))
def test_parser_raises_only_its_own_error_on_any_key_bytes(raw: bytes, key_type: str) -> None:
    with contextlib.suppress(DkimRecordError):
        parse_dkim_key(f"v=DKIM1; k={key_type}; p={base64.b64encode(raw).decode()}")
