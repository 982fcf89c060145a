"""Image previews in the terminal: coloured half-blocks everywhere, graphics protocols where present.

`render_image_lines` is a pure function (Pillow only, no Textual state), so the history view can
call it from a thread worker and splice the returned `Strip`s into its Line-API rendering. Each
cell shows two vertically stacked pixels: "▀" with the top pixel as foreground and the bottom
pixel as background, which makes pixels roughly square on ordinary terminal fonts.

`ImagePreview` is a widget for screens (attachment picker, details): it uses textual-image's
Kitty/Sixel rendering when the real terminal supports one of them, and the half-block renderer
otherwise (always in headless runs, so tests and snapshots are deterministic).
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from signal_tui.ui.widgets.halfblock import render_image_lines

GRAPHICS_IMAGE: type[Widget] | None = None  # set by detect_graphics()
_detected = False


def _app_running() -> bool:
    try:
        from textual._context import active_app
    except ImportError:  # pragma: no cover - private API moved: assume the worst
        return True
    return active_app.get(None) is not None


def detect_graphics(enabled: bool = True) -> type[Widget] | None:
    """Find out once whether the terminal speaks Kitty graphics or Sixel; return the widget class.

    textual-image asks the terminal when it is imported, which only works BEFORE Textual takes
    over the terminal (afterwards the answer would arrive as key presses). So this runs at most
    once, and never while an app is running: this module calls it when imported outside an app,
    and the CLI may call it explicitly before `App.run()` (pass enabled=False to force
    half-blocks). Half-cell/unicode fallbacks of textual-image are not used: ours is cached and
    deterministic.
    """
    global GRAPHICS_IMAGE, _detected
    if _detected:
        return GRAPHICS_IMAGE
    if not enabled:
        _detected = True
        GRAPHICS_IMAGE = None
        return None
    if _app_running():
        return None  # too late to ask safely; half-blocks it is (try again next time)
    _detected = True
    try:
        from textual_image import renderable
        from textual_image.renderable.sixel import Image as SixelRenderable
        from textual_image.renderable.tgp import Image as TGPRenderable

        if renderable.Image in (SixelRenderable, TGPRenderable):
            from textual_image.widget import Image as GraphicsImage

            GRAPHICS_IMAGE = GraphicsImage
    except Exception:  # missing, or a terminal query went wrong: half-blocks are always fine
        GRAPHICS_IMAGE = None
    return GRAPHICS_IMAGE


detect_graphics()


class HalfBlockImage(Widget):
    """Line-API widget showing `render_image_lines` output; decodes in a thread worker."""

    DEFAULT_CSS = """
    HalfBlockImage { width: 1fr; height: auto; }
    """

    def __init__(
        self, path: Path, *, max_height: int = 12, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.path = Path(path)
        self.max_height = max_height
        self._lines: list[Strip] = []
        self._for_width = -1

    def get_content_height(self, container, viewport, width: int) -> int:  # type: ignore[no-untyped-def]
        return max(1, len(self._lines)) if self._for_width == width else 1

    def on_resize(self) -> None:
        self._load()

    def _load(self) -> None:
        width = self.size.width
        if width < 1 or width == self._for_width:
            return
        self.run_worker(
            lambda: render_image_lines(self.path, width, self.max_height),
            thread=True,
            exclusive=True,
            group="decode",
            name=f"image:{width}",
        )

    def on_worker_state_changed(self, event) -> None:  # type: ignore[no-untyped-def]
        worker = event.worker
        if worker.group != "decode" or not worker.is_finished or worker.result is None:
            return
        self._lines = worker.result
        self._for_width = int(worker.name.split(":")[1])
        self.refresh(layout=True)

    def render_line(self, y: int) -> Strip:
        if 0 <= y < len(self._lines):
            return self._lines[y].crop_extend(0, self.size.width, None)
        return Strip.blank(self.size.width)


class ImagePreview(Widget):
    """An image shown with the best method the terminal offers (see module docstring)."""

    DEFAULT_CSS = """
    ImagePreview { width: 1fr; height: auto; }
    ImagePreview > .image-graphics { width: auto; height: auto; max-height: 12; }
    """
    path: reactive[Path | None] = reactive(None, recompose=True)

    def __init__(
        self,
        path: Path | None = None,
        *,
        max_height: int = 12,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.max_height = max_height
        self.set_reactive(ImagePreview.path, Path(path) if path else None)

    @property
    def uses_graphics(self) -> bool:
        """True when a terminal graphics protocol (Kitty/Sixel) draws the image."""
        return GRAPHICS_IMAGE is not None and not self.app.is_headless

    def render(self) -> str:
        return ""  # the children draw; without one (no path) the widget stays blank

    def compose(self) -> ComposeResult:
        if self.path is None:
            return
        if self.uses_graphics and GRAPHICS_IMAGE is not None:
            image = GRAPHICS_IMAGE(str(self.path), classes="image-graphics")  # type: ignore[call-arg]
            image.styles.max_height = self.max_height
            yield image
        else:
            yield HalfBlockImage(self.path, max_height=self.max_height)


__all__ = [
    "GRAPHICS_IMAGE",
    "HalfBlockImage",
    "ImagePreview",
    "detect_graphics",
    "render_image_lines",
]
