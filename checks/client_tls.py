"""Mail as staff read and send it: IMAP, POP3 and submission servers, and their TLS.

The hosts come from the domain's SRV records (RFC 6186); without any, from the list of
known providers' hosts (`data/mail_client_hosts.yaml`), chosen by the domain's MX. Every
address of every host is probed, one connection at a time per address.

Facts first (`gather`: a `ClientDiscoveryFacts` for the domain, one `ClientEndpointFacts`
per endpoint and address, shared by the three checks), then the verdicts and their words
(`judge_encryption`, `judge_certificate`, `judge_plaintext_login`, `judge_discovery`), pure
functions of the facts tested without a network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rgpd_audit import catalog
from rgpd_audit.plugin import (
    DEFAULT_PORTS,
    MAX_ADDRESSES_PER_HOST,
    MAX_SRV_PER_SERVICE,
    SERVICES,
    CheckError,
    CheckResult,
    ClientProbe,
    Context,
    ErrorReason,
    Evidence,
    Facts,
    ObservedCertificate,
    VerifyError,
    certificate_result,
    check,
    failed,
    indeterminate,
    limit_result,
    not_applicable,
    passed,
    split_contactable,
)


class Endpoint(BaseModel):
    """A host to probe for one service, with where the audit learnt about it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service: str = Field(
        description="Client service: imaps, imap, pop3s, pop3, submissions or submission"
    )
    host: str
    port: int
    srv_name: str | None = Field(
        None, description="The SRV record that announced the host (RFC 6186)"
    )
    provider_id: str | None = Field(
        None, description="Without SRV: the provider of the tool's list whose hosts were taken"
    )
    provider: str | None = Field(None, description="That provider's name")
    provider_mx: str | None = Field(None, description="The MX host that designated the provider")
    verified: bool = Field(
        True, description="False for a host of the tool's list not confirmed with the provider"
    )


class TlsFacts(BaseModel):
    """The TLS session established (implicit TLS or after STARTTLS)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str | None = Field(None, description="Protocol version, e.g. TLSv1.3")
    cipher: str | None = None
    certificate: ObservedCertificate | None = None
    verify_error: VerifyError | None = Field(
        None, description="Why OpenSSL refused the chain; absent when it verified"
    )


class Failure(BaseModel):
    """Why something could not be observed: a reason and the message observed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    reason: ErrorReason
    message: str


class TlsFailure(Failure):
    """TLS was attempted but not established."""

    temporary: bool = Field(
        description="A stall, a reset or a temporary refusal: nothing definite about the server"
    )


class ClientEndpointFacts(Facts):
    """One endpoint on one address: what its server offered, before and with TLS."""

    kind: ClassVar[str] = "client_tls.endpoint"

    endpoint: Endpoint
    address: str | None = Field(
        None,
        description="The address probed or skipped; absent when the host's addresses are "
        "unknown (DNS failure) or for its addresses beyond the cap",
    )
    contacted: bool = Field(description="False when the address was never contacted")
    observed_at: dt.datetime = Field(description="When the facts were gathered (UTC)")
    skipped: Literal["private_address", "limit"] | None = Field(
        None,
        description="Why the tool chose not to contact it: an address that is not publicly "
        "routable, or addresses of the host beyond the cap",
    )
    skipped_addresses: int = Field(
        0, description=f"With skipped=limit: addresses beyond the first {MAX_ADDRESSES_PER_HOST}"
    )
    error: Failure | None = Field(
        None, description="Why no conversation took place (DNS or connection failure)"
    )
    no_route: bool = Field(
        False, description="The auditor's machine has no route to this address family (IPv6)"
    )
    greeting: str | None = Field(None, description="The server's greeting line")
    starttls_offered: bool = False
    clear_login: list[str] = Field(
        default_factory=list,
        description="Password mechanisms offered before any TLS (IMAP LOGIN, POP3 USER, SASL)",
    )
    tls: TlsFacts | None = None
    tls_failure: TlsFailure | None = None

    @model_validator(mode="after")
    def _not_contacted_says_why(self) -> ClientEndpointFacts:
        if not self.contacted and self.error is None and self.skipped is None:
            raise ValueError("an address not contacted needs the reason (skipped or error)")
        return self

    @property
    def subject(self) -> str:
        """How the report names this server: service, host, address and port."""
        endpoint = self.endpoint
        if self.address is None:
            return f"{endpoint.host} ({endpoint.service})"
        label = SERVICES[endpoint.service].label
        return f"{label} {endpoint.host} ({self.address}, port {endpoint.port})"

    def evidence(self) -> list[Evidence]:
        """The service, how it was found and, once contacted, the server and its greeting."""
        endpoint = self.endpoint
        items = [
            Evidence(label="Service", value=SERVICES[endpoint.service].label),
            Evidence(label="Découvert par", value=_discovered_by(endpoint)),
        ]
        if not endpoint.verified:
            items.append(
                Evidence(label="Hôte à confirmer", value="non vérifié auprès du fournisseur")
            )
        if self.contacted:
            items.append(Evidence(label="Serveur", value=f"{self.address} port {endpoint.port}"))
            if self.greeting:
                items.append(Evidence(label="Accueil", value=self.greeting))
        return items


