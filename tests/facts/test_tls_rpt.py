"""mail.tls_rpt.record judged from constructed facts (no network)."""

from rgpd_audit.checks.tls_rpt import TlsRptFacts, judge_record
from rgpd_audit.models import Status


def facts(**fields: object) -> TlsRptFacts:
    return TlsRptFacts.model_validate({"domain": "cabinet.fr", "receives_mail": True, **fields})


def test_no_mail_means_not_applicable() -> None:
    result = judge_record(TlsRptFacts(domain="cabinet.fr", receives_mail=False))
    assert result.status is Status.NOT_APPLICABLE


def test_missing_record_fails_and_gives_the_record_to_publish() -> None:
    result = judge_record(facts(texts=["v=spf1 -all"]))
    assert result.status is Status.FAIL
    to_publish = {e.label: e.value for e in result.evidence}["À publier"]
    assert isinstance(to_publish, str) and "_smtp._tls.cabinet.fr." in to_publish


def test_two_records_fail() -> None:
    records = ["v=TLSRPTv1; rua=mailto:a@cabinet.fr", "v=TLSRPTv1; rua=mailto:b@cabinet.fr"]
    assert judge_record(facts(texts=records, records=records)).status is Status.FAIL


def test_invalid_record_fails() -> None:
    record = "v=TLSRPTv1; rua=ftp://cabinet.fr"
    result = judge_record(facts(texts=[record], records=[record], syntax_error="schéma"))
    assert result.status is Status.FAIL


def test_valid_record_passes_and_keeps_its_facts() -> None:
    record = "v=TLSRPTv1; rua=mailto:tls@prestataire.fr"
    given = facts(
        texts=[record],
        records=[record],
        destinations=["mailto:tls@prestataire.fr"],
        external_domains=["prestataire.fr"],
    )
    result = judge_record(given)
    assert result.status is Status.PASS
    assert result.facts == given
    assert {e.label: e.value for e in result.evidence}["Destinations des rapports"] == [
        "mailto:tls@prestataire.fr"
    ]
