"""Name matching against the list of certified hosts: accents, legal forms, aliases, doubt."""

import pytest

from rgpd_audit.hds.catalogs import matching_rules
from rgpd_audit.hds.matching import Matcher, MatchKind
from rgpd_audit.hds.model import CertifiedHost
from rgpd_audit.hds.names import NameKeys, words


def host(name: str, *trade: str, verified: bool = True) -> CertifiedHost:
    return CertifiedHost(
        legal_name=name,
        trade_names=list(trade),
        source_kind="official_list" if verified else "vendor_claim",
        source="test",
        verified=verified,
    )


HOSTS = [
    host("OVH SAS", "OVHcloud"),
    host("Amazon Web Services EMEA SARL"),
    host("Hébergement Santé Île-de-France S.A.S."),
    host("Clever Cloud"),
    host("Scalingo"),
    host("Société Générale d'Infogérance Médicale", "SGIM"),
    host("Claimed Vendor Inc.", verified=False),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(HOSTS, matching_rules())


@pytest.mark.parametrize(
    ("query", "expected", "kind", "certain"),
    [
        # Case, accents, punctuation and legal forms set aside.
        ("ovh", "OVH SAS", MatchKind.EXACT, True),
        ("O.V.H. S.A.S.", "OVH SAS", MatchKind.EXACT, True),
        ("OVHCLOUD", "OVH SAS", MatchKind.EXACT, True),
        (
            "hebergement sante ile de france",
            "Hébergement Santé Île-de-France S.A.S.",
            MatchKind.EXACT,
            True,
        ),
        (
            "Hébergement Santé Île-de-France, société par actions simplifiée",
            "Hébergement Santé Île-de-France S.A.S.",
            MatchKind.EXACT,
            True,
        ),
        ("Clever Cloud SAS", "Clever Cloud", MatchKind.EXACT, True),
        ("sgim", "Société Générale d'Infogérance Médicale", MatchKind.EXACT, True),
        # Alias table: a trade name of a listed company.
        ("OVH Healthcare", "OVH SAS", MatchKind.ALIAS, True),
        # Uncertain: shared distinctive words, prefix, near spelling.
        ("Amazon Web Services", "Amazon Web Services EMEA SARL", MatchKind.WORDS, False),
        ("Scaling", "Scalingo", MatchKind.PREFIX, False),
        ("Scalinog", "Scalingo", MatchKind.SIMILAR, False),
        # A vendor's claim is never certain, even under its exact name.
        ("Claimed Vendor", "Claimed Vendor Inc.", MatchKind.EXACT, False),
    ],
)
def test_matches(
    matcher: Matcher, query: str, expected: str, kind: MatchKind, certain: bool
) -> None:
    found = matcher.search(query)
    assert found, query
    best = found[0]
    assert (best.host.legal_name, best.kind, best.certain) == (expected, kind, certain)


@pytest.mark.parametrize("query", ["Doctolib", "Cloud", "Santé", "SAS", "", "ov"])
def test_no_match(matcher: Matcher, query: str) -> None:
    # Generic words alone, legal forms alone and too-short prefixes find nothing.
    assert matcher.search(query) == []


def test_certain_matches_come_first(matcher: Matcher) -> None:
    found = Matcher([host("Clever Cloud Santé"), *HOSTS], matching_rules()).search("clever cloud")
    assert [m.certain for m in found] == [True, False]
    assert found[0].host.legal_name == "Clever Cloud"
    assert found[1].kind is MatchKind.WORDS


def test_one_match_per_host(matcher: Matcher) -> None:
    # OVH matches by legal name and trade name: reported once, as the surest kind.
    assert len(matcher.search("OVH")) == 1


def test_words_strip_accents_and_dotted_acronyms() -> None:
    assert words("Société Générale S.A.") == ["societe", "generale", "sa"]
    assert words("  Œuvre & Cie  ") == ["oeuvre", "cie"]


def test_legal_form_alone_is_kept() -> None:
    keys = NameKeys(["sa", "sas"])
    assert keys.key("SAS") == "sas"
    assert keys.key("Exemple SA") == "exemple"
