"""DANE for SMTP (RFC 7672): TLSA records of each MX, DNSSEC-validated, matched to the server.

A sending server that applies DANE looks up `_25._tcp.<mx>` TLSA records; when they are
DNSSEC-secure it insists on TLS with a certificate they designate, which defeats both
STARTTLS stripping and forged certificates. Only secure records count: TLSA in an unsigned
zone are ignored by senders, and a bogus answer makes them defer delivery.
"""

from __future__ import annotations

from dataclasses import dataclass

from rgpd_audit.context import CheckContext, MailExchanger
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, ErrorInfo, Evidence, Severity, Status
from rgpd_audit.net.dnssec import Security, Validation
from rgpd_audit.net.smtp import SmtpProbe
from rgpd_audit.records.tlsa import (
    TlsaRecord,
    TlsaRecordError,
    Usage,
    association_data,
    match_chain,
    parse_tlsa,
)
from rgpd_audit.registry import check


@dataclass(frozen=True)
class _HostTlsa:
    """The TLSA records of one MX host, as a DANE sender sees them."""

    host: str
    validation: Validation
    usable: tuple[TlsaRecord, ...]
    #: PKIX usages (0, 1): valid records that SMTP senders ignore (RFC 7672 §3.1.3).
    pkix: tuple[TlsaRecord, ...]
    broken: tuple[str, ...]

    @property
    def owner(self) -> str:
        return f"_25._tcp.{self.host}"

    @property
    def secure_dane(self) -> bool:
        return self.validation.security is Security.SECURE and bool(self.usable)


@check("mail.dane.tlsa")
def tlsa_published(ctx: CheckContext) -> list[CheckResult]:
    """Each MX host publishes DNSSEC-secure TLSA records that SMTP senders can use."""
    exchangers = _exchangers(ctx)
    if isinstance(exchangers, CheckResult):
        return [exchangers]
    return ctx.map(lambda x: _judge_tlsa(ctx, x), exchangers)


@check("mail.dane.match")
def tlsa_matches(ctx: CheckContext) -> list[CheckResult]:
    """The certificate each MX address actually serves matches its secure TLSA records."""
    exchangers = _exchangers(ctx)
    if isinstance(exchangers, CheckResult):
        return [exchangers]
    found = _secure_tlsa(ctx, exchangers)
    pairs = [
        (tlsa, address)
        for x, tlsa in found
        if isinstance(tlsa, _HostTlsa)
        for address in x.addresses
    ]
    errors = [error for _, error in found if isinstance(error, CheckResult)]
    if not pairs:
        return errors or [
            CheckResult(
                status=Status.NOT_APPLICABLE,
                summary="Aucun serveur MX ne publie d'enregistrement TLSA sécurisé par DNSSEC : "
                "il n'y a pas de correspondance à vérifier (voir le contrôle des TLSA).",
            )
        ]
    return errors + ctx.map(lambda pair: _judge_match(ctx, *pair), pairs)


@check("mail.dane.rollover")
def tlsa_rollover(ctx: CheckContext) -> list[CheckResult]:
    """Secure TLSA records are set up to survive a certificate renewal."""
    exchangers = _exchangers(ctx)
    if isinstance(exchangers, CheckResult):
        return [exchangers]
    results = [
        tlsa if isinstance(tlsa, CheckResult) else _judge_rollover(tlsa)
        for _, tlsa in _secure_tlsa(ctx, exchangers)
    ]
    return results or [
        CheckResult(
            status=Status.NOT_APPLICABLE,
            summary="Aucun enregistrement TLSA sécurisé par DNSSEC : pas de renouvellement de "
            "clé à préparer pour DANE.",
        )
    ]


def _exchangers(ctx: CheckContext) -> list[MailExchanger] | CheckResult:
    mx = ctx.mx()
    if not mx.exists or mx.null_mx or not mx.exchangers:
        return CheckResult(
            status=Status.NOT_APPLICABLE,
            summary="Aucun serveur MX (voir le contrôle des enregistrements MX) : DANE est "
            "sans objet.",
        )
    return list(mx.exchangers)


def _lookup(ctx: CheckContext, host: str) -> _HostTlsa:
    return ctx.memo(("dane-tlsa", host), lambda: _fetch(ctx, host))


