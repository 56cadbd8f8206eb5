"""MTA-STS (RFC 8461): the `_mta-sts` record, the policy served over HTTPS, its mode,
whether its `mx` patterns cover every MX actually published, and whether each MX passes the
TLS checks that senders then apply (one SMTP probe per MX address, shared with the
transport checks).

The policy host is resolved through the audit's resolver and its certificate verified, as a
sending server would; redirects are refused (RFC 8461 §3.3).

Facts first (`MtaStsRecordFacts`, `MtaStsPolicyFacts`, `MxCoverageFacts`, `MxTlsFacts`,
gathered from the DNS, the policy host and the SMTP probes), then the verdicts and their
words (`judge_*`, pure functions of the facts, tested without a network).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.plugin import (
    CertificateRejected,
    CheckError,
    CheckResult,
    Context,
    ErrorInfo,
    Evidence,
    Facts,
    HostNotFound,
    MxSet,
    NotRoutable,
    ObservedCertificate,
    Severity,
    SmtpProbe,
    check,
    failed,
    indeterminate,
    judge_certificate,
    not_applicable,
    passed,
    untested_mx_results,
)
from rgpd_audit.records.mta_sts import (
    Mode,
    MtaStsError,
    StsPolicy,
    is_sts_record,
    mx_matches,
    parse_sts_policy,
    parse_sts_record,
)
from rgpd_audit.records.spf_txt import readable_texts

#: Policy files are a few lines; anything larger is not a policy.
MAX_POLICY_BYTES = 64 * 1024
#: RFC 8461 §3.2 expects max_age "in the range of weeks or greater".
SHORT_MAX_AGE = 7 * 24 * 3600

NOT_RECEIVING = "Le domaine ne reçoit pas de courrier par MX : MTA-STS est sans objet."
NO_RECORD = "Pas d'enregistrement MTA-STS valide : les expéditeurs ne cherchent pas de politique."
UNUSABLE_POLICY = "Politique MTA-STS inutilisable (voir « Politique MTA-STS ») : rien à examiner."
COVERAGE_MODE_NONE = "Politique en mode none : les serveurs listés ne sont pas appliqués."
MX_TLS_MODE_NONE = "Politique en mode none : les expéditeurs n'exigent rien des MX."


# --- Facts -------------------------------------------------------------------------------


class MtaStsRecordFacts(Facts):
    """The `_mta-sts` TXT records of a domain that receives mail, and what they say."""

    kind: ClassVar[str] = "mta_sts.record"

    domain: str
    receives_mail: bool = Field(description="False without MX or with a null MX")
    texts: list[str] = Field(default_factory=list, description="Every TXT string found")
    records: list[str] = Field(
        default_factory=list, description="The TXT strings that start with v=STSv1"
    )
    policy_id: str | None = Field(None, description="id= of the only record, when it is valid")
    syntax_error: str | None = Field(None, description="Why the only v=STSv1 record is invalid")
    mx_hosts: list[str] = Field(
        default_factory=list, description="MX hosts published (the policy to publish names them)"
    )

    @property
    def name(self) -> str:
        """Where the record lives."""
        return f"_mta-sts.{self.domain}"

    def evidence(self) -> list[Evidence]:
        """The TXT found (nothing when the domain receives no mail: nothing was looked up)."""
        if not self.receives_mail:
            return []
        return [Evidence(label=f"{self.name} TXT", value=self.texts or "absent")]


class StsPolicyFields(BaseModel):
    """The fields of a policy file that parses (RFC 8461 §3.2)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str
    mode: Mode
    max_age: int = Field(description="Seconds senders may cache the policy")
    mx: list[str] = Field(description="The mx patterns, in file order")
    line_endings: Literal["CRLF", "LF", "mixte", "aucune"] = Field(
        description="Line endings the file used (mixte: both CRLF and LF)"
    )


FetchFailure = Literal["host_not_found", "not_routable", "certificate_rejected"]