class ClientDiscoveryFacts(Facts):
    """The client endpoints found for a domain (SRV records, else the tool's provider list)."""

    kind: ClassVar[str] = "client_tls.discovery"

    domain: str
    endpoints: list[Endpoint] = Field(
        default_factory=list,
        description=f"Endpoints tested: at most {MAX_SRV_PER_SERVICE} per service from SRV",
    )
    declined: list[str] = Field(
        default_factory=list,
        description="Services an SRV record with target « . » says are not offered",
    )

    def evidence(self) -> list[Evidence]:
        """The services declared absent, if any."""
        if not self.declined:
            return []
        return [Evidence(label="Services déclarés absents", value=list(self.declined))]


@dataclass(frozen=True)
class Observation:
    """Everything the three checks judge, gathered once per audit.

    `over_limit` holds the SRV endpoints beyond `MAX_SRV_PER_SERVICE` for their service,
    never resolved nor contacted.
    """

    discovery: ClientDiscoveryFacts
    endpoints: tuple[ClientEndpointFacts, ...] = ()
    over_limit: tuple[Endpoint, ...] = ()


ENDPOINT_FACTS = (ClientDiscoveryFacts, ClientEndpointFacts)


@check("mail.client_tls.encryption", facts=ENDPOINT_FACTS)
def client_encryption(ctx: Context) -> list[CheckResult]:
    """Every IMAP, POP3 and submission server encrypts the connection (implicit TLS or STARTTLS)."""
    return judge_observation(gather(ctx), judge_encryption, plain_only=False, advice=True)


@check("mail.client_tls.certificate", facts=ENDPOINT_FACTS)
def client_certificate(ctx: Context) -> list[CheckResult]:
    """The certificates of those servers are trusted, name the host and are in date."""
    return judge_observation(gather(ctx), judge_certificate, plain_only=False)


@check("mail.client_tls.plaintext_login", facts=ENDPOINT_FACTS)
def client_plaintext_login(ctx: Context) -> list[CheckResult]:
    """No server accepts a password before the connection is encrypted."""
    return judge_observation(gather(ctx), judge_plaintext_login, plain_only=True)


# --- verdicts and words ---------------------------------------------------------------------

Judge = Callable[[ClientEndpointFacts], CheckResult]


def judge_observation(
    observed: Observation, judge_one: Judge, *, plain_only: bool, advice: bool = False
) -> list[CheckResult]:
    """One result per endpoint and address judged by `judge_one`, and one for the caps.

    `plain_only` keeps the services without implicit TLS (a password can only be sent in
    clear there); `advice` names the remediation that asks for SRV records when none was
    found (given once, by the encryption check).
    """
    discovery = observed.discovery
    if not discovery.endpoints:
        return [judge_discovery(discovery, advice=advice)]
    endpoints = observed.endpoints
    if plain_only:
        endpoints = tuple(f for f in endpoints if not _implicit(f.endpoint))
        if not endpoints:
            return [
                not_applicable(
                    "Seuls des services à TLS implicite sont annoncés : aucun mot de passe ne "
                    "peut y être envoyé avant le chiffrement.",
                    discovery,
                    evidence=[],
                )
            ]
    results = [_untestable(facts) or judge_one(facts) for facts in endpoints]
    over = [e for e in observed.over_limit if not plain_only or not _implicit(e)]
    if over:
        results.append(
            limit_result(
                f"l'outil teste au plus {MAX_SRV_PER_SERVICE} serveurs annoncés par SRV pour "
                f"chaque service ; {len(over)} autre(s) n'ont pas été contactés.",
                [f"{SERVICES[e.service].label} {e.host} port {e.port}" for e in over],
                "Serveurs non testés",
                max_hosts=MAX_SRV_PER_SERVICE,
            )
        )
    return results


