"""Who carries the practice's mail, under which law; and whether MSSanté is in use.

Providers are recognised from the MX host names and the SPF `include:` domains with the
provider catalog (audit/data/mail_providers.yaml). Jurisdiction is a point to verify
(contract, transfers), reported with the legal reference, not a verdict of illegality.

Facts first (`MailProvidersFacts` with one `ProviderFacts` per provider recognised,
`MssanteFacts`), then the verdicts and their words (`judge_*`, pure functions of the facts,
tested without a network).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from rgpd_audit import catalog
from rgpd_audit.catalog import Provider, ProviderKind
from rgpd_audit.plugin import (
    CheckError,
    CheckResult,
    Context,
    ErrorInfo,
    Evidence,
    Facts,
    Severity,
    check,
    failed,
    indeterminate,
    not_applicable,
    passed,
)
from rgpd_audit.records.spf import SpfSyntaxError, parse_spf
from rgpd_audit.records.spf_tree import spf_records

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

#: Said of a provider whose attribution the catalog has not verified.
UNVERIFIED = " (attribution d'après la liste, à confirmer)"


# --- Facts -------------------------------------------------------------------------------


class KnownProvider(BaseModel):
    """A provider of the shipped catalog, as the catalog describes it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="Catalog id")
    name: str
    kind: ProviderKind = Field(description="Offer: consumer, professional or health (MSSanté)")
    country: str = Field(description="Country of the company, as the catalog names it")
    non_eu_law: bool = Field(description="The company answers to a law outside the EU")
    verified: bool = Field(description="False: attribution from the list, to be confirmed")

    @classmethod
    def of(cls, provider: Provider) -> KnownProvider:
        """The facts of a catalog entry (the fields above, read from it)."""
        return cls.model_validate(provider, from_attributes=True)


class Sighting(BaseModel):
    """Where a provider was recognised: an MX host or an SPF include."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    via: Literal["mx", "spf_include"] = Field(
        description="mx: an MX host name; spf_include: an include: or redirect= of the SPF"
    )
    name: str = Field(description="The MX host, or the included domain")

    @property
    def where(self) -> str:
        """How the report names the place."""
        return f"MX {self.name}" if self.via == "mx" else f"SPF include:{self.name}"


class ProviderFacts(Facts):
    """One mail provider recognised for the domain, and where."""

    kind: ClassVar[str] = "mail.provider"

    provider: KnownProvider
    recognised_by: list[Sighting] = Field(description="Every place it was recognised, in order")


class MailProvidersFacts(Facts):
    """What was examined to name the domain's mail providers, and who was recognised."""

    kind: ClassVar[str] = "mail.providers"

    mx_hosts: list[str] | None = Field(
        None, description="MX hosts examined; absent when the MX lookup failed"
    )
    spf_includes: list[str] | None = Field(
        None,
        description="include: and redirect= domains of the domain's own SPF record (not "
        "followed further); absent when the TXT lookup failed",
    )
    lookup_errors: list[ErrorInfo] = Field(
        default_factory=list, description="Why the MX or SPF lookup failed"
    )
    providers: list[ProviderFacts] = Field(
        default_factory=list, description="Providers recognised, in order of first sighting"
    )


class MssanteFacts(Facts):
    """Signs that the practice uses MSSanté: an address, or MX run by an MSSanté operator."""

    kind: ClassVar[str] = "mail.mssante"

    emails: list[str] = Field(default_factory=list, description="Addresses given for the audit")
    mssante_addresses: list[str] = Field(
        default_factory=list, description="Those on an MSSanté domain"
    )
    mssante_mx_hosts: list[str] | None = Field(
        None,
        description="MX hosts run by an MSSanté operator; absent when not looked up (an "
        "MSSanté address was given)",
    )

    def evidence(self) -> list[Evidence]:
        """The addresses examined."""
        if not self.emails:
            return []
        return [Evidence(label="Adresses examinées", value=list(self.emails))]


# --- Checks ------------------------------------------------------------------------------


@check("mail.provider.jurisdiction", facts=(MailProvidersFacts, ProviderFacts))
def provider_jurisdiction(ctx: Context) -> list[CheckResult]:
    """Name each mail provider, its country and whether it answers to non-EU law."""
    return judge_jurisdiction(gather_providers(ctx))


@check("mail.provider.mssante", facts=MssanteFacts)
def provider_mssante(ctx: Context) -> list[CheckResult]:
    """Whether the practice uses MSSanté: its own MX, or an address given with --email."""
    return [judge_mssante(gather_mssante(ctx))]


# --- Gathering ---------------------------------------------------------------------------


def gather_providers(ctx: Context) -> MailProvidersFacts:
    """Providers recognised by MX host and SPF include (a failed lookup is kept as a fact)."""
    known = catalog.providers()
    errors: list[ErrorInfo] = []
    mx_hosts: list[str] | None = None
    spf_includes: list[str] | None = None
    sightings: list[tuple[Provider, Sighting]] = []
    try:
        mx_hosts = [x.host for x in ctx.mx().exchangers]
    except CheckError as exc:
        errors.append(ErrorInfo(reason=exc.reason, message=exc.message))
    for host in mx_hosts or []:
        if (provider := known.by_mx_host(host)) is not None:
            sightings.append((provider, Sighting(via="mx", name=host)))
    try:
        spf_includes = _spf_includes(ctx)
    except CheckError as exc:
        errors.append(ErrorInfo(reason=exc.reason, message=exc.message))
    for domain in spf_includes or []:
        if (provider := known.by_spf_include(domain)) is not None:
            sightings.append((provider, Sighting(via="spf_include", name=domain)))
    by_provider: dict[str, tuple[Provider, list[Sighting]]] = {}
    for provider, sighting in sightings:
        by_provider.setdefault(provider.id, (provider, []))[1].append(sighting)
    return MailProvidersFacts(
        mx_hosts=mx_hosts,
        spf_includes=spf_includes,
        lookup_errors=errors,
        providers=[
            ProviderFacts(provider=KnownProvider.of(provider), recognised_by=seen)
            for provider, seen in by_provider.values()
        ],
    )


