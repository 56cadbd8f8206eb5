"""DMARC (RFC 9989): the policy receivers apply to mail that fails SPF and DKIM alignment,
and where the reports about the practice's mail go.

The applicable record is found once per audit by the RFC 9989 DNS Tree Walk (memoised);
RFC 7489 only matters as the origin of the tags that RFC 9989 removed.
"""

from __future__ import annotations

from rgpd_audit.context import CheckContext
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, ErrorInfo, Evidence, Severity, Status
from rgpd_audit.records.dmarc import ReportUri
from rgpd_audit.records.dmarc_discovery import (
    DmarcDiscovery,
    authorisation_name,
    discover,
    is_external,
    report_authorised,
)
from rgpd_audit.records.dmarc_receivers import receivers
from rgpd_audit.registry import check

_POLICY_WORDS = {
    "none": "aucune action (surveillance seule)",
    "quarantine": "mise en quarantaine (courrier indésirable)",
    "reject": "rejet",
}


def _discovery(ctx: CheckContext) -> DmarcDiscovery:
    return ctx.memo(("dmarc", ctx.target.domain), lambda: _discover(ctx))


def _discover(ctx: CheckContext) -> DmarcDiscovery:
    # The MX lookup (does the domain exist?) starts alongside the walk, which only waits for
    # it when the policy comes from a parent: the two DNS chains overlap instead of adding up.
    def walk() -> DmarcDiscovery:
        return discover(ctx.target.domain, ctx.lookup, domain_exists=lambda: _exists(ctx))

    def mx() -> None:
        _exists(ctx)

    found, _ = ctx.map(lambda job: job(), [walk, mx])
    return found


def _exists(ctx: CheckContext) -> bool:
    try:
        return ctx.mx().exists
    except CheckError:
        # Unknown: `sp` (existing sub-domains) is the common case.
        return True


def _walk_evidence(found: DmarcDiscovery) -> list[Evidence]:
    evidence = []
    for step in found.steps:
        if step.dns_error:
            value: str | list[str] = f"non lu : {step.dns_error}"
        elif step.records:
            value = step.records
        elif step.others:
            # e.g. " v=DMARC1; …" or "v=DMARC2": a receiver does not read them as DMARC.
            value = ["aucun enregistrement DMARC ; texte ignoré :", *step.others]
        else:
            value = "aucun enregistrement DMARC"
        evidence.append(Evidence(label=f"_dmarc.{step.name}", value=value))
    return evidence


def _no_record() -> CheckResult:
    return CheckResult(
        status=Status.NOT_APPLICABLE,
        summary="Non évalué : aucun enregistrement DMARC ne s'applique (voir « Enregistrement "
        "DMARC »).",
    )


@check("mail.dmarc.present")
def dmarc_present(ctx: CheckContext) -> list[CheckResult]:
    """A single DMARC record applies to the domain (its own, or its organisation's)."""
    found = _discovery(ctx)
    evidence = _walk_evidence(found)
    own = found.own_step
    if len(own.records) > 1:
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"_dmarc.{found.domain} publie {len(own.records)} enregistrements "
                "DMARC : les destinataires les ignorent tous, comme s'il n'y en avait aucun.",
                evidence=evidence,
                remediation_key="several",
            )
        ]
    if found.source == "domain":
        return [
            CheckResult(
                status=Status.PASS,
                summary=f"{found.domain} publie un enregistrement DMARC.",
                evidence=evidence,
            )
        ]
    if found.source == "organisation":
        return [
            CheckResult(
                status=Status.PASS,
                summary=f"{found.domain} n'a pas d'enregistrement propre mais hérite de celui de "
                f"son domaine d'organisation {found.record_domain} (parcours de l'arbre DNS, "
                "RFC 9989).",
                evidence=evidence,
            )
        ]
    remediation = "no_mail" if ctx.sends_no_mail() else None
    if found.source == "psd":
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"{found.domain} ne publie pas d'enregistrement DMARC ; seule la politique "
                f"générale du suffixe public {found.record_domain} s'applique, que le cabinet ne "
                "maîtrise pas.",
                evidence=evidence,
                remediation_key=remediation,
            )
        ]
    summary = (
        f"Aucun enregistrement DMARC pour {found.domain} ni pour ses domaines parents : les "
        "destinataires n'appliquent aucune politique aux messages qui usurpent le domaine."
    )
    if found.unresolved:
        summary += f" (Niveaux non lus : {', '.join(found.unresolved)}.)"
    return [
        CheckResult(
            status=Status.FAIL, summary=summary, evidence=evidence, remediation_key=remediation
        )
    ]


