"""The help screen's text: every key, grouped by where it works."""

from __future__ import annotations

HELP_SECTIONS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Everywhere",
        [
            ("ctrl+p", "command palette: every screen and action, open any conversation"),
            ("ctrl+f", "search all messages"),
            ("ctrl+n", "new conversation by +number or UUID"),
            ("alt+↓ / ctrl+↓", "next conversation with unread messages"),
            ("tab / shift+tab", "move between list, history and composer"),
            ("F1", "this help (also ? where you are not typing)"),
            ("esc", "back / cancel"),
            ("ctrl+q", "quit"),
        ],
    ),
    (
        "Conversation list",
        [
            ("j / k, ↑ / ↓", "move"),
            ("enter", "open the conversation"),
            ("/ or ctrl+l", "filter conversations (type a +number to start a chat)"),
        ],
    ),
    (
        "History",
        [
            ("j / k, ↑ / ↓", "select a message"),
            ("enter", "actions: reply, react, edit, delete, copy, details, retry…"),
            ("ctrl+r", "reply to the selected message"),
            ("l", "open the selected message's link (a list when it has several)"),
            ("g / G", "oldest loaded / newest"),
            ("u", 'to the first unread message (the "new messages" line)'),
        ],
    ),
    (
        "Composer",
        [
            ("enter", "send"),
            ("ctrl+j / shift+enter", "new line"),
            ("ctrl+e", "write in $EDITOR"),
            ("ctrl+a", "attach files (or paste a file path)"),
            ("@", "mention a group member"),
            ("esc", "cancel reply / edit"),
        ],
    ),
]
