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


def test_no_option_name_in_what_to_do_about_an_undecided_control(result: AuditResult) -> None:
    # « Pour lever l'incertitude » speaks to the practice and its providers, for every
    # reason a control may stay undecided: no command-line option (it told them to rerun
    # « avec --allow-private-addresses » when a domain pointed at an internal address).
    from typing import get_args

    from rgpd_audit.errors import ErrorReason
    from rgpd_audit.models import ErrorInfo, Finding, Severity, Status

    undecided = [
        Finding(
            check_id=f"mail.test.{reason}",
            title=f"Contrôle d'essai ({reason})",
            status=Status.INDETERMINATE,
            severity=Severity.HIGH,
            category="messagerie",
            summary="Le contrôle n'a pas pu conclure.",
            remediation="Corrigez la configuration.",
            error=ErrorInfo(reason=reason, message="non conclu"),
        )
        for reason in get_args(ErrorReason)
    ]
    text = _visible(render_html(result.model_copy(update={"findings": undecided})))
    assert "Pour lever l'incertitude".upper() in text.upper()
    assert not re.findall(r"(?<![\w-])--[a-z][a-z-]+", text)


def test_profile_in_words_on_the_cover_of_an_audit_saved_without_it(
    result: AuditResult,
) -> None:
    # An audit.json from before the profile was recorded in words (or edited) has only the
    # profile's id: the cover printed « cabinet-groupe ». It is worded at render time.
    target = result.target.model_copy(update={"profile": "cabinet-groupe"})
    text = _visible(render_html(result.model_copy(update={"target": target})))
    assert "Cabinet de groupe ou maison de santé" in text
    assert "cabinet-groupe" not in text
    unknown = result.target.model_copy(update={"profile": "kine"})
    assert "Profil kine" in _visible(render_html(result.model_copy(update={"target": unknown})))


def _check_error_texts() -> list[tuple[str, int, str]]:
    """Every string written into a `CheckError`: it becomes a finding's error text, printed in
    the client's report (« Non évalué — … »)."""
    import ast

    import rgpd_audit
    import rgpd_audit.checks

    # The checks' folder too: an editable install maps rgpd_audit.checks to checks/.
    folders = {
        Path(folder) for package in (rgpd_audit, rgpd_audit.checks) for folder in package.__path__
    }
    paths = sorted({path for folder in folders for path in folder.rglob("*.py")})
    texts = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            callee = getattr(node, "func", None)
            name = getattr(callee, "id", None) or getattr(callee, "attr", None)
            if isinstance(node, ast.Call) and name == "CheckError":
                for arg in ast.walk(node):
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        texts.append((path.name, arg.lineno, arg.value))
    return texts


def test_no_option_name_in_the_error_texts_a_report_prints() -> None:
    texts = _check_error_texts()
    # The walk found the package's error texts, the checks' own among them.
    assert len(texts) > 20 and {"hds.py", "mta_sts.py"} <= {name for name, _, _ in texts}
    assert not [t for t in texts if re.search(r"--[a-z]", t[2])]
