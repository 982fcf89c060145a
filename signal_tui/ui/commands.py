"""The palette's command registry: every screen and action by plain name, one entry per chat.

This is the one UI module that imports every screen (lazily, when a command runs), so screens
never import each other through a registry.

Conversation names are untrusted. Textual's `Matcher.highlight` parses its argument as markup, so
it is not used here: hits are built as plain `Content` and the matched characters are styled by
offset, so a name like "[@click=app.quit]x[/]" stays literal text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from signal_tui.text import one_line

if TYPE_CHECKING:
    from signal_tui.config import Config
    from signal_tui.core.session import Session
    from signal_tui.ui.app import SignalApp


# --- administration screens ------------------------------------------------------------------


@dataclass(frozen=True)
class AdminCommand:
    """One palette entry: plain name, one-line help, and what to do when chosen."""

    name: str
    help: str
    run: Callable[[SignalApp], None]


def _session(app: SignalApp) -> Session:
    session = app.session
    if session is None or session.store is None:
        app.notify(
            "No account is open yet: finish the account setup first (Account).",
            severity="warning",
            markup=False,
        )
        raise _NoSession
    return session


class _NoSession(Exception):
    """Raised inside a command when there is no open session (already told to the user)."""


def _guard(run: Callable[[SignalApp], None]) -> Callable[[SignalApp], None]:
    def guarded(app: SignalApp) -> None:
        try:
            run(app)
        except _NoSession:
            pass

    guarded.__name__ = run.__name__
    guarded.__doc__ = run.__doc__
    return guarded


def _groups(app: SignalApp) -> None:
    from signal_tui.ui.screens.admin.groups import GroupsScreen

    app.push_screen(GroupsScreen(_session(app)))


def _devices(app: SignalApp) -> None:
    from signal_tui.ui.screens.admin.devices import DevicesScreen

    app.push_screen(DevicesScreen(_session(app)))


def _apply_config(app: SignalApp, config: Config | None) -> None:
    """After setup/switch: the app switches to the new account live."""
    if config is not None:
        app.switch_account(config)


def _account(app: SignalApp) -> None:
    from signal_tui.ui.screens.admin.account import AccountSetupScreen

    app.push_screen(
        AccountSetupScreen(app.config),
        callback=lambda cfg: _apply_config(app, cfg),
    )


def _profile(app: SignalApp) -> None:
    from signal_tui.ui.screens.admin.profile import ProfileScreen

    app.push_screen(ProfileScreen(_session(app)))


def _contacts(app: SignalApp) -> None:
    from signal_tui.store.models import Conversation
    from signal_tui.ui.screens.admin.contacts import ContactsScreen

    def chosen(conversation: Conversation | None) -> None:
        if conversation is not None:
            app.open_conversation(conversation.id)

    app.push_screen(ContactsScreen(_session(app)), chosen)


def _identities(app: SignalApp) -> None:
    from signal_tui.ui.screens.admin.identities import IdentitiesScreen

    app.push_screen(IdentitiesScreen(_session(app)))


def _attachments(app: SignalApp) -> None:
    from signal_tui.ui.screens.admin.server_attachments import ServerAttachmentsScreen

    app.push_screen(ServerAttachmentsScreen(_session(app)))


def _switch(app: SignalApp) -> None:
    from signal_tui.ui.screens.admin.account import SwitchAccountScreen

    app.push_screen(
        SwitchAccountScreen(app.config),
        callback=lambda cfg: _apply_config(app, cfg),
    )


def review_safety_number(
    app: SignalApp, address: str, then: Callable[[Any], None] | None = None
) -> None:
    """For the conversation view: a send failed because `address`'s safety number changed.
    Opens the safety numbers with that contact selected (v = verify, t = trust the new key);
    `then` runs when the user closes it (e.g. messenger.trust_and_resend after trusting)."""
    from signal_tui.ui.screens.admin.identities import IdentitiesScreen

    try:
        session = _session(app)
    except _NoSession:
        return
    app.push_screen(IdentitiesScreen(session, focus=address), then)


ADMIN_COMMANDS: list[AdminCommand] = [
    AdminCommand("Groups", "List groups, create, edit members, leave or block", _guard(_groups)),
    AdminCommand(
        "Devices", "Linked devices: link a new one, remove, sync contacts", _guard(_devices)
    ),
    AdminCommand("Account", "Server connection and account setup (link or register)", _account),
    AdminCommand(
        "Profile", "Your name, about, avatar, username and privacy settings", _guard(_profile)
    ),
    AdminCommand(
        "Contacts", "Search contacts, rename locally, block, start a chat", _guard(_contacts)
    ),
    AdminCommand(
        "Safety numbers", "Verify and trust contacts' safety numbers", _guard(_identities)
    ),
    AdminCommand(
        "Server attachments", "Attachments stored on the server: list, delete", _attachments
    ),
    AdminCommand("Switch account", "Use another account registered on this server", _switch),
]


# --- the palette -----------------------------------------------------------------------------------


def _entries(textual_app: App[Any]) -> list[tuple[str, str, Callable[[], Any]]]:
    app = cast("SignalApp", textual_app)
    out: list[tuple[str, str, Callable[[], Any]]] = [
        ("Search messages", "Full-text search over every conversation", app.action_search),
        ("Help: keys", "Every key, grouped by where it works", app.action_help),
    ]
    main = app.main
    if main is not None:
        out.append(
            ("New conversation", "Start a chat by +number or UUID", main.action_new_conversation)
        )
        out.append(("Filter conversations", "Type to narrow the list", main.action_focus_filter))
        out.append(
            (
                "Next unread conversation",
                "Open the next chat with unread messages (alt+↓)",
                main.action_next_unread,
            )
        )
        out.append(("Create a poll", "Ask a question in the open chat", main.action_new_poll))
        out.append(("Send a sticker", "From a pack installed on the server", main.action_sticker))
        out.append(
            (
                "Disappearing messages",
                "Set the open chat's timer (off, 30 s … 4 weeks)",
                main.action_disappearing,
            )
        )
        out.append(
            (
                "Send to several contacts",
                "One message to many people; per-recipient results in each chat",
                main.action_send_to_many,
            )
        )
    for name, help_text, run in app.extra_commands:
        out.append((one_line(name), one_line(help_text), run))
    for cmd in ADMIN_COMMANDS:
        out.append((one_line(cmd.name), one_line(cmd.help), partial(cmd.run, app)))
    if main is not None:
        records = main.conv_list.records
        for cid in sorted(records, key=lambda c: -records[c].last_activity):
            conv = records[cid]
            name = one_line(conv.title, 60) or "Unknown"
            out.append(
                (
                    f"Open conversation: {name}",
                    "group" if conv.kind == "group" else one_line(conv.number or conv.address),
                    partial(app.open_conversation, cid),
                )
            )
    return out


class SignalCommands(Provider):
    """Palette entries for signal-tui."""

    async def discover(self) -> Hits:
        for name, help_text, callback in _entries(self.app)[:40]:
            yield DiscoveryHit(Content(name), callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in _entries(self.app):
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score, highlight(matcher, query, name), callback, text=name, help=help_text
                )


def highlight(matcher: Matcher, query: str, text: str) -> Content:
    """`text` as plain Content with the fuzzy-matched characters styled (no markup parsing)."""
    content = Content(text)
    try:
        _score, offsets = matcher.fuzzy_search.match(query, text)
    except Exception:
        return content
    for offset in offsets:
        if offset < len(text) and not text[offset].isspace():
            content = content.stylize("bold reverse", offset, offset + 1)
    return content
