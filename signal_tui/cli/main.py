"""Command line: `signal-tui [options]` opens the app; subcommands run the simulator or headless tools."""

from __future__ import annotations

import argparse
import asyncio
import difflib
import os
import sys
from pathlib import Path
from typing import Any

from signal_tui import __version__
from signal_tui.config import Config, ConfigError, load_config

SUBCOMMANDS = ("simulator", "receive", "send", "export", "stats", "doctor")

# `send --help`; headless.send_cmd implements it
SEND_EXIT_STATUS = """\
With several --to, one line per recipient on stdout says what became of it:
  RECIPIENT: sent | failed: REASON | unknown: REASON | queued: REASON

exit status (several recipients: the outcome they all share, else 5):
  0  sent
  1  not sent (failed)
  2  usage or configuration error
  3  unknown whether it arrived (timed out after it was sent; never resent
     automatically)
  4  still queued (server unreachable): it goes out with the next run of the
     app or of `signal-tui receive --follow`
  5  the recipients' outcomes differ (e.g. sent to some, failed for others)"""


def _common(parser: argparse.ArgumentParser, *, sub: bool = False) -> None:
    """The global options. They are accepted before and after the subcommand; after wins.

    A subcommand's copy defaults to SUPPRESS: argparse copies every attribute of the
    subcommand's namespace over the main one, so a default of None there would erase a value
    given before the subcommand (`signal-tui --account A stats`)."""
    default = argparse.SUPPRESS if sub else None
    parser.add_argument(
        "--url", default=default, help="signal-cli-rest-api base URL (env SIGNAL_TUI_URL)"
    )
    parser.add_argument(
        "--account",
        default=default,
        help="account number, e.g. +4917600000000 (env SIGNAL_TUI_ACCOUNT)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=default,
        help="where the cache lives (env SIGNAL_TUI_DATA_DIR)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        dest="config_file",
        default=default,
        help="config file (TOML; env SIGNAL_TUI_CONFIG); it must exist",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="signal-tui",
        description="A terminal Signal messenger over signal-cli-rest-api.",
    )
    parser.add_argument("--version", action="version", version=f"signal-tui {__version__}")
    _common(parser)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start the bundled simulator with demo data and a throwaway cache, and open the app",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sim = sub.add_parser("simulator", help="run the bundled signal-cli-rest-api simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8080)
    sim.add_argument("--mode", choices=["normal", "native", "json-rpc"], default="json-rpc")
    sim.add_argument("--scenario", choices=["demo", "empty"], default="demo")
    sim.add_argument(
        "--profile",
        choices=["0.100", "head"],
        default="head",
        help="which server release to imitate (the /v2/send response shape differs)",
    )

    rec = sub.add_parser("receive", help="receive into the cache and print new messages")
    _common(rec, sub=True)
    rec.add_argument("--follow", action="store_true", help="keep receiving until interrupted")
    rec.add_argument("--json", action="store_true", help="print JSON lines")

    snd = sub.add_parser(
        "send",
        help="send a message through the outbox",
        description="Send a message through the outbox and wait for the outcome.",
        epilog=SEND_EXIT_STATUS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(snd, sub=True)
    snd.add_argument(
        "--to",
        action="append",
        required=True,
        help="NUMBER, UUID or group.ID; repeat it to send to several (one line each on stdout)",
    )
    snd.add_argument("--attach", action="append", type=Path, default=[], help="file to attach")
    snd.add_argument("text", nargs="?", help="message text (default: read stdin)")

    exp = sub.add_parser("export", help="export history from the cache")
    _common(exp, sub=True)
    exp.add_argument("--conversation", help="conversation id, number, UUID or group.ID")
    exp.add_argument("--format", choices=["json", "markdown"], default="markdown")

    doc = sub.add_parser(
        "doctor",
        help="check the cache for damage; repair it (the damaged file is always kept aside)",
    )
    _common(doc, sub=True)
    how = doc.add_mutually_exclusive_group()
    how.add_argument(
        "--rebuild", action="store_true", help="rebuild a damaged cache from its envelopes"
    )
    how.add_argument("--reset", action="store_true", help="start an empty cache instead")
    st = sub.add_parser("stats", help="counts from the cache")
    _common(st, sub=True)
    st.add_argument("--json", action="store_true")
    return parser


def _flags(ns: argparse.Namespace) -> dict[str, Any]:
    return {
        "url": ns.url,
        "account": ns.account,
        "data_dir": ns.data_dir,
        "config_file": ns.config_file,
    }


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    if ns.command == "simulator":
        from signal_tui.simulator.server import run_forever

        return run_forever(
            host=ns.host, port=ns.port, mode=ns.mode, scenario=ns.scenario, profile=ns.profile
        )
    try:
        config = load_config(_flags(ns))
        if ns.command is None:
            check_theme(config.theme)  # only the app uses it (and only it imports Textual)
    except ConfigError as exc:
        print(f"signal-tui: configuration error: {exc}", file=sys.stderr)
        return 2
    if ns.command is None:
        return _run_tui(config, demo=ns.demo)
    try:
        code = _run_headless(ns, config)
        sys.stdout.flush()  # output still buffered meets a closed pipe here, not at exit
        return code
    except BrokenPipeError:
        # `signal-tui export | head -1`: the reader has all it wants. End quietly, like other
        # Unix tools; stdout goes to devnull so the flush at interpreter exit cannot fail again
        # (https://docs.python.org/3/library/signal.html#note-on-sigpipe)
        _stdout_to_devnull()
        return 0


def _run_headless(ns: argparse.Namespace, config: Config) -> int:
    from signal_tui.cli import headless
    from signal_tui.core.errors import SessionError

    try:
        if ns.command == "receive":
            return asyncio.run(headless.receive_cmd(config, follow=ns.follow, as_json=ns.json))
        if ns.command == "send":
            text = ns.text if ns.text is not None else sys.stdin.read()
            return asyncio.run(headless.send_cmd(config, to=ns.to, attach=ns.attach, text=text))
        if ns.command == "export":
            return asyncio.run(
                headless.export_cmd(config, conversation=ns.conversation, fmt=ns.format)
            )
        if ns.command == "stats":
            return asyncio.run(headless.stats_cmd(config, as_json=ns.json))
        if ns.command == "doctor":
            return asyncio.run(headless.doctor_cmd(config, rebuild=ns.rebuild, reset=ns.reset))
    except KeyboardInterrupt:
        return 130
    except headless.HeadlessError as exc:
        print(f"signal-tui: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:  # e.g. auth_password_command failed when the session opened
        print(f"signal-tui: configuration error: {exc}", file=sys.stderr)
        return 2
    except SessionError as exc:  # e.g. the cache is open in another signal-tui
        print(f"signal-tui: {exc}", file=sys.stderr)
        return 1
    print(f"signal-tui: unknown command {ns.command}", file=sys.stderr)
    return 2


def _stdout_to_devnull() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout without a file descriptor (embedded, tests)
        pass


def check_theme(theme: str) -> None:
    """A theme the app cannot set is a configuration error (Textual would raise
    InvalidThemeError from inside the app). Empty means the default."""
    from textual.theme import BUILTIN_THEMES

    if not theme or theme in BUILTIN_THEMES:
        return
    names = sorted(BUILTIN_THEMES)
    close = difflib.get_close_matches(theme, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise ConfigError(
        f"theme {theme!r} is not a Textual theme{hint}; the themes are: {', '.join(names)}"
    )


def _run_tui(config: Config, *, demo: bool) -> int:
    if demo:
        from signal_tui.cli.demo import run_demo

        return run_demo(config)
    from signal_tui.ui.app import make_app

    app = make_app(config)
    app.run()
    return app.return_code or 0
