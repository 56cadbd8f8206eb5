"""Shapes shared by every scenario module of the lab: a scenario and an MX host."""

from __future__ import annotations

from dataclasses import dataclass, field

from rgpd_audit.lab.misbehaving_smtp import Misbehaviour
from rgpd_audit.lab.pki import CertKind, TlsProfile
from rgpd_audit.lab.smtp_servers import DEFAULT_IDENT

PASS = "pass"
FAIL = "fail"
NOT_APPLICABLE = "not_applicable"
INDETERMINATE = "indeterminate"

#: Parent zone (`zones/labo-rgpd.fr.zone`) of the scenario domains of most check families.
LAB_PARENT = "labo-rgpd.fr"


@dataclass(frozen=True)
class Scenario:
    """A lab domain and, per check id, the status an audit of it must report."""

    name: str
    domain: str
    description: str
    expected: dict[str, str] = field(hash=False)


def lab_domain(name: str, host: str = "") -> str:
    """Domain of scenario `name` under the lab's parent test zone, below `host` if given."""
    return f"{host}{name}.{LAB_PARENT}"


def lab_scenario(name: str, description: str, expected: dict[str, str], host: str = "") -> Scenario:
    """Scenario `name`, audited at its `lab_domain` (below `host` if given)."""
    return Scenario(name, lab_domain(name, host), description, expected)


@dataclass(frozen=True)
class LabHost:
    """An MX host of the lab: its address, its scenario and what its SMTP server does.

    `cert` None means the server does not offer STARTTLS; `mute` means it never greets; a
    `misbehaviour` scripts the whole conversation (such hosts serve no certificate).
    """

    hostname: str
    address: str
    scenario: str
    cert: CertKind | None = CertKind.GOOD
    mute: bool = False
    ident: str = DEFAULT_IDENT
    misbehaviour: Misbehaviour | None = None
    legacy_tls: bool = False
    tls_profile: TlsProfile = TlsProfile.MODERN
    #: 421 to a second connection opened while one is still open.
    single_connection: bool = False
