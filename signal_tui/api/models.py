"""Typed results of the signal-cli-rest-api client (small frozen objects, not raw dicts).

Parsers (`from_json`) are lenient: the real server's fields may be null, missing (older releases) or
of another type (strings for timestamps), and none of that may crash the app. Whatever cannot be
understood becomes the field's empty value.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from signal_tui.api.errors import RecipientFailure

TextMode = Literal["normal", "styled"]


# --- small coercion helpers (the server mixes types; never trust them) -------------------------


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _opt_s(value: Any) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _b(value: Any, default: bool = False) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return default


def to_int(value: Any, default: int | None = None) -> int | None:
    """int from an int or a digit string (the server sends timestamps as strings in places)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return default
    return default


def _addresses(value: Any) -> tuple[str, ...]:
    """Members as strings: plain entries are number or UUID; `expand=true` gives {number, uuid}."""
    out: list[str] = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, str) and item:
            out.append(item)
        elif isinstance(item, dict):
            addr = _opt_s(item.get("number")) or _opt_s(item.get("uuid"))
            if addr:
                out.append(addr)
    return tuple(out)


# --- receiver ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceiverState:
    """What the UI shows about the connection."""

    state: str  # "connecting" | "connected" | "reconnecting" | "offline" | "error"
    mode: str | None = None  # server mode from /v1/about
    retry_in: float | None = None  # seconds until the next attempt, when reconnecting
    error: str | None = None  # readable sentence

    def describe(self) -> str:
        if self.state == "connected":
            text = f"connected ({self.mode})" if self.mode else "connected"
            return f"{text}: {self.error}" if self.error else text
        if self.state == "reconnecting" and self.retry_in is not None:
            text = f"reconnecting in {self.retry_in:.0f} s"
            return f"{text}: {self.error}" if self.error else text
        if self.error:
            return f"{self.state}: {self.error}"
        return self.state


# --- general ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class About:
    versions: tuple[str, ...]
    build: int | None
    mode: str  # "normal" | "native" | "json-rpc" ("" when the server did not say)
    version: str
    capabilities: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def uses_websocket(self) -> bool:
        return self.mode.startswith("json-rpc")

    @classmethod
    def from_json(cls, data: Any) -> About:
        data = data if isinstance(data, dict) else {}
        caps_raw = data.get("capabilities")
        caps: dict[str, tuple[str, ...]] = {}
        if isinstance(caps_raw, dict):
            for key, val in caps_raw.items():
                if isinstance(val, list):
                    caps[str(key)] = tuple(str(v) for v in val)
        versions = data.get("versions")
        return cls(
            versions=tuple(str(v) for v in versions) if isinstance(versions, list) else (),
            build=to_int(data.get("build")),
            mode=_s(data.get("mode")),
            version=_s(data.get("version")),
            capabilities=caps,
        )


@dataclass(frozen=True, slots=True)
class Device:
    id: int
    name: str | None
    created: int | None  # ms since epoch
    last_seen: int | None  # ms since epoch

    @classmethod
    def from_json(cls, data: Any) -> Device:
        data = data if isinstance(data, dict) else {}
        return cls(
            id=to_int(data.get("id"), 0) or 0,
            name=_opt_s(data.get("name")),
            created=to_int(data.get("creation_timestamp")),
            last_seen=to_int(data.get("last_seen_timestamp")),
        )


@dataclass(frozen=True, slots=True)
class UsernameResult:
    username: str
    link: str | None

    @classmethod
    def from_json(cls, data: Any) -> UsernameResult:
        data = data if isinstance(data, dict) else {}
        return cls(_s(data.get("username")), _opt_s(data.get("username_link")))


# --- sending ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutgoingAttachment:
    filename: str
    data: bytes = field(repr=False)
    content_type: str = "application/octet-stream"

    def safe_filename(self) -> str:
        """The name as the server parses it: `;` ends the field and `/` would be a path."""
        name = "".join(
            "_" if ch in ";/\\" or ord(ch) < 32 or ch == "\x7f" else ch for ch in self.filename
        )
        name = name.replace("base64,", "base64_")  # the server splits on the LAST "base64,"
        return name.strip() or "attachment"

    def to_data_uri(self) -> str:
        mime = "".join(ch for ch in self.content_type if ch not in ";,\r\n ") or (
            "application/octet-stream"
        )
        payload = base64.b64encode(self.data).decode("ascii")
        return f"data:{mime};filename={self.safe_filename()};base64,{payload}"


@dataclass(frozen=True, slots=True)
class MentionRef:
    """A mention at [start, start+length) in UTF-16 code units of the message text."""

    start: int
    length: int
    author: str  # number or UUID

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "length": self.length, "author": self.author}


@dataclass(frozen=True, slots=True)
class QuoteRef:
    timestamp: int
    author: str  # number or UUID of the quoted message's author
    message: str | None = None
    mentions: tuple[MentionRef, ...] | list[MentionRef] = ()


@dataclass(frozen=True, slots=True)
class LinkPreview:
    url: str
    title: str
    description: str = ""
    thumbnail: bytes | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "title": self.title}
        if self.description:
            out["description"] = self.description
        if self.thumbnail:
            out["base64_thumbnail"] = base64.b64encode(self.thumbnail).decode("ascii")
        return out


