"""Frozen records the store hands to the UI and the headless tools.

This is the contract between `store/` (which fills them) and `ui/` (which renders them). Add
fields with defaults freely; do not rename or remove fields without updating both sides.
All text fields hold the raw text as received; display code cleans it (signal_tui.text) and never
treats it as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ConversationKind = Literal["direct", "group"]
# own-message states, in the order they progress; "failed"/"unknown" are terminal until acted on
MessageStatus = Literal[
    "queued", "sending", "sent", "delivered", "read", "viewed", "failed", "unknown"
]
MessageKind = Literal[
    "text",         # ordinary message (may have attachments, quote, sticker, poll)
    "notice",       # group change, timer change, call, safety-number change, identity error...
    "unsupported",  # a kind we store raw but cannot show yet
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class Recipient:
    id: int
    uuid: str | None
    number: str | None
    profile_name: str | None = None
    contact_name: str | None = None
    nickname: str | None = None
    username: str | None = None
    blocked: bool = False

    @property
    def display_name(self) -> str:
        """Nickname, contact name, profile name, number or UUID, in that order."""
        return (
            self.nickname
            or self.contact_name
            or self.profile_name
            or self.number
            or self.uuid
            or self.username
            or "Unknown"
        )

    @property
    def address(self) -> str:
        """What to send to: the UUID when known (works for number-hidden contacts), else the number."""
        return self.uuid or self.number or self.username or ""


@dataclass(frozen=True, slots=True)
class Conversation:
    id: int
    kind: ConversationKind
    address: str  # send target: UUID/number for direct, "group.<b64>" for groups
    title: str  # resolved display name (raw text)
    last_preview: str = ""  # one-line preview of the newest message (raw text)
    last_activity: int = 0  # ms since epoch of the newest message/event
    unread: int = 0
    expiry_seconds: int = 0  # disappearing-messages timer
    blocked: bool = False
    left: bool = False  # groups: no longer a member
    member_count: int = 0  # groups only
    number: str | None = None  # direct: the contact's number when known
    description: str = ""  # groups: description
    recipient_id: int | None = None  # direct: the contact's recipient id


@dataclass(frozen=True, slots=True)
class Reaction:
    emoji: str
    author_id: int
    author_name: str
    ts: int


@dataclass(frozen=True, slots=True)
class Attachment:
    id: int
    remote_id: str | None  # server attachment id (file name on the server)
    content_type: str
    filename: str  # sanitized display/local name
    size: int | None = None
    width: int | None = None
    height: int | None = None
    caption: str | None = None
    local_path: str | None = None  # absolute path inside the data dir once downloaded
    thumbnail_path: str | None = None
    state: Literal["pending", "downloading", "done", "failed", "local"] = "pending"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


@dataclass(frozen=True, slots=True)
class Quote:
    ts: int
    author_id: int | None
    author_name: str
    text: str
    message_id: int | None = None  # resolved local message, when we have it


@dataclass(frozen=True, slots=True)
class Mention:
    start: int  # UTF-16 code units
    length: int
    recipient_id: int | None
    name: str


@dataclass(frozen=True, slots=True)
class TextStyle:
    start: int  # UTF-16 code units
    length: int
    style: Literal["BOLD", "ITALIC", "SPOILER", "STRIKETHROUGH", "MONOSPACE"]


@dataclass(frozen=True, slots=True)
class PollOption:
    text: str
    votes: int
    voters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Poll:
    question: str
    options: tuple[PollOption, ...]
    allow_multiple: bool
    closed: bool = False


@dataclass(frozen=True, slots=True)
class Receipt:
    recipient_id: int
    name: str
    status: Literal["delivered", "read", "viewed"]
    ts: int


@dataclass(frozen=True, slots=True)
class Edit:
    ts: int
    body: str


@dataclass(frozen=True, slots=True)
class Message:
    id: int
    conversation_id: int
    author_id: int  # recipient id of the author (own account included)
    author_name: str
    sent_ts: int  # Signal identity together with the author
    received_ts: int
    body: str | None
    kind: MessageKind = "text"
    outgoing: bool = False
    status: MessageStatus | None = None  # own messages only
    error: str | None = None  # why a send failed / is unknown (readable sentence)
    edited: bool = False
    deleted: bool = False  # remote-deleted ("This message was deleted")
    quote: Quote | None = None
    reactions: tuple[Reaction, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    mentions: tuple[Mention, ...] = ()
    styles: tuple[TextStyle, ...] = ()
    sticker: str | None = None  # "<packId>:<stickerId>" (+ emoji if known)
    poll: Poll | None = None
    expires_in: int = 0  # seconds; 0 = not disappearing
    expires_at: int | None = None  # ms since epoch once the timer started
    view_once: bool = False
    outbox_id: int | None = None  # link to the outbox row for own messages
    # own messages: recipients the server reported as failed, as (address, reason) pairs
    failed_recipients: tuple[tuple[str, str], ...] = ()

    @property
    def cursor(self) -> tuple[int, int]:
        """Keyset cursor for paging: (sent_ts, id)."""
        return (self.sent_ts, self.id)


@dataclass(frozen=True, slots=True)
class SearchHit:
    message_id: int
    conversation_id: int
    conversation_title: str
    author_name: str
    sent_ts: int
    snippet: str  # raw text; matched terms wrapped in \x02 ... \x03 markers


@dataclass(frozen=True, slots=True)
class MessageDetails:
    message: Message
    receipts: tuple[Receipt, ...] = ()
    edits: tuple[Edit, ...] = ()  # oldest first; the current body is message.body
    raw_envelope: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    conversation_id: int | None
    recipients: tuple[str, ...]
    body: str
    state: Literal["queued", "sending", "sent", "failed", "unknown"]
    error: str | None = None
    attempts: int = 0
    created_at: int = 0
    message_id: int | None = None
    kind: str = "send"  # send | reaction | edit | delete | receipt | vote | ... (engine-defined)
    payload: dict = field(default_factory=dict)  # what the engine needs to perform `kind`
    not_before: int = 0  # ms since epoch; retry backoff
    server_ts: int | None = None  # the server's timestamp once sent
    # why the last attempt failed (engine-defined JSON: kind, recipients, challenge tokens...);
    # None when no failure is recorded
    details: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """A change notice, emitted after commit. `conversation_id` None means 'many / global'."""

    conversation_id: int | None
    what: frozenset[str] = field(default_factory=frozenset)
    # vocabulary: "messages", "conversation", "reactions", "receipts", "typing", "outbox",
    # "recipients", "groups", "attachments", "read"


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one ingested batch did (returned after commit)."""

    new_messages: list[Message] = field(default_factory=list)
    changed: set[int] = field(default_factory=set)  # conversation ids touched
    unsupported: int = 0  # unknown kinds / `syncMessage: {}` (stored raw)
    errors: int = 0  # malformed items and error envelopes
    typing: list[tuple[int, int, bool]] = field(default_factory=list)  # (conv, recipient, started)
    group_updates: list[str] = field(default_factory=list)  # REST group ids to refresh
    attachments_to_fetch: list[Attachment] = field(default_factory=list)
    untrusted: list[str] = field(default_factory=list)  # addresses with untrusted identities
    ignored: int = 0  # envelopes without a content key
    duplicates: int = 0  # redelivered messages that changed nothing
