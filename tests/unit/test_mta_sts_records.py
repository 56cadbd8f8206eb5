"""MTA-STS TXT record and policy file parsing, on strings only (RFC 8461)."""

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rgpd_audit.records.mta_sts import (
    MAX_AGE_LIMIT,
    MtaStsError,
    is_sts_record,
    mx_matches,
    parse_sts_policy,
    parse_sts_record,
)

POLICY = (
    "version: STSv1\r\nmode: enforce\r\nmx: mx1.cabinet.fr\r\nmx: *.relais.fr\r\n"
    "max_age: 604800\r\n"
)


def test_record_with_id_and_extension() -> None:
    record = parse_sts_record("v=STSv1; id=20260101T0000 ;  ext.a=valeur;")
    assert record.policy_id == "20260101T0000"
    assert record.extensions == {"ext.a": "valeur"}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("v=STSv1;", "id= absent"),
        ("v=STSv1; id=", "1 à 32"),
        ("v=STSv1; id=" + "a" * 33, "1 à 32"),
        ("v=STSv1; id=abc-def", "1 à 32"),
        ("v=STSv1; id=1; id=2", "deux fois"),
        ("id=1; v=STSv1", "commencer par"),
        ("v=STSv2; id=1", "commencer par"),
        ("v=STSv1; id=1; =x", "mal formé"),
        ("v=STSv1; id=1; ext=a=b", "mal formé"),
    ],
)
def test_invalid_records(text: str, reason: str) -> None:
    with pytest.raises(MtaStsError, match=reason):
        parse_sts_record(text)


def test_only_records_starting_with_the_version_count() -> None:
    assert is_sts_record("v=STSv1; id=1")
    assert not is_sts_record("v=spf1 -all")
    assert not is_sts_record(" v=STSv1; id=1")


def test_policy_with_crlf() -> None:
    policy = parse_sts_policy(POLICY)
    assert (policy.version, policy.mode, policy.max_age) == ("STSv1", "enforce", 604800)
    assert policy.mx == ("mx1.cabinet.fr", "*.relais.fr")
    assert policy.line_endings == "CRLF"


def test_policy_with_lf_mixed_and_no_final_newline() -> None:
    assert parse_sts_policy(POLICY.replace("\r\n", "\n")).line_endings == "LF"
    mixed = POLICY.replace("\r\n", "\n", 1)
    assert parse_sts_policy(mixed).line_endings == "mixte"
    assert parse_sts_policy(POLICY.rstrip("\r\n")).max_age == 604800


def test_unknown_fields_are_ignored_and_mode_none_needs_no_mx() -> None:
    policy = parse_sts_policy("version: STSv1\nmode: none\nmax_age: 0\nautre: x\n")
    assert policy.mode == "none" and policy.mx == () and policy.max_age == 0


def test_max_age_limit_itself_is_accepted() -> None:
    text = POLICY.replace("604800", str(MAX_AGE_LIMIT))
    assert parse_sts_policy(text).max_age == 31_557_600


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (POLICY.replace("604800", "31557601"), "dépasse le maximum"),
        (POLICY.replace("604800", "-1"), "nombre de secondes"),
        (POLICY.replace("604800", "1e6"), "nombre de secondes"),
        (POLICY.replace("604800", "٣"), "nombre de secondes"),
        (POLICY.replace("enforce", "strict"), "mode « strict »"),
        (POLICY.replace("STSv1", "STSv2"), "version"),
        (POLICY + "mode: testing\r\n", "« mode » présent deux fois"),
        (POLICY + "max_age: 86400\r\n", "« max_age » présent deux fois"),
        (POLICY.replace("version: STSv1\r\n", ""), "« version » absent"),
        ("version: STSv1\nmode: enforce\nmax_age: 86400\n", "aucun champ mx"),
        (POLICY.replace("mx1.cabinet.fr", "pas un nom"), "n'est pas un nom"),
        (POLICY.replace("mx1.cabinet.fr", "localhost"), "n'est pas un nom"),
        (POLICY + "<html>\r\n", "clé: valeur"),
        (POLICY.replace("\r\n", "\r"), "clé: valeur"),
    ],
)
def test_invalid_policies(text: str, reason: str) -> None:
    with pytest.raises(MtaStsError, match=reason):
        parse_sts_policy(text)


@pytest.mark.parametrize(
    ("pattern", "host", "expected"),
    [
        ("mx.cabinet.fr", "MX.Cabinet.fr.", True),
        ("*.cabinet.fr", "mx.cabinet.fr", True),
        ("*.cabinet.fr", "cabinet.fr", False),
        ("*.cabinet.fr", "a.mx.cabinet.fr", False),
        ("mx.cabinet.fr", "mx2.cabinet.fr", False),
        ("*.cabinet.fr", ".cabinet.fr", False),
    ],
)
def test_mx_patterns(pattern: str, host: str, expected: bool) -> None:
    assert mx_matches(pattern, host) is expected


@given(st.text(max_size=200))
def test_record_parser_raises_only_its_own_error(text: str) -> None:
    with contextlib.suppress(MtaStsError):
        parse_sts_record(text)


@given(
    st.lists(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(["version: STSv1", "mode: enforce", "mx: a.fr", "max_age: 1"]),
        ),
        max_size=8,
    ),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_policy_parser_raises_only_its_own_error(lines: list[str], newline: str) -> None:
    with contextlib.suppress(MtaStsError):
        parse_sts_policy(newline.join(lines))