def _spf_includes(ctx: Context) -> list[str]:
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


def gather_mssante(ctx: Context) -> MssanteFacts:
    """MSSanté addresses among those given; else MX hosts run by an MSSanté operator."""
    known = catalog.providers()
    emails = list(ctx.target.emails)
    health = [
        address
        for address in emails
        if (p := known.by_address_domain(address.rpartition("@")[2])) and p.kind == "health"
    ]
    facts = MssanteFacts(emails=emails, mssante_addresses=health)
    if health:
        # Found already: the MX need not be looked up (nor its failure reported).
        return facts
    hosts = [
        x.host
        for x in ctx.mx().exchangers
        if (p := known.by_mx_host(x.host)) and p.kind == "health"
    ]
    return facts.model_copy(update={"mssante_mx_hosts": hosts})


# --- Verdicts and words ------------------------------------------------------------------


def judge_jurisdiction(facts: MailProvidersFacts) -> list[CheckResult]:
    """One verdict per provider recognised, in words; not applicable when none is."""
    if not facts.providers and facts.lookup_errors:
        error = facts.lookup_errors[0]
        return [indeterminate(error.reason, error.message, facts)]
    if not facts.providers:
        return [
            not_applicable(
                "Fournisseur de messagerie non identifié (serveur propre ou fournisseur "
                "absent de la liste) : précisez-le dans le questionnaire.",
                facts,
            )
        ]
    return [judge_provider(p) for p in facts.providers]


def judge_provider(facts: ProviderFacts) -> CheckResult:
    """The verdict on one provider: a company under non-EU law is a point to verify."""
    provider = facts.provider
    caveat = "" if provider.verified else UNVERIFIED
    kind = catalog.providers().kind_labels[provider.kind]
    evidence = [
        Evidence(
            label=provider.name,
            value={
                "reconnu par": [s.where for s in facts.recognised_by],
                **provider_evidence(provider),
            },
        )
    ]
    where = ", ".join(s.where for s in facts.recognised_by)
    if provider.non_eu_law:
        adequacy = _ADEQUACY.get(provider.country, "")
        return failed(
            f"{provider.name}{caveat} ({provider.country}), reconnu par {where}, est une "
            "société soumise à un droit hors de l'Union européenne : vérifiez le contrat de "
            "sous-traitance (article 28 du RGPD), le lieu de stockage des messages et "
            f"l'encadrement d'éventuels transferts (articles 44 et suivants).{adequacy} Pour "
            "les données de santé, l'hébergement chez un hébergeur certifié HDS reste exigé.",
            facts,
            subject=provider.name,
            evidence=evidence,
            remediation=_ADEQUACY_KEYS.get(provider.country),
        )
    return passed(
        f"{provider.name}{caveat} ({provider.country}, {kind}), reconnu par {where}.",
        facts,
        subject=provider.name,
        evidence=evidence,
    )


def judge_mssante(facts: MssanteFacts) -> CheckResult:
    """The verdict on the use of MSSanté, in words (its absence is only information)."""
    if facts.mssante_addresses:
        return _mssante_found(
            f"Adresse(s) MSSanté : {', '.join(facts.mssante_addresses)}", facts, facts.evidence()
        )
    if facts.mssante_mx_hosts:
        hosts = ", ".join(facts.mssante_mx_hosts)
        return _mssante_found(f"Le domaine reçoit son courrier par MSSanté ({hosts})", facts, [])
    if not facts.emails:
        return not_applicable(
            "Aucune adresse du cabinet indiquée pour l'audit : l'usage de MSSanté ne peut pas "
            "être constaté depuis le DNS du domaine.",
            facts,
        )
    return failed(
        "Aucune adresse MSSanté parmi les adresses indiquées. MSSanté n'est pas obligatoire, "
        "mais c'est le moyen recommandé pour échanger des données de santé entre "
        "professionnels.",
        facts,
        severity=Severity.INFO,
    )


def _mssante_found(what: str, facts: MssanteFacts, evidence: list[Evidence]) -> CheckResult:
    return passed(
        f"{what}. C'est le canal recommandé pour échanger des données de santé avec "
        "d'autres professionnels.",
        facts,
        evidence=evidence,
    )


def provider_evidence(provider: KnownProvider) -> dict[str, JsonValue]:
    """What the report shows about a provider (shared with the consumer-webmail check)."""
    caveat = "" if provider.verified else UNVERIFIED
    return {
        "fournisseur": provider.name + caveat,
        "type d'offre": catalog.providers().kind_labels[provider.kind],
        "pays": provider.country,
        "soumis à un droit hors UE": "oui" if provider.non_eu_law else "non",
    }
