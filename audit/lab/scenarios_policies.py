"""Lab scenarios of the DKIM, MTA-STS, TLS-RPT and provider checks.

Addresses of this family's hosts: 127.0.0.80–99. An `mta-sts.<domain>` HTTPS host shares
the address of its domain's MX (the services listen on different ports). DKIM keys in the
zones are real public keys generated once (RSA 512, 1024 and 2048 bits, Ed25519); their
private halves were never kept.
"""

from __future__ import annotations

from typing import Any

from rgpd_audit.lab.https_server import HttpsSite
from rgpd_audit.lab.pki import CertKind
from rgpd_audit.lab.scenario_types import (
    FAIL,
    INDETERMINATE,
    NOT_APPLICABLE,
    PASS,
    LabHost,
    Scenario,
    lab_domain,
    lab_scenario,
)

DKIM_PRESENT = "mail.dkim.present"
DKIM_KEY = "mail.dkim.key"
DKIM_TESTING = "mail.dkim.testing"
STS_RECORD = "mail.mta_sts.record"
STS_POLICY = "mail.mta_sts.policy"
STS_MODE = "mail.mta_sts.mode"
STS_COVERAGE = "mail.mta_sts.mx_coverage"
STS_MX_TLS = "mail.mta_sts.mx_tls"
TLS_RPT = "mail.tls_rpt.record"
JURISDICTION = "mail.provider.jurisdiction"


def _dkim(present: str, key: str, testing: str) -> dict[str, str]:
    return {DKIM_PRESENT: present, DKIM_KEY: key, DKIM_TESTING: testing}


def _sts(
    record: str, policy: str, mode: str, coverage: str, mx_tls: str | None = None
) -> dict[str, str]:
    return {
        STS_RECORD: record,
        STS_POLICY: policy,
        STS_MODE: mode,
        STS_COVERAGE: coverage,
        STS_MX_TLS: mx_tls or coverage,
    }


_UNUSABLE_POLICY = _sts(PASS, FAIL, NOT_APPLICABLE, NOT_APPLICABLE)
_NO_KEY = _dkim(INDETERMINATE, NOT_APPLICABLE, NOT_APPLICABLE)


