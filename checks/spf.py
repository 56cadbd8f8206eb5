"""SPF (RFC 7208): which servers may send mail in the practice's name.

One TXT lookup and one walk of the include tree per audit (memoised), shared by the checks
below; each check judges one property so that the report says exactly what to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

from rgpd_audit.context import CheckContext
from rgpd_audit.models import CheckResult, ErrorInfo, Evidence, Severity, Status
from rgpd_audit.records.spf import SpfRecord, SpfSyntaxError, SpfTerm, parse_spf
from rgpd_audit.records.spf_tree import (
    MAX_LOOKUPS,
    MAX_VOID_LOOKUPS,
    SpfEvaluation,
    SpfNode,
    evaluate_spf,
    spf_records,
)
from rgpd_audit.records.spf_txt import readable_texts
from rgpd_audit.registry import check

#: RFC 7208 §3.4: above this size the DNS answer may no longer fit in 512 bytes over UDP.
RECOMMENDED_MAX_BYTES = 450


@dataclass(frozen=True)
class SpfState:
    """What the domain publishes, parsed and evaluated once per audit."""

    domain: str
    exists: bool
    records: list[str]
    near_misses: list[str]
    record: SpfRecord | None = None
    syntax_error: SpfSyntaxError | None = None
    evaluation: SpfEvaluation | None = None


def _state(ctx: CheckContext) -> SpfState:
    return ctx.memo(("spf", ctx.target.domain), lambda: _read(ctx))


def _read(ctx: CheckContext) -> SpfState:
    domain = ctx.target.domain.rstrip(".").lower()
    answer = ctx.lookup(domain, "TXT")
    records = spf_records(answer)
    near = []
    for value in readable_texts(answer):
        # " v=spf1 …" or "v=spf1-all" look like SPF to a human but not to a receiver.
        if value not in records and value.strip().lower().startswith("v=spf1"):
            near.append(value)
    if len(records) != 1:
        return SpfState(domain, answer is not None, records, near)
    try:
        record = parse_spf(records[0])
    except SpfSyntaxError as exc:
        return SpfState(domain, True, records, near, syntax_error=exc)
    evaluation = evaluate_spf(domain, ctx.lookup, ctx.map, record=records[0])
    return SpfState(domain, True, records, near, record, evaluation=evaluation)


def _record_evidence(state: SpfState) -> list[Evidence]:
    return [Evidence(label="Enregistrement SPF", value=r) for r in state.records]


def _not_applicable() -> CheckResult:
    return CheckResult(
        status=Status.NOT_APPLICABLE,
        summary="Non évalué : aucun enregistrement SPF utilisable (voir « Enregistrement SPF »).",
    )


@check("mail.spf.present")
def spf_present(ctx: CheckContext) -> list[CheckResult]:
    """The domain publishes exactly one SPF record."""
    state = _state(ctx)
    evidence = _record_evidence(state)
    evidence += [Evidence(label="Ressemble à SPF mais ignoré", value=v) for v in state.near_misses]
    if not state.exists:
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"Le domaine {state.domain} n'existe pas dans le DNS (NXDOMAIN).",
            )
        ]
    if not state.records:
        no_mail = ctx.sends_no_mail()
        summary = (
            f"{state.domain} ne publie aucun enregistrement SPF : n'importe quel serveur peut "
            "envoyer du courrier en son nom sans que les destinataires puissent le détecter."
        )
        if state.near_misses:
            summary += (
                " Un texte ressemble à SPF mais ne commence pas exactement par « v=spf1 » suivi "
                "d'une espace : les destinataires l'ignorent."
            )
        return [
            CheckResult(
                status=Status.FAIL,
                summary=summary,
                evidence=evidence,
                remediation_key="no_mail" if no_mail else None,
            )
        ]
    if len(state.records) > 1:
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"{state.domain} publie {len(state.records)} enregistrements SPF : la "
                "RFC 7208 n'en permet qu'un, les destinataires répondent « permerror » et SPF "
                "ne protège plus rien.",
                evidence=evidence,
                remediation_key="several",
            )
        ]
    return [
        CheckResult(
            status=Status.PASS,
            summary=f"{state.domain} publie un enregistrement SPF.",
            evidence=evidence,
        )
    ]


@check("mail.spf.valid")
def spf_valid(ctx: CheckContext) -> list[CheckResult]:
    """The record and every record it includes follow the RFC 7208 grammar and resolve."""
    state = _state(ctx)
    evidence = _record_evidence(state)
    if state.syntax_error is not None:
        error = state.syntax_error
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"Enregistrement SPF invalide : {error}. Les destinataires répondent "
                "« permerror » : SPF ne protège plus rien.",
                evidence=[
                    *evidence,
                    Evidence(label="Erreur", value=error.message),
                    Evidence(label="Terme fautif", value=error.term or "(début)"),
                    Evidence(label="Position (caractère)", value=error.position + 1),
                ],
            )
        ]
    ev = state.evaluation
    if ev is None:
        return [_not_applicable()]
    if ev.errors:
        return [
            CheckResult(
                status=Status.FAIL,
                summary="Un enregistrement inclus est inutilisable, ce qui rend tout SPF "
                "invalide (« permerror ») : " + " ; ".join(ev.errors) + ".",
                evidence=[*evidence, Evidence(label="Arbre d'évaluation", value=ev.trace)],
                remediation_key="broken_include",
            )
        ]
    if ev.dns_errors:
        return [_undecided(ev, evidence)]
    return [
        CheckResult(
            status=Status.PASS,
            summary="Syntaxe SPF valide, et chaque enregistrement inclus existe et est valide.",
            evidence=evidence,
        )
    ]


@check("mail.spf.lookups")
def spf_lookups(ctx: CheckContext) -> list[CheckResult]:
    """At most 10 DNS-querying terms and 2 void lookups in the whole tree, and no loop."""
    state = _state(ctx)
    ev = state.evaluation
    if ev is None:
        return [_not_applicable()]
    evidence = [
        Evidence(label="Requêtes DNS (limite 10)", value=ev.lookups),
        Evidence(label="Requêtes vides (limite 2)", value=ev.void_lookups),
        Evidence(label="Arbre d'évaluation", value=ev.trace),
    ]
    if ev.notes:
        evidence.append(Evidence(label="Remarques", value=ev.notes))
    problems = []
    if ev.loops:
        problems.append(" ; ".join(ev.loops))
    if ev.limit_exceeded_at:
        problems.append(
            f"{ev.lookups} termes demandent une requête DNS, au-delà de la limite de "
            f"{MAX_LOOKUPS} (dépassée à {ev.limit_exceeded_at})"
        )
    if ev.void_exceeded_at:
        problems.append(
            f"{ev.void_lookups} requêtes sans réponse, au-delà de la limite de "
            f"{MAX_VOID_LOOKUPS} (dépassée à {ev.void_exceeded_at})"
        )
    if problems:
        return [
            CheckResult(
                status=Status.FAIL,
                summary="SPF inutilisable (« permerror ») : " + " ; ".join(problems) + ".",
                evidence=evidence,
            )
        ]
    if ev.dns_errors or ev.truncated:
        return [_undecided(ev, evidence)]
    return [
        CheckResult(
            status=Status.PASS,
            summary=f"{ev.lookups} requête(s) DNS sur {MAX_LOOKUPS} permises et "
            f"{ev.void_lookups} requête(s) vide(s) sur {MAX_VOID_LOOKUPS}, sans boucle.",
            evidence=evidence,
        )
    ]


@check("mail.spf.all")
def spf_all(ctx: CheckContext) -> list[CheckResult]:
    """The record ends with `-all` or `~all`, so that other servers are not authorised."""
    state = _state(ctx)
    ev = state.evaluation
    if ev is None or state.record is None:
        return [_not_applicable()]
    term, where = _final_all(ev.root)
    evidence = [*_record_evidence(state)]
    if term is None and state.record.redirect and ev.permerror:
        # The redirect target is unusable: mail.spf.valid or mail.spf.lookups says why.
        return [_not_applicable()]
    if where and where != state.domain:
        evidence.append(Evidence(label="Règle finale lue dans (redirect)", value=where))
    if term is None:
        return [
            CheckResult(
                status=Status.FAIL,
                summary="L'enregistrement SPF ne se termine pas par « all » : un serveur non "
                "listé obtient le résultat neutre, ce qui ne permet pas de refuser un faux.",
                evidence=evidence,
            )
        ]
    qualifier = term.qualifier or "+"
    evidence.append(Evidence(label="Règle finale", value=term.text))
    if qualifier == "+":
        return [
            CheckResult(
                status=Status.FAIL,
                # SPF is a recommendation (RFC 7208): « +all » is its worst failure, medium
                # at most under the severity policy (audit/data/scoring.yaml).
                severity=Severity.MEDIUM,
                summary=f"« {term.text} » autorise tous les serveurs d'Internet à envoyer du "
                "courrier au nom du cabinet : SPF valide alors n'importe quel faux.",
                evidence=evidence,
            )
        ]
    if qualifier == "?":
        return [
            CheckResult(
                status=Status.FAIL,
                summary="« ?all » déclare les serveurs non listés « neutres » : un faux n'est "
                "pas signalé comme tel.",
                evidence=evidence,
            )
        ]
    if qualifier == "-":
        summary = (
            "« -all » : les serveurs non listés sont refusés. C'est acceptable ; sachez "
            "qu'un destinataire peut alors rejeter un message transféré (redirection, liste "
            "de diffusion) avant même d'évaluer DMARC et DKIM."
        )
    else:
        summary = (
            "« ~all » : les serveurs non listés sont marqués suspects. C'est acceptable, et "
            "c'est le choix conseillé quand DMARC est en place : un message transféré reste "
            "sauvé par sa signature DKIM."
        )
    return [CheckResult(status=Status.PASS, summary=summary, evidence=evidence)]


def _final_all(node: SpfNode) -> tuple[SpfTerm | None, str | None]:
    """The `all` that ends evaluation, following `redirect=` when there is none."""
    seen: set[str] = set()
    while node.record is not None and node.domain not in seen:
        seen.add(node.domain)
        if node.record.all_term is not None:
            return node.record.all_term, node.domain
        redirect = next((t for t in node.terms if t.term.name == "redirect"), None)
        if redirect is None or redirect.child is None:
            return None, None
        node = redirect.child
    return None, None


@check("mail.spf.ptr")
def spf_ptr(ctx: CheckContext) -> list[CheckResult]:
    """No deprecated `ptr` mechanism (RFC 7208 §5.5: SHOULD NOT be used)."""
    state = _state(ctx)
    ev = state.evaluation
    if ev is None:
        return [_not_applicable()]
    found = [f"{domain} : {text}" for domain, text in _ptr_terms(ev.root, set())]
    if found:
        return [
            CheckResult(
                status=Status.FAIL,
                summary="Le mécanisme « ptr », déconseillé par la RFC 7208 (lent, peu fiable, "
                "ignoré par certains destinataires), est utilisé.",
                evidence=[Evidence(label="Termes ptr", value=found)],
            )
        ]
    return [CheckResult(status=Status.PASS, summary="Aucun mécanisme « ptr » déconseillé.")]


def _ptr_terms(node: SpfNode, seen: set[str]) -> list[tuple[str, str]]:
    if node.record is None or node.domain in seen:
        return []
    seen.add(node.domain)
    found = [(node.domain, t.text) for t in node.record.terms if t.name == "ptr"]
    for result in node.terms:
        if result.child is not None:
            found += _ptr_terms(result.child, seen)
    return found


@check("mail.spf.size")
def spf_size(ctx: CheckContext) -> list[CheckResult]:
    """The record stays under 450 bytes, so that the DNS answer fits in one UDP packet."""
    state = _state(ctx)
    if len(state.records) != 1:
        return [_not_applicable()]
    size = len(state.records[0].encode("utf-8"))
    evidence = [Evidence(label="Taille (octets)", value=size)]
    if size > RECOMMENDED_MAX_BYTES:
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"Enregistrement SPF de {size} octets, au-delà des "
                f"{RECOMMENDED_MAX_BYTES} conseillés par la RFC 7208 : certains destinataires "
                "risquent de ne pas le lire en entier.",
                evidence=evidence,
            )
        ]
    return [
        CheckResult(
            status=Status.PASS,
            summary=f"Enregistrement SPF de {size} octets (au plus {RECOMMENDED_MAX_BYTES} "
            "conseillés).",
            evidence=evidence,
        )
    ]


def _undecided(ev: SpfEvaluation, evidence: list[Evidence]) -> CheckResult:
    message = "; ".join(dict.fromkeys(ev.dns_errors)) or "arbre SPF trop grand pour être exploré"
    return CheckResult(
        status=Status.INDETERMINATE,
        summary=f"Non évalué : une partie de l'arbre SPF n'a pas pu être lue ({message}).",
        error=ErrorInfo(reason="dns", message=message),
        evidence=evidence,
    )
