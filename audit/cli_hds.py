"""`rgpd-audit hds`: the list of certified health data hosts (HDS): update, list, search.

Exit codes: 0 success (for `search`, at least one certain match), 1 no certain match, 2 bad
input or failed update (one French line; the previous list is then kept). Only typer is
imported at start-up.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rgpd_audit.cli_common import OutputFormat, fail, input_errors
from rgpd_audit.cli_french import FrenchTyper

if TYPE_CHECKING:
    from rgpd_audit.hds.matching import Match
    from rgpd_audit.hds.model import CertifiedHost
    from rgpd_audit.hds.store import ListInUse

EXIT_NO_MATCH = 1

hds_app = FrenchTyper(
    help="Liste des hébergeurs certifiés de données de santé (HDS) : mise à jour depuis l'ANS, "
    "consultation et recherche d'un prestataire.",
    no_args_is_help=True,
)


DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        metavar="DOSSIER",
        help="Dossier de la liste téléchargée (défaut : $RGPD_AUDIT_DATA_DIR, sinon le dossier "
        "de données de l'utilisateur).",
    ),
]
FormatOpt = Annotated[
    OutputFormat, typer.Option("--format", help="Format de sortie : text ou json.")
]


@hds_app.command("update")
def update(
    url: Annotated[
        str | None,
        typer.Option(
            "--url",
            metavar="URL",
            help="Adresse du fichier CSV ou XLSX de la liste (défaut : l'adresse usuelle de la "
            "liste de l'ANS, https://esante.gouv.fr/offres-services/hds/liste-des-hebergeurs-"
            "certifies, non vérifiée : ce peut être une page web et non un fichier).",
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            metavar="FICHIER",
            help="Fichier CSV ou XLSX de la liste déjà téléchargé depuis le site de l'ANS.",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option(metavar="SECONDES", help="Délai maximal de chaque attente réseau.")
    ] = 30.0,
    data_dir: DataDirOpt = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Sans barre de progression.")
    ] = False,
) -> None:
    """Télécharge la liste des hébergeurs certifiés, la vérifie et remplace la liste locale."""
    from rgpd_audit.errors import InputError
    from rgpd_audit.hds.download import DEFAULT_URL, DownloadError, download
    from rgpd_audit.hds.store import save_list
    from rgpd_audit.hds.tabular import TableError, parse_host_table

    if url and file:
        fail("--url et --file s'excluent : choisissez l'un des deux")
    if not 0 < timeout <= 300:
        fail("--timeout : durée en secondes attendue, entre 0 et 300")
    if data_dir is not None:
        from rgpd_audit.paths import output_dir

        with input_errors():
            output_dir(data_dir, "--data-dir")
    previous = _previous(data_dir)
    # A local export is named by its file name: the report must not show the auditor's disk.
    source = file.name if file else url or DEFAULT_URL
    try:
        if file:
            data = _read_file(file)
        else:
            if not quiet:
                typer.echo(f"Téléchargement de {source}…", err=True)
            data = download(
                source,
                timeout=timeout,
                deadline=10 * timeout,
                progress=None if quiet else _progress,
            )
            if not quiet:
                typer.echo("", err=True)
        hosts = parse_host_table(data, source, dt.date.today().isoformat())
        path = save_list(hosts, data_dir)
    except DownloadError as exc:
        fail(f"téléchargement impossible : {exc} ; {previous}")
    except TableError as exc:
        fail(f"{source} : liste illisible, {exc} ; {previous}")
    except InputError as exc:
        fail(f"{exc} ; {previous}")
    except OSError as exc:
        from rgpd_audit.paths import os_error_text

        fail(f"{exc.filename or 'liste'} : {os_error_text(exc)} ; {previous}")
    typer.echo(
        f"{len(hosts.hosts)} hébergeurs certifiés enregistrés dans {path} "
        f"(source {source}, relevée le {hosts.snapshot.retrieved})."
    )


@hds_app.command("list")
def list_hosts(output_format: FormatOpt = OutputFormat.TEXT, data_dir: DataDirOpt = None) -> None:
    """Affiche la liste des hébergeurs certifiés utilisée par l'outil, et sa date."""
    in_use = _in_use(data_dir)
    if output_format is OutputFormat.JSON:
        payload = {
            "list": _list_json(in_use),
            "hosts": [_host_json(h) for h in in_use.hosts.hosts],
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    typer.echo(f"Liste utilisée : {in_use.describe()}")
    for host in in_use.hosts.hosts:
        _print_host(host)


@hds_app.command("search")
def search(
    name: Annotated[str, typer.Argument(metavar="NOM", help="Nom du prestataire à rechercher.")],
    output_format: FormatOpt = OutputFormat.TEXT,
    data_dir: DataDirOpt = None,
) -> None:
    """Cherche un prestataire dans la liste des hébergeurs certifiés (code 0 si trouvé sûrement)."""
    from rgpd_audit.hds.catalogs import matching_rules
    from rgpd_audit.hds.matching import Matcher

    if not name.strip():
        fail("nom à rechercher vide")
    in_use = _in_use(data_dir)
    with input_errors():
        rules = matching_rules()
    matcher = Matcher(in_use.hosts.hosts, rules)
    matches = matcher.search(name)
    today = dt.date.today()
    found = any(m.certain and not m.host.expired(today) for m in matches)
    if output_format is OutputFormat.JSON:
        payload = {
            "query": name,
            "certain_match": found,
            "list": _list_json(in_use),
            "matches": [_match_json(m, today) for m in matches],
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        _print_matches(name, matches, in_use, today)
    if not found:
        raise typer.Exit(EXIT_NO_MATCH)


def _print_matches(name: str, matches: list[Match], in_use: ListInUse, today: dt.date) -> None:
    from rgpd_audit.text import printable

    typer.echo(f"Liste utilisée : {in_use.describe()}")
    if not matches:
        absent = (
            "absent de la liste : ce prestataire n'est pas un hébergeur certifié HDS"
            if in_use.hosts.snapshot.complete
            else "absent de cet extrait partiel, ce qui ne prouve rien"
        )
        typer.echo(f"« {printable(name)} » : {absent}.")
        return
    typer.echo(f"« {printable(name)} » : {len(matches)} correspondance(s).")
    for match in matches:
        _print_host(match.host)
        typer.echo(f"    Correspondance : {_verdict(match, today)} — {match.explanation}")


def _verdict(match: Match, today: dt.date) -> str:
    if match.certain and match.host.expired(today):
        return "certaine, mais certificat expiré"
    if match.certain:
        return "certaine"
    if match.name_certain:
        return (
            "incertaine : d'après la déclaration du fournisseur, à confirmer dans la liste de l'ANS"
        )
    return "incertaine, à vérifier"


def _print_host(host: CertifiedHost) -> None:
    from rgpd_audit.hds.catalogs import activity_text
    from rgpd_audit.text import printable

    names = f" ({', '.join(host.trade_names)})" if host.trade_names else ""
    typer.echo(f"- {printable(host.legal_name + names)}")
    validity = []
    if host.valid_from:
        validity.append(f"du {host.valid_from:%d/%m/%Y}")
    if host.valid_until:
        validity.append(f"au {host.valid_until:%d/%m/%Y}")
    details = [
        activity_text(host.activities),
        f"validité {' '.join(validity)}" if validity else "validité non précisée",
    ]
    if host.referential:
        details.append(f"référentiel {host.referential}")
    if host.certification_body:
        details.append(f"certificateur {host.certification_body}")
    typer.echo(f"    {printable(' ; '.join(details))}")
    if host.scope:
        typer.echo(f"    Périmètre : {printable(host.scope)}")
    origin = "liste de l'ANS" if host.verified else "déclaration du fournisseur (non vérifiée)"
    typer.echo(f"    Source : {origin}, {printable(host.source)}")


def _list_json(in_use: ListInUse) -> dict[str, Any]:
    snapshot = in_use.hosts.snapshot
    return {
        "source": snapshot.source,
        "retrieved": snapshot.retrieved,
        "complete": snapshot.complete,
        "path": str(in_use.path) if in_use.path else None,
        "description": in_use.describe(),
    }


def _host_json(host: CertifiedHost) -> dict[str, Any]:
    return host.model_dump(mode="json")


def _match_json(match: Match, today: dt.date) -> dict[str, Any]:
    return {
        **_host_json(match.host),
        "expired": match.host.expired(today),
        "match": match.kind.value,
        "matched_name": match.matched_name,
        "certain": match.certain,
        "explanation": match.explanation,
    }


def _in_use(data_dir: Path | None) -> ListInUse:
    from rgpd_audit.hds.store import current_list

    with input_errors():
        in_use = current_list(data_dir)
    return in_use


def _previous(data_dir: Path | None) -> str:
    from rgpd_audit.errors import InputError
    from rgpd_audit.hds.store import current_list

    try:
        in_use = current_list(data_dir)
    except InputError:
        return "la liste locale précédente, illisible, n'a pas été modifiée"
    if in_use.path is None:
        return "l'extrait partiel fourni avec l'outil reste utilisé"
    return f"la liste précédente est conservée ({in_use.hosts.snapshot.retrieved})"


def _read_file(path: Path) -> bytes:
    from rgpd_audit.errors import InputError
    from rgpd_audit.hds.download import MAX_BYTES
    from rgpd_audit.paths import input_file, os_error_text

    try:
        input_file(path, "--file")
    except InputError as exc:
        fail(str(exc))
    if path.stat().st_size > MAX_BYTES:
        fail(f"--file {path} : fichier trop volumineux")
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(f"--file {path} : fichier illisible ({os_error_text(exc)})")


def _progress(received: int, total: int | None) -> None:
    done = f"{received / 1024:.0f} Kio"
    if total:
        done += f" sur {total / 1024:.0f} Kio ({100 * received // total} %)"
    sys.stderr.write(f"\r  {done}   ")
    sys.stderr.flush()
