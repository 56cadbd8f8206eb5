"""Time to render the demo report to PDF (median of 5), with its page count.

Without Debian's libharfbuzz-subset0, WeasyPrint's font subsetting makes this several times
slower: run it on a machine set up as the README says.
"""

import statistics
import tempfile
import time
from pathlib import Path

from rgpd_audit.render.html import render_html
from rgpd_audit.render.pdf import build_document, render_pdf

RUNS = 5


def demo_html(out: Path) -> str:
    """HTML of a fresh demo audit (lab started and stopped by the CLI)."""
    from typer.testing import CliRunner

    from rgpd_audit.cli import app
    from rgpd_audit.models import AuditResult

    done = CliRunner().invoke(app, ["demo", "--format", "json", "--output", str(out), "--quiet"])
    assert done.exit_code == 0, done.output
    return render_html(AuditResult.model_validate_json((out / "audit.json").read_text()))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        html = demo_html(Path(tmp))
        times = []
        for _ in range(RUNS):
            start = time.perf_counter()
            render_pdf(html, Path(tmp) / "report.pdf")
            times.append(time.perf_counter() - start)
        pages = len(build_document(html).pages)
        size = (Path(tmp) / "report.pdf").stat().st_size
    print(
        f"rendu PDF du rapport de démonstration : médiane {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}, {RUNS} rendus), {pages} pages, "
        f"{size / 1024:.0f} Kio"
    )


if __name__ == "__main__":
    main()
