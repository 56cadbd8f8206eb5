"""Consumer webmail: MX hosted by, or practice addresses on, a consumer mail offer."""

from __future__ import annotations

from rgpd_audit import catalog
from rgpd_audit.catalog import Provider
from rgpd_audit.checks.provider import provider_facts
from rgpd_audit.context import CheckContext
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, Evidence, Status
from rgpd_audit.registry import check


@check("mail.provider.consumer")
def provider_consumer(ctx: CheckContext) -> list[CheckResult]:
    """Flag consumer offers among the MX provider and the practice's contact addresses."""
    known = catalog.providers()
    subjects: list[tuple[str, str, Provider | None]] = []
    mx_error: CheckError | None = None
    try:
        exchangers = ctx.mx().exchangers
    except CheckError as exc:
        # A consumer contact address is a finding even when DNS fails.
        mx_error, exchangers = exc, ()
    for exchanger in exchangers:
        subjects.append(("MX", exchanger.host, known.by_mx_host(exchanger.host)))
    for address in ctx.target.emails:
        domain = address.rpartition("@")[2]
        subjects.append(("Adresse", address, known.by_address_domain(domain)))
    if not subjects and mx_error:
        raise mx_error
    if not subjects:
        return [
            CheckResult(
                status=Status.NOT_APPLICABLE,
                summary="Ni serveur MX ni adresse de contact du cabinet à examiner.",
            )
        ]
    results = [_judge(kind, name, provider) for kind, name, provider in subjects]
    consumer = [r for r in results if r.status is Status.FAIL]
    if consumer:
        return consumer
    if mx_error:
        raise mx_error
    return [
        CheckResult(
            status=Status.PASS,
            summary="Aucune offre de messagerie grand public détectée : "
            + " ; ".join(r.summary for r in results),
            evidence=[e for r in results for e in r.evidence],
        )
    ]


def _judge(kind: str, name: str, provider: Provider | None) -> CheckResult:
    if provider is None:
        return CheckResult(
            status=Status.PASS,
            subject=name,
            summary=f"{kind} {name} : fournisseur absent de la liste (hébergement propre ou autre "
            "fournisseur)",
            evidence=[Evidence(label=f"{kind} {name}", value="fournisseur non identifié")],
        )
    caveat = "" if provider.verified else " (attribution d'après la liste, à confirmer)"
    evidence = [Evidence(label=f"{kind} {name}", value=provider_facts(provider))]
    if provider.kind == "consumer":
        return CheckResult(
            status=Status.FAIL,
            subject=name,
            summary=f"{kind} {name} : messagerie grand public {provider.name}{caveat}. Une telle "
            "boîte est destinée à un usage personnel, pas à l'activité d'un cabinet de santé.",
            evidence=evidence,
        )
    return CheckResult(
        status=Status.PASS,
        subject=name,
        summary=f"{kind} {name} : {provider.name}{caveat}, "
        f"{catalog.providers().kind_labels[provider.kind]}",
        evidence=evidence,
    )
