"""Command line: `rgpd-audit run | demo | render | lab | checks list | schema | questionnaire |
history | diff | db`.

Only typer is imported at start-up; everything heavy (dnspython, WeasyPrint, the lab) is
imported inside the command that needs it, so that `rgpd-audit --help` stays instant.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from rgpd_audit.cli_batch import batch
from rgpd_audit.cli_common import (
    EXIT_HISTORY,
    EXIT_INPUT,
    EXIT_NETWORK,
    OutputFormat,
    fail,
    hide_third_party_warnings,
    input_errors,
)
from rgpd_audit.cli_config import ConfigFileOpt, config_app
from rgpd_audit.cli_french import FrenchTyper, usage_message, use_french_words
from rgpd_audit.cli_hds import hds_app
from rgpd_audit.cli_history import (
    DbOpt,
    NoHistoryOpt,
    db_app,
    diff,
    history_app,
    resolve_history,
)
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
from rgpd_audit.cli_password import password_app
from rgpd_audit.cli_questionnaire import interview_for_run, questionnaire_app
from rgpd_audit.cli_register import register_app

if TYPE_CHECKING:
    from rgpd_audit.config import RunConfig
    from rgpd_audit.consultant_config import LoadedConfig
    from rgpd_audit.headline import Threshold
    from rgpd_audit.history.location import HistoryLocation
    from rgpd_audit.models import AuditResult, Consultant, Target, Verdict
    from rgpd_audit.practice import DeliveredFile
    from rgpd_audit.progress import ProgressObserver
    from rgpd_audit.runner import QuestionnaireInput

app = FrenchTyper(
    name="rgpd-audit",
    help="Audit RGPD/CNIL d'un cabinet de santé : contrôles de la messagerie, questionnaire, "
    "rapport PDF noté.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
checks_app = FrenchTyper(
    help="Contrôles disponibles (intégrés et extensions).", no_args_is_help=True
)
app.add_typer(checks_app, name="checks")
app.add_typer(questionnaire_app, name="questionnaire")
app.add_typer(hds_app, name="hds")
app.add_typer(register_app, name="register")
app.add_typer(password_app, name="password")
app.add_typer(history_app, name="history")
app.add_typer(db_app, name="db")
app.add_typer(config_app, name="config")

EXIT_BELOW_THRESHOLD = 1
EXIT_INTERRUPTED = 130

FormatsOpt = Annotated[
    str,
    typer.Option(
        "--format",
        metavar="FORMATS",
        show_default=False,
        help="Formats produits, séparés par des virgules, parmi pdf, html, json, xlsx, csv "
        "(défaut : pdf,html,json).",
    ),
]
RenderFormatsOpt = Annotated[
    str,
    typer.Option(
        "--format",
        metavar="FORMATS",
        show_default=False,
        help="Formats produits, séparés par des virgules, parmi pdf, html, json, xlsx, csv "
        "(défaut : pdf,html).",
    ),
]
RenderConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="FICHIER",
        help="Configuration du consultant qui signe ce rendu (défaut : l'identité "
        "enregistrée dans l'audit).",
    ),
]
AnnexesOpt = Annotated[
    str,
    typer.Option(
        "--annexes",
        metavar="NIVEAU",
        show_default=False,
        help="Éléments de preuve imprimés : complet, compact (défaut : ceux des points à "
        "traiter, valeurs longues abrégées) ou aucune.",
    ),
]
# Text, not Path: Path("") is "." and `-o ''` must be refused, not mean the current folder.
OutputOpt = Annotated[
    str | None, typer.Option("--output", "-o", metavar="DOSSIER", help="Dossier de sortie.")
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="N'affiche que les erreurs.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Affiche chaque constat.")]


def _version(value: bool) -> None:
    if value:
        from rgpd_audit import __version__

        typer.echo(f"rgpd-audit {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Version de l'outil."),
    ] = False,
) -> None:
    """Audit RGPD/CNIL d'un cabinet de santé."""