@check("mail.dmarc.valid")
def dmarc_valid(ctx: CheckContext) -> list[CheckResult]:
    """The applicable record's tags are valid RFC 9989 tags with valid values."""
    found = _discovery(ctx)
    record = found.record
    if record is None or found.source == "psd":
        return [_no_record()]
    evidence = [Evidence(label=f"_dmarc.{found.record_domain}", value=record.text)]
    if record.errors:
        return [
            CheckResult(
                status=Status.FAIL,
                summary="Enregistrement DMARC mal formé, les destinataires ignorent ou "
                "remplacent par défaut : " + " ; ".join(record.errors) + ".",
                evidence=[*evidence, Evidence(label="Erreurs", value=record.errors)],
            )
        ]
    notes = []
    if record.unknown_tags:
        notes.append(
            "tag(s) inconnu(s) ignoré(s) par les destinataires : " + ", ".join(record.unknown_tags)
        )
    if record.removed_tags or record.warnings:
        problems = list(record.warnings)
        if record.removed_tags:
            problems.insert(
                0,
                "tag(s) " + ", ".join(record.removed_tags) + " supprimé(s) par la RFC 9989 "
                "(ils n'ont plus d'effet)",
            )
        return [
            CheckResult(
                status=Status.FAIL,
                severity=Severity.LOW,
                summary="Enregistrement DMARC lisible, à nettoyer : "
                + " ; ".join(problems + notes)
                + ".",
                evidence=[*evidence, Evidence(label="Avertissements", value=problems + notes)],
                remediation_key="cleanup",
            )
        ]
    summary = "Enregistrement DMARC conforme à la RFC 9989."
    if notes:
        summary += " Remarque : " + " ; ".join(notes) + "."
    return [CheckResult(status=Status.PASS, summary=summary, evidence=evidence)]


@check("mail.dmarc.policy")
def dmarc_policy(ctx: CheckContext) -> list[CheckResult]:
    """The effective policy asks receivers to quarantine or reject failing mail."""
    found = _discovery(ctx)
    record = found.record
    if record is None or found.effective_policy is None or found.source == "psd":
        return [_no_record()]
    effective = found.effective_policy
    evidence = [
        Evidence(label=f"_dmarc.{found.record_domain}", value=record.text),
        Evidence(label="Politique publiée", value=found.applied_policy),
        Evidence(label="Politique effective", value=effective),
    ]
    origin = "" if found.source == "domain" else f" (héritée de {found.record_domain}, tag sp/np)"
    testing = ""
    if record.testing:
        testing = (
            f" Le mode test (t=y) abaisse la politique publiée « {found.applied_policy} » d'un "
            "niveau."
        )
    words = _POLICY_WORDS[effective]
    if ctx.sends_no_mail() and effective != "reject":
        return [
            CheckResult(
                status=Status.FAIL,
                summary="Ce domaine ne reçoit pas de courrier (pas de MX, ou MX nul) mais sa "
                f"politique DMARC est « {effective} »{origin} : pour un domaine inactif, seul "
                "« reject » empêche son usurpation." + testing,
                evidence=evidence,
                remediation_key="no_mail",
            )
        ]
    if effective == "none":
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"Politique DMARC effective : {words}{origin}. Les messages qui usurpent "
                "le domaine sont livrés normalement ; DMARC ne sert ici qu'à recevoir des "
                "rapports." + testing,
                evidence=evidence,
                remediation_key="testing" if record.testing else None,
            )
        ]
    subdomains = record.sp if found.source == "domain" else None
    if subdomains == "none":
        return [
            CheckResult(
                status=Status.FAIL,
                severity=Severity.LOW,
                summary=f"Politique DMARC effective : {words}, mais sp=none laisse les "
                "sous-domaines sans protection." + testing,
                evidence=evidence,
                remediation_key="subdomains",
            )
        ]
    return [
        CheckResult(
            status=Status.PASS,
            summary=f"Politique DMARC effective : {words}{origin}." + testing,
            evidence=evidence,
        )
    ]


def _mailto_destinations(uris: list[ReportUri]) -> list[str]:
    return list(dict.fromkeys(u.domain for u in uris if u.domain))


