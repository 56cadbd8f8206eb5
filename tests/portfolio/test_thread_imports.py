"""The first audits of a fresh process, started together, never import on threads at once.

On Python 3.11, two threads inside `ast.parse` at the same moment can make one of them fail
with « AST constructor recursion depth mismatch »; importing the tool's pydantic models runs
`ast.parse`. A new Dask worker (four threads) failed two of a CI batch's audits that way.
"""

import json
import pickle
import subprocess
import sys
from pathlib import Path

from rgpd_audit.history.location import resolve
from rgpd_audit.lab import Lab
from rgpd_audit.models import Target
from rgpd_audit.practice import PracticeJob

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("fresh_worker.py")


def test_a_fresh_worker_imports_under_the_lock_only(lab: Lab, tmp_path: Path) -> None:
    history = resolve(f"sqlite:///{tmp_path / 'historique.sqlite'}")
    register = ROOT / "questionnaires/exemple-registre.yaml"
    config = lab.run_config(timeout=2.0, register_file=register)
    domains = ["cabinet-conforme.fr", "sans-starttls.fr", "mx-secours.fr", "cert-expire.fr"]
    jobs = [
        PracticeJob(
            target=Target(domain=domain),
            config=config,
            output_dir=tmp_path / domain,
            # One PDF: the renderer's imports (WeasyPrint) are made on a thread too.
            formats=("pdf", "json") if index == 0 else ("html", "json"),
            answers_file=ROOT / "questionnaires/exemple-reponses.yaml",
            history=history,
            check_domain=True,
        )
        for index, domain in enumerate(domains)
    ]
    (tmp_path / "jobs.pickle").write_bytes(pickle.dumps(jobs))
    report_path = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, str(WORKER), str(tmp_path / "jobs.pickle"), str(report_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(report_path.read_text("utf-8"))
    assert [(o["domain"], o["ok"], o["failure"]) for o in report["outcomes"]] == [
        (domain, True, None) for domain in domains
    ]
    assert report["unguarded"] == []
    # The watch saw the imports it guards (pydantic's models parse builtin signatures).
    assert report["guarded"] > 0
