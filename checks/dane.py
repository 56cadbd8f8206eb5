"""DANE for SMTP (RFC 7672): TLSA records of each MX, DNSSEC-validated, matched to the server.

A sending server that applies DANE looks up `_25._tcp.<mx>` TLSA records; when they are
DNSSEC-secure it insists on TLS with a certificate they designate, which defeats both
STARTTLS stripping and forged certificates. Only secure records count: TLSA in an unsigned
zone are ignored by senders, and a bogus answer makes them defer delivery.

Facts first (`TlsaFacts` per MX host, `MatchFacts` per MX address), gathered through the
context; then `judge_*`, pure functions of the facts that give the verdict and its words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.plugin import (
    CheckError,
    CheckResult,
    Context,
    ErrorReason,
    Evidence,
    Facts,
    MailExchanger,
    Security,
    Severity,
    check,
    failed,
    indeterminate,
    not_applicable,
    passed,
)
from rgpd_audit.records.tlsa import (
    MatchOutcome,
    TlsaRecord,
    TlsaRecordError,
    Usage,
    association_data,
    match_chain,
    match_reason,
    parse_tlsa,
)


class Failure(BaseModel):
    """Why something could not be observed (DNS lookup, SMTP conversation)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: ErrorReason
    message: str


class TlsaFacts(Facts):
    """The TLSA records of one MX host, as a DANE sender sees them."""

    kind: ClassVar[str] = "dane.tlsa"

    host: str = Field(description="MX host name")
    security: Security | None = Field(
        None, description="DNSSEC state of the answer: secure, insecure or bogus"
    )
    records: list[str] = Field(default_factory=list, description="TLSA records, as text")
    reason: str = Field("", description="Why it is not secure, in the validator's words (French)")
    lookup_error: Failure | None = Field(None, description="The records could not be obtained")
    served_key: str | None = Field(
        None,
        description="« 3 1 1 » data (SHA-256 of the public key) of the certificate the host "
        "presents; looked up only when no usable record is published",
    )

    @property
    def owner(self) -> str:
        """Where the records live."""
        return f"_25._tcp.{self.host}"

    @property
    def parsed(self) -> ParsedTlsa:
        """The records sorted into those SMTP senders use, ignore, or cannot read."""
        usable: list[TlsaRecord] = []
        pkix: list[TlsaRecord] = []
        broken: list[str] = []
        for text in self.records:
            try:
                record = parse_tlsa(text)
            except TlsaRecordError as exc:
                broken.append(str(exc))
                continue
            (usable if record.dane else pkix).append(record)
        return ParsedTlsa(tuple(usable), tuple(pkix), tuple(broken))

    @property
    def secure_dane(self) -> bool:
        """DNSSEC-secure records that SMTP senders apply."""
        return self.security is Security.SECURE and bool(self.parsed.usable)

    def evidence(self) -> list[Evidence]:
        """Name asked, DNSSEC state, records (used, ignored, unreadable) and reason."""
        parsed = self.parsed
        evidence = [
            Evidence(label="Nom interrogé", value=self.owner),
            Evidence(
                label="État DNSSEC",
                value=_SECURITY_LABELS[self.security] if self.security else "inconnu",
            ),
        ]
        if self.records:
            evidence.append(Evidence(label="TLSA publiés", value=list(self.records)))
        if parsed.pkix:
            evidence.append(
                Evidence(
                    label="Ignorés (usage PKIX, RFC 7672)", value=[r.text for r in parsed.pkix]
                )
            )
        if parsed.broken:
            evidence.append(Evidence(label="Illisibles", value=list(parsed.broken)))
        if self.reason:
            evidence.append(Evidence(label="Motif", value=self.reason))
        return evidence


@dataclass(frozen=True)
class ParsedTlsa:
    """TLSA records read: `pkix` are usages 0 and 1, valid but ignored for SMTP (RFC 7672
    §3.1.3); `broken` holds why each unreadable record is so."""

    usable: tuple[TlsaRecord, ...]
    pkix: tuple[TlsaRecord, ...]
    broken: tuple[str, ...]


