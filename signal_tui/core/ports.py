"""What core needs of the store and of the client: `typing.Protocol` classes, one per user.

The outbox worker, the attachment manager and the messenger are typed against these ports, not
against `signal_tui.store.Store` and `signal_tui.api.client.SignalClient`: each port names only
the methods its user calls, so a script (or a test) can hand core anything that has them. The
signatures are copied from the real classes, parameter for parameter;
tests/unit/core/test_ports.py checks that Store and SignalClient provide every method named here
with the same parameters, so a port cannot drift from the class it describes.

When core starts calling another store or client method, add it to the port of the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from signal_tui.api.models import (
    Identity,
    LinkPreview,
    MentionRef,
    OutgoingAttachment,
    QuoteRef,
    SendResult,
    StickerPack,
    TextMode,
)
from signal_tui.store.models import Attachment, Conversation, Message, OutboxItem, Recipient

__all__ = [
    "AttachmentClient",
    "AttachmentStore",
    "MessengerClient",
    "MessengerStore",
    "OutboxClient",
    "OutboxRows",
    "OutboxStore",
]


# --- the store ---------------------------------------------------------------------------------
class OutboxRows(Protocol):
    """Reading and moving outbox rows: the worker, and the messenger's retry/failure actions."""

    async def outbox_items(self, states: Iterable[str] | None = None) -> list[OutboxItem]: ...

    async def outbox_set(
        self,
        outbox_id: int,
        state: str,
        *,
        error: str | None = None,
        not_before: int | None = None,
        attempts_inc: bool = False,
        details: dict[str, Any] | None = None,
    ) -> None: ...


class OutboxStore(OutboxRows, Protocol):
    """What core.outbox.Outbox needs of the store."""

    async def outbox_reset_stale(self) -> int: ...

    async def outbox_failure_details(self) -> dict[int, dict[str, Any]]: ...

    async def outbox_next(self, now_ms: int) -> OutboxItem | None: ...

    async def outbox_sent(
        self,
        outbox_id: int,
        server_ts: int,
        failures: dict[str, str] | None = None,
        *,
        details: dict[str, Any] | None = None,
    ) -> Message | None: ...

    async def get_message(self, message_id: int) -> Message | None: ...


class AttachmentStore(Protocol):
    """What core.attachments.AttachmentManager needs of the store."""

    async def get_attachment(self, attachment_id: int) -> Attachment | None: ...

    async def set_attachment_state(
        self,
        attachment_id: int,
        state: str,
        *,
        local_path: str | Path | None = None,
        thumbnail_path: str | Path | None = None,
    ) -> None: ...


class MessengerStore(OutboxRows, Protocol):
    """What core.messenger.Messenger (with its mixins in core.messenger_actions) needs."""

    async def get_conversation(self, conversation_id: int) -> Conversation | None: ...

    async def find_conversation(self, address: str) -> Conversation | None: ...

    async def set_conversation_expiry(self, conversation_id: int, seconds: int) -> None: ...

    async def mention_names(self, messages_or_ids: Iterable[Message | int]) -> dict[int, str]: ...

    async def ensure_direct(
        self,
        address: str,
        *,
        number: str | None = None,
        uuid: str | None = None,
        name: str | None = None,
    ) -> Conversation: ...

    async def get_recipient(self, recipient_id: int) -> Recipient | None: ...

    async def group_members(self, conversation_id: int) -> list[tuple[Recipient, bool]]: ...

    async def mark_read(
        self, conversation_id: int, up_to: tuple[int, int] | None = None
    ) -> list[Message]: ...

    async def add_outgoing(
        self,
        conversation_id: int,
        body: str,
        *,
        recipients: Sequence[str],
        attachments: Iterable[tuple[Path, str, int]] = (),
        quote: Message | None = None,
        mentions: Iterable[tuple[int, int, str]] = (),
        kind: str = "send",
        payload: dict[str, Any] | None = None,
        poll: tuple[str, Sequence[str], bool] | None = None,
        sticker: str | None = None,
    ) -> tuple[Message, OutboxItem]: ...

    async def outbox_add(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        conversation_id: int | None = None,
        message_id: int | None = None,
    ) -> OutboxItem: ...

    async def apply_local_reaction(
        self, message_id: int, emoji: str, *, remove: bool = False
    ) -> None: ...

    async def apply_local_edit(self, message_id: int, body: str) -> None: ...

    async def apply_local_delete(self, message_id: int) -> None: ...

    async def apply_local_vote(self, message_id: int, option_indexes: Sequence[int]) -> None: ...

    async def delete_for_me(self, message_id: int) -> None: ...

    async def get_attachment(self, attachment_id: int) -> Attachment | None: ...


# --- the client --------------------------------------------------------------------------------
class OutboxClient(Protocol):
    """What core.outbox.Outbox sends through."""

    async def send(
        self,
        number: str,
        recipients: list[str],
        message: str | None = None,
        *,
        attachments: Sequence[OutgoingAttachment] = (),
        text_mode: TextMode = "normal",
        mentions: Sequence[MentionRef] = (),
        quote: QuoteRef | None = None,
        edit_timestamp: int | None = None,
        sticker: str | None = None,
        view_once: bool = False,
        link_preview: LinkPreview | None = None,
        notify_self: bool | None = None,
    ) -> SendResult: ...

    async def react(
        self, number: str, recipient: str, emoji: str, target_author: str, timestamp: int
    ) -> None: ...

    async def remove_reaction(
        self, number: str, recipient: str, emoji: str, target_author: str, timestamp: int
    ) -> None: ...

    async def remote_delete(self, number: str, recipient: str, timestamp: int) -> int: ...

    async def send_receipt(
        self, number: str, recipient: str, timestamp: int, receipt_type: str = "read"
    ) -> None: ...

    async def vote_poll(
        self,
        number: str,
        recipient: str,
        poll_author: str,
        poll_timestamp: int,
        selected: list[int],
    ) -> None: ...

    async def create_poll(
        self,
        number: str,
        recipient: str,
        question: str,
        answers: list[str],
        *,
        allow_multiple: bool = True,
    ) -> int: ...

    async def typing(self, number: str, recipient: str, *, started: bool) -> None: ...


class AttachmentClient(Protocol):
    """What core.attachments.AttachmentManager downloads through."""

    async def download_attachment(
        self,
        attachment_id: str,
        write: Callable[[bytes], object],
        progress: Callable[[int, int | None], object] | None = None,
    ) -> int: ...

    async def delete_attachment(self, attachment_id: str) -> None: ...


class MessengerClient(Protocol):
    """What core.messenger.Messenger (with its mixins in core.messenger_actions) calls directly;
    everything it sends goes through the outbox instead."""

    async def search(self, number: str, numbers: list[str]) -> dict[str, bool]: ...

    async def sticker_packs(self, number: str) -> list[StickerPack]: ...

    async def update_contact(
        self,
        number: str,
        recipient: str,
        *,
        name: str | None = None,
        expiration_in_seconds: int | None = None,
    ) -> None: ...

    async def identities(self, number: str) -> list[Identity]: ...

    async def trust(
        self,
        number: str,
        number_to_trust: str,
        *,
        safety_number: str | None = None,
        trust_all_known_keys: bool = False,
    ) -> None: ...

    async def submit_rate_limit_challenge(
        self, number: str, challenge_token: str, captcha: str
    ) -> None: ...
