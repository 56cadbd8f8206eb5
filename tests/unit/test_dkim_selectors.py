"""The shipped list of DKIM selectors: valid, sourced, and what the checks probe."""

from rgpd_audit import catalog
from rgpd_audit.config import parse_dkim_selector


def test_every_selector_is_a_valid_dns_selector_in_canonical_form() -> None:
    for group in catalog.dkim_selectors().selectors:
        assert group.source.strip(), group.provider
        for selector in group.selectors:
            assert parse_dkim_selector(selector) == selector, (group.provider, selector)


def test_providers_named_in_the_issue_are_covered() -> None:
    known = catalog.dkim_selectors()
    assert known.providers_of("google") == ["Google Workspace"]
    assert {"selector1", "selector2"} <= set(known.all_selectors())
    providers = " ".join(g.provider for g in known.selectors)
    for name in ("IONOS", "Gandi", "Proton", "Mailchimp", "Brevo"):
        assert name in providers


def test_all_selectors_lists_each_once_in_file_order() -> None:
    selectors = catalog.dkim_selectors().all_selectors()
    assert len(selectors) == len(set(selectors))
    assert selectors[0] == "google"
