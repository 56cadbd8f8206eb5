"""A hostile zone pointing at the auditor's own network (issue 16, defect 1).

The lab's scenario `hostile-interne` puts its MX, SRV targets and `mta-sts.` host on
127.0.0.0/8, behind services that greet with a secret. Without --allow-private-addresses
none of them is contacted and the secret reaches no output; with it (the lab's own
settings), the caps still bound what is probed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from rgpd_audit import registry
from rgpd_audit.context import CheckContext
from rgpd_audit.engine import run_checks
from rgpd_audit.lab import Lab
from rgpd_audit.lab.scenarios_internal import SECRET
from rgpd_audit.models import Finding, Status, Target
from rgpd_audit.net.addresses import MAX_SRV_PER_SERVICE, is_global
from rgpd_audit.render.pdf import build_document

SPECS = registry.discover()


def audit(lab: Lab, name: str, allow: bool) -> dict[str, list[Finding]]:
    config = lab.run_config(timeout=1.0, allow_private_addresses=allow)
    ctx = CheckContext(Target(domain=lab.scenarios[name].domain), config)
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in run_checks(ctx, SPECS).findings:
        grouped[finding.check_id].append(finding)
    return grouped


def pdf_text(html: str) -> str:
    """The text WeasyPrint lays out into the PDF (its streams hold glyph ids, not text)."""
    pieces: list[str] = []

    def walk(box: object) -> None:
        text = getattr(box, "text", None)
        if isinstance(text, str):
            pieces.append(text)
        for child in getattr(box, "children", []) or []:
            walk(child)

    for page in build_document(html).pages:
        walk(page._page_box)
    return " ".join(pieces)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.61",
        "10.1.2.3",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.251",
        "255.255.255.255",
        "192.0.2.10",
        "::1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",
        "2001:db8::1",
        "pas-une-adresse",
    ],
)
def test_non_global_addresses_are_recognised(address: str) -> None:
    assert not is_global(address)


@pytest.mark.parametrize("address", ["9.9.9.9", "193.51.24.1", "2a00:1450:4007::1b"])
def test_global_addresses_are_contactable(address: str) -> None:
    assert is_global(address)


def test_secret_of_an_internal_service_reaches_no_output(cli, lab: Lab, tmp_path: Path) -> None:
    # The lab's options, but without the opt-in that lets an audit reach loopback.
    args = [a for a in lab.cli_args() if a != "--allow-private-addresses"]
    out = tmp_path / "rapport"
    done = cli(
        "run", "-d", lab.scenarios["hostile-interne"].domain, *args, "--timeout", "1",
        "-o", str(out), "--format", "json,html",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert SECRET not in done.stdout + done.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    raw = (out / "audit.json").read_text(encoding="utf-8")
    assert "SECRET-INTERNAL" not in raw and "hunter2" not in raw
    assert "SECRET-INTERNAL" not in html and "hunter2" not in html
    text = pdf_text(html)
    assert "hostile-interne" in text  # the helper does see the report's text
    assert "hunter2" not in text
    findings = json.loads(raw)["findings"]
    [mx] = [f for f in findings if f["check_id"] == "mail.mx.present"]
    assert mx["status"] == "fail" and mx["facts_kind"] == "mx.exchangers"
    assert all(x["non_routable"] and not x["addresses"] for x in mx["facts"]["exchangers"])
    assert mx["remediation"].startswith("Corrigez dans la zone DNS l'adresse")
    # Nothing was contacted: every client endpoint says why, none has a greeting.
    client = [f for f in findings if f["check_id"] == "mail.client_tls.encryption"]
    assert client and all(f["status"] == "indeterminate" for f in client)
    reasons = {f["error"]["reason"] for f in client}
    assert reasons == {"private_address", "limit"}
    assert not any(e["label"] == "Accueil" for f in client for e in f["evidence"])
    [policy] = [f for f in findings if f["check_id"] == "mail.mta_sts.policy"]
    assert policy["status"] == "fail" and "non routable" in policy["summary"]


def test_opted_in_audit_still_caps_srv_endpoints_per_service(lab: Lab) -> None:
    found = audit(lab, "hostile-interne", allow=True)
    encryption = found["mail.client_tls.encryption"]
    imap = [f for f in encryption if (f.subject or "").startswith("IMAP ")]
    assert len(imap) == MAX_SRV_PER_SERVICE
    # The lowest SRV priority is tried first: the standard port, where the server answers.
    assert any(f.status is Status.FAIL for f in imap)
    [limit] = [f for f in encryption if f.error is not None and f.error.reason == "limit"]
    assert limit.status is Status.INDETERMINATE and "Non testé (limite)" in limit.summary
    assert "20 autre(s)" in limit.summary
    # Non-standard ports published by the domain's own SRV records, within the caps.
    assert any("port 2100" in (f.subject or "") for f in encryption)


def test_mx_hosts_and_addresses_are_capped(lab: Lab) -> None:
    found = audit(lab, "hostile-mx-nombreux", allow=True)
    starttls = found["mail.starttls.offered"]
    probed = [f for f in starttls if f.error is None or f.error.reason != "limit"]
    # 10 MX kept; the first has 12 addresses of which 10 are probed: 10 + 9 others.
    assert len(probed) == 19
    assert not any("mx11" in (f.subject or "") or "mx12" in (f.subject or "") for f in probed)
    [limit] = [f for f in starttls if f.error is not None and f.error.reason == "limit"]
    listed = json.dumps([e.value for e in limit.evidence])
    assert "mx11" in listed and "mx12" in listed
    assert limit.facts_kind == "server.over_limit" and limit.facts is not None
    assert {"mx11", "mx12"} <= {u.split(".")[0] for u in limit.facts["untested"]}
    mx = found["mail.mx.present"]
    assert any(f.error is not None and f.error.reason == "limit" for f in mx)
    [kept] = [f for f in mx if f.facts_kind == "mx.exchangers"]
    assert kept.facts is not None and len(kept.facts["exchangers"]) == 10


def test_non_routable_mx_is_never_probed_by_any_check(lab: Lab) -> None:
    found = audit(lab, "hostile-interne", allow=False)
    for check_id in ("mail.starttls.offered", "mail.tls.certificate", "mail.mta_sts.mx_tls"):
        for finding in found[check_id]:
            assert finding.status in (Status.NOT_APPLICABLE, Status.INDETERMINATE), check_id
            labels = {e.label for e in finding.evidence}
            assert "Bannière SMTP" not in labels, check_id
