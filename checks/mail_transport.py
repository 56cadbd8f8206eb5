"""Mail reception: MX records, STARTTLS on every MX address, the MX certificates.

Verdicts per MX address, because each address is a separate server that may be set up
differently. Unreachable servers give `indeterminate`, never a failure of the practice.
"""

from __future__ import annotations

from collections.abc import Callable

from rgpd_audit.context import CheckContext, MailExchanger, MxSet
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, ErrorInfo, Evidence, Severity, Status
from rgpd_audit.net.addresses import MAX_MX_HOSTS
from rgpd_audit.net.certificates import CertificateInfo, judge, judge_chain, key_problems
from rgpd_audit.net.smtp import SmtpProbe, TlsSession
from rgpd_audit.net.tls_versions import (
    OBSOLETE_VERSIONS,
    WEAK_FAMILIES,
    TlsAssessment,
    cipher_family,
    is_aead,
    tested_families,
)
from rgpd_audit.registry import check
from rgpd_audit.untested import limit_result, listed, untested_mx_results

# Below these many days left, a valid certificate is reported: medium severity under 30
# days, low under 60 (the thresholds testssl.sh uses).
EXPIRY_ALERT_DAYS = 30
EXPIRY_WARNING_DAYS = 60
# Versions the probe still accepts, only to describe old servers.
OBSOLETE_TLS = set(OBSOLETE_VERSIONS)


@check("mail.mx.present")
def mx_present(ctx: CheckContext) -> list[CheckResult]:
    """The domain publishes MX records whose hosts resolve."""
    mx = ctx.mx()
    domain = ctx.target.domain
    if not mx.exists:
        return [_fail(f"Le domaine {domain} n'existe pas dans le DNS (NXDOMAIN).")]
    if mx.null_mx:
        return [
            CheckResult(
                status=Status.PASS,
                summary=f"{domain} publie un MX nul (RFC 7505) : il déclare ne recevoir aucun "
                "courrier. Les contrôles de réception sont sans objet.",
                evidence=[Evidence(label="MX", value="0 .")],
            )
        ]
    if not mx.exchangers:
        return [
            _fail(
                f"{domain} ne publie aucun enregistrement MX : les expéditeurs se rabattent sur "
                "l'adresse du domaine lui-même, ou ne peuvent pas écrire au cabinet.",
                severity=Severity.LOW,
                remediation_key="no_mx",
            )
        ]
    evidence = [
        Evidence(label=f"MX {x.preference} {x.host}", value=_shown(x)) for x in mx.exchangers
    ]
    for x in mx.exchangers:
        if x.lookup_errors:
            evidence.append(Evidence(label=f"Résolution de {x.host}", value=list(x.lookup_errors)))
    unresolved = [x.host for x in mx.exchangers if not x.resolved and not x.lookup_errors]
    undecided = [x.host for x in mx.exchangers if not x.resolved and x.lookup_errors]
    internal = [x for x in mx.exchangers if x.non_routable]
    untested: list[CheckResult] = []
    if mx.over_limit:
        untested.append(
            limit_result(
                f"{len(mx.over_limit)} MX au-delà des {MAX_MX_HOSTS} premiers n'ont été ni "
                "résolus ni contactés.",
                mx.over_limit,
                "MX non testés",
            )
        )
    if unresolved:
        return [
            _fail(
                f"Serveur(s) MX sans adresse IP : {', '.join(unresolved)}. Le courrier destiné "
                "au cabinet risque de ne pas être distribué.",
                evidence=evidence,
            ),
            *untested,
        ]
    if internal:
        pointers = "; ".join(f"{x.host} → {', '.join(x.non_routable[:3])}" for x in internal)
        return [
            _fail(
                f"Le MX pointe vers une adresse non routable ({pointers}) : aucun expéditeur "
                "sur Internet ne peut y livrer, et l'outil ne la contacte pas.",
                evidence=evidence,
                remediation_key="non_routable",
            ),
            *untested,
        ]
    if undecided:
        message = f"adresse de {', '.join(undecided)} impossible à obtenir du DNS pour l'instant"
        return [
            CheckResult(
                status=Status.INDETERMINATE,
                summary=f"Non évalué : {message}.",
                error=ErrorInfo(reason="dns", message=message),
                evidence=evidence,
            ),
            *untested,
        ]
    hosts = ", ".join(x.host for x in mx.exchangers)
    return [
        CheckResult(
            status=Status.PASS,
            summary=f"{len(mx.exchangers)} serveur(s) MX publiés, tous avec une adresse : {hosts}.",
            evidence=evidence,
        ),
        *untested,
    ]


