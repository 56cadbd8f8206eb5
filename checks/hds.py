"""HDS hosting: the practice's providers holding health data, against the certified hosts.

The providers come from the questionnaire answers and the `--inventory` file. The list of
certified hosts is the one `rgpd-audit hds update` downloaded, else the partial extract
shipped with the tool: absence from a partial list proves nothing, and a vendor's own claim
is never taken for a certificate.
"""

from __future__ import annotations

import datetime as dt
import re

from rgpd_audit.context import CheckContext
from rgpd_audit.errors import CheckError, ContentError
from rgpd_audit.hds.catalogs import activities, activity_text, consumer_services, matching_rules
from rgpd_audit.hds.matching import Match, Matcher
from rgpd_audit.hds.model import CertifiedHost
from rgpd_audit.hds.providers import (
    Declarations,
    DeclaredProvider,
    consumer_service,
    declared_providers,
)
from rgpd_audit.hds.store import ListInUse, current_list
from rgpd_audit.models import CheckResult, ErrorInfo, Evidence, Status
from rgpd_audit.registry import check

# Version of the certificate's référentiel as the list writes it: the 2018 référentiel (arrêté
# du 11 juin 2018, versions 1.x) was replaced by the 2024 one (arrêté du 26 avril 2024, v2.0).
_REFERENTIAL_2018 = re.compile(r"2018|(?<![\d.])v?\s*1(?:[.,]\d+)?(?![\d.,])", re.IGNORECASE)
_REFERENTIAL_2024 = re.compile(r"2024|(?<![\d.])v?\s*2(?:[.,]\d+)?(?![\d.,])", re.IGNORECASE)

_ASK = (
    "indiquez le nom des prestataires qui conservent des données de patients (questionnaire, "
    "section « Sous-traitants et hébergement », ou inventaire des prestataires)"
)


@check("hosting.hds.certified")
def hds_certified(ctx: CheckContext) -> list[CheckResult]:
    """Look each declared provider up in the list of certified hosts."""
    declared = _declarations(ctx)
    if not declared.known:
        return [_undeclared(ctx)]
    providers = [p for p in declared.providers if consumer_service(p.name) is None]
    results = [_unnamed(role) for role in declared.unnamed]
    if providers:
        in_use = _list_in_use(ctx)
        matcher = Matcher(in_use.hosts.hosts, matching_rules())
        results += [_judge(provider, matcher, in_use) for provider in providers]
    if results:
        return results
    reason = (
        "seulement des services grand public, jugés par le contrôle des services grand public"
        if declared.providers
        else "aucun prestataire ne conserve de données de patients d'après les réponses"
    )
    return [CheckResult(status=Status.NOT_APPLICABLE, summary=f"Sans objet : {reason}.")]


@check("hosting.hds.consumer_service")
def hds_consumer_service(ctx: CheckContext) -> list[CheckResult]:
    """Flag declared providers that are consumer messaging, mail or storage services."""
    declared = _declarations(ctx)
    if not declared.known:
        return [_undeclared(ctx)]
    if not declared.providers:
        return [
            CheckResult(
                status=Status.NOT_APPLICABLE,
                summary="Sans objet : aucun prestataire nommé ne conserve de données de patients.",
            )
        ]
    labels = consumer_services().kind_labels
    failures = []
    for provider in declared.providers:
        service = consumer_service(provider.name)
        if service is None:
            continue
        caveat = "" if service.verified else " (classement d'après la liste de l'outil)"
        failures.append(
            CheckResult(
                status=Status.FAIL,
                subject=provider.name,
                summary=f"{_who(provider)} : {labels[service.kind]} ({service.name}){caveat}. "
                "Sauf contrat et certificat HDS couvrant ce service, les données de santé qui "
                "y sont conservées doivent être considérées comme hébergées hors HDS.",
                evidence=[_declared_evidence(provider)],
            )
        )
    if failures:
        return failures
    names = ", ".join(f"« {p.name} »" for p in declared.providers)
    return [
        CheckResult(
            status=Status.PASS,
            summary=f"Aucun service grand public parmi les prestataires déclarés ({names}).",
            evidence=[_declared_evidence(p) for p in declared.providers],
        )
    ]


