"""SPF parser: the corpus of tests/data/spf/records.yaml, pyspf as an oracle, fuzzing."""

import contextlib
from pathlib import Path
from typing import Any

import pytest
import spf as pyspf
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from rgpd_audit.records.spf import SpfSyntaxError, is_spf, parse_spf

CORPUS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "spf" / "records.yaml").read_text("utf-8")
)
MODIFIER = pyspf.RE_MODIFIER


def _pyspf_accepts(record: str) -> bool:
    """pyspf's own term validator (no DNS: macros without %{p} need no lookup)."""
    if record.split(" ")[0].lower() != "v=spf1":
        return False
    query = pyspf.query(i="203.0.113.99", s="postmaster@example.com", h="example.com")
    seen: set[str] = set()
    try:
        for term in (t for t in record.split(" ")[1:] if t):
            parts = MODIFIER.split(term)[1:]
            if len(parts) == 2:
                if parts[0].lower() in seen and parts[0].lower() == "redirect":
                    return False
                seen.add(parts[0].lower())
                continue
            query.validate_mechanism(term)
    except pyspf.PermError:
        return False
    return True


@pytest.mark.parametrize("case", CORPUS, ids=[c["record"] for c in CORPUS])
def test_corpus(case: dict[str, Any]) -> None:
    if case["valid"]:
        record = parse_spf(case["record"])
        assert record.text == case["record"]
    else:
        with pytest.raises(SpfSyntaxError) as caught:
            parse_spf(case["record"])
        assert caught.value.term == case["term"], case["why"]


@pytest.mark.parametrize(
    "case", [c for c in CORPUS if c.get("pyspf", True)], ids=lambda c: c["record"]
)
def test_pyspf_agrees(case: dict[str, Any]) -> None:
    assert _pyspf_accepts(case["record"]) is case["valid"], case["why"]


def test_error_says_where_the_record_breaks() -> None:
    with pytest.raises(SpfSyntaxError) as caught:
        parse_spf("v=spf1 include:_spf.example.com ip4:10.0.0.256 ~all")
    assert caught.value.position == 32
    assert "ip4:10.0.0.256" in str(caught.value) and "position 33" in str(caught.value)


def test_terms_keep_qualifier_order_and_dns_flags() -> None:
    record = parse_spf("v=spf1 include:a.example.com ?mx a/24 ip4:192.0.2.1 redirect=b.example")
    assert [(t.name, t.qualifier) for t in record.terms] == [
        ("include", "+"),
        ("mx", "?"),
        ("a", "+"),
        ("ip4", "+"),
        ("redirect", None),
    ]
    assert [t.queries_dns for t in record.terms] == [True, True, True, False, True]
    assert record.terms[2].cidr4 == 24 and record.redirect == "b.example"
    assert record.all_term is None


def test_all_is_found_and_macros_are_flagged() -> None:
    record = parse_spf("v=spf1 exists:%{i}._spf.%{d} ~all")
    assert record.all_term is not None and record.all_term.qualifier == "~"
    assert record.terms[0].has_macro


def test_is_spf_needs_the_exact_version_then_a_space() -> None:
    assert is_spf("v=spf1 -all") and is_spf("v=spf1") and is_spf("V=SPF1 -all")
    assert not is_spf("v=spf1-all") and not is_spf(" v=spf1") and not is_spf("v=spf10")


SPF_ALPHABET = st.sampled_from(
    [
        *"v=spf1 -~+?:./%{}_",
        *("all", "include", "ip4", "ip6", "a", "mx", "ptr", "exists", "redirect=", "exp="),
        *("192.0.2.1", "::1", "/24", "//64", "example.com", "\t", "é", "\x00"),
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(SPF_ALPHABET, max_size=30).map("".join))
def test_grammar_fragments_only_raise_the_parser_error(text: str) -> None:
    # Any other exception type fails the test.
    with contextlib.suppress(SpfSyntaxError):
        parse_spf("v=spf1 " + text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_only_raises_the_parser_error(text: str) -> None:
    for candidate in (text, "v=spf1 " + text):
        with contextlib.suppress(SpfSyntaxError):
            parse_spf(candidate)