def _shown(x: MailExchanger) -> list[str] | str:
    """The addresses of one MX for the evidence, saying which ones were not contacted."""
    shown = [
        *x.addresses,
        *(f"{a} (non routable, non contactée)" for a in x.non_routable),
        *(f"{a} (non testée : limite)" for a in x.over_limit),
    ]
    return listed(shown) or "aucune adresse"


@check("mail.starttls.offered")
def starttls_offered(ctx: CheckContext) -> list[CheckResult]:
    """Every MX address offers a working STARTTLS, so mail reaches the practice encrypted."""
    return _per_probe(ctx, _judge_starttls)


def _judge_starttls(probe: SmtpProbe) -> CheckResult:
    evidence = _smtp_evidence(probe)
    if probe.error:
        return _not_testable(probe)
    if probe.tls is not None:
        summary = "STARTTLS proposé : le courrier peut arriver chiffré."
        if probe.tls.version in OBSOLETE_TLS:
            summary = (
                f"STARTTLS proposé, mais seulement en {probe.tls.version}, version de TLS "
                "obsolète : le chiffrement existe mais il est faible."
            )
        return CheckResult(
            status=Status.PASS, subject=probe.subject, summary=summary, evidence=evidence
        )
    failure = probe.tls_failure
    if failure and failure.temporary:
        return CheckResult(
            status=Status.INDETERMINATE,
            subject=probe.subject,
            summary=f"STARTTLS annoncé mais non abouti pour l'instant ({failure.message}) : "
            "relancez le contrôle plus tard.",
            error=ErrorInfo(reason=failure.reason, message=failure.message),
            evidence=evidence,
        )
    if failure:
        summary = (
            f"STARTTLS est annoncé mais inutilisable ({failure.message}) : les expéditeurs "
            "se rabattent sur un envoi en clair ou renoncent à livrer."
        )
    elif not probe.esmtp:
        summary = (
            "Le serveur ne reconnaît pas la commande EHLO (SMTP d'avant les extensions) : il "
            "ne peut pas proposer STARTTLS, le courrier arrive en clair."
        )
    else:
        summary = (
            "Le serveur ne propose pas STARTTLS : les messages reçus par le cabinet (dont ceux "
            "de patients) transitent en clair sur Internet."
        )
    return CheckResult(
        status=Status.FAIL, subject=probe.subject, summary=summary, evidence=evidence
    )


@check("mail.tls.certificate")
def tls_certificate(ctx: CheckContext) -> list[CheckResult]:
    """The certificate shown after STARTTLS is trusted, names the MX host and is in date."""
    return _per_probe(ctx, _judge_certificate)


def _judge_certificate(probe: SmtpProbe) -> CheckResult:
    if probe.error:
        return _not_testable(probe)
    if not probe.starttls_offered:
        return CheckResult(
            status=Status.NOT_APPLICABLE,
            subject=probe.subject,
            summary="Pas de STARTTLS, donc pas de certificat à examiner.",
        )
    tls = probe.tls
    if tls is None or tls.certificate is None:
        return _tls_unavailable(probe, "Certificat illisible")
    info = tls.certificate
    verdict = judge(info, probe.host, tls.verify_error)
    evidence = [
        *_smtp_evidence(probe),
        Evidence(label="Sujet", value=info.subject),
        Evidence(label="Émetteur", value=info.issuer),
        Evidence(label="Noms couverts", value=list(info.names)),
        Evidence(label="Valide du", value=f"{info.not_before:%d/%m/%Y %H:%M} UTC"),
        Evidence(label="Valide jusqu'au", value=f"{info.not_after:%d/%m/%Y %H:%M} UTC"),
        Evidence(label="Jours restants", value=verdict.days_left),
        Evidence(label="Clé", value=info.key),
        Evidence(label="Signature", value=info.signature_algorithm),
        Evidence(label="Numéro de série", value=info.serial),
        Evidence(label="Empreinte SHA-256", value=info.sha256),
    ]
    if verdict.problems:
        evidence.append(Evidence(label="Problèmes", value=verdict.problems))
        return CheckResult(
            status=Status.FAIL,
            subject=probe.subject,
            summary="Certificat non valide : " + " ; ".join(verdict.problems) + ".",
            evidence=evidence,
        )
    if verdict.days_left < EXPIRY_WARNING_DAYS:
        severity = Severity.MEDIUM if verdict.days_left < EXPIRY_ALERT_DAYS else Severity.LOW
        return CheckResult(
            status=Status.FAIL,
            severity=severity,
            subject=probe.subject,
            summary=f"Certificat valide mais il expire dans {verdict.days_left} jours "
            f"(le {info.not_after:%d/%m/%Y}).",
            remediation_key="expiring_soon",
            evidence=evidence,
        )
    return CheckResult(
        status=Status.PASS,
        subject=probe.subject,
        summary=f"Certificat reconnu, au nom du serveur, valable encore {verdict.days_left} jours.",
        evidence=evidence,
    )


