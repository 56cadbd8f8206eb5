"""DMARC (RFC 9989): the policy receivers apply to mail that fails SPF and DKIM alignment,
and where the reports about the practice's mail go.

Facts first: the applicable record is found once per audit by the RFC 9989 DNS Tree Walk
(memoised) and kept as `DmarcFacts`; the report destinations add their own facts (consent
published by external destinations, `DmarcReportingFacts`; who operates them and where,
`DmarcReceiverFacts`). The verdicts (`judge_present`, `judge_policy`…) are pure functions of
those facts, tested without a network. RFC 7489 only matters as the origin of the tags that
RFC 9989 removed.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.plugin import (
    CheckError,
    CheckResult,
    Context,
    Evidence,
    Facts,
    Severity,
    check,
    failed,
    indeterminate,
    not_applicable,
    passed,
)
from rgpd_audit.records.dmarc import DmarcRecord, ReportUri
from rgpd_audit.records.dmarc_discovery import (
    DmarcDiscovery,
    authorisation_name,
    discover,
    is_external,
    report_authorised,
)
from rgpd_audit.records.dmarc_receivers import receivers

Policy = Literal["none", "quarantine", "reject"]
Source = Literal["domain", "organisation", "psd"]

_POLICY_WORDS = {
    "none": "aucune action (surveillance seule)",
    "quarantine": "mise en quarantaine (courrier indésirable)",
    "reject": "rejet",
}


class _Part(BaseModel):
    # Parts of a facts model are frozen and strict like the model itself.
    model_config = ConfigDict(frozen=True, extra="forbid")


class DmarcWalkStep(_Part):
    """One query of the DNS Tree Walk: `_dmarc.<name>` and what it gave."""

    name: str = Field(description="Queried name, without the `_dmarc.` label")
    records: list[str] = Field(default_factory=list, description="TXT strings that are DMARC")
    others: list[str] = Field(
        default_factory=list, description="Other TXT strings, ignored by receivers"
    )
    dns_error: str | None = Field(None, description="Why the query failed")


class DmarcRecordFacts(_Part):
    """The applicable DMARC record, as a receiver reads it (RFC 9989 leniency applied)."""

    text: str
    p: Policy | None = Field(None, description="Valid `p` tag; absent or invalid reads as none")
    sp: Policy | None = None
    np: Policy | None = None
    psd: Literal["y", "n", "u"] = "u"
    testing: bool = Field(False, description="t=y: the policy is lowered one level")
    rua: list[str] = Field(default_factory=list, description="Aggregate report URIs")
    ruf: list[str] = Field(default_factory=list, description="Failure report URIs")
    removed_tags: list[str] = Field(
        default_factory=list, description="RFC 7489 tags removed by RFC 9989 (pct, rf, ri)"
    )
    unknown_tags: list[str] = Field(default_factory=list)
    errors: list[str] = Field(
        default_factory=list, description="The parser's messages for ignored or invalid values"
    )
    warnings: list[str] = Field(
        default_factory=list, description="The parser's messages for values to clean up"
    )


class DmarcFacts(Facts):
    """The DNS Tree Walk of a domain and the DMARC record and policy that apply to it."""

    kind: ClassVar[str] = "dmarc.record"

    domain: str
    organisational_domain: str
    steps: list[DmarcWalkStep] = Field(description="The walk's queries, in order (at most 4)")
    source: Source | None = Field(
        None, description="Whose record applies: the domain's, its organisation's, or a PSD's"
    )
    record_domain: str | None = Field(None, description="Domain whose record applies")
    record: DmarcRecordFacts | None = None
    applied_policy: Policy | None = Field(None, description="p, or sp/np for an inherited one")
    effective_policy: Policy | None = Field(None, description="applied_policy after t=y")
    sends_no_mail: bool = Field(False, description="Null MX or no MX at all")

    @property
    def unresolved(self) -> list[str]:
        """Names whose query failed (the verdict was reached without them)."""
        return [s.name for s in self.steps if s.dns_error]

    def evidence(self) -> list[Evidence]:
        """What each query of the walk found."""
        evidence: list[Evidence] = []
        for step in self.steps:
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


class ReportAuthorisation(_Part):
    """Whether an external report destination consents to receive the domain's reports."""

    destination: str
    name: str = Field(description="Where the consent is published (RFC 9989)")
    published: bool | None = Field(description="None when the lookup failed")
    dns_error: str | None = None