@app.command()
def run(
    domain: Annotated[
        str,
        typer.Option(
            "--domain", "-d", metavar="DOMAINE", help="Domaine du cabinet (ex. cabinet-dupont.fr)."
        ),
    ],
    name: Annotated[
        str | None, typer.Option("--name", metavar="NOM", help="Nom du cabinet, pour le rapport.")
    ] = None,
    email: Annotated[
        list[str] | None,
        typer.Option(
            "--email", metavar="ADRESSE", help="Adresse de contact du cabinet (répétable)."
        ),
    ] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FICHIER",
            help="Fichier de réponses au questionnaire (YAML) ; sans cette option, dans un "
            "terminal, l'entretien interactif a lieu avant l'audit.",
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            "--profile",
            metavar="PROFIL",
            help="Profil : medecin, paramedical, cabinet-groupe, telesecretariat.",
        ),
    ] = None,
    output: OutputOpt = None,
    formats: FormatsOpt = "pdf,html,json",
    timeout: TimeoutOpt = 10.0,
    deadline: DeadlineOpt = 180.0,
    nameserver: NameserverOpt = None,
    ca_file: CaFileOpt = None,
    smtp_port: SmtpPortOpt = 25,
    port: PortOpt = None,
    dkim_selector: DkimSelectorOpt = None,
    trust_anchor: TrustAnchorOpt = None,
    register: Annotated[
        Path | None,
        typer.Option(
            "--register",
            metavar="FICHIER",
            help="Registre des traitements (XLSX, ODS, CSV ou YAML) à vérifier.",
        ),
    ] = None,
    inventory: Annotated[
        Path | None,
        typer.Option(
            "--inventory",
            metavar="FICHIER",
            help="Inventaire des prestataires qui détiennent des données de santé (YAML).",
        ),
    ] = None,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    allow_private_addresses: AllowPrivateAddressesOpt = False,
    fail_under: Annotated[
        str | None,
        typer.Option(
            "--fail-under",
            metavar="SEUIL",
            help="Code de sortie 1 sous ce seuil : une lettre de conformité (ex. C) ou une "
            "note de sécurité sur 100 (ex. 80).",
        ),
    ] = None,
    annexes: AnnexesOpt = "compact",
    config_file: ConfigFileOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    db: DbOpt = None,
    no_history: NoHistoryOpt = False,
) -> None:
    """Audite le domaine d'un cabinet et écrit audit.json, report.html et report.pdf."""
    with input_errors():
        from rgpd_audit import preflight
        from rgpd_audit.config import normalize_domain, normalize_email
        from rgpd_audit.models import Target
        from rgpd_audit.practice import load_answers
        from rgpd_audit.runner import plan

        domain_name = normalize_domain(domain)
        chosen = preflight.parse_formats(formats)
        annex_level = preflight.parse_annexes(annexes)
        settings = _settings(config_file)
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
            register=register,
            inventory=inventory,
        )
        threshold = preflight.parse_threshold(fail_under) if fail_under is not None else None
        if config.inventory_file:
            from rgpd_audit.hds.inventory import load_inventory

            load_inventory(config.inventory_file)
        if config.register_file:
            from rgpd_audit.register import load_register

            load_register(config.register_file)
        questionnaire = load_answers(answers, profile) if answers else None
        if profile and not questionnaire:
            preflight.check_profile(profile)
        target = Target(
            domain=domain_name,
            practice_name=name or _meta(questionnaire, "practice_name"),
            emails=[normalize_email(e) for e in email or []],
            # The configuration's default comes last: an answers file names its own profile.
            profile=profile or _meta(questionnaire, "profile") or settings.profile,
        )
        default_dir = Path(f"rgpd-audit-{domain_name}-{date.today():%Y-%m-%d}")
        if settings.output_dir:
            default_dir = settings.output_dir / default_dir
        out = _Output(
            preflight.usable_output(output if output is not None else default_dir),
            chosen,
            quiet,
            verbose,
            threshold,
            None if no_history else resolve_history(db or settings.db),
            annex_level,
            settings,
        )
        # The check selection is refused now, not after the interview.
        plan(config)
        preflight.ensure_domain_exists(domain_name, config)
    if questionnaire is None and sys.stdin.isatty() and sys.stdout.isatty():
        # At a terminal without --answers, the audit asks the questions itself (issue 5).
        questionnaire = interview_for_run(
            profile or settings.profile, out.directory, domain_name, out.history
        )
        target = target.model_copy(update={"profile": _meta(questionnaire, "profile")})
    _audit_and_write(target, config, questionnaire, out)


