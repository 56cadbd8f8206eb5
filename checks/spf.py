"""SPF (RFC 7208): which servers may send mail in the practice's name.

Facts first: one TXT lookup and one walk of the include tree per audit (memoised), kept as
`SpfFacts` and shared by the checks below. Each check then judges one property of those facts
(`judge_present`, `judge_valid`…, pure functions tested without a network) so that the report
says exactly what to fix.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from rgpd_audit.plugin import (
    CheckResult,
    Context,
    Evidence,
    Facts,
    Severity,
    check,
    failed,
    indeterminate,
    not_applicable,
    passed,
)
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

#: RFC 7208 §3.4: above this size the DNS answer may no longer fit in 512 bytes over UDP.
RECOMMENDED_MAX_BYTES = 450

Qualifier = Literal["+", "-", "~", "?"]


class _Part(BaseModel):
    # Parts of a facts model are frozen and strict like the model itself.
    model_config = ConfigDict(frozen=True, extra="forbid")


class SpfSyntaxProblem(_Part):
    """Where the published record breaks the RFC 7208 grammar, as the parser says."""

    message: str = Field(description="The parser's error message")
    term: str = Field("", description="The faulty term; empty when the record's start is wrong")
    position: int = Field(description="1-based character position of the faulty term")


class SpfFinalAll(_Part):
    """The `all` mechanism that ends evaluation."""

    term: str = Field(description="The term as written, e.g. « ~all »")
    qualifier: Qualifier = Field(description="Its qualifier, « + » when none is written")
    domain: str = Field(description="Domain whose record holds it (another one via redirect=)")


class SpfPtrTerm(_Part):
    """A deprecated `ptr` mechanism found in the tree."""

    domain: str = Field(description="Domain whose record holds it")
    term: str


class SpfTree(_Part):
    """The include/redirect tree of a valid record, walked as a receiver would (worst case)."""

    lookups: int = Field(description="DNS-querying terms evaluated (RFC 7208 limit: 10)")
    void_lookups: int = Field(description="Lookups that returned no answer (limit: 2)")
    limit_exceeded_at: str | None = Field(
        None, description="Term at which the lookup limit was exceeded, with its domain"
    )
    void_exceeded_at: str | None = Field(
        None, description="Term at which the void lookup limit was exceeded, with its domain"
    )
    loops: list[str] = Field(default_factory=list, description="Include loops, as paths")
    errors: list[str] = Field(
        default_factory=list, description="Included records that are unusable (permerror)"
    )
    dns_errors: list[str] = Field(
        default_factory=list, description="Lookups of the tree that failed (no verdict there)"
    )
    notes: list[str] = Field(
        default_factory=list, description="Terms that cannot be followed (macros, ptr)"
    )
    truncated: bool = Field(False, description="The tree was too large to be walked entirely")
    trace: list[str] = Field(
        default_factory=list,
        description="The tree as the analyser prints it: one line per record and per term",
    )
    redirect: str | None = Field(None, description="Target of the record's redirect=")
    final_all: SpfFinalAll | None = Field(
        None, description="The `all` ending evaluation (following redirect=); none if absent"
    )
    ptr_terms: list[SpfPtrTerm] = Field(default_factory=list)

    @property
    def permerror(self) -> bool:
        """True when a receiver would answer "permerror" (SPF then gives no protection)."""
        return bool(self.limit_exceeded_at or self.void_exceeded_at or self.loops or self.errors)


class SpfFacts(Facts):
    """The SPF records a domain publishes and, when there is one valid record, its tree."""

    kind: ClassVar[str] = "spf.record"

    domain: str
    exists: bool = Field(description="False when the domain is NXDOMAIN")
    records: list[str] = Field(default_factory=list, description="TXT strings that are SPF")
    near_misses: list[str] = Field(
        default_factory=list,
        description="TXT strings that look like SPF but that receivers ignore (« v=spf1-all »)",
    )
    sends_no_mail: bool | None = Field(
        None, description="Null MX or no MX at all; only asked when no SPF record is published"
    )
    syntax_error: SpfSyntaxProblem | None = Field(
        None, description="Why the only record is invalid"
    )
    evaluation: SpfTree | None = Field(
        None, description="The walk of the only record, when it is valid"
    )

    @property
    def size(self) -> int | None:
        """Bytes of the only record; None unless exactly one is published."""
        return len(self.records[0].encode("utf-8")) if len(self.records) == 1 else None

    def evidence(self) -> list[Evidence]:
        """The SPF records found."""
        return [Evidence(label="Enregistrement SPF", value=r) for r in self.records]


# --- Facts ---------------------------------------------------------------------------------


def gather(ctx: Context) -> SpfFacts:
    """The domain's SPF records, parsed and evaluated once per audit (memoised)."""
    return ctx.memo(("spf", ctx.target.domain), lambda: _read(ctx))


