"""Read back the `audit.json` embedded in a report PDF written by this tool.

Only our own PDFs are read: the attachment is an `/EmbeddedFile` stream, which PDF keeps as a
top-level object even when other objects are packed into object streams, so it can be found
without a full PDF parser (and without one more dependency). The file is untrusted all the
same (anyone can hand over a PDF): sizes are capped before and after decompression, and the
MD5 checksum PDF records for the attachment must match.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from pathlib import Path

from rgpd_audit.errors import InputError
from rgpd_audit.models import AUDIT_JSON_MAX_BYTES
from rgpd_audit.yaml_source import read_bytes

# A report is a few hundred kilobytes; this leaves room for a complete evidence annex.
PDF_MAX_BYTES = 64 * 1024 * 1024

_EMBEDDED = re.compile(rb"/Type\s*/EmbeddedFile\b")
_STREAM = re.compile(rb"\bstream\r?\n")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_CHECKSUM = re.compile(rb"/CheckSum\s*<([0-9A-Fa-f]{32})>")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")


def _inflate(data: bytes, source: str) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, AUDIT_JSON_MAX_BYTES)
    except zlib.error:
        raise InputError(
            f"{source} : pièce jointe illisible (données compressées abîmées)"
        ) from None
    if inflater.unconsumed_tail:
        raise InputError(f"{source} : pièce jointe trop volumineuse pour être un audit.json")
    return out


def embedded_files(pdf: bytes, source: str) -> list[bytes]:
    """Contents of every embedded file of `pdf` whose checksum matches."""
    found = []
    for match in _EMBEDDED.finditer(pdf):
        # The stream's dictionary starts at its `N 0 obj` and ends at `stream`.
        starts = [m.end() for m in _OBJ.finditer(pdf, max(0, match.start() - 4096), match.start())]
        start = starts[-1] if starts else match.start()
        stream = _STREAM.search(pdf, match.end(), match.end() + 4096)
        if stream is None:
            continue
        header = pdf[start : stream.start()]
        length = _LENGTH.search(header)
        if length is None:
            continue
        raw = pdf[stream.end() : stream.end() + int(length.group(1))]
        data = _inflate(raw, source) if b"/FlateDecode" in header else raw
        checksum = _CHECKSUM.search(header)
        if checksum and hashlib.md5(data, usedforsecurity=False).hexdigest() != (
            checksum.group(1).decode().lower()
        ):
            continue
        found.append(data)
    return found


def audit_json_from_pdf(path: Path) -> bytes:
    """The audit.json embedded in the report PDF at `path`; `InputError` otherwise."""
    pdf = read_bytes(path, str(path), kind="rapport PDF", max_bytes=PDF_MAX_BYTES)
    if not pdf.startswith(b"%PDF-"):
        raise InputError(f"{path} n'est pas un fichier PDF")
    for data in embedded_files(pdf, str(path)):
        if data.lstrip().startswith(b"{"):
            return data
    raise InputError(
        f"{path} ne contient pas de résultats d'audit (rapport produit par une version "
        "antérieure ou par un autre outil) : refaites le rendu depuis audit.json"
    )
