"""Peak memory and time of `rgpd-audit hds update --file` on the two XLSX bombs of issue 16.

1. `strings`: 4 million shared strings, about 634 KB compressed.
2. `comment`: a 1 GiB XML comment in the shared strings, about 1 MB compressed.

Each file is written under a temporary directory, then the installed console script reads
it under `/usr/bin/time -v` (killed after `--limit` seconds, 150 by default). Also run on
`register validate`, which reads workbooks through the same guard. Usage:

    python benchmarks/xlsx_bombs.py [--limit SECONDS] [--exe PATH-TO-rgpd-audit]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

EXE = str(Path(sys.executable).with_name("rgpd-audit"))

_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>'

_CONTENT_TYPES = (
    f'{_HEAD}<Types xmlns="{_PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SML}.sheet.main+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_SML}.worksheet+xml"/>'
    f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SML}.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    f'{_HEAD}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}">'
    '<sheets><sheet name="Liste" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'{_HEAD}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_SHEET = (
    f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>1</v></c></row>'
    "</sheetData></worksheet>"
)
_SST_HEAD = f'{_HEAD}<sst xmlns="{_MAIN}">'


def _xlsx(path: Path, shared_strings: bytes | None, chunks: tuple[bytes, int] | None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as entry:
            entry.write(_SST_HEAD.encode())
            # A valid list head: a header and one host, so that the list is accepted.
            entry.write(b"<si><t>Raison sociale</t></si><si><t>Exemple SAS</t></si>")
            if shared_strings is not None:
                entry.write(shared_strings)
            if chunks is not None:
                chunk, count = chunks
                entry.write(b"<!--")
                for _ in range(count):
                    entry.write(chunk)
                entry.write(b"-->")
            entry.write(b"</sst>")


def build(directory: Path) -> dict[str, Path]:
    """Write both bombs into `directory`."""
    strings = directory / "4M-chaines.xlsx"
    _xlsx(strings, b"<si><t>x</t></si>" * 4_000_000, None)
    comment = directory / "commentaire-1Gio.xlsx"
    _xlsx(comment, b"<si><t>Raison sociale</t></si>", (b"A" * (1 << 20), 1024))
    return {"4 millions de chaînes partagées": strings, "commentaire XML de 1 Gio": comment}


def measure(args: list[str], limit: float) -> str:
    """Wall time, peak resident memory and exit status of `args` under /usr/bin/time -v."""
    started = time.monotonic()
    # A session of its own: on timeout, /usr/bin/time and the command it runs are both killed.
    with subprocess.Popen(
        ["/usr/bin/time", "-v", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    ) as process:
        try:
            _, stderr = process.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return f"arrêté au bout de {limit:.0f} s (toujours en cours)"
    done = subprocess.CompletedProcess(args, process.returncode, "", stderr)
    elapsed = time.monotonic() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    peak_mb = int(peak.group(1)) / 1024 if peak else float("nan")
    message = next(
        (line for line in done.stderr.splitlines() if line.startswith("Erreur")), "(aucun)"
    )
    return f"{elapsed:.1f} s, pic {peak_mb:.0f} Mo, code {done.returncode}, message : {message}"


def main() -> None:
    """Build the bombs and print the figures of each command on each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=float, default=150.0)
    parser.add_argument(
        "--exe", default=EXE, help="rgpd-audit to measure (e.g. an install of an older version)"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rgpd-bombs-") as tmp:
        directory = Path(tmp)
        for label, path in build(directory).items():
            print(f"{label} ({path.stat().st_size / 1024:.0f} Ko) :")
            data = directory / f"donnees-{path.stem}"
            hds = [options.exe, "hds", "update", "--file", str(path), "--data-dir", str(data)]
            print("  hds update      ", measure(hds, options.limit))
            register = [options.exe, "register", "validate", str(path)]
            print("  register validate", measure(register, options.limit))


if __name__ == "__main__":
    main()
