"""RFC 9989 DNS Tree Walk: corpus tests/data/dmarc/walks.yaml over a real loopback DNS
server, checkdmarc's own walk as an oracle for where the record is found, report consent."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import checkdmarc.dmarc as oracle
import dns.resolver
import pytest
import yaml

from rgpd_audit.errors import CheckError
from rgpd_audit.net.dns import lookup as dns_lookup
from rgpd_audit.records.dmarc_discovery import (
    discover,
    is_external,
    lower_policy,
    report_authorised,
    walk_names,
)

CORPUS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parents[1] / "data" / "dmarc" / "walks.yaml").read_text("utf-8")
)
ZoneResolver = Callable[[dict[str, str]], dns.resolver.Resolver]


def _serve(zone_resolver: ZoneResolver, case: dict[str, Any]) -> dns.resolver.Resolver:
    # An empty "test." zone answers the last step of every walk (NXDOMAIN, not REFUSED).
    zones = {"test.": ""} | {origin + ".": body for origin, body in case["zones"].items()}
    return zone_resolver(zones)


@pytest.mark.parametrize("case", CORPUS, ids=[c["id"] for c in CORPUS])
def test_corpus(zone_resolver: ZoneResolver, case: dict[str, Any]) -> None:
    resolver = _serve(zone_resolver, case)
    asked: list[str] = []

    def lookup(name: str, rdtype: str) -> list[str] | None:
        asked.append(name)
        return dns_lookup(resolver, name, rdtype)

    found = discover(case["domain"], lookup, domain_exists=case.get("exists", True))
    expected = case["expected"]
    assert asked == [f"_dmarc.{name}" for name in expected["queried"]], case["why"]
    assert found.organisational_domain == expected["organisational"], case["why"]
    assert found.source == expected["source"], case["why"]
    assert found.effective_policy == expected["effective"], case["why"]


def _oracle_location(case: dict[str, Any], resolver: dns.resolver.Resolver) -> str | None:
    try:
        return oracle.query_dmarc_record(case["domain"], resolver=resolver)["location"]
    except oracle.DMARCError:
        return None


COMPARED = [c for c in CORPUS if c["expected"]["source"] and c.get("exists", True)]
AGREED = [c for c in COMPARED if c.get("checkdmarc", True)]
DISAGREED = [c for c in COMPARED if not c.get("checkdmarc", True)]


@pytest.mark.parametrize("case", AGREED, ids=[c["id"] for c in AGREED])
def test_checkdmarc_finds_the_same_record(
    zone_resolver: ZoneResolver, case: dict[str, Any]
) -> None:
    resolver = _serve(zone_resolver, case)
    found = discover(case["domain"], lambda n, t: dns_lookup(resolver, n, t))
    assert _oracle_location(case, resolver) == found.record_domain, case["why"]


@pytest.mark.parametrize("case", DISAGREED, ids=[c["id"] for c in DISAGREED])
def test_checkdmarc_disagreements_are_real(
    zone_resolver: ZoneResolver, case: dict[str, Any]
) -> None:
    resolver = _serve(zone_resolver, case)
    found = discover(case["domain"], lambda n, t: dns_lookup(resolver, n, t))
    assert _oracle_location(case, resolver) != found.record_domain, case["why"]


def test_walk_names_follow_the_rfc_example() -> None:
    assert walk_names("a.b.c.d.e.mail.example.com") == [
        "a.b.c.d.e.mail.example.com",
        "e.mail.example.com",
        "mail.example.com",
        "example.com",
        "com",
    ]
    assert walk_names("Example.COM.") == ["example.com", "com"]


def test_testing_mode_lowers_one_level_and_stops_at_none() -> None:
    assert [lower_policy(p) for p in ("reject", "quarantine", "none")] == [
        "quarantine",
        "none",
        "none",
    ]


def test_dns_failure_on_the_domain_itself_raises(zone_resolver: ZoneResolver) -> None:
    resolver = zone_resolver({"autre.test.": ""})
    with pytest.raises(CheckError):
        discover("cabinet.ailleurs.example", lambda n, t: dns_lookup(resolver, n, t))


def test_failures_above_the_domain_are_listed(zone_resolver: ZoneResolver) -> None:
    resolver = zone_resolver({"exemple.test.": '_dmarc TXT "v=DMARC1; p=reject"'})
    found = discover("cabinet.exemple.test", lambda n, t: dns_lookup(resolver, n, t))
    # "test" is outside the served zone: REFUSED, noted, not fatal.
    assert found.unresolved == ["test"] and found.source == "organisation"


def test_report_consent_needs_a_dmarc1_record(zone_resolver: ZoneResolver) -> None:
    # The lab server implements no wildcards: `*._report._dmarc` is left to real resolvers.
    resolver = zone_resolver(
        {
            "collecte.test.": 'cabinet.test._report._dmarc TXT "v=DMARC1;"\n'
            'refus.test._report._dmarc TXT "autre chose"',
            "strict.test.": 'cabinet.test._report._dmarc TXT "v=DMARC1"',
        }
    )

    def lookup(name: str, rdtype: str) -> list[str] | None:
        return dns_lookup(resolver, name, rdtype)

    assert report_authorised("cabinet.test", "collecte.test", lookup)
    assert not report_authorised("refus.test", "collecte.test", lookup)
    assert report_authorised("cabinet.test", "strict.test", lookup)
    assert not report_authorised("autre.test", "strict.test", lookup)


def test_external_means_outside_the_organisational_domain() -> None:
    assert not is_external("rapports.cabinet.fr", "cabinet.fr")
    assert not is_external("Cabinet.FR.", "cabinet.fr")
    assert is_external("cabinet.fr.evil.test", "cabinet.fr")
    assert is_external("ag.dmarcian.com", "cabinet.fr")