def _declarations(ctx: CheckContext) -> Declarations:
    return ctx.memo(
        ("hds-declarations",),
        lambda: declared_providers(ctx.answers, ctx.config.inventory_file),
    )


def _list_in_use(ctx: CheckContext) -> ListInUse:
    try:
        return ctx.memo(("hds-list",), current_list)
    except ContentError as exc:
        raise CheckError(
            "unverified", f"liste des hébergeurs certifiés illisible : {exc}"
        ) from None


def _judge(provider: DeclaredProvider, matcher: Matcher, in_use: ListInUse) -> CheckResult:
    today = dt.date.today()
    matches = matcher.search(provider.name)
    certain = [m for m in matches if m.certain]
    evidence = [_declared_evidence(provider), _list_evidence(in_use)]
    evidence += [_match_evidence(m) for m in matches[:3]]
    if certain:
        valid = [m for m in certain if not m.host.expired(today)]
        if valid:
            host = valid[0].host
            if host.activities and provider.activity not in (None, *host.activities):
                return _unverified(
                    provider,
                    f"{_who(provider)} : {host.legal_name} figure dans la liste de l'ANS "
                    f"({_certificate(host)}), mais son certificat ne mentionne pas l'activité "
                    f"{provider.activity} ({_activity_label(provider.activity)}) : vérifiez "
                    "qu'il couvre le service utilisé.",
                    evidence,
                )
            if _on_2018_referential(host):
                return _unverified(
                    provider,
                    f"{_who(provider)} : {host.legal_name} figure dans la liste de l'ANS "
                    f"({_certificate(host)}), avec un certificat selon le référentiel HDS de "
                    "2018. Le référentiel de 2024 (arrêté du 26 avril 2024) a laissé aux "
                    "hébergeurs déjà certifiés une période de transition dont la date de fin "
                    "n'a pas pu être vérifiée : à confirmer auprès de l'hébergeur.",
                    evidence,
                    "referential_2018",
                )
            return CheckResult(
                status=Status.PASS,
                subject=provider.name,
                summary=f"{_who(provider)} : certifié HDS d'après la liste de l'ANS "
                f"({host.legal_name} ; {_certificate(host)}).",
                evidence=evidence,
            )
        host = certain[0].host
        return CheckResult(
            status=Status.FAIL,
            subject=provider.name,
            summary=f"{_who(provider)} : le certificat HDS de {host.legal_name} relevé dans la "
            f"liste de l'ANS a expiré le {host.valid_until:%d/%m/%Y}.",
            evidence=evidence,
            remediation_key="expired",
        )
    hosted = _certified_host(provider, matcher, today)
    if hosted is not None:
        evidence.append(_match_evidence(hosted))
        return _unverified(
            provider,
            f"{_who(provider)} : absent de la liste ; l'hébergeur déclaré « {provider.host} » y "
            f"figure ({hosted.host.legal_name} ; {_certificate(hosted.host)}). Vérifiez que le "
            "prestataire n'exerce pas lui-même d'activité d'hébergement (administration, "
            "sauvegarde…) ou demandez-lui son propre certificat.",
            evidence,
        )
    claims = [m for m in matches if m.name_certain]
    if claims:
        host = claims[0].host
        scope = f" Périmètre : {host.scope}" if host.scope else ""
        return _unverified(
            provider,
            f"{_who(provider)} : certifié HDS d'après la déclaration du fournisseur "
            f"({host.legal_name}), à confirmer dans la liste de l'ANS.{scope}",
            evidence,
        )
    if matches:
        found = "; ".join(f"{m.host.legal_name} ({m.explanation})" for m in matches[:3])
        return _unverified(
            provider,
            f"{_who(provider)} : correspondance incertaine dans la liste des hébergeurs "
            f"certifiés : {found}. Vérifiez qu'il s'agit bien de la même société.",
            evidence,
        )
    if in_use.hosts.snapshot.complete:
        return CheckResult(
            status=Status.FAIL,
            subject=provider.name,
            summary=f"{_who(provider)} : absent de la liste des hébergeurs certifiés HDS "
            f"({in_use.for_report()}).",
            evidence=evidence,
        )
    return _unverified(
        provider,
        f"{_who(provider)} : absent de l'extrait partiel de la liste des hébergeurs certifiés "
        "fourni avec l'outil ; cette absence ne prouve rien tant que la liste officielle de "
        "l'ANS n'a pas été consultée.",
        evidence,
    )


