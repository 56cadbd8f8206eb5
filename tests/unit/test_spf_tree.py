"""SPF tree evaluation: corpus tests/data/spf/trees.yaml over a real loopback DNS server,
checkdmarc as an oracle on the same answers, and the limits that bound hostile trees."""

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import checkdmarc.spf as oracle
import dns.resolver
import pytest
import yaml

from rgpd_audit.concurrency import parallel_map
from rgpd_audit.errors import CheckError
from rgpd_audit.net.dns import lookup as dns_lookup
from rgpd_audit.records.spf_tree import MAX_RECORDS, SpfEvaluation, evaluate_spf

CORPUS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "spf" / "trees.yaml").read_text("utf-8")
)
ZoneResolver = Callable[[dict[str, str]], dns.resolver.Resolver]


def _origin(case: dict[str, Any]) -> str:
    return f"{case['id']}.arbre.test"


def _serve(zone_resolver: ZoneResolver, case: dict[str, Any]) -> dns.resolver.Resolver:
    origin = _origin(case)
    return zone_resolver({origin + ".": case["zone"].replace("{d}", origin)})


def _cause(ev: SpfEvaluation) -> str:
    if ev.loops:
        return "loop"
    if ev.errors:
        return "include"
    if ev.limit_exceeded_at:
        return "limit"
    if ev.void_exceeded_at:
        return "void"
    return "none"


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_corpus(zone_resolver: ZoneResolver, case: dict[str, Any]) -> None:
    resolver = _serve(zone_resolver, case)
    ev = evaluate_spf(
        _origin(case), lambda name, rdtype: dns_lookup(resolver, name, rdtype), parallel_map
    )
    expected = case["expected"]
    assert (ev.lookups, ev.void_lookups, _cause(ev)) == (
        expected["lookups"],
        expected["void"],
        expected["cause"],
    ), case["why"]
    assert ev.permerror is (expected["cause"] != "none")
    assert not ev.dns_errors


@pytest.mark.parametrize(
    "case", [c for c in CORPUS if c.get("checkdmarc", True)], ids=lambda c: c["id"]
)
def test_checkdmarc_agrees(zone_resolver: ZoneResolver, case: dict[str, Any]) -> None:
    resolver = _serve(zone_resolver, case)
    expected = case["expected"]
    try:
        result = oracle.get_spf_record(_origin(case), resolver=resolver)
    except oracle.SPFError:
        assert expected["cause"] != "none", case["why"]
        return
    assert expected["cause"] == "none", case["why"]
    assert result["dns_lookups"] == expected["lookups"], case["why"]
    assert result["void_dns_lookups"] == expected["void"], case["why"]


@pytest.mark.parametrize(
    "case", [c for c in CORPUS if not c.get("checkdmarc", True)], ids=lambda c: c["id"]
)
def test_checkdmarc_disagreements_are_real(
    zone_resolver: ZoneResolver, case: dict[str, Any]
) -> None:
    """Entries marked `checkdmarc: false` must really differ, or the mark hides nothing."""
    resolver = _serve(zone_resolver, case)
    expected = case["expected"]
    try:
        result = oracle.get_spf_record(_origin(case), resolver=resolver)
    except oracle.SPFError:
        assert expected["cause"] == "none"
        return
    counts = (result["dns_lookups"], result["void_dns_lookups"])
    assert expected["cause"] != "none" or counts != (expected["lookups"], expected["void"])


def test_trace_numbers_every_lookup_and_marks_void_ones(zone_resolver: ZoneResolver) -> None:
    case = next(c for c in CORPUS if c["id"] == "vides-trois")
    resolver = _serve(zone_resolver, case)
    ev = evaluate_spf(_origin(case), lambda n, t: dns_lookup(resolver, n, t))
    assert ev.trace[0].startswith("vides-trois.arbre.test : v=spf1")
    assert [line.strip()[:3] for line in ev.trace[1:]] == ["[1]", "[2]", "[3]"]
    assert all("requête vide" in line for line in ev.trace[1:])
    assert (
        ev.void_exceeded_at == "exists:absent3.vides-trois.arbre.test (dans vides-trois.arbre.test)"
    )


def test_sibling_includes_are_fetched_concurrently(zone_resolver: ZoneResolver) -> None:
    case = next(c for c in CORPUS if c["id"] == "dix-exactement")
    resolver = _serve(zone_resolver, case)
    barrier = threading.Barrier(5, timeout=5)
    waited: list[str] = []

    def lookup(name: str, rdtype: str) -> list[str] | None:
        if name.startswith("_i"):
            # Five sibling includes meet here only if they are asked at the same time.
            barrier.wait()
            waited.append(name)
        return dns_lookup(resolver, name, rdtype)

    ev = evaluate_spf(_origin(case), lookup, parallel_map)
    assert len(waited) == 5 and ev.lookups == 10


def test_each_question_is_asked_once_with_a_caching_lookup(zone_resolver: ZoneResolver) -> None:
    case = next(c for c in CORPUS if c["id"] == "diamant")
    resolver = _serve(zone_resolver, case)
    asked: list[tuple[str, str]] = []
    cache: dict[tuple[str, str], list[str] | None] = {}

    def lookup(name: str, rdtype: str) -> list[str] | None:
        if (name, rdtype) not in cache:
            asked.append((name, rdtype))
            cache[name, rdtype] = dns_lookup(resolver, name, rdtype)
        return cache[name, rdtype]

    evaluate_spf(_origin(case), lookup)
    assert len(asked) == len(set(asked)) == 4  # @, _a, _b, _c: _c twice in the tree


def test_hostile_fan_out_is_bounded(zone_resolver: ZoneResolver) -> None:
    # Five levels of ten records, each including the ten of the next level: 10^5 paths.
    def includes(level: int) -> str:
        return " ".join(f"include:l{level}n{i}.h.test" for i in range(10))

    lines = [f'@ TXT "v=spf1 {includes(1)} -all"']
    for level in range(1, 6):
        record = f"v=spf1 {includes(level + 1)} -all" if level < 5 else "v=spf1 -all"
        lines += [f'l{level}n{i} TXT "{record}"' for i in range(10)]
    resolver = zone_resolver({"h.test.": "\n".join(lines)})
    fetched: list[str] = []

    def lookup(name: str, rdtype: str) -> list[str] | None:
        fetched.append(name)
        return dns_lookup(resolver, name, rdtype)

    ev = evaluate_spf("h.test", lookup, parallel_map)
    assert ev.permerror and ev.limit_exceeded_at is not None and ev.truncated
    # The domain's own record plus at most MAX_RECORDS included ones.
    assert len(fetched) <= MAX_RECORDS + 1


def test_dns_failure_on_the_domain_itself_raises(zone_resolver: ZoneResolver) -> None:
    resolver = zone_resolver({"autre.test.": '@ TXT "v=spf1 -all"'})
    with pytest.raises(CheckError):
        # Outside the served zones the server answers REFUSED.
        evaluate_spf("ailleurs.example", lambda n, t: dns_lookup(resolver, n, t))


def test_dns_failure_deeper_is_listed_not_raised(zone_resolver: ZoneResolver) -> None:
    resolver = zone_resolver({"p.test.": '@ TXT "v=spf1 include:_spf.ailleurs.example -all"'})
    ev = evaluate_spf("p.test", lambda n, t: dns_lookup(resolver, n, t))
    assert ev.dns_errors and not ev.permerror