def judge_discovery(facts: ClientDiscoveryFacts, *, advice: bool) -> CheckResult:
    """No endpoint to test: declared absent by SRV, or not found at all."""
    if facts.declined:
        return not_applicable(
            "Le domaine déclare par SRV (RFC 6186) ne proposer aucun accès IMAP, POP3 ou "
            "soumission.",
            facts,
        )
    # The advice to publish SRV records is given once, by the encryption check.
    return indeterminate(
        "dns",
        "aucun enregistrement SRV IMAP, POP3 ou soumission",
        facts,
        summary="Non évalué : les serveurs que les postes du cabinet utilisent pour lire et "
        "envoyer le courrier n'ont pas pu être identifiés (aucun enregistrement SRV, RFC 6186, "
        "et fournisseur absent de la liste de l'outil). Vérifiez à la main les réglages des "
        "logiciels de messagerie.",
        remediation="no_srv" if advice else None,
    )


def judge_encryption(facts: ClientEndpointFacts) -> CheckResult:
    """Implicit TLS or STARTTLS established: encrypted; offered but broken, or absent: not."""
    untestable = _untestable(facts)
    if untestable is not None:
        return untestable
    implicit = _implicit(facts.endpoint)
    if facts.tls is not None:
        how = "TLS dès la connexion" if implicit else "STARTTLS"
        summary = f"Connexion chiffrée ({how}, {facts.tls.version})."
        if not implicit:
            summary += " La RFC 8314 recommande de préférer le port à TLS implicite."
        return passed(summary, facts, subject=facts.subject)
    failure = facts.tls_failure
    if failure is not None and failure.temporary:
        return _not_testable(facts, failure)
    if failure is not None:
        return failed(
            f"Le chiffrement annoncé ne fonctionne pas ({failure.message}) : les logiciels de "
            "messagerie refusent de se connecter ou, mal réglés, se rabattent sur une "
            "connexion en clair.",
            facts,
            subject=facts.subject,
        )
    return failed(
        "Aucun chiffrement proposé (pas de STARTTLS) : identifiants et messages des postes "
        "du cabinet circulent en clair sur le réseau.",
        facts,
        subject=facts.subject,
    )


def judge_certificate(facts: ClientEndpointFacts) -> CheckResult:
    """The certificate's problems at the time it was seen, or its days left when near expiry."""
    untestable = _untestable(facts)
    if untestable is not None:
        return untestable
    tls = facts.tls
    if tls is None:
        if facts.tls_failure is not None:
            return _not_testable(facts, facts.tls_failure)
        return not_applicable(
            "Pas de TLS, donc pas de certificat à examiner.",
            facts,
            subject=facts.subject,
            evidence=[],
        )
    certificate = tls.certificate
    if certificate is None:
        return _not_testable(facts, Failure(reason="tls", message="aucun certificat reçu"))
    return certificate_result(
        facts,
        certificate,
        facts.endpoint.host,
        tls.verify_error,
        facts.observed_at,
        subject=facts.subject,
        evidence=[
            *facts.evidence(),
            Evidence(label="Sujet", value=certificate.subject),
            Evidence(label="Émetteur", value=certificate.issuer),
            Evidence(label="Noms couverts", value=list(certificate.names)),
            Evidence(label="Valide jusqu'au", value=f"{certificate.not_after:%d/%m/%Y %H:%M} UTC"),
        ],
        evidence_after=[Evidence(label="Empreinte SHA-256", value=certificate.sha256)],
        expiring_remediation="expiring",
    )