class MatchFacts(Facts):
    """The certificate one MX address serves, against its host's secure TLSA records."""

    kind: ClassVar[str] = "dane.match"

    tlsa: TlsaFacts
    address: str
    port: int
    error: Failure | None = Field(None, description="The SMTP conversation did not reach EHLO")
    tls_established: bool = Field(False, description="A TLS session followed STARTTLS")
    served_key: str | None = Field(
        None, description="« 3 1 1 » data of the certificate presented (SHA-256 of its key)"
    )
    outcome: MatchOutcome | None = Field(
        None, description="How the chain served stands against the records; absent without TLS"
    )
    matched_record: str | None = Field(None, description="The record that matched")

    @property
    def subject(self) -> str:
        """How the report names this server: MX name and address."""
        return f"{self.tlsa.host} ({self.address})"


# --- Gathering -------------------------------------------------------------------------


def gather_tlsa(ctx: Context, host: str) -> TlsaFacts:
    """The TLSA records of `host` and their DNSSEC state (validated once per audit)."""
    return ctx.memo(("dane-tlsa", host), lambda: _fetch(ctx, host))


def _fetch(ctx: Context, host: str) -> TlsaFacts:
    try:
        validation = ctx.dnssec().validate(f"_25._tcp.{host}", "TLSA")
    except CheckError as exc:
        # One host's DNS failure leaves the other hosts' verdicts standing.
        return TlsaFacts(host=host, lookup_error=Failure(reason=exc.reason, message=exc.message))
    return TlsaFacts(
        host=host,
        security=validation.security,
        records=list(validation.records),
        reason=validation.reason,
    )


def gather_published(ctx: Context, x: MailExchanger) -> TlsaFacts:
    """The TLSA of one MX host; with the key it serves when a record must be suggested."""
    facts = gather_tlsa(ctx, x.host)
    if facts.security is not Security.SECURE or facts.parsed.usable:
        return facts
    # Only then is a record to publish shown: no SMTP connection for the other outcomes.
    for address in x.addresses:
        probe = ctx.smtp_probe(x.host, address)
        digest = _served_key(probe.tls.chain) if probe.tls else None
        if digest:
            return facts.model_copy(update={"served_key": digest})
    return facts


def gather_match(ctx: Context, tlsa: TlsaFacts, address: str) -> MatchFacts:
    """The chain one MX address serves, matched against its host's TLSA records."""
    probe = ctx.smtp_probe(tlsa.host, address)
    facts = MatchFacts(tlsa=tlsa, address=address, port=probe.port)
    if probe.error is not None:
        failure = Failure(reason=probe.error.reason, message=probe.error.message)
        return facts.model_copy(update={"error": failure})
    if probe.tls is None:
        return facts
    chain = probe.tls.chain
    verdict = match_chain(tlsa.parsed.usable, chain, tlsa.host)
    return facts.model_copy(
        update={
            "tls_established": True,
            "served_key": _served_key(chain),
            "outcome": verdict.outcome,
            "matched_record": verdict.record.text if verdict.record else None,
        }
    )


def _served_key(chain: tuple[bytes, ...]) -> str | None:
    """The `3 1 1` association data of the certificate a server presented, if readable."""
    if not chain:
        return None
    try:
        return association_data(chain[0], 1, 1).hex().upper()
    except TlsaRecordError:
        return None


# --- Checks ----------------------------------------------------------------------------


@check("mail.dane.tlsa", facts=TlsaFacts)
def tlsa_published(ctx: Context) -> list[CheckResult]:
    """Each MX host publishes DNSSEC-secure TLSA records that SMTP senders can use."""
    exchangers = _exchangers(ctx)
    if isinstance(exchangers, CheckResult):
        return [exchangers]
    return ctx.map(lambda x: judge_tlsa(gather_published(ctx, x)), exchangers)