class MtaStsPolicyFacts(Facts):
    """The policy as a sender gets it, from https://mta-sts.<domain>/.well-known/mta-sts.txt.

    Nothing is fetched unless the domain receives mail and publishes a valid record; the
    observations stop where a sender would stop (no HTTP response, a redirect, an error
    status, a file too large or not ASCII).
    """

    kind: ClassVar[str] = "mta_sts.policy"

    domain: str
    receives_mail: bool = Field(description="False without MX or with a null MX")
    record_valid: bool = Field(
        False, description="A single valid _mta-sts record: only then do senders fetch a policy"
    )
    url: str | None = Field(None, description="Where the policy was fetched; absent if not")
    fetch_failure: FetchFailure | None = Field(
        None,
        description="Why no HTTP response was read: the host does not exist, is not publicly "
        "routable (never contacted), or its certificate was refused",
    )
    fetch_error: str | None = Field(None, description="The error met, as observed")
    http_status: int | None = Field(None, description="HTTP status of the response")
    content_type: str | None = Field(None, description="Content-Type header, as sent")
    location: str | None = Field(None, description="Location header of a redirect")
    truncated: bool = Field(False, description="The body exceeded MAX_POLICY_BYTES")
    non_ascii: bool = Field(False, description="The body is not ASCII")
    lines: list[str] | None = Field(None, description="The policy file line by line, once read")
    syntax_error: str | None = Field(None, description="Why the file does not parse")
    policy: StsPolicyFields | None = Field(None, description="The policy, when it parses")

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower case ('' when absent)."""
        return (self.content_type or "").split(";")[0].strip().lower()

    @property
    def transient_error(self) -> bool:
        """A server error or a rate limit: senders keep their cached policy, nothing to say."""
        status = self.http_status
        return status is not None and (status >= 500 or status == 429)


class MxCoverageFacts(Facts):
    """The policy's `mx` patterns against the MX hosts published in the DNS."""

    kind: ClassVar[str] = "mta_sts.mx_coverage"

    mode: Mode = Field(description="Mode of the policy")
    patterns: list[str] = Field(description="The mx patterns of the policy")
    mx_hosts: list[str] = Field(description="MX hosts published in the DNS")
    uncovered: list[str] = Field(description="MX hosts that no pattern matches")


class MxTlsFacts(Facts):
    """What a sender applying MTA-STS meets at one MX address (RFC 8461 §4.2)."""

    kind: ClassVar[str] = "mta_sts.mx_tls"

    host: str
    address: str
    mode: Mode = Field(description="Mode of the policy the MX is held to")
    probe_error: ErrorInfo | None = Field(
        None, description="Why the SMTP conversation did not reach EHLO"
    )
    starttls_offered: bool = False
    tls_failure: str | None = Field(None, description="Why STARTTLS could not be used, as observed")
    certificate: ObservedCertificate | None = Field(None, description="The leaf certificate")
    verify_error_code: int | None = Field(None, description="OpenSSL chain verification error")
    verify_error: str | None = Field(None, description="Its message, as OpenSSL gives it")
    checked_at: datetime = Field(description="When the certificate was seen (dates judged then)")

    @property
    def subject(self) -> str:
        """How the report names this server: MX name and address."""
        return f"{self.host} ({self.address})"

    @classmethod
    def of(cls, probe: SmtpProbe, mode: Mode, checked_at: datetime) -> MxTlsFacts:
        """The facts of one SMTP probe, held to a policy in `mode`."""
        tls = probe.tls
        verify = tls.verify_error if tls is not None else None
        return cls(
            host=probe.host,
            address=probe.address,
            mode=mode,
            probe_error=probe.error,
            starttls_offered=probe.starttls_offered,
            tls_failure=probe.tls_failure.message if probe.tls_failure else None,
            certificate=(
                ObservedCertificate.of(tls.certificate)
                if tls is not None and tls.certificate is not None
                else None
            ),
            verify_error_code=verify[0] if verify else None,
            verify_error=verify[1] if verify else None,
            checked_at=checked_at,
        )


# --- Checks ------------------------------------------------------------------------------


@check("mail.mta_sts.record", facts=MtaStsRecordFacts)
def sts_record(ctx: Context) -> list[CheckResult]:
    """A single valid `_mta-sts.<domain>` TXT record."""
    return [judge_record(gather_record(ctx))]


