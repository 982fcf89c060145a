"""Snapshots of every extras screen at 80x24: deterministic (UTC clock, no cursor blink, fixed
data) and with hostile names/bodies in the fixtures, so a regression to markup shows up here."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from signal_tui.store.db import Store
from signal_tui.store.models import (
    Attachment,
    Edit,
    Message,
    MessageDetails,
    Receipt,
    TextStyle,
)
from signal_tui.ui.dialogs.confirm import ConfirmScreen
from signal_tui.ui.screens.attach import AttachmentPicker, AttachmentTree
from signal_tui.ui.screens.details import MessageDetailsScreen
from signal_tui.ui.screens.emoji import EmojiPicker
from signal_tui.ui.screens.help import HelpScreen
from signal_tui.ui.screens.message_actions import MessageActions
from signal_tui.ui.screens.new_conversation import NewConversationScreen
from signal_tui.ui.screens.recipients import RecipientPicker
from signal_tui.ui.screens.search import SearchScreen
from signal_tui.ui.widgets.image_preview import HalfBlockImage
from tests.ui.harness import Host, wait_for

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
ACCOUNT = "+4900000001"
HOSTILE = "[@click=app.quit]x[/]"
HOSTILE_NAME = "\x1b[31mMal\u202elory[b]"
TS = 1_764_000_000_000  # 2025-11-24 16:00 UTC


pytestmark = pytest.mark.usefixtures("utc")  # conftest: times shown in UTC


def pushing(
    make: Callable[[Host], Screen[Any] | Awaitable[Screen[Any]]],
    *keys: str,
    until: Callable[[Any], object] | None = None,
    what: str = "the screen to show its result",
    then: tuple[str, ...] = (),
) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """run_before for snap_compare: push the screen, type `keys`, wait until `until(screen)`
    (debounced searches, thread workers), press `then`."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, Host)
        screen = make(app)
        if asyncio.iscoroutine(screen):
            screen = await screen
        await app.push_screen(screen)  # type: ignore[arg-type]
        await pilot.pause()
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        if keys:
            await pilot.press(*keys)
        if until is not None:
            await wait_for(pilot, lambda: until(app.screen), what=what)
        if then:
            await pilot.press(*then)
        await pilot.pause()

    return run_before


def _thumbnail_drawn(screen: Screen[Any]) -> bool:
    """The picture is decoded (a thread) for the width it is laid out at."""
    images = list(screen.query(HalfBlockImage))
    return bool(images) and all(
        i._lines and i._for_width == i.size.width and i.size.height == len(i._lines) for i in images
    )


def message(**kw: Any) -> Message:
    base: dict[str, Any] = dict(
        id=7, conversation_id=1, author_id=2, author_name=HOSTILE_NAME, sent_ts=TS,
        received_ts=TS + 1500, body=f"See you at noon {HOSTILE} \x1b[2J",
    )  # fmt: skip
    base.update(kw)
    return Message(**base)


async def filled_store(path: Path) -> Store:
    store = await Store.open(path, account=ACCOUNT)
    items = []
    for i, (uuid, number, name, body) in enumerate(
        [
            ("a1111111-1111-4111-8111-111111111111", "+4911111111", "Alice", "lunch at noon?"),
            ("b2222222-2222-4222-8222-222222222222", "+4922222222", HOSTILE_NAME, f"lunch {HOSTILE}"),
            ("c3333333-3333-4333-8333-333333333333", "+4933333333", "Bob", "no lunch today"),
        ]
    ):  # fmt: skip
        ts = TS + i * 60_000
        items.append(
            {
                "account": ACCOUNT,
                "envelope": {
                    "source": number, "sourceNumber": number, "sourceUuid": uuid,
                    "sourceName": name, "timestamp": ts,
                    "dataMessage": {"timestamp": ts, "message": body},
                },
            }
        )  # fmt: skip
    await store.ingest_batch(items)
    await store.upsert_group(
        "group.Y2xpbWI=", name=f"Climbing {HOSTILE}", members=["+4911111111", ACCOUNT]
    )
    return store


@SIZES
def test_confirm(size: tuple[int, int], snap_compare: Any) -> None:
    question = f"Delete the conversation with {HOSTILE_NAME} {HOSTILE}? This cannot be undone."
    screen = pushing(lambda app: ConfirmScreen(question, yes="Delete"))
    assert snap_compare(Host(), terminal_size=size, run_before=screen)


@SIZES
def test_new_conversation_invalid(size: tuple[int, int], snap_compare: Any) -> None:
    screen = pushing(lambda app: NewConversationScreen(), *"0151 2345")
    assert snap_compare(Host(), terminal_size=size, run_before=screen)