@check("mail.tls.versions")
def tls_versions(ctx: CheckContext) -> list[CheckResult]:
    """No MX address accepts TLS 1.1 or older; TLS 1.3 is noted when offered."""
    return _per_assessed_session(ctx, _judge_versions)


def _judge_versions(probe: SmtpProbe, tls: TlsSession, assessment: TlsAssessment) -> CheckResult:
    evidence = _smtp_evidence(probe)
    legacy = assessment.legacy
    if legacy.session is not None:
        version = legacy.session.version or "?"
        evidence.append(Evidence(label="Version obsolète acceptée", value=version))
        return CheckResult(
            status=Status.FAIL,
            subject=probe.subject,
            summary=f"Le serveur accepte encore {version}, version de TLS abandonnée "
            "(RFC 8996) : un expéditeur mal configuré ou un attaquant placé sur le trajet "
            "peut obtenir un chiffrement affaibli.",
            evidence=evidence,
        )
    if legacy.error is not None:
        return CheckResult(
            status=Status.INDETERMINATE,
            subject=probe.subject,
            summary=f"Meilleure version obtenue : {tls.version} ; l'acceptation des versions "
            f"obsolètes n'a pas pu être testée ({legacy.error.message}).",
            error=legacy.error,
            evidence=evidence,
        )
    evidence.append(Evidence(label="TLS 1.1 et antérieures", value="refusées"))
    if tls.version == "TLSv1.3":
        summary = "TLS 1.3 proposé ; TLS 1.0 et 1.1 sont refusés."
    else:
        summary = (
            f"{tls.version} proposé (TLS 1.3 ne l'est pas, c'est acceptable) ; TLS 1.0 et 1.1 "
            "sont refusés."
        )
    return CheckResult(
        status=Status.PASS, subject=probe.subject, summary=summary, evidence=evidence
    )


@check("mail.tls.ciphers")
def tls_ciphers(ctx: CheckContext) -> list[CheckResult]:
    """No MX address accepts null, anonymous or sub-128-bit cipher suites."""
    return _per_assessed_session(ctx, _judge_ciphers)


def _judge_ciphers(probe: SmtpProbe, tls: TlsSession, assessment: TlsAssessment) -> CheckResult:
    evidence = _smtp_evidence(probe)
    weak = assessment.weak
    families = tested_families(assessment.weak_offered)
    if families:
        evidence.append(Evidence(label="Familles de suites faibles testées", value=families))
    if weak.session is not None and weak.session.cipher:
        family = cipher_family(weak.session.cipher)
        why = WEAK_FAMILIES[family][1] if family else "suite faible"
        evidence.append(Evidence(label="Suite faible acceptée", value=weak.session.cipher))
        return CheckResult(
            status=Status.FAIL,
            subject=probe.subject,
            summary=f"Le serveur accepte la suite {weak.session.cipher} ({why}) quand "
            "l'expéditeur ne propose qu'elle : le courrier peut alors circuler sans protection "
            "réelle.",
            evidence=evidence,
        )
    if weak.error is not None:
        return CheckResult(
            status=Status.INDETERMINATE,
            subject=probe.subject,
            summary=f"Les suites faibles n'ont pas pu être testées ({weak.error.message}).",
            error=weak.error,
            evidence=evidence,
        )
    untested = [label for label, _ in WEAK_FAMILIES.values() if label not in families]
    summary = f"Aucune suite faible n'est acceptée (familles testées : {', '.join(families)})."
    if untested:
        summary += f" Non testées lors de cet audit : {', '.join(untested)}."
    cipher = tls.cipher or ""
    if cipher and not is_aead(cipher):
        # A judgment, not a failure: such suites are still allowed, but not among the ones
        # RFC 9325 recommends.
        summary += (
            f" Avec un client moderne, le serveur choisit {cipher}, une suite sans chiffrement "
            "authentifié (mode CBC) : la RFC 9325 recommande des suites AEAD avec échange "
            "de clés éphémère (par exemple ECDHE avec AES-GCM)."
        )
    return CheckResult(
        status=Status.PASS, subject=probe.subject, summary=summary, evidence=evidence
    )


@check("mail.tls.certificate_key")
def tls_certificate_key(ctx: CheckContext) -> list[CheckResult]:
    """The MX certificates use a strong key and an unbroken signature algorithm."""
    return _per_session(ctx, _judge_key)