@check("mail.mta_sts.policy", facts=MtaStsPolicyFacts)
def sts_policy(ctx: Context) -> list[CheckResult]:
    """The policy file is served over verified HTTPS, as text/plain, and parses."""
    return [judge_policy(gather_policy(ctx))]


@check("mail.mta_sts.mode", facts=MtaStsPolicyFacts)
def sts_mode(ctx: Context) -> list[CheckResult]:
    """The policy is in `enforce` mode."""
    return [judge_mode(gather_policy(ctx))]


@check("mail.mta_sts.mx_coverage", facts=(MtaStsPolicyFacts, MxCoverageFacts))
def sts_mx_coverage(ctx: Context) -> list[CheckResult]:
    """Every MX published in DNS matches an `mx` line of the policy."""
    policy = policy_to_examine(gather_policy(ctx), COVERAGE_MODE_NONE)
    if isinstance(policy, CheckResult):
        return [policy]
    return [judge_mx_coverage(gather_mx_coverage(policy, ctx.mx()))]


@check("mail.mta_sts.mx_tls", facts=(MtaStsPolicyFacts, MxTlsFacts))
def sts_mx_tls(ctx: Context) -> list[CheckResult]:
    """Every MX address passes the TLS checks a sender applies under MTA-STS (RFC 8461 §4.2)."""
    policy = policy_to_examine(gather_policy(ctx), MX_TLS_MODE_NONE)
    if isinstance(policy, CheckResult):
        return [policy]
    mx = ctx.mx()
    pairs = [(x.host, a) for x in mx.exchangers for a in x.addresses]
    untested = untested_mx_results(mx)
    if not pairs and not untested:
        raise CheckError("dns", "aucune adresse IP trouvée pour les serveurs MX")
    probes = ctx.map(lambda pair: ctx.smtp_probe(*pair), pairs)
    mode = policy.mode
    checked_at = datetime.now(UTC)
    return [
        *(judge_mx_tls(MxTlsFacts.of(probe, mode, checked_at)) for probe in probes),
        *untested,
    ]


# --- Gathering ---------------------------------------------------------------------------


def receives_mail(mx: MxSet) -> bool:
    """Whether the domain receives mail by MX (MTA-STS is about nothing else)."""
    return mx.exists and not mx.null_mx and bool(mx.exchangers)


def gather_record(ctx: Context) -> MtaStsRecordFacts:
    """The domain's `_mta-sts` records, parsed (no lookup when it receives no mail)."""
    mx = ctx.mx()
    domain = ctx.target.domain
    if not receives_mail(mx):
        return MtaStsRecordFacts(domain=domain, receives_mail=False)
    texts = readable_texts(ctx.lookup(f"_mta-sts.{domain}", "TXT") or [])
    # Records that do not start with v=STSv1 are discarded (RFC 8461 §3.1).
    records = [t for t in texts if is_sts_record(t)]
    policy_id = syntax_error = None
    if len(records) == 1:
        try:
            policy_id = parse_sts_record(records[0]).policy_id
        except MtaStsError as exc:
            syntax_error = str(exc)
    return MtaStsRecordFacts(
        domain=domain,
        receives_mail=True,
        texts=texts,
        records=records,
        policy_id=policy_id,
        syntax_error=syntax_error,
        mx_hosts=[x.host for x in mx.exchangers],
    )


def gather_policy(ctx: Context) -> MtaStsPolicyFacts:
    """The policy as a sender gets it (fetched once per audit, whichever check asks first)."""
    return ctx.memo(("mta-sts-policy", ctx.target.domain), lambda: _gather_policy(ctx))