class DmarcReportingFacts(Facts):
    """Report addresses of the applicable record and the consent of external destinations."""

    kind: ClassVar[str] = "dmarc.reporting"

    domain: str
    policy_domain: str | None = Field(
        None, description="Domain whose record applies; none when no record (or only a PSD's)"
    )
    record: str | None = Field(None, description="Text of the applicable record")
    rua: list[str] = Field(default_factory=list, description="Aggregate report URIs")
    authorisations: list[ReportAuthorisation] = Field(
        default_factory=list,
        description="One per destination domain (rua and ruf) outside the organisation; "
        "not asked without rua",
    )


class ReportReceiver(_Part):
    """A known company receiving DMARC reports (the tool's list)."""

    id: str
    name: str
    country: str
    eu: bool = Field(description="Established in the European Union")
    verified: bool = Field(description="False: from the tool's list, to be confirmed")


class ExternalDestination(_Part):
    """A report destination outside the organisation and who operates it, if known."""

    domain: str
    receiver: ReportReceiver | None = Field(None, description="None: operator and country unknown")


class DmarcReceiverFacts(Facts):
    """Where the reports of the applicable record go, and in which jurisdiction."""

    kind: ClassVar[str] = "dmarc.report_receivers"

    domain: str
    record: str | None = Field(
        None, description="Text of the applicable record; none when no record (or only a PSD's)"
    )
    destinations: list[str] = Field(
        default_factory=list, description="Domains of the mailto: report URIs (rua and ruf)"
    )
    external: list[ExternalDestination] = Field(default_factory=list)


# --- Facts ---------------------------------------------------------------------------------


def _discovery(ctx: Context) -> DmarcDiscovery:
    return ctx.memo(("dmarc", ctx.target.domain), lambda: _discover(ctx))


def _discover(ctx: Context) -> DmarcDiscovery:
    # The MX lookup (does the domain exist?) starts alongside the walk, which only waits for
    # it when the policy comes from a parent: the two DNS chains overlap instead of adding up.
    found: list[DmarcDiscovery] = []

    def walk() -> None:
        found.append(discover(ctx.target.domain, ctx.lookup, domain_exists=lambda: _exists(ctx)))

    def mx() -> None:
        _exists(ctx)

    ctx.map(lambda job: job(), [walk, mx])
    return found[0]


def _exists(ctx: Context) -> bool:
    try:
        return ctx.mx().exists
    except CheckError:
        # Unknown: `sp` (existing sub-domains) is the common case.
        return True


def _applicable(found: DmarcDiscovery) -> DmarcRecord | None:
    # A public suffix's record is not the practice's: the checks on its content do not apply.
    return found.record if found.source != "psd" else None


def gather(ctx: Context) -> DmarcFacts:
    """The walk, the applicable record and its policy (one walk per audit, memoised)."""
    found = _discovery(ctx)
    record = found.record
    return DmarcFacts.model_validate(
        {
            "domain": found.domain,
            "organisational_domain": found.organisational_domain,
            "steps": [
                {"name": s.name, "records": s.records, "others": s.others, "dns_error": s.dns_error}
                for s in found.steps
            ],
            "source": found.source,
            "record_domain": found.record_domain,
            "record": None if record is None else _record_facts(record),
            "applied_policy": found.applied_policy,
            "effective_policy": found.effective_policy,
            # Already known: the walk asked for the MX alongside (`_discover`).
            "sends_no_mail": ctx.sends_no_mail(),
        }
    )


def _record_facts(record: DmarcRecord) -> dict[str, object]:
    return {
        "text": record.text,
        "p": record.p,
        "sp": record.sp,
        "np": record.np,
        "psd": record.psd,
        "testing": record.testing,
        "rua": [u.uri for u in record.rua],
        "ruf": [u.uri for u in record.ruf],
        "removed_tags": record.removed_tags,
        "unknown_tags": record.unknown_tags,
        "errors": record.errors,
        "warnings": record.warnings,
    }


