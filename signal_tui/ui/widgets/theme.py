"""Theme colours resolved for rich Styles (the Line-API widgets paint Strips, not CSS)."""

from __future__ import annotations

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
