"""Layout of the PDF with edge-case inputs: long or unbroken names, light accent colours,
interrupted audits, three-digit finding numbers. Each test lays the report out and looks at
where the text landed, not at the HTML."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rgpd_audit.models import AuditResult, Consultant
from rgpd_audit.render import render_html
from rgpd_audit.render.pdf import build_document
from tests.render.conftest import LONG_CONSULTANT

MM = 96 / 25.4  # CSS pixels per millimetre
PAGE_WIDTH = 210 * MM


def _words(length: int, text: str) -> str:
    """`text` repeated and cut to `length` characters."""
    return (text * (length // len(text) + 1))[:length]


def _boxes(box: object, css_class: str | None = None) -> Iterator[object]:
    """`box` and its descendants; only those with class `css_class` (and what they hold),
    when given."""
    element = getattr(box, "element", None)
    if css_class is None or (
        element is not None and css_class in (element.get("class") or "").split()
    ):
        yield box
        css_class = None
    for child in getattr(box, "children", None) or []:
        yield from _boxes(child, css_class)


def _lines(box: object) -> list[tuple[str, float, float, float, float]]:
    """Every piece of text in `box`: text, left, top, right, bottom (CSS pixels)."""
    from weasyprint.formatting_structure.boxes import TextBox

    return [
        (b.text, b.position_x, b.position_y, b.position_x + b.width, b.position_y + b.height)
        for b in _boxes(box)
        if isinstance(b, TextBox)
    ]


# The longest values the configuration and `render` accept (firm, name and role 200
# characters, contact 300, practice name 200), as words.
LONGEST_CONSULTANT = Consultant(
    firm=_words(200, "Cabinet de conseil en protection des données de santé "),
    name=_words(200, "Marie-Christine de La Tour-Dupont-Villeneuve "),
    role=_words(200, "Déléguée à la protection des données externe, auditrice "),
    contact=_words(300, "marie.delatour@expertise-sante.example.fr · 01 23 45 67 89 · "),
)


def _png_logo(width: int, height: int) -> str:
    """A plain PNG of `width` × `height` pixels, as the data: URL the configuration keeps."""
    import base64
    import io

    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 60)).save(data, "PNG")
    return "data:image/png;base64," + base64.b64encode(data.getvalue()).decode()


def _logo(width: int, height: int) -> Consultant:
    return Consultant(firm="Conseil RGPD Santé", logo=_png_logo(width, height))


COVER_CASES = {
    "interrupted audit": {"complete": False},
    "interrupted audit, tall logo": {"complete": False, "consultant": _logo(100, 2000)},
    "interrupted audit, wide logo": {"complete": False, "consultant": _logo(2000, 100)},
    "long consultant identity": {"consultant": LONG_CONSULTANT},
    "longest consultant identity": {"consultant": LONGEST_CONSULTANT},
    "longest practice name": {
        "practice_name": _words(200, "Maison de santé pluriprofessionnelle universitaire ")
    },
    "unbroken practice name": {"practice_name": "C" * 200},
    "everything long, interrupted": {
        "complete": False,
        "consultant": LONGEST_CONSULTANT,
        "practice_name": _words(200, "Maison de santé pluriprofessionnelle universitaire "),
        "domain": ("a" * 60 + ".") * 3 + "fr",
        "emails": [f"secretariat{n}@cabinet-dupont.fr" for n in range(5)],
    },
    "tall logo, usual spacing": {"consultant": _logo(100, 2000)},
    # Just under the values that tighten the cover: its usual spacing must still hold them.
    "long values, usual spacing": {
        "consultant": Consultant(
            name="Marie-Christine Dupont",
            role="Consultante RGPD, DPO externe",
            firm="Conseil RGPD Santé Val-de-Loire",
            contact="marie.dupont@conseil-rgpd.fr",
        ),
        "practice_name": _words(60, "Maison de santé pluriprofessionnelle universitaire "),
        "domain": "maison-de-sante-pluriprofessionnelle-ouest.fr",
        "emails": ["secretariat@maison-de-sante-ouest.fr", "contact@maison-sante.fr"],
    },
}


def _with(result: AuditResult, case: dict[str, object]) -> AuditResult:
    target = {k: case[k] for k in ("practice_name", "domain", "emails") if k in case}
    update: dict[str, object] = {"target": result.target.model_copy(update=target)}
    update.update({k: case[k] for k in ("complete", "consultant") if k in case})
    return result.model_copy(update=update)


@pytest.mark.parametrize("case", list(COVER_CASES))
def test_cover_holds_on_its_page_clear_of_its_foot(result: AuditResult, case: str) -> None:
    # The cover is one page whatever its values, and the confidentiality note at its foot is
    # never printed over: an interrupted audit's banner, a long consultant identity or a long
    # practice name pushed the disclaimer under it, longer values the cover onto a second
    # page without margins.
    html = render_html(_with(result, COVER_CASES[case]))
    assert ("cover dense" in html) == (not case.endswith("usual spacing"))
    document = build_document(html)
    covers = [n for n, page in enumerate(document.pages) if page._page_box.page_type.name]
    assert covers == [0]
    cover = document.pages[0]._page_box
    foot = next(_boxes(cover, "cover-foot"))
    foot_lines = _lines(foot)
    lines = [line for line in _lines(cover) if line not in foot_lines]
    lowest = max(lines, key=lambda line: line[4])
    assert lowest[4] <= foot.position_y + foot.margin_top, lowest[0]  # above its rule
    assert all(right <= PAGE_WIDTH for _, _, _, right, _ in lines + foot_lines)
    # Nothing is printed over anything else: no two pieces of text, nor the logo and text.
    rectangles = [(left, top, right, bottom) for _, left, top, right, bottom in lines]
    for logo in _boxes(cover, "cover-logo"):
        left, top = logo.position_x + logo.margin_left, logo.position_y + logo.margin_top
        rectangles.append((left, top, left + logo.border_width(), top + logo.border_height()))
        assert left > PAGE_WIDTH / 2  # at the right of the band, as on the usual cover
    for n, first in enumerate(rectangles):
        for second in rectangles[n + 1 :]:
            overlap_x = min(first[2], second[2]) - max(first[0], second[0])
            overlap_y = min(first[3], second[3]) - max(first[1], second[1])
            assert min(overlap_x, overlap_y) < 1, (first, second)


def test_cover_keeps_its_usual_spacing_with_usual_values(result: AuditResult) -> None:
    # Only long values tighten the cover: the usual one is laid out as it always was.
    html = render_html(
        result.model_copy(
            update={
                "consultant": Consultant(
                    name="Marie Martin",
                    role="Consultante RGPD, DPO externe",
                    firm="Conseil RGPD Santé",
                    contact="marie.martin@conseil-rgpd.fr · 01 23 45 67 89",
                )
            }
        )
    )
    assert '<section class="cover">' in html
    assert '<section class="cover dense">' in render_html(
        result.model_copy(update={"complete": False})
    )


def test_unbroken_consultant_identity_wraps_in_the_signature_block(result: AuditResult) -> None:
    # A name, firm or address with no space to break at (the longest the configuration
    # accepts) ran off the right edge of the page in the signature block.
    consultant = Consultant(
        firm="F" * 200,
        name="N" * 200,
        role="R" * 200,
        contact="secretariat.conseil.protection.donnees.sante" * 6 + "@example.fr",
    )
    document = build_document(render_html(result.model_copy(update={"consultant": consultant})))
    pages = [_lines(page._page_box) for page in document.pages]
    (signed,) = [page for page in pages if any(text == "ÉTABLI PAR" for text, *_ in page)]
    assert any("NNNN" in text for text, *_ in signed)
    right_margin = PAGE_WIDTH - 14 * MM
    assert max(right for text, _, _, right, _ in signed if text.strip()) <= right_margin


def _hex(colour: object) -> str | None:
    """`#rrggbb` of a computed colour, None when transparent."""
    if colour.alpha == 0:  # type: ignore[attr-defined]
        return None
    red, green, blue = colour.to("srgb").coordinates  # type: ignore[attr-defined]
    return "#" + "".join(f"{round(c * 255):02x}" for c in (red, green, blue))


def _wcag_contrast(first: str, second: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        red, green, blue = (
            c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
        )
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _coloured_text(box: object, background: str = "#ffffff") -> Iterator[tuple[str, str, str]]:
    """Text, its colour and the colour behind it, for every piece of text in `box`."""
    from weasyprint.formatting_structure.boxes import TextBox

    background = _hex(box.style["background_color"]) or background  # type: ignore[attr-defined]
    if isinstance(box, TextBox) and box.text.strip():
        yield box.text, _hex(box.style["color"]) or "#000000", background
    for child in getattr(box, "children", None) or []:
        yield from _coloured_text(child, background)


@pytest.mark.parametrize("accent", ["#ffffff", "#ffff00", "#f0f0f0", "#ff0000", "#0078d4"])
def test_text_on_or_in_a_light_accent_colour_stays_readable(
    result: AuditResult, accent: str
) -> None:
    # The accent replaces the report's navy: white text is set on it (cover band, table
    # headings, « obligation » badges) and headings are set in it. With #ffffff or #ffff00
    # they were invisible; the accent is darkened as much as WCAG's 4.5:1 asks, hue kept.
    consultant = Consultant(firm="Conseil RGPD Santé", accent_color=accent)
    document = build_document(render_html(result.model_copy(update={"consultant": consultant})))
    band = next(_boxes(document.pages[0]._page_box, "cover-band"))
    used = _hex(band.style["background_color"])
    assert used is not None
    checked = [
        (text, colour, behind)
        for page in document.pages
        for text, colour, behind in _coloured_text(page._page_box)
        if used in (colour, behind)
    ]
    assert len(checked) > 50  # the cover, headings, table headings, badges
    worst = min(checked, key=lambda item: _wcag_contrast(item[1], item[2]))
    assert _wcag_contrast(worst[1], worst[2]) >= 4.5, worst


@pytest.mark.parametrize("accent", ["#1b5e20", "#000000", "#5b2c6f"])
def test_a_dark_accent_colour_is_used_as_given(result: AuditResult, accent: str) -> None:
    consultant = Consultant(firm="Conseil RGPD Santé", accent_color=accent)
    document = build_document(render_html(result.model_copy(update={"consultant": consultant})))
    band = next(_boxes(document.pages[0]._page_box, "cover-band"))
    assert _hex(band.style["background_color"]) == accent


def test_three_digit_finding_numbers_stay_inside_the_answers_table(
    result: AuditResult,
) -> None:
    # An audit of more than 99 controls: « NON CONFORME n° 139 » did not fit the answers
    # table's last column and, kept on one line, stuck out of the page by a millimetre.
    from rgpd_audit.models import AnswerLine, Finding, Severity, Status

    questions = [
        Finding(
            check_id=f"q.test.question_{n}",
            source="questionnaire",
            title=f"Question d'essai {n}",
            status=Status.FAIL,
            severity=Severity.MEDIUM,
            category="communication",
            summary="Réponse donnée : « Non ».",
            remediation="Faites-le.",
        )
        for n in range(120)
    ]
    lines = [
        AnswerLine(
            question_id=f"q.test.question_{n}",
            section="Essais",
            question=f"Question d'essai {n} ?",
            answer="Non",
        )
        for n in range(120)
    ]
    result = result.model_copy(update={"findings": questions, "answer_lines": lines})
    document = build_document(render_html(result, annexes="aucune"))
    numbers = [
        (text, right)
        for page in document.pages
        for text, _, _, right, _ in _lines(page._page_box)
        if text.startswith("n°\xa0")
    ]
    assert any(text == "n°\xa0120" for text, _ in numbers)
    assert max(right for _, right in numbers) <= PAGE_WIDTH - 14 * MM


def test_evolution_table_stays_inside_the_page(result: AuditResult) -> None:
    # Its three columns each took the 34 % of a key column (table.kv th): with their
    # padding, the table ran about 12 mm past the right margin (row rules and all).
    from datetime import UTC, datetime

    from rgpd_audit.models import Evolution, FindingChanges, TrendPoint

    before = TrendPoint(
        date=datetime(2026, 5, 4, tzinfo=UTC),
        grade="F",
        security_score=40,
        unmet_obligations=4,
        failed_controls=9,
    )
    now = TrendPoint(
        date=result.started_at, grade="E", security_score=52, unmet_obligations=2, failed_controls=4
    )
    evolution = Evolution(previous=before, trend=[before, now], changes=FindingChanges())
    document = build_document(render_html(result.model_copy(update={"evolution": evolution})))
    from weasyprint.formatting_structure.boxes import TableBox

    (table,) = [
        box
        for page in document.pages
        for box in _boxes(page._page_box, "evolution-table")
        if isinstance(box, TableBox)
    ]
    assert table.position_x + table.margin_width() <= PAGE_WIDTH - 14 * MM + 0.5


def test_running_header_names_a_technical_audit_as_the_cover_does(result: AuditResult) -> None:
    # Without questionnaire, the cover says « Audit technique de la messagerie » and that
    # the practice's obligations were not examined; every page's header still said
    # « Audit RGPD — données de santé ».
    assert result.verdict is not None
    technical = result.verdict.model_copy(
        update={"grade": None, "conformity_score": None, "scope": "technique"}
    )
    for verdict, header in (
        (technical, "Audit technique de la messagerie"),
        (result.verdict, "Audit RGPD — données de santé"),
    ):
        document = build_document(render_html(result.model_copy(update={"verdict": verdict})))
        headers = [
            {text for text, *_ in _lines(page._page_box)}
            & {header, "Audit RGPD — données de santé"}
            for page in document.pages[1:]
        ]
        assert headers == [{header}] * (len(document.pages) - 1)


@pytest.mark.parametrize("audits", [2, 6, 10])
def test_trend_chart_labels_do_not_run_into_each_other(result: AuditResult, audits: int) -> None:
    # Ten yearly audits are shown; at that count « 28 septembre 2026 » and « Conformité E »
    # under each point ran into their neighbours' (the dates then go in figures).
    import itertools
    import re
    import subprocess
    from datetime import UTC, datetime

    from PIL import ImageFont

    from rgpd_audit.models import Evolution, FindingChanges, TrendPoint

    trend = [
        TrendPoint(
            date=datetime(2017 + year, 9, 28, 10, tzinfo=UTC),
            grade="E",
            security_score=40 + year,
            unmet_obligations=2,
            failed_controls=4,
        )
        for year in range(audits)
    ]
    evolution = Evolution(previous=trend[-2], trend=trend, changes=FindingChanges())
    html = render_html(result.model_copy(update={"evolution": evolution}))
    chart = html.split('<svg class="chart"', 1)[1].split("</svg>", 1)[0]
    rows: dict[str, list[tuple[float, str, bool]]] = {}
    for attrs, text in re.findall(r"<text ([^>]*)>([^<]+)</text>", chart):
        if 'text-anchor="middle"' in attrs:
            x = float(re.search(r'\bx="([\d.]+)"', attrs)[1])  # type: ignore[index]
            y = re.search(r'\by="([\d.]+)"', attrs)[1]  # type: ignore[index]
            rows.setdefault(y, []).append((x, text, 'font-weight="bold"' in attrs))
    labels = [row for row in rows.values() if len(row) == audits]
    assert len(labels) >= 2  # the dates, the letters (and the scores)
    fonts = {
        bold: ImageFont.truetype(
            subprocess.run(
                ["fc-match", "-f", "%{file}", "DejaVu Sans" + (":bold" if bold else "")],
                capture_output=True,
                text=True,
                check=True,
            ).stdout,
            9,
        )
        for bold in (False, True)
    }
    for row in labels:
        spans = [
            (x - fonts[bold].getlength(text) / 2, x + fonts[bold].getlength(text) / 2)
            for x, text, bold in sorted(row)
        ]
        gaps = [start - end for (_, end), (start, _) in itertools.pairwise(spans)]
        assert min(gaps) >= 4, (row, gaps)
