"""TLS-RPT (RFC 8460): a valid `_smtp._tls` record telling senders where to report.

Facts first (`TlsRptFacts`, gathered from the DNS), then the verdict and its words
(`judge_record`, a pure function of the facts, tested without a network).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from rgpd_audit.plugin import (
    CheckResult,
    Context,
    Evidence,
    Facts,
    check,
    failed,
    not_applicable,
    passed,
)
from rgpd_audit.records.spf_txt import readable_texts
from rgpd_audit.records.tls_rpt import TlsRptError, is_tls_rpt_record, parse_tls_rpt


class TlsRptFacts(Facts):
    """The `_smtp._tls` TXT records of a domain that receives mail, and what they say."""

    kind: ClassVar[str] = "tls_rpt.record"

    domain: str
    receives_mail: bool = Field(description="False without MX or with a null MX")
    texts: list[str] = Field(default_factory=list, description="Every TXT string found")
    records: list[str] = Field(
        default_factory=list, description="The TXT strings that are TLS-RPT records"
    )
    syntax_error: str | None = Field(None, description="Why the only record is invalid")
    destinations: list[str] = Field(default_factory=list, description="Report URIs")
    external_domains: list[str] = Field(
        default_factory=list, description="Report destinations outside the audited domain"
    )

    @property
    def name(self) -> str:
        """Where the record lives."""
        return f"_smtp._tls.{self.domain}"

    def evidence(self) -> list[Evidence]:
        """The TXT found, and the destinations when the record is valid."""
        items = [Evidence(label=f"{self.name} TXT", value=self.texts or "absent")]
        if self.destinations:
            items.append(Evidence(label="Destinations des rapports", value=self.destinations))
        return items


@check("mail.tls_rpt.record", facts=TlsRptFacts)
def tls_rpt_record(ctx: Context) -> list[CheckResult]:
    """Exactly one valid TLS-RPT record, with usable report destinations."""
    return [judge_record(gather(ctx))]


def gather(ctx: Context) -> TlsRptFacts:
    """The domain's TLS-RPT records, parsed (no lookup when it receives no mail)."""
    mx = ctx.mx()
    domain = ctx.target.domain
    if not mx.exists or mx.null_mx or not mx.exchangers:
        return TlsRptFacts(domain=domain, receives_mail=False)
    texts = readable_texts(ctx.lookup(f"_smtp._tls.{domain}", "TXT"))
    # RFC 8460 §3: other records are discarded, and anything but exactly one TLS-RPT
    # record means the domain does not implement TLS-RPT.
    records = [t for t in texts if is_tls_rpt_record(t)]
    facts = TlsRptFacts(domain=domain, receives_mail=True, texts=texts, records=records)
    if len(records) != 1:
        return facts
    try:
        record = parse_tls_rpt(records[0])
    except TlsRptError as exc:
        return facts.model_copy(update={"syntax_error": str(exc)})
    external = {
        d.domain
        for d in record.destinations
        if d.domain != domain and not d.domain.endswith("." + domain)
    }
    return facts.model_copy(
        update={
            "destinations": [d.uri for d in record.destinations],
            "external_domains": sorted(external),
        }
    )


def judge_record(facts: TlsRptFacts) -> CheckResult:
    """The verdict on the domain's TLS-RPT record, in words."""
    if not facts.receives_mail:
        return not_applicable(
            "Le domaine ne reçoit pas de courrier par MX : TLS-RPT est sans objet.", facts
        )
    if not facts.records:
        to_publish = f'{facts.name}. IN TXT "v=TLSRPTv1; rua=mailto:rapports-tls@{facts.domain}"'
        return failed(
            f"{facts.domain} ne publie pas TLS-RPT : personne n'est prévenu quand des serveurs "
            "expéditeurs n'arrivent pas à livrer le courrier chiffré.",
            facts,
            evidence=[*facts.evidence(), Evidence(label="À publier", value=to_publish)],
        )
    if len(facts.records) > 1:
        return failed(
            f"{len(facts.records)} enregistrements TLS-RPT : les expéditeurs n'en utilisent "
            "aucun (RFC 8460 §3).",
            facts,
        )
    if facts.syntax_error is not None:
        return failed(f"Enregistrement TLS-RPT invalide : {facts.syntax_error}.", facts)
    note = (
        f" Rapports adressés hors du domaine ({', '.join(facts.external_domains)}) : ils "
        "décrivent les serveurs qui écrivent au cabinet et les échecs de chiffrement, pas le "
        "contenu des messages."
        if facts.external_domains
        else ""
    )
    return passed(
        f"TLS-RPT publié : {len(facts.destinations)} destination(s) de rapports." + note, facts
    )
