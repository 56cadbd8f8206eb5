"""DNSSEC of the audited domain: the chain of trust, validated by the tool itself.

The domain's MX records are validated from the trust anchor (the IANA root keys, or the
file given with --trust-anchor) down through every zone cut. "Unsigned" (a delegation the
parent proves unsigned) and "bogus" (a signature or proof that fails) are different
failures; a resolver or network problem is neither and stays indeterminate.
"""

from __future__ import annotations

from rgpd_audit.context import CheckContext
from rgpd_audit.models import CheckResult, Evidence, Severity, Status
from rgpd_audit.net.dnssec import Security, Validation
from rgpd_audit.registry import check


@check("dns.dnssec.chain")
def chain_of_trust(ctx: CheckContext) -> list[CheckResult]:
    """The domain's records validate from the trust anchor (secure), not insecure nor bogus."""
    validator = ctx.dnssec()
    domain = ctx.target.domain
    result = validator.validate(domain, "MX")
    evidence = _evidence(result, validator.anchors.source)
    if result.security is Security.BOGUS:
        return [
            CheckResult(
                status=Status.FAIL,
                # DNSSEC is a recommendation (RFC 4033): medium at most (severity policy,
                # audit/data/scoring.yaml), even when bogus signatures cut the domain off.
                severity=Severity.MEDIUM,
                summary=f"Signatures DNSSEC de {domain} invalides (« bogus ») : {result.reason}. "
                "Les résolveurs qui valident DNSSEC refusent alors de répondre pour ce "
                "domaine : le courrier et le site du cabinet deviennent injoignables pour "
                "une partie des correspondants.",
                evidence=evidence,
                remediation_key="bogus",
            )
        ]
    if result.security is Security.INSECURE:
        if result.signed_without_ds:
            return [
                CheckResult(
                    status=Status.FAIL,
                    summary=f"La zone {result.zone} est signée, mais la zone parente ne publie "
                    "pas son enregistrement DS : la chaîne de confiance est rompue et "
                    "personne ne peut vérifier les signatures.",
                    evidence=evidence,
                    remediation_key="ds_missing",
                )
            ]
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"{domain} n'est pas protégé par DNSSEC : {result.reason}. Ses "
                "réponses DNS (serveurs de messagerie, adresses) peuvent être falsifiées "
                "sans que les correspondants puissent le détecter.",
                evidence=evidence,
            )
        ]
    if not result.exists:
        return [
            CheckResult(
                status=Status.NOT_APPLICABLE,
                summary=f"{domain} n'existe pas dans le DNS (inexistence prouvée par DNSSEC).",
                evidence=evidence,
            )
        ]
    return [
        CheckResult(
            status=Status.PASS,
            summary=f"Chaîne de confiance DNSSEC validée de l'ancre jusqu'à {domain} : ses "
            "réponses DNS sont signées et vérifiables.",
            evidence=evidence,
        )
    ]


def _evidence(result: Validation, anchor_source: str) -> list[Evidence]:
    evidence = [
        Evidence(label="Ancre de confiance", value=anchor_source),
        Evidence(label="Chaîne de confiance", value=list(result.steps) or "aucune étape validée"),
        Evidence(label="Zone", value=result.zone),
    ]
    if result.records:
        evidence.append(
            Evidence(label=f"{result.rdtype} de {result.name}", value=list(result.records))
        )
    if result.reason:
        evidence.append(Evidence(label="Motif", value=result.reason))
    return evidence