def _mailto_destinations(uris: list[ReportUri]) -> list[str]:
    return list(dict.fromkeys(u.domain for u in uris if u.domain))


def gather_reporting(ctx: Context) -> DmarcReportingFacts:
    """The applicable record's report addresses, and the consent of each external one."""
    found = _discovery(ctx)
    record = _applicable(found)
    policy_domain = found.record_domain
    if record is None or policy_domain is None:
        return DmarcReportingFacts(domain=found.domain)
    # Without rua the verdict is already known: the destinations' consent is not asked.
    uris = record.rua + record.ruf if record.rua else []
    external = [
        d for d in _mailto_destinations(uris) if is_external(d, found.organisational_domain)
    ]
    answers = ctx.map(lambda d: _authorised(policy_domain, d, ctx), external)
    return DmarcReportingFacts(
        domain=found.domain,
        policy_domain=policy_domain,
        record=record.text,
        rua=[u.uri for u in record.rua],
        authorisations=[
            ReportAuthorisation(
                destination=d,
                name=authorisation_name(policy_domain, d),
                published=a if isinstance(a, bool) else None,
                dns_error=a if isinstance(a, str) else None,
            )
            for d, a in zip(external, answers, strict=True)
        ],
    )


def _authorised(policy_domain: str, destination: str, ctx: Context) -> bool | str:
    try:
        return report_authorised(policy_domain, destination, ctx.lookup)
    except CheckError as exc:
        return exc.message


def gather_receivers(ctx: Context) -> DmarcReceiverFacts:
    """The applicable record's report destinations and, for external ones, their operator."""
    found = _discovery(ctx)
    record = _applicable(found)
    if record is None:
        return DmarcReceiverFacts(domain=found.domain)
    destinations = _mailto_destinations(record.rua + record.ruf)
    catalog = receivers()
    external: list[ExternalDestination] = []
    for destination in destinations:
        if not is_external(destination, found.organisational_domain):
            continue
        known = catalog.by_domain(destination)
        receiver = None
        if known is not None:
            receiver = ReportReceiver(
                id=known.id,
                name=known.name,
                country=known.country,
                eu=known.eu,
                verified=known.verified,
            )
        external.append(ExternalDestination(domain=destination, receiver=receiver))
    return DmarcReceiverFacts(
        domain=found.domain, record=record.text, destinations=destinations, external=external
    )


# --- Checks --------------------------------------------------------------------------------


@check("mail.dmarc.present", facts=DmarcFacts)
def dmarc_present(ctx: Context) -> list[CheckResult]:
    """A single DMARC record applies to the domain (its own, or its organisation's)."""
    return [judge_present(gather(ctx))]


@check("mail.dmarc.valid", facts=DmarcFacts)
def dmarc_valid(ctx: Context) -> list[CheckResult]:
    """The applicable record's tags are valid RFC 9989 tags with valid values."""
    return [judge_valid(gather(ctx))]


@check("mail.dmarc.policy", facts=DmarcFacts)
def dmarc_policy(ctx: Context) -> list[CheckResult]:
    """The effective policy asks receivers to quarantine or reject failing mail."""
    return [judge_policy(gather(ctx))]


@check("mail.dmarc.reporting", facts=DmarcReportingFacts)
def dmarc_reporting(ctx: Context) -> list[CheckResult]:
    """Aggregate reports are requested (`rua`) and every external destination accepts them."""
    return [judge_reporting(gather_reporting(ctx))]


@check("mail.dmarc.report_jurisdiction", facts=DmarcReceiverFacts)
def dmarc_report_jurisdiction(ctx: Context) -> list[CheckResult]:
    """Report destinations outside the organisation are in the EU (reports describe mail flows)."""
    return [judge_jurisdiction(gather_receivers(ctx))]


# --- Verdicts and words --------------------------------------------------------------------


def _no_record(facts: Facts) -> CheckResult:
    return not_applicable(
        "Non évalué : aucun enregistrement DMARC ne s'applique (voir « Enregistrement DMARC »).",
        facts,
        evidence=[],
    )


