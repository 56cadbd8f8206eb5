"""Lab scenarios of the DKIM, MTA-STS, TLS-RPT et fournisseur checks.

Addresses of this family's hosts: 127.0.0.80–99.
"""

from __future__ import annotations

from rgpd_audit.lab.scenario_types import LabHost, Scenario

SCENARIOS: tuple[Scenario, ...] = ()
HOSTS: tuple[LabHost, ...] = ()