def _read(ctx: Context) -> SpfFacts:
    domain = ctx.target.domain.rstrip(".").lower()
    answer = ctx.lookup(domain, "TXT")
    records = spf_records(answer)
    near: list[str] = []
    for value in readable_texts(answer):
        # " v=spf1 …" or "v=spf1-all" look like SPF to a human but not to a receiver.
        if value not in records and value.strip().lower().startswith("v=spf1"):
            near.append(value)
    exists = answer is not None
    # Only a domain without SPF needs to know whether it sends mail (the remediation differs).
    no_mail = ctx.sends_no_mail() if exists and not records else None
    found = SpfFacts(
        domain=domain, exists=exists, records=records, near_misses=near, sends_no_mail=no_mail
    )
    if len(records) != 1:
        return found
    try:
        record = parse_spf(records[0])
    except SpfSyntaxError as exc:
        problem = SpfSyntaxProblem(message=exc.message, term=exc.term, position=exc.position + 1)
        return found.model_copy(update={"syntax_error": problem})
    evaluation = evaluate_spf(domain, ctx.lookup, ctx.map, record=records[0])
    return found.model_copy(update={"evaluation": _tree(record, evaluation)})


def _tree(record: SpfRecord, ev: SpfEvaluation) -> SpfTree:
    term, where = _final_all(ev.root)
    final = None
    if term is not None and where is not None:
        # Validated: the parser only gives the four qualifiers of RFC 7208 §4.6.2.
        final = SpfFinalAll.model_validate(
            {"term": term.text, "qualifier": term.qualifier or "+", "domain": where}
        )
    return SpfTree(
        lookups=ev.lookups,
        void_lookups=ev.void_lookups,
        limit_exceeded_at=ev.limit_exceeded_at,
        void_exceeded_at=ev.void_exceeded_at,
        loops=ev.loops,
        errors=ev.errors,
        dns_errors=ev.dns_errors,
        notes=ev.notes,
        truncated=ev.truncated,
        trace=ev.trace,
        redirect=record.redirect,
        final_all=final,
        ptr_terms=[SpfPtrTerm(domain=d, term=t) for d, t in _ptr_terms(ev.root, set())],
    )


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


def _ptr_terms(node: SpfNode, seen: set[str]) -> list[tuple[str, str]]:
    if node.record is None or node.domain in seen:
        return []
    seen.add(node.domain)
    found = [(node.domain, t.text) for t in node.record.terms if t.name == "ptr"]
    for result in node.terms:
        if result.child is not None:
            found += _ptr_terms(result.child, seen)
    return found


# --- Checks --------------------------------------------------------------------------------


@check("mail.spf.present", facts=SpfFacts)
def spf_present(ctx: Context) -> list[CheckResult]:
    """The domain publishes exactly one SPF record."""
    return [judge_present(gather(ctx))]


@check("mail.spf.valid", facts=SpfFacts)
def spf_valid(ctx: Context) -> list[CheckResult]:
    """The record and every record it includes follow the RFC 7208 grammar and resolve."""
    return [judge_valid(gather(ctx))]


@check("mail.spf.lookups", facts=SpfFacts)
def spf_lookups(ctx: Context) -> list[CheckResult]:
    """At most 10 DNS-querying terms and 2 void lookups in the whole tree, and no loop."""
    return [judge_lookups(gather(ctx))]


@check("mail.spf.all", facts=SpfFacts)
def spf_all(ctx: Context) -> list[CheckResult]:
    """The record ends with `-all` or `~all`, so that other servers are not authorised."""
    return [judge_all(gather(ctx))]