def _judge_key(probe: SmtpProbe, tls: TlsSession) -> CheckResult:
    if tls.certificate is None:
        return _no_certificate(probe)
    sent = judge_chain(tls.chain, tls.verify_error).certificates if tls.chain else ()
    issued = [tls.certificate, *(c for c in sent[1:] if not c.self_signed)]
    problems = [f"{_who(c, tls.certificate)} : {p}" for c in issued for p in key_problems(c)]
    evidence = [
        *_smtp_evidence(probe),
        Evidence(label="Clé", value=tls.certificate.key),
        Evidence(label="Signature", value=tls.certificate.signature_algorithm),
    ]
    if problems:
        evidence.append(Evidence(label="Problèmes", value=problems))
        return CheckResult(
            status=Status.FAIL,
            subject=probe.subject,
            summary="Clé ou signature trop faible : " + " ; ".join(problems) + ".",
            evidence=evidence,
        )
    return CheckResult(
        status=Status.PASS,
        subject=probe.subject,
        summary=f"Clé {tls.certificate.key}, signature {tls.certificate.signature_algorithm} : "
        "conformes aux recommandations actuelles.",
        evidence=evidence,
    )


def _who(cert: CertificateInfo, leaf: CertificateInfo) -> str:
    return "certificat du serveur" if cert is leaf else f"certificat intermédiaire {cert.subject}"


@check("mail.tls.chain")
def tls_chain(ctx: CheckContext) -> list[CheckResult]:
    """Each MX sends the intermediate certificates needed to reach a recognised authority."""
    return _per_session(ctx, _judge_chain)


def _judge_chain(probe: SmtpProbe, tls: TlsSession) -> CheckResult:
    if tls.certificate is None or not tls.chain:
        return _no_certificate(probe)
    if tls.certificate.self_signed:
        return CheckResult(
            status=Status.NOT_APPLICABLE,
            subject=probe.subject,
            summary="Certificat autosigné : il n'a pas de chaîne de certification (voir le "
            "contrôle du certificat).",
        )
    verdict = judge_chain(tls.chain, tls.verify_error)
    evidence = [
        *_smtp_evidence(probe),
        Evidence(label="Certificats envoyés", value=[c.subject for c in verdict.certificates]),
    ]
    if verdict.problems:
        evidence.append(Evidence(label="Problèmes", value=verdict.problems))
        return CheckResult(
            status=Status.FAIL,
            subject=probe.subject,
            summary="Chaîne de certification défectueuse : " + " ; ".join(verdict.problems) + ".",
            evidence=evidence,
        )
    if tls.verify_error is not None:
        return CheckResult(
            status=Status.PASS,
            subject=probe.subject,
            summary="Les certificats envoyés s'enchaînent correctement (les autres défauts du "
            "certificat sont dans le contrôle du certificat).",
            evidence=evidence,
        )
    return CheckResult(
        status=Status.PASS,
        subject=probe.subject,
        summary=f"Chaîne complète : {len(verdict.certificates)} certificat(s) envoyé(s), "
        "qui mènent à une autorité reconnue.",
        evidence=evidence,
    )


def _no_certificate(probe: SmtpProbe) -> CheckResult:
    return CheckResult(
        status=Status.INDETERMINATE,
        subject=probe.subject,
        summary="Le serveur n'a présenté aucun certificat lisible.",
        error=ErrorInfo(reason="tls", message="aucun certificat reçu"),
        evidence=_smtp_evidence(probe),
    )


def _per_assessed_session(
    ctx: CheckContext, judge_one: Callable[[SmtpProbe, TlsSession, TlsAssessment], CheckResult]
) -> list[CheckResult]:
    """Like `_per_session`, with the extra handshakes that test old versions and weak suites."""
    return _per_session(
        ctx,
        lambda probe, tls: judge_one(probe, tls, ctx.tls_assessment(probe.host, probe.address)),
    )


def _per_session(
    ctx: CheckContext, judge_one: Callable[[SmtpProbe, TlsSession], CheckResult]
) -> list[CheckResult]:
    """Run `judge_one` on every MX address that completed a TLS handshake; explain the others."""

    def one(probe: SmtpProbe) -> CheckResult:
        if probe.error:
            return _not_testable(probe)
        if not probe.starttls_offered:
            return CheckResult(
                status=Status.NOT_APPLICABLE,
                subject=probe.subject,
                summary="Pas de STARTTLS, donc pas de TLS à examiner.",
            )
        tls = probe.tls
        if tls is None or tls.version is None:
            return _tls_unavailable(probe, "TLS non examinable")
        return judge_one(probe, tls)

    return _per_probe(ctx, one)