@SIZES
def test_help(size: tuple[int, int], snap_compare: Any) -> None:
    sections = [
        ("Everywhere", [("ctrl+p", "Command palette"), ("f1 / ?", "This help"), ("ctrl+f", "Search")]),
        ("Conversation list", [("j / k", "Move"), ("enter", "Open"), ("ctrl+n", "New conversation")]),
        ("Composer", [("enter", "Send"), ("ctrl+j", "New line"), ("ctrl+a", "Attach files")]),
        ("Messages", [("a", "Actions"), ("r", "Reply"), ("e", "React")]),
    ]  # fmt: skip
    screen = pushing(lambda app: HelpScreen(sections))
    assert snap_compare(Host(), terminal_size=size, run_before=screen)


@SIZES
def test_emoji_picker(size: tuple[int, int], snap_compare: Any) -> None:
    screen = pushing(lambda app: EmojiPicker(recent=["🎉"]), *":thu")
    assert snap_compare(Host(), terminal_size=size, run_before=screen)


@SIZES
def test_message_actions(size: tuple[int, int], snap_compare: Any) -> None:
    msg = message(
        outgoing=True,
        status="failed",
        error="Untrusted identity: the safety number changed",
        styles=(TextStyle(0, 3, "SPOILER"),),
        attachments=(Attachment(1, "r1", "image/jpeg", "sunset.jpg", 20_000),),
    )
    screen = pushing(lambda app: MessageActions(msg, own=True))
    assert snap_compare(Host(), terminal_size=size, run_before=screen)


@SIZES
def test_details(size: tuple[int, int], snap_compare: Any) -> None:
    details = MessageDetails(
        message=message(
            outgoing=True, status="read", edited=True,
            attachments=(
                Attachment(1, "r1", "image/jpeg", "sunset.jpg", 123_456,
                           local_path="/data/attachments/sunset.jpg", state="done"),
            ),
        ),
        receipts=(Receipt(3, "Bob", "delivered", TS + 2000), Receipt(4, HOSTILE_NAME, "read", TS + 60_000)),
        edits=(Edit(TS, "See you at 1"),),
        raw_envelope='{"envelope": {"timestamp": 1764000000000}}',
    )  # fmt: skip
    screen = pushing(lambda app: MessageDetailsScreen(details))
    assert snap_compare(Host(), terminal_size=size, run_before=screen)


@SIZES
def test_search(size: tuple[int, int], snap_compare: Any, tmp_path: Path) -> None:
    async def make(app: Host) -> Screen[Any]:
        app.store = await filled_store(tmp_path / "cache.db")
        return SearchScreen(app.store, conversation_id=1)

    screen = pushing(make, *"lunch", until=lambda s: len(s.hits) == 3, what="3 search hits")
    host = Host()
    assert snap_compare(host, terminal_size=size, run_before=screen)
    assert host.store is not None and host.store._closed  # no SQLite thread left behind


@SIZES
def test_recipient_picker(size: tuple[int, int], snap_compare: Any, tmp_path: Path) -> None:
    async def make(app: Host) -> Screen[Any]:
        app.store = await filled_store(tmp_path / "cache.db")
        return RecipientPicker(app.store)

    screen = pushing(
        make, until=lambda s: len(s.shown) == 4, what="4 recipients listed", then=("down", "enter")
    )
    host = Host()
    assert snap_compare(host, terminal_size=size, run_before=screen)
    assert host.store is not None and host.store._closed


@SIZES
def test_attachment_picker(
    size: tuple[int, int], snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = tmp_path / "files"
    files.mkdir()
    img = Image.new("RGB", (32, 24), (30, 90, 200))
    img.paste((250, 200, 40), (8, 6, 24, 18))
    img.save(files / "flag.bmp")  # uncompressed: the same size on every machine
    (files / "notes.txt").write_text("n" * 2048)
    (files / "docs").mkdir()
    (files / "[@click=app.quit]x[b].txt").write_text("x")
    monkeypatch.chdir(tmp_path)  # relative start: the snapshot holds no tmp path
    screen = pushing(
        lambda app: AttachmentPicker(Path("files")),
        *"fl", "tab", "enter",
        until=lambda s: len(s.chosen) == 1 and s.query_one(AttachmentTree).root.children
        and _thumbnail_drawn(s),
        what="flag.bmp chosen, the folder listed and its thumbnail drawn",
    )  # fmt: skip
    assert snap_compare(Host(), terminal_size=size, run_before=screen)
