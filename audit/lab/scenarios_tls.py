"""Lab scenarios of the profondeur TLS, protocoles clients et serveurs hostiles checks.

Addresses of this family's hosts: 127.0.0.40–79.
"""

from __future__ import annotations

from rgpd_audit.lab.scenario_types import LabHost, Scenario

SCENARIOS: tuple[Scenario, ...] = ()
HOSTS: tuple[LabHost, ...] = ()
