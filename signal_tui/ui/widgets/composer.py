"""Compose pane: multi-line TextArea, attachment chips, reply/edit bar, '@' mention completion.

Enter sends; ctrl+j (or shift+enter where the terminal reports it) inserts a newline; ctrl+e opens
$EDITOR. The composer only collects what the user wants to send and posts `Composer.Submitted`;
the screen turns that into Messenger calls. Mentions are kept as (visible "@Name", address) pairs
while editing and converted to U+FFFC placeholders with UTF-16 offsets only when sending.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message as TMessage
from textual.widgets import Button, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from signal_tui.store.models import Message
from signal_tui.text import one_line, utf16_len
from signal_tui.ui.widgets.render import OBJECT_REPLACEMENT, format_size

TYPING_EVERY = 5.0  # seconds between repeated "typing started" indicators
TYPING_IDLE = 6.0  # seconds of no keystrokes before "typing stopped"


def encode_mentions(
    text: str, mentions: list[tuple[str, str]]
) -> tuple[str, list[tuple[int, int, str]]]:
    """Replace each '@Name' of `mentions` [(label, address)] by U+FFFC; return text and ranges.

    Ranges are (start, 1, address) in UTF-16 code units, as the Signal API expects. Labels that
    the user deleted from the text are simply not mentioned.
    """
    out: list[str] = []
    ranges: list[tuple[int, int, str]] = []
    pos16 = 0
    i = 0
    ordered = sorted(mentions, key=lambda m: -len(m[0]))
    while i < len(text):
        for label, address in ordered:
            if label and text.startswith(label, i):
                out.append(OBJECT_REPLACEMENT)
                ranges.append((pos16, 1, address))
                pos16 += 1
                i += len(label)
                break
        else:
            out.append(text[i])
            pos16 += utf16_len(text[i])
            i += 1
    return "".join(out), ranges


# keys that change the text; others (ctrl+q, the app's bindings, arrows) are never held back
_EDIT_KEYS = frozenset({"enter", "backspace", "delete", "ctrl+j", "shift+enter", "alt+enter"})


class MessageInput(TextArea):
    """TextArea where Enter submits and ctrl+j / shift+enter inserts a newline."""

    class Send(TMessage):
        pass

    async def _on_key(self, event: events.Key) -> None:
        composer = next((a for a in self.ancestors if isinstance(a, Composer)), None)
        if (
            composer is not None
            and (event.is_printable or event.key in _EDIT_KEYS)
            and composer.hold(events.Key(event.key, event.character))
        ):
            event.stop()  # typed while the last message is being stored: replayed after it
            event.prevent_default()
            return
        if composer is not None and composer.menu_key(event.key):
            event.stop()
            event.prevent_default()
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            if composer is not None:
                composer.submit()  # at once, so the next key already sees it submitting
            else:
                self.post_message(self.Send())
            return
        if event.key in ("ctrl+j", "shift+enter", "alt+enter"):
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)

    async def _on_paste(self, event: events.Paste) -> None:
        composer = next((a for a in self.ancestors if isinstance(a, Composer)), None)
        if composer is not None and composer.hold(events.Paste(event.text)):
            event.stop()
            event.prevent_default()
            return
        if composer is not None and composer.paste_attaches(event.text):
            event.stop()
            event.prevent_default()
            return
        await super()._on_paste(event)


@dataclass
class Draft:
    text: str
    attachments: list[Path] = field(default_factory=list)
    quote: Message | None = None
    edit: Message | None = None
    mentions: list[tuple[int, int, str]] = field(default_factory=list)


class Composer(Vertical):
    """The compose pane. Attributes down (members, conversation), messages up (Submitted)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel reply/edit", show=False),
        Binding("ctrl+j", "newline", "Newline"),  # handled by MessageInput; listed for the footer
        # priority: TextArea binds ctrl+a/ctrl+e to line start/end (Home/End still do that)
        Binding("ctrl+a", "attach", "Attach", priority=True),
        Binding("ctrl+e", "editor", "$EDITOR", priority=True),
    ]

    DEFAULT_CSS = """
    Composer { height: auto; max-height: 16; border-top: solid $panel-lighten-2; }
    Composer:focus-within { border-top: solid $primary; }
    Composer #bar { height: auto; color: $text-muted; display: none; padding: 0 1; }
    Composer #chips { height: auto; display: none; }
    Composer #chips Button { min-width: 8; height: 1; border: none; margin: 0 1 0 0; }
    Composer > MessageInput, Composer > MessageInput:focus {
        height: auto; min-height: 1; max-height: 10; border: none; padding: 0 1;
    }
    Composer #mentions { display: none; max-height: 6; }
    """

    class Submitted(TMessage):
        def __init__(self, draft: Draft) -> None:
            super().__init__()
            self.draft = draft

    class Typing(TMessage):
        def __init__(self, started: bool) -> None:
            super().__init__()
            self.started = started

    class AttachRequested(TMessage):
        pass

    class Edited(TMessage):
        """The user changed the text (the screen keeps it as the chat's draft)."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Cancelled(TMessage):
        """Esc with nothing to cancel: the screen moves focus back."""

    def __init__(self, *, steady: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.steady = steady  # no cursor blink (snapshots)
        self.attachments: list[Path] = []
        self.quote: Message | None = None
        self.editing: Message | None = None
        self.members: list[tuple[str, str]] = []  # (display name, address) for '@' completion
        self.mentions: list[tuple[str, str]] = []  # (visible label, address)
        self.scratch_dir: Path | None = None
        self.submitting: Draft | None = None  # posted, not yet stored
        self._held: list[events.Key | events.Paste] = []  # typed while submitting
        self._restored: str | None = None  # text put back from a stored draft
        self._typing_sent = 0.0
        self._typing_timer: Any = None

    def compose(self) -> ComposeResult:
        yield Static(id="bar", markup=False)
        yield Horizontal(id="chips")
        yield OptionList(id="mentions")
        area = MessageInput(id="input", soft_wrap=True, show_line_numbers=False)
        area.cursor_blink = not self.steady
        yield area

    @property
    def input(self) -> MessageInput:
        return self.query_one(MessageInput)

    @property
    def text(self) -> str:
        return self.input.text

    def focus_input(self) -> None:
        self.input.focus()

    # --- reply / edit ----------------------------------------------------------------------
    def set_reply(self, message: Message | None) -> None:
        self.quote, self.editing = message, None
        self._update_bar()
        self.focus_input()

    def set_edit(self, message: Message) -> None:
        self.editing, self.quote = message, None
        self.input.text = message.body or ""
        self.input.move_cursor(self.input.document.end)
        self._update_bar()
        self.focus_input()

    def _update_bar(self) -> None:
        bar = self.query_one("#bar", Static)
        if self.quote is not None:
            text = Text("↩ Replying to ", end="")
            text.append(one_line(self.quote.author_name, 40), "bold")
            text.append(": " + one_line(self.quote.body or "(attachment)", 80))
            text.append("   esc cancels", "italic")
        elif self.editing is not None:
            text = Text("✎ Editing your message   esc cancels", end="")
        else:
            bar.display = False
            return
        bar.update(text)
        bar.display = True

    def action_cancel(self) -> None:
        if self.query_one("#mentions", OptionList).display:
            self.query_one("#mentions", OptionList).display = False
            return
        if self.quote is not None or self.editing is not None:
            if self.editing is not None:
                self.input.text = ""
            self.quote = self.editing = None
            self._update_bar()
            return
        self.post_message(self.Cancelled())

    # --- attachments -----------------------------------------------------------------------
    def add_attachments(self, paths: list[Path]) -> None:
        for p in paths:
            if p.is_file() and p not in self.attachments:
                self.attachments.append(p)
        self._update_chips()

    def remove_attachment(self, index: int) -> None:
        if 0 <= index < len(self.attachments):
            del self.attachments[index]
        self._update_chips()

    def _update_chips(self) -> None:
        chips = self.query_one("#chips", Horizontal)
        chips.remove_children()
        for i, p in enumerate(self.attachments):
            try:
                size = format_size(p.stat().st_size)
            except OSError:
                size = "?"
            label = Text(f"📎 {one_line(p.name, 30)} · {size} ✕", end="")
            chips.mount(Button(label, id=f"chip-{i}", tooltip="Remove this attachment"))
        chips.display = bool(self.attachments)

    @on(Button.Pressed, "#chips Button")
    def handle_chip_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.remove_attachment(int((event.button.id or "chip-0").split("-")[1]))

    def action_newline(self) -> None:
        self.input.insert("\n")

    def action_attach(self) -> None:
        self.post_message(self.AttachRequested())

    def paste_attaches(self, text: str) -> bool:
        """A pasted path to an existing file attaches it instead of inserting the text."""
        candidate = text.strip().strip("'\"")
        if candidate and "\n" not in candidate and len(candidate) < 4096:
            path = Path(candidate).expanduser()
            try:
                is_file = path.is_absolute() and path.is_file()
            except OSError:
                is_file = False
            if is_file:
                self.add_attachments([path])
                return True
        return False

    # --- editor ----------------------------------------------------------------------------
    def action_editor(self) -> None:
        import os
        import shlex
        import subprocess

        from signal_tui.files import private_dir, write_private

        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        folder = private_dir((self.scratch_dir or Path.cwd()) / "drafts")
        path = folder / "message.txt"
        write_private(path, self.text.encode("utf-8"))
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(editor), str(path)], check=False)
            self.input.text = path.read_text(encoding="utf-8").rstrip("\n")
        except Exception as exc:
            self.app.notify(f"Could not run the editor: {exc}", severity="error", markup=False)
        finally:
            path.unlink(missing_ok=True)
        self.focus_input()

    # --- sending ---------------------------------------------------------------------------
    @on(MessageInput.Send)
    def handle_send(self, event: MessageInput.Send) -> None:
        event.stop()
        self.submit()

    def hold(self, event: events.Key | events.Paste) -> bool:
        """While a message is being stored, keep what the user types (in order) for after it:
        nothing typed in that moment is dropped, and an Enter then is not a second send of it."""
        if self.submitting is None:
            return False
        self._held.append(event)
        return True

    def _replay(self) -> None:
        held, self._held = self._held, []
        for event in held:
            self.input.post_message(event)

    def submit(self) -> None:
        if self.submitting is not None:
            return
        menu = self.query_one("#mentions", OptionList)
        if menu.display and menu.highlighted is not None:
            self._complete(menu.highlighted)
            return
        raw = self.text.rstrip()
        if not raw.strip() and not self.attachments:
            return
        body, ranges = encode_mentions(raw, self.mentions)
        draft = Draft(body, list(self.attachments), self.quote, self.editing, ranges)
        # the text stays until the screen says it is in the outbox on disk (`sent`): a quit
        # or a crash in between must not lose what the user wrote
        self.submitting = draft
        self.input.read_only = True
        self.post_message(self.Submitted(draft))

    def restore(self, text: str) -> None:
        """Put a chat's stored draft back (no typing indicator, no Edited for it)."""
        self._restored = text
        self.input.text = text
        self.input.move_cursor(self.input.document.end)

    def sent(self, draft: Draft) -> None:
        """`draft` is stored (queued in the outbox): now the composer may forget it."""
        if self.submitting is draft:
            self.submitting = None
            self.input.read_only = False
            self.clear()
            self._replay()

    def not_sent(self, draft: Draft) -> None:
        """Storing `draft` failed: keep the text for the user to fix or retry."""
        if self.submitting is draft:
            self.submitting = None
            self.input.read_only = False
            self._replay()

    def clear(self) -> None:
        self._restored = ""  # emptying the composer is not the user editing
        self.input.text = ""
        self.attachments.clear()
        self.mentions.clear()
        self.quote = self.editing = None
        self._update_bar()
        self._update_chips()
        if self._typing_sent:
            self._typing_sent = 0.0
            self.post_message(self.Typing(False))

    # --- typing indicator and '@' completion ------------------------------------------------
    @on(TextArea.Changed)
    def handle_changed(self, event: TextArea.Changed) -> None:
        if self.text == self._restored:  # a draft put back is not the user typing
            return
        self._restored = None
        self.post_message(self.Edited(self.text))
        now = time.monotonic()
        if self.text and now - self._typing_sent > TYPING_EVERY:
            self._typing_sent = now
            self.post_message(self.Typing(True))
        if self._typing_timer is not None:
            self._typing_timer.stop()
        self._typing_timer = self.set_timer(TYPING_IDLE, self._typing_idle)
        self._update_mention_menu()

    def _typing_idle(self) -> None:
        if self._typing_sent:
            self._typing_sent = 0.0
            self.post_message(self.Typing(False))

    def _mention_query(self) -> str | None:
        row, col = self.input.cursor_location
        line = self.input.document.get_line(row)[:col]
        at = line.rfind("@")
        if at < 0 or (at > 0 and not line[at - 1].isspace()):
            return None
        query = line[at + 1 :]
        return None if len(query) > 30 or "\n" in query else query

    def _update_mention_menu(self) -> None:
        menu = self.query_one("#mentions", OptionList)
        query = self._mention_query() if self.members else None
        if query is None:
            menu.display = False
            return
        hits = [(n, a) for n, a in self.members if query.casefold() in n.casefold()][:8]
        menu.clear_options()
        for name, address in hits:
            menu.add_option(Option(Text(one_line(name, 40), end=""), id=address))
        menu.display = bool(hits)
        if hits:
            menu.highlighted = 0

    def _complete(self, index: int) -> None:
        menu = self.query_one("#mentions", OptionList)
        option = menu.get_option_at_index(index)
        name = next((n for n, a in self.members if a == option.id), "someone")
        label = "@" + one_line(name, 40)
        query = self._mention_query() or ""
        row, col = self.input.cursor_location
        start = (row, col - len(query) - 1)
        self.input.replace(label + " ", start, (row, col))
        self.mentions.append((label, option.id or ""))
        menu.display = False

    @on(OptionList.OptionSelected, "#mentions")
    def handle_mention_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._complete(event.option_index)
        self.focus_input()

    def menu_key(self, key: str) -> bool:
        """Up/down/tab move in the open '@' menu; True when the key was used."""
        menu = self.query_one("#mentions", OptionList)
        if not menu.display or key not in ("up", "down", "tab"):
            return False
        count = menu.option_count
        if count:
            step = -1 if key == "up" else 1
            menu.highlighted = ((menu.highlighted or 0) + step) % count
        return True
