"""The lab's signed DNS: DO bit, DS on the parent side, NSEC proofs, trust anchor, counter."""

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import pytest

from rgpd_audit.lab import Lab
from rgpd_audit.net.trust_anchor import read_trust_anchor_file

SIGNED = "dnssec-signe.labo-rgpd.fr."


def ask(lab: Lab, name: str, rdtype: str, dnssec: bool = True) -> dns.message.Message:
    query = dns.message.make_query(name, rdtype, want_dnssec=dnssec, payload=1232)
    response, _ = dns.query.udp_with_fallback(query, "127.0.0.1", timeout=2.0, port=lab.dns_port)
    return response


def rrsig_signers(section: list) -> set[str]:
    return {
        rdata.signer.to_text()
        for rrset in section
        if rrset.rdtype == dns.rdatatype.RRSIG
        for rdata in rrset
    }


def test_signatures_come_only_with_the_do_bit(lab: Lab) -> None:
    signed = ask(lab, SIGNED, "MX")
    plain = ask(lab, SIGNED, "MX", dnssec=False)
    assert rrsig_signers(signed.answer) == {SIGNED}
    assert [r.rdtype for r in plain.answer] == [dns.rdatatype.MX]


def test_ds_is_answered_from_the_parent_zone(lab: Lab) -> None:
    response = ask(lab, SIGNED, "DS")
    assert response.get_rrset(
        response.answer, dns.name.from_text(SIGNED), dns.rdataclass.IN, dns.rdatatype.DS
    )
    assert rrsig_signers(response.answer) == {"labo-rgpd.fr."}


def test_unsigned_delegation_is_proven_by_the_signed_parent(lab: Lab) -> None:
    response = ask(lab, "sans-starttls.fr.", "DS")
    assert response.rcode() == dns.rcode.NOERROR and not response.answer
    [nsec] = [r for r in response.authority if r.rdtype == dns.rdatatype.NSEC]
    assert nsec.name.to_text() == "sans-starttls.fr."
    types = nsec[0].to_text()
    assert " NS " in f" {types} " and " DS " not in f" {types} "
    assert rrsig_signers(response.authority) == {"fr."}


def test_nxdomain_carries_signed_nsec_proofs(lab: Lab) -> None:
    response = ask(lab, f"absent.{SIGNED}", "A")
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert any(r.rdtype == dns.rdatatype.NSEC for r in response.authority)
    assert rrsig_signers(response.authority) == {SIGNED}


@pytest.mark.parametrize("name", ["mx.zone-absente.example.", "www.google.fr.", "com."])
def test_names_outside_the_lab_stay_refused(lab: Lab, name: str) -> None:
    assert ask(lab, name, "A").rcode() == dns.rcode.REFUSED


def test_trust_anchor_designates_the_lab_root_key(lab: Lab) -> None:
    assert lab.trust_anchor is not None
    anchors = read_trust_anchor_file(lab.trust_anchor)
    response = ask(lab, ".", "DNSKEY")
    keys = response.get_rrset(
        response.answer, dns.name.root, dns.rdataclass.IN, dns.rdatatype.DNSKEY
    )
    [ds] = anchors.ds
    assert any(dns.dnssec.make_ds(".", key, ds.digest_type) == ds for key in keys)
    assert "--trust-anchor" in lab.cli_args()


def test_query_counter_counts_each_question(lab: Lab) -> None:
    assert lab.dns_query_counts is not None
    key = (f"compteur.{SIGNED}", "TXT")
    before = lab.dns_query_counts().get(key, 0)
    ask(lab, *key)
    ask(lab, *key)
    assert lab.dns_query_counts()[key] == before + 2


def test_tlsa_records_are_signed_in_the_dane_zones(lab: Lab) -> None:
    response = ask(lab, "_25._tcp.mx.dane-valide.labo-rgpd.fr.", "TLSA")
    tlsa = [r for r in response.answer if r.rdtype == dns.rdatatype.TLSA]
    assert len(tlsa[0]) == 2
    assert rrsig_signers(response.answer) == {"dane-valide.labo-rgpd.fr."}
