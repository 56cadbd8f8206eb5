"""Whole-process time and peak memory of `rgpd-audit render` on the demo audit, HTML and PDF.

Each run is a fresh process (`rgpd-audit render audit.json --format …`), as a user would
start it: interpreter start-up, imports, templates, layout and writing are all counted. Peak
memory is the child's maximum resident set size (`ru_maxrss`), read from `wait4`, with the
CPU time it used (user + system): on a shared machine the wall time also counts the time the
process waited for a core, the CPU time much less so. Every figure is the median of several runs.

    python benchmarks/render_report.py [AUDIT_JSON] [--runs N]

Without AUDIT_JSON, a demo audit is made first (`rgpd-audit demo --format json`).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _cli() -> list[str]:
    """The installed console script next to this interpreter, else the module entry point."""
    script = Path(sys.executable).with_name("rgpd-audit")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from rgpd_audit.cli import main; main()"]


def _demo_audit(work: Path) -> Path:
    out = work / "demo"
    subprocess.run([*_cli(), "demo", "--format", "json", "-o", str(out), "--quiet"], check=True)
    return out / "audit.json"


def _one_run(audit: Path, fmt: str, out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one `render` process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*_cli(), "render", str(audit), "--format", fmt, "-o", str(out), "--quiet"],
        stdout=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"render --format {fmt} a échoué (code {status})")
    # Linux reports ru_maxrss in kibibytes.
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _page_count(pdf: Path) -> int | None:
    """Pages of `pdf` by poppler's pdfinfo, when installed (Debian: poppler-utils)."""
    if shutil.which("pdfinfo") is None:
        return None
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("audit", nargs="?", type=Path, help="audit.json (défaut : démo)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        audit = args.audit or _demo_audit(work)
        source = work / "source.json"
        shutil.copyfile(audit, source)
        for fmt in ("html", "pdf"):
            runs = [_one_run(source, fmt, work / fmt) for _ in range(args.runs)]
            walls = [w for w, _, _ in runs]
            cpus = [c for _, c, _ in runs]
            peaks = [m for _, _, m in runs]
            extra = ""
            if fmt == "pdf":
                pdf = work / "pdf" / "report.pdf"
                extra = f", {pdf.stat().st_size / 1024:.0f} Kio"
                pages = _page_count(pdf)
                if pages:
                    extra += f", {pages} pages"
            print(
                f"render --format {fmt:4} : médiane {statistics.median(walls):.2f} s "
                f"(min {min(walls):.2f}, max {max(walls):.2f}), CPU médiane "
                f"{statistics.median(cpus):.2f} s, mémoire max médiane "
                f"{statistics.median(peaks):.0f} Mo (max {max(peaks):.0f}), "
                f"{args.runs} processus{extra}"
            )


if __name__ == "__main__":
    main()