@app.command()
def demo(
    output: OutputOpt = None,
    formats: FormatsOpt = "pdf,html,json",
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers",
            metavar="FICHIER",
            help="Vos réponses au questionnaire, à la place de celles de l'exemple.",
        ),
    ] = None,
    annexes: AnnexesOpt = "compact",
    config_file: ConfigFileOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
    no_history: NoHistoryOpt = False,
) -> None:
    """Démonstration hors ligne : lance un laboratoire local et audite cabinet-exemple.fr.

    Chaque démonstration est enregistrée dans un historique à part (history --demo).
    """
    with input_errors():
        from rgpd_audit import preflight
        from rgpd_audit.lab import start_lab
        from rgpd_audit.models import Target
        from rgpd_audit.practice import load_answers
        from rgpd_audit.questionnaire import load_example_answers, load_questionnaire
        from rgpd_audit.runner import QuestionnaireInput, plan

        out = _Output(
            preflight.usable_output(output if output is not None else Path("rgpd-audit-demo")),
            preflight.parse_formats(formats),
            quiet,
            verbose,
            None,
            None if no_history else resolve_history(None, demo=True),
            preflight.parse_annexes(annexes),
            _settings(config_file),
        )
        if answers:
            questionnaire = load_answers(answers, None)
        else:
            found = load_questionnaire()
            questionnaire = QuestionnaireInput(found, load_example_answers(found))
    if not quiet:
        typer.echo(
            "Démarrage du laboratoire local (DNS et serveurs SMTP sur 127.0.0.0/8)…", err=True
        )
    from importlib.resources import as_file, files

    # A fictitious register with the usual gaps, so that the demo shows the register checks.
    example_register = files("rgpd_audit.questionnaires") / "exemple-registre.yaml"
    with _lab_errors(), start_lab() as lab, as_file(example_register) as register:
        scenario = lab.scenarios["demo"]
        config = lab.run_config(timeout=5.0, deadline=60.0, register_file=register)
        with input_errors():
            plan(config)
        target = Target(
            domain=scenario.domain,
            practice_name=_meta(questionnaire, "practice_name") or "Cabinet du Dr Exemple",
            emails=[f"contact@{scenario.domain}"],
            profile=_meta(questionnaire, "profile"),
        )
        _audit_and_write(target, config, questionnaire, out)


@app.command()
def lab() -> None:
    """Lance le laboratoire local jusqu'à Ctrl-C, pour essayer l'outil ou une extension."""
    import shlex
    import signal
    import threading

    from rgpd_audit.lab import start_lab

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    # A lab stopped by its service manager or a closed terminal must still remove its
    # temporary directory (the private keys of its certificates): same path as Ctrl-C.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGHUP, _stop)
    try:
        with _lab_errors(), start_lab() as running:
            typer.echo(
                "Laboratoire prêt (DNS et SMTP sur 127.0.0.0/8). Options à passer à « run » :"
            )
            typer.echo("  " + shlex.join(running.cli_args()))
            typer.echo("Domaines servis :")
            for scenario in running.scenarios.values():
                typer.echo(f"  {scenario.domain:26} {scenario.description}")
            typer.echo("Ctrl-C pour arrêter.")
            sys.stdout.flush()
            threading.Event().wait()
    except KeyboardInterrupt:
        # Also reached when the signal comes while the lab is still starting: the lab's
        # temporary directory is removed on the way out either way.
        typer.echo("Laboratoire arrêté.", err=True)


