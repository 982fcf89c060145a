"""Choose files to attach: a path input with tab completion, a directory tree, size and thumbnail."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DirectoryTree, Input, OptionList, Static
from textual.widgets.option_list import Option

from signal_tui.text import one_line
from signal_tui.ui.screens.details import format_size
from signal_tui.ui.widgets.image_preview import ImagePreview

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp"}


def complete_path(text: str, base: Path) -> tuple[str, list[str]]:
    """Shell-like completion of the last path component of `text`.

    Relative paths are read against `base` (the picker passes the working directory, like a shell); "~" is expanded for listing but kept in the text.
    Returns the completed text (always `text` extended, never shortened) and the matching names
    (directories with a trailing "/"). Hidden entries only match when the prefix starts with ".".
    """
    if text == "~":
        return "~/", []
    cut = text.rfind("/") + 1
    head, prefix = text[:cut], text[cut:]
    folder = Path(os.path.expanduser(head)) if head else Path()
    if not folder.is_absolute():
        folder = base / folder
    try:
        entries = sorted(
            (e for e in os.scandir(folder) if e.name.startswith(prefix)),
            key=lambda e: e.name,
        )
    except OSError:
        return text, []
    if not prefix.startswith("."):
        entries = [e for e in entries if not e.name.startswith(".")]
    if not entries:
        return text, []
    names = [e.name + ("/" if _is_dir(e) else "") for e in entries]
    common = os.path.commonprefix([e.name for e in entries])  # noqa: RUF071 (chars wanted)
    completed = head + common
    if len(entries) == 1 and _is_dir(entries[0]):
        completed += "/"
    return completed, names


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def resolve_input(text: str, base: Path) -> Path:
    """The path the user typed: ~ expanded, relative to `base`."""
    path = Path(os.path.expanduser(text.strip()))
    return path if path.is_absolute() else base / path


def file_label(path: Path) -> Text:
    """A chip for a chosen file: name and size (names from disk may hold control characters)."""
    try:
        size = format_size(path.stat().st_size)
    except OSError:
        size = "missing"
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append("📎 " + one_line(path.name), style="bold")
    text.append(f"  {size}", style="dim")
    return text


class PathInput(Input):
    """An Input where tab completes a path instead of moving focus."""

    BINDINGS = [Binding("tab", "complete", "Complete", show=False)]

    class Completed(Input.Changed):
        """Posted after a tab completion (value is the completed text)."""

    def __init__(self, base: Path, **kwargs: object) -> None:
        kwargs.setdefault("select_on_focus", False)  # typing continues the path, not replaces it
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.base = base
        self.candidates: list[str] = []

    def action_complete(self) -> None:
        completed, self.candidates = complete_path(self.value, self.base)
        self.value = completed
        self.cursor_position = len(completed)
        self.post_message(self.Completed(self, completed))


class AttachmentTree(DirectoryTree):
    """Directory tree without hidden files, with file names cleaned of control characters."""

    def process_label(self, label: str | Text) -> Text:
        return Text(one_line(label.plain if isinstance(label, Text) else label), end="")

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        return [path for path in paths if not path.name.startswith(".")]


class AttachmentPicker(ModalScreen[list[Path] | None]):
    """Pick one or more files; dismiss with their paths (ctrl+s / Attach) or None (Esc).

    Enter on a file (tree or input) adds it, or removes it when already chosen; Enter on a
    directory in the input opens it in the tree. Delete removes the highlighted chosen file.
    """

    DEFAULT_CSS = """
    AttachmentPicker { align: center middle; }
    AttachmentPicker > #att-dialog {
        width: 95%; max-width: 120; height: 95%;
        border: thick $primary; background: $surface; border-title-align: center;
    }
    AttachmentPicker #att-main { height: 1fr; }
    AttachmentPicker #att-tree { width: 1fr; height: 1fr; }
    AttachmentPicker #att-side { width: 32; height: 1fr; padding: 0 1; }
    AttachmentPicker #att-info { height: auto; }
    AttachmentPicker #att-hint { color: $text-muted; height: auto; max-height: 2; padding: 0 1; }
    AttachmentPicker #att-chosen { height: auto; max-height: 4; border: none; }
    AttachmentPicker #att-buttons { height: auto; align-horizontal: right; }
    AttachmentPicker #att-buttons Button { margin-left: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "done", "Attach"),
        Binding("delete", "remove", "Remove chosen", show=False),
    ]

    def __init__(self, start: Path) -> None:
        super().__init__()
        start = Path(os.path.expanduser(start))
        self.folder = start if start.is_dir() else start.parent  # shown in the tree
        # what the input shows is read like a shell reads it: relative to the working directory
        self.base = Path.cwd()
        self.chosen: list[Path] = []
        self._initial = str(start) + ("/" if start.is_dir() and str(start) != "/" else "")

    def compose(self) -> ComposeResult:
        with Vertical(id="att-dialog") as dialog:
            dialog.border_title = "Attach files"
            yield PathInput(self.base, value=self._initial, id="att-path")
            yield Static(
                "Tab completes · Enter adds · ctrl+s attaches", id="att-hint", markup=False
            )
            with Horizontal(id="att-main"):
                yield AttachmentTree(self.folder, id="att-tree")
                with Vertical(id="att-side"):
                    yield Static("", id="att-info", markup=False)
                    yield ImagePreview(None, max_height=8, id="att-preview")
            yield OptionList(id="att-chosen")
            with Horizontal(id="att-buttons"):
                yield Button("Cancel", id="att-cancel")
                yield Button("Attach", id="att-done", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#att-path", PathInput).focus()
        self._refresh_chosen()

    # -- input -------------------------------------------------------------------------------
    def on_path_input_completed(self, event: PathInput.Completed) -> None:
        event.stop()
        candidates = event.input.candidates if isinstance(event.input, PathInput) else []
        hint = self.query_one("#att-hint", Static)
        if len(candidates) > 1:
            hint.update(Text("  ".join(one_line(c) for c in candidates[:40]), end=""))
        elif not candidates:
            hint.update("No match")
        else:
            hint.update("")
        self._show_info(resolve_input(event.value, self.base))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = resolve_input(event.value, self.base)
        if path.is_dir():
            self.query_one("#att-tree", AttachmentTree).path = path
        elif path.is_file():
            self._toggle(path)
        else:
            self.query_one("#att-hint", Static).update(
                Text(f"No such file: {one_line(event.value, 60)}", end="")
            )

    # -- tree --------------------------------------------------------------------------------
    def on_directory_tree_file_selected(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        self._toggle(event.path)

    def on_tree_node_highlighted(self, event: DirectoryTree.NodeHighlighted) -> None:  # type: ignore[type-arg]
        event.stop()
        data = event.node.data
        if data is not None:
            self._show_info(data.path)

    def _show_info(self, path: Path) -> None:
        info = Text(end="")
        info.append(one_line(path.name or str(path), 40) + "\n", style="bold")
        try:
            stat = path.stat()
            info.append("folder" if path.is_dir() else format_size(stat.st_size))
        except OSError:
            info.append("not found", style="dim")
        if path in self.chosen:
            info.append("\nchosen", style="italic")
        self.query_one("#att-info", Static).update(info)
        preview = self.query_one("#att-preview", ImagePreview)
        is_image = path.suffix.lower() in IMAGE_SUFFIXES and path.is_file()
        preview.path = path if is_image else None

    # -- chosen ------------------------------------------------------------------------------
    def _toggle(self, path: Path) -> None:
        path = path.resolve() if path.exists() else path
        if path in self.chosen:
            self.chosen.remove(path)
        else:
            self.chosen.append(path)
        self._refresh_chosen()
        self._show_info(path)

    def _refresh_chosen(self) -> None:
        chosen = self.query_one("#att-chosen", OptionList)
        chosen.set_options(Option(file_label(p)) for p in self.chosen)
        chosen.display = bool(self.chosen)
        done = self.query_one("#att-done", Button)
        done.label = f"Attach {len(self.chosen)}" if self.chosen else "Attach"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.chosen.pop(event.option_index)
        self._refresh_chosen()

    def action_remove(self) -> None:
        chosen = self.query_one("#att-chosen", OptionList)
        if chosen.has_focus and chosen.highlighted is not None and self.chosen:
            self.chosen.pop(chosen.highlighted)
            self._refresh_chosen()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "att-done":
            self.action_done()
        else:
            self.action_cancel()

    def action_done(self) -> None:
        if not self.chosen:
            path = resolve_input(self.query_one("#att-path", PathInput).value, self.base)
            if path.is_file():
                self.chosen.append(path.resolve())
        if not self.chosen:
            self.query_one("#att-hint", Static).update("Choose a file first (Enter adds it).")
            return
        self.dismiss(list(self.chosen))

    def action_cancel(self) -> None:
        self.dismiss(None)
