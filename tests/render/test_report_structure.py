"""The report's structure: action plan order and content, one number per control, annexes,
the consultant's identity, and no internal ids in what the client reads."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from markupsafe import escape

from rgpd_audit.catalog import scoring_table
from rgpd_audit.models import (
    AuditResult,
    Basis,
    Consultant,
    Evidence,
    Finding,
    Reference,
    Severity,
    Status,
)
from rgpd_audit.questionnaire import load_questionnaire
from rgpd_audit.registry import discover
from rgpd_audit.render import render_html
from rgpd_audit.render.action_plan import action_catalog
from rgpd_audit.render.html import clip_value
from rgpd_audit.render.structure import report_structure
from rgpd_audit.render.wording import citation_label, short_action, short_label

MakeResult = Callable[..., AuditResult]


def _failed(check_id: str, severity: Severity, basis: Basis | None, category: str) -> Finding:
    return Finding(
        check_id=check_id,
        title=f"Titre {check_id}",
        status=Status.FAIL,
        severity=severity,
        category=category,
        summary="s",
        remediation=f"Corriger {check_id}. Détails.",
        basis=basis,
    )


def test_plan_puts_obligations_first_then_severity_then_quick_wins(
    make_result: MakeResult,
) -> None:
    findings = [
        _failed("a.critical_reco", Severity.CRITICAL, Basis.RECOMMENDATION, "messagerie"),
        _failed("b.medium_obligation", Severity.MEDIUM, Basis.OBLIGATION, "gouvernance"),
        _failed("c.high_obligation", Severity.HIGH, Basis.OBLIGATION, "gouvernance"),
        # Same severity: the one done in minutes (catalogue) before the one taking hours.
        _failed("mail.tls.ciphers", Severity.MEDIUM, None, "messagerie"),
        _failed("mail.tls.chain", Severity.MEDIUM, None, "messagerie"),
    ]
    structure = report_structure(make_result(findings=findings))
    assert [n.view.control for n in structure.plan] == [
        "c.high_obligation",
        "b.medium_obligation",
        "a.critical_reco",
        "mail.tls.chain",
        "mail.tls.ciphers",
    ]
    assert [n.number for n in structure.plan] == [1, 2, 3, 4, 5]
    first = structure.plan[0].item
    assert first is not None
    assert first.action == "Corriger c.high_obligation."
    assert first.who == "DPO"  # the category's default
    assert first.deadline == date(2026, 12, 25)  # audit day + 30 days for a high severity
    chain = structure.plan[3].item
    assert chain is not None and chain.who == "Hébergeur" and chain.effort_label == "minutes"


def test_plan_numbers_are_the_finding_numbers_and_the_headline_count(
    result: AuditResult,
) -> None:
    html = render_html(result)
    structure = report_structure(result)
    assert result.verdict is not None
    assert len(structure.plan) == result.verdict.failed_controls
    plan = html.split('<section class="plan"', 1)[1].split("</section>", 1)[0]
    findings = html.split('<section class="findings"', 1)[1].split("</section>", 1)[0]
    for n in structure.plan:
        assert f'href="#constat-{n.number}"' in plan
        assert f'id="constat-{n.number}"' in findings
    assert f"Non conformes ({result.verdict.failed_controls})" in findings


def test_table_of_contents_points_to_every_part(result: AuditResult) -> None:
    html = render_html(result)
    toc = html.split('<section class="toc"', 1)[1].split("</section>", 1)[0]
    targets = re.findall(r'href="#([a-z]+)"', toc)
    assert targets == [
        "synthese",
        "plan",
        "constats",
        "conformes",
        "questionnaire",
        "methode",
        "glossaire",
        "preuves",
        "sources",
    ]
    for target in targets:
        assert f'id="{target}"' in html


def test_annex_levels(result: AuditResult, make_result: MakeResult) -> None:
    long_record = "v=spf1" + " include:_spf.example.org" * 40
    passing = result.findings[1].model_copy(
        update={
            "check_id": "mail.spf.present",
            "status": Status.PASS,
            "evidence": [Evidence(label="Enregistrement témoin", value=long_record)],
        }
    )
    failing = result.findings[0].model_copy(
        update={"evidence": [Evidence(label="Bannière témoin", value=long_record)]}
    )
    audit = make_result(findings=[failing, passing])
    compact = render_html(audit).split('id="preuves"', 1)[1]
    # Compact: the evidence of what is to be treated, long values shortened (and said so).
    assert "Bannière témoin" in compact and "Enregistrement témoin" not in compact
    assert "caractères, en entier dans le fichier de résultats" in compact
    complete = render_html(audit, annexes="complet").split('id="preuves"', 1)[1]
    assert "Enregistrement témoin" in complete and str(escape(long_record)) in complete
    none = render_html(audit, annexes="aucune")
    assert 'id="preuves"' not in none and "Bannière témoin" not in none


def test_clip_value_says_what_it_cut() -> None:
    assert clip_value("court") == "court"
    assert (
        clip_value("x" * 300, chars=10)
        == "xxxxxxxxxx… (300 caractères, en entier dans le fichier de résultats)"
    )
    assert clip_value(list(range(12)), items=3) == [0, 1, 2, "… et 9 autres"]


def test_consultant_identity_is_escaped_and_signs(make_result: MakeResult) -> None:
    consultant = Consultant(firm="Conseil <b>RGPD</b>", name="Marie Martin", accent_color="#0b6e4f")
    html = render_html(make_result(), consultant=consultant)
    assert "Conseil &lt;b&gt;RGPD&lt;/b&gt;" in html and "<b>RGPD</b>" not in html
    assert "--navy: #0b6e4f" in html
    signature = html.split('class="signature"', 1)[1]
    assert "Marie Martin" in signature


def test_client_documents_show_no_internal_ids(result: AuditResult) -> None:
    html = render_html(result)
    visible = re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1])
    for finding in result.findings:
        assert finding.check_id not in visible
    for option in ("--answers", "--annexes", "--format", "--config"):
        assert option not in visible


def test_short_action_keeps_what_to_do() -> None:
    head = "Demandez à l'hébergeur de la messagerie de refuser X"
    text = head + " (IMAP : " + "détail " * 30 + "). Ensuite, testez."
    assert short_action(text) == head + "."
    quoted = "Publiez « " + "v=DMARC1; p=reject; " * 10 + "» dans la zone DNS du domaine."
    assert "«" not in short_action(quoted)


def test_action_catalogue_names_known_controls_and_categories() -> None:
    catalog = action_catalog()
    checks = {spec.meta.id for spec in discover()}
    questions = {q.id for s in load_questionnaire().sections for q in s.questions}
    unknown = set(catalog.controls) - checks - questions
    assert not unknown, f"actions.yaml : contrôles inconnus {sorted(unknown)}"
    assert set(catalog.categories) == set(scoring_table().categories)


def test_short_reference_labels_for_the_plan() -> None:
    assert short_label("RGPD art. 32 — sécurité du traitement") == "RGPD art. 32"
    guide = "CNIL — Guide de la sécurité des données personnelles 2024, fiche 4 « Authentifier »"
    assert short_label(guide) == "CNIL — Guide de la sécurité des données…"
    assert short_label("ANS — MSSanté, messageries sécurisées de santé") == "ANS — MSSanté"


def test_card_references_name_the_basis_once_and_secondary_texts_by_identifier(
    make_result: MakeResult,
) -> None:
    basis = Reference(label="RGPD art. 32 — sécurité du traitement", url="https://ex.fr/32")
    guide = Reference(
        label="CNIL — Guide de la sécurité des données personnelles 2024, fiche 4 « Authentifier »"
    )
    rfc = Reference(label="RFC 8461 — SMTP MTA Strict Transport Security (MTA-STS)")
    finding = _failed("a.check", Severity.HIGH, Basis.OBLIGATION, "messagerie").model_copy(
        update={"basis_reference": basis, "references": [basis, guide, rfc]}
    )
    html = render_html(make_result(findings=[finding]))
    card = html.split('id="constat-1"', 1)[1].split('<div class="finding-refs">', 1)[1]
    refs = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", card.split("</div>", 1)[0])).strip()
    # The basis in full, once; a publisher's document keeps its title, an RFC its number.
    assert refs.count("RGPD art. 32") == 1 and "sécurité du traitement" in refs
    assert str(escape(guide.label)) in refs
    assert "RFC 8461" in refs and "Strict Transport" not in refs


def test_citation_labels_keep_what_identifies_the_text() -> None:
    assert citation_label("RGPD art. 32 — sécurité du traitement") == "RGPD art. 32"
    assert citation_label("Code de la santé publique, art. L.1111-8 — HDS") == (
        "Code de la santé publique, art. L.1111-8"
    )
    guide = "CNIL — Guide de la sécurité des données personnelles 2024, fiche 4 « Authentifier »"
    assert citation_label(guide) == guide


def test_empty_parts_follow_on_instead_of_leaving_blank_pages(
    make_result: MakeResult, result: AuditResult
) -> None:
    passing = [f.model_copy(update={"status": Status.PASS}) for f in result.findings[:2]]
    html = render_html(make_result(findings=passing))
    assert '<section class="plan brief"' in html
    assert '<section class="findings brief"' in html
    assert "Aucun point à traiter" in html
    full = render_html(result)
    assert '<section class="plan"' in full and '<section class="findings"' in full
