"""Message actions of the main screen (a mixin): reply, react, edit, delete, copy, details,
retry, trust and resend, open/save attachments, reveal spoilers, send to several contacts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work

from signal_tui.store.models import Conversation, Message
from signal_tui.text import plain_line
from signal_tui.ui.widgets.render import find_links

if TYPE_CHECKING:
    from textual.app import App

    from signal_tui.core.messenger import Messenger
    from signal_tui.core.session import Session
    from signal_tui.store import Store
    from signal_tui.ui.widgets.composer import Composer
    from signal_tui.ui.widgets.history import History


def open_with_system(path: Path | str) -> bool:
    """Open a file or a URL with the desktop's opener (xdg-open / open); False when there is
    none."""
    import shutil
    import subprocess
    import sys

    opener = "open" if sys.platform == "darwin" else "xdg-open"
    exe = shutil.which(opener)
    if exe is None:
        return False
    try:
        subprocess.Popen([exe, str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        return False
    return True


class MainActions:
    """Mixed into MainScreen; uses its `store`, `messenger`, `composer`, `history`, `app` and
    `notify` (no stubs here: a stub would shadow the Screen's own methods in the MRO)."""

    if TYPE_CHECKING:
        app: App[object]
        store: Store
        messenger: Messenger
        composer: Composer
        history: History
        conversation: Conversation | None
        session: Session

        def notify(self, message: str, **kwargs: Any) -> None: ...

    def message_actions(self, message: Message) -> None:
        from signal_tui.ui.screens.message_actions import MessageActions

        def done(action: str | None) -> None:
            if action:
                self.run_action_on(message, action)

        self.app.push_screen(MessageActions(message, message.outgoing), done)

    def run_action_on(self, message: Message, action: str) -> None:
        """Perform a MessageActions result; async ones run in workers."""
        if action == "reply":
            self.composer.set_reply(message)
        elif action == "edit":
            self.composer.set_edit(message)
        elif action == "react":
            from signal_tui.ui.screens.emoji import EmojiPicker

            def chosen(emoji: str | None) -> None:
                if emoji:
                    self.act("react", message, emoji)

            self.app.push_screen(EmojiPicker(), chosen)
        elif action == "copy":
            self.app.copy_to_clipboard(message.body or "")
            self.notify("Copied.", markup=False)
        elif action == "details":
            self.show_details(message.id)
        elif action == "reveal_spoiler":
            self.history.revealed.add(message.id)
            self.history.update_message(message)
        elif action in ("delete_everyone", "delete_me"):
            from signal_tui.ui.dialogs.confirm import ConfirmScreen

            question = (
                "Delete this message for everyone?"
                if action == "delete_everyone"
                else "Delete this message on this device only?"
            )

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.act(action, message)

            self.app.push_screen(ConfirmScreen(question, yes="Delete"), confirmed)
        elif action == "save_attachment":
            from signal_tui.ui.dialogs.prompt import PromptScreen

            def folder_chosen(folder: str | None) -> None:
                if folder:
                    self.act("save_attachment", message, folder)

            default = str(Path.home() / "Downloads")
            self.app.push_screen(
                PromptScreen("Save the attachment to which folder?", default), folder_chosen
            )
        elif action == "open_attachment":
            self.act("open_attachment", message)
        elif action == "open_link":
            self.open_links(message)
        elif action == "forward":
            from signal_tui.ui.screens.forward import ForwardPicker

            def chosen(conversation_id: int | None) -> None:
                if conversation_id is not None:
                    self.forward(message, conversation_id)

            self.app.push_screen(ForwardPicker(self.store, exclude=message.conversation_id), chosen)
        elif action == "vote" and message.poll is not None:
            from signal_tui.ui.screens.poll import PollVoteScreen

            def voted(indexes: list[int] | None) -> None:
                if indexes:
                    self.vote(message, indexes)

            self.app.push_screen(PollVoteScreen(message.poll), voted)
        else:
            self.act(action, message)

    @work(group="action", exit_on_error=False)
    async def act(self, action: str, message: Message, arg: str = "") -> None:
        m = self.messenger
        if action == "react":
            await m.react(message, arg)
        elif action == "delete_everyone":
            await m.delete_for_everyone(message)
        elif action == "delete_me":
            await m.delete_for_me(message)
        elif action == "retry":
            await m.retry(message)
        elif action == "trust_resend":
            await m.trust_and_resend(message)
        elif action in ("save_attachment", "open_attachment") and message.attachments:
            att = message.attachments[0]
            if action == "save_attachment":
                target = await m.save_attachment(att.id, Path(arg or Path.home() / "Downloads"))
                self.notify(f"Saved to {target}", markup=False)
            else:
                path = await m.download(att.id)
                if not open_with_system(path):
                    self.notify(f"Downloaded to {path} (no opener found)", markup=False)
        await self.history.reload()

    def open_links(self, message: Message) -> None:
        """Open the message's link in the browser; with several, pick one first."""
        links = list(dict.fromkeys(url for _a, _b, url in find_links(message.body or "")))
        if not links:
            self.notify("That message has no link.", markup=False)
            return

        def chosen(url: str | None) -> None:
            if url is None:
                return
            if open_with_system(url):
                self.notify(f"Opening {plain_line(url, 80)}", markup=False)
            else:
                self.app.copy_to_clipboard(url)
                self.notify(f"No browser opener found; copied {plain_line(url, 80)}", markup=False)

        if len(links) == 1:
            chosen(links[0])
            return
        from signal_tui.ui.screens.links import LinkPicker

        self.app.push_screen(LinkPicker(links), chosen)

    @work(group="send", exit_on_error=False)
    async def forward(self, message: Message, conversation_id: int) -> None:
        await self.messenger.forward(message, conversation_id)
        conv = await self.store.get_conversation(conversation_id)
        name = conv.title if conv is not None else "the chat"
        self.notify(f"Forwarded to {plain_line(name, 40)}.", markup=False)

    @work(group="action", exit_on_error=False)
    async def vote(self, message: Message, indexes: list[int]) -> None:
        await self.messenger.vote(message, indexes)
        self.notify("Vote sent.", markup=False)
        await self.history.reload()

    def action_new_poll(self) -> None:
        """Ask a question in the open chat: answers one per line, one or several may be picked."""
        conversation = self.conversation
        if conversation is None:
            self.notify("Open a conversation first.", markup=False)
            return
        from signal_tui.ui.screens.poll import PollCreateScreen

        def written(poll: tuple[str, list[str], bool] | None) -> None:
            if poll is not None:
                self.create_poll(conversation.id, *poll)

        self.app.push_screen(PollCreateScreen(), written)

    @work(group="send", exit_on_error=False)
    async def create_poll(
        self, conversation_id: int, question: str, answers: list[str], multi: bool
    ) -> None:
        await self.messenger.create_poll(conversation_id, question, answers, allow_multiple=multi)
        await self.history.show_newest()

    @work(group="action", exit_on_error=False)
    async def action_sticker(self) -> None:
        """Send a sticker from an installed pack into the open chat."""
        conversation = self.conversation
        if conversation is None:
            self.notify("Open a conversation first.", markup=False)
            return
        packs = await self.messenger.sticker_packs()
        if not packs:
            self.notify("No sticker packs are installed on the server.", markup=False)
            return
        from signal_tui.ui.screens.stickers import StickerPicker

        def chosen(pick: tuple[str, int] | None) -> None:
            if pick is not None:
                self.send_sticker(conversation.id, *pick)

        self.app.push_screen(StickerPicker(packs), chosen)

    @work(group="send", exit_on_error=False)
    async def send_sticker(self, conversation_id: int, pack_id: str, sticker_id: int) -> None:
        await self.messenger.send_sticker(conversation_id, pack_id, sticker_id)
        await self.history.show_newest()

    def action_disappearing(self) -> None:
        """Set the open chat's disappearing-messages timer (1:1 chats and groups alike)."""
        conversation = self.conversation
        if conversation is None:
            self.notify("Open a conversation first.", markup=False)
            return
        from signal_tui.ui.screens.timer import TimerScreen

        def chosen(seconds: int | None) -> None:
            if seconds is not None and seconds != conversation.expiry_seconds:
                self.set_timer_for(conversation, seconds)

        self.app.push_screen(TimerScreen(conversation.expiry_seconds), chosen)

    @work(group="action", exit_on_error=False)
    async def set_timer_for(self, conversation: Conversation, seconds: int) -> None:
        from signal_tui.ui.screens.admin.base import format_timer

        if conversation.kind == "group":
            await self.session.admin.set_group_timer(conversation.address, seconds)
        else:
            await self.messenger.set_direct_timer(conversation.id, seconds)
        self.notify(f"Disappearing messages: {format_timer(seconds)}.", markup=False)

    @work(group="details", exit_on_error=False)
    async def show_details(self, message_id: int) -> None:
        from signal_tui.ui.screens.details import MessageDetailsScreen

        details = await self.store.message_details(message_id)
        self.app.push_screen(MessageDetailsScreen(details))

    def action_send_to_many(self) -> None:
        """Pick several contacts, write one message, one send; results land in each chat."""
        from signal_tui.ui.dialogs.prompt import PromptScreen
        from signal_tui.ui.screens.recipients import RecipientPicker

        def picked(addresses: list[str] | None) -> None:
            if not addresses:
                return

            def written(text: str | None) -> None:
                if text and text.strip():
                    self.send_many(list(addresses), text)

            self.app.push_screen(PromptScreen(f"Message to {len(addresses)} contacts:"), written)

        self.app.push_screen(RecipientPicker(self.store), picked)

    @work(group="send", exit_on_error=False)
    async def send_many(self, addresses: list[str], text: str) -> None:
        sent = await self.messenger.send_to_many(addresses, text)
        self.notify(f"Sent to {len(sent)} conversations.", markup=False)