def judge_plaintext_login(facts: ClientEndpointFacts) -> CheckResult:
    """A password mechanism offered before TLS on a plain port fails."""
    untestable = _untestable(facts)
    if untestable is not None:
        return untestable
    if facts.clear_login:
        return failed(
            "Le serveur accepte un mot de passe avant tout chiffrement ("
            + ", ".join(facts.clear_login)
            + ") : un logiciel mal réglé, ou un attaquant qui supprime l'annonce STARTTLS, "
            "fait circuler le mot de passe de la messagerie en clair.",
            facts,
            subject=facts.subject,
            evidence=[
                *facts.evidence(),
                Evidence(label="Connexion possible avant TLS", value=list(facts.clear_login)),
            ],
        )
    return passed(
        "Aucune connexion par mot de passe n'est proposée avant le chiffrement.",
        facts,
        subject=facts.subject,
    )


def _untestable(facts: ClientEndpointFacts) -> CheckResult | None:
    """The result every check gives for an endpoint without a conversation, else None."""
    if facts.skipped == "private_address":
        message = f"adresse non routable ({facts.address}), non contactée"
        return _not_testable(facts, Failure(reason="private_address", message=message))
    if facts.skipped == "limit":
        message = (
            f"non testé (limite) : {facts.skipped_addresses} adresse(s) de "
            f"{facts.endpoint.host} au-delà des {MAX_ADDRESSES_PER_HOST} premières"
        )
        return _not_testable(facts, Failure(reason="limit", message=message))
    if facts.no_route:
        # The auditor's network, not the practice, lacks IPv6: nothing to judge here.
        return not_applicable(
            "Adresse IPv6 non testée : le réseau depuis lequel l'audit est lancé n'a pas de "
            "connectivité IPv6.",
            facts,
            subject=facts.subject,
        )
    if facts.error is not None:
        return _not_testable(facts, facts.error)
    return None


def _not_testable(facts: ClientEndpointFacts, failure: Failure) -> CheckResult:
    return indeterminate(
        failure.reason,
        failure.message,
        facts,
        subject=facts.subject,
        summary=f"Serveur non testable : {failure.message}.",
    )


def _implicit(endpoint: Endpoint) -> bool:
    return SERVICES[endpoint.service].implicit_tls


def _discovered_by(endpoint: Endpoint) -> str:
    if endpoint.srv_name is not None:
        return f"SRV {endpoint.srv_name}"
    return f"liste de l'outil : hôtes de {endpoint.provider} (MX {endpoint.provider_mx})"


# --- facts ----------------------------------------------------------------------------------


def gather(ctx: Context) -> Observation:
    """The domain's client endpoints and what each address offered (once per audit)."""
    return ctx.memo(("client-observation", ctx.target.domain), lambda: _observe(ctx))


@dataclass(frozen=True)
class _Discovery:
    endpoints: tuple[Endpoint, ...]
    declined: tuple[str, ...] = ()
    over_limit: tuple[Endpoint, ...] = ()


def _observe(ctx: Context) -> Observation:
    found = _find_endpoints(ctx)
    discovery = ClientDiscoveryFacts(
        domain=ctx.target.domain,
        endpoints=list(found.endpoints),
        declined=list(found.declined),
    )
    if not found.endpoints:
        return Observation(discovery)
    return Observation(discovery, tuple(_probe_all(ctx, found.endpoints)), found.over_limit)


def _find_endpoints(ctx: Context) -> _Discovery:
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
            endpoint = Endpoint(service=service, host=target, port=port, srv_name=name)
            found.append((int(parts[0]), -int(parts[1]), endpoint))
        # The domain chooses these hosts and ports: only the first few are contacted, in the
        # order a mail client would try them (lowest priority, then highest weight).
        found.sort(key=lambda item: (item[0], item[1], item[2].host, item[2].port))
        unique = list(dict.fromkeys(endpoint for _, _, endpoint in found))
        endpoints += unique[:MAX_SRV_PER_SERVICE]
        over_limit += unique[MAX_SRV_PER_SERVICE:]
    if endpoints or declined:
        return _Discovery(tuple(endpoints), tuple(declined), tuple(over_limit))
    return _Discovery(_provider_endpoints(ctx))


