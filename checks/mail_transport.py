"""Mail reception: MX records, STARTTLS on every MX address, the MX certificates and TLS.

Verdicts per MX address, because each address is a separate server that may be set up
differently. Unreachable servers give `indeterminate`, never a failure of the practice.

Each check works in three steps: the facts of one MX address (`SmtpFacts` and the models
built on it) are gathered through the context, which makes each connection once per audit;
`judge_*` turns facts into a verdict and its French words without touching the network, so
that every outcome can be tested from constructed facts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.plugin import (
    MAX_MX_HOSTS,
    OBSOLETE_VERSIONS,
    WEAK_FAMILIES,
    CheckError,
    CheckResult,
    Context,
    ErrorReason,
    Evidence,
    Facts,
    MxSet,
    ObservedCertificate,
    Severity,
    SmtpProbe,
    TlsAssessment,
    VerifyError,
    certificate_result,
    chain_problems,
    check,
    cipher_family,
    describe_certificate,
    failed,
    indeterminate,
    is_aead,
    key_problems,
    limit_result,
    listed,
    not_applicable,
    passed,
    tested_families,
    untested_mx_results,
)

# Versions the probe still accepts, only to describe old servers.
OBSOLETE_TLS = set(OBSOLETE_VERSIONS)


class _Observed(BaseModel):
    """Base of the nested parts of the facts: immutable, no unknown field."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- Facts -----------------------------------------------------------------------------


class MxHost(_Observed):
    """One MX host, its preference and what the DNS gave for its addresses."""

    preference: int = Field(description="MX preference (lowest first)")
    host: str = Field(description="MX host name")
    addresses: list[str] = Field(default_factory=list, description="Addresses contacted")
    non_routable: list[str] = Field(
        default_factory=list, description="Loopback, private… addresses, never contacted"
    )
    over_limit: list[str] = Field(
        default_factory=list, description="Addresses beyond the per-host cap, not contacted"
    )
    lookup_errors: list[str] = Field(
        default_factory=list, description="Address queries that got no answer (error messages)"
    )

    @property
    def resolved(self) -> bool:
        """True when the DNS gave this host at least one address, contacted or not."""
        return bool(self.addresses or self.non_routable or self.over_limit)


class MxFacts(Facts):
    """The MX records of the audited domain and the addresses of their hosts."""

    kind: ClassVar[str] = "mx.exchangers"

    domain: str = Field(description="The audited domain")
    exists: bool = Field(description="False when the domain does not exist (NXDOMAIN)")
    null_mx: bool = Field(False, description="A null MX (RFC 7505, « 0 . ») is published")
    exchangers: list[MxHost] = Field(
        default_factory=list, description="The MX hosts kept, by preference (capped)"
    )
    over_limit: list[str] = Field(
        default_factory=list, description="MX hosts beyond the cap, neither resolved nor contacted"
    )


class ProbeError(_Observed):
    """Why a conversation or an extra handshake said nothing definite."""

    reason: ErrorReason = Field(description="Kind of problem: timeout, connection, smtp, tls…")
    message: str = Field(description="What happened (server reply or network error)")


class TlsFailure(_Observed):
    """STARTTLS was offered but no TLS session came of it."""

    message: str = Field(description="Server reply or TLS error")
    temporary: bool = Field(description="A 4xx reply, stall or reset: says nothing definite")
    reason: ErrorReason = Field("smtp", description="Kind of problem: smtp, timeout, tls…")


