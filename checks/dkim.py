"""DKIM keys: probe the usual selectors (and the user's), judge every key found.

A selector cannot be listed from DNS, so finding no key proves nothing: that outcome is
`indeterminate`, never a failure. RSA sizes follow RFC 8301 (1024 bits minimum, 2048
recommended); Ed25519 keys are RFC 8463.
"""

from __future__ import annotations

from dataclasses import dataclass

from rgpd_audit import catalog
from rgpd_audit.context import CheckContext
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, ErrorInfo, Evidence, Severity, Status
from rgpd_audit.records.dkim import DkimKey, DkimRecordError, parse_dkim_key
from rgpd_audit.records.spf_txt import readable_texts
from rgpd_audit.registry import check

#: RFC 8301 §3.2: signers MUST use at least 1024 bits and SHOULD use at least 2048.
RSA_MINIMUM_BITS = 1024
RSA_RECOMMENDED_BITS = 2048


@dataclass(frozen=True)
class SelectorFinding:
    """What one selector gave: a key, a record receivers reject, or a failed lookup."""

    selector: str
    providers: tuple[str, ...]
    record: str | None = None
    key: DkimKey | None = None
    problem: str | None = None
    lookup_error: CheckError | None = None

    @property
    def label(self) -> str:
        """`selector._domainkey`, with the providers known to use it."""
        who = f" ({', '.join(self.providers)})" if self.providers else ""
        return f"{self.selector}._domainkey{who}"


@check("mail.dkim.present")
def dkim_present(ctx: CheckContext) -> list[CheckResult]:
    """At least one usable DKIM key at the selectors tried."""
    findings, tried = _probe(ctx)
    active = [f for f in findings if f.key and not f.key.revoked]
    evidence = [Evidence(label=f.label, value=_describe(f)) for f in findings if f.record]
    if active:
        names = ", ".join(f.selector for f in active)
        return [
            CheckResult(
                status=Status.PASS,
                summary=f"{len(active)} clé(s) DKIM publiée(s) (sélecteur(s) {names}) : les "
                "destinataires peuvent vérifier que les messages viennent bien du domaine.",
                evidence=evidence,
            )
        ]
    failed = [f.lookup_error for f in findings if f.lookup_error]
    if failed and len(failed) == len(findings):
        raise failed[0]
    revoked = [f.selector for f in findings if f.key and f.key.revoked]
    unreadable = [f.selector for f in findings if f.problem]
    details = []
    if revoked:
        details.append(f"clé révoquée (p= vide) au(x) sélecteur(s) {', '.join(revoked)}")
    if unreadable:
        details.append(f"enregistrement illisible au(x) sélecteur(s) {', '.join(unreadable)}")
    if failed:
        details.append(f"{len(failed)} sélecteur(s) sans réponse DNS")
    found = f" ({' ; '.join(details)})" if details else ""
    message = (
        f"aucune clé DKIM utilisable parmi les {tried} sélecteurs essayés{found}. Les sélecteurs "
        "ne peuvent pas être énumérés : le domaine peut signer avec un sélecteur absent de la "
        "liste, ce contrôle ne conclut donc pas à une absence de DKIM"
    )
    if _no_domainkey(ctx) and not findings:
        message = (
            f"aucune clé DKIM trouvée : le nom _domainkey.{ctx.target.domain} n'existe pas dans "
            f"le DNS, donc aucun sélecteur n'y est publié, ni les {tried} recherchés ni un "
            "autre (RFC 8020). Un serveur DNS mal configuré pouvant nier ce nom à tort, ce "
            "contrôle ne conclut pas à une absence de DKIM"
        )
    return [
        CheckResult(
            status=Status.INDETERMINATE,
            summary=f"Non évalué : {message}.",
            error=ErrorInfo(reason="dns", message=message),
            evidence=evidence,
            remediation_key="not_found",
        )
    ]


@check("mail.dkim.key")
def dkim_key(ctx: CheckContext) -> list[CheckResult]:
    """Type, size and syntax of every DKIM key found (revoked keys excepted)."""
    findings, _ = _probe(ctx)
    judged = [f for f in findings if f.problem or (f.key and not f.key.revoked)]
    if not judged:
        return [_no_key(findings)]
    return [_judge_key(f) for f in judged]


@check("mail.dkim.testing")
def dkim_testing(ctx: CheckContext) -> list[CheckResult]:
    """No DKIM key left in testing mode (`t=y`)."""
    findings, _ = _probe(ctx)
    active = [f for f in findings if f.key and not f.key.revoked]
    if not active:
        return [_no_key(findings)]
    testing = [f for f in active if f.key and f.key.testing]
    if testing:
        return [
            CheckResult(
                status=Status.FAIL,
                subject=f.selector,
                summary=f"Clé DKIM {f.selector} en mode test (t=y) : les destinataires doivent "
                "traiter les messages signés comme s'ils ne l'étaient pas (RFC 6376 §3.6.1).",
                evidence=[Evidence(label=f.label, value=f.record)],
            )
            for f in testing
        ]
    return [
        CheckResult(
            status=Status.PASS,
            summary="Aucune clé DKIM en mode test (t=y).",
            evidence=[Evidence(label=f.label, value=f.record) for f in active],
        )
    ]


