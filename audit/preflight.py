"""Checks on what the user asked for, done before any network work.

Each raises `InputError` with a one-line French message: an audit must not run for minutes
and then fail on a typo or an unwritable folder.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from rgpd_audit.errors import CheckError, InputError, NetworkUnusable
from rgpd_audit.paths import output_dir

if TYPE_CHECKING:
    # dnspython takes a tenth of a second to import: `render` and the option checks do
    # without it, the network checks below import it when they run.
    import dns.resolver

    from rgpd_audit.config import RunConfig
    from rgpd_audit.headline import Threshold

FORMATS = ("json", "html", "pdf", "xlsx", "csv")
ANNEXES = ("complet", "compact", "aucune")


def parse_formats(raw: str) -> list[str]:
    """`pdf,html` → ["pdf", "html"]; unknown formats are refused."""
    chosen = [part.strip().lower() for part in raw.split(",") if part.strip()]
    if not chosen or any(f not in FORMATS for f in chosen):
        raise InputError(
            f"--format {raw} : formats possibles pdf, html, json, xlsx, csv (séparés par des "
            "virgules)"
        )
    return chosen


def parse_annexes(raw: str) -> str:
    """`--annexes`: how much evidence the report prints."""
    value = raw.strip().lower()
    if value not in ANNEXES:
        raise InputError(f"--annexes {raw} : niveaux possibles complet, compact, aucune")
    return value


MIN_TIMEOUT = 0.1
MAX_TIMEOUT = 300.0
MIN_DEADLINE = 1.0
MAX_DEADLINE = 24 * 3600.0


def check_durations(timeout: float, deadline: float) -> None:
    """Both durations must be real numbers of seconds within sensible bounds.

    Below the minimums no server could answer: every check would end « non évalué ».
    """
    if not (math.isfinite(timeout) and MIN_TIMEOUT <= timeout <= MAX_TIMEOUT):
        raise InputError(
            f"--timeout : durée en secondes attendue, entre {MIN_TIMEOUT:g} et {MAX_TIMEOUT:.0f}"
        )
    if not (math.isfinite(deadline) and MIN_DEADLINE <= deadline <= MAX_DEADLINE):
        raise InputError(
            f"--deadline : durée en secondes attendue, entre {MIN_DEADLINE:g} et {MAX_DEADLINE:.0f}"
        )


def usable_output(out_dir: str | Path) -> Path:
    """Refuse an output folder that cannot be written (see `paths.output_dir`)."""
    return output_dir(out_dir, "--output")


def ensure_domain_exists(domain: str, config: RunConfig) -> None:
    """A domain absent from DNS is almost always a typo: say so instead of scoring it F.

    The resolver is tried first on a name that always exists (the DNS root): a resolver that
    does not answer, or denies everything, is the network's problem, not a typo
    (`NetworkUnusable`, exit code 3), and an audit through it could evaluate nothing.
    """
    from rgpd_audit.net.dns import lookup

    resolver = usable_resolver(config)
    try:
        records = lookup(resolver, domain, "SOA")
    except CheckError:
        return  # The domain's own servers fail: the checks report it as « non évalué ».
    if records is None:
        raise InputError(f"le domaine {domain} n'existe pas dans le DNS (faute de frappe ?)")


def usable_resolver(config: RunConfig) -> dns.resolver.Resolver:
    """The resolver of `config`, once it answered for the DNS root; `NetworkUnusable` when
    there is none to use (no system resolver and no --nameserver) or it does not answer."""
    from rgpd_audit.net.dns import build_resolver

    try:
        resolver = build_resolver(config.nameservers, config.timeout)
    except CheckError as exc:
        raise NetworkUnusable(f"{exc.message} ; indiquez-en un avec --nameserver") from None
    check_resolver(resolver, config.timeout)
    return resolver


#: A name every working resolver knows: the root of the DNS and its name servers.
_ALWAYS_EXISTS = (".", "NS")


def check_resolver(resolver: dns.resolver.Resolver, timeout: float) -> None:
    """`NetworkUnusable` unless `resolver` answers for the DNS root within `timeout`."""
    from rgpd_audit.net.dns import lookup, plain_nameservers

    servers = (
        ", ".join(
            f"{s.address}:{s.port}" if s.port != 53 else s.address
            for s in plain_nameservers(resolver)
        )
        or "système"
    )
    try:
        records = lookup(resolver, *_ALWAYS_EXISTS)
    except CheckError as exc:
        if exc.reason == "timeout":
            raise NetworkUnusable(
                f"réseau ou résolveur DNS inutilisable : aucune réponse du résolveur ({servers})"
                f" en {timeout:g} s ; vérifiez la connexion ou indiquez un résolveur avec"
                " --nameserver"
            ) from None
        raise NetworkUnusable(
            f"réseau ou résolveur DNS inutilisable : le résolveur ({servers}) ne répond pas"
            f" correctement ({exc.message})"
        ) from None
    if not records:
        raise NetworkUnusable(
            f"réseau ou résolveur DNS inutilisable : le résolveur ({servers}) nie l'existence"
            " de la racine du DNS (filtrage ou portail captif ?) ; indiquez un autre résolveur"
            " avec --nameserver"
        )


def parse_threshold(raw: str) -> Threshold:
    """`--fail-under`: a conformity letter of the grades table, or a score from 0 to 100."""
    from rgpd_audit.catalog import scoring_table
    from rgpd_audit.headline import Threshold

    text = raw.strip().upper()
    letters = [step.grade for step in scoring_table().grades]
    if text in letters:
        return Threshold(grade=text)
    if text.isdigit() and 0 <= int(text) <= 100:
        return Threshold(score=int(text))
    raise InputError(
        f"--fail-under {raw} : lettre de conformité ({', '.join(letters)}) ou note de sécurité"
        " entre 0 et 100 attendue"
    )


def check_profile(profile: str) -> str:
    """`profile` if the questionnaire defines it."""
    from rgpd_audit.questionnaire import load_questionnaire

    known = load_questionnaire().profiles
    if profile not in known:
        raise InputError(f"--profile {profile} : profil inconnu (attendu : {', '.join(known)})")
    return profile