@app.command()
def render(
    audit_file: Annotated[
        Path,
        typer.Argument(
            metavar="AUDIT",
            help="audit.json d'un audit précédent, ou le report.pdf qui le contient.",
        ),
    ],
    output: OutputOpt = None,
    formats: RenderFormatsOpt = "pdf,html",
    annexes: AnnexesOpt = "compact",
    config_file: RenderConfigOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Refait le rapport à partir d'un audit.json (ou d'un report.pdf), sans relancer les
    contrôles."""
    with input_errors():
        from rgpd_audit import preflight
        from rgpd_audit.audit_file import load_audit_result
        from rgpd_audit.render.input_limits import MAX_RENDER_BYTES, check_render_input

        result = check_render_input(audit_file, load_audit_result(audit_file, MAX_RENDER_BYTES))
        chosen = preflight.parse_formats(formats)
        annex_level = preflight.parse_annexes(annexes)
        out_dir = preflight.usable_output(output if output is not None else audit_file.parent)
        # The identity recorded in the audit signs its re-render, unless --config says who.
        consultant = _settings(config_file).consultant if config_file else None
    files = _write(result, out_dir, chosen, quiet, annex_level, consultant)
    if not quiet:
        _print_summary(result.verdict, files)


@app.command()
def schema() -> None:
    """Affiche le schéma JSON (JSON Schema) du fichier audit.json et des faits de chaque
    contrôle (clé « facts », par type de faits ; clé « checks », types produits par contrôle)."""
    import json

    with input_errors():
        from rgpd_audit.facts_schema import published_schema

        schema = published_schema()
    typer.echo(json.dumps(schema, indent=2, ensure_ascii=False))


app.command(name="diff")(diff)
app.command(name="batch")(batch)


@checks_app.command("list")
def checks_list(
    output_format: Annotated[
        OutputFormat,
        typer.Option("--format", show_default=False, help="text (lecture, défaut) ou json."),
    ] = OutputFormat.TEXT,
    as_json: Annotated[
        bool, typer.Option("--json", help="Comme --format json.", hidden=True)
    ] = False,
) -> None:
    """Liste les contrôles : id, catégorie, gravité, titre."""
    with input_errors():
        from rgpd_audit.catalog import scoring_table
        from rgpd_audit.registry import discover

        specs = discover()
        table_data = scoring_table()
    if as_json or output_format is OutputFormat.JSON:
        import json

        typer.echo(
            json.dumps(
                [s.meta.model_dump(mode="json") for s in specs], indent=2, ensure_ascii=False
            )
        )
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "catégorie", "gravité", "titre", box=None)
    for spec in specs:
        meta = spec.meta
        table.add_row(
            meta.id,
            table_data.categories.get(meta.category, meta.category),
            table_data.severity_labels[meta.severity].upper(),
            meta.title,
        )
    Console(width=240 if not sys.stdout.isatty() else None).print(table)


@dataclass(frozen=True)
class _Output:
    """Where and how results are written and shown."""

    directory: Path
    formats: list[str]
    quiet: bool
    verbose: bool
    fail_under: Threshold | None
    #: Where the audit is recorded; None with --no-history.
    history: HistoryLocation | None = None
    annexes: str = "compact"
    settings: LoadedConfig | None = None


def _audit_and_write(
    target: Target,
    config: RunConfig,
    questionnaire: QuestionnaireInput | None,
    out: _Output,
) -> None:
    """Audit, write, record (`process_practice`, as `batch` does) and turn the outcome into
    the console's lines and the exit code."""
    from rgpd_audit.practice import PracticeJob, ReportInterrupted, process_practice

    consultant = out.settings.consultant if out.settings else None
    job = PracticeJob(
        target=target,
        config=config,
        output_dir=out.directory,
        formats=tuple(out.formats),
        history=out.history,
        annexes=out.annexes,
        consultant=consultant,
    )
    try:
        with input_errors(), _Display(out.quiet, out.verbose) as display:
            outcome = process_practice(
                job,
                questionnaire=questionnaire,
                observer=display.observer,
                on_step=display.on_step,
            )
    except ReportInterrupted:
        typer.echo("Rendu interrompu : seul audit.json a été enregistré.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    if outcome.failure_kind in ("entree", "ecriture"):
        fail(outcome.failure or "")
    if not out.quiet:
        _print_summary(outcome.verdict, outcome.files)
        if outcome.audit_id is not None and out.history is not None:
            typer.echo(
                f"  audit n° {outcome.audit_id} enregistré dans l'historique ({out.history.label})"
            )
    if not outcome.complete:
        typer.echo("Audit interrompu : résultats partiels enregistrés.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED)
    if outcome.nothing_evaluated:
        typer.echo(
            "Aucun contrôle n'a pu être évalué (réseau, résolveur DNS ou serveurs du domaine "
            "injoignables) : relancez l'audit depuis un autre réseau.",
            err=True,
        )
        raise typer.Exit(EXIT_NETWORK)
    if outcome.history_error:
        fail(f"{outcome.history_error} ; les fichiers de l'audit sont écrits", EXIT_HISTORY)
    if out.fail_under is not None and outcome.verdict is not None:
        missed = out.fail_under.missed_by(outcome.verdict)
        if missed:
            typer.echo(missed, err=True)
            raise typer.Exit(EXIT_BELOW_THRESHOLD)


class _Display:
    """The checks' progress bar, then the report's spinner once writing starts."""

    def __init__(self, quiet: bool, verbose: bool) -> None:
        from rgpd_audit.progress import ProgressObserver

        self.quiet = quiet
        self.observer: ProgressObserver = ProgressObserver(quiet=quiet, verbose=verbose)
        self._stack = ExitStack()
        self._status: Callable[[str], None] | None = None

    def __enter__(self) -> _Display:
        self._stack.enter_context(self.observer)
        return self

    def on_step(self, text: str) -> None:
        if self._status is None:
            from rgpd_audit.progress import report_status

            self.observer.__exit__(None, None, None)
            self._status = self._stack.enter_context(report_status(self.quiet))
        self._status(text)

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()


def _write(
    result: AuditResult,
    out_dir: Path,
    formats: list[str],
    quiet: bool,
    annexes: str = "compact",
    consultant: Consultant | None = None,
) -> list[DeliveredFile]:
    """Write `render`'s reports all or nothing (see `replace_reports`)."""
    from rgpd_audit.paths import os_error_text
    from rgpd_audit.practice import DeliveredFile
    from rgpd_audit.progress import report_status
    from rgpd_audit.render import Annexes, Format, replace_reports

    chosen = [Format(f) for f in formats]
    try:
        with report_status(quiet) as on_step:
            written = replace_reports(
                result, out_dir, chosen, on_step, annexes=Annexes(annexes), consultant=consultant
            )
    except KeyboardInterrupt:
        typer.echo("Rendu interrompu : aucun fichier n'a été modifié.", err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except OSError as exc:
        fail(f"impossible d'écrire dans {out_dir} : {os_error_text(exc)}")
    return [DeliveredFile.of(item) for item in written]


def _print_summary(verdict: Verdict | None, files: list[DeliveredFile]) -> None:
    """The verdict, then each file with its SHA-256: the proof of what was handed over."""
    from rgpd_audit.headline import headline

    typer.echo(headline(verdict) if verdict else "Aucun verdict calculé.")
    for item in files:
        typer.echo(f"  {item.format:5} {item.path}")
        typer.echo(f"        SHA-256 {item.sha256}")


def _settings(config_file: Path | None) -> LoadedConfig:
    """The consultant's configuration (`--config`, else the user's file if any)."""
    from rgpd_audit.consultant_config import load_config

    return load_config(config_file)


@contextmanager
def _lab_errors() -> Iterator[None]:
    from rgpd_audit.lab.errors import LabError

    try:
        yield
    except LabError as exc:
        fail(f"le laboratoire local n'a pas pu démarrer : {exc}")


def _meta(questionnaire: QuestionnaireInput | None, key: str) -> str | None:
    if questionnaire is None:
        return None
    value = getattr(questionnaire.answers.meta, key, None)
    return str(value) if value else None


def main() -> None:
    """Console-script entry point: French messages for command-line errors."""
    hide_third_party_warnings()
    use_french_words()
    try:
        code = app(standalone_mode=False, prog_name="rgpd-audit")
    except typer.TyperException as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(exc.format_message())
            sys.exit(0)
        typer.echo(f"Erreur : {usage_message(exc)}", err=True)
        sys.exit(EXIT_INPUT)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("Interrompu.", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)
