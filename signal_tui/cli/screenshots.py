"""Regenerate screenshots/*.svg and *.png from the demo: `python -m signal_tui.cli.screenshots [DIR]`.

Runs the demo simulator (no trickle, so the pictures do not depend on luck), drives the app with a
Pilot at fixed terminal sizes and a clock pinned to the start of the run, and exports SVGs.
PNGs are converted with cairosvg (pip install cairosvg; needs the system libcairo) or, failing
that, Debian's `rsvg-convert` (apt-get install librsvg2-bin). The SVG asks for "Fira Code"; for
the PNG the font is swapped for DejaVu Sans Mono, which is what a stock Debian has installed.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from signal_tui.config import Config

PNG_FONT = "DejaVu Sans Mono"


async def _until(pilot: Any, check: Callable[[], object], limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and not check():
        await pilot.pause(0.1)


async def _open(pilot: Any, name: str) -> None:
    app = pilot.app
    await pilot.press("ctrl+l", *name, "enter")
    await _until(pilot, lambda: app.main.describe().startswith(name), 10)
    await app.workers.wait_for_complete()
    await pilot.pause(0.3)


Shot = Callable[[Any], Awaitable[None]]


async def _main_list(pilot: Any) -> None:
    await pilot.press("escape")
    pilot.app.main.conv_list.focus()
    await pilot.pause(0.2)


async def _group(pilot: Any) -> None:
    await _open(pilot, "Climbing crew")


async def _direct(pilot: Any) -> None:
    await _open(pilot, "Alice")
    await pilot.press(*"See you at the market!")


async def _actions(pilot: Any) -> None:
    await _open(pilot, "Family")
    pilot.app.main.history.focus()
    await pilot.press("k", "k", "enter")
    await pilot.pause(0.4)


async def _search(pilot: Any) -> None:
    await pilot.press("ctrl+f", *"dinner")
    await pilot.pause(1.0)


SHOTS: list[tuple[str, tuple[int, int], Shot]] = [
    ("conversations-120x40", (120, 40), _main_list),
    ("group-120x40", (120, 40), _group),
    ("direct-120x40", (120, 40), _direct),
    ("actions-120x40", (120, 40), _actions),
    ("search-120x40", (120, 40), _search),
    ("direct-80x24", (80, 24), _direct),
]


async def shoot(out: Path, config: Config) -> list[Path]:
    """Take every shot in SHOTS against one demo server; return the SVG paths."""
    from signal_tui.cli.demo import demo_environment
    from signal_tui.ui.app import make_app

    written: list[Path] = []
    with demo_environment(config, trickle=False) as (demo_config, _sim):
        clock = datetime.now().replace(second=0, microsecond=0)
        for name, size, action in SHOTS:
            app = make_app(demo_config, clock=clock)
            async with app.run_test(size=size) as pilot:
                await _until(pilot, lambda a=app: a.receiver_state.state == "connected")
                await _until(pilot, lambda a=app: len(a.main.conv_list.order) >= 10)
                await pilot.pause(1.0)  # history and attachment thumbnails settle
                await action(pilot)
                await pilot.pause(0.3)
                path = out / f"{name}.svg"
                path.write_text(app.export_screenshot(title="signal-tui"), encoding="utf-8")
                written.append(path)
    return written


def to_png(svg: Path) -> Path | None:
    """Convert one SVG; None when no converter is available here."""
    png = svg.with_suffix(".png")
    text = svg.read_text(encoding="utf-8")
    text = text.replace("Fira Code, monospace", f"{PNG_FONT}, monospace")
    text = text.replace('"Fira Code"', f'"{PNG_FONT}"')
    try:
        import cairosvg

        cairosvg.svg2png(bytestring=text.encode(), write_to=str(png), output_width=1600)
        return png
    except ImportError:
        pass
    exe = shutil.which("rsvg-convert")
    if exe is None:
        return None
    tmp = svg.with_suffix(".png-src.svg")
    tmp.write_text(text, encoding="utf-8")
    try:
        subprocess.run([exe, "-w", "1600", "-o", str(png), str(tmp)], check=True)
    finally:
        tmp.unlink(missing_ok=True)
    return png


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    svgs = asyncio.run(shoot(out, Config()))
    converted = [p for p in (to_png(s) for s in svgs) if p is not None]
    for path in svgs + converted:
        print(path)
    if len(converted) < len(svgs):
        print("PNG: install cairosvg (pip) or rsvg-convert (apt librsvg2-bin)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
