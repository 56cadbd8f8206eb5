"""Facts any check may report: servers the audit found but did not contact.

A non-global address is never contacted (`net.addresses`) and the numbers of MX hosts,
addresses and SRV endpoints are capped; the checks that judge servers one by one say so with
these facts rather than leaving the servers out in silence (`untested`).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from rgpd_audit.models import Facts


class NotContacted(Facts):
    """An address found in the DNS but never contacted: it is not publicly routable."""

    kind: ClassVar[str] = "server.not_contacted"

    host: str
    address: str


class OverLimit(Facts):
    """Servers or addresses beyond the tool's caps, found but not tested."""

    kind: ClassVar[str] = "server.over_limit"

    untested: list[str] = Field(description="Names or « host (address) » of what was skipped")
    max_hosts: int = Field(description="Most MX hosts (or endpoints) tested")
    max_addresses_per_host: int = Field(description="Most addresses tested per host")


COMMON_FACTS: tuple[type[Facts], ...] = (NotContacted, OverLimit)
