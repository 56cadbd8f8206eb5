"""One guard for every spreadsheet (XLSX, ODS) read from a user or a download.

A workbook is a ZIP archive of XML parts: a file of a few hundred kilobytes can unzip to
gigabytes (one huge XML comment) or to millions of tiny elements (shared strings) that the
spreadsheet libraries would hold in memory for minutes. Before any of them parses anything,
`check_workbook` refuses an archive by its declared sizes and number of entries, then
streams every XML part through expat, counting elements against a deadline. Python's
`zipfile` never inflates an entry beyond its declared size, so the declared sum is a true
bound on what the parsers can see.
"""

from __future__ import annotations

import time
import zipfile
from xml.parsers import expat

#: Largest total size of a workbook's entries once unzipped.
MAX_UNZIPPED_BYTES = 32 * 1024 * 1024
#: Most entries in the archive: a workbook has a few dozen parts.
MAX_ENTRIES = 1000
#: Most XML elements in all parts together: the largest register (2,000 rows of 64 cells)
#: or list of certified hosts (20,000 rows) stays well below.
MAX_XML_ELEMENTS = 1_000_000
#: Longest time the check may take (a few seconds for the largest accepted workbook).
MAX_SECONDS = 20.0

_CHUNK = 64 * 1024


class WorkbookRefused(Exception):
    """The workbook is too large or too complex to be read; the message is in French."""


def check_workbook(archive: zipfile.ZipFile, max_seconds: float = MAX_SECONDS) -> None:
    """Raise `WorkbookRefused` unless `archive` is within every limit above.

    A damaged archive raises `zipfile.BadZipFile` as it would in the reader. Broken XML is
    left to the reader, which reports it in its own words; a document type declaration
    (the vehicle of entity bombs, never used by spreadsheets) is refused.
    """
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise WorkbookRefused(
            f"classeur de plus de {MAX_ENTRIES} éléments ; vérifiez qu'il s'agit du bon fichier"
        )
    if sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
        raise WorkbookRefused(
            "classeur trop volumineux une fois décompressé (plus de "
            f"{MAX_UNZIPPED_BYTES // (1024 * 1024)} Mio) ; vérifiez qu'il s'agit du bon fichier"
        )
    deadline = time.monotonic() + max_seconds
    counted = [0]
    for entry in entries:
        if entry.filename.lower().endswith((".xml", ".rels")):
            _scan(archive, entry, counted, deadline, max_seconds)


def _scan(
    archive: zipfile.ZipFile,
    entry: zipfile.ZipInfo,
    counted: list[int],
    deadline: float,
    max_seconds: float,
) -> None:
    parser = expat.ParserCreate()

    def element(_name: str, _attributes: object) -> None:
        counted[0] += 1
        if counted[0] > MAX_XML_ELEMENTS:
            raise WorkbookRefused(
                f"classeur de plus de {MAX_XML_ELEMENTS:,} éléments XML".replace(",", " ")
                + " ; vérifiez qu'il s'agit du bon fichier"
            )

    def doctype(*_args: object) -> None:
        raise WorkbookRefused("classeur illisible : déclaration DOCTYPE refusée par sécurité")

    parser.StartElementHandler = element
    parser.StartDoctypeDeclHandler = doctype
    with archive.open(entry) as stream:
        try:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
                if time.monotonic() > deadline:
                    raise WorkbookRefused(
                        f"classeur trop long à lire (plus de {max_seconds:g} s) ; vérifiez "
                        "qu'il s'agit du bon fichier"
                    )
            parser.Parse(b"", True)
        except expat.ExpatError:
            return
