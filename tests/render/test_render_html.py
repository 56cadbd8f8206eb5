"""The HTML report: content, ordering, French wording and escaping of outside text."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from markupsafe import escape

from rgpd_audit.models import AuditResult, Finding, Severity, Status
from rgpd_audit.render import render_html
from rgpd_audit.render.html import (
    _environment,
    first_sentence,
    format_date_fr,
    format_time_fr,
    sort_findings,
)
from rgpd_audit.render.structure import report_structure

MakeResult = Callable[..., AuditResult]


def _text(html: str) -> str:
    """Visible text, roughly: tags dropped, spaces and non-breaking spaces collapsed."""
    text = re.sub(r"<[^>]+>", " ", html).replace("&#160;", " ").replace("\xa0", " ")
    return " ".join(text.split())


def test_every_finding_title_and_summary_is_rendered(result: AuditResult) -> None:
    html = render_html(result)
    for finding in result.findings:
        assert str(escape(finding.title)) in html
        assert str(escape(finding.summary)) in html


def test_outside_text_is_escaped(make_result: MakeResult, result: AuditResult) -> None:
    hostile = make_result(
        target=result.target.model_copy(
            update={"practice_name": "Cabinet <script>alert('nom')</script>"}
        )
    )
    html = render_html(hostile)
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#39;banner&#39;)&lt;/script&gt;" in html
    assert "Cabinet &lt;script&gt;alert(&#39;nom&#39;)&lt;/script&gt;" in html


def test_autoescape_is_forced_on() -> None:
    assert _environment().autoescape is True


def test_summary_line_and_sections(result: AuditResult) -> None:
    text = _text(render_html(result))
    assert "Audit RGPD — sécurité des données de santé" in text
    assert "Cabinet de kinésithérapie Dupont &amp; Martin" in text
    assert "Conformité E — 2 obligations non respectées" in text
    security = "Sécurité et bonnes pratiques : 52 / 100, couverture 78 % · 4 points non conformes"
    assert security in text
    assert "Lettre plafonnée à E : une obligation de gravité critique n'est pas respectée." in text
    assert "25 novembre 2026" in text
    assert "rgpd-audit 0.1.0" in text
    for heading in (
        "Sommaire",
        "1. Synthèse",
        "2. Plan d'action",
        "3. Constats à traiter",
        "4. Points conformes et sans objet",
        "5. Réponses au questionnaire",
        "6. Méthode, limites et signature",
        "Annexe A — Glossaire",
        "Annexe B — Éléments de preuve",
        "Annexe C — Sources",
    ):
        assert heading in text
    assert "Audit interrompu" not in text


def test_technical_audit_has_no_letter_and_never_says_nothing_to_do(
    make_result: MakeResult, result: AuditResult
) -> None:
    assert result.verdict is not None
    technical = result.verdict.model_copy(
        update={"grade": None, "conformity_score": None, "scope": "technique"}
    )
    passing = [f.model_copy(update={"status": Status.PASS}) for f in result.findings]
    text = _text(render_html(make_result(verdict=technical, findings=passing)))
    assert "Audit technique de la messagerie" in text
    assert "Audit RGPD — sécurité des données de santé" not in text
    assert "Conformité non évaluée" in text
    assert "aucune action corrective" not in text
    assert "répondez au questionnaire pour les évaluer" in text


def test_disclaimer_on_the_cover_and_in_the_method(result: AuditResult) -> None:
    text = _text(render_html(result))
    assert text.count("pas une certification de conformité") == 2


def test_interrupted_audit_shows_banner(make_result: MakeResult) -> None:
    text = _text(render_html(make_result(complete=False)))
    assert "Audit interrompu — résultats partiels" in text


def test_french_labels(result: AuditResult) -> None:
    text = _text(render_html(result))
    for label in ("critique", "élevée", "moyenne", "faible", "information"):
        assert label in text
    for label in ("conforme", "non conforme", "non évalué", "sans objet"):
        assert label in text
    # Indeterminate findings say why.
    assert "délai de réponse dépassé" in text
    assert "pas de réponse SMTP après 10 s" in text


def test_top_actions_use_first_sentence_of_remediation(result: AuditResult) -> None:
    html = render_html(result)
    actions = html.split('class="first-actions"', 1)[1].split("</ol>", 1)[0]
    assert "Activer STARTTLS sur le serveur de réception avec un certificat valide." in actions
    assert "Si la messagerie est hébergée" not in actions
    # Only failed findings are actions.
    assert "Serveurs de réception (MX) déclarés" not in actions


def test_findings_ordered_by_severity_then_status() -> None:
    def finding(severity: Severity, status: Status, title: str) -> Finding:
        return Finding(
            check_id="a.b",
            title=title,
            status=status,
            severity=severity,
            category="messagerie",
            summary="s",
            remediation="r",
        )

    ordered = sort_findings(
        [
            finding(Severity.LOW, Status.FAIL, "low-fail"),
            finding(Severity.CRITICAL, Status.PASS, "crit-pass"),
            finding(Severity.CRITICAL, Status.NOT_APPLICABLE, "crit-na"),
            finding(Severity.CRITICAL, Status.INDETERMINATE, "crit-indet"),
            finding(Severity.CRITICAL, Status.FAIL, "crit-fail"),
        ]
    )
    assert [f.title for f in ordered] == [
        "crit-fail",
        "low-fail",
        "crit-indet",
        "crit-pass",
        "crit-na",
    ]


def test_every_control_is_numbered_once_even_in_an_unknown_category(
    make_result: MakeResult, result: AuditResult
) -> None:
    stray = result.findings[0].model_copy(
        update={"category": "inconnue", "title": "Égaré", "check_id": "x.stray"}
    )
    structure = report_structure(make_result(findings=[*result.findings, stray]))
    numbers = [n.number for n in structure.all]
    assert numbers == list(range(1, len(numbers) + 1))
    controls = [n.view.control for n in structure.all]
    assert len(controls) == len(set(controls)) == len({f.control for f in result.findings}) + 1
    assert "x.stray" in controls


def test_category_without_score_is_not_evaluated(
    make_result: MakeResult, result: AuditResult
) -> None:
    assert result.scores is not None
    categories = list(result.scores.categories)
    categories[2] = categories[2].model_copy(update={"score": None, "grade": None})
    scores = result.scores.model_copy(update={"categories": categories})
    html = render_html(make_result(scores=scores))
    assert "non évalué" in html


def test_renders_without_scores_or_answers(make_result: MakeResult) -> None:
    text = _text(render_html(make_result(scores=None, verdict=None, answers={})))
    assert "Verdict non calculé" in text


def test_questionnaire_answers_are_listed(result: AuditResult) -> None:
    html = render_html(result)
    table = html.split('class="data answers"', 1)[1].split("</table>", 1)[0]
    for question in result.answers:
        # Client documents never show internal ids: the question's wording instead.
        assert question not in table
    assert "parfois" in table
    assert "Doctolib, Kiné+4000" in table


def test_evidence_lists_and_dicts_are_structured(result: AuditResult) -> None:
    html = render_html(result)
    annex = html.split("Annexe A", 1)[1]
    assert '<ul class="values">' in annex
    assert '<table class="kv nested">' in annex
    assert "mail.cabinet-dupont.fr" in annex


def test_scoring_method_and_thresholds(result: AuditResult) -> None:
    text = _text(render_html(result))
    assert "La conformité ne porte que sur les obligations" in text
    assert "Politique de gravité" in text
    assert "Une recommandation non suivie est au plus de gravité moyenne" in text
    assert "une obligation de gravité critique non respectée la limite à E" in text
    assert "de 90 à 100" in text
    assert "de 0 à 29" in text


def test_french_dates() -> None:
    assert format_date_fr(date(2026, 11, 25)) == "25 novembre 2026"
    assert format_date_fr(date(2027, 1, 1)) == "1er janvier 2027"
    assert format_date_fr("2026-08-03") == "3 août 2026"
    assert format_date_fr("novembre 2026") == "novembre 2026"
    # Shown in Paris time: 23:30 UTC on 31 December is already the new year in France.
    late = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert format_date_fr(late) == "1er janvier 2027"
    assert format_time_fr(late) == "0 h 30"


def test_first_sentence() -> None:
    assert first_sentence("Faire p. ex. ceci. Puis cela.") == "Faire p. ex. ceci."
    assert first_sentence("Une seule phrase sans point") == "Une seule phrase sans point"
    assert first_sentence("Passer en v1.2 du logiciel.\nEnsuite, tester.") == (
        "Passer en v1.2 du logiciel."
    )


def test_report_without_questionnaire_says_the_score_is_technical_only(
    result: AuditResult,
) -> None:
    technical = result.model_copy(
        update={
            "answers": {},
            "questionnaire": None,
            "findings": [f for f in result.findings if f.source == "check"],
        }
    )
    text = _text(render_html(technical))
    assert "Le questionnaire n'a pas été renseigné" in text
    assert "Le questionnaire n'a pas été renseigné" not in _text(render_html(result))


def _one_finding_report(result: AuditResult, finding: Finding) -> str:
    return _text(render_html(result.model_copy(update={"findings": [finding], "scores": None})))


def test_failed_info_rule_is_shown_as_advice_not_non_compliance(result: AuditResult) -> None:
    advice = Finding(
        check_id="q.communication.mssante_compte",
        source="questionnaire",
        title="Pas de boîte MSSanté",
        status=Status.FAIL,
        severity=Severity.INFO,
        category="communication",
        summary="MSSanté n'est pas obligatoire.",
        remediation="Ouvrez une boîte MSSanté.",
    )
    text = _one_finding_report(result, advice)
    card = text.split("Conseils (1)", 1)[1].split("Points conformes et sans objet", 1)[0]
    assert "recommandation" in card
    assert "non conforme" not in card


def test_not_evaluated_finding_gives_retry_advice_not_the_fix(result: AuditResult) -> None:
    from rgpd_audit.models import ErrorInfo

    blocked = Finding(
        check_id="mail.starttls.offered",
        title="Chiffrement STARTTLS",
        severity=Severity.HIGH,
        status=Status.INDETERMINATE,
        category="messagerie",
        summary="Aucun serveur MX n'a répondu.",
        remediation="Demandez à votre hébergeur d'activer STARTTLS.",
        error=ErrorInfo(reason="blocked", message="port 25 sortant probablement bloqué"),
    )
    text = _one_finding_report(result, blocked)
    assert "Pour lever l'incertitude" in text
    assert "autorise les connexions sortantes vers le port 25" in text
    assert "Demandez à votre hébergeur d'activer STARTTLS" not in text


def test_questionnaire_answers_are_not_repeated_in_the_evidence_annex(
    make_result: MakeResult, result: AuditResult
) -> None:
    answered = result.findings[0].model_copy(
        update={
            "source": "questionnaire",
            "check_id": "q.gouvernance.registre",
            "title": "Registre jamais relu",
            "evidence": [{"label": "Réponse", "value": "réponse-témoin"}],
        }
    )
    html = render_html(make_result(findings=[*result.findings, answered]))
    findings, annex = html.split('id="preuves"', 1)
    assert "Registre jamais relu" in findings
    assert "réponse-témoin" not in annex
    assert "Registre jamais relu" not in annex


def test_one_card_per_control_with_all_its_subjects(
    make_result: MakeResult, result: AuditResult
) -> None:
    base = next(f for f in result.findings if f.status is Status.FAIL and f.source == "check")
    rows = [
        base.model_copy(
            update={
                "subject": f"Traitement {n} (ligne {n})",
                "summary": f"Traitement {n} (ligne {n}) : base légale absente",
            }
        )
        for n in (3, 7)
    ]
    other = rows[0].model_copy(update={"subject": "autre", "remediation": "Autre conseil."})
    html = render_html(make_result(findings=[*rows, other]))
    findings = html.split('<section class="findings"', 1)[1].split("</section>", 1)[0]
    # One control, one card: its three subjects and both remediations.
    assert findings.count(str(escape(base.title))) == 1
    assert "3 objets concernés" in _text(findings)
    assert "Traitement 7 (ligne 7) — base légale absente" in _text(findings)
    assert "Autre conseil." in _text(findings)
    assert str(escape(base.remediation)) in findings


def test_compact_annex_of_an_audit_with_nothing_to_treat_does_not_deny_its_evidence(
    result: AuditResult,
) -> None:
    # The compact annex prints the evidence of the points to treat only. With none, it said
    # « Aucun élément de preuve n'a été enregistré », though the audit recorded some.
    passed = [f.model_copy(update={"status": Status.PASS, "error": None}) for f in result.findings]
    clean = result.model_copy(update={"findings": passed})
    assert "Bannière SMTP" in _text(render_html(clean, annexes="complet"))
    compact = _text(render_html(clean, annexes="compact"))
    assert "Bannière SMTP" not in compact
    assert "n'a été enregistré" not in compact
    assert "Aucun point à traiter : aucun élément de preuve n'est imprimé" in compact
    nothing = result.model_copy(
        update={"findings": [f.model_copy(update={"evidence": []}) for f in passed]}
    )
    assert "Aucun élément de preuve n'a été enregistré." in _text(render_html(nothing))