def _secure_tlsa(
    ctx: CheckContext, exchangers: list[MailExchanger]
) -> list[tuple[MailExchanger, _HostTlsa | CheckResult]]:
    """Per MX host, in order: its DNSSEC-secure usable TLSA records, or an indeterminate
    result when they could not be obtained. Hosts without secure DANE are left out."""

    def one(x: MailExchanger) -> _HostTlsa | CheckResult | None:
        try:
            tlsa = _lookup(ctx, x.host)
        except CheckError as exc:
            return _indeterminate(x.host, exc)
        return tlsa if tlsa.secure_dane else None

    found = ctx.map(one, exchangers)
    return [(x, tlsa) for x, tlsa in zip(exchangers, found, strict=True) if tlsa is not None]


def _fetch(ctx: CheckContext, host: str) -> _HostTlsa:
    validation = ctx.dnssec().validate(f"_25._tcp.{host}", "TLSA")
    usable, pkix, broken = [], [], []
    for text in validation.records:
        try:
            record = parse_tlsa(text)
        except TlsaRecordError as exc:
            broken.append(str(exc))
            continue
        (usable if record.dane else pkix).append(record)
    return _HostTlsa(host, validation, tuple(usable), tuple(pkix), tuple(broken))


def _indeterminate(host: str, error: CheckError) -> CheckResult:
    return CheckResult(
        status=Status.INDETERMINATE,
        subject=host,
        summary=f"Enregistrements TLSA de {host} impossibles à obtenir : {error.message}.",
        error=ErrorInfo(reason=error.reason, message=error.message),
    )


def _judge_tlsa(ctx: CheckContext, x: MailExchanger) -> CheckResult:
    try:
        tlsa = _lookup(ctx, x.host)
    except CheckError as exc:
        return _indeterminate(x.host, exc)
    validation = tlsa.validation
    evidence = _tlsa_evidence(tlsa)
    if validation.security is Security.BOGUS:
        return CheckResult(
            status=Status.FAIL,
            subject=x.host,
            # DANE is a recommendation (RFC 7672): medium at most (severity policy,
            # audit/data/scoring.yaml), even when a bogus answer delays the mail.
            severity=Severity.MEDIUM,
            summary=f"Réponse DNSSEC invalide (« bogus ») pour {tlsa.owner} : "
            f"{validation.reason}. Les expéditeurs qui appliquent DANE reportent alors la "
            "livraison du courrier vers ce serveur.",
            evidence=evidence,
            remediation_key="bogus",
        )
    if validation.security is Security.INSECURE:
        published = " Des TLSA y sont publiés, mais sans" if validation.records else " Sans"
        return CheckResult(
            status=Status.FAIL,
            subject=x.host,
            severity=Severity.MEDIUM if validation.records else Severity.LOW,
            summary=f"La zone de {x.host} n'est pas signée par DNSSEC.{published} "
            "DNSSEC les expéditeurs ignorent tout TLSA : DANE est impossible.",
            evidence=evidence,
            remediation_key="unsigned",
        )
    if not tlsa.usable:
        return _no_usable_tlsa(ctx, x, tlsa, evidence)
    ignored = ""
    if tlsa.pkix:
        ignored = (
            f" {len(tlsa.pkix)} enregistrement(s) d'usage PKIX (0 ou 1) sont ignorés par les "
            "serveurs de messagerie (RFC 7672)."
        )
    return CheckResult(
        status=Status.PASS,
        subject=x.host,
        summary=f"{len(tlsa.usable)} enregistrement(s) TLSA exploitables pour DANE, "
        f"validés par DNSSEC, sur {tlsa.owner}.{ignored}",
        evidence=evidence,
    )


def _no_usable_tlsa(
    ctx: CheckContext, x: MailExchanger, tlsa: _HostTlsa, evidence: list[Evidence]
) -> CheckResult:
    if tlsa.validation.records:
        summary = (
            f"Les TLSA de {tlsa.owner} ne sont pas exploitables pour le courrier : usages "
            "PKIX (0 ou 1), ignorés par les serveurs de messagerie (RFC 7672), ou "
            "enregistrements illisibles."
        )
    else:
        summary = (
            f"Aucun enregistrement TLSA pour {x.host} (absence prouvée par DNSSEC) : les "
            "expéditeurs ne peuvent pas exiger un chiffrement authentifié vers ce serveur."
        )
    suggested = _suggested_record(ctx, x, tlsa.owner)
    if suggested:
        evidence.append(Evidence(label="Enregistrement à publier", value=suggested))
    return CheckResult(
        status=Status.FAIL,
        subject=x.host,
        severity=Severity.LOW if not tlsa.validation.records else None,
        summary=summary,
        evidence=evidence,
    )


