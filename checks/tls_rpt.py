"""TLS-RPT (RFC 8460): a valid `_smtp._tls` record telling senders where to report."""

from __future__ import annotations

from rgpd_audit.context import CheckContext
from rgpd_audit.models import CheckResult, Evidence, Status
from rgpd_audit.records.spf_txt import readable_texts
from rgpd_audit.records.tls_rpt import TlsRptError, is_tls_rpt_record, parse_tls_rpt
from rgpd_audit.registry import check


@check("mail.tls_rpt.record")
def tls_rpt_record(ctx: CheckContext) -> list[CheckResult]:
    """Exactly one valid TLS-RPT record, with usable report destinations."""
    mx = ctx.mx()
    domain = ctx.target.domain
    if not mx.exists or mx.null_mx or not mx.exchangers:
        return [
            CheckResult(
                status=Status.NOT_APPLICABLE,
                summary="Le domaine ne reçoit pas de courrier par MX : TLS-RPT est sans objet.",
            )
        ]
    name = f"_smtp._tls.{domain}"
    texts = readable_texts(ctx.lookup(name, "TXT"))
    evidence = [Evidence(label=f"{name} TXT", value=texts or "absent")]
    # RFC 8460 §3: other records are discarded, and anything but exactly one TLS-RPT
    # record means the domain does not implement TLS-RPT.
    candidates = [t for t in texts if is_tls_rpt_record(t)]
    if not candidates:
        evidence.append(
            Evidence(
                label="À publier",
                value=f'{name}. IN TXT "v=TLSRPTv1; rua=mailto:rapports-tls@{domain}"',
            )
        )
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"{domain} ne publie pas TLS-RPT : personne n'est prévenu quand des "
                "serveurs expéditeurs n'arrivent pas à livrer le courrier chiffré.",
                evidence=evidence,
            )
        ]
    if len(candidates) > 1:
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"{len(candidates)} enregistrements TLS-RPT : les expéditeurs n'en "
                "utilisent aucun (RFC 8460 §3).",
                evidence=evidence,
            )
        ]
    try:
        record = parse_tls_rpt(candidates[0])
    except TlsRptError as exc:
        return [
            CheckResult(
                status=Status.FAIL,
                summary=f"Enregistrement TLS-RPT invalide : {exc}.",
                evidence=evidence,
            )
        ]
    external = sorted(
        {
            d.domain
            for d in record.destinations
            if d.domain != domain and not d.domain.endswith("." + domain)
        }
    )
    evidence.append(
        Evidence(label="Destinations des rapports", value=[d.uri for d in record.destinations])
    )
    note = (
        f" Rapports adressés hors du domaine ({', '.join(external)}) : ils décrivent les "
        "serveurs qui écrivent au cabinet et les échecs de chiffrement, pas le contenu des "
        "messages."
        if external
        else ""
    )
    return [
        CheckResult(
            status=Status.PASS,
            summary=f"TLS-RPT publié : {len(record.destinations)} destination(s) de rapports."
            + note,
            evidence=evidence,
        )
    ]