@check("mail.spf.ptr", facts=SpfFacts)
def spf_ptr(ctx: Context) -> list[CheckResult]:
    """No deprecated `ptr` mechanism (RFC 7208 §5.5: SHOULD NOT be used)."""
    return [judge_ptr(gather(ctx))]


@check("mail.spf.size", facts=SpfFacts)
def spf_size(ctx: Context) -> list[CheckResult]:
    """The record stays under 450 bytes, so that the DNS answer fits in one UDP packet."""
    return [judge_size(gather(ctx))]


# --- Verdicts and words --------------------------------------------------------------------


def _not_applicable(facts: SpfFacts) -> CheckResult:
    return not_applicable(
        "Non évalué : aucun enregistrement SPF utilisable (voir « Enregistrement SPF »).",
        facts,
        evidence=[],
    )


def judge_present(facts: SpfFacts) -> CheckResult:
    """Exactly one SPF record: none or several fail, each with its own remediation."""
    evidence = [
        *facts.evidence(),
        *(Evidence(label="Ressemble à SPF mais ignoré", value=v) for v in facts.near_misses),
    ]
    if not facts.exists:
        return failed(
            f"Le domaine {facts.domain} n'existe pas dans le DNS (NXDOMAIN).", facts, evidence=[]
        )
    if not facts.records:
        summary = (
            f"{facts.domain} ne publie aucun enregistrement SPF : n'importe quel serveur peut "
            "envoyer du courrier en son nom sans que les destinataires puissent le détecter."
        )
        if facts.near_misses:
            summary += (
                " Un texte ressemble à SPF mais ne commence pas exactement par « v=spf1 » suivi "
                "d'une espace : les destinataires l'ignorent."
            )
        return failed(
            summary,
            facts,
            evidence=evidence,
            remediation="no_mail" if facts.sends_no_mail else None,
        )
    if len(facts.records) > 1:
        return failed(
            f"{facts.domain} publie {len(facts.records)} enregistrements SPF : la RFC 7208 "
            "n'en permet qu'un, les destinataires répondent « permerror » et SPF ne protège "
            "plus rien.",
            facts,
            evidence=evidence,
            remediation="several",
        )
    return passed(f"{facts.domain} publie un enregistrement SPF.", facts, evidence=evidence)


def judge_valid(facts: SpfFacts) -> CheckResult:
    """The record parses, and every record it includes exists, parses and resolves."""
    problem = facts.syntax_error
    if problem is not None:
        # Worded by the parser itself, from the same message, term and position.
        error = SpfSyntaxError(problem.message, problem.position - 1, problem.term)
        return failed(
            f"Enregistrement SPF invalide : {error}. Les destinataires répondent « permerror » "
            ": SPF ne protège plus rien.",
            facts,
            evidence=[
                *facts.evidence(),
                Evidence(label="Erreur", value=problem.message),
                Evidence(label="Terme fautif", value=problem.term or "(début)"),
                Evidence(label="Position (caractère)", value=problem.position),
            ],
        )
    ev = facts.evaluation
    if ev is None:
        return _not_applicable(facts)
    if ev.errors:
        return failed(
            "Un enregistrement inclus est inutilisable, ce qui rend tout SPF invalide "
            "(« permerror ») : " + " ; ".join(ev.errors) + ".",
            facts,
            evidence=[*facts.evidence(), Evidence(label="Arbre d'évaluation", value=ev.trace)],
            remediation="broken_include",
        )
    if ev.dns_errors:
        return _undecided(facts, ev, facts.evidence())
    return passed(
        "Syntaxe SPF valide, et chaque enregistrement inclus existe et est valide.", facts
    )