def _probe(ctx: CheckContext) -> tuple[list[SelectorFinding], int]:
    """Every selector with a record, or whose lookup failed; and how many were tried."""
    known = catalog.dkim_selectors()
    selectors = list(dict.fromkeys([*ctx.config.dkim_selectors, *known.all_selectors()]))
    # No _domainkey name at all: no selector under it (RFC 8020), one query instead of 32.
    # The selectors given for the audit are asked anyway, in case the server wrongly denies.
    asked = list(ctx.config.dkim_selectors) if _no_domainkey(ctx) else selectors
    results = ctx.memo(
        ("dkim", ctx.target.domain, tuple(selectors)),
        lambda: ctx.map(lambda selector: _lookup(ctx, selector), asked),
    )
    return [r for r in results if r is not None], len(selectors)


def _no_domainkey(ctx: CheckContext) -> bool:
    return ctx.nothing_under(f"_domainkey.{ctx.target.domain}")


def _lookup(ctx: CheckContext, selector: str) -> SelectorFinding | None:
    providers = tuple(catalog.dkim_selectors().providers_of(selector))
    if selector in ctx.config.dkim_selectors:
        providers = ("sélecteur indiqué pour l'audit", *providers)
    try:
        records = ctx.lookup(f"{selector}._domainkey.{ctx.target.domain}", "TXT") or []
    except CheckError as exc:
        return SelectorFinding(selector, providers, lookup_error=exc)
    texts = readable_texts(records)
    # A wildcard TXT (often an SPF record) answers every name: only DKIM-looking records count.
    candidates = [t for t in texts if t.lstrip().startswith("v=DKIM1") or "p=" in t]
    if not candidates:
        return None
    # Several records at one selector make the outcome undefined (RFC 6376 §3.6.2.2).
    record = candidates[0]
    if len(candidates) > 1:
        return SelectorFinding(
            selector, providers, record, problem=f"{len(candidates)} enregistrements DKIM"
        )
    try:
        return SelectorFinding(selector, providers, record, key=parse_dkim_key(record))
    except DkimRecordError as exc:
        return SelectorFinding(selector, providers, record, problem=str(exc))


def _describe(finding: SelectorFinding) -> str:
    key = finding.key
    if finding.problem or key is None:
        return f"illisible : {finding.problem}"
    if key.revoked:
        return "clé révoquée (p= vide)"
    size = f" {key.rsa_bits} bits" if key.rsa_bits else ""
    return f"{key.key_type.upper()}{size}" + (" ; mode test (t=y)" if key.testing else "")


def _judge_key(finding: SelectorFinding) -> CheckResult:
    key = finding.key
    evidence = [Evidence(label=finding.label, value=finding.record)]
    subject = finding.selector
    if finding.problem or key is None:
        return CheckResult(
            status=Status.FAIL,
            subject=subject,
            summary=f"Sélecteur {subject} : {finding.problem} ; les destinataires ne peuvent pas "
            "vérifier les signatures faites avec cette clé.",
            evidence=evidence,
        )
    if key.hash_algorithms and set(key.hash_algorithms) <= {"sha1"}:
        return CheckResult(
            status=Status.FAIL,
            subject=subject,
            summary=f"Sélecteur {subject} : la clé n'admet que SHA-1 (h=sha1), interdit par la "
            "RFC 8301 : les signatures ne sont plus acceptées.",
            evidence=evidence,
        )
    if key.key_type == "ed25519":
        return CheckResult(
            status=Status.PASS,
            subject=subject,
            summary=f"Sélecteur {subject} : clé Ed25519 (RFC 8463).",
            evidence=evidence,
        )
    if key.key_type != "rsa" or key.rsa_bits is None:
        return CheckResult(
            status=Status.FAIL,
            subject=subject,
            summary=f"Sélecteur {subject} : type de clé « {key.key_type} » inconnu, ignoré par "
            "les destinataires.",
            evidence=evidence,
        )
    bits = key.rsa_bits
    evidence.append(Evidence(label="Taille de la clé RSA", value=f"{bits} bits"))
    if bits < RSA_MINIMUM_BITS:
        return CheckResult(
            status=Status.FAIL,
            subject=subject,
            summary=f"Sélecteur {subject} : clé RSA de {bits} bits, sous le minimum de "
            f"{RSA_MINIMUM_BITS} bits (RFC 8301) ; les destinataires refusent ces signatures "
            "et une clé si courte peut être cassée pour signer à la place du cabinet.",
            evidence=evidence,
        )
    if bits < RSA_RECOMMENDED_BITS:
        return CheckResult(
            status=Status.FAIL,
            subject=subject,
            severity=Severity.LOW,
            summary=f"Sélecteur {subject} : clé RSA de {bits} bits, admise mais sous les "
            f"{RSA_RECOMMENDED_BITS} bits recommandés par la RFC 8301.",
            evidence=evidence,
            remediation_key="short",
        )
    return CheckResult(
        status=Status.PASS,
        subject=subject,
        summary=f"Sélecteur {subject} : clé RSA de {bits} bits.",
        evidence=evidence,
    )


def _no_key(findings: list[SelectorFinding]) -> CheckResult:
    # "No key" is only said when every selector was actually answered.
    failed = [f.lookup_error for f in findings if f.lookup_error]
    if failed:
        raise failed[0]
    return CheckResult(
        status=Status.NOT_APPLICABLE,
        summary="Aucune clé DKIM active trouvée aux sélecteurs essayés : rien à examiner.",
    )