def _per_probe(
    ctx: CheckContext, judge_one: Callable[[SmtpProbe], CheckResult]
) -> list[CheckResult]:
    """Run `judge_one` on every MX address, unless there is none or none can be reached."""
    probes = _probes(ctx)
    if isinstance(probes, CheckResult):
        return [probes]
    untested = untested_mx_results(ctx.mx())
    blocked = _all_blocked(probes)
    if blocked:
        return [blocked, *untested]
    return [*ctx.map(judge_one, probes), *untested]


def _tls_unavailable(probe: SmtpProbe, what: str) -> CheckResult:
    """`what` cannot be examined because the TLS handshake failed or showed nothing."""
    failure = probe.tls_failure
    reason = failure.message if failure else "négociation TLS impossible"
    return CheckResult(
        status=Status.INDETERMINATE,
        subject=probe.subject,
        summary=f"{what} : {reason}.",
        error=ErrorInfo(reason=failure.reason if failure else "tls", message=reason),
        evidence=_smtp_evidence(probe),
    )


def _probes(ctx: CheckContext) -> list[SmtpProbe] | CheckResult:
    """Probe every MX address, or explain why there is nothing to probe."""
    mx: MxSet = ctx.mx()
    if not mx.exists or mx.null_mx or not mx.exchangers:
        return CheckResult(
            status=Status.NOT_APPLICABLE,
            summary="Aucun serveur MX à tester (voir le contrôle des enregistrements MX).",
        )
    pairs = [(x.host, address) for x in mx.exchangers for address in x.addresses]
    if not pairs and any(x.resolved for x in mx.exchangers):
        return []  # Addresses found, none contacted: the untested results say why.
    if not pairs:
        errors = [e for x in mx.exchangers for e in x.lookup_errors]
        raise CheckError("dns", errors[0] if errors else "aucun serveur MX n'a d'adresse IP")
    return ctx.map(lambda pair: ctx.smtp_probe(*pair), pairs)


def _all_blocked(probes: list[SmtpProbe]) -> CheckResult | None:
    """When no MX address can even be connected to, the auditor's own network is the likely
    cause (a refusal, or a server reached but silent, says nothing about that network)."""
    if probes and all(p.unreachable for p in probes):
        return CheckResult(
            status=Status.INDETERMINATE,
            summary="Aucun serveur MX n'a répondu sur le port SMTP. Cause la plus probable : le "
            "réseau depuis lequel l'audit est lancé bloque les connexions sortantes vers le port "
            "25 (fréquent chez les fournisseurs d'accès grand public). Relancez depuis un autre "
            "réseau avant de conclure.",
            error=ErrorInfo(
                reason="blocked",
                message="aucune adresse MX ne répond : port 25 sortant probablement bloqué",
            ),
            evidence=[Evidence(label="Adresses testées", value=[p.subject for p in probes])],
        )
    return None


def _not_testable(probe: SmtpProbe) -> CheckResult:
    assert probe.error is not None
    if probe.no_route:
        # The auditor's network, not the practice, lacks IPv6: nothing to judge here.
        return CheckResult(
            status=Status.NOT_APPLICABLE,
            subject=probe.subject,
            summary="Adresse IPv6 non testée : le réseau depuis lequel l'audit est lancé "
            "n'a pas de connectivité IPv6.",
            evidence=_smtp_evidence(probe),
        )
    return CheckResult(
        status=Status.INDETERMINATE,
        subject=probe.subject,
        summary=f"Serveur non testable : {probe.error.message}.",
        error=probe.error,
        evidence=_smtp_evidence(probe),
    )


def _smtp_evidence(probe: SmtpProbe) -> list[Evidence]:
    evidence = [Evidence(label="Serveur", value=f"{probe.address} port {probe.port}")]
    if probe.banner:
        evidence.append(Evidence(label="Bannière SMTP", value=probe.banner))
    if probe.tls and probe.tls.version:
        evidence.append(Evidence(label="Version TLS", value=probe.tls.version))
    if probe.tls and probe.tls.cipher:
        evidence.append(Evidence(label="Suite de chiffrement", value=probe.tls.cipher))
    return evidence


def _fail(
    summary: str,
    severity: Severity | None = None,
    evidence: list[Evidence] | None = None,
    remediation_key: str | None = None,
) -> CheckResult:
    return CheckResult(
        status=Status.FAIL,
        summary=summary,
        severity=severity,
        evidence=evidence or [],
        remediation_key=remediation_key,
    )