SCENARIOS: tuple[Scenario, ...] = (
    lab_scenario(
        "dkim-rsa2048",
        "Clé DKIM RSA de 2048 bits au sélecteur de Google Workspace.",
        _dkim(PASS, PASS, PASS),
    ),
    lab_scenario(
        "dkim-rsa1024",
        "Clé DKIM RSA de 1024 bits : admise, mais sous les 2048 bits recommandés.",
        _dkim(PASS, FAIL, PASS),
    ),
    lab_scenario(
        "dkim-rsa512",
        "Clé DKIM RSA de 512 bits, refusée par les destinataires (RFC 8301).",
        _dkim(PASS, FAIL, PASS),
    ),
    lab_scenario(
        "dkim-ed25519",
        "Double signature DKIM : une clé Ed25519 et une clé RSA de 2048 bits.",
        _dkim(PASS, PASS, PASS),
    ),
    lab_scenario(
        "dkim-test",
        "La seule clé DKIM porte l'indicateur t=y (mode test).",
        _dkim(PASS, PASS, FAIL),
    ),
    lab_scenario(
        "dkim-revoque",
        "La seule clé DKIM trouvée est révoquée (p= vide).",
        dict(_NO_KEY),
    ),
    lab_scenario(
        "dkim-absent",
        "Aucune clé DKIM aux sélecteurs essayés.",
        dict(_NO_KEY),
    ),
    lab_scenario(
        "dkim-perso",
        "Clé DKIM à un sélecteur propre au cabinet, trouvée seulement avec --dkim-selector.",
        dict(_NO_KEY),
    ),
    lab_scenario(
        "dkim-illisible",
        "Enregistrement DKIM dont la balise p= n'est pas une clé publique.",
        _dkim(INDETERMINATE, FAIL, NOT_APPLICABLE),
    ),
    lab_scenario(
        "sts-enforce",
        "MTA-STS en mode enforce couvrant le MX, et rapports TLS-RPT par courriel.",
        {**_sts(PASS, PASS, PASS, PASS), TLS_RPT: PASS, JURISDICTION: NOT_APPLICABLE},
    ),
    lab_scenario(
        "sts-testing",
        "Politique MTA-STS laissée en mode testing, avec un max_age d'un jour.",
        _sts(PASS, FAIL, FAIL, PASS),
    ),
    lab_scenario(
        "sts-mx-manquant",
        "Deux MX, la politique MTA-STS n'en nomme qu'un.",
        _sts(PASS, PASS, PASS, FAIL, mx_tls=PASS),
    ),
    lab_scenario(
        "sts-mauvais-type",
        "Le fichier de politique MTA-STS est servi en text/html.",
        _sts(PASS, FAIL, PASS, PASS),
    ),
    lab_scenario(
        "sts-cert-expire",
        "L'hôte mta-sts présente un certificat expiré.",
        dict(_UNUSABLE_POLICY),
    ),
    lab_scenario(
        "sts-sans-politique",
        "Enregistrement TXT publié, le fichier de politique répond 404.",
        dict(_UNUSABLE_POLICY),
    ),
    lab_scenario(
        "sts-erreur-serveur",
        "Le serveur de la politique répond 503 : erreur passagère, rien ne peut être conclu.",
        _sts(PASS, INDETERMINATE, INDETERMINATE, INDETERMINATE),
    ),
    lab_scenario(
        "sts-max-age",
        "max_age au-delà du maximum d'un an de la RFC 8461.",
        dict(_UNUSABLE_POLICY),
    ),
    lab_scenario(
        "sts-absent",
        "Ni MTA-STS ni TLS-RPT.",
        {**_sts(FAIL, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE), TLS_RPT: FAIL},
    ),
    lab_scenario(
        "sts-redirection",
        "L'adresse de la politique MTA-STS redirige ailleurs, ce que la RFC 8461 interdit.",
        dict(_UNUSABLE_POLICY),
    ),
    lab_scenario(
        "sts-joker",
        "Politique enforce avec un motif mx générique, rapports TLS-RPT en HTTPS.",
        {**_sts(PASS, PASS, PASS, PASS), TLS_RPT: PASS},
    ),
    lab_scenario(
        "sts-cert-mx",
        "Politique enforce correcte, mais le MX présente un certificat expiré.",
        _sts(PASS, PASS, PASS, PASS, mx_tls=FAIL),
    ),
    lab_scenario(
        "sts-sans-hote",
        "Enregistrement TXT publié mais aucun hôte mta-sts dans le DNS.",
        dict(_UNUSABLE_POLICY),
    ),
    lab_scenario(
        "tlsrpt-invalide",
        "Enregistrement TLS-RPT avec une destination ftp:.",
        {TLS_RPT: FAIL},
    ),
    lab_scenario(
        "tlsrpt-double",
        "Deux enregistrements TLS-RPT : les expéditeurs n'en utilisent aucun.",
        {TLS_RPT: FAIL},
    ),
    lab_scenario(
        "fournisseur-google",
        "Messagerie hébergée par Google Workspace (noms seulement, sans adresse au laboratoire).",
        {JURISDICTION: FAIL},
    ),
    lab_scenario(
        "fournisseur-ovh",
        "Messagerie hébergée par OVHcloud (noms seulement, sans adresse au laboratoire).",
        {JURISDICTION: PASS},
    ),
    lab_scenario(
        "fournisseur-spf",
        "Serveur MX propre, envoi par Microsoft 365 déclaré dans le SPF.",
        {JURISDICTION: FAIL},
    ),
)


