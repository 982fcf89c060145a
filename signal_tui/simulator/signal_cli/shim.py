"""The `signal-cli` program for normal mode: parse signal-cli's argv, forward it to the running fake
daemon (port read from `<--config>/fake-signal-cli.json`), print what signal-cli prints, exit as it does.

Run as a file (`python3 .../shim.py ARGS`), it imports only the standard library and `argv.py` beside
it, so a call costs a bare interpreter start; `SIGNAL_TUI_FAKE_JVM_DELAY` (seconds) or `jvm_delay` in
the JSON file adds a JVM-like start-up time to every call.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

if __package__:
    from signal_tui.simulator.signal_cli.argv import Call, UsageError, parse
else:  # run as a file: its folder is sys.path[0]
    from argv import Call, UsageError, parse  # type: ignore[no-redef]

CONTROL_FILE = "fake-signal-cli.json"
JVM_DELAY_ENV = "SIGNAL_TUI_FAKE_JVM_DELAY"


def _request(port: int, call: Call) -> dict[str, Any]:
    body = {"jsonrpc": "2.0", "id": "1", "method": call.command, "params": call.params}
    body["fake-cli"] = True
    with socket.create_connection(("127.0.0.1", port), timeout=600) as conn:
        conn.sendall(json.dumps(body).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


def render(call: Call, result: Any) -> str:
    """stdout of a successful call: JSON with `--output json`, else signal-cli's plain text."""
    if call.command == "receive":  # one JSON object per line (plain text is never asked for)
        return "".join(line + "\n" for line in result)
    if call.output == "json":
        if result in ({}, None):
            return ""
        return json.dumps(result, ensure_ascii=False) + "\n"
    if call.command == "updateGroup" and "group-id" not in call.params:
        return f'Created new group: "{result["groupId"]}"\n'
    if call.command in ("send", "remoteDelete", "sendReaction") and isinstance(result, dict):
        return f"{result.get('timestamp')}\n"
    if call.command == "listAccounts":
        return "".join(f"Number: {a['number']}\n" for a in result)
    return ""


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        call = parse(args)
    except UsageError as exc:
        sys.stderr.write(f"usage: signal-cli [-h] [--version] ...\nsignal-cli: error: {exc}\n")
        return 1
    control: dict[str, Any] = {}
    try:
        control = json.loads((Path(call.config) / CONTROL_FILE).read_text())
    except (OSError, ValueError):
        sys.stderr.write(f"Error loading state file for user: no fake daemon in {call.config!r}\n")
        return 3
    delay = float(os.environ.get(JVM_DELAY_ENV) or control.get("jvm_delay") or 0)
    if delay:
        time.sleep(delay)
    if call.params.pop("message-from-stdin", False):
        call.params["message"] = sys.stdin.read()
    try:
        answer = _request(int(control["port"]), call)
    except OSError as exc:
        sys.stderr.write(f"Failed to reach the fake signal-cli daemon: {exc}\n")
        return 3
    if "error" in answer:
        error = answer["error"]
        sys.stdout.write(error.get("stdout") or "")
        sys.stderr.write(error.get("message", "") + "\n")
        return int(error.get("exit") or 1)
    sys.stdout.write(render(call, answer.get("result")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
