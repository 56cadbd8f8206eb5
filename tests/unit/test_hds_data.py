"""The HDS data files shipped with the tool validate, are dated, and stay honest."""

from rgpd_audit.hds import catalogs, store
from rgpd_audit.hds.providers import consumer_service
from rgpd_audit.questionnaire import load_questionnaire


def test_every_file_is_dated() -> None:
    snapshots = [
        store.shipped_hosts().snapshot,
        catalogs.activities().snapshot,
        catalogs.matching_rules().snapshot,
        catalogs.consumer_services().snapshot,
        catalogs.provider_questions().snapshot,
    ]
    assert all(s.retrieved[:4].isdigit() and s.source for s in snapshots)


def test_shipped_extract_is_partial_and_only_vendor_claims() -> None:
    shipped = store.shipped_hosts()
    assert shipped.snapshot.complete is False
    assert shipped.hosts
    assert all(h.source_kind == "vendor_claim" and not h.verified for h in shipped.hosts)
    assert all(h.source.startswith("https://") and h.scope for h in shipped.hosts)


def test_provider_questions_exist_in_the_questionnaire() -> None:
    questionnaire = load_questionnaire()
    ids = {q.id for q in questionnaire.questions()}
    rules = catalogs.provider_questions()
    asked = [rules.providers_question]
    for role in rules.roles:
        asked += [role.name_question, *role.requires]
        asked += [role.hds_question] if role.hds_question else []
    assert set(asked) <= ids
    # Every provider the questionnaire names is looked up, the practice mailbox included.
    assert {r.name_question for r in rules.roles} >= {"q.sous_traitance.messagerie_nom"}
    (providers,) = [q for q in questionnaire.questions() if q.id == rules.providers_question]
    choices = {c.value for c in providers.choices or []}
    assert {role.choice for role in rules.roles} <= choices


def test_consumer_services_match_whole_words_only() -> None:
    assert consumer_service("WhatsApp")
    assert consumer_service("compte gmail.com du secrétariat")
    assert consumer_service("Google Workspace") is None
    assert consumer_service("Dropboxer Santé") is None
    assert consumer_service("Outlook") is None  # Outlook may be Microsoft 365: not concluded


def test_activity_wording() -> None:
    assert catalogs.activity_text([]) == "activités non précisées"
    assert catalogs.activity_text([6]) == "activité 6"
    assert catalogs.activity_text([1, 2, 6]) == "activités 1, 2 et 6"
    assert len(catalogs.activities().activities) == 6
