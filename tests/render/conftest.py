"""Fixtures for the renderer tests: a realistic audit result built by hand.

Scores are written out literally: these tests check rendering, not the scoring method.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rgpd_audit.models import (
    AuditResult,
    CategoryScore,
    Consultant,
    DataSnapshot,
    ErrorInfo,
    Evidence,
    Finding,
    Reference,
    Scores,
    Severity,
    Status,
    Target,
    Verdict,
)

# A title, a firm and a full contact line, as a consultant may well configure them.
LONG_CONSULTANT = Consultant(
    name="Marie-Christine de La Tour-Dupont-Villeneuve",
    role="Déléguée à la protection des données externe, auditrice ISO 27001 et HDS",
    firm="Société d'expertise en protection des données de santé des professions libérales",
    contact="marie-christine.delatour@expertise-donnees-sante.example.fr · 01 23 45 67 89"
    " · 12 rue de la République, 75011 Paris",
)

HOSTILE_BANNER = "220 mx1.cabinet-dupont.fr ESMTP <script>alert('banner')</script> ready"
LONG_TXT = (
    "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAz3Qm9f8ZkV1vYd2d7Q0p"
    "Xr6Hq2mN0b7k3xYw9WcP4tEJd0Lr7aQfM1sVnU8oKgHq3Zy5cR2bT6eW1uI9oP0aS4dF7gH8jK2lZ3xC5vB"
    "6nM1qW8eR4tY7uI0oP3aS6dF9gH2jK5lZ8xC1vB4nM7qW0eR3tY6uI9oP2aS5dF8gH1jK4lZ7xC0vB3nM6"
)

RGPD_32 = Reference(
    label="RGPD art. 32 — sécurité du traitement",
    url="https://eur-lex.europa.eu/eli/reg/2016/679/oj",
)
CNIL_CABINETS = Reference(
    label="CNIL — Référentiel « gestion des cabinets médicaux et paramédicaux » (2020)",
    url="https://www.cnil.fr/sites/default/files/atoms/files/referentiel_-_cabinet.pdf",
)
CSP_L1110_4 = Reference(
    label="Code de la santé publique, art. L.1110-4 — secret professionnel", url=None
)


def _findings() -> list[Finding]:
    return [
        Finding(
            check_id="mail.starttls.offered",
            title="Chiffrement STARTTLS proposé par le serveur de messagerie",
            status=Status.FAIL,
            severity=Severity.CRITICAL,
            category="messagerie",
            subject="mx1.cabinet-dupont.fr",
            summary=(
                "Le serveur mx1.cabinet-dupont.fr accepte les messages sans proposer STARTTLS : "
                "les courriels reçus (comptes rendus, résultats) circulent en clair sur Internet."
            ),
            evidence=[
                Evidence(label="Bannière SMTP", value=HOSTILE_BANNER),
                Evidence(
                    label="Extensions EHLO", value=["PIPELINING", "SIZE 52428800", "8BITMIME"]
                ),
            ],
            remediation=(
                "Activer STARTTLS sur le serveur de réception avec un certificat valide. "
                "Si la messagerie est hébergée, demander à l'hébergeur l'activation du chiffrement."
            ),
            references=[RGPD_32, CNIL_CABINETS],
            duration_ms=412,
        ),
        Finding(
            check_id="mail.provider.consumer",
            title="Messagerie grand public utilisée pour des données de santé",
            status=Status.FAIL,
            severity=Severity.HIGH,
            category="fournisseur",
            subject="cabinet-dupont.fr",
            summary=(
                "Les MX du domaine pointent vers un service de messagerie grand public, qui "
                "n'est pas certifié HDS et dont les conditions ne couvrent pas les données de "
                "santé."
            ),
            evidence=[
                Evidence(label="Fournisseur détecté", value="Gmail (Google LLC)"),
                Evidence(label="Enregistrement DKIM google._domainkey", value=LONG_TXT),
            ],
            remediation=(
                "Migrer vers une messagerie sécurisée de santé (MSSanté) pour les échanges de "
                "données de santé. Conserver la messagerie actuelle pour le courrier administratif."
            ),
            references=[CNIL_CABINETS, CSP_L1110_4],
        ),
        Finding(
            check_id="mail.tls.certificate",
            title="Validité du certificat TLS du serveur de messagerie",
            status=Status.FAIL,
            severity=Severity.LOW,
            category="messagerie",
            subject="mx2.cabinet-dupont.fr",
            summary="Le certificat est valide mais expire dans 12 jours (le 7 décembre 2026).",
            evidence=[
                Evidence(
                    label="Certificat",
                    value={
                        "sujet": "CN=mx2.cabinet-dupont.fr",
                        "émetteur": "CN=R11, O=Let's Encrypt, C=US",
                        "noms": ["mx2.cabinet-dupont.fr", "mail.cabinet-dupont.fr"],
                        "jours restants": 12,
                    },
                ),
            ],
            remediation="Renouveler le certificat et automatiser son renouvellement (ACME).",
            references=[RGPD_32],
        ),
        Finding(
            check_id="mail.tls.certificate",
            title="Validité du certificat TLS du serveur de messagerie",
            status=Status.INDETERMINATE,
            severity=Severity.HIGH,
            category="messagerie",
            subject="mx3.cabinet-dupont.fr",
            summary="Le serveur mx3.cabinet-dupont.fr n'a pas répondu dans le délai imparti.",
            remediation=(
                "Vérifier que le serveur est joignable sur le port 25 puis relancer l'audit."
            ),
            references=[RGPD_32],
            error=ErrorInfo(reason="timeout", message="pas de réponse SMTP après 10 s"),
        ),
        Finding(
            check_id="mail.mx.present",
            title="Serveurs de réception (MX) déclarés",
            status=Status.PASS,
            severity=Severity.HIGH,
            category="messagerie",
            summary="Le domaine déclare 3 serveurs de réception.",
            evidence=[
                Evidence(
                    label="Enregistrements MX",
                    value=[
                        "10 mx1.cabinet-dupont.fr.",
                        "20 mx2.cabinet-dupont.fr.",
                        "30 mx3.cabinet-dupont.fr.",
                    ],
                ),
                Evidence(label="TTL", value=3600),
                Evidence(label="DNSSEC", value=False),
            ],
            remediation="Aucune action.",
            references=[RGPD_32],
        ),
        Finding(
            check_id="mail.dane.tlsa",
            title="Enregistrements DANE/TLSA",
            status=Status.NOT_APPLICABLE,
            severity=Severity.INFO,
            category="messagerie",
            summary="Sans DNSSEC, DANE ne peut pas être déployé.",
            remediation="Aucune action.",
        ),
        Finding(
            check_id="questionnaire.messagerie_securisee",
            source="questionnaire",
            title="Messagerie sécurisée de santé pour les échanges entre professionnels",
            status=Status.FAIL,
            severity=Severity.MEDIUM,
            category="communication",
            summary=(
                "Le cabinet déclare échanger des comptes rendus avec les confrères par messagerie "
                "ordinaire."
            ),
            remediation=(
                "Ouvrir une boîte MSSanté (gratuite via Mailiz pour les professionnels inscrits "
                "à l'Ordre) et l'utiliser pour tout envoi de données de santé. Informer les "
                "confrères."
            ),
            references=[CSP_L1110_4, CNIL_CABINETS],
        ),
        Finding(
            check_id="questionnaire.registre_traitements",
            source="questionnaire",
            title="Registre des activités de traitement",
            status=Status.PASS,
            severity=Severity.MEDIUM,
            category="communication",
            summary="Le cabinet tient un registre des traitements à jour.",
            remediation="Aucune action.",
        ),
        Finding(
            check_id="questionnaire.formation_personnel",
            source="questionnaire",
            title="Sensibilisation du personnel à la confidentialité",
            status=Status.INDETERMINATE,
            severity=Severity.LOW,
            category="communication",
            summary="La question n'a pas reçu de réponse.",
            remediation="Répondre à la question lors du prochain audit.",
            error=ErrorInfo(reason="unanswered", message="aucune réponse fournie"),
        ),
    ]


def _scores() -> Scores:
    return Scores(
        overall=CategoryScore(
            category="global",
            label="Global",
            score=52,
            grade="D",
            evaluated=7,
            not_evaluated=2,
            coverage=78,
            failed=4,
            capped_by_critical=True,
        ),
        categories=[
            CategoryScore(
                category="messagerie",
                label="Messagerie : réception et chiffrement",
                score=48,
                grade="D",
                evaluated=3,
                not_evaluated=2,
                coverage=60,
                failed=2,
                capped_by_critical=True,
            ),
            CategoryScore(
                category="fournisseur",
                label="Fournisseurs et hébergement",
                score=0,
                grade="F",
                evaluated=1,
                not_evaluated=0,
                coverage=100,
                failed=1,
            ),
            CategoryScore(
                category="communication",
                label="Communication avec les patients et les confrères",
                score=70,
                grade="C",
                evaluated=2,
                not_evaluated=1,
                coverage=67,
                failed=1,
            ),
        ],
    )


def build_result(**changes: object) -> AuditResult:
    """A complete audit of a fictional practice; `changes` override top-level fields."""
    result = AuditResult(
        tool_version="0.1.0",
        target=Target(
            domain="cabinet-dupont.fr",
            practice_name="Cabinet de kinésithérapie Dupont & Martin",
            emails=["secretariat@cabinet-dupont.fr"],
            profile="kine",
        ),
        started_at=datetime(2026, 11, 25, 14, 2, 11, tzinfo=UTC),
        finished_at=datetime(2026, 11, 25, 14, 4, 37, tzinfo=UTC),
        findings=_findings(),
        answers={
            "messagerie_securisee": False,
            "chiffrement_pieces_jointes": "parfois",
            "registre_traitements": True,
            "formation_personnel": None,
            "logiciels_metier": ["Doctolib", "Kiné+4000"],
        },
        questionnaire="cabinet-sante v1",
        scores=_scores(),
        verdict=Verdict(
            grade="E",
            conformity_score=40,
            security_score=52,
            unmet_obligations=2,
            met_obligations=3,
            capped_by=Severity.CRITICAL,
            scope="complet",
            failed_controls=4,
        ),
        data_snapshots=[
            DataSnapshot(
                name="Références réglementaires",
                source="Fiche réglementaire rgpd-audit (textes officiels RGPD, CNIL, ANS, IETF)",
                retrieved="2026-11-25",
            ),
            DataSnapshot(
                name="Fournisseurs de messagerie",
                source="Liste des fournisseurs grand public et MSSanté (ANS)",
                retrieved="2026-11-20",
            ),
        ],
    )
    return result.model_copy(update=changes)


@pytest.fixture
def result() -> AuditResult:
    """A realistic, complete audit result."""
    return build_result()


@pytest.fixture
def make_result() -> object:
    """Factory building variants of the sample result (e.g. `complete=False`)."""
    return build_result
