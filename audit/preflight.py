"""Checks on what the user asked for, done before any network work.

Each raises `InputError` with a one-line French message: an audit must not run for minutes
and then fail on a typo or an unwritable folder.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from rgpd_audit.config import RunConfig
from rgpd_audit.errors import CheckError, InputError
from rgpd_audit.net.dns import build_resolver, lookup

FORMATS = ("json", "html", "pdf")


def parse_formats(raw: str) -> list[str]:
    """`pdf,html` → ["pdf", "html"]; unknown formats are refused."""
    chosen = [part.strip().lower() for part in raw.split(",") if part.strip()]
    if not chosen or any(f not in FORMATS for f in chosen):
        raise InputError(
            f"--format {raw} : formats possibles pdf, html, json (séparés par des virgules)"
        )
    return chosen


MAX_TIMEOUT = 300.0
MAX_DEADLINE = 24 * 3600.0


def check_durations(timeout: float, deadline: float) -> None:
    """Both durations must be real numbers of seconds within sensible bounds."""
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise InputError(f"--timeout : durée en secondes attendue, entre 0 et {MAX_TIMEOUT:.0f}")
    if not (math.isfinite(deadline) and 0 < deadline <= MAX_DEADLINE):
        raise InputError(f"--deadline : durée en secondes attendue, entre 0 et {MAX_DEADLINE:.0f}")


def usable_output(out_dir: Path) -> Path:
    """Refuse an output folder that cannot be written."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--output {out_dir} : ce chemin existe et n'est pas un dossier")
    parent = (
        out_dir if out_dir.exists() else next(p for p in out_dir.absolute().parents if p.exists())
    )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"--output {out_dir} : écriture impossible dans {parent}")
    return out_dir


def ensure_domain_exists(domain: str, config: RunConfig) -> None:
    """A domain absent from DNS is almost always a typo: say so instead of scoring it F."""
    try:
        records = lookup(build_resolver(config.nameservers, config.timeout), domain, "SOA")
    except CheckError:
        return  # DNS unreachable: the checks will report it as « non évalué ».
    if records is None:
        raise InputError(f"le domaine {domain} n'existe pas dans le DNS (faute de frappe ?)")


def check_profile(profile: str) -> str:
    """`profile` if the questionnaire defines it."""
    from rgpd_audit.questionnaire import load_questionnaire

    known = load_questionnaire().profiles
    if profile not in known:
        raise InputError(f"--profile {profile} : profil inconnu (attendu : {', '.join(known)})")
    return profile


def readable_file(path: Path, option: str) -> Path:
    """Make sure the file given with `option` exists and can be opened, before any network work."""
    if not path.is_file():
        raise InputError(f"{option} {path} : fichier introuvable")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError(f"{option} {path} : fichier illisible ({exc.strerror})") from None
    return path
