"""MTA-STS (RFC 8461): the `_mta-sts` record, the policy served over HTTPS, its mode,
whether its `mx` patterns cover every MX actually published, and whether each MX passes the
TLS checks that senders then apply (one SMTP probe per MX address, shared with the
transport checks).

The policy host is resolved through the audit's resolver and its certificate verified, as a
sending server would; redirects are refused (RFC 8461 §3.3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rgpd_audit.context import CheckContext, MxSet
from rgpd_audit.errors import CheckError
from rgpd_audit.models import CheckResult, Evidence, Severity, Status
from rgpd_audit.net.addresses import NotRoutable
from rgpd_audit.net.certificates import judge
from rgpd_audit.net.https import CertificateRejected, HostNotFound
from rgpd_audit.net.smtp import SmtpProbe
from rgpd_audit.records.mta_sts import (
    MtaStsError,
    StsPolicy,
    StsRecord,
    is_sts_record,
    mx_matches,
    parse_sts_policy,
    parse_sts_record,
)
from rgpd_audit.records.spf_txt import readable_texts
from rgpd_audit.registry import check
from rgpd_audit.untested import untested_mx_results

#: Policy files are a few lines; anything larger is not a policy.
MAX_POLICY_BYTES = 64 * 1024
#: RFC 8461 §3.2 expects max_age "in the range of weeks or greater".
SHORT_MAX_AGE = 7 * 24 * 3600


@dataclass(frozen=True)
class RecordLookup:
    """The `_mta-sts` TXT records found: the parsed one, or why there is none usable."""

    texts: tuple[str, ...]
    record: StsRecord | None = None
    problem: str | None = None


@dataclass
class PolicyFetch:
    """The policy as a sender gets it: parsed, or the problems that make it unusable.

    `problems` stop a sender from using the policy; `warnings` may (a media type other
    than text/plain, which senders SHOULD refuse); `remarks` do not (short max_age).
    """

    url: str
    policy: StsPolicy | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@check("mail.mta_sts.record")
def sts_record(ctx: CheckContext) -> list[CheckResult]:
    """A single valid `_mta-sts.<domain>` TXT record."""
    skip = _not_receiving(ctx)
    if skip:
        return [skip]
    found = _record(ctx)
    domain = ctx.target.domain
    evidence = [Evidence(label=f"_mta-sts.{domain} TXT", value=list(found.texts) or "absent")]
    if found.record is not None:
        return [
            CheckResult(
                status=Status.PASS,
                summary=f"Enregistrement MTA-STS publié (id={found.record.policy_id}).",
                evidence=evidence,
            )
        ]
    if found.problem is None:
        evidence.append(Evidence(label="À publier", value=_records_to_publish(ctx)))
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"{domain} ne publie pas MTA-STS : un attaquant placé sur le réseau peut "
                "empêcher le chiffrement du courrier entrant sans que l'expéditeur le sache.",
                evidence=evidence,
                remediation_key="absent",
            )
        ]
    return [
        CheckResult(
            status=Status.FAIL,
            summary=f"Enregistrement MTA-STS inutilisable : {found.problem}.",
            evidence=evidence,
        )
    ]


@check("mail.mta_sts.policy")
def sts_policy(ctx: CheckContext) -> list[CheckResult]:
    """The policy file is served over verified HTTPS, as text/plain, and parses."""
    fetched = _usable_fetch(ctx)
    if isinstance(fetched, CheckResult):
        return [fetched]
    if fetched.problems:
        return [
            CheckResult(
                status=Status.FAIL,
                summary="Politique MTA-STS inutilisable par les expéditeurs : "
                + " ; ".join(fetched.problems + fetched.warnings)
                + ".",
                evidence=fetched.evidence,
            )
        ]
    if fetched.warnings or fetched.remarks:
        return [
            CheckResult(
                status=Status.FAIL,
                severity=None if fetched.warnings else Severity.LOW,
                summary="Politique MTA-STS lisible, mais : "
                + " ; ".join(fetched.warnings + fetched.remarks)
                + ".",
                evidence=fetched.evidence,
            )
        ]
    return [
        CheckResult(
            status=Status.PASS,
            summary=f"Politique MTA-STS servie correctement à {fetched.url}.",
            evidence=fetched.evidence,
        )
    ]


@check("mail.mta_sts.mode")
def sts_mode(ctx: CheckContext) -> list[CheckResult]:
    """The policy is in `enforce` mode."""
    policy = _policy(ctx)
    if isinstance(policy, CheckResult):
        return [policy]
    mode = policy.mode
    evidence = [Evidence(label="mode", value=mode)]
    if mode == "enforce":
        return [
            CheckResult(
                status=Status.PASS,
                summary="Mode enforce : les expéditeurs qui appliquent MTA-STS refusent de "
                "livrer le courrier du cabinet sans chiffrement vérifié.",
                evidence=evidence,
            )
        ]
    meaning = (
        "les expéditeurs signalent les défauts (avec TLS-RPT) mais livrent quand même, "
        "chiffrement vérifié ou non"
        if mode == "testing"
        else "la politique est désactivée"
    )
    return [
        CheckResult(
            status=Status.FAIL,
            summary=f"Mode {mode} : {meaning}.",
            evidence=evidence,
            remediation_key=mode,
        )
    ]


@check("mail.mta_sts.mx_coverage")
def sts_mx_coverage(ctx: CheckContext) -> list[CheckResult]:
    """Every MX published in DNS matches an `mx` line of the policy."""
    policy = _policy(ctx, "Politique en mode none : les serveurs listés ne sont pas appliqués.")
    if isinstance(policy, CheckResult):
        return [policy]
    hosts = [x.host for x in ctx.mx().exchangers]
    evidence = [
        Evidence(label="Motifs mx de la politique", value=list(policy.mx)),
        Evidence(label="MX publiés", value=hosts),
    ]
    uncovered = [h for h in hosts if not any(mx_matches(p, h) for p in policy.mx)]
    if uncovered:
        consequence = (
            "les expéditeurs qui appliquent MTA-STS refuseront de leur livrer le courrier"
            if policy.mode == "enforce"
            else "en mode enforce, ils ne recevraient plus de courrier"
        )
        return [
            CheckResult(
                status=Status.FAIL,
                severity=None if policy.mode == "enforce" else Severity.MEDIUM,
                summary=f"MX absent(s) de la politique MTA-STS : {', '.join(uncovered)} ; "
                f"{consequence}.",
                evidence=evidence,
            )
        ]
    return [
        CheckResult(
            status=Status.PASS,
            summary=f"Les {len(hosts)} MX publiés sont couverts par la politique MTA-STS.",
            evidence=evidence,
        )
    ]


@check("mail.mta_sts.mx_tls")
def sts_mx_tls(ctx: CheckContext) -> list[CheckResult]:
    """Every MX address passes the TLS checks a sender applies under MTA-STS (RFC 8461 §4.2)."""
    policy = _policy(ctx, "Politique en mode none : les expéditeurs n'exigent rien des MX.")
    if isinstance(policy, CheckResult):
        return [policy]
    mx = ctx.mx()
    pairs = [(x.host, a) for x in mx.exchangers for a in x.addresses]
    untested = untested_mx_results(mx)
    if not pairs and not untested:
        raise CheckError("dns", "aucune adresse IP trouvée pour les serveurs MX")
    probes = ctx.map(lambda pair: ctx.smtp_probe(*pair), pairs)
    return [*(_judge_mx_tls(probe, policy.mode) for probe in probes), *untested]


def _judge_mx_tls(probe: SmtpProbe, mode: str) -> CheckResult:
    if probe.error:
        return CheckResult(
            status=Status.INDETERMINATE,
            subject=probe.subject,
            summary=f"Non testable : {probe.error.message}.",
            error=probe.error,
        )
    problems: list[str] = []
    evidence: list[Evidence] = []
    if not probe.starttls_offered:
        problems.append("STARTTLS n'est pas proposé")
    elif probe.tls is None or probe.tls.certificate is None:
        reason = probe.tls_failure.message if probe.tls_failure else "négociation TLS impossible"
        problems.append(f"la négociation TLS échoue ({reason})")
    else:
        verdict = judge(probe.tls.certificate, probe.host, probe.tls.verify_error)
        problems += verdict.problems
        evidence.append(
            Evidence(label="Noms du certificat", value=list(probe.tls.certificate.names))
        )
    if not problems:
        return CheckResult(
            status=Status.PASS,
            subject=probe.subject,
            summary="STARTTLS et certificat valide pour ce nom : les expéditeurs qui appliquent "
            "MTA-STS peuvent livrer.",
            evidence=evidence,
        )
    evidence.append(Evidence(label="Problèmes", value=problems))
    consequence = (
        "les expéditeurs qui appliquent MTA-STS refusent de livrer à ce serveur"
        if mode == "enforce"
        else "en mode enforce, les expéditeurs refuseraient de livrer à ce serveur"
    )
    return CheckResult(
        status=Status.FAIL,
        severity=None if mode == "enforce" else Severity.MEDIUM,
        subject=probe.subject,
        summary=f"{' ; '.join(problems)} : {consequence}.",
        evidence=evidence,
    )


def _not_receiving(ctx: CheckContext) -> CheckResult | None:
    mx: MxSet = ctx.mx()
    if not mx.exists or mx.null_mx or not mx.exchangers:
        return CheckResult(
            status=Status.NOT_APPLICABLE,
            summary="Le domaine ne reçoit pas de courrier par MX : MTA-STS est sans objet.",
        )
    return None


def _record(ctx: CheckContext) -> RecordLookup:
    records = ctx.lookup(f"_mta-sts.{ctx.target.domain}", "TXT") or []
    texts = readable_texts(records)
    # Records that do not start with v=STSv1 are discarded (RFC 8461 §3.1).
    candidates = [t for t in texts if is_sts_record(t)]
    if not candidates:
        return RecordLookup(tuple(texts))
    if len(candidates) > 1:
        return RecordLookup(
            tuple(texts), problem=f"{len(candidates)} enregistrements v=STSv1 au lieu d'un seul"
        )
    try:
        return RecordLookup(tuple(texts), record=parse_sts_record(candidates[0]))
    except MtaStsError as exc:
        return RecordLookup(tuple(texts), problem=str(exc))


def _usable_fetch(ctx: CheckContext) -> PolicyFetch | CheckResult:
    """The fetched policy, or the result to give when there is nothing to fetch."""
    skip = _not_receiving(ctx)
    if skip:
        return skip
    if _record(ctx).record is None:
        return CheckResult(
            status=Status.NOT_APPLICABLE,
            summary="Pas d'enregistrement MTA-STS valide : les expéditeurs ne cherchent pas "
            "de politique.",
        )
    return ctx.memo(("mta-sts-policy", ctx.target.domain), lambda: _fetch(ctx))


def _fetch(ctx: CheckContext) -> PolicyFetch:
    url = f"https://mta-sts.{ctx.target.domain}/.well-known/mta-sts.txt"
    fetched = PolicyFetch(url)
    # A host that does not exist or a refused certificate is what every sender would see: a
    # finding. Any other CheckError (timeout, refused connection) propagates and makes the
    # checks indeterminate, never a false failure.
    try:
        response = ctx.http_get(url, MAX_POLICY_BYTES)
    except HostNotFound as exc:
        fetched.problems.append(f"{exc.message} : la politique ne peut pas être téléchargée")
        return fetched
    except NotRoutable as exc:
        # What every sender on the Internet meets too: a finding, and nothing contacted.
        fetched.problems.append(
            f"{exc.message} : la politique ne peut pas être téléchargée depuis Internet"
        )
        return fetched
    except CertificateRejected as exc:
        fetched.problems.append(exc.message)
        return fetched
    fetched.evidence += [
        Evidence(label="URL", value=url),
        Evidence(label="Réponse HTTP", value=response.status),
        Evidence(label="Content-Type", value=response.content_type or "absent"),
    ]
    if 300 <= response.status < 400:
        fetched.problems.append(
            f"redirection HTTP {response.status} vers {response.location or '?'}, que les "
            "expéditeurs ne suivent pas (RFC 8461 §3.3)"
        )
        return fetched
    if response.status >= 500 or response.status == 429:
        # A server error or a rate limit is a passing state: senders keep their cached
        # policy, and the audit cannot tell whether the file is there.
        raise CheckError(
            "connection", f"{url} répond HTTP {response.status} (erreur passagère du serveur)"
        )
    if response.status != 200:
        fetched.problems.append(f"le serveur répond HTTP {response.status} au lieu de 200")
        return fetched
    if response.truncated:
        fetched.problems.append(f"fichier de plus de {MAX_POLICY_BYTES} octets")
        return fetched
    media_type = (response.content_type or "").split(";")[0].strip().lower()
    if media_type != "text/plain":
        fetched.warnings.append(
            f"servie en « {media_type or 'sans type'} » au lieu de text/plain (RFC 8461 §3.2)"
        )
    try:
        body = response.body.decode("ascii")
    except UnicodeDecodeError:
        fetched.problems.append("le fichier contient des caractères non ASCII")
        return fetched
    fetched.evidence.append(Evidence(label="Politique", value=body.splitlines()))
    try:
        fetched.policy = parse_sts_policy(body)
    except MtaStsError as exc:
        fetched.problems.append(str(exc))
        return fetched
    if fetched.policy.line_endings == "mixte":
        fetched.remarks.append("fins de ligne CRLF et LF mélangées")
    if fetched.policy.max_age < SHORT_MAX_AGE:
        fetched.remarks.append(
            f"max_age de {fetched.policy.max_age} s, moins d'une semaine : la politique "
            "expire vite dans le cache des expéditeurs (RFC 8461 §3.2 prévoit des semaines)"
        )
    return fetched


def _policy(ctx: CheckContext, if_mode_none: str | None = None) -> StsPolicy | CheckResult:
    """The parsed policy, or the not-applicable result to give instead.

    With `if_mode_none`, a policy in mode none is not applicable either, with that summary.
    """
    fetched = _usable_fetch(ctx)
    if isinstance(fetched, CheckResult):
        return fetched
    if fetched.policy is None:
        return CheckResult(
            status=Status.NOT_APPLICABLE,
            summary="Politique MTA-STS inutilisable (voir « Politique MTA-STS ») : rien à "
            "examiner.",
        )
    if if_mode_none is not None and fetched.policy.mode == "none":
        return CheckResult(status=Status.NOT_APPLICABLE, summary=if_mode_none)
    return fetched.policy


def _records_to_publish(ctx: CheckContext) -> list[str]:
    # One line per item: the report shows lists line by line, ready to copy.
    domain = ctx.target.domain
    return [
        f'_mta-sts.{domain}. IN TXT "v=STSv1; id=1;"',
        f"Fichier https://mta-sts.{domain}/.well-known/mta-sts.txt (text/plain) :",
        "version: STSv1",
        "mode: testing",
        *(f"mx: {x.host}" for x in ctx.mx().exchangers),
        "max_age: 604800",
    ]
