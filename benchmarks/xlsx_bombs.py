"""Peak memory and time of `rgpd-audit hds update --file` on the two XLSX bombs of issue 16.

1. `strings`: 4 million shared strings, about 634 KB compressed.
2. `comment`: a 1 GiB XML comment in the shared strings, about 1 MB compressed.

Each file is written under a temporary directory, then the installed console script reads
it under `/usr/bin/time -v` (killed after `--limit` seconds, 150 by default). Also run on
`register validate`, which reads workbooks through the same guard. Usage:

    python benchmarks/xlsx_bombs.py [--limit SECONDS]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

EXE = str(Path(sys.executable).with_name("rgpd-audit"))

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Liste" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    "</sheetData></worksheet>"
)
_SST_HEAD = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _xlsx(path: Path, shared_strings: bytes | None, chunks: tuple[bytes, int] | None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", _SHEET)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as entry:
            entry.write(_SST_HEAD.encode())
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
    _xlsx(comment, b'<si><t>Raison sociale</t></si>', (b"A" * (1 << 20), 1024))
    return {"4 millions de chaînes partagées": strings, "commentaire XML de 1 Gio": comment}


def measure(args: list[str], limit: float) -> str:
    """Wall time, peak resident memory and exit status of `args` under /usr/bin/time -v."""
    started = time.monotonic()
    try:
        done = subprocess.run(
            ["/usr/bin/time", "-v", *args], capture_output=True, text=True, timeout=limit
        )
    except subprocess.TimeoutExpired:
        return f"arrêté au bout de {limit:.0f} s (toujours en cours)"
    elapsed = time.monotonic() - started
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    peak_mb = int(peak.group(1)) / 1024 if peak else float("nan")
    message = next(
        (line for line in done.stderr.splitlines() if line.startswith("Erreur")), "(aucun)"
    )
    return (
        f"{elapsed:.1f} s, pic {peak_mb:.0f} Mo, code {done.returncode}, message : {message}"
    )


def main() -> None:
    """Build the bombs and print the figures of each command on each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=float, default=150.0)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="rgpd-bombs-") as tmp:
        directory = Path(tmp)
        for label, path in build(directory).items():
            print(f"{label} ({path.stat().st_size / 1024:.0f} Ko) :")
            data = directory / f"donnees-{path.stem}"
            hds = [EXE, "hds", "update", "--file", str(path), "--data-dir", str(data)]
            print("  hds update      ", measure(hds, options.limit))
            register = [EXE, "register", "validate", str(path)]
            print("  register validate", measure(register, options.limit))


if __name__ == "__main__":
    main()