def judge_present(facts: DmarcFacts) -> CheckResult:
    """One record of the domain or of its organisation; several, none or a PSD's fail."""
    own = facts.steps[0]
    if len(own.records) > 1:
        return failed(
            f"_dmarc.{facts.domain} publie {len(own.records)} enregistrements DMARC : les "
            "destinataires les ignorent tous, comme s'il n'y en avait aucun.",
            facts,
            remediation="several",
        )
    if facts.source == "domain":
        return passed(f"{facts.domain} publie un enregistrement DMARC.", facts)
    if facts.source == "organisation":
        return passed(
            f"{facts.domain} n'a pas d'enregistrement propre mais hérite de celui de son "
            f"domaine d'organisation {facts.record_domain} (parcours de l'arbre DNS, "
            "RFC 9989).",
            facts,
        )
    remediation = "no_mail" if facts.sends_no_mail else None
    if facts.source == "psd":
        return failed(
            f"{facts.domain} ne publie pas d'enregistrement DMARC ; seule la politique "
            f"générale du suffixe public {facts.record_domain} s'applique, que le cabinet ne "
            "maîtrise pas.",
            facts,
            remediation=remediation,
        )
    summary = (
        f"Aucun enregistrement DMARC pour {facts.domain} ni pour ses domaines parents : les "
        "destinataires n'appliquent aucune politique aux messages qui usurpent le domaine."
    )
    if facts.unresolved:
        summary += f" (Niveaux non lus : {', '.join(facts.unresolved)}.)"
    return failed(summary, facts, remediation=remediation)


def _record_evidence(facts: DmarcFacts, record: DmarcRecordFacts) -> list[Evidence]:
    return [Evidence(label=f"_dmarc.{facts.record_domain}", value=record.text)]


def judge_valid(facts: DmarcFacts) -> CheckResult:
    """Errors fail; removed tags and warnings are a low failure; unknown tags only a note."""
    record = facts.record
    if record is None or facts.source == "psd":
        return _no_record(facts)
    evidence = _record_evidence(facts, record)
    if record.errors:
        return failed(
            "Enregistrement DMARC mal formé, les destinataires ignorent ou remplacent par "
            "défaut : " + " ; ".join(record.errors) + ".",
            facts,
            evidence=[*evidence, Evidence(label="Erreurs", value=record.errors)],
        )
    notes: list[str] = []
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
        return failed(
            "Enregistrement DMARC lisible, à nettoyer : " + " ; ".join(problems + notes) + ".",
            facts,
            evidence=[*evidence, Evidence(label="Avertissements", value=problems + notes)],
            severity=Severity.LOW,
            remediation="cleanup",
        )
    summary = "Enregistrement DMARC conforme à la RFC 9989."
    if notes:
        summary += " Remarque : " + " ; ".join(notes) + "."
    return passed(summary, facts, evidence=evidence)


def judge_policy(facts: DmarcFacts) -> CheckResult:
    """quarantine or reject pass; none fails; a domain without mail needs reject."""
    record = facts.record
    effective = facts.effective_policy
    if record is None or effective is None or facts.source == "psd":
        return _no_record(facts)
    evidence = [
        *_record_evidence(facts, record),
        Evidence(label="Politique publiée", value=facts.applied_policy),
        Evidence(label="Politique effective", value=effective),
    ]
    origin = "" if facts.source == "domain" else f" (héritée de {facts.record_domain}, tag sp/np)"
    testing = ""
    if record.testing:
        testing = (
            f" Le mode test (t=y) abaisse la politique publiée « {facts.applied_policy} » d'un "
            "niveau."
        )
    words = _POLICY_WORDS[effective]
    if facts.sends_no_mail and effective != "reject":
        return failed(
            "Ce domaine ne reçoit pas de courrier (pas de MX, ou MX nul) mais sa politique "
            f"DMARC est « {effective} »{origin} : pour un domaine inactif, seul « reject » "
            "empêche son usurpation." + testing,
            facts,
            evidence=evidence,
            remediation="no_mail",
        )
    if effective == "none":
        return failed(
            f"Politique DMARC effective : {words}{origin}. Les messages qui usurpent le domaine "
            "sont livrés normalement ; DMARC ne sert ici qu'à recevoir des rapports." + testing,
            facts,
            evidence=evidence,
            remediation="testing" if record.testing else None,
        )
    subdomains = record.sp if facts.source == "domain" else None
    if subdomains == "none":
        return failed(
            f"Politique DMARC effective : {words}, mais sp=none laisse les sous-domaines sans "
            "protection." + testing,
            facts,
            evidence=evidence,
            severity=Severity.LOW,
            remediation="subdomains",
        )
    return passed(
        f"Politique DMARC effective : {words}{origin}." + testing, facts, evidence=evidence
    )


