"""Composer and conversation flows against the simulator: newline key, pasted path, mentions,
edit, failures with their fix, new conversation, search, first run, the demo environment."""

from __future__ import annotations

from pathlib import Path

from textual import events

from signal_tui.config import Config
from signal_tui.core.errors import explain
from signal_tui.simulator.server import Simulator
from signal_tui.ui.app import SignalApp, make_app
from signal_tui.ui.messages import WorkerFailed
from signal_tui.ui.screens.main import MainScreen
from signal_tui.ui.widgets.composer import Composer, MessageInput
from tests.ui.cache_data import ACCOUNT, make_config
from tests.ui.harness import MessageLog, history_text, main_screen, open_by_filter, rows, wait_for

EMMA = "+15550100005"


async def test_compose_newline_paste_mention_edit_and_failure(
    config: Config, sim: Simulator, tmp_path: Path
) -> None:
    app = make_app(config)
    log = MessageLog()
    async with app.run_test(size=(120, 40), message_hook=log) as pilot:
        await wait_for(pilot, lambda: app.receiver_state.state == "connected")
        await wait_for(pilot, lambda: any(r.startswith("# Climbing crew") for r in rows(app)))
        await open_by_filter(pilot, "Climbing crew")
        composer = app.main.query_one(Composer)  # type: ignore[union-attr]
        history = app.main.history  # type: ignore[union-attr]

        # ctrl+j inserts a newline, Enter sends the two-line message
        await pilot.press(*"line one", "ctrl+j", *"line two")
        assert composer.text == "line one\nline two"

        # a pasted path of an existing file attaches it (a chip), instead of inserting text
        photo = tmp_path / "photo.png"
        photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
        composer.input.post_message(events.Paste(str(photo)))
        await pilot.pause()
        assert composer.attachments == [photo]
        assert "photo.png" in str(composer.query_one("#chip-0").label)
        await pilot.press("enter")
        # one Submitted with the whole draft: both lines and the pasted file
        drafts = [m.draft for m in log.of(Composer.Submitted, at=MainScreen)]
        assert [(d.text, d.attachments) for d in drafts] == [("line one\nline two", [photo])]
        await wait_for(pilot, lambda: any(m.body == "line one\nline two" for m in history.messages))
        sent = next(m for m in history.messages if m.body == "line one\nline two")
        assert [a.filename for a in sent.attachments] == ["photo.png"]
        assert composer.attachments == [] and composer.text == ""

        # '@' completes group members; the mention is sent as U+FFFC with UTF-16 offsets
        await wait_for(pilot, lambda: composer.members)
        await pilot.press("@", "F", "a")
        menu = composer.query_one("#mentions")
        await wait_for(pilot, lambda: menu.display)
        await pilot.press("enter")  # choose the highlighted member
        assert composer.text.startswith("@Farah")
        await pilot.press(*"belay?", "enter")
        await wait_for(pilot, lambda: any(m.mentions for m in history.messages if m.outgoing))
        mentioned = [m for m in history.messages if m.outgoing and m.mentions][-1]
        assert mentioned.body is not None and mentioned.body.startswith("\ufffc")
        assert mentioned.mentions[0].start == 0 and mentioned.mentions[0].length == 1
        assert "@Farah" in history_text(app)

        # edit an own message: the selected message's text is loaded and replaced on Enter
        history.focus()
        await pilot.press("k")
        target = history.selected
        assert target is not None and target.outgoing
        app.main.run_action_on(target, "edit")  # type: ignore[union-attr]
        await pilot.pause()
        assert isinstance(app.focused, MessageInput)
        composer.input.text = "belay please?"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: any(m.id == target.id and m.edited and m.body == "belay please?"
                        for m in history.messages),
        )  # fmt: skip

        # an untrusted identity: the send fails, the reason and the fix are shown
        await open_by_filter(pilot, "Emma")
        sim.faults.untrusted.add(EMMA)
        await pilot.press(*"are you there?", "enter")
        history = app.main.history  # type: ignore[union-attr]
        await wait_for(
            pilot,
            lambda: any(m.body == "are you there?" and m.status == "failed"
                        for m in history.messages),
            timeout=30,
        )  # fmt: skip
        assert "trust and resend" in history_text(app)
        failed = next(m for m in history.messages if m.body == "are you there?")
        app.main.run_action_on(failed, "trust_resend")  # type: ignore[union-attr]
        await wait_for(
            pilot,
            lambda: any(m.id == failed.id and m.status in ("sent", "delivered", "read")
                        for m in history.messages),
            timeout=30,
        )  # fmt: skip