@check("mail.dane.match", facts=(MatchFacts, TlsaFacts))
def tlsa_matches(ctx: Context) -> list[CheckResult]:
    """The certificate each MX address actually serves matches its secure TLSA records."""
    exchangers = _exchangers(ctx)
    if isinstance(exchangers, CheckResult):
        return [exchangers]
    found = ctx.map(lambda x: gather_tlsa(ctx, x.host), exchangers)
    errors = [_lookup_failed(tlsa) for tlsa in found if tlsa.lookup_error]
    pairs = [
        (tlsa, address)
        for x, tlsa in zip(exchangers, found, strict=True)
        if tlsa.secure_dane
        for address in x.addresses
    ]
    if not pairs:
        return errors or [
            not_applicable(
                "Aucun serveur MX ne publie d'enregistrement TLSA sécurisé par DNSSEC : il n'y a "
                "pas de correspondance à vérifier (voir le contrôle des TLSA)."
            )
        ]
    return errors + ctx.map(lambda pair: judge_match(gather_match(ctx, *pair)), pairs)


@check("mail.dane.rollover", facts=TlsaFacts)
def tlsa_rollover(ctx: Context) -> list[CheckResult]:
    """Secure TLSA records are set up to survive a certificate renewal."""
    exchangers = _exchangers(ctx)
    if isinstance(exchangers, CheckResult):
        return [exchangers]
    found = ctx.map(lambda x: gather_tlsa(ctx, x.host), exchangers)
    # Hosts without secure DANE have nothing to renew: the TLSA check speaks for them.
    results = [judge_rollover(t) for t in found if t.lookup_error or t.secure_dane]
    return results or [
        not_applicable(
            "Aucun enregistrement TLSA sécurisé par DNSSEC : pas de renouvellement de clé à "
            "préparer pour DANE."
        )
    ]


def _exchangers(ctx: Context) -> list[MailExchanger] | CheckResult:
    mx = ctx.mx()
    if not mx.exists or mx.null_mx or not mx.exchangers:
        return not_applicable(
            "Aucun serveur MX (voir le contrôle des enregistrements MX) : DANE est sans objet."
        )
    return list(mx.exchangers)


# --- Verdicts and words ----------------------------------------------------------------


def judge_tlsa(facts: TlsaFacts) -> CheckResult:
    """Whether one MX host publishes secure TLSA records that SMTP senders apply."""
    if facts.lookup_error:
        return _lookup_failed(facts)
    host = facts.host
    parsed = facts.parsed
    if facts.security is Security.BOGUS:
        return failed(
            f"Réponse DNSSEC invalide (« bogus ») pour {facts.owner} : {facts.reason}. Les "
            "expéditeurs qui appliquent DANE reportent alors la livraison du courrier vers ce "
            "serveur.",
            facts,
            subject=host,
            # DANE is a recommendation (RFC 7672): medium at most (severity policy,
            # audit/data/scoring.yaml), even when a bogus answer delays the mail.
            severity=Severity.MEDIUM,
            remediation="bogus",
        )
    if facts.security is Security.INSECURE:
        published = " Des TLSA y sont publiés, mais sans" if facts.records else " Sans"
        return failed(
            f"La zone de {host} n'est pas signée par DNSSEC.{published} DNSSEC les expéditeurs "
            "ignorent tout TLSA : DANE est impossible.",
            facts,
            subject=host,
            severity=Severity.MEDIUM if facts.records else Severity.LOW,
            remediation="unsigned",
        )
    if not parsed.usable:
        return _no_usable_tlsa(facts)
    ignored = ""
    if parsed.pkix:
        ignored = (
            f" {len(parsed.pkix)} enregistrement(s) d'usage PKIX (0 ou 1) sont ignorés par les "
            "serveurs de messagerie (RFC 7672)."
        )
    return passed(
        f"{len(parsed.usable)} enregistrement(s) TLSA exploitables pour DANE, validés par "
        f"DNSSEC, sur {facts.owner}.{ignored}",
        facts,
        subject=host,
    )