def _suggested_record(ctx: CheckContext, x: MailExchanger, owner: str) -> str | None:
    """A `3 1 1` record for the key the server presents now, ready to paste."""
    for address in x.addresses:
        probe = ctx.smtp_probe(x.host, address)
        digest = _served_key(probe.tls.chain) if probe.tls else None
        if digest:
            return f"{owner}. IN TLSA 3 1 1 {digest}"
    return None


def _served_key(chain: tuple[bytes, ...]) -> str | None:
    """The `3 1 1` association data of the certificate a server presented, if readable."""
    if not chain:
        return None
    try:
        return association_data(chain[0], 1, 1).hex().upper()
    except TlsaRecordError:
        return None


def _judge_match(ctx: CheckContext, tlsa: _HostTlsa, address: str) -> CheckResult:
    probe: SmtpProbe = ctx.smtp_probe(tlsa.host, address)
    evidence = _tlsa_evidence(tlsa)
    evidence.append(Evidence(label="Serveur", value=f"{address} port {probe.port}"))
    if probe.error is not None:
        return CheckResult(
            status=Status.INDETERMINATE,
            subject=probe.subject,
            summary=f"Serveur non testable : {probe.error.message}.",
            error=probe.error,
            evidence=evidence,
        )
    if probe.tls is None:
        return CheckResult(
            status=Status.FAIL,
            subject=probe.subject,
            summary="Des TLSA sécurisés sont publiés mais le serveur n'établit pas de session "
            "TLS : les expéditeurs qui appliquent DANE ne lui remettent aucun courrier.",
            evidence=evidence,
        )
    chain = probe.tls.chain
    served = _served_key(chain)
    if served:
        evidence.append(Evidence(label="Clé présentée (3 1 1)", value=served))
    verdict = match_chain(tlsa.usable, chain, tlsa.host)
    if verdict.record is not None:
        return CheckResult(
            status=Status.PASS,
            subject=probe.subject,
            summary=f"DANE vérifié : {verdict.reason} ({verdict.record.text[:24]}…).",
            evidence=evidence,
        )
    return CheckResult(
        status=Status.FAIL,
        subject=probe.subject,
        summary=f"DANE en échec : {verdict.reason}. Les expéditeurs qui appliquent DANE "
        "refusent de remettre le courrier à ce serveur et le mettent en attente.",
        evidence=evidence,
    )


def _judge_rollover(tlsa: _HostTlsa) -> CheckResult:
    evidence = _tlsa_evidence(tlsa)
    distinct = {record.data for record in tlsa.usable}
    has_authority = any(r.usage == Usage.DANE_TA for r in tlsa.usable)
    if len(distinct) >= 2 or has_authority:
        how = (
            "un enregistrement désigne l'autorité émettrice (usage 2), qui reste valable "
            "quand le certificat du serveur est renouvelé par elle"
            if has_authority and len(distinct) < 2
            else f"{len(distinct)} enregistrements distincts permettent d'annoncer la clé "
            "suivante avant de l'utiliser"
        )
        return CheckResult(
            status=Status.PASS,
            subject=tlsa.host,
            summary=f"Renouvellement préparé : {how}.",
            evidence=evidence,
        )
    return CheckResult(
        status=Status.FAIL,
        subject=tlsa.host,
        summary=f"Un seul enregistrement TLSA pour {tlsa.host} : au prochain changement de "
        "clé ou de certificat, il ne correspondra plus et les expéditeurs DANE mettront le "
        "courrier en attente, sauf à publier d'abord le TLSA de la nouvelle clé.",
        evidence=evidence,
    )


def _tlsa_evidence(tlsa: _HostTlsa) -> list[Evidence]:
    v = tlsa.validation
    evidence = [
        Evidence(label="Nom interrogé", value=tlsa.owner),
        Evidence(label="État DNSSEC", value=_SECURITY_LABELS[v.security]),
    ]
    if v.records:
        evidence.append(Evidence(label="TLSA publiés", value=list(v.records)))
    if tlsa.pkix:
        evidence.append(
            Evidence(label="Ignorés (usage PKIX, RFC 7672)", value=[r.text for r in tlsa.pkix])
        )
    if tlsa.broken:
        evidence.append(Evidence(label="Illisibles", value=list(tlsa.broken)))
    if v.reason:
        evidence.append(Evidence(label="Motif", value=v.reason))
    return evidence


_SECURITY_LABELS = {
    Security.SECURE: "validé (sécurisé)",
    Security.INSECURE: "non signé",
    Security.BOGUS: "invalide (bogus)",
}