def _gather_policy(ctx: Context) -> MtaStsPolicyFacts:
    record = gather_record(ctx)
    domain = ctx.target.domain
    if not record.receives_mail or record.policy_id is None:
        return MtaStsPolicyFacts(domain=domain, receives_mail=record.receives_mail)
    url = f"https://mta-sts.{domain}/.well-known/mta-sts.txt"
    base = MtaStsPolicyFacts(domain=domain, receives_mail=True, record_valid=True, url=url)
    # A host that does not exist or a refused certificate is what every sender would see: a
    # finding. Any other CheckError (timeout, refused connection) propagates and makes the
    # checks indeterminate, never a false failure.
    try:
        response = ctx.http_get(url, MAX_POLICY_BYTES)
    except HostNotFound as exc:
        return base.model_copy(
            update={"fetch_failure": "host_not_found", "fetch_error": exc.message}
        )
    except NotRoutable as exc:
        # What every sender on the Internet meets too: a finding, and nothing contacted.
        return base.model_copy(update={"fetch_failure": "not_routable", "fetch_error": exc.message})
    except CertificateRejected as exc:
        return base.model_copy(
            update={"fetch_failure": "certificate_rejected", "fetch_error": exc.message}
        )
    seen = base.model_copy(
        update={
            "http_status": response.status,
            "content_type": response.content_type,
            "location": response.location,
            "truncated": response.truncated,
        }
    )
    # Senders stop at a redirect, an error status or an oversized file: so do the facts.
    if response.status != 200 or response.truncated:
        return seen
    try:
        body = response.body.decode("ascii")
    except UnicodeDecodeError:
        return seen.model_copy(update={"non_ascii": True})
    lines = body.splitlines()
    try:
        policy = parse_sts_policy(body)
    except MtaStsError as exc:
        return seen.model_copy(update={"lines": lines, "syntax_error": str(exc)})
    return seen.model_copy(update={"lines": lines, "policy": _policy_fields(policy)})


def _policy_fields(policy: StsPolicy) -> StsPolicyFields:
    return StsPolicyFields(
        version=policy.version,
        mode=policy.mode,
        max_age=policy.max_age,
        mx=list(policy.mx),
        line_endings=policy.line_endings,
    )


def gather_mx_coverage(policy: StsPolicyFields, mx: MxSet) -> MxCoverageFacts:
    """Which published MX hosts the policy's patterns match."""
    hosts = [x.host for x in mx.exchangers]
    return MxCoverageFacts(
        mode=policy.mode,
        patterns=list(policy.mx),
        mx_hosts=hosts,
        uncovered=[h for h in hosts if not any(mx_matches(p, h) for p in policy.mx)],
    )


# --- Verdicts and words ------------------------------------------------------------------


def judge_record(facts: MtaStsRecordFacts) -> CheckResult:
    """The verdict on the domain's `_mta-sts` record, in words."""
    if not facts.receives_mail:
        return not_applicable(NOT_RECEIVING, facts)
    if facts.policy_id is not None:
        return passed(f"Enregistrement MTA-STS publié (id={facts.policy_id}).", facts)
    if not facts.records:
        to_publish = records_to_publish(facts.domain, facts.mx_hosts)
        return failed(
            f"{facts.domain} ne publie pas MTA-STS : un attaquant placé sur le réseau peut "
            "empêcher le chiffrement du courrier entrant sans que l'expéditeur le sache.",
            facts,
            evidence=[*facts.evidence(), Evidence(label="À publier", value=to_publish)],
            remediation="absent",
        )
    problem = (
        f"{len(facts.records)} enregistrements v=STSv1 au lieu d'un seul"
        if len(facts.records) > 1
        else facts.syntax_error or "enregistrement invalide"
    )
    return failed(f"Enregistrement MTA-STS inutilisable : {problem}.", facts)


@dataclass
class _Assessment:
    """What a sender makes of the fetched policy, in words.

    `problems` stop a sender from using the policy; `warnings` may (a media type other
    than text/plain, which senders SHOULD refuse); `remarks` do not (short max_age).
    """

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def judge_policy(facts: MtaStsPolicyFacts) -> CheckResult:
    """The verdict on the policy file as senders get it, in words."""
    skip = policy_not_judged(facts)
    if skip is not None:
        return skip
    seen = _assess(facts)
    if seen.problems:
        return failed(
            "Politique MTA-STS inutilisable par les expéditeurs : "
            + " ; ".join(seen.problems + seen.warnings)
            + ".",
            facts,
            evidence=seen.evidence,
        )
    if seen.warnings or seen.remarks:
        return failed(
            "Politique MTA-STS lisible, mais : " + " ; ".join(seen.warnings + seen.remarks) + ".",
            facts,
            evidence=seen.evidence,
            # A remark alone (short max_age, mixed line endings) does not stop any sender.
            severity=None if seen.warnings else Severity.LOW,
        )
    return passed(
        f"Politique MTA-STS servie correctement à {facts.url}.", facts, evidence=seen.evidence
    )


