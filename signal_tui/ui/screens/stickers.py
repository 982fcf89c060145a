"""Send a sticker from a pack installed on the server: pick the pack, type the sticker's number.

signal-cli-rest-api lists packs (id, title, author) but serves no sticker images, so stickers
are chosen by their number in the pack (0, 1, 2 …). Titles come from other people: Text only.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from signal_tui.core.messenger import StickerPack
from signal_tui.text import safe_line


class StickerPicker(ModalScreen[tuple[str, int] | None]):
    """Dismisses (pack id, sticker number), or None."""

    DEFAULT_CSS = """
    StickerPicker { align: center middle; }
    StickerPicker > Vertical {
        width: 70; max-width: 95%; height: auto; padding: 1 2;
        border: thick $primary; background: $surface;
    }
    StickerPicker OptionList { height: auto; max-height: 10; }
    StickerPicker #sticker-error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, packs: list[StickerPack]) -> None:
        super().__init__()
        self.packs = packs

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Send a sticker: pick a pack, then its number (Enter)", markup=False)
            options = []
            for pack in self.packs:
                label = safe_line(pack.title or pack.pack_id, limit=40)
                if pack.author:
                    label.append("  by ", style="dim")
                    label.append_text(safe_line(pack.author, style="dim", limit=30))
                options.append(Option(label))
            yield OptionList(*options, id="sticker-packs")
            yield Input(placeholder="Sticker number in the pack: 0, 1, 2 …", id="sticker-number")
            yield Static("", id="sticker-error", markup=False)

    def on_mount(self) -> None:
        packs = self.query_one(OptionList)
        packs.highlighted = 0
        packs.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.query_one("#sticker-number", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        index = self.query_one(OptionList).highlighted
        value = event.value.strip()
        if index is None or not value.isdigit():
            self.query_one("#sticker-error", Static).update("Type the sticker's number: 0, 1, 2 …")
            return
        self.dismiss((self.packs[index].pack_id, int(value)))

    def action_cancel(self) -> None:
        self.dismiss(None)