class SmtpFacts(Facts):
    """One SMTP conversation with one MX address, up to the end of the STARTTLS handshake."""

    kind: ClassVar[str] = "smtp.starttls"

    host: str = Field(description="MX host name")
    address: str = Field(description="IP address contacted")
    port: int = Field(description="TCP port (25 unless configured otherwise)")
    banner: str | None = Field(None, description="The server's greeting")
    esmtp: bool = Field(True, description="False when the server does not know EHLO")
    starttls_offered: bool = Field(False, description="STARTTLS is among the EHLO extensions")
    tls_established: bool = Field(False, description="A TLS session followed STARTTLS")
    tls_version: str | None = Field(None, description="Version negotiated, e.g. TLSv1.3")
    cipher: str | None = Field(None, description="Suite negotiated (OpenSSL name)")
    tls_failure: TlsFailure | None = Field(None, description="Why STARTTLS led to no session")
    error: ProbeError | None = Field(None, description="The conversation did not reach EHLO")
    unreachable: bool = Field(False, description="Not even the TCP connection could be opened")
    no_route: bool = Field(False, description="The auditor's network has no route to it (IPv6)")

    @property
    def subject(self) -> str:
        """How the report names this server: MX name and address."""
        return f"{self.host} ({self.address})"

    def evidence(self) -> list[Evidence]:
        """Address and port, greeting, TLS version and suite."""
        evidence = [Evidence(label="Serveur", value=f"{self.address} port {self.port}")]
        if self.banner:
            evidence.append(Evidence(label="Bannière SMTP", value=self.banner))
        if self.tls_established and self.tls_version:
            evidence.append(Evidence(label="Version TLS", value=self.tls_version))
        if self.tls_established and self.cipher:
            evidence.append(Evidence(label="Suite de chiffrement", value=self.cipher))
        return evidence


class UnreachableFacts(Facts):
    """Every MX address refused or dropped the TCP connection."""

    kind: ClassVar[str] = "smtp.unreachable"

    servers: list[SmtpFacts] = Field(description="Every MX address tried, none connected")


class CertificateFacts(Facts):
    """The certificate an MX address presents after STARTTLS."""

    kind: ClassVar[str] = "tls.certificate"

    server: SmtpFacts = Field(description="The SMTP conversation it comes from")
    certificate: ObservedCertificate | None = Field(None, description="The leaf, when one was read")
    verify_error: VerifyError | None = Field(None, description="Absent: OpenSSL trusted it")
    checked_at: datetime = Field(
        description="When it was seen (machine time, UTC): the days left count from it"
    )


class HandshakeAttempt(_Observed):
    """One extra handshake offering only old versions or only weak suites."""

    accepted: bool = Field(description="The server completed the handshake")
    version: str | None = Field(None, description="Version obtained when accepted")
    cipher: str | None = Field(None, description="Suite obtained when accepted")
    error: ProbeError | None = Field(None, description="The attempt said nothing definite")


class VersionsFacts(Facts):
    """Whether an MX address still accepts TLS 1.1 or older."""

    kind: ClassVar[str] = "tls.versions"

    server: SmtpFacts = Field(description="The SMTP conversation it comes from")
    legacy: HandshakeAttempt | None = Field(
        None, description="Handshake offering only SSLv3 to TLS 1.1; absent without TLS"
    )


class CiphersFacts(Facts):
    """Whether an MX address accepts null, anonymous or sub-128-bit cipher suites."""

    kind: ClassVar[str] = "tls.ciphers"

    server: SmtpFacts = Field(description="The SMTP conversation it comes from")
    weak: HandshakeAttempt | None = Field(
        None, description="Handshake offering only weak suites; absent without TLS"
    )
    weak_offered: list[str] = Field(
        default_factory=list, description="Suites the weak-only handshake offered"
    )


class KeyFacts(Facts):
    """The keys and signatures of the certificates an MX address sends."""

    kind: ClassVar[str] = "tls.certificate_key"

    server: SmtpFacts = Field(description="The SMTP conversation it comes from")
    certificate: ObservedCertificate | None = Field(None, description="The leaf, when one was read")
    chain: list[ObservedCertificate] = Field(
        default_factory=list, description="As sent, leaf first"
    )


class ChainFacts(Facts):
    """The certificates an MX address sends and whether they lead to a known authority."""

    kind: ClassVar[str] = "tls.chain"

    server: SmtpFacts = Field(description="The SMTP conversation it comes from")
    certificate: ObservedCertificate | None = Field(None, description="The leaf, when one was read")
    chain: list[ObservedCertificate] = Field(
        default_factory=list, description="As sent, leaf first"
    )
    verify_error: VerifyError | None = Field(None, description="Absent: OpenSSL trusted it")


