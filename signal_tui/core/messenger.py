"""Messenger: every action the UI (or a script) can take. STUB — the sync-engine work fills it in.

The UI never calls HTTP and never writes SQL: it calls these coroutines and reads from the Store.
Every method that sends goes through the outbox, writes to the store first (optimistic), and
returns quickly; progress arrives as store change notices. Failures raise `ActionError` with a
readable sentence (`str(exc)`) and a machine `kind` ("untrusted_identity", "rate_limited", ...).
"""

from __future__ import annotations

from pathlib import Path

from signal_tui.api.models import ReceiverState
from signal_tui.store.models import Conversation, Message

__all__ = ["ActionError", "Messenger", "ReceiverState"]


class ActionError(Exception):
    """A failed action, worded for the user. `kind` lets the UI offer the right fix."""

    def __init__(self, message: str, kind: str = "error", **details: object) -> None:
        super().__init__(message)
        self.kind = kind
        self.details = details


class Messenger:
    """Commands. Constructed by core.session.Session with a SignalClient, Store and Outbox."""

    account: str

    # --- conversations ---------------------------------------------------------------------
    async def open_direct(self, address: str) -> Conversation:
        """Find or create the direct conversation for a number/UUID (checked with /v1/search for
        numbers). Raises ActionError("... is not on Signal") when the server says unregistered."""
        raise NotImplementedError

    async def mark_read(self, conversation_id: int, up_to: Message | None = None) -> None:
        """Mark read locally and, if enabled, send read receipts for the newly read messages."""
        raise NotImplementedError

    async def typing(self, conversation_id: int, started: bool) -> None:
        """Send a typing indicator (if enabled); never raises for network trouble."""
        raise NotImplementedError

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
        raise NotImplementedError

    async def send_to_many(self, addresses: list[str], body: str) -> list[Message]:
        """One multi-recipient send; per-recipient results land on each conversation's copy."""
        raise NotImplementedError

    async def react(self, message: Message, emoji: str, *, remove: bool = False) -> None:
        raise NotImplementedError

    async def edit(self, message: Message, new_body: str) -> None:
        raise NotImplementedError

    async def delete_for_everyone(self, message: Message) -> None:
        raise NotImplementedError

    async def delete_for_me(self, message: Message) -> None:
        raise NotImplementedError

    async def retry(self, message: Message) -> None:
        """Resend a failed/unknown message (the user decided)."""
        raise NotImplementedError

    async def trust_and_resend(self, message: Message) -> None:
        """Trust the changed identities of the recipients, then resend."""
        raise NotImplementedError

    async def vote(self, message: Message, option_indexes: list[int]) -> None:
        raise NotImplementedError

    # --- attachments -----------------------------------------------------------------------
    async def download(self, attachment_id: int) -> Path:
        raise NotImplementedError

    async def save_attachment(self, attachment_id: int, folder: Path) -> Path:
        raise NotImplementedError
