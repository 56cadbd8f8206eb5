"""The report's questionnaire part: per section, the answers and the findings they produced."""

import re
from html import unescape
from pathlib import Path

import pytest

from rgpd_audit.config import RunConfig
from rgpd_audit.models import Target
from rgpd_audit.questionnaire import Answers, AnswersMeta, load_questionnaire_file
from rgpd_audit.render.html import render_html
from rgpd_audit.runner import QuestionnaireInput, run_audit

DATA = Path(__file__).parent / "data" / "entretien.yaml"


@pytest.fixture(scope="module")
def section_html() -> str:
    questionnaire = load_questionnaire_file(DATA)
    answers = Answers(
        values={
            "q.canaux.whatsapp": "yes",
            "q.canaux.whatsapp_contenu": ["resultats"],
            "q.gouvernance.registre": "a_jour",
            "q.gouvernance.dpo": "<script>alert(1)</script>",
        },
        meta=AnswersMeta(profile="medecin"),
    )
    result = run_audit(
        Target(domain="cabinet-test.fr", profile="medecin"),
        RunConfig(),
        [],
        QuestionnaireInput(questionnaire, answers),
    )
    html = render_html(result)
    start = html.index('<section class="questionnaire"')
    return html[start : html.index("</section>", start)]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_sections_in_questionnaire_order_with_their_answers(section_html: str) -> None:
    titles = re.findall(r'<tr class="group-row"><td colspan="3">([^<]+)</td></tr>', section_html)
    assert titles == [
        "Canaux de communication",
        "Gouvernance",
        "Questions restées sans réponse",
    ]
    text = _text(section_html)
    canaux = text[text.index("Canaux de communication") : text.index("Gouvernance")]
    # The client reads the question, never its internal id.
    assert "Utilisez-vous WhatsApp avec vos patients ? Oui question de tri" in canaux
    assert "q.canaux" not in text
    assert "Qu'y échangez-vous ? Résultats d'examens non conforme n° 1" in canaux


def test_each_answer_shows_the_finding_it_produced(section_html: str) -> None:
    text = _text(section_html)
    gouvernance = text[text.index("Gouvernance") : text.index("Questions restées")]
    # Each answer with its result and the number of its finding in the report.
    assert "Tenez-vous un registre des traitements ? Oui, à jour conforme n° 3" in gouvernance
    unanswered = text[text.index("Questions restées") :]
    # The scored question left blank is listed with its « non évalué » finding.
    assert "Disposez-vous d'une boîte MSSanté ? sans réponse non évalué n° 2" in unanswered


def test_answers_are_escaped(section_html: str) -> None:
    assert "<script>" not in section_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section_html
