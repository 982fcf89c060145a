"""The group details text: every fact the issue lists, untrusted names never markup."""

from __future__ import annotations

from signal_tui.core.admin import GroupInfo
from signal_tui.ui.screens.admin.groups import details_text


def test_details_show_invites_requests_link_permissions_timer() -> None:
    names = {"+1555": "[bold]Mallory[/bold]"}
    info = GroupInfo(
        id="group.x", name="[red]Club[/red]\x1b[2J", description="Be nice",
        members=("+1", "+2"), admins=("+1",), pending_invites=("+1555",),
        pending_requests=("uuid-9",), invite_link="https://signal.group/#abc",
        permissions={"add_members": "only-admins", "send_messages": "every-member"},
        expiry_seconds=604800, is_admin=True,
    )  # fmt: skip
    text = details_text(info, names, "+1").plain
    assert "[red]Club[/red]" in text and "\x1b" not in text
    assert "2 members · you are an admin" in text
    assert "Invite link: enabled https://signal.group/#abc" in text
    assert "add members: only admins" in text and "send messages: every member" in text
    assert "Disappearing messages: 1 week" in text
    assert "Invited, not yet joined (1): [bold]Mallory[/bold]" in text
    assert "Asking to join (1): uuid-9" in text
    left = details_text(GroupInfo(id="group.y", name="Old", member=False, blocked=True), {}, "+1")
    assert "you left this group · blocked" in left.plain
    assert "Invite link: disabled" in left.plain


def test_counts_read_as_english() -> None:
    """'1 member', never '1 members' (group details and the chat header)."""
    from signal_tui.store.models import Conversation
    from signal_tui.ui.widgets.render import conversation_subtitle

    one = details_text(GroupInfo(id="group.z", name="Solo", members=("+1",)), {}, "+1")
    assert "1 member · " in one.plain and "1 members" not in one.plain
    conv = Conversation(id=1, kind="group", address="group.x", title="Solo", member_count=1)
    assert "1 member" in conversation_subtitle(conv) and "1 members" not in conversation_subtitle(
        conv
    )
    conv2 = Conversation(id=2, kind="group", address="group.y", title="Duo", member_count=2)
    assert "2 members" in conversation_subtitle(conv2)
