"""DMARC policy discovery by the DNS Tree Walk of RFC 9989 (no Public Suffix List).

The walk queries `_dmarc.<name>` from the audited domain upwards, jumping to four labels
when the name has five or more, and stops at a record carrying `psd=n` or `psd=y`. The
record that applies is the domain's own, else the Organizational Domain's, else that of the
Public Suffix Domain (a record with `psd=y`).

DNS goes through the `lookup(name, rdtype)` callable given by the caller (in checks:
`CheckContext.lookup`, cached per audit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from rgpd_audit.errors import CheckError
from rgpd_audit.records.dmarc import POLICIES, DmarcRecord, is_dmarc, parse_dmarc
from rgpd_audit.records.spf_txt import readable_texts

Lookup = Callable[[str, str], "list[str] | None"]
Source = Literal["domain", "organisation", "psd"]
#: RFC 9989 §4.10: from this many labels on, the walk jumps straight to four labels.
SHORTCUT_LABELS = 5


@dataclass
class WalkStep:
    """One query of the walk: `_dmarc.<name>` and what it gave."""

    name: str
    records: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    dns_error: str | None = None

    @property
    def record(self) -> DmarcRecord | None:
        """The single DMARC record of this name; several are all discarded (RFC 9989)."""
        return parse_dmarc(self.records[0]) if len(self.records) == 1 else None


@dataclass
class DmarcDiscovery:
    """Outcome of the walk for one domain."""

    domain: str
    steps: list[WalkStep]
    organisational_domain: str
    record: DmarcRecord | None = None
    record_domain: str | None = None
    source: Source | None = None
    applied_policy: str | None = None
    effective_policy: str | None = None

    @property
    def own_step(self) -> WalkStep:
        """The query for the audited domain itself."""
        return self.steps[0]

    @property
    def unresolved(self) -> list[str]:
        """Names whose query failed (the verdict was reached without them)."""
        return [s.name for s in self.steps if s.dns_error]


def walk_names(domain: str) -> list[str]:
    """Every name the Tree Walk may query for `domain`, in order (`_dmarc.` left out)."""
    labels = domain.rstrip(".").lower().split(".")
    names = [".".join(labels)]
    if len(labels) >= SHORTCUT_LABELS:
        labels = labels[-(SHORTCUT_LABELS - 1) :]
        names.append(".".join(labels))
    while len(labels) > 1:
        labels = labels[1:]
        names.append(".".join(labels))
    # Five labels jump to four, which is also "remove one label": no name twice.
    return list(dict.fromkeys(names))


def lower_policy(policy: str) -> str:
    """`t=y` lowers the policy one level: reject → quarantine → none (RFC 9989)."""
    index = POLICIES.index(policy)
    return POLICIES[max(index - 1, 0)]


def discover(
    domain: str, lookup: Lookup, domain_exists: bool | Callable[[], bool] = True
) -> DmarcDiscovery:
    """Walk the DNS tree for `domain` and say which record and policy apply.

    `domain_exists` (False when the domain itself is NXDOMAIN) selects `np` over `sp` when
    the policy comes from a parent; a callable is only called in that case, so that an
    audit with its own record does not wait for it. A DNS failure on the domain's own
    `_dmarc` name raises `CheckError`: without it nothing can be said.
    """
    domain = domain.rstrip(".").lower()
    steps: list[WalkStep] = []
    for index, name in enumerate(walk_names(domain)):
        step = _query(name, lookup)
        steps.append(step)
        if index == 0 and step.dns_error:
            raise CheckError("dns", step.dns_error)
        record = step.record
        if record is None:
            continue
        if index == 0 or record.psd in {"y", "n"}:
            break
    discovery = DmarcDiscovery(domain, steps, _organisational_domain(domain, steps))
    _select_policy(discovery, domain_exists)
    return discovery


def _query(name: str, lookup: Lookup) -> WalkStep:
    step = WalkStep(name)
    try:
        answer = lookup(f"_dmarc.{name}", "TXT")
    except CheckError as exc:
        step.dns_error = exc.message
        return step
    for value in readable_texts(answer):
        (step.records if is_dmarc(value) else step.others).append(value)
    return step


def _organisational_domain(domain: str, steps: list[WalkStep]) -> str:
    found = [(s.name, s.record) for s in steps if s.record is not None]
    for name, record in found:  # longest name first: the walk goes upwards
        assert record is not None
        if record.psd == "n":
            return name
        if record.psd == "y" and name != domain:
            return _one_label_below(domain, name)
    return found[-1][0] if found else domain


def _one_label_below(domain: str, parent: str) -> str:
    labels = domain.split(".")
    return ".".join(labels[-(len(parent.split(".")) + 1) :])


def _select_policy(discovery: DmarcDiscovery, domain_exists: bool | Callable[[], bool]) -> None:
    by_name = {s.name: s.record for s in discovery.steps if s.record is not None}
    own = by_name.get(discovery.domain)
    if own is not None:
        discovery.record, discovery.record_domain, discovery.source = (
            own,
            discovery.domain,
            "domain",
        )
        applied = own.policy
    else:
        org = by_name.get(discovery.organisational_domain)
        psd = next(((n, r) for n, r in by_name.items() if r.psd == "y"), None)
        if org is not None:
            name, record, source = discovery.organisational_domain, org, "organisation"
        elif psd is not None:
            (name, record), source = psd, "psd"
        else:
            return
        discovery.record, discovery.record_domain = record, name
        discovery.source = source  # type: ignore[assignment]
        exists = domain_exists() if callable(domain_exists) else domain_exists
        subdomain = record.np if not exists and record.np else record.sp
        applied = subdomain or record.policy
    discovery.applied_policy = applied
    record = discovery.record
    discovery.effective_policy = lower_policy(applied) if record.testing else applied


def is_external(destination: str, organisational_domain: str) -> bool:
    """True when a report destination lies outside the organisation's own domain."""
    destination = destination.rstrip(".").lower()
    return not (
        destination == organisational_domain or destination.endswith("." + organisational_domain)
    )


def authorisation_name(policy_domain: str, destination: str) -> str:
    """Where `destination` must publish its consent to receive reports for `policy_domain`."""
    return f"{policy_domain}._report._dmarc.{destination.rstrip('.').lower()}"


def report_authorised(policy_domain: str, destination: str, lookup: Lookup) -> bool:
    """True when the destination publishes a `v=DMARC1` record accepting the reports.

    CNAMEs and a wildcard (`*._report._dmarc.<dest>`) are resolved by the DNS itself.
    DNS failures raise `CheckError` (the caller reports "not verifiable").
    """
    answer = lookup(authorisation_name(policy_domain, destination), "TXT")
    return any(is_dmarc(text) for text in readable_texts(answer))