HOSTS: tuple[LabHost, ...] = (
    LabHost(f"mx.{lab_domain('sts-enforce')}", "127.0.0.80", "sts-enforce"),
    LabHost(f"mx.{lab_domain('sts-testing')}", "127.0.0.81", "sts-testing"),
    LabHost(f"mx1.{lab_domain('sts-mx-manquant')}", "127.0.0.82", "sts-mx-manquant"),
    LabHost(f"mx2.{lab_domain('sts-mx-manquant')}", "127.0.0.83", "sts-mx-manquant"),
    LabHost(f"mx.{lab_domain('sts-mauvais-type')}", "127.0.0.84", "sts-mauvais-type"),
    LabHost(f"mx.{lab_domain('sts-cert-expire')}", "127.0.0.85", "sts-cert-expire"),
    LabHost(f"mx.{lab_domain('sts-sans-politique')}", "127.0.0.86", "sts-sans-politique"),
    LabHost(f"mx.{lab_domain('sts-max-age')}", "127.0.0.87", "sts-max-age"),
    LabHost(f"mx.{lab_domain('sts-erreur-serveur')}", "127.0.0.96", "sts-erreur-serveur"),
    LabHost(f"mx.{lab_domain('sts-absent')}", "127.0.0.88", "sts-absent"),
    LabHost(f"mx.{lab_domain('sts-redirection')}", "127.0.0.89", "sts-redirection"),
    LabHost(f"mx.{lab_domain('sts-joker')}", "127.0.0.90", "sts-joker"),
    LabHost(f"mx.{lab_domain('sts-sans-hote')}", "127.0.0.91", "sts-sans-hote"),
    LabHost(f"mx.{lab_domain('tlsrpt-invalide')}", "127.0.0.92", "tlsrpt-invalide"),
    LabHost(f"mx.{lab_domain('fournisseur-spf')}", "127.0.0.93", "fournisseur-spf"),
    LabHost(f"mx.{lab_domain('tlsrpt-double')}", "127.0.0.94", "tlsrpt-double"),
    LabHost(f"mx.{lab_domain('sts-cert-mx')}", "127.0.0.95", "sts-cert-mx", cert=CertKind.EXPIRED),
)


def _policy(mode: str, mx: tuple[str, ...], max_age: int, newline: str = "\r\n") -> str:
    lines = ["version: STSv1", f"mode: {mode}", *(f"mx: {name}" for name in mx)]
    return newline.join([*lines, f"max_age: {max_age}"]) + newline


def _site(name: str, address: str, policy: str | None, **options: Any) -> HttpsSite:
    return HttpsSite(f"mta-sts.{lab_domain(name)}", address, name, policy, **options)


_WEEK = 604_800

#: The `mta-sts.<domain>` hosts of the MTA-STS scenarios, served by `https_server`.
HTTPS_SITES: tuple[HttpsSite, ...] = (
    _site(
        "sts-enforce", "127.0.0.80", _policy("enforce", (f"mx.{lab_domain('sts-enforce')}",), _WEEK)
    ),
    _site(
        "sts-testing",
        "127.0.0.81",
        # A day, as often published while testing: reported as too short a cache life.
        _policy("testing", (f"mx.{lab_domain('sts-testing')}",), 86_400, newline="\n"),
    ),
    _site(
        "sts-mx-manquant",
        "127.0.0.82",
        _policy("enforce", (f"mx1.{lab_domain('sts-mx-manquant')}",), _WEEK),
    ),
    _site(
        "sts-mauvais-type",
        "127.0.0.84",
        _policy("enforce", (f"mx.{lab_domain('sts-mauvais-type')}",), _WEEK),
        content_type="text/html; charset=utf-8",
    ),
    _site(
        "sts-cert-expire",
        "127.0.0.85",
        _policy("enforce", (f"mx.{lab_domain('sts-cert-expire')}",), _WEEK),
        cert=CertKind.EXPIRED,
    ),
    _site("sts-sans-politique", "127.0.0.86", None),
    _site(
        "sts-erreur-serveur",
        "127.0.0.96",
        _policy("enforce", (f"mx.{lab_domain('sts-erreur-serveur')}",), _WEEK),
        status=503,
    ),
    _site(
        "sts-max-age",
        "127.0.0.87",
        _policy("enforce", (f"mx.{lab_domain('sts-max-age')}",), 99_999_999),
    ),
    _site(
        "sts-redirection",
        "127.0.0.89",
        None,
        status=301,
        location=f"https://www.{lab_domain('sts-redirection')}/mta-sts.txt",
    ),
    _site(
        "sts-cert-mx", "127.0.0.95", _policy("enforce", (f"mx.{lab_domain('sts-cert-mx')}",), _WEEK)
    ),
    _site(
        "sts-joker", "127.0.0.90", _policy("enforce", (f"*.{lab_domain('sts-joker')}",), 2 * _WEEK)
    ),
    # The well-run practice of the transport scenarios publishes an enforced policy too.
    HttpsSite(
        "mta-sts.cabinet-conforme.fr",
        "127.0.0.12",
        "conforme",
        _policy("enforce", ("mx.cabinet-conforme.fr",), _WEEK),
    ),
)
