"""HDS hosting: the practice's providers holding health data, against the certified hosts.

The providers come from the questionnaire answers and the `--inventory` file. The list of
certified hosts is the one `rgpd-audit hds update` downloaded, else the partial extract
shipped with the tool: absence from a partial list proves nothing, and a vendor's own claim
is never taken for a certificate.

Facts first (`gather_declarations`, `gather_providers`: the providers declared, the list in
use and the entries of that list matching each name), then the verdicts and their words
(`judge_certified`, `judge_provider`, `judge_consumer_services`), pure functions of the facts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.hds.catalogs import activities, activity_text, consumer_services, matching_rules
from rgpd_audit.hds.matching import Match, Matcher, MatchKind
from rgpd_audit.hds.model import CertifiedHost, ServiceKind
from rgpd_audit.hds.providers import DeclaredProvider, consumer_service, declared_providers
from rgpd_audit.hds.store import ListInUse, current_list, list_description
from rgpd_audit.plugin import (
    CheckError,
    CheckResult,
    ContentError,
    Context,
    Evidence,
    Facts,
    check,
    failed,
    indeterminate,
    not_applicable,
    passed,
)

# Version of the certificate's référentiel as the list writes it: the 2018 référentiel (arrêté
# du 11 juin 2018, versions 1.x) was replaced by the 2024 one (arrêté du 26 avril 2024, v2.0).
_REFERENTIAL_2018 = re.compile(r"2018|(?<![\d.])v?\s*1(?:[.,]\d+)?(?![\d.,])", re.IGNORECASE)
_REFERENTIAL_2024 = re.compile(r"2024|(?<![\d.])v?\s*2(?:[.,]\d+)?(?![\d.,])", re.IGNORECASE)
#: Most entries of the list kept per searched name, surest first. A loose name can resemble
#: many hosts of the full ANS list; the verdict reads the certain ones, which come first.
MAX_MATCHES = 20

_ASK = (
    "indiquez le nom des prestataires qui conservent des données de patients (questionnaire, "
    "section « Sous-traitants et hébergement », ou inventaire des prestataires)"
)


class ConsumerServiceFacts(BaseModel):
    """A consumer service of the tool's list that a provider's name designates."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    kind: ServiceKind = Field(description="messaging, mail or storage")
    verified: bool = Field(description="False when the classification is the tool's own")


class DeclaredProviderFacts(Facts):
    """A provider the practice declared as holding health data."""

    kind: ClassVar[str] = "hds.declared_provider"

    name: str = Field(description="The name as the practice wrote it")
    role: str = Field(description="What the provider does for the practice")
    declared_in: str = Field(description="Where it was declared: answers, or inventory line")
    host: str | None = Field(None, description="The hosting company declared in the inventory")
    activity: int | None = Field(
        None, description="HDS activity (1–6) its certificate must cover, when obvious"
    )
    consumer_service: ConsumerServiceFacts | None = Field(
        None, description="The consumer service its name designates, if any"
    )

    def evidence(self) -> list[Evidence]:
        """The provider as declared."""
        return [_declared_evidence(self)]


class HdsDeclarationsFacts(Facts):
    """What the practice declared about its providers holding health data."""

    kind: ClassVar[str] = "hds.declarations"

    questionnaire: bool = Field(description="Questionnaire answers were given to the audit")
    known: bool = Field(
        description="The questionnaire's list of providers was answered or an inventory given"
    )
    providers: list[DeclaredProviderFacts] = Field(default_factory=list)
    unnamed: list[str] = Field(
        default_factory=list, description="Roles declared without the provider's name"
    )


class UnnamedProviderFacts(Facts):
    """A provider the answers say exists, without its name."""

    kind: ClassVar[str] = "hds.unnamed_provider"

    role: str


class HostListFacts(BaseModel):
    """The list of certified hosts the verdict relied on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    retrieved: str = Field(description="When the list was retrieved")
    complete: bool = Field(description="The whole ANS list: a host absent from it is not certified")
    shipped_extract: bool = Field(
        description="The partial extract shipped with the tool (no list was downloaded)"
    )


class HdsMatch(BaseModel):
    """An entry of the list matching a searched name, and how."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: CertifiedHost
    kind: MatchKind = Field(description="exact, alias, words, prefix or similar")
    matched_name: str = Field(description="The entry's name that matched")

    def match(self) -> Match:
        """As the matcher returns it (certainty and explanation)."""
        return Match(self.host, self.kind, self.matched_name)