#: Facts of one MX address that a per-server verdict starts from.
ServerFacts = CertificateFacts | VersionsFacts | CiphersFacts | KeyFacts | ChainFacts

# --- Gathering -------------------------------------------------------------------------


def gather_mx(ctx: Context) -> MxFacts:
    """The domain's MX records and the addresses of their hosts."""
    mx = ctx.mx()
    return MxFacts(
        domain=ctx.target.domain,
        exists=mx.exists,
        null_mx=mx.null_mx,
        exchangers=[
            MxHost(
                preference=x.preference,
                host=x.host,
                addresses=list(x.addresses),
                non_routable=list(x.non_routable),
                over_limit=list(x.over_limit),
                lookup_errors=list(x.lookup_errors),
            )
            for x in mx.exchangers
        ],
        over_limit=list(mx.over_limit),
    )


def observe_smtp(probe: SmtpProbe) -> SmtpFacts:
    """The facts of one SMTP probe."""
    tls = probe.tls
    failure = probe.tls_failure
    error = probe.error
    return SmtpFacts(
        host=probe.host,
        address=probe.address,
        port=probe.port,
        banner=probe.banner,
        esmtp=probe.esmtp,
        starttls_offered=probe.starttls_offered,
        tls_established=tls is not None,
        tls_version=tls.version if tls else None,
        cipher=tls.cipher if tls else None,
        tls_failure=TlsFailure(
            message=failure.message, temporary=failure.temporary, reason=failure.reason
        )
        if failure
        else None,
        error=ProbeError(reason=error.reason, message=error.message) if error else None,
        unreachable=probe.unreachable,
        no_route=probe.no_route,
    )


def gather_smtp(ctx: Context, host: str, address: str) -> SmtpFacts:
    """The SMTP/STARTTLS facts of one MX address."""
    return observe_smtp(ctx.smtp_probe(host, address))


def _verify_error(probe: SmtpProbe) -> VerifyError | None:
    error = probe.tls.verify_error if probe.tls else None
    return VerifyError(code=error[0], message=error[1]) if error else None


def _leaf(probe: SmtpProbe) -> ObservedCertificate | None:
    info = probe.tls.certificate if probe.tls else None
    return ObservedCertificate.of(info) if info else None


def _chain(probe: SmtpProbe) -> list[ObservedCertificate]:
    chain = probe.tls.chain if probe.tls else ()
    return [ObservedCertificate.of(describe_certificate(der)) for der in chain]


def gather_certificate(ctx: Context, host: str, address: str) -> CertificateFacts:
    """The certificate one MX address presents, and when it was seen."""
    probe = ctx.smtp_probe(host, address)
    return CertificateFacts(
        server=observe_smtp(probe),
        certificate=_leaf(probe),
        verify_error=_verify_error(probe),
        # The machine's real time, never the test clock: validity is a network fact.
        checked_at=datetime.now(UTC),
    )


def _handshake(assessment: TlsAssessment, which: Literal["legacy", "weak"]) -> HandshakeAttempt:
    attempt = assessment.legacy if which == "legacy" else assessment.weak
    if attempt.session is not None:
        session = attempt.session
        return HandshakeAttempt(accepted=True, version=session.version, cipher=session.cipher)
    error = attempt.error
    return HandshakeAttempt(
        accepted=False,
        error=ProbeError(reason=error.reason, message=error.message) if error else None,
    )


def gather_versions(ctx: Context, host: str, address: str) -> VersionsFacts:
    """Whether one MX address accepts old versions (extra handshake, once per audit)."""
    server = gather_smtp(ctx, host, address)
    assessment = ctx.tls_assessment(host, address)
    if assessment is None:
        return VersionsFacts(server=server)
    return VersionsFacts(server=server, legacy=_handshake(assessment, "legacy"))