def _provider_endpoints(ctx: Context) -> tuple[Endpoint, ...]:
    providers = catalog.providers()
    hosts = catalog.client_hosts()
    endpoints: list[Endpoint] = []
    for exchanger in ctx.mx().exchangers:
        provider = providers.by_mx_host(exchanger.host)
        entry = hosts.of(provider.id) if provider else None
        if provider is None or entry is None:
            continue
        for item in entry.endpoints:
            endpoint = Endpoint(
                service=item.service,
                host=item.host,
                port=ctx.config.port(item.service),
                provider_id=provider.id,
                provider=provider.name,
                provider_mx=exchanger.host,
                verified=entry.verified,
            )
            if endpoint not in endpoints:
                endpoints.append(endpoint)
    return tuple(endpoints)


def _probe_all(ctx: Context, endpoints: Sequence[Endpoint]) -> list[ClientEndpointFacts]:
    observed_at = dt.datetime.now(dt.UTC)
    hosts = list(dict.fromkeys(e.host for e in endpoints))
    addresses = dict(zip(hosts, ctx.map(lambda host: _addresses(ctx, host), hosts), strict=True))
    skipped: list[ClientEndpointFacts] = []
    pairs: list[tuple[Endpoint, str | Failure]] = []

    for endpoint in endpoints:
        resolved = addresses[endpoint.host]
        if isinstance(resolved, Failure):
            pairs.append((endpoint, resolved))
            continue
        contacted, refused, over = split_contactable(resolved, ctx.config.allow_private_addresses)
        pairs += [(endpoint, address) for address in contacted]
        skipped += [
            ClientEndpointFacts(
                endpoint=endpoint,
                address=address,
                contacted=False,
                observed_at=observed_at,
                skipped="private_address",
            )
            for address in refused
        ]
        if over:
            skipped.append(
                ClientEndpointFacts(
                    endpoint=endpoint,
                    contacted=False,
                    observed_at=observed_at,
                    skipped="limit",
                    skipped_addresses=len(over),
                )
            )

    def attempt(pair: tuple[Endpoint, str | Failure]) -> ClientEndpointFacts:
        endpoint, where = pair
        if isinstance(where, Failure):
            return ClientEndpointFacts(
                endpoint=endpoint, contacted=False, observed_at=observed_at, error=where
            )
        probe = ctx.client_probe(endpoint.service, endpoint.host, where, endpoint.port)
        return _probe_facts(endpoint, probe, observed_at)

    return [*ctx.map(attempt, pairs), *skipped]


def _addresses(ctx: Context, host: str) -> list[str] | Failure:
    try:
        answers = [ctx.lookup(host, rdtype) for rdtype in ("A", "AAAA")]
    except CheckError as exc:
        return Failure(reason=exc.reason, message=exc.message)
    addresses = [a for answer in answers for a in answer or []]
    if not addresses:
        return Failure(reason="dns", message=f"{host} n'a pas d'adresse IP dans le DNS")
    return addresses


def _probe_facts(
    endpoint: Endpoint, probe: ClientProbe, observed_at: dt.datetime
) -> ClientEndpointFacts:
    tls = None
    if probe.tls is not None:
        session = probe.tls
        tls = TlsFacts(
            version=session.version,
            cipher=session.cipher,
            certificate=ObservedCertificate.of(session.certificate)
            if session.certificate
            else None,
            verify_error=VerifyError(code=session.verify_error[0], message=session.verify_error[1])
            if session.verify_error
            else None,
        )
    tls_failure = None
    if probe.tls_failure is not None:
        failure = probe.tls_failure
        tls_failure = TlsFailure(
            reason=failure.reason, message=failure.message, temporary=failure.temporary
        )
    error = None
    if probe.error is not None:
        error = Failure(reason=probe.error.reason, message=probe.error.message)
    return ClientEndpointFacts(
        endpoint=endpoint,
        address=probe.address,
        contacted=True,
        observed_at=observed_at,
        error=error,
        no_route=probe.no_route,
        greeting=probe.greeting,
        starttls_offered=probe.starttls_offered,
        clear_login=list(probe.clear_login),
        tls=tls,
        tls_failure=tls_failure,
    )
