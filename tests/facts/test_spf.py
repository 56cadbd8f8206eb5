"""The mail.spf.* checks judged from constructed facts (no network), and the facts gathered
from an in-memory zone."""

from typing import Any, cast

import pytest

from rgpd_audit.checks import spf
from rgpd_audit.checks.spf import (
    SpfFacts,
    SpfFinalAll,
    SpfPtrTerm,
    SpfSyntaxProblem,
    SpfTree,
    judge_all,
    judge_lookups,
    judge_present,
    judge_ptr,
    judge_size,
    judge_valid,
)
from rgpd_audit.models import CheckResult, Severity, Status
from rgpd_audit.plugin import CheckError, Context, Target
from tests.facts.conftest import GivenContext

DOMAIN = "cabinet.fr"
RECORD = "v=spf1 include:_spf.hebergeur.fr ~all"
TRACE = [f"{DOMAIN} : {RECORD}", "[1] include:_spf.hebergeur.fr"]


def tree(**fields: Any) -> SpfTree:
    """A clean tree of `RECORD` (one lookup, `~all`), with `fields` changed."""
    final = SpfFinalAll(term="~all", qualifier="~", domain=DOMAIN)
    return SpfTree.model_validate(
        {"lookups": 1, "void_lookups": 0, "trace": TRACE, "final_all": final, **fields}
    )


def facts(evaluation: SpfTree | None = None, **fields: Any) -> SpfFacts:
    """One published, valid record evaluated as `evaluation` (a clean tree by default)."""
    values = {"domain": DOMAIN, "exists": True, "records": [RECORD], **fields}
    if evaluation is None and "records" not in fields and "syntax_error" not in fields:
        evaluation = tree()
    return SpfFacts.model_validate({**values, "evaluation": evaluation})


def evidence(result: CheckResult) -> dict[str, object]:
    return {e.label: e.value for e in result.evidence}


# --- The facts model --------------------------------------------------------------------


def test_facts_have_a_stable_kind_and_survive_audit_json() -> None:
    given = facts(tree(ptr_terms=[SpfPtrTerm(domain=DOMAIN, term="ptr")]))
    assert SpfFacts.kind == "spf.record"
    assert SpfFacts.model_validate(given.model_dump(mode="json")) == given


def test_size_is_known_only_for_a_single_record() -> None:
    assert facts().size == len(RECORD)
    assert facts(records=[]).size is None
    assert facts(records=[RECORD, "v=spf1 -all"]).size is None


def test_permerror_follows_limits_loops_and_broken_includes() -> None:
    assert not tree().permerror
    assert tree(limit_exceeded_at="include:x (dans cabinet.fr)").permerror
    assert tree(void_exceeded_at="a:x (dans cabinet.fr)").permerror
    assert tree(loops=["boucle d'inclusion : a → b → a"]).permerror
    assert tree(errors=["include:x : x ne publie aucun enregistrement SPF"]).permerror
    assert not tree(dns_errors=["délai dépassé"], truncated=True).permerror


# --- mail.spf.present -------------------------------------------------------------------


def test_present_fails_without_the_domain_and_shows_nothing() -> None:
    result = judge_present(SpfFacts(domain=DOMAIN, exists=False))
    assert (result.status, result.remediation_key, result.evidence) == (Status.FAIL, None, [])
    assert result.facts is not None and result.facts.kind == "spf.record"


@pytest.mark.parametrize(("no_mail", "key"), [(True, "no_mail"), (False, None), (None, None)])
def test_present_fails_without_record_with_the_remediation_for_mail_use(
    no_mail: bool | None, key: str | None
) -> None:
    result = judge_present(facts(records=[], sends_no_mail=no_mail))
    assert (result.status, result.severity, result.remediation_key) == (Status.FAIL, None, key)


def test_present_shows_near_misses_and_says_why_they_are_ignored() -> None:
    given = facts(records=[], near_misses=["v=spf1-all"])
    result = judge_present(given)
    assert result.status is Status.FAIL and result.facts == given
    assert evidence(result) == {"Ressemble à SPF mais ignoré": "v=spf1-all"}
    # The wording is the point: the client must learn why a record that looks right is ignored.
    assert "« v=spf1 » suivi d'une espace" in result.summary


