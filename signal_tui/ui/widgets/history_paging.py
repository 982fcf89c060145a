"""Paging for the history view: keyset pages from the store, a bounded window, steady anchors.

A mixin so the view module stays about painting. The host (History) provides `messages`,
`_relayout`, `_top_anchor`, `_restore_anchor`, `_stick_to_bottom` and the scroll API.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from signal_tui.store.models import Message

if TYPE_CHECKING:
    from signal_tui.store import Store

PAGE = 60
MAX_WINDOW = 600


class HistoryPaging:
    """Loads pages into `self.messages`; never more than MAX_WINDOW messages in memory."""

    store: Store | None
    conversation_id: int | None
    is_group: bool
    messages: list[Message]
    more_before: bool
    more_after: bool
    follow: bool
    new_from: int | None
    new_label: str
    selected_id: int | None
    highlight_id: int | None
    revealed: set[int]
    self_id: int | None
    names: dict[int, str]
    loads: int
    _loading: bool
    _cache: dict[Any, Any]

    if TYPE_CHECKING:

        def _relayout(self) -> None: ...
        def _stick_to_bottom(self) -> None: ...
        def _start_at_new(self) -> None: ...
        def _scroll_to_new(self) -> None: ...
        def _top_anchor(self) -> tuple[int, int] | None: ...
        def _restore_anchor(self, anchor: tuple[int, int] | None) -> None: ...
        def call_after_refresh(self, callback: Any, *args: Any) -> bool: ...

    # --- data ------------------------------------------------------------------------------
    async def open(
        self,
        store: Store,
        conversation_id: int,
        *,
        is_group: bool,
        unread: tuple[int, int] | None = None,
    ) -> None:
        """Show a conversation: one page query (newest page), painted at the bottom. With
        `unread` (first unread message id, how many), a "new messages" divider stands before
        it and the view starts there when the new messages do not fit on one screen."""
        self.store, self.conversation_id, self.is_group = store, conversation_id, is_group
        self.selected_id = self.highlight_id = None
        self.revealed.clear()
        self._cache.clear()
        self.new_from, self.new_label = None, ""
        if unread is not None:
            n = unread[1]
            self.new_from = unread[0]
            self.new_label = "1 new message" if n == 1 else f"{n} new messages"
        if self.self_id is None:
            me = await store.self_recipient()
            self.self_id = me.id if me is not None else None
        page = await store.messages_before(conversation_id, None, limit=PAGE)
        self.more_before = len(page) >= PAGE
        self.more_after = False
        at_line = self.new_from is not None and all(m.id != self.new_from for m in page)
        if at_line:
            page = await self._window_at_new_line()  # more unread than a page
        self.loads += 1
        self.messages = page
        await self._resolve_names(page)
        self._relayout()
        self.follow = not at_line
        if not at_line:  # (at the line, the bottom of the window is not the newest message)
            self._stick_to_bottom()
        if self.new_from is not None:
            self._start_at_new()

    async def _window_at_new_line(self) -> list[Message]:
        """The window that starts a little before the first unread message."""
        assert self.store is not None and self.new_from is not None
        page = await self.store.message_context(self.new_from, before=PAGE // 4, after=PAGE)
        self.more_before = True
        self.more_after = bool(page) and await self._has_newer(page[-1])
        return page

    async def _has_newer(self, last: Message) -> bool:
        return bool(await self.store.messages_after(self.conversation_id, last.cursor, limit=1))

    async def show_newest(self) -> None:
        """Jump to the newest page (after paging back, a new message, our own send)."""
        if self.store is None or self.conversation_id is None:
            return
        page = await self.store.messages_before(self.conversation_id, None, limit=PAGE)
        self.loads += 1
        await self._resolve_names(page)
        self.messages = page
        self.more_before = len(page) >= PAGE
        self.more_after = False
        self.selected_id = None
        self._relayout()
        self.follow = True
        self._stick_to_bottom()

    async def show_new_line(self) -> None:
        """Load the window at the "new messages" divider again (G or paging moved past it)."""
        if self.store is None or self.new_from is None:
            return
        page = await self._window_at_new_line()
        if not page:
            return
        self.loads += 1
        await self._resolve_names(page)
        self.messages = page
        self.follow = False
        self._relayout()
        self.call_after_refresh(self._scroll_to_new)

    async def open_around(self, store: Store, conversation_id: int, message_id: int) -> None:
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
        at_bottom = self.follow or self.is_vertical_scroll_end or self.max_scroll_y == 0
        loads = self.loads
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
        await self._resolve_names(page)
        if self.loads != loads:  # a key (G, u, a search hit) loaded another window meanwhile:
            await self.reload()  # this re-read was of the old one and must not undo it
            return
        self.loads += 1
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
