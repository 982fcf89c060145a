"""What the App tells the main screen about its session, as Textual messages.

The session calls back on Textual's own loop; the App turns each callback into one of these and
posts it to the main screen, which applies it. Floods coalesce: a pending notice is merged into
the next one of its kind (`can_replace`), so a burst of store commits becomes one repaint.
"""

from __future__ import annotations

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from signal_tui.core.session import ReceiverState
from signal_tui.store.models import Change
from signal_tui.store.models import Message as StoredMessage


class StoreChanged(Message):
    """Store commits since the last one was handled: conversation id (None: all) -> what."""

    bubble = False  # for the main screen only

    def __init__(self, changes: list[Change]) -> None:
        super().__init__()
        self.pending: dict[int | None, set[str]] = {}
        for change in changes:
            self.pending.setdefault(change.conversation_id, set()).update(change.what or {"*"})

    def can_replace(self, message: Message) -> bool:
        if not isinstance(message, StoreChanged):
            return False
        for cid, what in self.pending.items():  # the newer notice carries ours too
            message.pending.setdefault(cid, set()).update(what)
        return True


class ReceiverStateChanged(Message):
    """The receiver's connection state; only the newest matters."""

    bubble = False  # for the main screen only

    def __init__(self, state: ReceiverState) -> None:
        super().__init__()
        self.state = state

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ReceiverStateChanged)


class TypingChanged(Message):
    """Someone started or stopped typing in a conversation."""

    bubble = False  # for the main screen only

    def __init__(self, conversation_id: int, recipient_id: int, started: bool) -> None:
        super().__init__()
        self.conversation_id = conversation_id
        self.recipient_id = recipient_id
        self.started = started

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(message, TypingChanged)
            and message.conversation_id == self.conversation_id
            and message.recipient_id == self.recipient_id
        )


class MessagesArrived(Message):
    """New messages, already on disk (toasts, bell, desktop notifications)."""

    bubble = False  # for the main screen only

    def __init__(self, messages: list[StoredMessage]) -> None:
        super().__init__()
        self.messages = messages


class WorkerFailed(Message):
    """A worker of a widget or screen failed. Bubbles up to the App, the one place failures
    are told to the user (Worker.StateChanged itself does not bubble)."""

    def __init__(self, error: BaseException | None) -> None:
        super().__init__()
        self.error = error


def forward_failure(node: MessagePump, event: Worker.StateChanged) -> None:
    """For `on_worker_state_changed`: turn a failed worker into a bubbling WorkerFailed."""
    if event.state == WorkerState.ERROR:
        node.post_message(WorkerFailed(event.worker.error))