def test_present_fails_on_several_records() -> None:
    result = judge_present(facts(records=[RECORD, "v=spf1 -all"]))
    assert (result.status, result.remediation_key) == (Status.FAIL, "several")
    assert [e.label for e in result.evidence] == ["Enregistrement SPF"] * 2


def test_present_passes_on_one_record_and_keeps_its_facts() -> None:
    given = facts()
    result = judge_present(given)
    assert result.status is Status.PASS and result.facts is given
    assert evidence(result) == {"Enregistrement SPF": RECORD}


# --- mail.spf.valid ---------------------------------------------------------------------


def test_valid_fails_on_syntax_and_names_the_term_and_position() -> None:
    problem = SpfSyntaxProblem(message="adresse IPv4 invalide", term="ip4:1.2.3.300", position=8)
    result = judge_valid(facts(records=["v=spf1 ip4:1.2.3.300 -all"], syntax_error=problem))
    assert result.status is Status.FAIL and result.remediation_key is None
    shown = evidence(result)
    assert shown["Terme fautif"] == "ip4:1.2.3.300" and shown["Position (caractère)"] == 8
    # Worded as the parser words its error (SpfSyntaxError), position included.
    assert "adresse IPv4 invalide (terme « ip4:1.2.3.300 », position 8)" in result.summary


def test_valid_syntax_error_at_the_start_says_so() -> None:
    problem = SpfSyntaxProblem(message="caractère non ASCII", position=1)
    result = judge_valid(facts(records=["v=spf1 é"], syntax_error=problem))
    assert evidence(result)["Terme fautif"] == "(début)"


def test_valid_is_not_applicable_without_an_evaluated_record() -> None:
    for given in (
        facts(records=[]),
        facts(records=[RECORD, RECORD]),
        SpfFacts(domain=DOMAIN, exists=False),
    ):
        result = judge_valid(given)
        assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, [])
        assert result.facts is given


def test_valid_fails_on_a_broken_include_and_shows_the_tree() -> None:
    broken = "include:_spf.ancien.fr : _spf.ancien.fr ne publie aucun enregistrement SPF"
    result = judge_valid(facts(tree(errors=[broken])))
    assert (result.status, result.remediation_key) == (Status.FAIL, "broken_include")
    assert evidence(result)["Arbre d'évaluation"] == TRACE


def test_valid_is_undecided_when_part_of_the_tree_is_unread() -> None:
    result = judge_valid(facts(tree(dns_errors=["délai dépassé", "délai dépassé"])))
    assert result.status is Status.INDETERMINATE and result.error is not None
    assert (result.error.reason, result.error.message) == ("dns", "délai dépassé")


def test_valid_passes_on_a_clean_tree() -> None:
    result = judge_valid(facts())
    assert result.status is Status.PASS and evidence(result) == {"Enregistrement SPF": RECORD}


# --- mail.spf.lookups -------------------------------------------------------------------


def test_lookups_not_applicable_without_evaluation() -> None:
    assert judge_lookups(facts(records=[])).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize(
    "problem",
    [
        {"loops": ["boucle d'inclusion : a.fr → b.fr → a.fr"]},
        {"lookups": 12, "limit_exceeded_at": "include:k.fr (dans j.fr)"},
        {"void_lookups": 3, "void_exceeded_at": "a:vide.fr (dans cabinet.fr)"},
    ],
)
def test_lookups_fail_on_loops_and_limits(problem: dict[str, Any]) -> None:
    given = facts(tree(**problem))
    result = judge_lookups(given)
    assert (result.status, result.severity, result.remediation_key) == (Status.FAIL, None, None)
    assert result.facts == given
    assert evidence(result)["Arbre d'évaluation"] == TRACE


def test_lookups_fail_names_where_the_limit_was_exceeded() -> None:
    result = judge_lookups(facts(tree(lookups=12, limit_exceeded_at="include:k.fr (dans j.fr)")))
    assert "12 termes" in result.summary and "include:k.fr (dans j.fr)" in result.summary