class HdsProviderFacts(Facts):
    """One declared provider looked up in the list of certified hosts."""

    kind: ClassVar[str] = "hds.provider"

    provider: DeclaredProviderFacts
    host_list: HostListFacts
    checked_on: dt.date = Field(description="The date certificates were judged valid or expired")
    matches: list[HdsMatch] = Field(
        default_factory=list,
        description=f"Entries matching the provider's name, surest first (at most {MAX_MATCHES})",
    )
    declared_host_matches: list[HdsMatch] = Field(
        default_factory=list,
        description="Entries of the list certainly matching the declared hosting company",
    )


HDS_FACTS = (HdsDeclarationsFacts, UnnamedProviderFacts, HdsProviderFacts)


@check("hosting.hds.certified", facts=HDS_FACTS)
def hds_certified(ctx: Context) -> list[CheckResult]:
    """Look each declared provider up in the list of certified hosts."""
    declared = gather_declarations(ctx)
    return judge_certified(declared, gather_providers(ctx, _to_look_up(declared)))


@check("hosting.hds.consumer_service", facts=(HdsDeclarationsFacts, DeclaredProviderFacts))
def hds_consumer_service(ctx: Context) -> list[CheckResult]:
    """Flag declared providers that are consumer messaging, mail or storage services."""
    return judge_consumer_services(gather_declarations(ctx))


# --- facts ----------------------------------------------------------------------------------


def gather_declarations(ctx: Context) -> HdsDeclarationsFacts:
    """The providers declared in the answers and the inventory (once per audit)."""

    def compute() -> HdsDeclarationsFacts:
        declared = declared_providers(ctx.answers, ctx.config.inventory_file)
        return HdsDeclarationsFacts(
            questionnaire=bool(ctx.answers),
            known=declared.known,
            providers=[_provider_facts(p) for p in declared.providers],
            unnamed=list(declared.unnamed),
        )

    return ctx.memo(("hds-declarations",), compute)


def gather_providers(
    ctx: Context, providers: Sequence[DeclaredProviderFacts]
) -> list[HdsProviderFacts]:
    """Each provider looked up in the list in use (read only when there is one to look up)."""
    if not providers:
        return []
    in_use = _list_in_use(ctx)
    matcher = Matcher(in_use.hosts.hosts, matching_rules())
    snapshot = in_use.hosts.snapshot
    host_list = HostListFacts(
        source=snapshot.source,
        retrieved=snapshot.retrieved,
        complete=snapshot.complete,
        shipped_extract=in_use.path is None,
    )
    today = dt.date.today()
    found = []
    for provider in providers:
        hosted = matcher.search(provider.host) if provider.host else []
        found.append(
            HdsProviderFacts(
                provider=provider,
                host_list=host_list,
                checked_on=today,
                matches=[_match_facts(m) for m in matcher.search(provider.name)[:MAX_MATCHES]],
                declared_host_matches=[_match_facts(m) for m in hosted if m.certain][:MAX_MATCHES],
            )
        )
    return found


def _provider_facts(provider: DeclaredProvider) -> DeclaredProviderFacts:
    service = consumer_service(provider.name)
    return DeclaredProviderFacts(
        name=provider.name,
        role=provider.role,
        declared_in=provider.origin,
        host=provider.host,
        activity=provider.activity,
        consumer_service=None
        if service is None
        else ConsumerServiceFacts(
            id=service.id, name=service.name, kind=service.kind, verified=service.verified
        ),
    )


def _match_facts(match: Match) -> HdsMatch:
    return HdsMatch(host=match.host, kind=match.kind, matched_name=match.matched_name)


def _list_in_use(ctx: Context) -> ListInUse:
    try:
        return ctx.memo(("hds-list",), current_list)
    except ContentError as exc:
        raise CheckError(
            "unverified", f"liste des hébergeurs certifiés illisible : {exc}"
        ) from None


def _to_look_up(declared: HdsDeclarationsFacts) -> list[DeclaredProviderFacts]:
    # Consumer services are judged by their own check, not looked up in the list (and
    # without a list of providers there is nothing to look up).
    return [p for p in declared.providers if p.consumer_service is None]


