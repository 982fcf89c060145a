"""SearchScreen and RecipientPicker against a real Store (SQLite file in tmp_path)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.widgets import Input, OptionList, SelectionList, Static

from signal_tui.store.db import Store
from signal_tui.ui.screens.recipients import RecipientPicker
from signal_tui.ui.screens.search import MATCH_STYLE, SearchScreen, snippet_text
from tests.ui.harness import Host, result, show, wait_for

ACCOUNT = "+4900000001"
ALICE_UUID = "a1111111-1111-4111-8111-111111111111"
MAL_UUID = "b2222222-2222-4222-8222-222222222222"
HOSTILE = "[@click=app.quit]x[/]"
HOSTILE_NAME = "\x1b[31mMal\u202elory[b]"
GROUP = "group.Y2xpbWJpbmc="
TS = 1_764_000_000_000


def envelope(uuid: str, number: str, name: str, ts: int, body: str) -> dict[str, Any]:
    return {
        "account": ACCOUNT,
        "envelope": {
            "source": number, "sourceNumber": number, "sourceUuid": uuid, "sourceName": name,
            "timestamp": ts, "dataMessage": {"timestamp": ts, "message": body},
        },
    }  # fmt: skip


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(tmp_path / "data" / "cache.db", account=ACCOUNT)
    await store.ingest_batch(
        [
            envelope(ALICE_UUID, "+4911111111", "Alice", TS, "lunch at noon?"),
            envelope(ALICE_UUID, "+4911111111", "Alice", TS + 1000, "the weather is fine"),
            envelope(MAL_UUID, "+4922222222", HOSTILE_NAME, TS + 2000, f"lunch {HOSTILE}"),
        ]
    )
    await store.upsert_recipient(number="+4933333333", profile_name="Blocky", blocked=True)
    await store.upsert_group(GROUP, name="Climbing club", members=["+4911111111", ACCOUNT])
    yield store
    await store.close()


def test_snippet_text_highlights_marked_terms() -> None:
    text = snippet_text("we \x02lunch\x03 at \x02noon\x03 \x1b[31m" + HOSTILE)
    assert text.plain == "we lunch at noon [31m" + HOSTILE
    marked = [text.plain[s.start : s.end] for s in text.spans if s.style == MATCH_STYLE]
    assert marked == ["lunch", "noon"]


@given(st.lists(st.tuples(st.text(max_size=12), st.booleans()), max_size=6))
def test_snippet_text_never_leaks_markers_or_controls(parts: list[tuple[str, bool]]) -> None:
    raw = "".join(f"\x02{p}\x03" if hit else p for p, hit in parts)
    plain = snippet_text(raw).plain
    assert not any(c in plain for c in "\x02\x03\x1b\n\r\u202e")
    words = [w for p, _ in parts for w in p.split() if w.isalnum()]
    for word in words:
        assert word in plain


async def test_search_as_you_type_highlight_and_open(store: Store) -> None:
    alice = await store.find_conversation(ALICE_UUID)
    assert alice is not None
    async with Host().run_test(size=(100, 30)) as pilot:
        screen = SearchScreen(store)
        future = await show(pilot, screen)
        await pilot.press(*"lunc")  # prefix match on the last word
        await wait_for(pilot, lambda: len(screen.hits) == 2)
        results = screen.query_one("#search-results", OptionList)
        first = results.get_option_at_index(0).prompt
        assert HOSTILE in str(first) and "\x1b" not in str(first)  # newest first: Mallory
        await pilot.click("#search-results")
        assert not pilot.app.quit_requested
        # stale results are dropped: typing on replaces them with the newer query's answer
        await pilot.press(*"hzzz")
        await wait_for(
            pilot, lambda: "No messages" in str(screen.query_one("#search-status", Static).render())
        )
        assert screen.hits == []
        screen.query_one(Input).value = "weather"
        await wait_for(pilot, lambda: len(screen.hits) == 1)
        await pilot.press("enter")
        hit = await result(pilot, future)
        assert hit.conversation_id == alice.id and hit.author_name == "Alice"
        # Esc closes without a hit; quotes and FTS operators in the query do not break it
        screen = SearchScreen(store)
        future = await show(pilot, screen)
        await pilot.press(*'"lunch AND OR ( *')
        status = screen.query_one("#search-status", Static)
        await wait_for(
            pilot,
            lambda: str(status.render()) != "Type to search",
            what="the answer to a query full of FTS syntax",
        )
        assert "Search failed" not in str(status.render())
        await pilot.press("escape")
        assert await result(pilot, future) is None


async def test_search_scope_this_conversation(store: Store) -> None:
    alice = await store.find_conversation(ALICE_UUID)
    assert alice is not None
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = SearchScreen(store, conversation_id=alice.id)
        await show(pilot, screen)
        await pilot.press(*"lunch")
        await wait_for(pilot, lambda: len(screen.hits) == 2)
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: len(screen.hits) == 1)
        assert screen.hits[0].conversation_id == alice.id


async def test_recipient_picker_filters_toggles_and_types(store: Store) -> None:
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = RecipientPicker(store)
        future = await show(pilot, screen)
        await wait_for(pilot, lambda: len(screen.shown) == 3)  # group, Alice, Mallory; not blocked
        labels = [c.label.plain for c in screen.shown]
        assert "Blocky" not in " ".join(labels)
        assert any("Climbing club" in label for label in labels)
        assert not any("\x1b" in label or "\u202e" in label for label in labels)
        await pilot.press(*"ali")
        await wait_for(pilot, lambda: len(screen.shown) == 1)
        await pilot.press("enter")  # toggles the highlighted entry: Alice
        await pilot.pause()
        assert list(screen.chosen) == [ALICE_UUID]
        screen.query_one(Input).value = "+49 151 2345 6789"
        await pilot.pause()
        await pilot.press("enter")  # a typed number is added as it is
        await wait_for(pilot, lambda: "+4915123456789" in screen.chosen)
        screen.query_one(Input).value = "club"
        await wait_for(pilot, lambda: any(c.address == GROUP for c in screen.shown))
        selection = screen.query_one(SelectionList)
        selection.focus()
        selection.highlighted = next(i for i, c in enumerate(screen.shown) if c.address == GROUP)
        await pilot.press("space")
        await pilot.pause()
        chosen_text = str(screen.query_one("#rcpt-chosen", Static).render())
        assert "Alice" in chosen_text and "Climbing club" in chosen_text
        await pilot.press("ctrl+s")
        assert await result(pilot, future) == [ALICE_UUID, "+4915123456789", GROUP]


async def test_recipient_picker_needs_a_choice_and_cancels(store: Store) -> None:
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = RecipientPicker(store, title=f"Forward to {HOSTILE}…")
        future = await show(pilot, screen)
        title = screen.query_one("#rcpt-dialog")._border_title
        assert title is not None and title.plain == f"Forward to {HOSTILE}…"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not future.done()
        assert "at least one" in str(screen.query_one("#rcpt-hint", Static).render())
        await pilot.press("escape")
        assert await result(pilot, future) is None


async def test_search_failure_is_shown_as_a_sentence(tmp_path: Path) -> None:
    broken = await Store.open(tmp_path / "gone.db", account=ACCOUNT)
    await broken.close()  # every query now fails
    async with Host().run_test(size=(80, 24)) as pilot:
        screen = SearchScreen(broken)
        await show(pilot, screen)
        await pilot.press(*"lunch")
        status = screen.query_one("#search-status", Static)
        await wait_for(pilot, lambda: "Search failed" in str(status.render()))
        assert screen.hits == [] and screen.is_current