@pytest.mark.parametrize(
    ("unread", "message"),
    [
        ({"dns_errors": ["délai dépassé"]}, "délai dépassé"),
        ({"truncated": True}, "arbre SPF trop grand pour être exploré"),
    ],
)
def test_lookups_undecided_when_unread_or_truncated(unread: dict[str, Any], message: str) -> None:
    result = judge_lookups(facts(tree(**unread)))
    assert result.status is Status.INDETERMINATE and result.error is not None
    assert (result.error.reason, result.error.message) == ("dns", message)
    assert evidence(result)["Requêtes DNS (limite 10)"] == 1


def test_lookups_pass_with_counts_and_notes() -> None:
    notes = ["exists:%{i}.x.fr : macro : dépend du message, non développée"]
    result = judge_lookups(facts(tree(lookups=4, void_lookups=1, notes=notes)))
    assert result.status is Status.PASS
    assert evidence(result) == {
        "Requêtes DNS (limite 10)": 4,
        "Requêtes vides (limite 2)": 1,
        "Arbre d'évaluation": TRACE,
        "Remarques": notes,
    }


# --- mail.spf.all -----------------------------------------------------------------------


def final(qualifier: str, domain: str = DOMAIN) -> SpfFinalAll:
    term = ("" if qualifier == "+" else qualifier) + "all"
    return SpfFinalAll.model_validate({"term": term, "qualifier": qualifier, "domain": domain})


def test_all_not_applicable_without_evaluation_or_behind_a_broken_redirect() -> None:
    assert judge_all(facts(records=[])).status is Status.NOT_APPLICABLE
    broken = tree(final_all=None, redirect="_spf.ailleurs.fr", errors=["redirect=… : absent"])
    result = judge_all(facts(broken))
    assert (result.status, result.evidence) == (Status.NOT_APPLICABLE, [])


def test_all_fails_without_all() -> None:
    result = judge_all(facts(tree(final_all=None)))
    assert (result.status, result.severity) == (Status.FAIL, None)
    assert "Règle finale" not in evidence(result)


def test_plus_all_fails_at_medium_and_question_all_at_the_default() -> None:
    plus = judge_all(facts(tree(final_all=final("+"))))
    assert (plus.status, plus.severity) == (Status.FAIL, Severity.MEDIUM)
    assert evidence(plus)["Règle finale"] == "all"
    question = judge_all(facts(tree(final_all=final("?"))))
    assert (question.status, question.severity) == (Status.FAIL, None)


@pytest.mark.parametrize("qualifier", ["-", "~"])
def test_minus_and_tilde_all_pass_and_warn_about_forwarding(qualifier: str) -> None:
    result = judge_all(facts(tree(final_all=final(qualifier))))
    assert result.status is Status.PASS
    assert evidence(result) == {"Enregistrement SPF": RECORD, "Règle finale": qualifier + "all"}
    # The wording is the point: the trade-off of -all and ~all for forwarded mail.
    assert "transféré" in result.summary


def test_all_read_through_redirect_says_where() -> None:
    result = judge_all(facts(tree(final_all=final("-", "_spf.cabinet.fr"), redirect="x")))
    assert result.status is Status.PASS
    assert evidence(result)["Règle finale lue dans (redirect)"] == "_spf.cabinet.fr"


# --- mail.spf.ptr -----------------------------------------------------------------------


def test_ptr_fails_and_lists_the_terms_with_their_domain() -> None:
    found = [SpfPtrTerm(domain="_spf.hebergeur.fr", term="?ptr")]
    result = judge_ptr(facts(tree(ptr_terms=found)))
    assert result.status is Status.FAIL
    assert evidence(result) == {"Termes ptr": ["_spf.hebergeur.fr : ?ptr"]}


def test_ptr_passes_without_ptr_and_is_not_applicable_without_evaluation() -> None:
    result = judge_ptr(facts())
    assert (result.status, result.evidence) == (Status.PASS, [])
    assert result.facts is not None
    assert judge_ptr(facts(records=[])).status is Status.NOT_APPLICABLE


