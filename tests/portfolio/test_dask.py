"""`batch --executor dask` on a real Dask cluster (`.ci/run` starts a scheduler and two
workers on loopback and names the scheduler in RGPD_AUDIT_TEST_DASK_SCHEDULER)."""

import csv
import json
import os
from pathlib import Path

import pytest

from tests.portfolio.conftest import client_list

SCHEDULER = os.environ.get("RGPD_AUDIT_TEST_DASK_SCHEDULER")
needs_cluster = pytest.mark.skipif(
    not SCHEDULER,
    reason="Dask non testé : RGPD_AUDIT_TEST_DASK_SCHEDULER absente (bash .ci/run démarre un "
    "ordonnanceur et deux workers de test)",
)


@needs_cluster
def test_dask_cluster_audits_into_the_same_outputs_and_history(
    cli, batch_args: list[str], tmp_path: Path
) -> None:
    (tmp_path / "mauvaises.yaml").write_text("q.inconnue.question: oui\n")
    path = client_list(
        tmp_path,
        [
            "cabinet-conforme.fr;Cabinet Conforme;;;",
            "sans-starttls.fr;;;;",
            "cert-expire.fr;;;;mauvaises.yaml",
            "absent-du-labo.fr;;;;",
            "mx-secours.fr;;;;",
        ],
    )
    out = tmp_path / "lot"
    db = f"sqlite:///{tmp_path / 'historique.sqlite'}"
    done = cli(
        "batch", str(path), *batch_args, "-o", str(out), "--db", db,
        "--executor", "dask", "--scheduler", str(SCHEDULER), timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Lot terminé : 3 audit(s) terminé(s) sur 5, 2 en échec" in done.stdout
    table = list(
        csv.reader((out / "summary.csv").read_text("utf-8-sig").splitlines(), delimiter=";")
    )
    status = {row[1]: row[3] for row in table[1:]}
    assert status == {
        "cabinet-conforme.fr": "terminé", "sans-starttls.fr": "terminé",
        "cert-expire.fr": "échec", "absent-du-labo.fr": "non évalué", "mx-secours.fr": "terminé",
    }  # fmt: skip
    for domain in ("cabinet-conforme.fr", "sans-starttls.fr", "mx-secours.fr"):
        assert json.loads((out / domain / "audit.json").read_text())["complete"] is True
    entries = json.loads(cli("history", "--db", db, "--format", "json").stdout)
    assert sorted(e["domain"] for e in entries) == [
        "cabinet-conforme.fr", "mx-secours.fr", "sans-starttls.fr",
    ]  # fmt: skip

    # --resume on the cluster: only the two failures are tried again.
    again = cli(
        "batch", str(path), *batch_args, "-o", str(out), "--db", db, "--resume",
        "--executor", "dask", "--scheduler", str(SCHEDULER), timeout=300,
    )  # fmt: skip
    assert again.stdout.startswith("Reprise : 3 audit(s) déjà terminé(s) sur 5, non refaits.")
    assert len(json.loads(cli("history", "--db", db, "--format", "json").stdout)) == 3


def test_unreachable_scheduler_is_a_network_error(
    cli, batch_args: list[str], tmp_path: Path
) -> None:
    pytest.importorskip("distributed", reason="extra dask non installé")
    path = client_list(tmp_path, ["cabinet-conforme.fr;;;;"])
    done = cli(
        "batch", str(path), *batch_args, "-o", str(tmp_path / "lot"), "--no-history",
        "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9", timeout=120,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("Erreur : ordonnanceur Dask tcp://127.0.0.1:9 injoignable")