def judge_mode(facts: MtaStsPolicyFacts) -> CheckResult:
    """The verdict on the policy's mode, in words."""
    policy = policy_to_examine(facts)
    if isinstance(policy, CheckResult):
        return policy
    mode = policy.mode
    evidence = [Evidence(label="mode", value=mode)]
    if mode == "enforce":
        return passed(
            "Mode enforce : les expéditeurs qui appliquent MTA-STS refusent de livrer le "
            "courrier du cabinet sans chiffrement vérifié.",
            facts,
            evidence=evidence,
        )
    meaning = (
        "les expéditeurs signalent les défauts (avec TLS-RPT) mais livrent quand même, "
        "chiffrement vérifié ou non"
        if mode == "testing"
        else "la politique est désactivée"
    )
    return failed(f"Mode {mode} : {meaning}.", facts, evidence=evidence, remediation=mode)


def policy_not_judged(facts: MtaStsPolicyFacts) -> CheckResult | None:
    """The result to give instead of judging the policy, or None when there is one to judge.

    No mail or no valid record: not applicable (senders fetch nothing). A passing server
    error or rate limit: indeterminate, for every check that reads the policy.
    """
    if not facts.receives_mail:
        return not_applicable(NOT_RECEIVING, facts)
    if not facts.record_valid:
        return not_applicable(NO_RECORD, facts)
    if facts.transient_error:
        return indeterminate(
            "connection",
            f"{facts.url} répond HTTP {facts.http_status} (erreur passagère du serveur)",
            facts,
        )
    return None


def policy_to_examine(
    facts: MtaStsPolicyFacts, if_mode_none: str | None = None
) -> StsPolicyFields | CheckResult:
    """The parsed policy, or the result to give instead (the policy check says why).

    With `if_mode_none`, a policy in mode none is not applicable either, with that summary.
    """
    skip = policy_not_judged(facts)
    if skip is not None:
        return skip
    if facts.policy is None:
        return not_applicable(UNUSABLE_POLICY, facts)
    if if_mode_none is not None and facts.policy.mode == "none":
        return not_applicable(if_mode_none, facts)
    return facts.policy


def _assess(facts: MtaStsPolicyFacts) -> _Assessment:
    seen = _Assessment()
    if facts.fetch_failure is not None:
        seen.problems.append(_fetch_problem(facts.fetch_failure, facts.fetch_error or ""))
        return seen
    status = facts.http_status
    seen.evidence += [
        Evidence(label="URL", value=facts.url),
        Evidence(label="Réponse HTTP", value=status),
        Evidence(label="Content-Type", value=facts.content_type or "absent"),
    ]
    if status is not None and 300 <= status < 400:
        seen.problems.append(
            f"redirection HTTP {status} vers {facts.location or '?'}, que les "
            "expéditeurs ne suivent pas (RFC 8461 §3.3)"
        )
        return seen
    if status != 200:
        seen.problems.append(f"le serveur répond HTTP {status} au lieu de 200")
        return seen
    if facts.truncated:
        seen.problems.append(f"fichier de plus de {MAX_POLICY_BYTES} octets")
        return seen
    if facts.media_type != "text/plain":
        seen.warnings.append(
            f"servie en « {facts.media_type or 'sans type'} » au lieu de text/plain (RFC 8461 §3.2)"
        )
    if facts.non_ascii:
        seen.problems.append("le fichier contient des caractères non ASCII")
        return seen
    seen.evidence.append(Evidence(label="Politique", value=list(facts.lines or [])))
    if facts.policy is None:
        seen.problems.append(facts.syntax_error or "politique illisible")
        return seen
    if facts.policy.line_endings == "mixte":
        seen.remarks.append("fins de ligne CRLF et LF mélangées")
    if facts.policy.max_age < SHORT_MAX_AGE:
        seen.remarks.append(
            f"max_age de {facts.policy.max_age} s, moins d'une semaine : la politique "
            "expire vite dans le cache des expéditeurs (RFC 8461 §3.2 prévoit des semaines)"
        )
    return seen


