"""Mail as staff read and send it: IMAP, POP3 and submission servers, and their TLS.

The hosts come from the domain's SRV records (RFC 6186); without any, from the list of
known providers' hosts (`data/mail_client_hosts.yaml`), chosen by the domain's MX. Every
address of every host is probed, one connection at a time per address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rgpd_audit import catalog
from rgpd_audit.config import DEFAULT_PORTS
from rgpd_audit.context import CheckContext
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, ErrorInfo, ErrorReason, Evidence, Severity, Status
from rgpd_audit.net.addresses import (
    MAX_ADDRESSES_PER_HOST,
    MAX_SRV_PER_SERVICE,
    split_contactable,
)
from rgpd_audit.net.certificates import judge
from rgpd_audit.net.mail_client import SERVICES, ClientProbe
from rgpd_audit.registry import check
from rgpd_audit.untested import limit_result

# Same alert thresholds as for the MX certificates.
EXPIRY_ALERT_DAYS = 30
EXPIRY_WARNING_DAYS = 60


@dataclass(frozen=True)
class Endpoint:
    """A host to probe for one service, with where the audit learnt about it."""

    service: str
    host: str
    port: int
    source: str
    verified: bool = True


@dataclass(frozen=True)
class Discovery:
    """The endpoints found; `declined` lists services an SRV record says are not offered.

    `over_limit` holds the SRV endpoints beyond `MAX_SRV_PER_SERVICE` for their service,
    never resolved nor contacted.
    """

    endpoints: tuple[Endpoint, ...]
    declined: tuple[str, ...] = ()
    over_limit: tuple[Endpoint, ...] = ()


@dataclass(frozen=True)
class Attempt:
    """One endpoint on one address: a probe, or why there is none (`error`)."""

    endpoint: Endpoint
    probe: ClientProbe | None
    error: ErrorInfo | None = None
    address: str | None = None


@check("mail.client_tls.encryption")
def client_encryption(ctx: CheckContext) -> list[CheckResult]:
    """Every IMAP, POP3 and submission server encrypts the connection (implicit TLS or STARTTLS)."""
    return _per_attempt(ctx, _judge_encryption, plain_only=False)


@check("mail.client_tls.certificate")
def client_certificate(ctx: CheckContext) -> list[CheckResult]:
    """The certificates of those servers are trusted, name the host and are in date."""
    return _per_attempt(ctx, _judge_certificate, plain_only=False)


@check("mail.client_tls.plaintext_login")
def client_plaintext_login(ctx: CheckContext) -> list[CheckResult]:
    """No server accepts a password before the connection is encrypted."""
    return _per_attempt(ctx, _judge_login, plain_only=True)


def _judge_encryption(probe: ClientProbe, evidence: list[Evidence]) -> CheckResult:
    failure = probe.tls_failure
    if probe.tls is not None:
        how = "TLS dès la connexion" if probe.spec.implicit_tls else "STARTTLS"
        summary = f"Connexion chiffrée ({how}, {probe.tls.version})."
        if not probe.spec.implicit_tls:
            summary += " La RFC 8314 recommande de préférer le port à TLS implicite."
        return _result(Status.PASS, probe, summary, evidence)
    if failure is not None and failure.temporary:
        return _indeterminate(probe, failure.message, failure.reason, evidence)
    if failure is not None:
        return _result(
            Status.FAIL,
            probe,
            f"Le chiffrement annoncé ne fonctionne pas ({failure.message}) : les logiciels de "
            "messagerie refusent de se connecter ou, mal réglés, se rabattent sur une "
            "connexion en clair.",
            evidence,
        )
    return _result(
        Status.FAIL,
        probe,
        "Aucun chiffrement proposé (pas de STARTTLS) : identifiants et messages des postes "
        "du cabinet circulent en clair sur le réseau.",
        evidence,
    )


def _judge_certificate(probe: ClientProbe, evidence: list[Evidence]) -> CheckResult:
    tls = probe.tls
    if tls is None:
        failure = probe.tls_failure
        if failure is not None:
            return _indeterminate(probe, failure.message, failure.reason, evidence)
        return _result(
            Status.NOT_APPLICABLE, probe, "Pas de TLS, donc pas de certificat à examiner.", []
        )
    if tls.certificate is None:
        return _indeterminate(probe, "aucun certificat reçu", "tls", evidence)
    info = tls.certificate
    verdict = judge(info, probe.host, tls.verify_error)
    evidence += [
        Evidence(label="Sujet", value=info.subject),
        Evidence(label="Émetteur", value=info.issuer),
        Evidence(label="Noms couverts", value=list(info.names)),
        Evidence(label="Valide jusqu'au", value=f"{info.not_after:%d/%m/%Y %H:%M} UTC"),
        Evidence(label="Jours restants", value=verdict.days_left),
        Evidence(label="Empreinte SHA-256", value=info.sha256),
    ]
    if verdict.problems:
        evidence.append(Evidence(label="Problèmes", value=verdict.problems))
        return _result(
            Status.FAIL,
            probe,
            "Certificat non valide : " + " ; ".join(verdict.problems) + ".",
            evidence,
        )
    if verdict.days_left < EXPIRY_WARNING_DAYS:
        severity = Severity.MEDIUM if verdict.days_left < EXPIRY_ALERT_DAYS else Severity.LOW
        result = _result(
            Status.FAIL,
            probe,
            f"Certificat valide mais il expire dans {verdict.days_left} jours "
            f"(le {info.not_after:%d/%m/%Y}).",
            evidence,
        )
        return result.model_copy(update={"severity": severity, "remediation_key": "expiring"})
    return _result(
        Status.PASS,
        probe,
        f"Certificat reconnu, au nom du serveur, valable encore {verdict.days_left} jours.",
        evidence,
    )


def _judge_login(probe: ClientProbe, evidence: list[Evidence]) -> CheckResult:
    if probe.clear_login:
        evidence.append(
            Evidence(label="Connexion possible avant TLS", value=list(probe.clear_login))
        )
        return _result(
            Status.FAIL,
            probe,
            "Le serveur accepte un mot de passe avant tout chiffrement ("
            + ", ".join(probe.clear_login)
            + ") : un logiciel mal réglé, ou un attaquant qui supprime l'annonce STARTTLS, "
            "fait circuler le mot de passe de la messagerie en clair.",
            evidence,
        )
    return _result(
        Status.PASS,
        probe,
        "Aucune connexion par mot de passe n'est proposée avant le chiffrement.",
        evidence,
    )


_Judge = Callable[[ClientProbe, list[Evidence]], CheckResult]


def _per_attempt(ctx: CheckContext, judge_one: _Judge, plain_only: bool) -> list[CheckResult]:
    discovery = _discover(ctx)
    if not discovery.endpoints:
        return [_nothing_found(discovery, with_advice=judge_one is _judge_encryption)]
    attempts = _attempts(ctx)
    if plain_only:
        attempts = [a for a in attempts if not SERVICES[a.endpoint.service].implicit_tls]
        if not attempts:
            return [
                CheckResult(
                    status=Status.NOT_APPLICABLE,
                    summary="Seuls des services à TLS implicite sont annoncés : aucun mot de "
                    "passe ne peut y être envoyé avant le chiffrement.",
                )
            ]
    results = []
    for attempt in attempts:
        evidence = _evidence(attempt)
        probe = attempt.probe
        if probe is None:
            assert attempt.error is not None
            endpoint = attempt.endpoint
            where = f"{attempt.address}, port {endpoint.port}" if attempt.address else None
            results.append(
                CheckResult(
                    status=Status.INDETERMINATE,
                    subject=f"{SERVICES[endpoint.service].label} {endpoint.host} ({where})"
                    if where
                    else f"{endpoint.host} ({endpoint.service})",
                    summary=f"Serveur non testable : {attempt.error.message}.",
                    error=attempt.error,
                    evidence=evidence,
                )
            )
        elif probe.no_route:
            # The auditor's network, not the practice, lacks IPv6: nothing to judge here.
            results.append(
                _result(
                    Status.NOT_APPLICABLE,
                    probe,
                    "Adresse IPv6 non testée : le réseau depuis lequel l'audit est lancé n'a pas "
                    "de connectivité IPv6.",
                    evidence,
                )
            )
        elif probe.error is not None:
            results.append(_indeterminate(probe, probe.error.message, probe.error.reason, evidence))
        else:
            results.append(judge_one(probe, evidence))
    over = [e for e in discovery.over_limit if not plain_only or not _implicit(e)]
    if over:
        results.append(
            limit_result(
                f"l'outil teste au plus {MAX_SRV_PER_SERVICE} serveurs annoncés par SRV pour "
                f"chaque service ; {len(over)} autre(s) n'ont pas été contactés.",
                [f"{SERVICES[e.service].label} {e.host} port {e.port}" for e in over],
                "Serveurs non testés",
            )
        )
    return results


def _implicit(endpoint: Endpoint) -> bool:
    return SERVICES[endpoint.service].implicit_tls


def _discover(ctx: CheckContext) -> Discovery:
    return ctx.memo(("client-endpoints", ctx.target.domain), lambda: _find_endpoints(ctx))


def _find_endpoints(ctx: CheckContext) -> Discovery:
    domain = ctx.target.domain
    names = [(service, f"_{service}._tcp.{domain}") for service in SERVICES]
    # No _tcp name at all: no SRV under it (RFC 8020), one query instead of six.
    if ctx.nothing_under(f"_tcp.{domain}"):
        answers: list[list[str] | None] = [None] * len(names)
    else:
        answers = ctx.map(lambda pair: ctx.lookup(pair[1], "SRV"), names)
    endpoints: list[Endpoint] = []
    over_limit: list[Endpoint] = []
    declined: list[str] = []
    for (service, name), records in zip(names, answers, strict=True):
        found: list[tuple[int, int, Endpoint]] = []
        for record in records or []:
            parts = record.split()
            if len(parts) != 4 or not all(p.isdigit() for p in parts[:3]):
                continue
            target = parts[3].rstrip(".").lower()
            if not target:
                # A target of "." means the service is decidedly not offered (RFC 2782, to
                # which RFC 6186 refers).
                declined.append(service)
                continue
            port = int(parts[2])
            # The standard port goes through the configuration (that is how --port, and the
            # lab's high ports, apply); a non-standard one is taken as published.
            if port == DEFAULT_PORTS[service]:
                port = ctx.config.port(service)
            endpoint = Endpoint(service, target, port, f"SRV {name}")
            found.append((int(parts[0]), -int(parts[1]), endpoint))
        # The domain chooses these hosts and ports: only the first few are contacted, in the
        # order a mail client would try them (lowest priority, then highest weight).
        found.sort(key=lambda item: (item[0], item[1], item[2].host, item[2].port))
        unique = list(dict.fromkeys(endpoint for _, _, endpoint in found))
        endpoints += unique[:MAX_SRV_PER_SERVICE]
        over_limit += unique[MAX_SRV_PER_SERVICE:]
    if endpoints or declined:
        return Discovery(tuple(endpoints), tuple(declined), tuple(over_limit))
    return Discovery(_provider_endpoints(ctx))


def _provider_endpoints(ctx: CheckContext) -> tuple[Endpoint, ...]:
    providers = catalog.providers()
    hosts = catalog.client_hosts()
    endpoints: list[Endpoint] = []
    for exchanger in ctx.mx().exchangers:
        provider = providers.by_mx_host(exchanger.host)
        entry = hosts.of(provider.id) if provider else None
        if provider is None or entry is None:
            continue
        source = f"liste de l'outil : hôtes de {provider.name} (MX {exchanger.host})"
        for item in entry.endpoints:
            endpoint = Endpoint(
                item.service, item.host, ctx.config.port(item.service), source, entry.verified
            )
            if endpoint not in endpoints:
                endpoints.append(endpoint)
    return tuple(endpoints)


def _attempts(ctx: CheckContext) -> list[Attempt]:
    return ctx.memo(("client-attempts", ctx.target.domain), lambda: _probe_all(ctx))


def _probe_all(ctx: CheckContext) -> list[Attempt]:
    endpoints = _discover(ctx).endpoints
    hosts = list(dict.fromkeys(e.host for e in endpoints))
    addresses = dict(zip(hosts, ctx.map(lambda host: _addresses(ctx, host), hosts), strict=True))
    skipped: list[Attempt] = []
    pairs: list[tuple[Endpoint, str | ErrorInfo]] = []
    for endpoint in endpoints:
        resolved = addresses[endpoint.host]
        if isinstance(resolved, ErrorInfo):
            pairs.append((endpoint, resolved))
            continue
        contacted, refused, over = split_contactable(resolved, ctx.config.allow_private_addresses)
        pairs += [(endpoint, address) for address in contacted]
        skipped += [
            Attempt(
                endpoint,
                None,
                ErrorInfo(
                    reason="private_address",
                    message=f"adresse non routable ({address}), non contactée",
                ),
                address,
            )
            for address in refused
        ]
        if over:
            message = (
                f"non testé (limite) : {len(over)} adresse(s) de {endpoint.host} au-delà des "
                f"{MAX_ADDRESSES_PER_HOST} premières"
            )
            skipped.append(Attempt(endpoint, None, ErrorInfo(reason="limit", message=message)))

    def attempt(pair: tuple[Endpoint, str | ErrorInfo]) -> Attempt:
        endpoint, where = pair
        if isinstance(where, ErrorInfo):
            return Attempt(endpoint, None, where)
        return Attempt(
            endpoint,
            ctx.client_probe(endpoint.service, endpoint.host, where, endpoint.port),
            address=where,
        )

    return [*ctx.map(attempt, pairs), *skipped]


def _addresses(ctx: CheckContext, host: str) -> list[str] | ErrorInfo:
    try:
        answers = [ctx.lookup(host, rdtype) for rdtype in ("A", "AAAA")]
    except CheckError as exc:
        return ErrorInfo(reason=exc.reason, message=exc.message)
    addresses = [a for answer in answers for a in answer or []]
    if not addresses:
        return ErrorInfo(reason="dns", message=f"{host} n'a pas d'adresse IP dans le DNS")
    return addresses


def _nothing_found(discovery: Discovery, with_advice: bool) -> CheckResult:
    if discovery.declined:
        return CheckResult(
            status=Status.NOT_APPLICABLE,
            summary="Le domaine déclare par SRV (RFC 6186) ne proposer aucun accès IMAP, POP3 "
            "ou soumission.",
            evidence=[Evidence(label="Services déclarés absents", value=list(discovery.declined))],
        )
    return CheckResult(
        status=Status.INDETERMINATE,
        summary="Non évalué : les serveurs que les postes du cabinet utilisent pour lire et "
        "envoyer le courrier n'ont pas pu être identifiés (aucun enregistrement SRV, RFC 6186, "
        "et fournisseur absent de la liste de l'outil). Vérifiez à la main les réglages des "
        "logiciels de messagerie.",
        error=ErrorInfo(reason="dns", message="aucun enregistrement SRV IMAP, POP3 ou soumission"),
        # The advice to publish SRV records is given once, by the encryption check.
        remediation_key="no_srv" if with_advice else None,
    )


def _evidence(attempt: Attempt) -> list[Evidence]:
    endpoint = attempt.endpoint
    evidence = [
        Evidence(label="Service", value=SERVICES[endpoint.service].label),
        Evidence(label="Découvert par", value=endpoint.source),
    ]
    if not endpoint.verified:
        evidence.append(
            Evidence(label="Hôte à confirmer", value="non vérifié auprès du fournisseur")
        )
    probe = attempt.probe
    if probe is not None:
        evidence.append(Evidence(label="Serveur", value=f"{probe.address} port {probe.port}"))
        if probe.greeting:
            evidence.append(Evidence(label="Accueil", value=probe.greeting))
    return evidence


def _result(
    status: Status, probe: ClientProbe, summary: str, evidence: list[Evidence]
) -> CheckResult:
    return CheckResult(status=status, subject=probe.subject, summary=summary, evidence=evidence)


def _indeterminate(
    probe: ClientProbe, message: str, reason: ErrorReason, evidence: list[Evidence]
) -> CheckResult:
    return CheckResult(
        status=Status.INDETERMINATE,
        subject=probe.subject,
        summary=f"Serveur non testable : {message}.",
        error=ErrorInfo(reason=reason, message=message),
        evidence=evidence,
    )