def gather_ciphers(ctx: Context, host: str, address: str) -> CiphersFacts:
    """Whether one MX address accepts weak suites (extra handshake, once per audit)."""
    server = gather_smtp(ctx, host, address)
    assessment = ctx.tls_assessment(host, address)
    if assessment is None:
        return CiphersFacts(server=server)
    return CiphersFacts(
        server=server,
        weak=_handshake(assessment, "weak"),
        weak_offered=list(assessment.weak_offered),
    )


def gather_key(ctx: Context, host: str, address: str) -> KeyFacts:
    """The certificates one MX address sends, described."""
    probe = ctx.smtp_probe(host, address)
    return KeyFacts(server=observe_smtp(probe), certificate=_leaf(probe), chain=_chain(probe))


def gather_chain(ctx: Context, host: str, address: str) -> ChainFacts:
    """The certificates one MX address sends, described, with OpenSSL's verdict."""
    probe = ctx.smtp_probe(host, address)
    return ChainFacts(
        server=observe_smtp(probe),
        certificate=_leaf(probe),
        chain=_chain(probe),
        verify_error=_verify_error(probe),
    )


# --- Checks ----------------------------------------------------------------------------


@check("mail.mx.present", facts=MxFacts)
def mx_present(ctx: Context) -> list[CheckResult]:
    """The domain publishes MX records whose hosts resolve."""
    return judge_mx(gather_mx(ctx))


@check("mail.starttls.offered", facts=(SmtpFacts, UnreachableFacts))
def starttls_offered(ctx: Context) -> list[CheckResult]:
    """Every MX address offers a working STARTTLS, so mail reaches the practice encrypted."""
    return _each_server(ctx, lambda host, address: judge_starttls(gather_smtp(ctx, host, address)))


@check("mail.tls.certificate", facts=(CertificateFacts, UnreachableFacts))
def tls_certificate(ctx: Context) -> list[CheckResult]:
    """The certificate shown after STARTTLS is trusted, names the MX host and is in date."""
    return _each_server(
        ctx, lambda host, address: judge_tls_certificate(gather_certificate(ctx, host, address))
    )


@check("mail.tls.versions", facts=(VersionsFacts, UnreachableFacts))
def tls_versions(ctx: Context) -> list[CheckResult]:
    """No MX address accepts TLS 1.1 or older; TLS 1.3 is noted when offered."""
    return _each_server(
        ctx, lambda host, address: judge_tls_versions(gather_versions(ctx, host, address))
    )


@check("mail.tls.ciphers", facts=(CiphersFacts, UnreachableFacts))
def tls_ciphers(ctx: Context) -> list[CheckResult]:
    """No MX address accepts null, anonymous or sub-128-bit cipher suites."""
    return _each_server(
        ctx, lambda host, address: judge_tls_ciphers(gather_ciphers(ctx, host, address))
    )


@check("mail.tls.certificate_key", facts=(KeyFacts, UnreachableFacts))
def tls_certificate_key(ctx: Context) -> list[CheckResult]:
    """The MX certificates use a strong key and an unbroken signature algorithm."""
    return _each_server(ctx, lambda host, address: judge_tls_key(gather_key(ctx, host, address)))


@check("mail.tls.chain", facts=(ChainFacts, UnreachableFacts))
def tls_chain(ctx: Context) -> list[CheckResult]:
    """Each MX sends the intermediate certificates needed to reach a recognised authority."""
    return _each_server(
        ctx, lambda host, address: judge_tls_chain(gather_chain(ctx, host, address))
    )


def _each_server(ctx: Context, verdict: Callable[[str, str], CheckResult]) -> list[CheckResult]:
    """`verdict(host, address)` for every MX address, unless none can be reached; the
    servers found but not contacted are explained after them."""
    mx: MxSet = ctx.mx()
    if not mx.exists or mx.null_mx or not mx.exchangers:
        return [
            not_applicable("Aucun serveur MX à tester (voir le contrôle des enregistrements MX).")
        ]
    pairs = [(x.host, address) for x in mx.exchangers for address in x.addresses]
    if not pairs and not any(x.resolved for x in mx.exchangers):
        errors = [e for x in mx.exchangers for e in x.lookup_errors]
        raise CheckError("dns", errors[0] if errors else "aucun serveur MX n'a d'adresse IP")
    # Addresses found but none contacted: only the results of `untested_mx_results`.
    servers = ctx.map(lambda pair: gather_smtp(ctx, *pair), pairs)
    untested = untested_mx_results(mx)
    if servers and all(s.unreachable for s in servers):
        return [judge_unreachable(UnreachableFacts(servers=servers)), *untested]
    return [*ctx.map(lambda s: verdict(s.host, s.address), servers), *untested]


