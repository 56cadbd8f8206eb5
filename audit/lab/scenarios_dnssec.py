"""Lab scenarios of the DNSSEC et DANE checks.

Addresses of this family's hosts: 127.0.0.100–119.
"""

from __future__ import annotations

from rgpd_audit.lab.scenario_types import LabHost, Scenario

SCENARIOS: tuple[Scenario, ...] = ()
HOSTS: tuple[LabHost, ...] = ()
