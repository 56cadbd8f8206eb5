"""A report with many findings: its render time, peak memory and pages, and the PDF kept.

Each control of the demo audit is repeated (`--copies`, each copy a control of its own, as a
practice audited with many extensions would have), every copy of a per-server control holds
twelve MX addresses, and long DNS records and URLs are put in summaries and evidence: the
page images of this report show what the demo alone cannot (tables over several pages,
cards running over a page, long values wrapping in their cells).

    python benchmarks/render_many.py [AUDIT_JSON] [--copies N] [-o DIR]

Without AUDIT_JSON, a demo audit is made first (`rgpd-audit demo --format json`). The audit
and the PDF stay in DIR (default: a temporary folder, removed) for `pdftoppm -r 50 -png`.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

# The measuring of render_report.py, beside this script (its folder is on sys.path).
from render_report import _demo_audit, _one_run, _page_count

KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAz3Qm9f8ZkV1vYd2d7Q0p"
LONG_RECORD = "v=DKIM1; k=rsa; p=" + KEY * 4
LONG_URL = "https://mta-sts.cabinet-exemple.fr/.well-known/mta-sts.txt?" + "x" * 150


def many_findings(audit: dict[str, Any], copies: int) -> dict[str, Any]:
    """`audit` with each control repeated `copies` times and long values added."""
    findings: list[dict[str, Any]] = []
    for copy in range(copies):
        for finding in audit["findings"]:
            item = json.loads(json.dumps(finding))
            if copy:
                item["check_id"] = f"{item['check_id']}.copie{copy}"
                item["title"] = f"{item['title']} (copie {copy})"
            if item["status"] in ("fail", "indeterminate") and copy % 2:
                item["summary"] += f" Publié : {LONG_RECORD} ; politique : {LONG_URL}"
                item["evidence"].append({"label": "Enregistrement TXT", "value": LONG_RECORD})
            if (item.get("subject") or "").startswith("mx1."):
                # Twelve MX addresses for this control: one card listing them all.
                for mx in range(3, 15):
                    other = json.loads(json.dumps(item))
                    other["subject"] = item["subject"].replace("mx1.", f"mx{mx}.", 1)
                    findings.append(other)
            findings.append(item)
    return {**audit, "findings": findings[:2000]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audit", nargs="?", type=Path, help="audit.json (défaut : démo)")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("-o", "--output", type=Path, help="dossier gardé (audit et PDF)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.output or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        source = args.audit or _demo_audit(Path(tmp))
        audit = many_findings(json.loads(source.read_text(encoding="utf-8")), args.copies)
        many = work / "many-findings.json"
        many.write_text(json.dumps(audit, ensure_ascii=False), encoding="utf-8")
        wall, cpu, peak = _one_run(many, "pdf", work)
        pdf = work / "report.pdf"
        pages = _page_count(pdf) or "?"
        print(
            f"{len(audit['findings'])} constats : {wall:.2f} s, CPU {cpu:.2f} s, mémoire max "
            f"{peak:.0f} Mo, {pages} pages" + (f", {pdf}" if args.output else "")
        )


if __name__ == "__main__":
    main()
