"""Known DMARC report receivers (checks/data/dmarc_report_receivers.yaml) and their country."""

from __future__ import annotations

from pydantic import BaseModel, Field

from rgpd_audit.catalog import Snapshot, shipped_model
from rgpd_audit.concurrency import cached_once

DATA_PACKAGE = "rgpd_audit.checks"
DATA_FILE = "data/dmarc_report_receivers.yaml"


class Receiver(BaseModel):
    """A company that receives DMARC reports on behalf of domains."""

    id: str
    name: str
    country: str
    eu: bool
    domains: list[str] = Field(min_length=1)
    verified: bool


class ReceiverCatalog(BaseModel):
    """The data file: snapshot header and receivers."""

    snapshot: Snapshot
    receivers: list[Receiver]

    def by_domain(self, domain: str) -> Receiver | None:
        """The receiver operating a report destination domain (sub-domains included)."""
        domain = domain.rstrip(".").lower()
        for receiver in self.receivers:
            if any(domain == d or domain.endswith("." + d) for d in receiver.domains):
                return receiver
        return None


@cached_once
def receivers() -> ReceiverCatalog:
    """The receiver catalog, validated once."""
    return shipped_model(ReceiverCatalog, DATA_PACKAGE, DATA_FILE)
