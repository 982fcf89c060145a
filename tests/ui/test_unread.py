"""Unread as a user meets it: a "new messages" line where reading stopped, the view starting
there when the new messages don't fit, the badge gone once they are seen, a key to the next
unread chat, and the newest message always reachable (G after paging back, our own send)."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from signal_tui.config import Config
from signal_tui.core.session import Session
from signal_tui.ui.app import SignalApp, make_app
from signal_tui.ui.screens.main import MainScreen
from tests.ui.harness import workers_done

ACCOUNT = "+15550000001"
ADA = ("+15550100001", "6e1c3a52-0d0e-4c1a-9a55-000000000001", "Ada")
BO = ("+15550100002", "6e1c3a52-0d0e-4c1a-9a55-000000000002", "Bo")
T0 = 1_764_000_000_000


def envelope(who: tuple[str, str, str], ts: int, body: str) -> dict:
    number, uuid, name = who
    return {
        "envelope": {
            "source": number, "sourceNumber": number, "sourceUuid": uuid, "sourceName": name,
            "sourceDevice": 1, "timestamp": ts, "serverReceivedTimestamp": ts + 5,
            "dataMessage": {"timestamp": ts, "message": body},
        },
        "account": ACCOUNT,
    }  # fmt: skip


async def _cache(tmp_path: Path, read: int, unread: int, bo_unread: int = 0) -> tuple[Config, int]:
    config = Config(url="http://127.0.0.1:9", account=ACCOUNT, data_dir=tmp_path / "data")
    async with Session(config) as session:
        store = session.store
        assert store is not None
        await store.ingest_batch([envelope(ADA, T0 + i * 1000, f"old {i}") for i in range(read)])
        conv = await store.find_conversation(ADA[0])
        assert conv is not None
        await store.mark_read(conv.id)
        await store.ingest_batch(
            [envelope(ADA, T0 + (read + i) * 1000, f"new {i}") for i in range(unread)]
        )
        if bo_unread:
            await store.ingest_batch(
                [envelope(BO, T0 - 10_000 + i, f"from Bo {i}") for i in range(bo_unread)]
            )
    return config, conv.id


async def _wait(pilot: Pilot[int], condition, what: str, limit: float = 8.0) -> None:
    for _ in range(int(limit / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    history = _main(pilot.app).history  # type: ignore[arg-type]
    raise AssertionError(
        f"timed out waiting for {what}; the history shows {history.visible_text()!r}"
    )


def _main(app: SignalApp) -> MainScreen:
    assert app.main is not None
    return app.main


async def _open(pilot: Pilot[int], app: SignalApp, cid: int) -> MainScreen:
    main = _main(app)
    main.open_conversation(cid)
    await _wait(pilot, lambda: main.conversation is not None and main.conversation.id == cid
                and bool(main.history.messages), "the chat to open")  # fmt: skip
    await workers_done(pilot, "the chat to finish opening (it focuses the composer last)")
    return main


async def test_new_messages_line_and_the_badge_goes(tmp_path: Path) -> None:
    config, cid = await _cache(tmp_path, read=4, unread=3)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 40)) as pilot:
        main = _main(app)
        await _wait(pilot, lambda: cid in main.conv_list.records, "the list")
        assert main.conv_list.records[cid].unread == 3
        await _open(pilot, app, cid)
        await _wait(pilot, lambda: "3 new messages" in main.history.visible_text(), "the line")
        text = main.history.visible_text()
        assert text.index("old 3") < text.index("3 new messages") < text.index("new 0")
        await _wait(pilot, lambda: main.conv_list.records[cid].unread == 0, "the badge to go")
        # a message arriving while the chat is open at the bottom is read at once
        session = app.session
        assert session is not None and session.store is not None
        await session.store.ingest_batch([envelope(ADA, T0 + 60_000, "while you look")])
        await _wait(pilot, lambda: "while you look" in main.history.visible_text(), "it to show")
        await _wait(pilot, lambda: main.conv_list.records[cid].unread == 0, "no badge of 1")


async def _focus_history(pilot: Pilot[int], main: MainScreen) -> None:
    main.history.focus()
    await _wait(pilot, lambda: pilot.app.focused is main.history, "the history to have focus")


async def _g_then_u(
    pilot: Pilot[int], main: MainScreen, unread: int, *, line_paged_out: bool = False
) -> None:
    """G shows the newest unread message; u then shows the "new messages" line again."""
    await _focus_history(pilot, main)
    await pilot.press("G")
    newest = f"new {unread - 1}"
    await _wait(pilot, lambda: newest in main.history.visible_text(), "the newest")
    if line_paged_out:  # the line is no longer in the window: u must load it again
        assert all(m.id != main.history.new_from for m in main.history.messages)
    await pilot.press("u")
    line = f"{unread} new messages"
    await _wait(pilot, lambda: line in main.history.visible_text(), "the line")


async def test_many_unread_start_at_the_line_and_u_g_move(tmp_path: Path) -> None:
    config, cid = await _cache(tmp_path, read=30, unread=80)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await _open(pilot, app, cid)
        await _wait(pilot, lambda: "80 new messages" in main.history.visible_text(), "the line")
        text = main.history.visible_text()
        assert "new 0" in text
        assert "new 79" not in text  # the view starts where reading stopped, not at the end
        await _g_then_u(pilot, main, 80)


async def test_u_brings_back_the_line_after_g_paged_past_it(tmp_path: Path) -> None:
    config, cid = await _cache(tmp_path, read=30, unread=200)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await _open(pilot, app, cid)
        await _wait(pilot, lambda: "200 new messages" in main.history.visible_text(), "the line")
        await _g_then_u(pilot, main, 200, line_paged_out=True)
        assert "new 0" in main.history.visible_text()
        assert main.history.selected is not None and main.history.selected.body == "new 0"


async def test_g_after_jumping_back_reaches_a_newer_message(tmp_path: Path) -> None:
    config, cid = await _cache(tmp_path, read=700, unread=0)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await _open(pilot, app, cid)
        oldest = await main.store.messages_after(cid, (0, 0), limit=1)
        main.open_conversation(cid, oldest[0].id)  # as a search hit does: a window far back
        await _wait(pilot, lambda: "old 0" in main.history.visible_text(), "the old window")
        assert main.history.more_after
        await _focus_history(pilot, main)
        await pilot.press("G")
        await _wait(pilot, lambda: "old 699" in main.history.visible_text(), "the newest")


async def test_own_send_while_scrolled_back_is_brought_into_view(tmp_path: Path) -> None:
    config, cid = await _cache(tmp_path, read=200, unread=0)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await _open(pilot, app, cid)
        await _focus_history(pilot, main)
        await pilot.press("g")  # to the oldest loaded
        await _wait(pilot, lambda: "old 199" not in main.history.visible_text(), "scrolled up")
        main.composer.focus_input()
        await pilot.press(*"look at me", "enter")
        await _wait(pilot, lambda: "look at me" in main.history.visible_text(), "our message")


async def test_next_unread_key_opens_the_next_unread_chat(tmp_path: Path) -> None:
    config, cid = await _cache(tmp_path, read=2, unread=0, bo_unread=2)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await _open(pilot, app, cid)
        await pilot.press("alt+down")
        await _wait(pilot, lambda: main.conversation is not None and main.conversation.id != cid,
                    "Bo's chat")  # fmt: skip
        assert "from Bo 1" in main.history.visible_text()
        await pilot.press("alt+down")  # nothing unread any more
        await _wait(pilot, lambda: any("No unread" in str(n.message) for n in app._notifications),
                    "a note that nothing is unread")  # fmt: skip


async def test_the_first_chat_opened_is_at_once_at_its_newest_or_its_line(tmp_path: Path) -> None:
    """Right after start the view has never scrolled: Textual shows the scrollbar only at the
    next layout and ignored the scroll until then, so under load the first chat opened at its
    oldest line (CI saw it). The position must be right the moment the page is painted."""
    config, cid = await _cache(tmp_path, read=100, unread=0)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)):
        history = _main(app).history
        await history.open(_main(app).store, cid, is_group=False)
        assert history.max_scroll_y > 0 and history.scroll_y == history.max_scroll_y
        assert "old 99" in history.visible_text()
    config, cid = await _cache(tmp_path / "line", read=30, unread=200)
    app = make_app(config, start_session=False)
    async with app.run_test(size=(100, 30)):
        history = _main(app).history
        store = _main(app).store
        await history.open(store, cid, is_group=False, unread=await store.first_unread(cid))
        assert "200 new messages" in history.visible_text()
        assert history.loads == 1  # and no page of newer messages loaded behind it
