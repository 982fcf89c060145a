"""Polls: vote in one (pick answers, then Vote) and create one (question, answers, one or many).

Questions and answers come from other people: they are shown as Text, never markup.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection

from signal_tui.store.models import Poll
from signal_tui.text import count, safe, safe_line

_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 70; max-width: 95%; height: auto; max-height: 90%; padding: 1 2;
    border: thick $primary; background: $surface;
}}
{name} .poll-question {{ text-style: bold; margin-bottom: 1; }}
{name} .poll-error {{ color: $error; height: auto; }}
{name} .poll-buttons {{ height: auto; align-horizontal: right; margin-top: 1; }}
{name} Button {{ margin-left: 1; }}
"""


class PollVoteScreen(ModalScreen[list[int] | None]):
    """Pick one answer (or several, when the poll allows it); dismiss the 0-based indexes."""

    DEFAULT_CSS = (
        _CSS.format(name="PollVoteScreen")
        + """
    PollVoteScreen SelectionList { height: auto; max-height: 16; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("v", "vote", "Vote")]

    def __init__(self, poll: Poll, chosen: set[int] | None = None) -> None:
        super().__init__()
        self.poll = poll
        self.chosen = chosen or set()

    def compose(self) -> ComposeResult:
        poll = self.poll
        with Vertical():
            yield Static(safe(poll.question), classes="poll-question", markup=False)
            how = "pick any number, then Vote" if poll.allow_multiple else "pick one, then Vote"
            yield Static(f"Space picks an answer; {how} (v).", markup=False)
            yield SelectionList[int](
                *(
                    Selection(self._label(option.text, option.votes), i, i in self.chosen)
                    for i, option in enumerate(poll.options)
                ),
                id="poll-answers",
            )
            yield Static("", id="poll-error", classes="poll-error", markup=False)
            with Horizontal(classes="poll-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Vote", id="vote", variant="primary")

    @staticmethod
    def _label(text: str, votes: int) -> Text:
        label = safe_line(text, limit=60)
        label.append(f"  ({count(votes, 'vote')})", style="dim")
        return label

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def on_selection_list_selection_toggled(self, event: SelectionList.SelectionToggled) -> None:
        answers = self.query_one(SelectionList)
        if not self.poll.allow_multiple and event.selection.value in answers.selected:
            for value in list(answers.selected):
                if value != event.selection.value:
                    answers.deselect(value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "vote":
            self.action_vote()
        else:
            self.action_cancel()

    def action_vote(self) -> None:
        picked = sorted(self.query_one(SelectionList).selected)
        if not picked:
            self.query_one("#poll-error", Static).update("Pick an answer first.")
            return
        self.dismiss(picked)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PollCreateScreen(ModalScreen[tuple[str, list[str], bool] | None]):
    """A question, answers one per line, and whether several may be picked."""

    DEFAULT_CSS = (
        _CSS.format(name="PollCreateScreen")
        + """
    PollCreateScreen TextArea { height: 8; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("New poll", classes="poll-question", markup=False)
            yield Input(placeholder="Question", id="poll-question")
            yield Static("Answers, one per line:", markup=False)
            yield TextArea(id="poll-answers", soft_wrap=True, show_line_numbers=False)
            yield Checkbox("Allow several answers", True, id="poll-multi")
            yield Static("", id="poll-error", classes="poll-error", markup=False)
            with Horizontal(classes="poll-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Create poll", id="create", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#poll-question", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#poll-answers", TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "create":
            self.action_create()
        else:
            self.action_cancel()

    def action_create(self) -> None:
        question = self.query_one("#poll-question", Input).value.strip()
        lines = self.query_one("#poll-answers", TextArea).text.splitlines()
        answers = [a.strip() for a in lines if a.strip()]
        error = ""
        if not question:
            error = "Write a question."
        elif len(answers) < 2:
            error = "Write at least two answers, one per line."
        elif len(set(answers)) != len(answers):
            error = "Two answers are the same."
        if error:
            self.query_one("#poll-error", Static).update(error)
            return
        self.dismiss((question, answers, self.query_one("#poll-multi", Checkbox).value))

    def action_cancel(self) -> None:
        self.dismiss(None)