# --- Verdicts and words ----------------------------------------------------------------


def judge_mx(facts: MxFacts) -> list[CheckResult]:
    """The verdict on the domain's MX records, and the MX hosts beyond the cap."""
    domain = facts.domain
    if not facts.exists:
        return [failed(f"Le domaine {domain} n'existe pas dans le DNS (NXDOMAIN).", facts)]
    if facts.null_mx:
        return [
            passed(
                f"{domain} publie un MX nul (RFC 7505) : il déclare ne recevoir aucun "
                "courrier. Les contrôles de réception sont sans objet.",
                facts,
                evidence={"MX": "0 ."},
            )
        ]
    if not facts.exchangers:
        return [
            failed(
                f"{domain} ne publie aucun enregistrement MX : les expéditeurs se rabattent sur "
                "l'adresse du domaine lui-même, ou ne peuvent pas écrire au cabinet.",
                facts,
                severity=Severity.LOW,
                remediation="no_mx",
            )
        ]
    evidence = [
        Evidence(label=f"MX {x.preference} {x.host}", value=_shown(x)) for x in facts.exchangers
    ]
    for x in facts.exchangers:
        if x.lookup_errors:
            evidence.append(Evidence(label=f"Résolution de {x.host}", value=list(x.lookup_errors)))
    unresolved = [x.host for x in facts.exchangers if not x.resolved and not x.lookup_errors]
    undecided = [x.host for x in facts.exchangers if not x.resolved and x.lookup_errors]
    internal = [x for x in facts.exchangers if x.non_routable]
    untested: list[CheckResult] = []
    if facts.over_limit:
        untested.append(
            limit_result(
                f"{len(facts.over_limit)} MX au-delà des {MAX_MX_HOSTS} premiers n'ont été ni "
                "résolus ni contactés.",
                facts.over_limit,
                "MX non testés",
            )
        )
    if unresolved:
        verdict = failed(
            f"Serveur(s) MX sans adresse IP : {', '.join(unresolved)}. Le courrier destiné "
            "au cabinet risque de ne pas être distribué.",
            facts,
            evidence=evidence,
        )
    elif internal:
        pointers = "; ".join(f"{x.host} → {', '.join(x.non_routable[:3])}" for x in internal)
        verdict = failed(
            f"Le MX pointe vers une adresse non routable ({pointers}) : aucun expéditeur "
            "sur Internet ne peut y livrer, et l'outil ne la contacte pas.",
            facts,
            evidence=evidence,
            remediation="non_routable",
        )
    elif undecided:
        message = f"adresse de {', '.join(undecided)} impossible à obtenir du DNS pour l'instant"
        verdict = indeterminate(
            "dns", message, facts, evidence=evidence, summary=f"Non évalué : {message}."
        )
    else:
        hosts = ", ".join(x.host for x in facts.exchangers)
        verdict = passed(
            f"{len(facts.exchangers)} serveur(s) MX publiés, tous avec une adresse : {hosts}.",
            facts,
            evidence=evidence,
        )
    return [verdict, *untested]


def _shown(x: MxHost) -> list[str] | str:
    """The addresses of one MX for the evidence, saying which ones were not contacted."""
    shown = [
        *x.addresses,
        *(f"{a} (non routable, non contactée)" for a in x.non_routable),
        *(f"{a} (non testée : limite)" for a in x.over_limit),
    ]
    return listed(shown) or "aucune adresse"