def judge_lookups(facts: SpfFacts) -> CheckResult:
    """Within the lookup and void lookup limits, without loop; undecided when part is unread."""
    ev = facts.evaluation
    if ev is None:
        return _not_applicable(facts)
    evidence = [
        Evidence(label="Requêtes DNS (limite 10)", value=ev.lookups),
        Evidence(label="Requêtes vides (limite 2)", value=ev.void_lookups),
        Evidence(label="Arbre d'évaluation", value=ev.trace),
    ]
    if ev.notes:
        evidence.append(Evidence(label="Remarques", value=ev.notes))
    problems: list[str] = []
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
        return failed(
            "SPF inutilisable (« permerror ») : " + " ; ".join(problems) + ".",
            facts,
            evidence=evidence,
        )
    if ev.dns_errors or ev.truncated:
        return _undecided(facts, ev, evidence)
    return passed(
        f"{ev.lookups} requête(s) DNS sur {MAX_LOOKUPS} permises et {ev.void_lookups} "
        f"requête(s) vide(s) sur {MAX_VOID_LOOKUPS}, sans boucle.",
        facts,
        evidence=evidence,
    )


def judge_all(facts: SpfFacts) -> CheckResult:
    """`-all` or `~all` pass; `?all` and no `all` fail; `+all` fails at medium severity."""
    ev = facts.evaluation
    if ev is None:
        return _not_applicable(facts)
    final = ev.final_all
    if final is None and ev.redirect and ev.permerror:
        # The redirect target is unusable: mail.spf.valid or mail.spf.lookups says why.
        return _not_applicable(facts)
    evidence = facts.evidence()
    if final is not None and final.domain != facts.domain:
        evidence.append(Evidence(label="Règle finale lue dans (redirect)", value=final.domain))
    if final is None:
        return failed(
            "L'enregistrement SPF ne se termine pas par « all » : un serveur non listé obtient "
            "le résultat neutre, ce qui ne permet pas de refuser un faux.",
            facts,
            evidence=evidence,
        )
    evidence.append(Evidence(label="Règle finale", value=final.term))
    if final.qualifier == "+":
        return failed(
            f"« {final.term} » autorise tous les serveurs d'Internet à envoyer du courrier au "
            "nom du cabinet : SPF valide alors n'importe quel faux.",
            facts,
            evidence=evidence,
            # SPF is a recommendation (RFC 7208): « +all » is its worst failure, medium at
            # most under the severity policy (audit/data/scoring.yaml).
            severity=Severity.MEDIUM,
        )
    if final.qualifier == "?":
        return failed(
            "« ?all » déclare les serveurs non listés « neutres » : un faux n'est pas signalé "
            "comme tel.",
            facts,
            evidence=evidence,
        )
    if final.qualifier == "-":
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
    return passed(summary, facts, evidence=evidence)


def judge_ptr(facts: SpfFacts) -> CheckResult:
    """No `ptr` mechanism anywhere in the tree."""
    ev = facts.evaluation
    if ev is None:
        return _not_applicable(facts)
    if ev.ptr_terms:
        found = [f"{p.domain} : {p.term}" for p in ev.ptr_terms]
        return failed(
            "Le mécanisme « ptr », déconseillé par la RFC 7208 (lent, peu fiable, ignoré par "
            "certains destinataires), est utilisé.",
            facts,
            evidence=[Evidence(label="Termes ptr", value=found)],
        )
    return passed("Aucun mécanisme « ptr » déconseillé.", facts, evidence=[])


def judge_size(facts: SpfFacts) -> CheckResult:
    """The only record fits in `RECOMMENDED_MAX_BYTES`."""
    size = facts.size
    if size is None:
        return _not_applicable(facts)
    evidence = [Evidence(label="Taille (octets)", value=size)]
    if size > RECOMMENDED_MAX_BYTES:
        return failed(
            f"Enregistrement SPF de {size} octets, au-delà des {RECOMMENDED_MAX_BYTES} "
            "conseillés par la RFC 7208 : certains destinataires risquent de ne pas le lire "
            "en entier.",
            facts,
            evidence=evidence,
        )
    return passed(
        f"Enregistrement SPF de {size} octets (au plus {RECOMMENDED_MAX_BYTES} conseillés).",
        facts,
        evidence=evidence,
    )


def _undecided(facts: SpfFacts, ev: SpfTree, evidence: list[Evidence]) -> CheckResult:
    message = "; ".join(dict.fromkeys(ev.dns_errors)) or "arbre SPF trop grand pour être exploré"
    return indeterminate(
        "dns",
        message,
        facts,
        evidence=evidence,
        summary=f"Non évalué : une partie de l'arbre SPF n'a pas pu être lue ({message}).",
    )
