"""Pictures as half-block lines ("▀" with a foreground and a background colour per cell).

Pure Pillow + rich: no terminal queries, cheap to import, so the history can show thumbnails
without loading the graphics-protocol code at start-up (see image_preview.py for that).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

UPPER = "▀"
LOWER = "▄"
_CACHE_SIZE = 128
_cache: OrderedDict[tuple[str, int, int, int], tuple[Strip, ...]] = OrderedDict()
_cache_lock = threading.Lock()


def render_image_lines(path: Path | str, width: int, max_height: int = 12) -> list[Strip]:
    """Render the image at `path` as half-block lines, each exactly `width` cells wide.

    The picture keeps its aspect ratio inside `width` x `max_height` cells (2 pixels per cell
    vertically) and is padded with blank cells on the right. Transparent pixels show the
    background. Returns [] for width/max_height < 1 or a file Pillow cannot decode (the caller
    then shows the attachment's name only). Results are cached by (path, mtime, width, height),
    so a redraw costs nothing; safe to call from any thread.
    """
    if width < 1 or max_height < 1:
        return []
    try:
        stat = os.stat(path)
    except OSError:
        return []
    key = (os.fspath(path), stat.st_mtime_ns, width, max_height)
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return list(hit)
    strips = tuple(_decode(Path(path), width, max_height))
    with _cache_lock:
        _cache[key] = strips
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return list(strips)


def _decode(path: Path, width: int, max_height: int) -> list[Strip]:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.draft("RGB", (width, max_height * 2))  # JPEG: decode at reduced size, much faster
            iw, ih = img.size
            if iw < 1 or ih < 1:
                return []
            scale = min(width / iw, (max_height * 2) / ih)
            tw = max(1, min(width, round(iw * scale)))
            th = max(1, min(max_height * 2, round(ih * scale)))
            small = img.convert("RGBA").resize((tw, th), Image.Resampling.BILINEAR)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return []
    pixels = small.load()
    blank = Segment(" " * (width - tw)) if width > tw else None
    strips: list[Strip] = []
    for y in range(0, th, 2):
        segments: list[Segment] = []
        for x in range(tw):
            top = _colour(pixels[x, y])
            bottom = _colour(pixels[x, y + 1]) if y + 1 < th else None
            segments.append(_cell(top, bottom))
        if blank is not None:
            segments.append(blank)
        strips.append(Strip(Segment.simplify(segments), width))
    return strips


def _colour(pixel: tuple[int, int, int, int]) -> str | None:
    r, g, b, a = pixel
    return None if a < 128 else f"#{r:02x}{g:02x}{b:02x}"


def _cell(top: str | None, bottom: str | None) -> Segment:
    if top is None and bottom is None:
        return Segment(" ")
    if top is None:
        return Segment(LOWER, Style(color=bottom))
    return Segment(UPPER, Style(color=top, bgcolor=bottom))
