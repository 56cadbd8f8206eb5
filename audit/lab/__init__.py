"""Test lab: real DNS and SMTP servers on loopback, used by the tests and `rgpd-audit demo`.

Every server binds to 127.0.0.0/8 on a high port and the DNS server never recurses, so
nothing the lab does can reach the network. Linux is required (it routes the whole
127.0.0.0/8 range to the loopback interface).
"""

from rgpd_audit.lab.runner import Lab, start_lab
from rgpd_audit.lab.scenario_types import Scenario

__all__ = ["Lab", "Scenario", "start_lab"]
