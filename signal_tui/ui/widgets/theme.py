"""Theme colours resolved for rich Styles (the Line-API widgets paint Strips, not CSS)."""

from __future__ import annotations

from rich.color import Color as RichColor
from rich.color import ColorSystem
from textual.color import Color

from signal_tui.ui.widgets.render import PALETTE_VARIABLES

_COLOUR_VARS = (
    "text-muted",
    "text",
    "primary",
    "secondary",
    "accent",
    "accent-darken-3",
    "boost",
    "error",
    "warning",
    "success",
    *PALETTE_VARIABLES,
)


def theme_colours(variables: dict[str, str]) -> dict[str, str]:
    """Resolve theme variables ('auto 60%', '#FFFFFF0A') to opaque hex colours rich can use."""
    try:
        bg = Color.parse(variables.get("background", "#000000"))
    except Exception:
        bg = Color(0, 0, 0)
    out: dict[str, str] = {}
    for name in _COLOUR_VARS:
        value = variables.get(name)
        if not value:
            continue
        try:
            if value.startswith("auto"):
                pct = value.split()[-1].rstrip("%")
                colour = bg + bg.get_contrast_text(float(pct) / 100 if pct else 0.87)
            else:
                colour = bg + Color.parse(value)
            out[name] = colour.hex6
        except Exception:
            continue
    return out


def _distance(a: str, b: str, system: ColorSystem) -> int:
    ta = RichColor.parse(a).downgrade(system).get_truecolor()
    tb = RichColor.parse(b).downgrade(system).get_truecolor()
    return sum(abs(x - y) for x, y in zip(ta, tb, strict=True))


SHADE_APART = 90  # summed RGB distance a shade must keep from its background, at every depth


def distinct_shade(background: str, candidates: list[str]) -> str | None:
    """The first candidate colour clearly apart from `background` both in truecolor and once a
    256-colour terminal has rounded both (there close shades become the same cell colour:
    the list's highlight and its focused background both became colour 23/24 in tmux).
    None when no candidate is: the caller then uses reverse video."""
    for colour in candidates:
        if not colour:
            continue
        try:
            if all(
                _distance(background, colour, system) >= SHADE_APART
                for system in (ColorSystem.TRUECOLOR, ColorSystem.EIGHT_BIT)
            ):
                return colour
        except Exception:
            continue
    return None
