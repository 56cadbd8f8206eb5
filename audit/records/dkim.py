"""DKIM key records (RFC 6376 §3.6.1, RFC 8301, RFC 8463), parsed without any network."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from functools import partial

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key, load_pem_public_key

_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")
_ED25519_KEY_BYTES = 32


class DkimRecordError(ValueError):
    """A DKIM key record that receivers cannot use; the message says why, in French."""


@dataclass(frozen=True)
class DkimKey:
    """What a receiver learns from a `<selector>._domainkey.<domain>` TXT record.

    `rsa_bits` is the modulus size of an RSA key; `revoked` is an empty `p=` (the key was
    withdrawn, §3.6.1). `hash_algorithms` is empty when `h=` is absent (all allowed).
    """

    key_type: str
    revoked: bool
    rsa_bits: int | None
    testing: bool
    strict_subdomains: bool
    hash_algorithms: tuple[str, ...]
    services: tuple[str, ...]


def parse_tag_list(text: str) -> dict[str, str]:
    """Split a DKIM tag-list (`a=b; c=d`) into tags, refusing duplicates (RFC 6376 §3.2)."""
    tags: dict[str, str] = {}
    for part in text.split(";"):
        if not part.strip():
            continue
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or not _TAG_NAME.match(name):
            raise DkimRecordError(f"élément « {part.strip()[:40]} » sans forme balise=valeur")
        if name in tags:
            raise DkimRecordError(f"balise « {name} » présente deux fois : enregistrement ignoré")
        tags[name] = value.strip()
    return tags


def parse_dkim_key(text: str) -> DkimKey:
    """Parse a DKIM key record; `DkimRecordError` for anything a receiver would reject."""
    tags = parse_tag_list(text)
    if "v" in tags and (tags["v"] != "DKIM1" or next(iter(tags)) != "v"):
        raise DkimRecordError("la balise v= doit valoir DKIM1 et venir en premier")
    if "p" not in tags:
        raise DkimRecordError("balise p= (clé publique) absente")
    key_type = tags.get("k", "rsa").lower()
    flags = _colon_list(tags.get("t", ""))
    key = partial(
        DkimKey,
        key_type=key_type,
        testing="y" in flags,
        strict_subdomains="s" in flags,
        hash_algorithms=_colon_list(tags.get("h", "")),
        services=_colon_list(tags.get("s", "*")),
    )
    key_data = re.sub(r"\s+", "", tags["p"])
    if not key_data:
        return key(revoked=True, rsa_bits=None)
    if not _BASE64.match(key_data):
        raise DkimRecordError("clé publique p= : caractères hors base64")
    try:
        raw = base64.b64decode(key_data, validate=True)
    except binascii.Error:
        raise DkimRecordError("clé publique p= : base64 mal formé") from None
    bits = _rsa_bits(raw, key_data) if key_type == "rsa" else None
    if key_type == "ed25519":
        _check_ed25519(raw)
    return key(revoked=False, rsa_bits=bits)


def _check_ed25519(raw: bytes) -> None:
    if len(raw) != _ED25519_KEY_BYTES:
        raise DkimRecordError(f"clé Ed25519 de {len(raw)} octets au lieu de 32 (RFC 8463)")
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, UnsupportedAlgorithm):
        raise DkimRecordError("clé Ed25519 illisible") from None


def _rsa_bits(raw: bytes, key_data: str) -> int:
    # DKIM publishes SubjectPublicKeyInfo; some generators publish the bare PKCS#1
    # RSAPublicKey, which receivers such as OpenDKIM also accept.
    try:
        key = load_der_public_key(raw)
    except (ValueError, UnsupportedAlgorithm):
        pem = f"-----BEGIN RSA PUBLIC KEY-----\n{key_data}\n-----END RSA PUBLIC KEY-----\n"
        try:
            key = load_pem_public_key(pem.encode("ascii"))
        except (ValueError, UnsupportedAlgorithm):
            raise DkimRecordError("clé publique p= illisible (ni SPKI ni PKCS#1)") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise DkimRecordError("k=rsa mais la clé publiée n'est pas une clé RSA")
    return key.key_size


def _colon_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip().lower() for item in value.split(":") if item.strip())