def judge_reporting(facts: DmarcReportingFacts) -> CheckResult:
    """rua present and every external destination consenting; undecided on a DNS failure."""
    if facts.record is None:
        return _no_record(facts)
    evidence = [Evidence(label=f"_dmarc.{facts.policy_domain}", value=facts.record)]
    if not facts.rua:
        return failed(
            "Aucune adresse de rapports agrégés (rua) : le cabinet ne sait pas qui envoie du "
            "courrier en son nom, ni si ses propres messages échouent.",
            facts,
            evidence=evidence,
            remediation="no_rua",
        )
    evidence += [
        Evidence(
            label=f"Autorisation {a.name}",
            value="publiée"
            if a.published is True
            else "absente"
            if a.published is False
            else f"non lue : {a.dns_error}",
        )
        for a in facts.authorisations
    ]
    refused = [a.name for a in facts.authorisations if a.published is False]
    if refused:
        return failed(
            "Destination(s) de rapports externe(s) sans autorisation publiée : "
            + ", ".join(refused)
            + ". Les destinataires n'y envoient pas les rapports.",
            facts,
            evidence=evidence,
            remediation="unauthorised",
        )
    unknown = [a for a in facts.authorisations if a.published is None]
    if unknown:
        message = "; ".join(f"{a.name} : {a.dns_error}" for a in unknown)
        return indeterminate(
            "dns",
            message,
            facts,
            evidence=evidence,
            summary=f"Autorisation des destinations externes non vérifiable ({message}).",
        )
    return passed(
        "Rapports agrégés demandés (rua)"
        + (", destinations externes autorisées." if facts.authorisations else "."),
        facts,
        evidence=evidence,
    )


def judge_jurisdiction(facts: DmarcReceiverFacts) -> CheckResult:
    """External destinations in the EU pass; outside it fail; an unknown country is low."""
    if facts.record is None:
        return _no_record(facts)
    if not facts.external:
        if not facts.destinations:
            return not_applicable("Aucune destination de rapports DMARC.", facts, evidence=[])
        return passed("Les rapports DMARC restent sur le domaine du cabinet.", facts, evidence=[])
    non_eu: list[str] = []
    unknown: list[str] = []
    eu: list[str] = []
    evidence: list[Evidence] = []
    for destination in facts.external:
        receiver = destination.receiver
        if receiver is None:
            unknown.append(destination.domain)
            evidence.append(
                Evidence(label=destination.domain, value="service inconnu, pays inconnu")
            )
            continue
        caveat = "" if receiver.verified else " (d'après la liste de l'outil, à confirmer)"
        label = f"{receiver.name}, {receiver.country}{caveat}"
        evidence.append(
            Evidence(
                label=destination.domain, value=label + (" — UE" if receiver.eu else " — hors UE")
            )
        )
        (eu if receiver.eu else non_eu).append(f"{destination.domain} ({label})")
    if non_eu:
        return failed(
            "Rapports DMARC confiés à un service établi hors de l'Union européenne : "
            + ", ".join(non_eu)
            + ". Ces rapports décrivent les flux de courrier du cabinet (serveurs, volumes) : "
            "c'est un transfert de données à encadrer (RGPD, art. 44 et suivants).",
            facts,
            evidence=evidence,
        )
    if unknown:
        return failed(
            "Destination(s) de rapports DMARC externe(s), pays inconnu : "
            + ", ".join(unknown)
            + ". Vérifiez qui traite ces rapports et où.",
            facts,
            evidence=evidence,
            severity=Severity.LOW,
            remediation="unknown_country",
        )
    return passed(
        "Rapports DMARC confiés à un service établi dans l'Union européenne : "
        + ", ".join(eu)
        + ".",
        facts,
        evidence=evidence,
    )
