"""Messenger parts split out of core/messenger.py: the error type, the "fix it" actions the UI
offers after a failed send (retry, trust and resend, captcha), and attachment file actions."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from signal_tui.api.errors import SignalApiError
from signal_tui.core.errors import ActionError, explain
from signal_tui.core.outbox import Failure
from signal_tui.files import path_inside, private_dir
from signal_tui.store.models import Conversation, Message

if TYPE_CHECKING:
    from signal_tui.core.attachments import AttachmentManager
    from signal_tui.core.outbox import Outbox
    from signal_tui.core.ports import MessengerClient, MessengerStore


class RepairMixin:
    """After a failed send: say why, and let the user fix it (needs store/client/outbox)."""

    store: MessengerStore
    client: MessengerClient
    outbox: Outbox
    account: str

    async def _conversation(self, conversation_id: int) -> Conversation:  # pragma: no cover
        raise NotImplementedError

    def _queued(self) -> None:  # pragma: no cover
        raise NotImplementedError

    async def retry(self, message: Message) -> None:
        """Resend a failed/unknown message (the user decided)."""
        if message.outbox_id is None or message.status not in ("failed", "unknown"):
            raise ActionError("Only failed or unconfirmed messages can be resent.", "invalid")
        await self.store.outbox_set(message.outbox_id, "queued", error=None, not_before=0)
        self._queued()

    async def failure(self, message: Message) -> Failure | None:
        """Why the message's last send failed (kind, recipients, challenge tokens), if known."""
        if message.outbox_id is None:
            return None
        known = self.outbox.failures.get(message.outbox_id)
        if known is not None:
            return known
        for item in await self.store.outbox_items(["failed", "unknown"]):
            if item.id == message.outbox_id:
                return Failure.from_dict(item.details)  # stored with the row (a restart keeps it)
        return None

    async def trust_and_resend(self, message: Message) -> None:
        """Trust the changed identities of the recipients, then resend."""
        failure = await self.failure(message)
        targets = list(failure.recipients) if failure and failure.recipients else []
        if not targets:
            conv = await self._conversation(message.conversation_id)
            targets = await self._untrusted_among(conv)
            if not targets and conv.kind == "direct":
                targets = [conv.address]  # the only recipient; json-rpc errors name nobody
        try:
            for address in dict.fromkeys(targets):
                await self.client.trust(self.account, address, trust_all_known_keys=True)
        except SignalApiError as exc:
            raise explain(exc) from None
        await self.retry(message)

    async def _untrusted_among(self, conv: Conversation) -> list[str]:
        """The recipients of a conversation whose identity is currently untrusted."""
        try:
            identities = await self.client.identities(self.account)
        except SignalApiError as exc:
            raise explain(exc) from None
        untrusted = {
            addr
            for ident in identities
            if str(getattr(ident, "status", "")).upper() == "UNTRUSTED"
            for addr in (ident.number, ident.uuid)
            if addr
        }
        if conv.kind == "direct":
            candidates = {conv.address, conv.number}
        else:
            candidates = set()
            for rcpt, _admin in await self.store.group_members(conv.id):
                candidates.update({rcpt.uuid, rcpt.number})
        return sorted(a for a in candidates if a and a in untrusted)

    async def solve_captcha(self, message: Message, captcha: str) -> None:
        """Submit a rate-limit challenge with the captcha token the user solved, then resend."""
        failure = await self.failure(message)
        tokens = failure.challenge_tokens if failure else ()
        if not tokens:
            raise ActionError("No captcha challenge is pending for that message.", "invalid")
        try:
            for token in tokens:
                await self.client.submit_rate_limit_challenge(self.account, token, captcha)
        except SignalApiError as exc:
            raise explain(exc) from None
        await self.retry(message)


class AttachmentActionsMixin:
    """Download, save a copy, forget a view-once file."""

    store: MessengerStore
    attachments: AttachmentManager | None

    async def download(self, attachment_id: int) -> Path:
        if self.attachments is None:
            raise ActionError("Attachments are not available offline.", "unavailable")
        try:
            return await self.attachments.download(attachment_id)
        except FileNotFoundError as exc:
            raise ActionError(f"Cannot download: {exc}.", "not_found") from None
        except SignalApiError as exc:
            raise explain(exc) from None
        except OSError as exc:
            raise ActionError(f"Cannot save the file: {exc.strerror or exc}", "file") from None

    async def forward_files(self, message: Message) -> list[Path]:
        """The message's attachments as local files (downloaded first when needed), to send on."""
        paths = []
        for att in message.attachments:
            if att.local_path and att.state in ("done", "local"):
                paths.append(Path(att.local_path))
            else:
                paths.append(await self.download(att.id))
        return paths

    async def save_attachment(self, attachment_id: int, folder: Path) -> Path:
        """Copy a downloaded attachment into a folder the user chose (sanitized name, no overwrite)."""
        att = await self.store.get_attachment(attachment_id)
        if att is None:
            raise ActionError("That attachment no longer exists.", "not_found")
        source = Path(att.local_path) if att.local_path else await self.download(attachment_id)
        try:
            target = await asyncio.to_thread(_copy_into, Path(folder), att.filename, source)
        except OSError as exc:
            raise ActionError(f"Could not save the file: {exc.strerror or exc}", "file") from None
        return target

    async def viewed_once(self, attachment_id: int) -> None:
        """A view-once attachment was shown: delete the local file now."""
        if self.attachments is not None:
            await self.attachments.viewed_once(attachment_id)


def _copy_into(folder: Path, name: str | None, source: Path) -> Path:
    """Copy under a sanitized, non-clashing name (runs in a thread: blocking file I/O)."""
    folder = folder.expanduser()
    if not folder.exists():
        private_dir(folder)
    target = path_inside(folder, name or source.name)
    shutil.copyfile(source, target)
    return target