def _certified_host(provider: DeclaredProvider, matcher: Matcher, today: dt.date) -> Match | None:
    if not provider.host:
        return None
    return next(
        (m for m in matcher.search(provider.host) if m.certain and not m.host.expired(today)),
        None,
    )


def _unverified(
    provider: DeclaredProvider,
    summary: str,
    evidence: list[Evidence],
    remediation_key: str = "unverified",
) -> CheckResult:
    return CheckResult(
        status=Status.INDETERMINATE,
        subject=provider.name,
        summary=summary,
        evidence=evidence,
        error=ErrorInfo(reason="unverified", message="certification HDS à confirmer"),
        remediation_key=remediation_key,
    )


def _on_2018_referential(host: CertifiedHost) -> bool:
    """Whether the list says the certificate follows the 2018 référentiel (versions 1.x)."""
    text = host.referential or ""
    return bool(_REFERENTIAL_2018.search(text)) and not _REFERENTIAL_2024.search(text)


def _unnamed(role: str) -> CheckResult:
    return CheckResult(
        status=Status.INDETERMINATE,
        subject=role,
        summary=f"Prestataire « {role} » déclaré sans nom : impossible de le rechercher dans la "
        "liste des hébergeurs certifiés.",
        error=ErrorInfo(reason="unanswered", message=f"nom du prestataire ({role}) manquant"),
        remediation_key="unanswered",
    )


def _undeclared(ctx: CheckContext) -> CheckResult:
    # A purely technical audit (no questionnaire, no inventory) has nothing to say about
    # providers; a questionnaire that leaves the list of providers open must ask for it.
    if not ctx.answers:
        return CheckResult(
            status=Status.NOT_APPLICABLE,
            summary="Sans questionnaire ni inventaire des prestataires : prestataires non "
            "examinés.",
        )
    return CheckResult(
        status=Status.INDETERMINATE,
        summary="Prestataires hébergeant des données de santé non déclarés dans le questionnaire.",
        error=ErrorInfo(reason="unanswered", message=_ASK),
        remediation_key="unanswered",
    )


def _activity_label(number: int) -> str:
    return dict(activities().activities).get(number, "")


def _who(provider: DeclaredProvider) -> str:
    return f"« {provider.name} » ({provider.role})"


def _certificate(host: CertifiedHost) -> str:
    parts = [activity_text(host.activities)]
    if host.valid_until:
        parts.append(f"valable jusqu'au {host.valid_until:%d/%m/%Y}")
    if host.referential:
        parts.append(f"référentiel {host.referential}")
    if host.certification_body:
        parts.append(f"certificateur {host.certification_body}")
    return ", ".join(parts)


def _declared_evidence(provider: DeclaredProvider) -> Evidence:
    value = f"{provider.name} — {provider.role} — déclaré dans : {provider.origin}"
    if provider.host:
        value += f" — hébergeur déclaré : {provider.host}"
    return Evidence(label="Prestataire", value=value)


def _list_evidence(in_use: ListInUse) -> Evidence:
    return Evidence(label="Liste des hébergeurs certifiés", value=in_use.for_report())


def _match_evidence(match: Match) -> Evidence:
    host = match.host
    origin = (
        "liste de l'ANS" if host.verified else "déclaration du fournisseur, non vérifiée par l'ANS"
    )
    return Evidence(
        label=f"Correspondance : {host.legal_name}",
        value=f"{match.explanation} ; {_certificate(host)} ; {origin} ; source {host.source}",
    )
