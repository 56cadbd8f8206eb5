"""One guard for every XLSX/ODS reader: sizes, entries, XML elements, time (issue 16, defect 2).

The bombs are built here the way the issue describes them (many shared strings, a huge XML
comment), smaller so the tests stay fast, but beyond the same limits.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from rgpd_audit.hds.tabular import TableError, parse_host_table
from rgpd_audit.register import load_register
from rgpd_audit.register.errors import RegisterError
from rgpd_audit.workbook_guard import (
    MAX_UNZIPPED_BYTES,
    MAX_XML_ELEMENTS,
    WorkbookRefused,
    check_workbook,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006"
SML = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def xlsx(shared: bytes) -> bytes:
    """A minimal workbook whose cell A1 is shared string 0, with `shared` as the strings."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{PKG}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{SML}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SML}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SML}.sharedStrings+xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{PKG}/relationships"><Relationship Id="rId1" '
            f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
            '<sheet name="Liste" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{DOC}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c>'
            "</row></sheetData></worksheet>",
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{MAIN}"><si><t>Raison sociale</t></si>'.encode() + shared + b"</sst>",
        )
    return buffer.getvalue()


#: Small once compressed, more XML elements than the limit, within the size limit.
MANY_STRINGS = xlsx(b"<si><t>x</t></si>" * (MAX_XML_ELEMENTS // 2 + 1))
#: A comment larger than the whole size limit, a few dozen kilobytes once compressed.
HUGE_COMMENT = xlsx(b"<!--" + b"A" * (MAX_UNZIPPED_BYTES + 1024) + b"-->")


def test_bombs_are_small_files() -> None:
    assert len(MANY_STRINGS) < 200_000
    assert len(HUGE_COMMENT) < 200_000


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (MANY_STRINGS, "éléments XML"),
        (HUGE_COMMENT, "trop volumineux une fois décompressé"),
    ],
)
def test_hds_list_refuses_workbook_bombs(data: bytes, message: str) -> None:
    with pytest.raises(TableError, match=message):
        parse_host_table(data, "liste.xlsx", "2026-01-01")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (MANY_STRINGS, "éléments XML"),
        (HUGE_COMMENT, "trop volumineux une fois décompressé"),
    ],
)
def test_register_refuses_the_same_bombs(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "registre.xlsx"
    path.write_bytes(data)
    with pytest.raises(RegisterError, match=message):
        load_register(path)


def test_hds_update_cli_refuses_a_bomb_in_one_french_line(cli, tmp_path: Path) -> None:
    bomb = tmp_path / "liste.xlsx"
    bomb.write_bytes(MANY_STRINGS)
    done = cli("hds", "update", "--file", str(bomb), "--data-dir", str(tmp_path / "donnees"))
    assert done.returncode == 2
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Erreur : liste.xlsx : liste illisible, classeur de plus de")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "donnees").exists() or not any((tmp_path / "donnees").iterdir())


def test_reading_takes_no_longer_than_the_time_limit() -> None:
    data = xlsx(b"<!--" + b"A" * (4 * 1024 * 1024) + b"-->")
    with (
        zipfile.ZipFile(io.BytesIO(data)) as archive,
        pytest.raises(WorkbookRefused, match="trop long à lire"),
    ):
        check_workbook(archive, max_seconds=0)


def test_a_doctype_is_refused() -> None:
    data = xlsx(b"")
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w") as target,
    ):
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/sharedStrings.xml":
                content = b'<!DOCTYPE sst [<!ENTITY a "aaaa">]>' + content
            target.writestr(item, content)
    with zipfile.ZipFile(buffer) as archive, pytest.raises(WorkbookRefused, match="DOCTYPE"):
        check_workbook(archive)


def test_an_ordinary_workbook_passes() -> None:
    with zipfile.ZipFile(io.BytesIO(xlsx(b"<si><t>OVH</t></si>"))) as archive:
        check_workbook(archive)
