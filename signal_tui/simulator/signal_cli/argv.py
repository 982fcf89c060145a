"""signal-cli's command line, parsed into (global options, command, JSON-RPC style params).

Standard library only: the `signal-cli` shim imports this file alone (no package import), so each
call costs a bare Python start. Option names are signal-cli's (`commands/*Command.java`); the value
is stored under the kebab-case name its JSON-RPC uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# option -> (param name, kind); kind: flag | str | int | float | list (nargs +) | append | intlist
_G = {"-g": ("group-id", "str"), "--group-id": ("group-id", "str"), "--group": ("group-id", "str")}
SPECS: dict[str, dict[str, tuple[str, str]]] = {
    "send": {
        **_G,
        "-m": ("message", "str"),
        "--message": ("message", "str"),
        "--message-from-stdin": ("message-from-stdin", "flag"),
        "-u": ("username", "list"),
        "--username": ("username", "list"),
        "-a": ("attachment", "list"),
        "--attachment": ("attachment", "list"),
        "--text-style": ("text-style", "list"),
        "--mention": ("mention", "append"),
        "--sticker": ("sticker", "str"),
        "--quote-timestamp": ("quote-timestamp", "int"),
        "--quote-author": ("quote-author", "str"),
        "--quote-message": ("quote-message", "str"),
        "--quote-mention": ("quote-mention", "append"),
        "--edit-timestamp": ("edit-timestamp", "int"),
        "--preview-url": ("preview-url", "str"),
        "--preview-title": ("preview-title", "str"),
        "--preview-image": ("preview-image", "str"),
        "--preview-description": ("preview-description", "str"),
        "--notify-self": ("notify-self", "flag"),
        "--view-once": ("view-once", "flag"),
        "-e": ("end-session", "flag"),
    },
    "receive": {
        "-t": ("timeout", "float"),
        "--timeout": ("timeout", "float"),
        "--max-messages": ("max-messages", "int"),
        "--ignore-attachments": ("ignore-attachments", "flag"),
        "--ignore-stories": ("ignore-stories", "flag"),
        "--ignore-avatars": ("ignore-avatars", "flag"),
        "--ignore-stickers": ("ignore-stickers", "flag"),
        "--send-read-receipts": ("send-read-receipts", "flag"),
    },
    "updateGroup": {
        **_G,
        "-n": ("name", "str"),
        "--n": ("name", "str"),
        "--name": ("name", "str"),
        "-d": ("description", "str"),
        "--description": ("description", "str"),
        "-m": ("member", "list"),
        "--member": ("member", "list"),
        "-r": ("remove-member", "list"),
        "--remove-member": ("remove-member", "list"),
        "--admin": ("admin", "list"),
        "--remove-admin": ("remove-admin", "list"),
        "--set-permission-add-member": ("set-permission-add-member", "str"),
        "--set-permission-edit-details": ("set-permission-edit-details", "str"),
        "--set-permission-send-messages": ("set-permission-send-messages", "str"),
        "--link": ("link", "str"),
        "-e": ("expiration", "int"),
        "--expiration": ("expiration", "int"),
        "-a": ("avatar", "str"),
        "--avatar": ("avatar", "str"),
    },
    "quitGroup": {**_G, "--delete": ("delete", "flag"), "--admin": ("admin", "list")},
    "sendReaction": {
        **_G,
        "-e": ("emoji", "str"),
        "--emoji": ("emoji", "str"),
        "-a": ("target-author", "str"),
        "--target-author": ("target-author", "str"),
        "-t": ("target-timestamp", "int"),
        "--target-timestamp": ("target-timestamp", "int"),
        "-r": ("remove", "flag"),
        "--remove": ("remove", "flag"),
    },
    "sendReceipt": {
        "--type": ("type", "str"),
        "-t": ("target-timestamp", "intlist"),
        "--target-timestamp": ("target-timestamp", "intlist"),
    },
    "sendTyping": {**_G, "-s": ("stop", "flag"), "--stop": ("stop", "flag")},
    "remoteDelete": {
        **_G,
        "-t": ("target-timestamp", "int"),
        "--target-timestamp": ("target-timestamp", "int"),
    },
    "updateContact": {
        "-n": ("name", "str"),
        "--name": ("name", "str"),
        "-e": ("expiration", "int"),
        "--expiration": ("expiration", "int"),
    },
    "trust": {
        "-v": ("verified-safety-number", "str"),
        "--verified-safety-number": ("verified-safety-number", "str"),
        "-a": ("trust-all-known-keys", "flag"),
        "--trust-all-known-keys": ("trust-all-known-keys", "flag"),
    },
    "listContacts": {"--all-recipients": ("all-recipients", "flag")},
    "listGroups": {
        "-d": ("detailed", "flag"),
        "--detailed": ("detailed", "flag"),
        "-g": ("group-id", "list"),
        "--group-id": ("group-id", "list"),
    },
    "getUserStatus": {"--username": ("username", "list")},
    "updateProfile": {
        "--given-name": ("given-name", "str"),
        "--name": ("given-name", "str"),
        "--family-name": ("family-name", "str"),
        "--about": ("about", "str"),
        "--avatar": ("avatar", "str"),
        "--remove-avatar": ("remove-avatar", "flag"),
    },
    "removeDevice": {
        "-d": ("device-id", "int"),
        "--device-id": ("device-id", "int"),
        "--deviceId": ("device-id", "int"),
    },
    "addDevice": {"--uri": ("uri", "str")},
    "block": {"-g": ("group-id", "list"), "--group-id": ("group-id", "list")},
    "unblock": {"-g": ("group-id", "list"), "--group-id": ("group-id", "list")},
    "listAccounts": {},
    "listDevices": {},
    "listIdentities": {"-n": ("number", "str"), "--number": ("number", "str")},
    "sendContacts": {},
    "listStickerPacks": {},
}
GLOBAL = {
    "--config": "config",
    "-c": "config",
    "--output": "output",
    "-o": "output",
    "-a": "account",
    "--account": "account",
    "-u": "account",
    "--trust-new-identities": "trust-new-identities",
}
GLOBAL_FLAGS = {"-v", "--verbose", "--scrub-log"}


class UsageError(Exception):
    """signal-cli's argparse error (exit code 1, a usage line on stderr)."""


