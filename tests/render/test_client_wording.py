"""A client document speaks to the client: no internal ids, option names or project wording."""

import re
from pathlib import Path

import pytest

from rgpd_audit.models import AuditResult
from rgpd_audit.render import render_html


@pytest.fixture(scope="module")
def demo_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("demo")
    exe = str(Path(sys.executable).with_name("rgpd-audit"))
    done = subprocess.run(
        [exe, "demo", "-o", str(out), "--format", "json"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    result = AuditResult.model_validate_json((out / "audit.json").read_text())
    return render_html(result)


def _visible(html: str) -> str:
    body = html.split("</style>", 1)[1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


@pytest.mark.parametrize(
    "internal",
    [
        "fiche réglementaire",
        "documents de départ",
        "bibliothèque TLS de l'outil",
        "Questionnaire sante",
        "--email",
        "--timeout",
        "--nameserver",
        "lot ultérieur",
        "rgpd-audit hds",
        "rgpd-audit register",
    ],
)
def test_no_project_wording_in_the_demo_report(demo_html: str, internal: str) -> None:
    assert internal not in _visible(demo_html)


def test_no_question_id_in_the_demo_report(demo_html: str) -> None:
    assert not re.search(r"\bq\.[a-z_]+\.[a-z_]+", _visible(demo_html))
