"""DKIM keys: probe the usual selectors (and the user's), judge every key found.

A selector cannot be listed from DNS, so finding no key proves nothing: that outcome is
`indeterminate`, never a failure. RSA sizes follow RFC 8301 (1024 bits minimum, 2048
recommended); Ed25519 keys are RFC 8463.

Facts first (`DkimFacts`, one `DkimSelectorFacts` per selector that answered, gathered from
the DNS), then the verdicts and their words (`judge_*`, pure functions of the facts, tested
without a network).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from rgpd_audit import catalog
from rgpd_audit.plugin import (
    CheckError,
    CheckResult,
    Context,
    ErrorInfo,
    Evidence,
    Facts,
    Severity,
    check,
    failed,
    indeterminate,
    not_applicable,
    passed,
)
from rgpd_audit.records.dkim import DkimRecordError, parse_dkim_key
from rgpd_audit.records.spf_txt import readable_texts

#: RFC 8301 §3.2: signers MUST use at least 1024 bits and SHOULD use at least 2048.
RSA_MINIMUM_BITS = 1024
RSA_RECOMMENDED_BITS = 2048

#: How the report names a selector given for the audit, before the providers known to use it.
GIVEN_LABEL = "sélecteur indiqué pour l'audit"


# --- Facts -------------------------------------------------------------------------------


class DkimSelectorFacts(Facts):
    """What one selector gave: a key, a record receivers reject, or a failed lookup."""

    kind: ClassVar[str] = "dkim.selector"

    selector: str
    given: bool = Field(False, description="Named for this audit, not only in the shipped list")
    providers: list[str] = Field(
        default_factory=list, description="Providers known to use this selector by default"
    )
    record: str | None = Field(None, description="The DKIM record (the first one when several)")
    record_count: int = Field(0, description="DKIM records at the selector (more than 1: void)")
    syntax_error: str | None = Field(None, description="Why the only record does not parse")
    key_type: str | None = Field(None, description="k= of the parsed key; absent if none parsed")
    rsa_bits: int | None = Field(None, description="Modulus size of an RSA key")
    revoked: bool = Field(False, description="Empty p=: the key was withdrawn")
    testing: bool = Field(False, description="t=y: the domain is testing DKIM")
    hash_algorithms: list[str] = Field(
        default_factory=list, description="h= of the key (empty: every algorithm allowed)"
    )
    lookup_error: ErrorInfo | None = Field(None, description="Why the DNS lookup failed")

    @property
    def parsed(self) -> bool:
        """A key was read from the record (revoked or not)."""
        return self.key_type is not None

    @property
    def active(self) -> bool:
        """A key receivers can verify signatures with."""
        return self.parsed and not self.revoked

    @property
    def unreadable(self) -> bool:
        """A record is published that receivers reject (several records, bad syntax)."""
        return self.record is not None and not self.parsed

    @property
    def label(self) -> str:
        """`selector._domainkey`, with the providers known to use it."""
        who = [GIVEN_LABEL, *self.providers] if self.given else self.providers
        shown = f" ({', '.join(who)})" if who else ""
        return f"{self.selector}._domainkey{shown}"


class DkimFacts(Facts):
    """The DKIM selectors tried on a domain and what each one that answered gave."""

    kind: ClassVar[str] = "dkim.keys"

    domain: str
    tried: list[str] = Field(description="Selectors tried, those given for the audit first")
    domainkey_exists: bool = Field(
        True,
        description="False when the DNS denies _domainkey.<domain> (NXDOMAIN): no selector "
        "under it exists (RFC 8020), so only the selectors given for the audit were asked",
    )
    selectors: list[DkimSelectorFacts] = Field(
        default_factory=list, description="Selectors with a DKIM record, or whose lookup failed"
    )

    @property
    def active(self) -> list[DkimSelectorFacts]:
        """Selectors with a usable key."""
        return [s for s in self.selectors if s.active]

    @property
    def lookup_errors(self) -> list[ErrorInfo]:
        """Why lookups failed, in selector order."""
        return [s.lookup_error for s in self.selectors if s.lookup_error is not None]

    def evidence(self) -> list[Evidence]:
        """Each record found, described."""
        return [Evidence(label=s.label, value=_describe(s)) for s in self.selectors if s.record]


# --- Checks ------------------------------------------------------------------------------


@check("mail.dkim.present", facts=DkimFacts)
def dkim_present(ctx: Context) -> list[CheckResult]:
    """At least one usable DKIM key at the selectors tried."""
    return [judge_present(gather(ctx))]


@check("mail.dkim.key", facts=(DkimFacts, DkimSelectorFacts))
def dkim_key(ctx: Context) -> list[CheckResult]:
    """Type, size and syntax of every DKIM key found (revoked keys excepted)."""
    return judge_key(gather(ctx))


@check("mail.dkim.testing", facts=(DkimFacts, DkimSelectorFacts))
def dkim_testing(ctx: Context) -> list[CheckResult]:
    """No DKIM key left in testing mode (`t=y`)."""
    return judge_testing(gather(ctx))


# --- Gathering ---------------------------------------------------------------------------


def selectors_to_try(ctx: Context) -> list[str]:
    """The selectors probed: those given for the audit, then the shipped list, each once."""
    known = catalog.dkim_selectors()
    return list(dict.fromkeys([*ctx.config.dkim_selectors, *known.all_selectors()]))


def gather(ctx: Context) -> DkimFacts:
    """Every selector with a record, or whose lookup failed (asked once for the three checks)."""
    selectors = selectors_to_try(ctx)
    domain = ctx.target.domain

    def probe() -> DkimFacts:
        # No _domainkey name at all: no selector under it (RFC 8020), one query instead of
        # 32. The selectors given for the audit are asked anyway, in case the server denies
        # the name wrongly.
        exists = not ctx.nothing_under(f"_domainkey.{domain}")
        asked = selectors if exists else list(ctx.config.dkim_selectors)
        found = ctx.map(lambda selector: _lookup(ctx, selector), asked)
        return DkimFacts(
            domain=domain,
            tried=selectors,
            domainkey_exists=exists,
            selectors=[f for f in found if f],
        )

    return ctx.memo(("dkim", domain, tuple(selectors)), probe)


def _lookup(ctx: Context, selector: str) -> DkimSelectorFacts | None:
    seen = DkimSelectorFacts(
        selector=selector,
        given=selector in ctx.config.dkim_selectors,
        providers=catalog.dkim_selectors().providers_of(selector),
    )
    try:
        records = ctx.lookup(f"{selector}._domainkey.{ctx.target.domain}", "TXT") or []
    except CheckError as exc:
        error = ErrorInfo(reason=exc.reason, message=exc.message)
        return seen.model_copy(update={"lookup_error": error})
    texts = readable_texts(records)
    # A wildcard TXT (often an SPF record) answers every name: only DKIM-looking records count.
    candidates = [t for t in texts if t.lstrip().startswith("v=DKIM1") or "p=" in t]
    if not candidates:
        return None
    seen = seen.model_copy(update={"record": candidates[0], "record_count": len(candidates)})
    # Several records at one selector make the outcome undefined (RFC 6376 §3.6.2.2).
    if len(candidates) > 1:
        return seen
    try:
        key = parse_dkim_key(candidates[0])
    except DkimRecordError as exc:
        return seen.model_copy(update={"syntax_error": str(exc)})
    return seen.model_copy(
        update={
            "key_type": key.key_type,
            "rsa_bits": key.rsa_bits,
            "revoked": key.revoked,
            "testing": key.testing,
            "hash_algorithms": list(key.hash_algorithms),
        }
    )


# --- Verdicts and words ------------------------------------------------------------------


def judge_present(facts: DkimFacts) -> CheckResult:
    """The verdict on whether the domain publishes a usable key, in words."""
    active = facts.active
    if active:
        names = ", ".join(s.selector for s in active)
        return passed(
            f"{len(active)} clé(s) DKIM publiée(s) (sélecteur(s) {names}) : les "
            "destinataires peuvent vérifier que les messages viennent bien du domaine.",
            facts,
        )
    errors = facts.lookup_errors
    if errors and len(errors) == len(facts.selectors):
        return _unanswered(errors[0], facts)
    revoked = [s.selector for s in facts.selectors if s.parsed and s.revoked]
    unreadable = [s.selector for s in facts.selectors if s.unreadable]
    details = []
    if revoked:
        details.append(f"clé révoquée (p= vide) au(x) sélecteur(s) {', '.join(revoked)}")
    if unreadable:
        details.append(f"enregistrement illisible au(x) sélecteur(s) {', '.join(unreadable)}")
    if errors:
        details.append(f"{len(errors)} sélecteur(s) sans réponse DNS")
    found = f" ({' ; '.join(details)})" if details else ""
    message = (
        f"aucune clé DKIM utilisable parmi les {len(facts.tried)} sélecteurs essayés{found}. "
        "Les sélecteurs ne peuvent pas être énumérés : le domaine peut signer avec un "
        "sélecteur absent de la liste, ce contrôle ne conclut donc pas à une absence de DKIM"
    )
    if not facts.domainkey_exists and not facts.selectors:
        message = (
            f"aucune clé DKIM trouvée : le nom _domainkey.{facts.domain} n'existe pas dans le "
            f"DNS, donc aucun sélecteur n'y est publié, ni les {len(facts.tried)} recherchés ni "
            "un autre (RFC 8020). Un serveur DNS mal configuré pouvant nier ce nom à tort, ce "
            "contrôle ne conclut pas à une absence de DKIM"
        )
    # Not a failure: a selector missing from the list is the likelier explanation.
    return indeterminate(
        "dns", message, facts, summary=f"Non évalué : {message}.", remediation="not_found"
    )


def judge_key(facts: DkimFacts) -> list[CheckResult]:
    """The verdict on every key found (revoked keys excepted), one per selector."""
    judged = [s for s in facts.selectors if s.unreadable or s.active]
    if not judged:
        return [_no_key(facts)]
    return [judge_selector_key(s) for s in judged]


def judge_selector_key(facts: DkimSelectorFacts) -> CheckResult:
    """The verdict on the key (or unreadable record) of one selector, in words."""
    evidence = [Evidence(label=facts.label, value=facts.record)]
    subject = facts.selector
    if not facts.parsed:
        return failed(
            f"Sélecteur {subject} : {_problem(facts)} ; les destinataires ne peuvent pas "
            "vérifier les signatures faites avec cette clé.",
            facts,
            subject=subject,
            evidence=evidence,
        )
    if facts.hash_algorithms and set(facts.hash_algorithms) <= {"sha1"}:
        return failed(
            f"Sélecteur {subject} : la clé n'admet que SHA-1 (h=sha1), interdit par la "
            "RFC 8301 : les signatures ne sont plus acceptées.",
            facts,
            subject=subject,
            evidence=evidence,
        )
    if facts.key_type == "ed25519":
        return passed(
            f"Sélecteur {subject} : clé Ed25519 (RFC 8463).",
            facts,
            subject=subject,
            evidence=evidence,
        )
    if facts.key_type != "rsa" or facts.rsa_bits is None:
        return failed(
            f"Sélecteur {subject} : type de clé « {facts.key_type} » inconnu, ignoré par "
            "les destinataires.",
            facts,
            subject=subject,
            evidence=evidence,
        )
    bits = facts.rsa_bits
    evidence.append(Evidence(label="Taille de la clé RSA", value=f"{bits} bits"))
    if bits < RSA_MINIMUM_BITS:
        return failed(
            f"Sélecteur {subject} : clé RSA de {bits} bits, sous le minimum de "
            f"{RSA_MINIMUM_BITS} bits (RFC 8301) ; les destinataires refusent ces signatures "
            "et une clé si courte peut être cassée pour signer à la place du cabinet.",
            facts,
            subject=subject,
            evidence=evidence,
        )
    if bits < RSA_RECOMMENDED_BITS:
        # Still accepted by receivers: a replacement to plan, not an emergency.
        return failed(
            f"Sélecteur {subject} : clé RSA de {bits} bits, admise mais sous les "
            f"{RSA_RECOMMENDED_BITS} bits recommandés par la RFC 8301.",
            facts,
            subject=subject,
            evidence=evidence,
            severity=Severity.LOW,
            remediation="short",
        )
    return passed(
        f"Sélecteur {subject} : clé RSA de {bits} bits.",
        facts,
        subject=subject,
        evidence=evidence,
    )


def judge_testing(facts: DkimFacts) -> list[CheckResult]:
    """The verdict on keys left in testing mode: one failure per such selector, or a pass."""
    active = facts.active
    if not active:
        return [_no_key(facts)]
    testing = [s for s in active if s.testing]
    if testing:
        return [
            failed(
                f"Clé DKIM {s.selector} en mode test (t=y) : les destinataires doivent "
                "traiter les messages signés comme s'ils ne l'étaient pas (RFC 6376 §3.6.1).",
                s,
                subject=s.selector,
                evidence=[Evidence(label=s.label, value=s.record)],
            )
            for s in testing
        ]
    return [
        passed(
            "Aucune clé DKIM en mode test (t=y).",
            facts,
            evidence=[Evidence(label=s.label, value=s.record) for s in active],
        )
    ]


def _no_key(facts: DkimFacts) -> CheckResult:
    # "No key" is only said when every selector was actually answered.
    errors = facts.lookup_errors
    if errors:
        return _unanswered(errors[0], facts)
    return not_applicable(
        "Aucune clé DKIM active trouvée aux sélecteurs essayés : rien à examiner.",
        facts,
        evidence=[],
    )


def _unanswered(error: ErrorInfo, facts: DkimFacts) -> CheckResult:
    # Worded as when the lookup's own error ends a check: « Non évalué : <why> ».
    return indeterminate(error.reason, error.message, facts, evidence=[])


def _problem(facts: DkimSelectorFacts) -> str:
    if facts.record_count > 1:
        return f"{facts.record_count} enregistrements DKIM"
    return facts.syntax_error or "enregistrement illisible"


def _describe(facts: DkimSelectorFacts) -> str:
    if not facts.parsed:
        return f"illisible : {_problem(facts)}"
    if facts.revoked:
        return "clé révoquée (p= vide)"
    size = f" {facts.rsa_bits} bits" if facts.rsa_bits else ""
    kind = (facts.key_type or "").upper()
    return f"{kind}{size}" + (" ; mode test (t=y)" if facts.testing else "")
