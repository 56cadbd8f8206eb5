"""Results for the servers an audit found but did not contact.

A non-global address is never contacted (see `net.addresses`) and the lists of MX hosts,
addresses and SRV endpoints are capped; each check that judges servers one by one says so
with these results rather than leaving the servers out in silence.
"""

from __future__ import annotations

from collections.abc import Sequence

from rgpd_audit.common_facts import NotContacted, OverLimit
from rgpd_audit.context import MxSet
from rgpd_audit.models import CheckResult, ErrorInfo, Evidence, Status
from rgpd_audit.net.addresses import MAX_ADDRESSES_PER_HOST, MAX_MX_HOSTS

#: At most this many names are listed in the evidence of a « non testé (limite) » result.
MAX_LISTED = 20


def listed(items: Sequence[str]) -> list[str]:
    """`items` for the evidence, the first `MAX_LISTED` and a count of the rest."""
    shown = list(items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown.append(f"… et {len(items) - MAX_LISTED} autre(s)")
    return shown


def limit_result(
    summary: str,
    untested: Sequence[str],
    label: str,
    max_hosts: int = MAX_MX_HOSTS,
    max_addresses_per_host: int = MAX_ADDRESSES_PER_HOST,
) -> CheckResult:
    """The « non testé (limite) » result for the `untested` servers (names or addresses)."""
    message = f"non testé (limite) : {len(untested)} serveur(s) ou adresse(s) au-delà de la limite"
    return CheckResult(
        status=Status.INDETERMINATE,
        subject="Non testé (limite)",
        summary=f"Non testé (limite) : {summary}",
        error=ErrorInfo(reason="limit", message=message),
        evidence=[Evidence(label=label, value=listed(untested))],
        facts=OverLimit(
            untested=list(untested),
            max_hosts=max_hosts,
            max_addresses_per_host=max_addresses_per_host,
        ),
    )


def untested_mx_results(mx: MxSet, see: str = "voir le contrôle des MX") -> list[CheckResult]:
    """One not-applicable result per non-routable MX address, one result for the caps.

    A non-routable address is judged by `mail.mx.present` (no sender on the Internet can
    deliver there); the per-address checks only say it was not contacted.
    """
    results = [
        CheckResult(
            status=Status.NOT_APPLICABLE,
            subject=f"{x.host} ({address})",
            summary=f"Adresse non routable, non contactée : aucun expéditeur sur Internet ne "
            f"peut y livrer ({see}).",
            facts=NotContacted(host=x.host, address=address),
        )
        for x in mx.exchangers
        for address in x.non_routable
    ]
    over = [f"{x.host} ({address})" for x in mx.exchangers for address in x.over_limit]
    if over or mx.over_limit:
        results.append(
            limit_result(
                f"l'outil teste au plus {MAX_MX_HOSTS} MX et {MAX_ADDRESSES_PER_HOST} adresses "
                "par MX ; les autres n'ont pas été contactés.",
                [*over, *mx.over_limit],
                "MX ou adresses non testés",
            )
        )
    return results