# --- verdicts and words ---------------------------------------------------------------------


def judge_certified(
    declared: HdsDeclarationsFacts, looked_up: Sequence[HdsProviderFacts]
) -> list[CheckResult]:
    """One result per unnamed role and per provider looked up, or why there is none."""
    if not declared.known:
        return [judge_undeclared(declared)]
    results = [judge_unnamed(UnnamedProviderFacts(role=role)) for role in declared.unnamed]
    results += [judge_provider(facts) for facts in looked_up]
    if results:
        return results
    reason = (
        "seulement des services grand public, jugés par le contrôle des services grand public"
        if declared.providers
        else "aucun prestataire ne conserve de données de patients d'après les réponses"
    )
    return [not_applicable(f"Sans objet : {reason}.", declared)]


def judge_consumer_services(declared: HdsDeclarationsFacts) -> list[CheckResult]:
    """A provider that is a consumer service fails; none among those declared passes."""
    if not declared.known:
        return [judge_undeclared(declared)]
    if not declared.providers:
        return [
            not_applicable(
                "Sans objet : aucun prestataire nommé ne conserve de données de patients.",
                declared,
            )
        ]
    labels = consumer_services().kind_labels
    failures = []
    for provider in declared.providers:
        service = provider.consumer_service
        if service is None:
            continue
        caveat = "" if service.verified else " (classement d'après la liste de l'outil)"
        failures.append(
            failed(
                f"{_who(provider)} : {labels[service.kind]} ({service.name}){caveat}. Sauf "
                "contrat et certificat HDS couvrant ce service, les données de santé qui y sont "
                "conservées doivent être considérées comme hébergées hors HDS.",
                provider,
                subject=provider.name,
            )
        )
    if failures:
        return failures
    names = ", ".join(f"« {p.name} »" for p in declared.providers)
    return [
        passed(
            f"Aucun service grand public parmi les prestataires déclarés ({names}).",
            declared,
            evidence=[_declared_evidence(p) for p in declared.providers],
        )
    ]


def judge_undeclared(declared: HdsDeclarationsFacts) -> CheckResult:
    """No list of providers: nothing to say without a questionnaire, a question otherwise."""
    # A purely technical audit (no questionnaire, no inventory) has nothing to say about
    # providers; a questionnaire that leaves the list of providers open must ask for it.
    if not declared.questionnaire:
        return not_applicable(
            "Sans questionnaire ni inventaire des prestataires : prestataires non examinés.",
            declared,
        )
    return indeterminate(
        "unanswered",
        _ASK,
        declared,
        summary="Prestataires hébergeant des données de santé non déclarés dans le questionnaire.",
        remediation="unanswered",
    )


def judge_unnamed(facts: UnnamedProviderFacts) -> CheckResult:
    """A provider without a name cannot be looked up."""
    return indeterminate(
        "unanswered",
        f"nom du prestataire ({facts.role}) manquant",
        facts,
        subject=facts.role,
        summary=f"Prestataire « {facts.role} » déclaré sans nom : impossible de le rechercher "
        "dans la liste des hébergeurs certifiés.",
        remediation="unanswered",
    )


