"""The one error type users see, and the one translator into it.

Everything core does (messenger, outbox repairs, administration, account setup) fails with
``ActionError``: ``str(exc)`` is a sentence for the user, ``kind`` a machine word the UI offers
the right fix by ("untrusted" -> trust and resend), ``details`` any facts that go with it.
``explain(exc, action)`` turns anything else into one: the client's ``SignalApiError`` (a ``kind``
and the server's raw ``text``, often a Java exception name) is matched with the action the user
tried ("only admins can add members"); a configuration or file problem says so; an unexpected
exception keeps its type name. Every screen and the CLI word failures through it, so one failure
reads the same everywhere.
"""

from __future__ import annotations

from typing import Any

from signal_tui.api.errors import SignalApiError
from signal_tui.config import ConfigError
from signal_tui.text import one_line


class ActionError(Exception):
    """A failed action, worded for the user (``str(exc)``), with a machine ``kind``."""

    def __init__(self, message: str, kind: str = "error", **details: Any) -> None:
        super().__init__(message)
        self.kind = kind
        self.details = details


class SessionError(ActionError):
    """The session cannot do what was asked yet (no url/account configured, cache not open)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, "not_configured")


# (substring of the server text, lower case) -> sentence; first match wins
_TEXT_RULES: list[tuple[tuple[str, ...], str, str]] = [
    (
        (
            "only works from primary",
            "doesn't work on linked devices",
            "not primary",
            "notprimarydevice",
            "only the primary device",
            "primary device",
        ),
        "not_primary",
        "this server is not the primary device: only the phone that registered the number can "
        "link or manage devices and send contact syncs",
    ),
    (
        ("please first update your profile",),
        "profile_required",
        "set a profile name first (Profile screen): the server refuses groups without one",
    ),
    (
        ("invalid device link", "invalid uri", "linkdevice", "device link uri"),
        "bad_link",
        "that device link is not valid or has expired: show a fresh QR code on the new device",
    ),
    (("no group with that", "group not found"), "not_found", "that group no longer exists here"),
    (
        ("not a member", "notagroupmember", "not member"),
        "not_member",
        "you are not a member of this group any more",
    ),
    (("no avatar found",), "not_found", "this group has no avatar"),
    (
        ("no attachment with that name",),
        "not_found",
        "that attachment is no longer on the server",
    ),
    (("profile name missing",), "invalid", "a profile name is required"),
    (
        ("captcha required",),
        "captcha_required",
        "Signal wants a captcha before registering this number",
    ),
    (
        ("invalid captcha",),
        "captcha_invalid",
        "the captcha token was not accepted: solve a new one",
    ),
    (
        ("voice verification", "request sms verification"),
        "voice_too_early",
        "request an SMS code first and wait a minute before asking for a voice call",
    ),
    (
        ("wait 60 seconds",),
        "sms_failed",
        "SMS verification failed for this number: wait a minute and try a voice call",
    ),
    (("invalid pin", "tries remaining"), "bad_pin", "wrong registration PIN"),
    (
        ("no registration in progress",),
        "no_registration",
        "request a verification code first (Send code)",
    ),
    (
        ("locked with a pin",),
        "pin_required",
        "this number is protected by a registration lock PIN: enter it too",
    ),
    (
        ("verification failed", "invalid verification code", "incorrect code"),
        "bad_code",
        "the verification code is wrong or expired",
    ),
    (("already registered", "already exists"), "exists", "that already exists"),
    (
        ("username is taken", "username taken", "usernameistaken"),
        "taken",
        "that username is taken",
    ),
    (
        ("invalid signal-cli response",),
        "invalid",
        "the server refused it (for usernames: taken, too short or with invalid characters)",
    ),
]

# phrases by action for permission-style refusals ("not allowed", "admin", "permission")
_PERMISSION_WORDS = ("not allowed", "permission", "admin", "notauthorized", "not authorized", "403")
_PERMISSION_SENTENCES = {
    "add_members": "only admins can add members to this group",
    "remove_members": "only admins can remove members from this group",
    "add_admins": "only admins can make other members admins",
    "remove_admins": "only admins can remove admin rights",
    "edit_group": "only admins can change this group's details",
    "permissions": "only admins can change this group's permissions",
    "group_link": "only admins can change the invite link",
    "timer": "only admins can change the disappearing-messages timer",
}


# rules that only make sense for one action (checked first)
_ACTION_RULES: dict[str, list[tuple[tuple[str, ...], str, str]]] = {
    "verify": [
        (
            ("authorization failed", "authorizationfailed", "[403]"),
            "bad_code",
            "the verification code is wrong or expired",
        )
    ],
}


def explain(exc: BaseException, action: str = "") -> ActionError:
    """An ActionError with a plain sentence for `exc` raised while doing `action`."""
    if isinstance(exc, ActionError):
        return exc
    if isinstance(exc, ConfigError):
        return ActionError(_cap(str(exc)), "config")
    if not isinstance(exc, SignalApiError):
        if isinstance(exc, OSError):
            return ActionError(_cap(f"could not read the file: {exc.strerror or exc}"), "file")
        text = str(exc).strip()
        name = type(exc).__name__
        return ActionError(f"{name}: {text}" if text else name, "error")
    kind = str(getattr(exc.kind, "value", exc.kind) or "")
    text = str(exc.text or "").strip()
    lower = text.lower()
    for needles, rule_kind, sentence in _ACTION_RULES.get(action, []):
        if any(n in lower for n in needles):
            return ActionError(_cap(sentence), rule_kind, server_text=text)
    for needles, rule_kind, sentence in _TEXT_RULES:
        if any(n in lower for n in needles):
            return ActionError(_cap(sentence), rule_kind, server_text=text)
    if action in _PERMISSION_SENTENCES and any(w in lower for w in _PERMISSION_WORDS):
        return ActionError(_cap(_PERMISSION_SENTENCES[action]), "not_admin", server_text=text)
    sentence = exc.user_message()
    if kind.lower() in {"not_found", "notfound"} and action.startswith("group"):
        sentence = "that group no longer exists here"
    return ActionError(_cap(one_line(sentence, 300)), kind.lower(), server_text=text)


def _cap(sentence: str) -> str:
    sentence = sentence.strip()
    if not sentence:
        return "Something went wrong"
    return sentence[0].upper() + sentence[1:]
