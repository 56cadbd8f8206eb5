"""`rgpd-audit batch CLIENTS`: audit every practice of a client list (portfolio mode).

Only typer is imported at start-up: the audit, the executors and Dask load inside the
command, so that `rgpd-audit --help` stays instant.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rgpd_audit.cli_common import EXIT_INPUT, fail, input_errors
from rgpd_audit.cli_history import DbOpt, NoHistoryOpt, resolve_history
from rgpd_audit.cli_options import (
    AllowPrivateAddressesOpt,
    CaFileOpt,
    DeadlineOpt,
    DkimSelectorOpt,
    NameserverOpt,
    OnlyOpt,
    PortOpt,
    SkipOpt,
    SmtpPortOpt,
    TimeoutOpt,
    TrustAnchorOpt,
    network_config,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from rgpd_audit.net.sharing import SharedNetwork
    from rgpd_audit.portfolio.plan import BatchSettings
    from rgpd_audit.portfolio.state import BatchState
    from rgpd_audit.practice import PracticeJob, PracticeOutcome

#: Practices audited at the same time by default. Each audit mostly waits on the network
#: (resolver, distant MX): four at a time left a batch bound by latency. More parallel
#: audits cost the servers nothing more, as --max-rate and --max-dns-rate pace every
#: connection and every query whatever this number; it bounds this machine's threads (each
#: audit runs its checks on up to 16) and memory. On the lab benchmark (2 shared cores, 20 ms
#: per DNS answer) throughput is flat from 8 to 16 and drops past 32, the CPU being the limit.
DEFAULT_JOBS = 16
#: Exit code when the batch ran to its end but some practices could not be audited.
EXIT_SOME_FAILED = 1
EXIT_INTERRUPTED = 130


class Executor(StrEnum):
    """Where the practices are audited."""

    LOCAL = "local"
    DASK = "dask"


def batch(
    clients: Annotated[
        Path,
        typer.Argument(
            metavar="CLIENTS",
            help="Liste des cabinets (CSV ou XLSX) : colonnes domaine, nom, emails, profil, "
            "reponses, registre, inventaire.",
        ),
    ],
    output: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DOSSIER",
            help="Dossier du lot : un sous-dossier par cabinet, summary.csv, summary.xlsx, "
            "portefeuille.pdf (défaut : rgpd-audit-portefeuille-AAAA-MM-JJ).",
        ),
    ] = None,
    formats: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="FORMATS",
            show_default=False,
            help="Formats produits pour chaque cabinet (défaut : pdf,html,json) ; sans pdf, "
            "pas de portefeuille.pdf.",
        ),
    ] = "pdf,html,json",
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            show_default=False,
            help=f"Cabinets audités en même temps (défaut : {DEFAULT_JOBS} ; avec Dask, deux "
            "par fil de calcul du cluster).",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume", help="Reprend un lot interrompu : les audits terminés ne sont pas refaits."
        ),
    ] = False,
    max_rate: Annotated[
        float,
        typer.Option(
            "--max-rate",
            metavar="N",
            show_default=False,
            help="Connexions par seconde au plus vers une même adresse de serveur (MX, IMAP…), "
            "pour tout le lot (défaut : 5).",
        ),
    ] = 5.0,
    max_dns_rate: Annotated[
        float,
        typer.Option(
            "--max-dns-rate",
            metavar="N",
            show_default=False,
            help="Requêtes DNS par seconde au plus vers un même résolveur (défaut : 500).",
        ),
    ] = 500.0,
    executor: Annotated[
        Executor,
        typer.Option(
            "--executor",
            show_default=False,
            help="local (défaut : ce poste) ou dask (un cluster Dask existant, --scheduler).",
        ),
    ] = Executor.LOCAL,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            metavar="URL",
            help="Ordonnanceur Dask (ex. tcp://10.0.0.5:8786), avec --executor dask.",
        ),
    ] = None,
    timeout: TimeoutOpt = 10.0,
    deadline: DeadlineOpt = 180.0,
    nameserver: NameserverOpt = None,
    ca_file: CaFileOpt = None,
    smtp_port: SmtpPortOpt = 25,
    port: PortOpt = None,
    dkim_selector: DkimSelectorOpt = None,
    trust_anchor: TrustAnchorOpt = None,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    allow_private_addresses: AllowPrivateAddressesOpt = False,
    db: DbOpt = None,
    no_history: NoHistoryOpt = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="N'affiche que les erreurs.")
    ] = False,
) -> None:
    """Audite tous les cabinets d'une liste (portefeuille) : reprise, synthèse, rapport."""
    with input_errors():
        from rgpd_audit import preflight
        from rgpd_audit.errors import InputError
        from rgpd_audit.portfolio import clients as client_list
        from rgpd_audit.portfolio.executor import Politeness
        from rgpd_audit.portfolio.plan import BatchSettings
        from rgpd_audit.portfolio.state import BatchState
        from rgpd_audit.runner import plan

        chosen = preflight.parse_formats(formats)
        config = network_config(
            timeout=timeout,
            deadline=deadline,
            nameserver=nameserver,
            ca_file=ca_file,
            smtp_port=smtp_port,
            port=port,
            dkim_selector=dkim_selector,
            trust_anchor=trust_anchor,
            only=only,
            skip=skip,
            allow_private_addresses=allow_private_addresses,
        )
        plan(config)
        if jobs is not None and not 1 <= jobs <= 256:
            raise InputError("--jobs : nombre entier entre 1 et 256 attendu")
        for option, rate in (("--max-rate", max_rate), ("--max-dns-rate", max_dns_rate)):
            if not 0 < rate <= 100_000:
                raise InputError(f"{option} : nombre positif attendu (par seconde)")
        if executor is Executor.DASK:
            _check_dask(scheduler)
        elif scheduler:
            raise InputError("--scheduler ne s'emploie qu'avec --executor dask")
        root = preflight.usable_output(
            output
            if output is not None
            else Path(f"rgpd-audit-portefeuille-{date.today():%Y-%m-%d}")
        )
        history = None if no_history else resolve_history(db)
        state = BatchState(root)
        if state.exists() and not resume:
            raise InputError(
                f"le dossier {root} contient déjà un lot : --resume pour le reprendre (les "
                "audits terminés ne sont pas refaits), ou un autre dossier avec --output"
            )
    total = _validate_list(clients)
    settings = BatchSettings(config=config, root=root, formats=tuple(chosen), history=history)
    politeness = Politeness(max_rate, max_dns_rate)
    shared = politeness.shared_network()
    with input_errors():
        # Once for the batch: a dead resolver is the network's fault, not every practice's.
        # This first query already counts in the resolver's pace (--max-dns-rate).
        from rgpd_audit.net.sharing import resolver_key

        shared.before_dns_query(resolver_key(config.nameservers))
        preflight.usable_resolver(config)
    if history is not None:
        from rgpd_audit.cli_history import open_store

        open_store(history)
    state.prepare()
    already = sum(1 for row in client_list.rows(clients) if state.finished(row.domain))
    if already and not quiet:
        typer.echo(f"Reprise : {already} audit(s) déjà terminé(s) sur {total}, non refaits.")
    from rgpd_audit.portfolio.progress import BatchProgress

    try:
        with BatchProgress(total, already, quiet) as progress:

            def finished(outcome: PracticeOutcome) -> None:
                # Recorded first: from here on, Ctrl-C or a crash cannot cost this audit.
                state.record(outcome)
                progress.advance(outcome)

            todo = _jobs(clients, settings, state)
            with input_errors():
                if executor is Executor.DASK:
                    from rgpd_audit.portfolio.executor import run_dask

                    run_dask(todo, scheduler or "", jobs, politeness, finished)
                else:
                    from rgpd_audit.portfolio.executor import run_local

                    run_local(todo, jobs or DEFAULT_JOBS, shared, finished)
    except KeyboardInterrupt:
        typer.echo(
            f"Lot interrompu : les audits terminés sont conservés dans {root} ; relancez la même "
            "commande avec --resume pour finir les autres.",
            err=True,
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None
    failures = _write_outputs(clients, settings, state, quiet)
    if not quiet:
        _closing_line(total, failures, shared if executor is Executor.LOCAL else None)
    if failures:
        raise typer.Exit(EXIT_SOME_FAILED)


def _check_dask(scheduler: str | None) -> None:
    from rgpd_audit.errors import InputError

    if not scheduler:
        raise InputError(
            "--executor dask : indiquez l'ordonnanceur avec --scheduler tcp://HÔTE:8786"
        )
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(
            "--executor dask : Dask n'est pas installé ; installez l'extra avec "
            "pip install '.[dask]' (ou pip install 'rgpd-audit[dask]')"
        ) from None


def _validate_list(clients: Path) -> int:
    """Check the whole client list before anything starts; exit 2 listing every error."""
    from rgpd_audit.portfolio.clients import ClientListError, validate

    try:
        with input_errors():
            return validate(clients)
    except ClientListError as exc:
        from rgpd_audit.text import printable

        for message in exc.messages:
            typer.echo(f"Erreur : {printable(message)}", err=True)
        raise typer.Exit(EXIT_INPUT) from None


def _jobs(clients: Path, settings: BatchSettings, state: BatchState) -> Iterator[PracticeJob]:
    """The practices still to audit, read from the list one at a time (never all in memory)."""
    from rgpd_audit.portfolio.clients import rows
    from rgpd_audit.portfolio.plan import job_for

    for row in rows(clients):
        if not state.finished(row.domain):
            yield job_for(row, settings)


def _write_outputs(clients: Path, settings: BatchSettings, state: BatchState, quiet: bool) -> int:
    """summary.csv, summary.xlsx and the portfolio PDF; return the number of failures."""
    from rgpd_audit.paths import os_error_text
    from rgpd_audit.portfolio.clients import rows
    from rgpd_audit.portfolio.report import gather, write_portfolio_pdf
    from rgpd_audit.portfolio.summary import write_summaries

    def outcomes() -> Iterator[PracticeOutcome]:
        return state.outcomes(row.domain for row in rows(clients))

    title = f"Portefeuille — {clients.stem}"
    try:
        paths = list(write_summaries(outcomes(), settings.root))
        figures = gather(outcomes())
        if "pdf" in settings.formats:
            paths.append(write_portfolio_pdf(figures, settings.root, title))
    except OSError as exc:
        fail(f"impossible d'écrire dans {settings.root} : {os_error_text(exc)}")
    if not quiet:
        for path in paths:
            typer.echo(f"  {path}")
    return figures.failure_count


def _closing_line(total: int, failures: int, shared: SharedNetwork | None) -> None:
    done = total - failures
    line = f"Lot terminé : {done} audit(s) terminé(s) sur {total}"
    if failures:
        line += f", {failures} en échec (voir summary.csv ; --resume les relance)"
    if shared is not None and shared.connections:
        line += (
            f" · {sum(shared.connections.values())} connexion(s) pour "
            f"{len(shared.connections)} adresse(s) de serveur"
        )
    typer.echo(line + ".")
