"""TLS-RPT record parsing, on strings only (RFC 8460 §3)."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rgpd_audit.records.tls_rpt import TlsRptError, is_tls_rpt_record, parse_tls_rpt


def test_mailto_and_https_destinations() -> None:
    record = parse_tls_rpt(
        "v=TLSRPTv1; rua=mailto:tls@cabinet.fr, https://rapports.example.net/v1;ext=1"
    )
    assert [(d.scheme, d.domain) for d in record.destinations] == [
        ("mailto", "cabinet.fr"),
        ("https", "rapports.example.net"),
    ]
    assert record.extensions == {"ext": "1"}


def test_escaped_mailbox_is_read() -> None:
    [destination] = parse_tls_rpt("v=TLSRPTv1;rua=mailto:tls%2Brapports@Cabinet.FR").destinations
    assert destination.domain == "cabinet.fr"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("v=TLSRPTv1;", "rua= .* absent"),
        ("v=TLSRPTv1; rua=ftp://example.net/x", "mailto: ou https: attendu"),
        ("v=TLSRPTv1; rua=http://example.net/x", "mailto: ou https: attendu"),
        ("v=TLSRPTv1; rua=mailto:pas-une-adresse", "invalide"),
        ("v=TLSRPTv1; rua=https:///sans-hote", "sans nom d'hôte"),
        ("v=TLSRPTv1; rua=mailto:a@b.fr; rua=mailto:c@d.fr", "deux fois"),
        ("rua=mailto:a@b.fr; v=TLSRPTv1", "commencer par"),
        ("v=TLSRPTv1; rua=mailto:a@b.fr; n'importe quoi", "mal formé"),
    ],
)
def test_invalid_records(text: str, reason: str) -> None:
    with pytest.raises(TlsRptError, match=reason):
        parse_tls_rpt(text)


def test_record_recognition() -> None:
    assert is_tls_rpt_record("v=TLSRPTv1; rua=mailto:a@b.fr")
    assert not is_tls_rpt_record("v=STSv1; id=1")


@given(st.text(max_size=200))
def test_parser_raises_only_its_own_error(text: str) -> None:
    with contextlib.suppress(TlsRptError):
        parse_tls_rpt(text)


@given(st.text(max_size=120))
def test_parser_raises_only_its_own_error_on_any_destination(uri: str) -> None:
    with contextlib.suppress(TlsRptError):
        parse_tls_rpt(f"v=TLSRPTv1; rua={uri}")
