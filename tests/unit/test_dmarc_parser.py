"""DMARC parser: corpus tests/data/dmarc/records.yaml, checkdmarc as an oracle, fuzzing."""

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import checkdmarc.dmarc as oracle
import dns.resolver
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rgpd_audit.records.dmarc import DmarcSyntaxError, is_dmarc, parse_dmarc

CORPUS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "dmarc" / "records.yaml").read_text("utf-8")
)
ZoneResolver = Callable[[dict[str, str]], dns.resolver.Resolver]
DOMAIN = "exemple.test"


@pytest.mark.parametrize("case", CORPUS, ids=[c["record"] for c in CORPUS])
def test_corpus(case: dict[str, Any]) -> None:
    if not case["dmarc"]:
        assert not is_dmarc(case["record"])
        with pytest.raises(DmarcSyntaxError):
            parse_dmarc(case["record"])
        return
    record = parse_dmarc(case["record"])
    assert record.policy == case["policy"], case["why"]
    assert bool(record.errors) is case["errors"], (record.errors, case["why"])
    assert record.removed_tags == case.get("removed", [])
    assert record.unknown_tags == case.get("unknown", [])
    assert record.testing is case.get("testing", False)


def _oracle(case: dict[str, Any], resolver: dns.resolver.Resolver) -> dict[str, Any] | None:
    try:
        return oracle.parse_dmarc_record(case["record"], DOMAIN, resolver=resolver)
    except oracle.DMARCError:
        return None


@pytest.fixture
def resolver(zone_resolver: ZoneResolver) -> dns.resolver.Resolver:
    return zone_resolver({DOMAIN + ".": ""})


@pytest.mark.parametrize("case", CORPUS, ids=[c["record"] for c in CORPUS])
def test_checkdmarc_agrees(resolver: dns.resolver.Resolver, case: dict[str, Any]) -> None:
    parsed = _oracle(case, resolver)
    if not case["dmarc"]:
        assert parsed is None, case["why"]
    elif case["errors"]:
        # RFC 9989 lets a receiver drop a bad value for its default: checkdmarc either
        # refuses the record or warns, never accepts it silently.
        assert parsed is None or parsed["warnings"], case["why"]
    else:
        assert parsed is not None, case["why"]
        assert parsed["tags"]["p"]["value"] == case["policy"]
        warnings = " ".join(parsed["warnings"])
        for tag in case.get("removed", []) + case.get("unknown", []):
            assert tag in warnings


def test_report_uris_keep_their_domain_and_obsolete_size() -> None:
    record = parse_dmarc(
        "v=DMARC1; p=none; rua=mailto:a@Rapports.Exemple.test!10m, https://x.test/r"
    )
    assert [(u.domain, u.size_limit) for u in record.rua] == [
        ("rapports.exemple.test", "10m"),
        (None, None),
    ]
    assert any("obsolète" in w for w in record.warnings)
    assert any("mailto" in w for w in record.warnings)


def test_p_not_second_and_many_uris_are_warnings() -> None:
    record = parse_dmarc("v=DMARC1; rua=mailto:a@x.test,mailto:b@x.test,mailto:c@x.test; p=reject")
    assert record.policy == "reject" and not record.errors
    assert len(record.warnings) == 2


def test_uppercase_tag_name_is_an_error_but_read() -> None:
    record = parse_dmarc("v=DMARC1; P=reject")
    assert record.policy == "reject" and record.errors


DMARC_PIECES = st.sampled_from(
    [
        *("v=DMARC1", "v", "=", ";", " ", "\t", ",", "!", "p", "sp", "np", "psd", "t", "rua"),
        *("ruf", "fo", "pct", "none", "reject", "quarantine", "y", "n", "mailto:", "@", "x.fr"),
        *("é", "\x00", "DMARC1", "1:d"),
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(DMARC_PIECES, max_size=30).map("".join))
def test_grammar_fragments_only_raise_the_parser_error(text: str) -> None:
    # Any other exception type fails the test.
    with contextlib.suppress(DmarcSyntaxError):
        parse_dmarc("v=DMARC1;" + text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_only_raises_the_parser_error(text: str) -> None:
    for candidate in (text, "v=DMARC1; " + text):
        with contextlib.suppress(DmarcSyntaxError):
            parse_dmarc(candidate)