# --- mail.spf.size ----------------------------------------------------------------------


def test_size_fails_above_the_recommended_bytes_and_passes_below() -> None:
    long = "v=spf1 " + "ip4:192.0.2.1 " * 35 + "-all"
    assert len(long) > spf.RECOMMENDED_MAX_BYTES
    too_long = judge_size(facts(records=[long]))
    assert too_long.status is Status.FAIL and evidence(too_long) == {"Taille (octets)": len(long)}
    short = judge_size(facts())
    assert short.status is Status.PASS and evidence(short) == {"Taille (octets)": len(RECORD)}


def test_size_is_not_applicable_unless_one_record() -> None:
    for records in ([], [RECORD, RECORD]):
        assert judge_size(facts(records=records)).status is Status.NOT_APPLICABLE


# --- Gathering, from an in-memory zone --------------------------------------------------


class Zone(GivenContext):
    """The few `Context` methods the SPF facts need, answered from a dict (no network)."""

    def __init__(self, answers: dict[str, list[str] | None], no_mail: bool = False) -> None:
        super().__init__(DOMAIN)
        self.answers = answers
        self.no_mail = no_mail
        self.asked: list[str] = []

    def lookup(self, name: str, rdtype: str) -> list[str] | None:
        self.asked.append(f"{name} {rdtype}")
        key = f"{name} {rdtype}"
        if key == "panne.fr TXT":
            raise CheckError("dns", "délai dépassé")
        return self.answers.get(key, self.answers.get(name) if rdtype == "TXT" else ["192.0.2.1"])

    def sends_no_mail(self) -> bool:
        return self.no_mail


def gather(zone: Zone) -> SpfFacts:
    return spf.gather(cast(Context, zone))


def test_gather_follows_redirect_to_the_final_all_and_collects_ptr() -> None:
    zone = Zone(
        {
            DOMAIN: ['"v=spf1 include:_a.cabinet.fr redirect=_spf.cabinet.fr"'],
            "_a.cabinet.fr": ['"v=spf1 ptr:cabinet.fr ~all"'],
            "_spf.cabinet.fr": ['"v=spf1 ip4:192.0.2.0/24 -all"'],
        }
    )
    found = gather(zone)
    assert found.evaluation is not None
    assert found.evaluation.final_all == final("-", "_spf.cabinet.fr")
    assert found.evaluation.redirect == "_spf.cabinet.fr"
    assert found.evaluation.ptr_terms == [SpfPtrTerm(domain="_a.cabinet.fr", term="ptr:cabinet.fr")]
    # include, the ptr inside it, and redirect each cost one lookup.
    assert found.evaluation.lookups == 3 and found.sends_no_mail is None
    # Memoised: the six checks of an audit share one lookup of the record.
    assert gather(zone) is found and zone.asked.count(f"{DOMAIN} TXT") == 1


def test_gather_keeps_near_misses_and_asks_about_mail_only_without_record() -> None:
    found = gather(Zone({DOMAIN: ['" v=spf1 -all"', '"autre"']}, no_mail=True))
    assert (found.records, found.near_misses) == ([], [" v=spf1 -all"])
    assert found.sends_no_mail is True and found.evaluation is None
    missing = gather(Zone({DOMAIN: None}))
    assert (missing.exists, missing.sends_no_mail) == (False, None)


def test_gather_keeps_the_parser_error_and_does_not_walk() -> None:
    zone = Zone({DOMAIN: ['"v=spf1 ip4:192.0.2.300 -all"']})
    found = gather(zone)
    assert found.syntax_error is not None
    assert (found.syntax_error.term, found.syntax_error.position) == ("ip4:192.0.2.300", 8)
    assert found.evaluation is None and zone.asked == [f"{DOMAIN} TXT"]


def test_gather_lets_a_dns_failure_on_the_domain_make_the_checks_undecided() -> None:
    zone = Zone({})
    zone.target = Target(domain="panne.fr")
    with pytest.raises(CheckError):
        gather(zone)
