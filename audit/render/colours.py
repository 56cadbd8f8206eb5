"""The consultant's accent colour, made readable wherever the report uses it.

The accent replaces the report's navy: white text is set on it (cover band, table headings,
group headings, « obligation » badges) and it is the colour of text on white or on the light
tints of the report (headings, finding titles, group rows). A light accent (#ffffff,
#ffff00) made all of that unreadable, or invisible: it is darkened, its hue kept, as much as
needed. Contrast as defined by WCAG 2 (relative luminance, ratio from 1 to 21).
"""

from __future__ import annotations

#: Contrast of the accent against white. 4.5 is WCAG's level for body text; 5.5 keeps text in
#: the accent at 4.5 or more on the lightest tint it is set on too (#e8ecf3, group rows).
ACCENT_MIN_CONTRAST = 5.5


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _luminance(rgb: tuple[int, int, int]) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """Contrast ratio of two `#rrggbb` colours (1 to 21)."""
    lighter, darker = sorted((_luminance(_rgb(first)), _luminance(_rgb(second))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def readable_accent(colour: str) -> str:
    """`colour` (`#rrggbb`), darkened in steps of 1 % with its hue kept until its contrast
    against white reaches `ACCENT_MIN_CONTRAST`; a colour dark enough is returned as given."""
    if contrast(colour, "#ffffff") >= ACCENT_MIN_CONTRAST:
        return colour
    rgb = _rgb(colour)
    for percent in range(99, -1, -1):
        darker = "#" + "".join(f"{round(c * percent / 100):02x}" for c in rgb)
        if contrast(darker, "#ffffff") >= ACCENT_MIN_CONTRAST:
            return darker
    return "#000000"  # not reached: black is at 21
