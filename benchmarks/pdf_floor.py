"""Where the time of a PDF render goes, part by part, and how low WeasyPrint can go on it.

Prints, for the demo report (or AUDIT_JSON):
- the fixed cost of a render process: interpreter, the tool's modules and WeasyPrint imported
  (median of fresh processes);
- the layout and drawing time of each part of the report laid out alone, with its pages;
- three whole documents: the report as rendered; its body only (cover to findings, what the
  practitioner reads); the report stripped of all inline markup (badges, labels, links,
  table-of-contents leaders), the text being the same — the most markup work can save.

Layout and drawing are timed in one process, after a warm-up render (fonts loaded), median of
--runs. Add the fixed cost to a document's time for a whole-process estimate.

    python benchmarks/pdf_floor.py [AUDIT_JSON] [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from render_report import _demo_audit

from rgpd_audit.audit_file import load_audit_result
from rgpd_audit.render.html import render_html
from rgpd_audit.render.pdf import build_document

BODY_PARTS = ("cover", "toc", "summary", "evolution", "plan", "findings")
IMPORTS = (
    "import rgpd_audit.cli, rgpd_audit.render.html, rgpd_audit.audit_file;"
    "from rgpd_audit.render.pdf import load_weasyprint; load_weasyprint()"
)


def _fixed_cost(runs: int) -> float:
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", IMPORTS], check=True)
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def _layout_and_draw(html: str, runs: int) -> tuple[int, float]:
    """Pages and median seconds of WeasyPrint's layout plus PDF writing of `html`."""
    times, pages = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        document = build_document(html)
        document.write_pdf()
        times.append(time.perf_counter() - start)
        pages = len(document.pages)
    return pages, statistics.median(times)


def _parts(html: str) -> tuple[str, list[tuple[str, str]]]:
    """The document's head and its top-level sections, each named by its first class."""
    head, body = html.split("<body>", 1)
    body = body.rsplit("</body>", 1)[0]
    chunks = [c for c in re.split(r'(?=<section class=")', body) if c.strip()]
    named = []
    for chunk in chunks:
        match = re.match(r'<section class="([^"]+)"', chunk)
        named.append((match.group(1) if match else "?", chunk))
    return head, named


def _without_inline_markup(html: str) -> str:
    head, body = html.split("<body>", 1)
    for _ in range(3):  # nested spans
        body = re.sub(r"<span\b[^>]*>(.*?)</span>", r"\1", body, flags=re.S)
    body = re.sub(r"<a\b[^>]*>|</a>", "", body)
    head = head.replace('leader(". ") target-counter(attr(href), page)', '""')
    return head + "<body>" + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audit", nargs="?", type=Path, help="audit.json (défaut : démo)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        audit = args.audit or _demo_audit(Path(tmp))
        html = render_html(load_audit_result(audit))
    print(f"coût fixe d'un processus (imports) : {_fixed_cost(5):.2f} s")
    gc.disable()  # as the CLI does during a layout
    _layout_and_draw("<p>x</p>", 1)  # fonts and caches loaded once, as in a real render
    head, parts = _parts(html)
    print("mise en page + écriture, partie seule :")
    for name, chunk in parts:
        pages, seconds = _layout_and_draw(f"{head}<body>{chunk}</body></html>", args.runs)
        print(f"  {name:22s} {pages:3d} p  {seconds:5.2f} s  ({seconds / pages:.2f} s/page)")
    body = "".join(chunk for name, chunk in parts if name.split()[0] in BODY_PARTS)
    documents = {
        "rapport complet": html,
        "corps seul (couverture → constats)": f"{head}<body>{body}</body></html>",
        "rapport sans balisage en ligne": _without_inline_markup(html),
    }
    print("documents entiers :")
    for label, document in documents.items():
        pages, seconds = _layout_and_draw(document, args.runs)
        print(f"  {label:36s} {pages:3d} p  {seconds:5.2f} s")


if __name__ == "__main__":
    main()
