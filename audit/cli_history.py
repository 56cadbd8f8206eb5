"""`rgpd-audit history | diff | db upgrade`, and the history as `run` and `demo` use it.

`--db` (`DbOpt`) and `resolve_history` are what any command that reads or writes the
history shares. Only typer is imported at start-up: SQLAlchemy and Alembic load inside the
commands, so that `rgpd-audit --help` stays instant.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from rgpd_audit.cli_common import EXIT_HISTORY, OutputFormat, fail, input_errors
from rgpd_audit.cli_french import FrenchGroup, FrenchTyper

if TYPE_CHECKING:
    from rgpd_audit.history.location import HistoryLocation
    from rgpd_audit.history.store import HistoryStore
    from rgpd_audit.models import AuditResult

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="URL",
        envvar="RGPD_AUDIT_DB",
        show_default=False,
        help="Base d'historique partagée : postgresql://utilisateur@serveur/base (défaut : "
        "$RGPD_AUDIT_DB, sinon un fichier SQLite dans le dossier de données de l'utilisateur).",
    ),
]
NoHistoryOpt = Annotated[
    bool, typer.Option("--no-history", help="N'enregistre pas cet audit dans l'historique.")
]
DemoOpt = Annotated[
    bool, typer.Option("--demo", help="L'historique des démonstrations (rgpd-audit demo).")
]
FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", show_default=False, help="text (lecture, défaut) ou json."),
]


def resolve_history(db: str | None, *, demo: bool = False) -> HistoryLocation:
    """The history `--db` designates, else the consultant's configuration (`[defaults] db`),
    else the personal SQLite file; `InputError` (exit 2) for an unusable URL or file."""
    from rgpd_audit.history.location import resolve

    if db is None and not demo:
        from rgpd_audit.consultant_config import load_config

        db = load_config(None).db
    return resolve(db, demo=demo)


@contextmanager
def history_errors() -> Iterator[None]:
    """`HistoryUnavailable` as one French line and exit code 4."""
    from rgpd_audit.history.errors import HistoryUnavailable

    try:
        yield
    except HistoryUnavailable as exc:
        fail(str(exc), EXIT_HISTORY)


def open_store(location: HistoryLocation) -> HistoryStore:
    """The store at `location`, or exit 4 with the reason."""
    from rgpd_audit.history.store import HistoryStore

    with history_errors():
        return HistoryStore.open(location)


class _HistoryGroup(FrenchGroup):
    """`history [DOMAINE]` next to `history purge`: a bare word that is no subcommand is the
    domain (click would otherwise take `purge` for a domain, or a domain for a command)."""

    _TAKES_VALUE = frozenset({"--db", "--format"})

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        args = list(args)
        index = 0
        while index < len(args):
            token = args[index]
            if token in self._TAKES_VALUE:
                index += 2
                continue
            if token.startswith("-"):
                index += 1
                continue
            if token not in self.commands:
                args[index : index + 1] = ["--domaine", token]
            break
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return ["[DOMAINE]", *super().collect_usage_pieces(ctx)]


history_app = FrenchTyper(
    cls=_HistoryGroup,
    subcommand_metavar="[purge OPTIONS]",
    help="Historique des audits : la liste (d'un cabinet avec DOMAINE), et « purge » pour "
    "effacer les anciens.",
)
db_app = FrenchTyper(help="Base d'historique : création et mise à jour.", no_args_is_help=True)


@history_app.callback(invoke_without_command=True)
def history(
    ctx: typer.Context,
    domain: Annotated[str | None, typer.Option("--domaine", hidden=True)] = None,
    output_format: FormatOpt = OutputFormat.TEXT,
    db: DbOpt = None,
    demo: DemoOpt = False,
) -> None:
    """Audits enregistrés : date, conformité, note de sécurité, points non conformes."""
    ctx.obj = {"db": db, "demo": demo}
    if ctx.invoked_subcommand is not None:
        return
    with input_errors():
        from rgpd_audit.config import normalize_domain

        location = resolve_history(db, demo=demo)
        wanted = normalize_domain(domain) if domain else None
    store = open_store(location)
    with history_errors():
        entries = store.entries(wanted)
    if output_format is OutputFormat.JSON:
        typer.echo(
            json.dumps([e.model_dump(mode="json") for e in entries], indent=2, ensure_ascii=False)
        )
        return
    from rgpd_audit.history.show import render_entries

    typer.echo(render_entries(entries, wanted))


@history_app.command()
def purge(
    ctx: typer.Context,
    before: Annotated[
        str | None,
        typer.Option(
            "--before",
            metavar="DATE",
            help="Efface les audits antérieurs à cette date (AAAA-MM-JJ).",
        ),
    ] = None,
    domain: Annotated[
        str | None,
        typer.Option("--domain", "-d", metavar="DOMAINE", help="Efface les audits de ce cabinet."),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Sans confirmation (obligatoire hors d'un terminal).")
    ] = False,
    db: DbOpt = None,
    demo: DemoOpt = False,
) -> None:
    """Efface définitivement des audits de l'historique (données des clients : minimisation)."""
    parent = ctx.obj or {}
    with input_errors():
        from rgpd_audit.config import normalize_domain
        from rgpd_audit.errors import InputError

        if before is None and domain is None:
            raise InputError("indiquez --before DATE et/ou --domain DOMAINE")
        cutoff = _parse_date(before) if before else None
        wanted = normalize_domain(domain) if domain else None
        location = resolve_history(db or parent.get("db"), demo=demo or parent.get("demo", False))
        if not yes and not sys.stdin.isatty():
            raise InputError("effacement sans terminal : ajoutez --yes pour confirmer")
    store = open_store(location)
    with history_errors():
        count = store.purge(before=cutoff, domain=wanted, dry_run=True)
    what = " et ".join(
        part
        for part in (
            f"antérieurs au {before}" if before else "",
            f"de {wanted}" if wanted else "",
        )
        if part
    )
    if count == 0:
        typer.echo(f"Aucun audit {what} dans l'historique.")
        return
    if not yes and not typer.confirm(
        f"{count} audit(s) {what} seront effacés définitivement de {location.label}. Confirmer ?",
        default=False,
    ):
        typer.echo("Rien n'a été effacé.", err=True)
        raise typer.Exit(1)
    with history_errors():
        deleted = store.purge(before=cutoff, domain=wanted)
    typer.echo(f"{deleted} audit(s) effacé(s) de l'historique.")


