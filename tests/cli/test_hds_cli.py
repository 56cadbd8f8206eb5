"""`rgpd-audit hds update | list | search` against a real HTTP server on loopback."""

import datetime as dt
import io
import json
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner, Result

from rgpd_audit.cli import app
from rgpd_audit.hds.store import DATA_DIR_ENV, LIST_FILE

# The console script installed beside the interpreter running the tests (.venv/bin), even
# when the virtual environment is not activated; another rgpd-audit on PATH is never used.
EXE = str(Path(sys.executable).with_name("rgpd-audit"))
FUTURE = (dt.date.today() + dt.timedelta(days=400)).strftime("%d/%m/%Y")

GOOD_CSV = (
    "Raison sociale;Nom commercial;Activités;Date de fin de validité;Organisme certificateur\n"
    f"OVH SAS;OVHcloud;1 à 6;{FUTURE};Organisme A\n"
    f"Clever Cloud SAS;;1-6;{FUTURE};Organisme B\n"
    "Ancien Hébergeur SARL;;6;31/12/2020;Organisme A\n"
).encode()


def good_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Liste des hébergeurs certifiés"])
    sheet.append(["Nom", "Activité 1", "Activité 6", "Date de fin"])
    sheet.append(["Sauvegarde Exemple", None, "x", dt.datetime(2099, 1, 31)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Handler(BaseHTTPRequestHandler):
    """Serves the routes of the server it belongs to: path → (status, body, delay)."""

    def do_GET(self) -> None:
        status, body, delay = self.server.routes[self.path]  # type: ignore[attr-defined]
        if delay:
            time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Keep the test output clean."""


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = Server(("127.0.0.1", 0), Handler)
    httpd.routes = {  # type: ignore[attr-defined]
        "/liste.csv": (200, GOOD_CSV, 0),
        "/liste.xlsx": (200, good_xlsx(), 0),
        "/corrompue.csv": (200, b"Ville;Pays\nParis;France\n", 0),
        "/page.html": (200, b"<!doctype html><title>Liste</title>", 0),
        "/erreur": (500, b"boom", 0),
        "/lente": (200, GOOD_CSV, 5),
    }
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The real user data directory is never touched by the tests.
    directory = tmp_path / "donnees"
    monkeypatch.setenv(DATA_DIR_ENV, str(directory))
    return directory


def hds(*args: str) -> Result:
    return CliRunner().invoke(app, ["hds", *args])


def test_update_from_csv_then_search(server: str, data_dir: Path) -> None:
    done = hds("update", "--url", f"{server}/liste.csv")
    assert done.exit_code == 0, done.output
    assert "3 hébergeurs certifiés enregistrés" in done.output
    stored = data_dir / LIST_FILE
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    found = hds("search", "ovhcloud")
    assert found.exit_code == 0, found.output
    assert "certaine" in found.output
    assert f"liste complète du {dt.date.today().isoformat()}, source {server}/liste.csv" in (
        found.output
    )
    listed = json.loads(hds("list", "--format", "json").output)
    assert listed["list"]["complete"] is True
    assert [h["legal_name"] for h in listed["hosts"]][:2] == ["OVH SAS", "Clever Cloud SAS"]


def test_update_from_xlsx(server: str, data_dir: Path) -> None:
    done = hds("update", "--url", f"{server}/liste.xlsx", "--quiet")
    assert done.exit_code == 0, done.output
    payload = json.loads(hds("search", "sauvegarde exemple", "--format", "json").output)
    (match,) = payload["matches"]
    assert (match["activities"], match["valid_until"]) == ([6], "2099-01-31")
    assert match["certain"] is True and payload["certain_match"] is True


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("/corrompue.csv", "colonne « raison sociale » introuvable"),
        ("/page.html", "page web (HTML), pas un tableau CSV ou XLSX"),
        ("/erreur", "le serveur a répondu 500"),
        ("/lente", "pas de réponse du serveur en 0.5 s"),
    ],
)
def test_failed_update_keeps_the_previous_list(
    server: str, data_dir: Path, route: str, message: str
) -> None:
    assert hds("update", "--url", f"{server}/liste.csv").exit_code == 0
    before = (data_dir / LIST_FILE).read_bytes()
    done = hds("update", "--url", f"{server}{route}", "--timeout", "0.5")
    assert done.exit_code == 2
    assert message in done.output
    assert "la liste précédente est conservée" in done.output
    assert (data_dir / LIST_FILE).read_bytes() == before
    assert [p.name for p in data_dir.iterdir()] == [LIST_FILE]


def test_failed_first_update_keeps_the_shipped_extract(server: str, data_dir: Path) -> None:
    done = hds("update", "--url", f"{server}/erreur")
    assert done.exit_code == 2
    assert "l'extrait partiel fourni avec l'outil reste utilisé" in done.output
    assert not (data_dir / LIST_FILE).exists()


def test_update_from_a_local_file(tmp_path: Path, data_dir: Path) -> None:
    exported = tmp_path / "export.csv"
    exported.write_bytes(GOOD_CSV)
    done = hds("update", "--file", str(exported))
    assert done.exit_code == 0, done.output
    assert hds("search", "Clever Cloud").exit_code == 0
    # The report names the export, not where it sat on the auditor's disk.
    stored = next(data_dir.rglob("*.yaml")).read_text()
    assert "export.csv" in stored and str(tmp_path) not in stored


@pytest.mark.parametrize(
    ("query", "code", "expected"),
    [
        ("O.V.H. s.a.s.", 0, "certaine — même nom"),
        ("OVH Healthcare", 0, "certaine — nom commercial connu"),
        ("Clever", 1, "incertaine, à vérifier — noms qui partagent des mots distinctifs"),
        ("Clev", 1, "incertaine, à vérifier — un nom commence par l'autre"),
        ("Ancien Hébergeur", 1, "certaine, mais certificat expiré"),
        ("Doctolib", 1, "absent de la liste : ce prestataire n'est pas un hébergeur certifié"),
    ],
)
def test_search_exit_codes(
    server: str, data_dir: Path, query: str, code: int, expected: str
) -> None:
    assert hds("update", "--url", f"{server}/liste.csv").exit_code == 0
    done = hds("search", query)
    assert done.exit_code == code, done.output
    assert expected in done.output


def test_search_in_the_shipped_extract_is_never_certain(data_dir: Path) -> None:
    done = hds("search", "AWS", "--format", "json")
    assert done.exit_code == 1
    payload = json.loads(done.output)
    assert payload["list"]["complete"] is False
    (match,) = payload["matches"]
    assert match["legal_name"] == "Amazon Web Services"
    assert (match["source_kind"], match["certain"]) == ("vendor_claim", False)
    text = hds("search", "Doctolib")
    assert "absent de cet extrait partiel, ce qui ne prouve rien" in text.output


def test_unreadable_stored_list_is_reported(data_dir: Path) -> None:
    data_dir.mkdir()
    (data_dir / LIST_FILE).write_text("snapshot: [\n", encoding="utf-8")
    done = hds("search", "OVH")
    assert done.exit_code == 2
    assert f"{data_dir / LIST_FILE}, ligne" in done.output


def test_bad_input() -> None:
    assert hds("search", "  ").exit_code == 2
    both = hds("update", "--url", "http://127.0.0.1/x", "--file", "x.csv")
    assert both.exit_code == 2 and "s'excluent" in both.output
    assert "http:// ou https:// attendu" in hds("update", "--url", "ftp://exemple.fr/x").output


def test_console_script(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", DATA_DIR_ENV: str(tmp_path)}
    done = subprocess.run(
        [EXE, "hds", "search", "Scalingo"], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert "d'après la déclaration du fournisseur, à confirmer dans la liste de l'ANS" in (
        done.stdout
    )