def judge_unreachable(facts: UnreachableFacts) -> CheckResult:
    """No MX address could even be connected to: the auditor's own network is the likely
    cause (a refusal, or a server reached but silent, says nothing about that network)."""
    return indeterminate(
        "blocked",
        "aucune adresse MX ne répond : port 25 sortant probablement bloqué",
        facts,
        summary="Aucun serveur MX n'a répondu sur le port SMTP. Cause la plus probable : le "
        "réseau depuis lequel l'audit est lancé bloque les connexions sortantes vers le port "
        "25 (fréquent chez les fournisseurs d'accès grand public). Relancez depuis un autre "
        "réseau avant de conclure.",
        evidence={"Adresses testées": [s.subject for s in facts.servers]},
    )


def judge_starttls(facts: SmtpFacts) -> CheckResult:
    """Whether one MX address offers a STARTTLS that works."""
    if facts.error:
        return _not_testable(facts.error, facts, facts)
    subject = facts.subject
    if facts.tls_established:
        summary = "STARTTLS proposé : le courrier peut arriver chiffré."
        if facts.tls_version in OBSOLETE_TLS:
            summary = (
                f"STARTTLS proposé, mais seulement en {facts.tls_version}, version de TLS "
                "obsolète : le chiffrement existe mais il est faible."
            )
        return passed(summary, facts, subject=subject)
    failure = facts.tls_failure
    if failure and failure.temporary:
        return indeterminate(
            failure.reason,
            failure.message,
            facts,
            subject=subject,
            summary=f"STARTTLS annoncé mais non abouti pour l'instant ({failure.message}) : "
            "relancez le contrôle plus tard.",
        )
    if failure:
        summary = (
            f"STARTTLS est annoncé mais inutilisable ({failure.message}) : les expéditeurs "
            "se rabattent sur un envoi en clair ou renoncent à livrer."
        )
    elif not facts.esmtp:
        summary = (
            "Le serveur ne reconnaît pas la commande EHLO (SMTP d'avant les extensions) : il "
            "ne peut pas proposer STARTTLS, le courrier arrive en clair."
        )
    else:
        summary = (
            "Le serveur ne propose pas STARTTLS : les messages reçus par le cabinet (dont ceux "
            "de patients) transitent en clair sur Internet."
        )
    return failed(summary, facts, subject=subject)


def judge_tls_certificate(facts: CertificateFacts) -> CheckResult:
    """Whether the certificate of one MX address is trusted, names it and is in date."""
    server = facts.server
    if server.error:
        return _not_testable(server.error, server, facts)
    if not server.starttls_offered:
        return not_applicable(
            "Pas de STARTTLS, donc pas de certificat à examiner.", facts, subject=server.subject
        )
    cert = facts.certificate
    if not server.tls_established or cert is None:
        return _tls_unavailable(facts, "Certificat illisible")
    return certificate_result(
        facts,
        cert,
        server.host,
        facts.verify_error,
        facts.checked_at,
        subject=server.subject,
        evidence=[
            *server.evidence(),
            Evidence(label="Sujet", value=cert.subject),
            Evidence(label="Émetteur", value=cert.issuer),
            Evidence(label="Noms couverts", value=list(cert.names)),
            Evidence(label="Valide du", value=f"{cert.not_before:%d/%m/%Y %H:%M} UTC"),
            Evidence(label="Valide jusqu'au", value=f"{cert.not_after:%d/%m/%Y %H:%M} UTC"),
        ],
        evidence_after=[
            Evidence(label="Clé", value=cert.key),
            Evidence(label="Signature", value=cert.signature_algorithm),
            Evidence(label="Numéro de série", value=cert.serial),
            Evidence(label="Empreinte SHA-256", value=cert.sha256),
        ],
        expiring_remediation="expiring_soon",
    )