async def test_new_conversation_search_and_errors(config: Config, sim: Simulator) -> None:
    app = make_app(config)
    log = MessageLog()
    async with app.run_test(size=(120, 40), message_hook=log) as pilot:
        await wait_for(pilot, lambda: app.receiver_state.state == "connected")
        # a number that is not on Signal: a readable sentence, no traceback, app still running
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "NewConversationScreen")
        await pilot.press(*"+15559999999", "enter")
        await wait_for(
            pilot, lambda: any("not on Signal" in str(n.message) for n in app._notifications)
        )
        assert app.is_running
        # the main screen's failed worker reached the app as one WorkerFailed, told once
        failures = log.of(WorkerFailed, at=SignalApp)
        assert len(failures) == 1
        sentence = str(explain(failures[0].error))
        assert sentence == "+15559999999 is not on Signal."
        told = [str(n.message) for n in app._notifications if "Signal" in str(n.message)]
        assert told == [sentence]
        # a registered number opens (or creates) the direct conversation
        await pilot.press("ctrl+l", *"+15550100005", "enter")
        main = main_screen(app)
        await wait_for(pilot, lambda: "Emma" in main.describe() or "+1555" in main.describe())

        # global search: Enter opens the hit in its conversation, highlighted
        await wait_for(pilot, lambda: any(r.startswith("# Family") for r in rows(app)))
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "SearchScreen")
        await pilot.press(*"sunset")  # a message with a picture: its preview lines count
        search = app.screen
        await wait_for(pilot, lambda: getattr(search, "hits", None), what="a hit for 'sunset'")
        hit = search.hits[0]  # type: ignore[attr-defined]
        await pilot.press("enter")
        history = app.main.history  # type: ignore[union-attr]
        await wait_for(pilot, lambda: history.highlight_id == hit.message_id)
        assert app.main.conversation.id == hit.conversation_id  # type: ignore[union-attr]
        assert any(m.id == hit.message_id for m in history.messages)
        # ... and scrolled into view, not just loaded somewhere in the window
        target = await app.store.get_message(hit.message_id)  # type: ignore[union-attr]
        await wait_for(pilot, lambda: (target.body or "")[:30] in history.visible_text())


async def test_first_run_asks_for_the_missing_settings(tmp_path: Path) -> None:
    app = make_app(Config(data_dir=tmp_path / "data"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot,
            lambda: type(app.screen).__name__ == "AccountSetupScreen",
            what="the account setup",
        )


def test_demo_environment_is_throwaway(tmp_path: Path) -> None:
    from signal_tui.cli.demo import demo_environment

    base = make_config(tmp_path)
    with demo_environment(base, trickle=False) as (demo_config, demo_sim):
        assert demo_config.url and demo_config.url.startswith("http://127.0.0.1:")
        assert demo_config.account == demo_sim.primary_account  # type: ignore[attr-defined]
        data_dir = demo_config.data_dir
        assert data_dir.exists() and data_dir != base.data_dir
        assert demo_config.config_file.parent == data_dir
    assert not data_dir.exists()
    assert ACCOUNT == demo_config.account


async def test_server_down_state_and_typing_are_visible(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = make_app(make_config(tmp_path, url=f"http://127.0.0.1:{port}"))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.receiver_state.state in ("reconnecting", "error"))

        def status() -> str:
            return str(app.main.query_one("#status").render())  # type: ignore[union-attr]

        # the bar repaints on its next refresh
        await wait_for(pilot, lambda: "reconnecting in" in status() or "error" in status())
        # the cached list still works offline; a typing notice shows in list and header
        conv = await app.store.ensure_direct(EMMA, number=EMMA)
        await wait_for(pilot, lambda: conv.id in app.main.conv_list.records)  # type: ignore[union-attr]
        app.main.open_conversation(conv.id)  # type: ignore[union-attr]
        await wait_for(pilot, lambda: app.main.conversation is not None)  # type: ignore[union-attr]
        me = await app.store.upsert_recipient(number=EMMA, profile_name="Emma")
        app._on_typing(conv.id, me.id, True)  # what the session calls for a typingMessage
        await wait_for(pilot, lambda: "typing…" in " ".join(rows(app)))
        await wait_for(pilot, lambda: "Emma typing…" in str(app.main.query_one("#header").render()))  # type: ignore[union-attr]
        app._on_typing(conv.id, me.id, False)
        await pilot.pause()
        assert "typing…" not in " ".join(rows(app))
        # ctrl+a in the composer opens the file picker (not TextArea's line start)
        assert isinstance(app.focused, MessageInput)
        await pilot.press("ctrl+a")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "AttachmentPicker")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main)
