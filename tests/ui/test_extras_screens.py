"""Pilot tests of the store-free modal screens (confirm, new conversation, help, emoji, actions,
details), each pushed on a tiny host app the way the main app pushes them."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from textual.screen import Screen
from textual.widgets import Button, Input, OptionList, Static

from signal_tui.store.models import (
    Attachment,
    Edit,
    Message,
    MessageDetails,
    Poll,
    PollOption,
    Receipt,
    TextStyle,
)
from signal_tui.ui.dialogs.confirm import ConfirmScreen
from signal_tui.ui.screens.details import MessageDetailsScreen, details_text, format_size
from signal_tui.ui.screens.emoji import EmojiPicker, search_emoji
from signal_tui.ui.screens.help import HelpScreen
from signal_tui.ui.screens.message_actions import (
    ACTION_NAMES,
    MessageActions,
    available_actions,
)
from signal_tui.ui.screens.new_conversation import NewConversationScreen, normalize_address
from tests.ui.harness import Host, result, show

HOSTILE = "[@click=app.quit]x[/]"
HOSTILE_NAME = "\x1b[31mMal\u202elory[b]"
TS = 1_764_000_000_000


def message(**kw: Any) -> Message:
    base: dict[str, Any] = dict(
        id=7, conversation_id=1, author_id=2, author_name="Alice", sent_ts=TS,
        received_ts=TS + 1500, body="hello",
    )  # fmt: skip
    base.update(kw)
    return Message(**base)


def screen_text(screen: Screen[Any]) -> str:
    return "\n".join(str(w.render()) for w in screen.query(Static))


async def test_confirm_shows_question_literally_and_answers() -> None:
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = ConfirmScreen(f"Delete {HOSTILE} from {HOSTILE_NAME}?", yes="Delete")
        future = await show(pilot, screen)
        question = str(screen.query_one("#confirm-question", Static).render())
        assert HOSTILE in question and "\x1b" not in question and "\u202e" not in question
        await pilot.click("#confirm-question")
        assert not pilot.app.quit_requested
        await pilot.press("y")
        assert await result(pilot, future) is True
        screen = ConfirmScreen("Really?", yes=f"Block {HOSTILE}", no="[b]No[/b]")
        future = await show(pilot, screen)
        assert str(screen.query_one("#yes", Button).label) == f"Block {HOSTILE}"
        assert str(screen.query_one("#no", Button).label) == "[b]No[/b]"
        await pilot.press("escape")
        assert await result(pilot, future) is False
        future = await show(pilot, ConfirmScreen("Really?"))
        await pilot.click("#no")
        assert await result(pilot, future) is False


def test_normalize_address_accepts_numbers_and_uuids() -> None:
    assert normalize_address("+49 151 2345-678")[0] == "+491512345678"
    assert normalize_address("0049 1512345678")[0] == "+491512345678"
    uuid = "A1B2C3D4-0000-4000-8000-123456789ABC"
    assert normalize_address(uuid)[0] == uuid.lower()
    assert normalize_address("01512345678") == (
        None,
        "Add the country code: numbers start with + (for example +4915…).",
    )
    assert normalize_address("+12")[0] is None
    assert normalize_address(HOSTILE)[0] is None


@given(st.text(max_size=40))
def test_normalize_address_only_returns_e164_or_uuid(text: str) -> None:
    address, message_ = normalize_address(text)
    assert message_
    if address is not None:
        assert (address.startswith("+") and address[1:].isdigit()) or len(address) == 36


async def test_new_conversation_validates_then_returns_address() -> None:
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = NewConversationScreen()
        future = await show(pilot, screen)
        await pilot.press(*"12345", "enter")
        assert not future.done()
        assert "country code" in str(screen.query_one("#new-hint", Static).render())
        screen.query_one(Input).value = ""
        await pilot.press(*"+4915123456789", "enter")
        assert await result(pilot, future) == "+4915123456789"
        future = await show(pilot, NewConversationScreen())
        await pilot.press("escape")
        assert await result(pilot, future) is None


async def test_help_lists_sections_and_closes() -> None:
    sections = [
        ("Conversations", [("ctrl+n", "New conversation"), ("/", "Filter")]),
        ("Composer", [("enter", "Send"), ("ctrl+j", "New line")]),
    ]
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = HelpScreen(sections)
        future = await show(pilot, screen)
        body = str(screen.query_one("#help-body", Static).render())
        assert "Conversations" in body and "ctrl+j" in body and "New line" in body
        await pilot.press("escape")
        assert await result(pilot, future) is None
        future = await show(pilot, HelpScreen(f"plain text help {HOSTILE}"))
        assert HOSTILE in screen_text(pilot.app.screen)
        await pilot.press("q")
        await result(pilot, future)


def test_emoji_search_by_shortcode_name_and_recent() -> None:
    assert search_emoji(":thu")[0].char == "👍"
    assert [e.char for e in search_emoji(":+1:")] == ["👍"]
    assert search_emoji("thumbs up")[0].char == "👍"
    assert search_emoji("tada")[0].char == "🎉"
    assert [e.char for e in search_emoji("", ["🎉", "😂"])][:2] == ["🎉", "😂"]
    assert search_emoji("zzzz-no-such-thing") == []
    assert len(search_emoji("")) >= 300


async def test_emoji_picker_narrows_and_picks() -> None:
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = EmojiPicker(recent=["🎉"])
        future = await show(pilot, screen)
        results = screen.query_one(OptionList)
        assert "🎉" in str(results.get_option_at_index(0).prompt)
        await pilot.press(*":thu")
        assert "👍" in str(results.get_option_at_index(0).prompt)
        await pilot.press("down", "up", "enter")
        assert await result(pilot, future) == "👍"
        future = await show(pilot, EmojiPicker())
        await pilot.press("escape")
        assert await result(pilot, future) is None
        future = await show(pilot, EmojiPicker())
        await pilot.press(*"heart", "down", "enter")
        assert await result(pilot, future) == search_emoji("heart")[1].char


def names(msg: Message, own: bool) -> list[str]:
    return [a.name for a in available_actions(msg, own)]


def test_actions_apply_only_where_they_make_sense() -> None:
    received = names(message(), own=False)
    assert received == ["reply", "react", "copy", "forward", "details", "delete_me"]
    sent = names(message(outgoing=True, status="delivered"), own=True)
    assert {"edit", "delete_everyone", "reply", "react"} <= set(sent)
    assert "retry" not in sent and "trust_resend" not in sent
    failed = names(message(outgoing=True, status="failed", error="Network down"), own=True)
    assert "retry" in failed and "trust_resend" not in failed and "edit" not in failed
    untrusted = message(outgoing=True, status="failed", error="Untrusted identity: safety number")
    assert "trust_resend" in names(untrusted, own=True)
    deleted = names(message(deleted=True, body=None, outgoing=True, status="sent"), own=True)
    assert deleted == ["details", "delete_me"]
    assert "forward" not in names(message(view_once=True), own=False)  # view-once stays once
    rich = message(
        attachments=(Attachment(1, "r1", "image/png", "cat.png", 10),),
        styles=(TextStyle(0, 3, "SPOILER"),),
        poll=Poll("Lunch?", (PollOption("yes", 1),), False),
    )
    assert {"open_attachment", "save_attachment", "reveal_spoiler", "vote"} <= set(
        names(rich, own=False)
    )
    assert set(names(rich, own=False)) <= ACTION_NAMES


async def test_message_actions_keys_and_menu() -> None:
    async with Host().run_test(size=(80, 24)) as pilot:
        hostile = message(body=HOSTILE, author_name=HOSTILE_NAME, outgoing=True, status="read")
        screen = MessageActions(hostile, own=True)
        future = await show(pilot, screen)
        preview = str(screen.query_one("#actions-preview", Static).render())
        assert HOSTILE in preview and "\x1b" not in preview
        await pilot.click("#actions-preview")
        assert not pilot.app.quit_requested
        await pilot.press("D")
        assert await result(pilot, future) == "delete_everyone"
        future = await show(pilot, MessageActions(message(), own=False))
        await pilot.press("D")  # not offered for someone else's message: ignored
        assert not future.done()
        await pilot.press("down", "enter")  # second entry: react
        assert await result(pilot, future) == "react"
        future = await show(pilot, MessageActions(message(), own=False))
        await pilot.press("escape")
        assert await result(pilot, future) is None


def details_fixture() -> MessageDetails:
    msg = message(
        body=f"now {HOSTILE}",
        author_name=HOSTILE_NAME,
        outgoing=True,
        status="read",
        edited=True,
        attachments=(
            Attachment(
                1, "r1", "image/jpeg", "sunset.jpg", 123_456, local_path="/data/a/sunset.jpg",
                state="done",
            ),
        ),
    )  # fmt: skip
    return MessageDetails(
        message=msg,
        receipts=(
            Receipt(3, "Bob", "delivered", TS + 2000),
            Receipt(4, HOSTILE_NAME, "read", TS + 60_000),
        ),
        edits=(Edit(TS, "first version"),),
        raw_envelope='{"envelope": {"source": "+4915", "dataMessage": {"message": "\\u001b[31m"}}}',
    )


def test_details_text_has_everything_and_is_clean() -> None:
    text = details_text(details_fixture()).plain
    for needle in ("Bob", "delivered", "first version", "sunset.jpg", "/data/a/sunset.jpg"):
        assert needle in text
    assert HOSTILE in text and "\x1b" not in text and "\u202e" not in text
    assert format_size(123_456) == "120.6 KB" and format_size(5) == "5 B"


async def test_details_screen_raw_envelope_collapsible() -> None:
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = MessageDetailsScreen(details_fixture())
        future = await show(pilot, screen)
        raw = screen.query_one("#details-raw-text", Static)
        assert "dataMessage" in str(raw.render()) and "\x1b" not in str(raw.render())
        assert not raw.is_on_screen or raw.region.height == 0
        await pilot.press("escape")
        assert await result(pilot, future) is None