def judge_tls_versions(facts: VersionsFacts) -> CheckResult:
    """Whether one MX address still accepts TLS 1.1 or older."""
    before = _before_session(facts)
    if before is not None:
        return before
    server = facts.server
    legacy = facts.legacy
    evidence = server.evidence()
    if legacy is None:
        # Facts of a session without its extra handshakes (the context makes them whenever a
        # session exists): nothing can be said of the old versions.
        return _tls_unavailable(facts, "TLS non examinable")
    if legacy.accepted:
        version = legacy.version or "?"
        evidence.append(Evidence(label="Version obsolète acceptée", value=version))
        return failed(
            f"Le serveur accepte encore {version}, version de TLS abandonnée "
            "(RFC 8996) : un expéditeur mal configuré ou un attaquant placé sur le trajet "
            "peut obtenir un chiffrement affaibli.",
            facts,
            subject=server.subject,
            evidence=evidence,
        )
    if legacy.error is not None:
        return indeterminate(
            legacy.error.reason,
            legacy.error.message,
            facts,
            subject=server.subject,
            summary=f"Meilleure version obtenue : {server.tls_version} ; l'acceptation des "
            f"versions obsolètes n'a pas pu être testée ({legacy.error.message}).",
            evidence=evidence,
        )
    evidence.append(Evidence(label="TLS 1.1 et antérieures", value="refusées"))
    if server.tls_version == "TLSv1.3":
        summary = "TLS 1.3 proposé ; TLS 1.0 et 1.1 sont refusés."
    else:
        summary = (
            f"{server.tls_version} proposé (TLS 1.3 ne l'est pas, c'est acceptable) ; TLS 1.0 "
            "et 1.1 sont refusés."
        )
    return passed(summary, facts, subject=server.subject, evidence=evidence)


def judge_tls_ciphers(facts: CiphersFacts) -> CheckResult:
    """Whether one MX address accepts a weak suite when offered nothing else."""
    before = _before_session(facts)
    if before is not None:
        return before
    server = facts.server
    weak = facts.weak
    if weak is None:
        return _tls_unavailable(facts, "TLS non examinable")
    evidence = server.evidence()
    families = tested_families(tuple(facts.weak_offered))
    if families:
        evidence.append(Evidence(label="Familles de suites faibles testées", value=families))
    if weak.accepted and weak.cipher:
        family = cipher_family(weak.cipher)
        why = WEAK_FAMILIES[family][1] if family else "suite faible"
        evidence.append(Evidence(label="Suite faible acceptée", value=weak.cipher))
        return failed(
            f"Le serveur accepte la suite {weak.cipher} ({why}) quand l'expéditeur ne propose "
            "qu'elle : le courrier peut alors circuler sans protection réelle.",
            facts,
            subject=server.subject,
            evidence=evidence,
        )
    if weak.error is not None:
        return indeterminate(
            weak.error.reason,
            weak.error.message,
            facts,
            subject=server.subject,
            summary=f"Les suites faibles n'ont pas pu être testées ({weak.error.message}).",
            evidence=evidence,
        )
    untested = [label for label, _ in WEAK_FAMILIES.values() if label not in families]
    summary = f"Aucune suite faible n'est acceptée (familles testées : {', '.join(families)})."
    if untested:
        summary += f" Non testées lors de cet audit : {', '.join(untested)}."
    cipher = server.cipher or ""
    if cipher and not is_aead(cipher):
        # A judgment, not a failure: such suites are still allowed, but not among the ones
        # RFC 9325 recommends.
        summary += (
            f" Avec un client moderne, le serveur choisit {cipher}, une suite sans chiffrement "
            "authentifié (mode CBC) : la RFC 9325 recommande des suites AEAD avec échange "
            "de clés éphémère (par exemple ECDHE avec AES-GCM)."
        )
    return passed(summary, facts, subject=server.subject, evidence=evidence)