def judge_provider(facts: HdsProviderFacts) -> CheckResult:
    """Certified, expired, absent from a complete list, or to confirm (claims, near names…)."""
    provider, today = facts.provider, facts.checked_on
    matches = [m.match() for m in facts.matches]
    certain = [m for m in matches if m.certain]
    evidence = [_declared_evidence(provider), _list_evidence(facts.host_list)]
    evidence += [_match_evidence(m) for m in matches[:3]]
    if certain:
        valid = [m for m in certain if not m.host.expired(today)]
        if valid:
            host = valid[0].host
            if host.activities and provider.activity not in (None, *host.activities):
                return _unverified(
                    facts,
                    f"{_who(provider)} : {host.legal_name} figure dans la liste de l'ANS "
                    f"({_certificate(host)}), mais son certificat ne mentionne pas l'activité "
                    f"{provider.activity} ({_activity_label(provider.activity)}) : vérifiez "
                    "qu'il couvre le service utilisé.",
                    evidence,
                )
            if _on_2018_referential(host):
                return _unverified(
                    facts,
                    f"{_who(provider)} : {host.legal_name} figure dans la liste de l'ANS "
                    f"({_certificate(host)}), avec un certificat selon le référentiel HDS de "
                    "2018. Le référentiel de 2024 (arrêté du 26 avril 2024) a laissé aux "
                    "hébergeurs déjà certifiés une période de transition dont la date de fin "
                    "n'a pas pu être vérifiée : à confirmer auprès de l'hébergeur.",
                    evidence,
                    "referential_2018",
                )
            return passed(
                f"{_who(provider)} : certifié HDS d'après la liste de l'ANS "
                f"({host.legal_name} ; {_certificate(host)}).",
                facts,
                subject=provider.name,
                evidence=evidence,
            )
        host = certain[0].host
        return failed(
            f"{_who(provider)} : le certificat HDS de {host.legal_name} relevé dans la "
            f"liste de l'ANS a expiré le {host.valid_until:%d/%m/%Y}.",
            facts,
            subject=provider.name,
            evidence=evidence,
            remediation="expired",
        )
    hosted = next(
        (m.match() for m in facts.declared_host_matches if not m.host.expired(today)), None
    )
    if hosted is not None:
        evidence.append(_match_evidence(hosted))
        return _unverified(
            facts,
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
            facts,
            f"{_who(provider)} : certifié HDS d'après la déclaration du fournisseur "
            f"({host.legal_name}), à confirmer dans la liste de l'ANS.{scope}",
            evidence,
        )
    if matches:
        found = "; ".join(f"{m.host.legal_name} ({m.explanation})" for m in matches[:3])
        return _unverified(
            facts,
            f"{_who(provider)} : correspondance incertaine dans la liste des hébergeurs "
            f"certifiés : {found}. Vérifiez qu'il s'agit bien de la même société.",
            evidence,
        )
    if facts.host_list.complete:
        return failed(
            f"{_who(provider)} : absent de la liste des hébergeurs certifiés HDS "
            f"({list_words(facts.host_list)}).",
            facts,
            subject=provider.name,
            evidence=evidence,
        )
    return _unverified(
        facts,
        f"{_who(provider)} : absent de l'extrait partiel de la liste des hébergeurs certifiés "
        "fourni avec l'outil ; cette absence ne prouve rien tant que la liste officielle de "
        "l'ANS n'a pas été consultée.",
        evidence,
    )


def list_words(host_list: HostListFacts) -> str:
    """Which list, from where, of when, complete or not, as a client report says it."""
    return list_description(
        host_list.retrieved,
        host_list.source,
        host_list.complete,
        shipped=host_list.shipped_extract,
    )


def _unverified(
    facts: HdsProviderFacts,
    summary: str,
    evidence: list[Evidence],
    remediation_key: str = "unverified",
) -> CheckResult:
    return indeterminate(
        "unverified",
        "certification HDS à confirmer",
        facts,
        subject=facts.provider.name,
        evidence=evidence,
        summary=summary,
        remediation=remediation_key,
    )


def _on_2018_referential(host: CertifiedHost) -> bool:
    """Whether the list says the certificate follows the 2018 référentiel (versions 1.x)."""
    text = host.referential or ""
    return bool(_REFERENTIAL_2018.search(text)) and not _REFERENTIAL_2024.search(text)


def _activity_label(number: int | None) -> str:
    labels: dict[int, str] = dict(activities().activities.items())
    return labels.get(number, "") if number is not None else ""


def _who(provider: DeclaredProviderFacts) -> str:
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


def _declared_evidence(provider: DeclaredProviderFacts) -> Evidence:
    value = f"{provider.name} — {provider.role} — déclaré dans : {provider.declared_in}"
    if provider.host:
        value += f" — hébergeur déclaré : {provider.host}"
    return Evidence(label="Prestataire", value=value)


def _list_evidence(host_list: HostListFacts) -> Evidence:
    return Evidence(label="Liste des hébergeurs certifiés", value=list_words(host_list))


def _match_evidence(match: Match) -> Evidence:
    host = match.host
    origin = (
        "liste de l'ANS" if host.verified else "déclaration du fournisseur, non vérifiée par l'ANS"
    )
    return Evidence(
        label=f"Correspondance : {host.legal_name}",
        value=f"{match.explanation} ; {_certificate(host)} ; {origin} ; source {host.source}",
    )