def diff(
    old: Annotated[
        str,
        typer.Argument(
            metavar="ANCIEN", help="Numéro d'audit dans l'historique, ou fichier audit.json."
        ),
    ],
    new: Annotated[
        str,
        typer.Argument(
            metavar="NOUVEAU", help="Numéro d'audit dans l'historique, ou fichier audit.json."
        ),
    ],
    output_format: FormatOpt = OutputFormat.TEXT,
    db: DbOpt = None,
    demo: DemoOpt = False,
) -> None:
    """Compare deux audits : points corrigés, nouveaux, persistants, et évolution du verdict."""
    from rgpd_audit.history.diff import compare

    with input_errors():
        location = resolve_history(db, demo=demo)
        needs_store = old.isdigit() or new.isdigit()
    store = open_store(location) if needs_store else None
    before, old_label = _audit(old, store)
    after, new_label = _audit(new, store)
    result = compare(before, after)
    if output_format is OutputFormat.JSON:
        typer.echo(result.model_dump_json(indent=2))
        return
    from rgpd_audit.history.show import render_diff

    typer.echo(render_diff(result, old_label, new_label))


@db_app.command()
def upgrade(db: DbOpt = None) -> None:
    """Crée la base d'historique ou met son schéma à jour (à lancer après une mise à jour)."""
    with input_errors():
        location = resolve_history(db)
    from rgpd_audit.history.connect import create_history_engine, unavailable_as
    from rgpd_audit.history.migrate import HEAD
    from rgpd_audit.history.migrate import upgrade as run_upgrade

    with history_errors(), unavailable_as(location):
        before = run_upgrade(create_history_engine(location))
    if before == HEAD:
        typer.echo(f"Base d'historique déjà à jour (révision {HEAD}) : {location.label}")
    else:
        typer.echo(f"Base d'historique à jour (révision {HEAD}) : {location.label}")


def _audit(reference: str, store: HistoryStore | None) -> tuple[AuditResult, str]:
    """An audit named on the command line: a history number, or an audit.json file."""
    if reference.isdigit():
        assert store is not None
        with history_errors():
            found = store.load(int(reference))
        if found is None:
            fail(f"aucun audit n° {reference} dans l'historique ({store.location.label})")
        return found, f"audit n° {reference}"
    from rgpd_audit.audit_file import load_audit_result

    with input_errors():
        return load_audit_result(Path(reference)), Path(reference).name


def _parse_date(text: str) -> datetime:
    from rgpd_audit.errors import InputError

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--before : date invalide « {text} » (attendu : AAAA-MM-JJ)") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
