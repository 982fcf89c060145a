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