def _fetch_problem(failure: FetchFailure, message: str) -> str:
    if failure == "host_not_found":
        return f"{message} : la politique ne peut pas être téléchargée"
    if failure == "not_routable":
        return f"{message} : la politique ne peut pas être téléchargée depuis Internet"
    return message


def judge_mx_coverage(facts: MxCoverageFacts) -> CheckResult:
    """The verdict on whether the policy names every published MX, in words."""
    evidence = [
        Evidence(label="Motifs mx de la politique", value=list(facts.patterns)),
        Evidence(label="MX publiés", value=list(facts.mx_hosts)),
    ]
    if facts.uncovered:
        consequence = (
            "les expéditeurs qui appliquent MTA-STS refuseront de leur livrer le courrier"
            if facts.mode == "enforce"
            else "en mode enforce, ils ne recevraient plus de courrier"
        )
        return failed(
            f"MX absent(s) de la politique MTA-STS : {', '.join(facts.uncovered)} ; {consequence}.",
            facts,
            evidence=evidence,
            # In testing mode nothing is refused yet: it would be on the switch to enforce.
            severity=None if facts.mode == "enforce" else Severity.MEDIUM,
        )
    return passed(
        f"Les {len(facts.mx_hosts)} MX publiés sont couverts par la politique MTA-STS.",
        facts,
        evidence=evidence,
    )


def judge_mx_tls(facts: MxTlsFacts) -> CheckResult:
    """The verdict on one MX address as a sender applying MTA-STS sees it, in words."""
    subject = facts.subject
    if facts.probe_error is not None:
        message = facts.probe_error.message
        return indeterminate(
            facts.probe_error.reason,
            message,
            facts,
            subject=subject,
            summary=f"Non testable : {message}.",
            evidence=[],
        )
    problems: list[str] = []
    evidence: list[Evidence] = []
    if not facts.starttls_offered:
        problems.append("STARTTLS n'est pas proposé")
    elif facts.certificate is None:
        reason = facts.tls_failure or "négociation TLS impossible"
        problems.append(f"la négociation TLS échoue ({reason})")
    else:
        verify = (
            (facts.verify_error_code, facts.verify_error or "")
            if facts.verify_error_code is not None
            else None
        )
        verdict = judge_certificate(
            facts.certificate.info(), facts.host, verify, now=facts.checked_at
        )
        problems += verdict.problems
        evidence.append(Evidence(label="Noms du certificat", value=list(facts.certificate.names)))
    if not problems:
        return passed(
            "STARTTLS et certificat valide pour ce nom : les expéditeurs qui appliquent "
            "MTA-STS peuvent livrer.",
            facts,
            subject=subject,
            evidence=evidence,
        )
    evidence.append(Evidence(label="Problèmes", value=problems))
    consequence = (
        "les expéditeurs qui appliquent MTA-STS refusent de livrer à ce serveur"
        if facts.mode == "enforce"
        else "en mode enforce, les expéditeurs refuseraient de livrer à ce serveur"
    )
    return failed(
        f"{' ; '.join(problems)} : {consequence}.",
        facts,
        subject=subject,
        evidence=evidence,
        severity=None if facts.mode == "enforce" else Severity.MEDIUM,
    )


def records_to_publish(domain: str, mx_hosts: list[str]) -> list[str]:
    """The record and the policy file to publish, in testing mode, for these MX."""
    # One line per item: the report shows lists line by line, ready to copy.
    return [
        f'_mta-sts.{domain}. IN TXT "v=STSv1; id=1;"',
        f"Fichier https://mta-sts.{domain}/.well-known/mta-sts.txt (text/plain) :",
        "version: STSv1",
        "mode: testing",
        *(f"mx: {host}" for host in mx_hosts),
        "max_age: 604800",
    ]
