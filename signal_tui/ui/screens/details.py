"""Everything known about one message: times, author, receipts, edit history, files, raw envelope."""

from __future__ import annotations

import json
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Collapsible, Static

from signal_tui.store.models import MessageDetails
from signal_tui.text import clean, one_line


def format_ts(ms: int | None) -> str:
    """Local date and time with seconds (details are for when exactness matters), or '—'."""
    if not ms:
        return "—"
    return datetime.fromtimestamp(ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


def format_size(size: int | None) -> str:
    """Human size: 999 B, 1.5 KB, 12.3 MB."""
    if size is None:
        return "size unknown"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


def _field(text: Text, label: str, value: object) -> None:
    text.append(f"{label:<11}", style="bold")
    text.append(one_line(value))
    text.append("\n")


def details_text(details: MessageDetails) -> Text:
    """The summary part of the screen as one Text (untrusted parts cleaned, never markup)."""
    m = details.message
    out = Text(end="")
    _field(out, "Author", m.author_name)
    _field(out, "Sent", format_ts(m.sent_ts))
    _field(out, "Received", format_ts(m.received_ts))
    if m.outgoing:
        _field(out, "Status", m.status or "—")
    if m.error:
        _field(out, "Problem", m.error)
    if m.expires_in:
        expiry = f"{m.expires_in} s" + (f", at {format_ts(m.expires_at)}" if m.expires_at else "")
        _field(out, "Disappears", expiry)
    if m.sticker:
        _field(out, "Sticker", m.sticker)
    _field(out, "Signal id", f"{m.sent_ts} (author + sent timestamp)")
    out.append("\n")
    out.append("Message\n", style="bold underline")
    if m.deleted:
        out.append("This message was deleted\n", style="italic")
    else:
        out.append(clean(m.body or "(no text)") + "\n")
    if m.reactions:
        out.append("\nReactions\n", style="bold underline")
        for r in m.reactions:
            out.append(f"{one_line(r.emoji)}  {one_line(r.author_name)}  {format_ts(r.ts)}\n")
    out.append("\nReceipts\n", style="bold underline")
    if details.receipts:
        for receipt in details.receipts:
            out.append(f"{one_line(receipt.name, 30):<32}", style="bold")
            out.append(f"{receipt.status:<10}{format_ts(receipt.ts)}\n")
    else:
        out.append("none yet\n" if m.outgoing else "not tracked for received messages\n", "dim")
    if details.edits:
        out.append("\nEdit history (oldest first)\n", style="bold underline")
        for edit in details.edits:
            out.append(format_ts(edit.ts) + "  ", style="dim")
            out.append(one_line(edit.body) + "\n")
        out.append("now".ljust(21), style="dim")
        out.append(one_line(m.body or "") + "\n")
    if m.attachments:
        out.append("\nAttachments\n", style="bold underline")
        for a in m.attachments:
            out.append(one_line(a.filename), style="bold")
            out.append(f"  {one_line(a.content_type)}, {format_size(a.size)}, {a.state}\n")
            if a.caption:
                out.append("  caption: " + one_line(a.caption) + "\n")
            out.append("  " + (one_line(a.local_path) if a.local_path else "not downloaded") + "\n")
    return out


def pretty_envelope(raw: str | None) -> str:
    """The stored envelope JSON indented for reading (as is if it is not valid JSON), cleaned."""
    if not raw:
        return "(not stored)"
    try:
        raw = json.dumps(json.loads(raw), indent=2, ensure_ascii=False, sort_keys=True)
    except ValueError:
        pass
    return clean(raw)


class MessageDetailsScreen(ModalScreen[None]):
    """Read-only details; Esc or q closes. The raw envelope starts collapsed."""

    DEFAULT_CSS = """
    MessageDetailsScreen { align: center middle; }
    MessageDetailsScreen > #details-dialog {
        width: 90%; max-width: 110; height: 90%;
        border: thick $primary; background: $surface; border-title-align: center;
    }
    MessageDetailsScreen #details-body { height: auto; padding: 0 1; }
    MessageDetailsScreen #details-raw { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, details: MessageDetails) -> None:
        super().__init__()
        self.details = details

    def compose(self) -> ComposeResult:
        with Vertical(id="details-dialog") as dialog:
            dialog.border_title = "Message details"
            with VerticalScroll(id="details-scroll"):
                yield Static(details_text(self.details), id="details-body", markup=False)
                with Collapsible(title="Raw envelope", collapsed=True, id="details-raw"):
                    yield Static(
                        Text(pretty_envelope(self.details.raw_envelope), end=""),
                        id="details-raw-text",
                        markup=False,
                    )

    def on_mount(self) -> None:
        self.query_one("#details-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
