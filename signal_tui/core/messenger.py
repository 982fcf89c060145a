"""Messenger: every action the UI (or a script) can take.

The UI never calls HTTP and never writes SQL: it calls these coroutines and reads from the Store.
Every method that sends goes through the outbox, writes to the store first (optimistic), and
returns quickly; progress arrives as store change notices. Failures raise `ActionError` with a
readable sentence (`str(exc)`) and a machine `kind` ("untrusted_identity", "rate_limited", ...).
"""

from __future__ import annotations

import mimetypes
import re
import uuid
from pathlib import Path
from typing import Any

from signal_tui.api.errors import ErrorKind, SignalApiError
from signal_tui.api.models import ReceiverState, StickerPack
from signal_tui.core.attachments import AttachmentManager
from signal_tui.core.errors import ActionError, explain
from signal_tui.core.messenger_actions import AttachmentActionsMixin, RepairMixin
from signal_tui.core.outbox import Outbox
from signal_tui.core.ports import MessengerClient, MessengerStore
from signal_tui.ids import is_group_id
from signal_tui.store.mentions import with_mentions
from signal_tui.store.models import Conversation, Message
from signal_tui.text import one_line

__all__ = ["ActionError", "Messenger", "ReceiverState", "StickerPack"]

MAX_RECEIPTS_PER_AUTHOR = 50
_NUMBER = re.compile(r"^\+[0-9][0-9 ]{5,20}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class Messenger(RepairMixin, AttachmentActionsMixin):
    """Commands. Constructed by core.session.Session with a SignalClient, Store and Outbox."""

    store: MessengerStore
    client: MessengerClient
    outbox: Outbox
    attachments: AttachmentManager | None

    def __init__(
        self,
        store: MessengerStore,
        client: MessengerClient,
        outbox: Outbox,
        account: str,
        *,
        attachments: AttachmentManager | None = None,
        send_read_receipts: bool = True,
        send_typing: bool = True,
    ) -> None:
        self.store = store
        self.client = client
        self.outbox = outbox
        self.account = account
        self.attachments = attachments
        self.send_read_receipts = send_read_receipts
        self.send_typing = send_typing

    # --- helpers ---------------------------------------------------------------------------
    async def _conversation(self, conversation_id: int) -> Conversation:
        conv = await self.store.get_conversation(conversation_id)
        if conv is None:
            raise ActionError("That conversation no longer exists.", "not_found")
        return conv

    async def _author_address(self, message: Message) -> str:
        if message.outgoing:
            return self.account
        rcpt = await self.store.get_recipient(message.author_id)
        if rcpt is None or not rcpt.address:
            raise ActionError("The author of that message is unknown.", "not_found")
        return rcpt.address

    def _queued(self) -> None:
        self.outbox.wake()

    # --- conversations ---------------------------------------------------------------------
    async def open_direct(self, address: str) -> Conversation:
        """Find or create the direct conversation for a number/UUID (checked with /v1/search for
        numbers). Raises ActionError("... is not on Signal") when the server says unregistered."""
        address = (address or "").strip()
        if is_group_id(address):
            conv = await self.store.find_conversation(address)
            if conv is None:
                raise ActionError("You are not a member of that group.", "not_found")
            return conv
        if _UUID.match(address):
            existing = await self.store.find_conversation(address.lower())
            return existing or await self.store.ensure_direct(address.lower(), uuid=address.lower())
        number = address.replace(" ", "")
        if not _NUMBER.match(address) or not number[1:].isdigit():
            raise ActionError(
                f"{one_line(address, 40)!r} is not a phone number (+country code) or a UUID.",
                "invalid",
            )
        existing = await self.store.find_conversation(number)
        if existing is not None:
            return existing
        try:
            found = await self.client.search(self.account, [number])
        except SignalApiError as exc:
            if exc.kind in (ErrorKind.UNREACHABLE, ErrorKind.TIMEOUT):
                # offline: accept the number now; the send says so if it is not on Signal
                return await self.store.ensure_direct(number, number=number)
            raise explain(exc) from None
        registered = found.get(number)
        if registered is None and len(found) == 1:
            registered = next(iter(found.values()))
        if not registered:
            raise ActionError(f"{number} is not on Signal.", "not_registered")
        return await self.store.ensure_direct(number, number=number)

    async def mark_read(self, conversation_id: int, up_to: Message | None = None) -> None:
        """Mark read locally and, if enabled, send read receipts for the newly read messages."""
        newly = await self.store.mark_read(conversation_id, up_to.cursor if up_to else None)
        if not self.send_read_receipts or not newly:
            return
        by_author: dict[int, list[int]] = {}
        for msg in newly:
            if not msg.outgoing and msg.kind == "text":
                by_author.setdefault(msg.author_id, []).append(msg.sent_ts)
        for author_id, stamps in by_author.items():
            rcpt = await self.store.get_recipient(author_id)
            if rcpt is None or not rcpt.address:
                continue
            # the endpoint takes one timestamp per call: after a long absence, receipts for the
            # newest messages are what the senders look at
            for ts in sorted(stamps)[-MAX_RECEIPTS_PER_AUTHOR:]:
                await self.store.outbox_add(
                    "receipt",
                    {"recipient": rcpt.address, "timestamp": ts, "receipt_type": "read"},
                    conversation_id=conversation_id,
                )
        self._queued()

    async def typing(self, conversation_id: int, started: bool) -> None:
        """Send a typing indicator (if enabled); never raises for network trouble."""
        if not self.send_typing:
            return
        conv = await self.store.get_conversation(conversation_id)
        if conv is None or conv.blocked or conv.left:
            return
        self.outbox.typing(conv.address, started, key=conv.id)

    # --- sending ---------------------------------------------------------------------------
    async def send(
        self,
        conversation_id: int,
        body: str,
        *,
        attachments: list[Path] | None = None,
        quote: Message | None = None,
        mentions: list[tuple[int, int, str]] | None = None,  # (start, length, address) UTF-16
    ) -> Message:
        """Queue a message; it is stored (status 'queued') before this returns."""
        conv = await self._conversation(conversation_id)
        files = self._check_files(attachments or [])
        if not (body or "").strip() and not files:
            raise ActionError("There is nothing to send.", "invalid")
        payload: dict[str, Any] = {
            "recipients": [conv.address],
            "message": body,
            "attachments": [{"path": str(p), "content_type": ct} for p, ct, _ in files],
            "mentions": [{"start": s, "length": n, "author": a} for s, n, a in (mentions or [])],
        }
        if quote is not None:
            payload["quote"] = {
                "timestamp": quote.sent_ts,
                "author": await self._author_address(quote),
                "message": quote.body,
            }
        message, _item = await self.store.add_outgoing(
            conversation_id,
            body,
            recipients=[conv.address],
            attachments=files,
            quote=quote,
            mentions=list(mentions or []),
            payload=payload,
        )
        self._queued()
        return message

    def _check_files(self, paths: list[Path]) -> list[tuple[Path, str, int]]:
        out = []
        for p in paths:
            path = Path(p).expanduser()
            if not path.is_file():
                raise ActionError(f"{one_line(str(path), 80)} is not a readable file.", "file")
            ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            out.append((path.resolve(), ctype, path.stat().st_size))
        return out

    async def send_to_many(self, addresses: list[str], body: str) -> list[Message]:
        """One multi-recipient send; per-recipient results land on each conversation's copy.

        Each conversation gets its own copy (so it shows in each chat). Only the primary row
        makes the API call; the copies share its batch key and are resolved from its
        per-recipient result. The outbox's queue_lock keeps the worker from seeing half a batch.
        """
        if not (body or "").strip():
            raise ActionError("There is nothing to send.", "invalid")
        convs = [await self.open_direct(a) for a in dict.fromkeys(addresses)]
        if not convs:
            raise ActionError("Pick at least one recipient.", "invalid")
        if any(c.kind == "group" for c in convs) and len(convs) > 1:
            raise ActionError("A group can only be sent to on its own.", "invalid")
        if len(convs) == 1:
            return [await self.send(convs[0].id, body)]
        batch = uuid.uuid4().hex
        messages: list[Message] = []
        copies: list[dict[str, Any]] = []
        async with self.outbox.queue_lock:
            for conv in convs[1:]:
                copy = {"batch": batch, "copy": True, "recipients": [conv.address], "message": body}
                msg, item = await self.store.add_outgoing(
                    conv.id, body, recipients=[conv.address], payload=copy
                )
                messages.append(msg)
                copies.append(
                    {"outbox_id": item.id, "message_id": msg.id, "recipient": conv.address}
                )
            first = convs[0]
            recipients = [c.address for c in convs]
            payload: dict[str, Any] = {
                "batch": batch,
                "primary": first.address,
                "recipients": recipients,
                "message": body,
                "copies": copies,
            }
            msg, _item = await self.store.add_outgoing(
                first.id, body, recipients=recipients, payload=payload
            )
        self._queued()
        return [msg, *messages]

    async def react(self, message: Message, emoji: str, *, remove: bool = False) -> None:
        conv = await self._conversation(message.conversation_id)
        author = await self._author_address(message)
        await self.store.apply_local_reaction(message.id, emoji, remove=remove)
        await self.store.outbox_add(
            "react",
            {
                "recipient": conv.address,
                "emoji": emoji,
                "target_author": author,
                "target_ts": message.sent_ts,
                "target_message_id": message.id,
                "remove": remove,
            },
            conversation_id=conv.id,
            message_id=message.id,
        )
        self._queued()

    async def edit(self, message: Message, new_body: str) -> None:
        if not message.outgoing:
            raise ActionError("Only your own messages can be edited.", "invalid")
        if not (new_body or "").strip():
            raise ActionError("An edit cannot be empty.", "invalid")
        conv = await self._conversation(message.conversation_id)
        await self.store.apply_local_edit(message.id, new_body)
        await self.store.outbox_add(
            "edit",
            {
                "recipients": [conv.address],
                "message": new_body,
                "target_ts": message.sent_ts,
                "target_message_id": message.id,
            },
            conversation_id=conv.id,
            message_id=message.id,
        )
        self._queued()

    async def delete_for_everyone(self, message: Message) -> None:
        if not message.outgoing:
            raise ActionError("Only your own messages can be deleted for everyone.", "invalid")
        conv = await self._conversation(message.conversation_id)
        await self.store.apply_local_delete(message.id)
        await self.store.outbox_add(
            "delete",
            {
                "recipient": conv.address,
                "target_ts": message.sent_ts,
                "target_message_id": message.id,
            },
            conversation_id=conv.id,
            message_id=message.id,
        )
        self._queued()

    async def delete_for_me(self, message: Message) -> None:
        await self.store.delete_for_me(message.id)

    async def set_direct_timer(self, conversation_id: int, seconds: int) -> None:
        """Disappearing messages for a 1:1 chat (groups: core.admin set_group_timer)."""
        conv = await self._conversation(conversation_id)
        if conv.kind != "direct":
            raise ActionError("Set a group's timer from the group's details.", "invalid")
        if seconds < 0:
            raise ActionError("The timer cannot be negative.", "invalid")
        try:
            await self.client.update_contact(
                self.account, conv.address, expiration_in_seconds=int(seconds)
            )
        except SignalApiError as exc:
            raise explain(exc) from None
        await self.store.set_conversation_expiry(conv.id, int(seconds))

    async def forward(self, message: Message, conversation_id: int) -> Message:
        """Send a copy of `message` (its text and its attachments) to another conversation."""
        if message.deleted:
            raise ActionError("A deleted message cannot be forwarded.", "invalid")
        if message.view_once:
            raise ActionError("A view-once message cannot be forwarded.", "invalid")
        files = await self.forward_files(message)
        if not (message.body or "").strip() and not files:
            raise ActionError("There is nothing to forward in that message.", "invalid")
        names = await self.store.mention_names([message])
        body = with_mentions(message.body, message.mentions, names)  # placeholders -> @Name
        return await self.send(conversation_id, body, attachments=files or None)

    async def sticker_packs(self) -> list[StickerPack]:
        """The sticker packs installed on the server (their images are not served by the API)."""
        try:
            packs = await self.client.sticker_packs(self.account)
        except SignalApiError as exc:
            raise explain(exc) from None
        return [p for p in packs if p.installed]

    async def send_sticker(self, conversation_id: int, pack_id: str, sticker_id: int) -> Message:
        """Queue a sticker from an installed pack (stored and shown before this returns)."""
        if not pack_id or sticker_id < 0:
            raise ActionError("Pick a pack and a sticker number (0, 1, 2 …).", "invalid")
        conv = await self._conversation(conversation_id)
        sticker = f"{pack_id}:{int(sticker_id)}"
        message, _item = await self.store.add_outgoing(
            conversation_id,
            "",
            recipients=[conv.address],
            payload={"recipients": [conv.address], "message": ""},
            sticker=sticker,
        )
        self._queued()
        return message

    async def create_poll(
        self, conversation_id: int, question: str, answers: list[str], *, allow_multiple: bool
    ) -> Message:
        """Queue a new poll in a conversation; it is stored (and shown) before this returns."""
        question = question.strip()
        answers = [a.strip() for a in answers if a.strip()]
        if not question:
            raise ActionError("A poll needs a question.", "invalid")
        if len(answers) < 2:
            raise ActionError("A poll needs at least two answers.", "invalid")
        if len(set(answers)) != len(answers):
            raise ActionError("Two answers are the same.", "invalid")
        conv = await self._conversation(conversation_id)
        message, _item = await self.store.add_outgoing(
            conversation_id,
            "",
            recipients=[conv.address],
            kind="poll",
            payload={
                "recipient": conv.address,
                "question": question,
                "answers": answers,
                "allow_multiple": allow_multiple,
            },
            poll=(question, answers, allow_multiple),
        )
        self._queued()
        return message

    async def vote(self, message: Message, option_indexes: list[int]) -> None:
        """Vote in a poll; `option_indexes` are 0-based positions in message.poll.options."""
        if message.poll is None:
            raise ActionError("That message is not a poll.", "invalid")
        if message.poll.closed:
            raise ActionError("That poll is closed.", "invalid")
        conv = await self._conversation(message.conversation_id)
        await self.store.apply_local_vote(message.id, [int(i) for i in option_indexes])
        await self.store.outbox_add(
            "vote",
            {
                "recipient": conv.address,
                "poll_author": await self._author_address(message),
                "target_ts": message.sent_ts,
                "target_message_id": message.id,
                "selected": [int(i) + 1 for i in option_indexes],  # the API counts from 1
            },
            conversation_id=conv.id,
            message_id=message.id,
        )
        self._queued()
