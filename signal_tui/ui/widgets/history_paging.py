"""Paging for the history view: keyset pages from the store, a bounded window, steady anchors.

A mixin so the view module stays about painting. The host (History) provides `messages`,
`_relayout`, `_top_anchor`, `_restore_anchor`, `_stick_to_bottom` and the scroll API.
"""

from __future__ import annotations

from typing import Any

from signal_tui.store.models import Message

PAGE = 60
MAX_WINDOW = 600


class HistoryPaging:
    """Loads pages into `self.messages`; never more than MAX_WINDOW messages in memory."""

    store: Any
    conversation_id: int | None
    is_group: bool
    messages: list[Message]
    more_before: bool
    more_after: bool
    selected_id: int | None
    highlight_id: int | None
    revealed: set[int]
    self_id: int | None
    names: dict[int, str]
    loads: int
    _loading: bool
    _cache: dict[Any, Any]

    # --- data ------------------------------------------------------------------------------
    async def open(self, store: Any, conversation_id: int, *, is_group: bool) -> None:
        """Show a conversation: one page query (newest page), then paint at the bottom."""
        self.store, self.conversation_id, self.is_group = store, conversation_id, is_group
        self.selected_id = self.highlight_id = None
        self.revealed.clear()
        self._cache.clear()
        if self.self_id is None:
            me = await store.self_recipient()
            self.self_id = me.id if me is not None else None
        page = await store.messages_before(conversation_id, None, limit=PAGE)
        self.loads += 1
        self.messages = page
        self.more_before = len(page) >= PAGE
        self.more_after = False
        await self._resolve_names(page)
        self._relayout()
        self._stick_to_bottom()

    async def open_around(self, store: Any, conversation_id: int, message_id: int) -> None:
        """Show the context around one message (search result) and highlight it."""
        self.store, self.conversation_id = store, conversation_id
        self._cache.clear()
        page = await store.message_context(message_id, before=PAGE // 2, after=PAGE // 2)
        self.loads += 1
        await self._resolve_names(page)
        self.messages = page
        self.more_before = True
        self.more_after = True
        self.highlight_id = self.selected_id = message_id
        self._relayout()
        self.call_after_refresh(self._scroll_to_selected, True)

    async def reload(self) -> None:
        """Re-read the current window after a change notice (new, edited, receipts...)."""
        if self.store is None or self.conversation_id is None:
            return
        at_bottom = self.is_vertical_scroll_end or self.max_scroll_y == 0
        if not self.more_after or not self.messages:
            limit = min(MAX_WINDOW, max(PAGE, len(self.messages) + 10))
            page = await self.store.messages_before(self.conversation_id, None, limit=limit)
            self.more_before = len(page) >= limit
        else:
            first, last = self.messages[0], self.messages[-1]
            page = await self.store.messages_after(
                self.conversation_id, (first.sent_ts, first.id - 1), limit=len(self.messages)
            )
            if page and last.id not in {m.id for m in page}:
                self.more_after = True
        self.loads += 1
        await self._resolve_names(page)
        anchor = self._top_anchor()
        self.messages = page
        self._relayout()
        if at_bottom and not self.more_after:
            self._stick_to_bottom()
        else:
            self._restore_anchor(anchor)

    async def _load_older(self) -> None:
        if self._loading or not self.more_before or not self.messages:
            return
        self._loading = True
        try:
            page = await self.store.messages_before(
                self.conversation_id, self.messages[0].cursor, limit=PAGE
            )
            self.loads += 1
            self.more_before = len(page) >= PAGE
            if not page:
                return
            await self._resolve_names(page)
            anchor = self._top_anchor()
            self.messages = page + self.messages
            if len(self.messages) > MAX_WINDOW:
                self.messages = self.messages[:MAX_WINDOW]
                self.more_after = True
            self._relayout()
            self._restore_anchor(anchor)
        finally:
            self._loading = False

    async def _load_newer(self) -> None:
        if self._loading or not self.more_after or not self.messages:
            return
        self._loading = True
        try:
            page = await self.store.messages_after(
                self.conversation_id, self.messages[-1].cursor, limit=PAGE
            )
            self.loads += 1
            self.more_after = len(page) >= PAGE
            if not page:
                return
            await self._resolve_names(page)
            anchor = self._top_anchor()
            self.messages = self.messages + page
            if len(self.messages) > MAX_WINDOW:
                self.messages = self.messages[-MAX_WINDOW:]
                self.more_before = True
            self._relayout()
            self._restore_anchor(anchor)
        finally:
            self._loading = False

    async def _resolve_names(self, messages: list[Message]) -> None:
        """Mentions carry the number/UUID as their name: look the person up once."""
        for m in messages:
            for mention in m.mentions:
                rid = mention.recipient_id
                if rid is not None and rid not in self.names:
                    rcpt = await self.store.get_recipient(rid)
                    self.names[rid] = rcpt.display_name if rcpt is not None else mention.name

    def update_message(self, message: Message) -> None:
        """Replace one message in place (optimistic actions) if it is in the window."""
        for i, m in enumerate(self.messages):
            if m.id == message.id:
                self.messages[i] = message
                self._relayout()
                return
