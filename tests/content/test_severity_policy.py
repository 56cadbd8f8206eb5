"""The severity policy of audit/data/scoring.yaml, enforced on every shipped control.

Every built-in check and every scored question declares its basis (obligation or
recommandation) and the text that makes it so; a failing obligation is high or critical; a
recommendation is at most medium unless its failure exposes health data now; controls that
count as one fail at the same worst severity whatever the way they are seen.
"""

from __future__ import annotations

import importlib.util
import re
from collections import defaultdict
from importlib.resources import files
from pathlib import Path

import pytest
import yaml

from rgpd_audit import catalog
from rgpd_audit.models import Basis, Severity
from rgpd_audit.questionnaire import load_questionnaire
from rgpd_audit.questionnaire.conditions import matches
from rgpd_audit.registry import CheckSpec, discover

SPECS = discover()
QUESTIONNAIRE = load_questionnaire()
SCORED = [q for q in QUESTIONNAIRE.questions() if q.scored]
OBLIGATION_SEVERITIES = {Severity.HIGH, Severity.CRITICAL}
RECOMMENDATION_CEILING = Severity.MEDIUM


def _known(slug: object) -> bool:
    return isinstance(slug, str) and slug in catalog.references().references


def _allowed(basis: Basis | None, severity: Severity, exposes_health_data: bool) -> bool:
    if basis is Basis.OBLIGATION:
        return severity in OBLIGATION_SEVERITIES
    return exposes_health_data or severity.rank <= RECOMMENDATION_CEILING.rank


def test_the_policy_is_written_once_in_french_for_the_report() -> None:
    data = yaml.safe_load((files("rgpd_audit.data") / "scoring.yaml").read_text("utf-8"))
    policy = data["severity_policy"]
    assert isinstance(policy, str)
    for words in ("obligation", "recommandation", "au plus de gravité moyenne", "compte une fois"):
        assert words in policy, words


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.meta.id)
def test_every_check_declares_its_basis_and_follows_the_policy(spec: CheckSpec) -> None:
    meta = spec.meta
    assert meta.basis is not None, f"{meta.id} : basis manquant"
    assert _known(meta.basis_reference), f"{meta.id} : basis_reference {meta.basis_reference!r}"
    assert _allowed(meta.basis, meta.severity, meta.exposes_health_data), (
        f"{meta.id} : {meta.basis} de gravité {meta.severity}"
    )


def _source(module: str) -> str:
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).read_text(encoding="utf-8")


# The password check judges the policy in its own package.
EXTRA_SOURCES = {"rgpd_audit.checks.passwords": ["rgpd_audit.password.policy"]}


def _modules() -> dict[str, list[CheckSpec]]:
    by_module: dict[str, list[CheckSpec]] = defaultdict(list)
    for spec in SPECS:
        by_module[spec.entry_point.module].append(spec)
    return by_module


@pytest.mark.parametrize("module", sorted(_modules()))
def test_a_result_never_raises_a_recommendation_above_the_ceiling(module: str) -> None:
    """A `CheckResult(severity=…)` overrides the metadata at run time: a module whose checks
    are all recommendations that expose no health data may not name high or critical."""
    specs = _modules()[module]
    if any(s.meta.basis is Basis.OBLIGATION or s.meta.exposes_health_data for s in specs):
        pytest.skip("module with an obligation or a check exposing health data")
    for name in [module, *EXTRA_SOURCES.get(module, [])]:
        found = re.findall(r"Severity\.(HIGH|CRITICAL)", _source(name))
        assert not found, f"{name} : Severity.{found[0]} pour une recommandation"


@pytest.mark.parametrize("question", SCORED, ids=lambda q: q.id)
def test_every_scored_question_declares_its_basis_and_follows_the_policy(question) -> None:
    assert question.basis is not None, f"{question.id} : basis manquant"
    assert _known(question.basis_reference), question.id
    for rule in question.scoring:
        basis = rule.basis or question.basis
        assert rule.basis_reference is None or _known(rule.basis_reference), rule.title
        if rule.severity is Severity.INFO and basis is not Basis.OBLIGATION:
            continue
        assert _allowed(basis, rule.severity, question.exposes_health_data), (
            f"{question.id} « {rule.title} » : {basis} de gravité {rule.severity}"
        )


def test_unscored_questions_declare_no_basis() -> None:
    for question in QUESTIONNAIRE.questions():
        if not question.scored:
            assert question.basis is None and question.counts_as is None, question.id


def _worst(severities: list[Severity]) -> Severity:
    return max(severities, key=lambda s: s.rank)


def _groups() -> dict[str, dict[str, Severity]]:
    """Control id → {member id: worst failing severity}, members counting as that control."""
    groups: dict[str, dict[str, Severity]] = defaultdict(dict)
    for spec in SPECS:
        groups[spec.meta.counts_as or spec.meta.id][spec.meta.id] = spec.meta.severity
    for question in SCORED:
        worst = _worst([r.severity for r in question.scoring])
        groups[question.counts_as or question.id][question.id] = worst
    return groups


def test_counts_as_names_a_control_that_exists() -> None:
    known = {s.meta.id for s in SPECS} | {q.id for q in SCORED}
    targets = {s.meta.counts_as for s in SPECS} | {q.counts_as for q in SCORED}
    assert targets - {None} <= known


