"""Polls as a user meets them: "Vote in poll" opens the answers and the vote reaches the server;
"Create a poll" (palette) asks the question in the open chat and it is sent."""

from __future__ import annotations

from signal_tui.config import Config
from signal_tui.simulator.server import Simulator
from signal_tui.ui.app import make_app
from signal_tui.ui.screens.message_actions import MessageActions
from signal_tui.ui.screens.poll import PollCreateScreen, PollVoteScreen
from tests.ui.harness import main_screen, open_by_filter, rows, wait_for


async def _outbox(app, kind: str) -> list:
    items = await app.session.store.outbox_items()
    return [i for i in items if i.kind == kind]


async def test_vote_in_a_poll_and_create_one(config: Config, sim: Simulator) -> None:
    app = make_app(config)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.receiver_state.state == "connected", what="connected")
        await wait_for(pilot, lambda: any(r.startswith("# Climbing crew") for r in rows(app)))
        await open_by_filter(pilot, "Climbing crew")
        main = main_screen(app)
        history = main.history
        poll_msg = next(m for m in history.messages if m.poll is not None)
        history.focus()
        history.select(poll_msg.id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MessageActions), what="the menu")
        await pilot.press("p")  # Vote in poll
        await wait_for(pilot, lambda: isinstance(app.screen, PollVoteScreen), what="the answers")
        await pilot.press("v")  # nothing picked yet: told, not sent
        assert "Pick an answer" in str(app.screen.query_one("#poll-error").render())
        await pilot.press("down", "space", "v")  # Sushi
        await wait_for(pilot, lambda: not isinstance(app.screen, PollVoteScreen), what="closed")
        votes: list = []

        async def vote_sent() -> bool:
            votes[:] = await _outbox(app, "vote")
            return bool(votes) and votes[-1].state == "sent"

        for _ in range(200):
            if await vote_sent():
                break
            await pilot.pause(0.05)
        assert votes and votes[-1].state == "sent", votes
        assert votes[-1].payload["selected"] == [2]  # the API counts answers from 1
        fresh = next(m for m in history.messages if m.id == poll_msg.id)
        assert fresh.poll is not None and [o.votes for o in fresh.poll.options][1] >= 1

        # create a poll from the palette's action in this chat
        main.action_new_poll()
        await wait_for(pilot, lambda: isinstance(app.screen, PollCreateScreen), what="the form")
        await pilot.press(*"Rope or no rope?", "enter")
        await pilot.press(*"Rope", "enter", *"No rope")
        app.screen.query_one("#create").press()
        await wait_for(pilot, lambda: not isinstance(app.screen, PollCreateScreen), what="sent")
        await wait_for(
            pilot, lambda: "Rope or no rope?" in history.visible_text(), what="the poll shown"
        )
        polls: list = []
        for _ in range(200):
            polls[:] = await _outbox(app, "poll")
            if polls and polls[-1].state == "sent":
                break
            await pilot.pause(0.05)
        assert polls and polls[-1].state == "sent", polls
        own = next(m for m in history.messages if m.poll and m.poll.question == "Rope or no rope?")
        assert own.outgoing and [o.text for o in own.poll.options] == ["Rope", "No rope"]
