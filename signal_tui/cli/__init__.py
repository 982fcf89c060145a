"""The command line: the TUI, the demo, the simulator and the headless tools (a face, not core)."""

from signal_tui.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
