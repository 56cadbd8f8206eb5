"""Who carries the practice's mail, under which law; and whether MSSanté is in use.

Providers are recognised from the MX host names and the SPF `include:` domains with the
provider catalog (checks/data/mail_providers.yaml). Jurisdiction is a point to verify
(contract, transfers), reported with the legal reference, not a verdict of illegality.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import JsonValue

from rgpd_audit import catalog
from rgpd_audit.catalog import Provider
from rgpd_audit.context import CheckContext
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, Evidence, Severity, Status
from rgpd_audit.records.spf import SpfSyntaxError, parse_spf
from rgpd_audit.records.spf_tree import spf_records
from rgpd_audit.registry import check

# Countries covered by an adequacy decision of the European Commission (fact sheet, section 10):
# the transfer then needs no other safeguard, for the US only if the company is certified.
_ADEQUACY = {
    "États-Unis": " Un transfert vers une entreprise américaine est couvert par la décision "
    "d'adéquation du 10 juillet 2023 (cadre de protection des données UE–États-Unis) si elle "
    "y est certifiée ; sinon, il doit reposer sur une autre garantie, comme des clauses "
    "contractuelles types.",
    "Suisse": " La Suisse bénéficie d'une décision d'adéquation de la Commission européenne "
    "(décision 2000/518/CE) : un transfert vers ce pays ne demande pas d'autre garantie.",
}
_ADEQUACY_KEYS = {"États-Unis": "etats_unis", "Suisse": "suisse"}


@dataclass(frozen=True)
class Sighting:
    """A provider recognised in one place: an MX host or an SPF include."""

    provider: Provider
    where: str


@check("mail.provider.jurisdiction")
def provider_jurisdiction(ctx: CheckContext) -> list[CheckResult]:
    """Name each mail provider, its country and whether it answers to non-EU law."""
    sightings, errors = _sightings(ctx)
    if not sightings and errors:
        raise errors[0]
    if not sightings:
        return [
            CheckResult(
                status=Status.NOT_APPLICABLE,
                summary="Fournisseur de messagerie non identifié (serveur propre ou fournisseur "
                "absent de la liste) : précisez-le dans le questionnaire.",
            )
        ]
    by_provider: dict[str, list[Sighting]] = {}
    for sighting in sightings:
        by_provider.setdefault(sighting.provider.id, []).append(sighting)
    return [_judge(group) for group in by_provider.values()]


@check("mail.provider.mssante")
def provider_mssante(ctx: CheckContext) -> list[CheckResult]:
    """Whether the practice uses MSSanté: its own MX, or an address given with --email."""
    known = catalog.providers()
    emails = ctx.target.emails
    health = [
        address
        for address in emails
        if (p := known.by_address_domain(address.rpartition("@")[2])) and p.kind == "health"
    ]
    evidence = [Evidence(label="Adresses examinées", value=list(emails))] if emails else []
    if health:
        return [_mssante_found(f"Adresse(s) MSSanté : {', '.join(health)}", evidence)]
    hosts = [
        x.host
        for x in ctx.mx().exchangers
        if (p := known.by_mx_host(x.host)) and p.kind == "health"
    ]
    if hosts:
        return [
            _mssante_found(f"Le domaine reçoit son courrier par MSSanté ({', '.join(hosts)})", [])
        ]
    if not emails:
        return [
            CheckResult(
                status=Status.NOT_APPLICABLE,
                summary="Aucune adresse du cabinet indiquée pour l'audit : l'usage de MSSanté ne "
                "peut pas être constaté depuis le DNS du domaine.",
            )
        ]
    return [
        CheckResult(
            status=Status.FAIL,
            severity=Severity.INFO,
            summary="Aucune adresse MSSanté parmi les adresses indiquées. MSSanté n'est pas "
            "obligatoire, mais c'est le moyen recommandé pour échanger des données de santé "
            "entre professionnels.",
            evidence=evidence,
        )
    ]


def _mssante_found(what: str, evidence: list[Evidence]) -> CheckResult:
    return CheckResult(
        status=Status.PASS,
        summary=f"{what}. C'est le canal recommandé pour échanger des données de santé avec "
        "d'autres professionnels.",
        evidence=evidence,
    )


def _sightings(ctx: CheckContext) -> tuple[list[Sighting], list[CheckError]]:
    known = catalog.providers()
    sightings: list[Sighting] = []
    errors: list[CheckError] = []
    try:
        for exchanger in ctx.mx().exchangers:
            provider = known.by_mx_host(exchanger.host)
            if provider is not None:
                sightings.append(Sighting(provider, f"MX {exchanger.host}"))
    except CheckError as exc:
        errors.append(exc)
    try:
        includes = _spf_includes(ctx)
    except CheckError as exc:
        errors.append(exc)
        includes = []
    for domain in includes:
        provider = known.by_spf_include(domain)
        if provider is not None:
            sightings.append(Sighting(provider, f"SPF include:{domain}"))
    return sightings, errors


def _spf_includes(ctx: CheckContext) -> list[str]:
    """The `include:` domains of the domain's own SPF record (not followed further)."""
    records = spf_records(ctx.lookup(ctx.target.domain, "TXT"))
    # Several SPF records is a permerror judged by the SPF checks; none is then used here.
    if len(records) != 1:
        return []
    try:
        record = parse_spf(records[0])
    except SpfSyntaxError:
        return []
    return [
        term.value.lower().rstrip(".")
        for term in record.terms
        if term.name in ("include", "redirect") and term.value and not term.has_macro
    ]


def provider_facts(provider: Provider) -> dict[str, JsonValue]:
    """What the report shows about a provider (shared with the consumer-webmail check)."""
    caveat = "" if provider.verified else " (attribution d'après la liste, à confirmer)"
    return {
        "fournisseur": provider.name + caveat,
        "type d'offre": catalog.providers().kind_labels[provider.kind],
        "pays": provider.country,
        "soumis à un droit hors UE": "oui" if provider.non_eu_law else "non",
    }


def _judge(group: list[Sighting]) -> CheckResult:
    provider = group[0].provider
    caveat = "" if provider.verified else " (attribution d'après la liste, à confirmer)"
    kind = catalog.providers().kind_labels[provider.kind]
    evidence = [
        Evidence(
            label=provider.name,
            value={"reconnu par": [s.where for s in group], **provider_facts(provider)},
        )
    ]
    where = ", ".join(s.where for s in group)
    if provider.non_eu_law:
        adequacy = _ADEQUACY.get(provider.country, "")
        return CheckResult(
            status=Status.FAIL,
            subject=provider.name,
            summary=f"{provider.name}{caveat} ({provider.country}), reconnu par {where}, est une "
            "société soumise à un droit hors de l'Union européenne : vérifiez le contrat de "
            "sous-traitance (article 28 du RGPD), le lieu de stockage des messages et "
            f"l'encadrement d'éventuels transferts (articles 44 et suivants).{adequacy} Pour "
            "les données de santé, l'hébergement chez un hébergeur certifié HDS reste exigé.",
            evidence=evidence,
            remediation_key=_ADEQUACY_KEYS.get(provider.country),
        )
    return CheckResult(
        status=Status.PASS,
        subject=provider.name,
        summary=f"{provider.name}{caveat} ({provider.country}, {kind}), reconnu par {where}.",
        evidence=evidence,
    )