def judge_tls_key(facts: KeyFacts) -> CheckResult:
    """Whether the certificates one MX address sends have strong keys and signatures."""
    before = _before_session(facts)
    if before is not None:
        return before
    server = facts.server
    leaf = facts.certificate
    if leaf is None:
        return _no_certificate(facts)
    # Self-signed certificates beyond the leaf are roots: trusted or not as a whole, their
    # own signature protects nothing.
    issued = [("certificat du serveur", leaf)] + [
        (f"certificat intermédiaire {c.subject}", c) for c in facts.chain[1:] if not c.self_signed
    ]
    problems = [f"{who} : {p}" for who, c in issued for p in key_problems(c.info())]
    evidence = [
        *server.evidence(),
        Evidence(label="Clé", value=leaf.key),
        Evidence(label="Signature", value=leaf.signature_algorithm),
    ]
    if problems:
        evidence.append(Evidence(label="Problèmes", value=problems))
        return failed(
            "Clé ou signature trop faible : " + " ; ".join(problems) + ".",
            facts,
            subject=server.subject,
            evidence=evidence,
        )
    return passed(
        f"Clé {leaf.key}, signature {leaf.signature_algorithm} : conformes aux "
        "recommandations actuelles.",
        facts,
        subject=server.subject,
        evidence=evidence,
    )


def judge_tls_chain(facts: ChainFacts) -> CheckResult:
    """Whether one MX address sends the intermediates a client needs."""
    before = _before_session(facts)
    if before is not None:
        return before
    server = facts.server
    if facts.certificate is None or not facts.chain:
        return _no_certificate(facts)
    if facts.certificate.self_signed:
        return not_applicable(
            "Certificat autosigné : il n'a pas de chaîne de certification (voir le contrôle du "
            "certificat).",
            facts,
            subject=server.subject,
        )
    problems = chain_problems(facts.chain, facts.verify_error.code if facts.verify_error else None)
    evidence = [
        *server.evidence(),
        Evidence(label="Certificats envoyés", value=[c.subject for c in facts.chain]),
    ]
    if problems:
        evidence.append(Evidence(label="Problèmes", value=problems))
        return failed(
            "Chaîne de certification défectueuse : " + " ; ".join(problems) + ".",
            facts,
            subject=server.subject,
            evidence=evidence,
        )
    if facts.verify_error is not None:
        return passed(
            "Les certificats envoyés s'enchaînent correctement (les autres défauts du "
            "certificat sont dans le contrôle du certificat).",
            facts,
            subject=server.subject,
            evidence=evidence,
        )
    return passed(
        f"Chaîne complète : {len(facts.chain)} certificat(s) envoyé(s), qui mènent à une "
        "autorité reconnue.",
        facts,
        subject=server.subject,
        evidence=evidence,
    )


def _before_session(facts: ServerFacts) -> CheckResult | None:
    """The verdict of a TLS check on a server without a usable TLS session, if so."""
    server = facts.server
    if server.error:
        return _not_testable(server.error, server, facts)
    if not server.starttls_offered:
        return not_applicable(
            "Pas de STARTTLS, donc pas de TLS à examiner.", facts, subject=server.subject
        )
    if not server.tls_established or server.tls_version is None:
        return _tls_unavailable(facts, "TLS non examinable")
    return None


def _no_certificate(facts: KeyFacts | ChainFacts) -> CheckResult:
    return indeterminate(
        "tls",
        "aucun certificat reçu",
        facts,
        subject=facts.server.subject,
        summary="Le serveur n'a présenté aucun certificat lisible.",
        evidence=facts.server.evidence(),
    )


def _tls_unavailable(facts: ServerFacts, what: str) -> CheckResult:
    """`what` cannot be examined because the TLS handshake failed or showed nothing."""
    server = facts.server
    failure = server.tls_failure
    reason = failure.message if failure else "négociation TLS impossible"
    return indeterminate(
        failure.reason if failure else "tls",
        reason,
        facts,
        subject=server.subject,
        summary=f"{what} : {reason}.",
        evidence=server.evidence(),
    )


def _not_testable(error: ProbeError, server: SmtpFacts, facts: Facts) -> CheckResult:
    if server.no_route:
        # The auditor's network, not the practice, lacks IPv6: nothing to judge here.
        return not_applicable(
            "Adresse IPv6 non testée : le réseau depuis lequel l'audit est lancé n'a pas de "
            "connectivité IPv6.",
            facts,
            subject=server.subject,
            evidence=server.evidence(),
        )
    return indeterminate(
        error.reason,
        error.message,
        facts,
        subject=server.subject,
        summary=f"Serveur non testable : {error.message}.",
        evidence=server.evidence(),
    )
