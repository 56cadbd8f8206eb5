"""DNSSEC of the audited domain: the chain of trust, validated by the tool itself.

The domain's MX records are validated from the trust anchor (the IANA root keys, or the
file given with --trust-anchor) down through every zone cut. "Unsigned" (a delegation the
parent proves unsigned) and "bogus" (a signature or proof that fails) are different
failures; a resolver or network problem is neither and stays indeterminate (the validator
raises `CheckError`, which the engine turns into an indeterminate finding).

Facts (`DnssecFacts`, what the validator found) come first; `judge_dnssec` is a pure
function of them.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from rgpd_audit.plugin import (
    CheckResult,
    Context,
    Evidence,
    Facts,
    Security,
    Severity,
    check,
    failed,
    not_applicable,
    passed,
)


class DnssecFacts(Facts):
    """The validation of the domain's MX RRset from the trust anchor."""

    kind: ClassVar[str] = "dnssec.chain"

    domain: str
    anchor_source: str = Field(description="Where the trust anchor came from (IANA or a file)")
    name: str = Field(description="Name validated")
    rdtype: str = Field(description="Record type validated")
    security: Security = Field(description="secure, insecure (unsigned) or bogus")
    exists: bool = Field(description="False when the name is proven not to exist")
    records: list[str] = Field(default_factory=list, description="The records, as text")
    zone: str = Field(
        description="Deepest zone trusted (secure), unsigned delegation (insecure), zone where "
        "the chain broke (bogus)"
    )
    steps: list[str] = Field(
        default_factory=list, description="The validator's trace, one line per zone (French)"
    )
    reason: str = Field("", description="Why it is not secure, in the validator's words (French)")
    signed_without_ds: bool = Field(
        False, description="The unsigned delegation's zone is signed: only its DS is missing"
    )

    def evidence(self) -> list[Evidence]:
        """Anchor, chain of trust, zone, records and the validator's reason."""
        evidence = [
            Evidence(label="Ancre de confiance", value=self.anchor_source),
            Evidence(label="Chaîne de confiance", value=list(self.steps) or "aucune étape validée"),
            Evidence(label="Zone", value=self.zone),
        ]
        if self.records:
            evidence.append(Evidence(label=f"{self.rdtype} de {self.name}", value=self.records))
        if self.reason:
            evidence.append(Evidence(label="Motif", value=self.reason))
        return evidence


@check("dns.dnssec.chain", facts=DnssecFacts)
def chain_of_trust(ctx: Context) -> list[CheckResult]:
    """The domain's records validate from the trust anchor (secure), not insecure nor bogus."""
    return [judge_dnssec(gather(ctx))]


def gather(ctx: Context) -> DnssecFacts:
    """Validate the domain's MX RRset (the validator caches every question for the audit)."""
    validator = ctx.dnssec()
    domain = ctx.target.domain
    result = validator.validate(domain, "MX")
    return DnssecFacts(
        domain=domain,
        anchor_source=validator.anchors.source,
        name=result.name,
        rdtype=result.rdtype,
        security=result.security,
        exists=result.exists,
        records=list(result.records),
        zone=result.zone,
        steps=list(result.steps),
        reason=result.reason,
        signed_without_ds=result.signed_without_ds,
    )


def judge_dnssec(facts: DnssecFacts) -> CheckResult:
    """The verdict on the domain's chain of trust, in words."""
    domain = facts.domain
    if facts.security is Security.BOGUS:
        return failed(
            f"Signatures DNSSEC de {domain} invalides (« bogus ») : {facts.reason}. Les "
            "résolveurs qui valident DNSSEC refusent alors de répondre pour ce domaine : le "
            "courrier et le site du cabinet deviennent injoignables pour une partie des "
            "correspondants.",
            facts,
            # DNSSEC is a recommendation (RFC 4033): medium at most (severity policy,
            # audit/data/scoring.yaml), even when bogus signatures cut the domain off.
            severity=Severity.MEDIUM,
            remediation="bogus",
        )
    if facts.security is Security.INSECURE:
        if facts.signed_without_ds:
            return failed(
                f"La zone {facts.zone} est signée, mais la zone parente ne publie pas son "
                "enregistrement DS : la chaîne de confiance est rompue et personne ne peut "
                "vérifier les signatures.",
                facts,
                remediation="ds_missing",
            )
        return failed(
            f"{domain} n'est pas protégé par DNSSEC : {facts.reason}. Ses réponses DNS "
            "(serveurs de messagerie, adresses) peuvent être falsifiées sans que les "
            "correspondants puissent le détecter.",
            facts,
        )
    if not facts.exists:
        return not_applicable(
            f"{domain} n'existe pas dans le DNS (inexistence prouvée par DNSSEC).", facts
        )
    return passed(
        f"Chaîne de confiance DNSSEC validée de l'ancre jusqu'à {domain} : ses réponses DNS "
        "sont signées et vérifiables.",
        facts,
    )