@check("mail.dmarc.reporting")
def dmarc_reporting(ctx: CheckContext) -> list[CheckResult]:
    """Aggregate reports are requested (`rua`) and every external destination accepts them."""
    found = _discovery(ctx)
    record = found.record
    if record is None or found.source == "psd" or found.record_domain is None:
        return [_no_record()]
    policy_domain = found.record_domain
    evidence = [Evidence(label=f"_dmarc.{policy_domain}", value=record.text)]
    if not record.rua:
        return [
            CheckResult(
                status=Status.FAIL,
                summary="Aucune adresse de rapports agrégés (rua) : le cabinet ne sait pas qui "
                "envoie du courrier en son nom, ni si ses propres messages échouent.",
                evidence=evidence,
                remediation_key="no_rua",
            )
        ]
    external = [
        d
        for d in _mailto_destinations(record.rua + record.ruf)
        if is_external(d, found.organisational_domain)
    ]
    names = [authorisation_name(policy_domain, d) for d in external]
    answers = ctx.map(lambda d: _authorised(policy_domain, d, ctx), external)
    refused = [n for n, ok in zip(names, answers, strict=True) if ok is False]
    unknown = [(n, a) for n, a in zip(names, answers, strict=True) if isinstance(a, str)]
    evidence += [
        Evidence(
            label=f"Autorisation {n}",
            value="publiée" if a is True else "absente" if a is False else f"non lue : {a}",
        )
        for n, a in zip(names, answers, strict=True)
    ]
    if refused:
        return [
            CheckResult(
                status=Status.FAIL,
                summary="Destination(s) de rapports externe(s) sans autorisation publiée : "
                + ", ".join(refused)
                + ". Les destinataires n'y envoient pas les rapports.",
                evidence=evidence,
                remediation_key="unauthorised",
            )
        ]
    if unknown:
        message = "; ".join(f"{n} : {a}" for n, a in unknown)
        return [
            CheckResult(
                status=Status.INDETERMINATE,
                summary=f"Autorisation des destinations externes non vérifiable ({message}).",
                error=ErrorInfo(reason="dns", message=message),
                evidence=evidence,
            )
        ]
    return [
        CheckResult(
            status=Status.PASS,
            summary="Rapports agrégés demandés (rua)"
            + (", destinations externes autorisées." if external else "."),
            evidence=evidence,
        )
    ]


def _authorised(policy_domain: str, destination: str, ctx: CheckContext) -> bool | str:
    try:
        return report_authorised(policy_domain, destination, ctx.lookup)
    except CheckError as exc:
        return exc.message


@check("mail.dmarc.report_jurisdiction")
def dmarc_report_jurisdiction(ctx: CheckContext) -> list[CheckResult]:
    """Report destinations outside the organisation are in the EU (reports describe mail flows)."""
    found = _discovery(ctx)
    record = found.record
    if record is None or found.source == "psd":
        return [_no_record()]
    destinations = _mailto_destinations(record.rua + record.ruf)
    external = [d for d in destinations if is_external(d, found.organisational_domain)]
    if not external:
        return [
            CheckResult(
                status=Status.NOT_APPLICABLE if not destinations else Status.PASS,
                summary="Aucune destination de rapports DMARC."
                if not destinations
                else "Les rapports DMARC restent sur le domaine du cabinet.",
            )
        ]
    catalog = receivers()
    non_eu, unknown, eu = [], [], []
    evidence = []
    for destination in external:
        receiver = catalog.by_domain(destination)
        if receiver is None:
            unknown.append(destination)
            evidence.append(Evidence(label=destination, value="service inconnu, pays inconnu"))
            continue
        caveat = "" if receiver.verified else " (d'après la liste de l'outil, à confirmer)"
        label = f"{receiver.name}, {receiver.country}{caveat}"
        evidence.append(
            Evidence(label=destination, value=label + (" — UE" if receiver.eu else " — hors UE"))
        )
        (eu if receiver.eu else non_eu).append(f"{destination} ({label})")
    if non_eu:
        return [
            CheckResult(
                status=Status.FAIL,
                summary="Rapports DMARC confiés à un service établi hors de l'Union européenne : "
                + ", ".join(non_eu)
                + ". Ces rapports décrivent les flux de courrier du cabinet (serveurs, volumes) : "
                "c'est un transfert de données à encadrer (RGPD, art. 44 et suivants).",
                evidence=evidence,
            )
        ]
    if unknown:
        return [
            CheckResult(
                status=Status.FAIL,
                severity=Severity.LOW,
                summary="Destination(s) de rapports DMARC externe(s), pays inconnu : "
                + ", ".join(unknown)
                + ". Vérifiez qui traite ces rapports et où.",
                evidence=evidence,
                remediation_key="unknown_country",
            )
        ]
    return [
        CheckResult(
            status=Status.PASS,
            summary="Rapports DMARC confiés à un service établi dans l'Union européenne : "
            + ", ".join(eu)
            + ".",
            evidence=evidence,
        )
    ]
