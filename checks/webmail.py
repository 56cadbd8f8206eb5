"""Consumer webmail: MX hosted by, or practice addresses on, a consumer mail offer.

Facts first (`WebmailFacts`, one `WebmailSubject` per MX host and contact address, with the
provider the catalog recognises), then the verdict and its words (`judge_consumer`, a pure
function of the facts, tested without a network).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from rgpd_audit import catalog
from rgpd_audit.catalog import Provider
from rgpd_audit.checks.provider import UNVERIFIED, KnownProvider, provider_evidence
from rgpd_audit.plugin import (
    CheckError,
    CheckResult,
    Context,
    ErrorInfo,
    Evidence,
    Facts,
    Status,
    check,
    failed,
    indeterminate,
    not_applicable,
    passed,
)


class WebmailSubject(Facts):
    """One MX host or contact address, and the provider the catalog recognises there."""

    kind: ClassVar[str] = "mail.webmail.subject"

    via: Literal["mx", "address"] = Field(description="An MX host, or an address given")
    name: str = Field(description="The MX host name or the e-mail address")
    provider: KnownProvider | None = Field(None, description="Absent: not in the catalog")

    @property
    def consumer(self) -> bool:
        """A consumer offer, meant for personal use."""
        return self.provider is not None and self.provider.kind == "consumer"


class WebmailFacts(Facts):
    """The MX hosts and contact addresses examined for a consumer mail offer."""

    kind: ClassVar[str] = "mail.webmail.subjects"

    subjects: list[WebmailSubject] = Field(
        default_factory=list, description="MX hosts first, then the addresses given"
    )
    mx_error: ErrorInfo | None = Field(None, description="Why the MX lookup failed")


@check("mail.provider.consumer", facts=(WebmailFacts, WebmailSubject))
def provider_consumer(ctx: Context) -> list[CheckResult]:
    """Flag consumer offers among the MX provider and the practice's contact addresses."""
    return judge_consumer(gather(ctx))


def gather(ctx: Context) -> WebmailFacts:
    """The provider of every MX host and contact address (a failed MX lookup is a fact)."""
    known = catalog.providers()
    subjects: list[WebmailSubject] = []
    mx_error: ErrorInfo | None = None
    try:
        exchangers = ctx.mx().exchangers
    except CheckError as exc:
        # A consumer contact address is a finding even when DNS fails.
        mx_error, exchangers = ErrorInfo(reason=exc.reason, message=exc.message), ()
    for exchanger in exchangers:
        provider = known.by_mx_host(exchanger.host)
        subjects.append(WebmailSubject(via="mx", name=exchanger.host, provider=_known(provider)))
    for address in ctx.target.emails:
        provider = known.by_address_domain(address.rpartition("@")[2])
        subjects.append(WebmailSubject(via="address", name=address, provider=_known(provider)))
    return WebmailFacts(subjects=subjects, mx_error=mx_error)


def _known(provider: Provider | None) -> KnownProvider | None:
    return KnownProvider.of(provider) if provider is not None else None


def judge_consumer(facts: WebmailFacts) -> list[CheckResult]:
    """One failure per consumer offer found; else one pass naming what was examined."""
    error = facts.mx_error
    if not facts.subjects and error is not None:
        return [indeterminate(error.reason, error.message, facts)]
    if not facts.subjects:
        return [not_applicable("Ni serveur MX ni adresse de contact du cabinet à examiner.", facts)]
    results = [judge_subject(s) for s in facts.subjects]
    consumer = [r for r in results if r.status is Status.FAIL]
    if consumer:
        return consumer
    # No consumer offer among what could be examined: the MX were not, so no pass.
    if error is not None:
        return [indeterminate(error.reason, error.message, facts)]
    return [
        passed(
            "Aucune offre de messagerie grand public détectée : "
            + " ; ".join(r.summary for r in results),
            facts,
            evidence=[e for r in results for e in r.evidence],
        )
    ]


def judge_subject(facts: WebmailSubject) -> CheckResult:
    """The verdict on one MX host or address, in words."""
    label = f"{'MX' if facts.via == 'mx' else 'Adresse'} {facts.name}"
    provider = facts.provider
    if provider is None:
        return passed(
            f"{label} : fournisseur absent de la liste (hébergement propre ou autre fournisseur)",
            facts,
            subject=facts.name,
            evidence=[Evidence(label=label, value="fournisseur non identifié")],
        )
    caveat = "" if provider.verified else UNVERIFIED
    evidence = [Evidence(label=label, value=provider_evidence(provider))]
    if facts.consumer:
        return failed(
            f"{label} : messagerie grand public {provider.name}{caveat}. Une telle boîte est "
            "destinée à un usage personnel, pas à l'activité d'un cabinet de santé.",
            facts,
            subject=facts.name,
            evidence=evidence,
        )
    return passed(
        f"{label} : {provider.name}{caveat}, {catalog.providers().kind_labels[provider.kind]}",
        facts,
        subject=facts.name,
        evidence=evidence,
    )