@dataclass(frozen=True, slots=True)
class SendResult:
    timestamp: int
    failures: tuple[RecipientFailure, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.failures


# --- groups -----------------------------------------------------------------------------------

GroupPermission = Literal["only-admins", "every-member"]
GroupLink = Literal["disabled", "enabled", "enabled-with-approval"]


@dataclass(frozen=True, slots=True)
class GroupPermissions:
    add_members: str = "only-admins"
    edit_group: str = "only-admins"
    send_messages: str = "every-member"

    def to_json(self) -> dict[str, str]:
        return {
            "add_members": self.add_members,
            "edit_group": self.edit_group,
            "send_messages": self.send_messages,
        }

    @classmethod
    def from_json(cls, data: Any) -> GroupPermissions:
        data = data if isinstance(data, dict) else {}
        return cls(
            add_members=_s(data.get("add_members")) or "only-admins",
            edit_group=_s(data.get("edit_group")) or "only-admins",
            send_messages=_s(data.get("send_messages")) or "every-member",
        )


@dataclass(frozen=True, slots=True)
class Group:
    id: str  # "group.<b64>": what every REST call takes
    internal_id: str  # what envelopes carry
    name: str
    description: str
    members: tuple[str, ...]
    admins: tuple[str, ...]
    pending_invites: tuple[str, ...]
    pending_requests: tuple[str, ...]
    blocked: bool
    member: bool  # False once we left; missing in 0.100 and earlier -> True
    invite_link: str | None
    permissions: GroupPermissions

    @classmethod
    def from_json(cls, data: Any) -> Group:
        data = data if isinstance(data, dict) else {}
        return cls(
            id=_s(data.get("id")),
            internal_id=_s(data.get("internal_id")),
            name=_s(data.get("name")),
            description=_s(data.get("description")),
            members=_addresses(data.get("members")),
            admins=_addresses(data.get("admins")),
            pending_invites=_addresses(data.get("pending_invites")),
            pending_requests=_addresses(data.get("pending_requests")),
            blocked=_b(data.get("blocked")),
            member=_b(data.get("member"), True),
            invite_link=_opt_s(data.get("invite_link")),
            permissions=GroupPermissions.from_json(data.get("permissions")),
        )


# --- contacts, profiles, identities -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactProfile:
    given_name: str | None = None
    lastname: str | None = None
    about: str | None = None
    has_avatar: bool = False
    last_updated: int | None = None

    @classmethod
    def from_json(cls, data: Any) -> ContactProfile:
        data = data if isinstance(data, dict) else {}
        return cls(
            given_name=_opt_s(data.get("given_name")),
            lastname=_opt_s(data.get("lastname")),
            about=_opt_s(data.get("about")),
            has_avatar=_b(data.get("has_avatar")),
            last_updated=to_int(data.get("last_updated_timestamp")),
        )


@dataclass(frozen=True, slots=True)
class Contact:
    number: str | None
    uuid: str | None
    name: str | None  # the contact name set on the phone
    profile_name: str | None
    username: str | None = None
    color: str | None = None
    blocked: bool = False
    message_expiration: int = 0  # seconds (a string on the wire)
    note: str | None = None
    given_name: str | None = None
    nickname: str | None = None  # nickname.name
    profile: ContactProfile = field(default_factory=ContactProfile)

    @property
    def address(self) -> str:
        return self.uuid or self.number or self.username or ""

    @classmethod
    def from_json(cls, data: Any) -> Contact:
        data = data if isinstance(data, dict) else {}
        nick = data.get("nickname") if isinstance(data.get("nickname"), dict) else {}
        nickname = _opt_s(nick.get("name")) or " ".join(
            p for p in (_s(nick.get("given_name")), _s(nick.get("family_name"))) if p
        )
        return cls(
            number=_opt_s(data.get("number")),
            uuid=_opt_s(data.get("uuid")),
            name=_opt_s(data.get("name")),
            profile_name=_opt_s(data.get("profile_name")),
            username=_opt_s(data.get("username")),
            color=_opt_s(data.get("color")),
            blocked=_b(data.get("blocked")),
            message_expiration=to_int(data.get("message_expiration"), 0) or 0,
            note=_opt_s(data.get("note")),
            given_name=_opt_s(data.get("given_name")),
            nickname=nickname or None,
            profile=ContactProfile.from_json(data.get("profile")),
        )


@dataclass(frozen=True, slots=True)
class Identity:
    number: str | None
    uuid: str | None
    status: str  # TRUSTED_UNVERIFIED | TRUSTED_VERIFIED | UNTRUSTED
    fingerprint: str
    safety_number: str
    added: int | None  # ms since epoch (a string on the wire)

    @property
    def trusted(self) -> bool:
        return self.status.startswith("TRUSTED")

    @property
    def verified(self) -> bool:
        return self.status == "TRUSTED_VERIFIED"

    @classmethod
    def from_json(cls, data: Any) -> Identity:
        data = data if isinstance(data, dict) else {}
        return cls(
            number=_opt_s(data.get("number")),
            uuid=_opt_s(data.get("uuid")),
            status=_s(data.get("status")) or "UNKNOWN",
            fingerprint=_s(data.get("fingerprint")),
            safety_number=_s(data.get("safety_number")),
            added=to_int(data.get("added")),
        )


@dataclass(frozen=True, slots=True)
class StickerPack:
    pack_id: str
    url: str | None
    installed: bool
    title: str | None
    author: str | None

    @classmethod
    def from_json(cls, data: Any) -> StickerPack:
        data = data if isinstance(data, dict) else {}
        return cls(
            pack_id=_s(data.get("pack_id")),
            url=_opt_s(data.get("url")),
            installed=_b(data.get("installed")),
            title=_opt_s(data.get("title")),
            author=_opt_s(data.get("author")),
        )


class RemoveAvatar:
    """Sentinel type: `update_profile(avatar=REMOVE_AVATAR)` deletes the profile picture."""

    _instance: RemoveAvatar | None = None

    def __new__(cls) -> RemoveAvatar:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "REMOVE_AVATAR"


REMOVE_AVATAR: Final = RemoveAvatar()
