"""Known DMARC report receivers (records/data/dmarc_report_receivers.yaml) and their country."""

from __future__ import annotations

from pydantic import BaseModel, Field

from rgpd_audit.datafiles import Snapshot, register_data_file


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


RECEIVERS = register_data_file(
    "rgpd_audit.records.data",
    "dmarc_report_receivers.yaml",
    ReceiverCatalog,
    name="Destinataires de rapports DMARC",
)


def receivers() -> ReceiverCatalog:
    """The receiver catalog, validated once."""
    return RECEIVERS.load()