def _no_usable_tlsa(facts: TlsaFacts) -> CheckResult:
    if facts.records:
        summary = (
            f"Les TLSA de {facts.owner} ne sont pas exploitables pour le courrier : usages "
            "PKIX (0 ou 1), ignorés par les serveurs de messagerie (RFC 7672), ou "
            "enregistrements illisibles."
        )
    else:
        summary = (
            f"Aucun enregistrement TLSA pour {facts.host} (absence prouvée par DNSSEC) : les "
            "expéditeurs ne peuvent pas exiger un chiffrement authentifié vers ce serveur."
        )
    evidence = facts.evidence()
    if facts.served_key:
        evidence.append(
            Evidence(
                label="Enregistrement à publier",
                value=f"{facts.owner}. IN TLSA 3 1 1 {facts.served_key}",
            )
        )
    return failed(
        summary,
        facts,
        subject=facts.host,
        evidence=evidence,
        severity=Severity.LOW if not facts.records else None,
    )


def judge_match(facts: MatchFacts) -> CheckResult:
    """Whether the chain one MX address serves matches its host's secure TLSA records."""
    evidence = facts.tlsa.evidence()
    evidence.append(Evidence(label="Serveur", value=f"{facts.address} port {facts.port}"))
    if facts.error is not None:
        return indeterminate(
            facts.error.reason,
            facts.error.message,
            facts,
            subject=facts.subject,
            summary=f"Serveur non testable : {facts.error.message}.",
            evidence=evidence,
        )
    if not facts.tls_established or facts.outcome is None:
        return failed(
            "Des TLSA sécurisés sont publiés mais le serveur n'établit pas de session TLS : les "
            "expéditeurs qui appliquent DANE ne lui remettent aucun courrier.",
            facts,
            subject=facts.subject,
            evidence=evidence,
        )
    if facts.served_key:
        evidence.append(Evidence(label="Clé présentée (3 1 1)", value=facts.served_key))
    reason = match_reason(facts.outcome, facts.tlsa.host)
    if facts.matched_record is not None:
        return passed(
            f"DANE vérifié : {reason} ({facts.matched_record[:24]}…).",
            facts,
            subject=facts.subject,
            evidence=evidence,
        )
    return failed(
        f"DANE en échec : {reason}. Les expéditeurs qui appliquent DANE refusent de remettre "
        "le courrier à ce serveur et le mettent en attente.",
        facts,
        subject=facts.subject,
        evidence=evidence,
    )


def judge_rollover(facts: TlsaFacts) -> CheckResult:
    """Whether one MX host's secure TLSA records survive a change of key or certificate."""
    if facts.lookup_error:
        return _lookup_failed(facts)
    usable = facts.parsed.usable
    distinct = {record.data for record in usable}
    has_authority = any(r.usage == Usage.DANE_TA for r in usable)
    if len(distinct) >= 2 or has_authority:
        how = (
            "un enregistrement désigne l'autorité émettrice (usage 2), qui reste valable "
            "quand le certificat du serveur est renouvelé par elle"
            if has_authority and len(distinct) < 2
            else f"{len(distinct)} enregistrements distincts permettent d'annoncer la clé "
            "suivante avant de l'utiliser"
        )
        return passed(f"Renouvellement préparé : {how}.", facts, subject=facts.host)
    return failed(
        f"Un seul enregistrement TLSA pour {facts.host} : au prochain changement de clé ou de "
        "certificat, il ne correspondra plus et les expéditeurs DANE mettront le courrier en "
        "attente, sauf à publier d'abord le TLSA de la nouvelle clé.",
        facts,
        subject=facts.host,
    )


def _lookup_failed(facts: TlsaFacts) -> CheckResult:
    assert facts.lookup_error is not None
    error = facts.lookup_error
    return indeterminate(
        error.reason,
        error.message,
        facts,
        subject=facts.host,
        summary=f"Enregistrements TLSA de {facts.host} impossibles à obtenir : {error.message}.",
        # Nothing was observed: the facts have no evidence to show.
        evidence=[],
    )


_SECURITY_LABELS = {
    Security.SECURE: "validé (sécurisé)",
    Security.INSECURE: "non signé",
    Security.BOGUS: "invalide (bogus)",
}
