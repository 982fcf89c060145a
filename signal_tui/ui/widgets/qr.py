"""A QR code drawn with block characters, so a phone camera can read it off the terminal.

Used to link *this* server as a new device: the URI from ``/v1/qrcodelink/raw`` is encoded with
segno and drawn here. Two densities:

* half-block (default): one character per module horizontally and two modules per character row
  (``▀ ▄ █``), which is about square on a terminal whose cells are twice as tall as wide;
* full-block: two characters ``██`` per module and one row per module, four times the area, for
  cameras that struggle with small codes.

Colours are fixed black-on-white on purpose (not theme variables): scanners need dark modules on a
light background with a light quiet zone, whatever the terminal theme is.
"""

from __future__ import annotations

from typing import Literal

import segno
from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

Density = Literal["half", "full"]
QR_STYLE = Style(color="#000000", bgcolor="#ffffff")
QUIET_ZONE = 2  # modules; the standard asks for 4, but phones read 2 fine and it saves rows


def qr_matrix(data: str, border: int = QUIET_ZONE, error: str = "m") -> list[list[bool]]:
    """The module matrix (True = dark) including the quiet zone."""
    code = segno.make(data, error=error, micro=False, boost_error=False)
    return [[bool(v) for v in row] for row in code.matrix_iter(scale=1, border=border)]


def qr_lines(
    data: str, density: Density = "half", border: int = QUIET_ZONE, error: str = "m"
) -> list[str]:
    """The code as lines of block characters; dark modules are drawn, light ones are spaces."""
    matrix = qr_matrix(data, border, error)
    if density == "full":
        return ["".join("██" if dark else "  " for dark in row) for row in matrix]
    width = len(matrix[0])
    if len(matrix) % 2:
        matrix.append([False] * width)
    chars = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}
    return [
        "".join(chars[(top, bottom)] for top, bottom in zip(upper, lower, strict=True))
        for upper, lower in zip(matrix[::2], matrix[1::2], strict=True)
    ]


def lines_to_matrix(lines: list[str], density: Density = "half") -> list[list[bool]]:
    """Read a rendering back into modules (used by tests and to prove the drawing is lossless)."""
    if density == "full":
        return [[line[i : i + 2] == "██" for i in range(0, len(line), 2)] for line in lines]
    top = {"█": True, "▀": True, "▄": False, " ": False}
    bottom = {"█": True, "▀": False, "▄": True, " ": False}
    out: list[list[bool]] = []
    for line in lines:
        out.append([top[ch] for ch in line])
        out.append([bottom[ch] for ch in line])
    return out


def qr_size(
    data: str, density: Density = "half", border: int = QUIET_ZONE, error: str = "m"
) -> tuple[int, int]:
    """(columns, rows) the code needs on screen."""
    lines = qr_lines(data, density, border, error)
    return len(lines[0]), len(lines)


class QRCode(Widget):
    """Shows `data` as a QR code; picks full blocks when there is room, else half blocks."""

    DEFAULT_CSS = """
    QRCode { width: auto; height: auto; }
    """

    data: reactive[str] = reactive("", layout=True)
    density: reactive[Density | None] = reactive(None, layout=True)

    def __init__(
        self, data: str = "", *, density: Density | None = None, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.set_reactive(QRCode.data, data)
        self.set_reactive(QRCode.density, density)

    def _layout(self) -> tuple[Density, int, str]:
        """(density, quiet zone, error level): the largest drawing that fits the screen.
        Full blocks when there is plenty of room; otherwise half blocks, dropping to error
        level L and a 1-module quiet zone only when an 80x24 terminal needs it."""
        if self.density is not None:
            return self.density, QUIET_ZONE, "m"
        if not self.data or not self.is_mounted:
            return "half", QUIET_ZONE, "m"
        width, height = self.screen.size.width, self.screen.size.height
        cols, rows = qr_size(self.data, "full")
        if cols <= width - 4 and rows <= height - 8:
            return "full", QUIET_ZONE, "m"
        for border, error in ((QUIET_ZONE, "m"), (QUIET_ZONE, "l"), (1, "l")):
            cols, rows = qr_size(self.data, "half", border, error)
            if rows <= height - 2 and cols <= width:
                return "half", border, error
        return "half", 1, "l"

    def lines(self) -> list[str]:
        """The lines currently drawn (empty when there is no data)."""
        if not self.data:
            return []
        density, border, error = self._layout()
        return qr_lines(self.data, density, border, error)

    def get_content_width(self, container: object, viewport: object) -> int:
        lines = self.lines()
        return len(lines[0]) if lines else 0

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(self.lines())

    def render(self) -> RenderableType:
        lines = self.lines()
        if not lines:
            return Text("")
        return Text("\n".join(lines), style=QR_STYLE, no_wrap=True, end="")