def test_one_control_fails_at_one_worst_severity_whatever_its_source() -> None:
    for control, members in _groups().items():
        assert len(set(members.values())) == 1, f"{control} : {members}"


# The cases the issue « verdict » names, by the answer (or check) that fails.
@pytest.mark.parametrize(
    ("control", "answer", "severity", "basis"),
    [
        ("q.incidents.registre_violations", "non", Severity.HIGH, Basis.OBLIGATION),
        ("q.incidents.information_patients", "non", Severity.HIGH, Basis.OBLIGATION),
        ("q.incidents.notification_cnil", "apres_enquete", Severity.HIGH, Basis.OBLIGATION),
        ("q.gouvernance.registre", "absent", Severity.HIGH, Basis.OBLIGATION),
        ("q.communication.messagerie_cabinet", "webmail_grand_public", Severity.CRITICAL, None),
        ("q.communication.boite_perso_usage_pro", "oui", Severity.CRITICAL, None),
        (
            "q.communication.messagerie_instantanee_contenu",
            ["avis_confreres"],
            Severity.CRITICAL,
            None,
        ),
        ("q.communication.partage_secret", "hors_equipe_sans_consentement", Severity.HIGH, None),
        ("q.acces.mdp_pratiques", ["cps_pretee"], Severity.HIGH, Basis.OBLIGATION),
        ("q.droits.cookies", "sans_accord", Severity.HIGH, Basis.OBLIGATION),
        ("q.acces.mfa_messagerie", "non", Severity.HIGH, Basis.OBLIGATION),
        ("q.sous_traitance.teleconsultation_authentification", "non", Severity.HIGH, None),
        ("q.postes.mobiles", "aucun", Severity.HIGH, Basis.OBLIGATION),
        ("q.acces.mode_connexion", "mot_de_passe", Severity.HIGH, Basis.OBLIGATION),
        ("q.acces.mdp_longueur", 6, Severity.MEDIUM, Basis.RECOMMENDATION),
        ("q.acces.mdp_blocage", "aucun", Severity.MEDIUM, Basis.RECOMMENDATION),
    ],
)
def test_named_cases_of_the_issue(control, answer, severity, basis) -> None:
    question = QUESTIONNAIRE.question(control)
    rule = next(r for r in question.scoring if matches(r.when_answer, question, answer))
    assert rule.severity is severity
    assert (rule.basis or question.basis) is (basis or Basis.OBLIGATION)


def test_mail_hygiene_recommendations_are_at_most_medium() -> None:
    for spec in SPECS:
        family = spec.meta.id.split(".")[1]
        if family in {"spf", "dkim", "dmarc", "mta_sts", "dane", "tls_rpt", "dnssec"}:
            assert spec.meta.basis is Basis.RECOMMENDATION, spec.meta.id
            assert spec.meta.severity.rank <= Severity.MEDIUM.rank, spec.meta.id


def test_consumer_mailbox_holding_health_data_is_one_critical_control() -> None:
    members = _groups()["mail.provider.consumer"]
    assert set(members) >= {
        "mail.provider.consumer",
        "hosting.hds.consumer_service",
        "q.communication.messagerie_cabinet",
        "q.communication.boite_perso_usage_pro",
    }
    assert set(members.values()) == {Severity.CRITICAL}


def test_one_password_policy_is_one_control() -> None:
    members = _groups()["auth.password.policy"]
    assert set(members) == {"auth.password.policy", "q.acces.mdp_longueur", "q.acces.mdp_blocage"}


# Words a client can read: no internal wording in what reaches the report.
INTERNAL = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"fiche réglementaire",
        r"documents de départ",
        r"lot ultérieur",
        r"biblioth[eè]que TLS",
        r"(?<![\w-])--[a-z]",
        r"\bq\.[a-z_]+\.[a-z_]+",
        r"rgpd-audit (run|hds|register|password|questionnaire|demo|checks|schema)\b",
    )
]
# Owned by the register work (checks/register.yaml, its data): listed in its own texts.
CLIENT_TEXT_EXCEPTIONS = {"register."}


def _client_texts() -> list[tuple[str, str]]:
    texts: list[tuple[str, str]] = []
    for spec in SPECS:
        meta = spec.meta
        if any(meta.id.startswith(prefix) for prefix in CLIENT_TEXT_EXCEPTIONS):
            continue
        for text in (meta.title, meta.description, meta.risk, meta.remediation):
            texts.append((meta.id, text))
        texts += [(meta.id, variant) for variant in meta.remediation_variants.values()]
    for question in QUESTIONNAIRE.questions():
        texts += [(question.id, question.text), (question.id, question.help)]
        texts += [(question.id, c.label) for c in question.choices or []]
        for rule in question.scoring:
            texts += [(question.id, t) for t in (rule.title, rule.summary or "", rule.remediation)]
    for slug, reference in catalog.references().references.items():
        texts.append((slug, reference.label))
    texts.append(("references.yaml", catalog.references().snapshot.source))
    texts.append(("mail_providers.yaml", catalog.providers().snapshot.source))
    return texts


def test_client_texts_carry_no_internal_wording() -> None:
    found = [
        (where, pattern.pattern)
        for where, text in _client_texts()
        for pattern in INTERNAL
        if pattern.search(text)
    ]
    assert not found, found