@dataclass
class Call:
    command: str
    params: dict[str, Any] = field(default_factory=dict)
    config: str = ""
    output: str = "plain-text"
    account: str | None = None


def _convert(kind: str, value: str, option: str) -> Any:
    try:
        if kind in ("int", "intlist"):
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        raise UsageError(f"argument {option}: invalid value: '{value}'") from None
    return value


def parse(argv: list[str]) -> Call:
    call = Call(command="")
    i = 0
    while i < len(argv) and argv[i].startswith("-"):
        opt, _, inline = argv[i].partition("=")
        if opt in GLOBAL_FLAGS:
            i += 1
            continue
        if opt not in GLOBAL:
            raise UsageError(f"unrecognized arguments: '{argv[i]}'")
        if inline:
            value, i = inline, i + 1
        else:
            if i + 1 >= len(argv):
                raise UsageError(f"argument {opt}: expected one argument")
            value, i = argv[i + 1], i + 2
        key = GLOBAL[opt]
        if key == "config":
            call.config = value
        elif key == "output":
            call.output = value
        elif key == "account":
            call.account = value
    if i >= len(argv):
        raise UsageError("too few arguments")
    call.command = argv[i]
    spec = SPECS.get(call.command)
    if spec is None:
        raise UsageError(f"invalid choice: '{call.command}'")
    params: dict[str, Any] = {}
    positional: list[str] = []
    rest = argv[i + 1 :]
    j = 0
    while j < len(rest):
        token = rest[j]
        if token.startswith("-") and not _is_number(token):
            if token not in spec:
                raise UsageError(f"unrecognized arguments: '{token}'")
            name, kind = spec[token]
            if kind == "flag":
                params[name] = True
                j += 1
                continue
            values = []
            j += 1
            while j < len(rest) and not (rest[j].startswith("-") and not _is_number(rest[j])):
                values.append(_convert(kind, rest[j], token))
                j += 1
                if kind not in ("list", "intlist"):
                    break
            if not values:
                raise UsageError(f"argument {token}: expected one argument")
            if kind in ("list", "intlist"):
                params.setdefault(name, []).extend(values)
            elif kind == "append":
                params.setdefault(name, []).append(values[0])
            else:
                params[name] = values[0]
        else:
            positional.append(token)
            j += 1
    if positional:
        params["recipient"] = positional
    if call.account:
        params["account"] = call.account
    call.params = params
    return call


def _is_number(token: str) -> bool:
    """`+4917…` and `-1` are values, not options."""
    return token[1:].isdigit() if token.startswith("-") else False
