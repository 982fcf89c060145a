"""Groups through core.admin.Admin: the server changes, and the store follows."""

from __future__ import annotations

import pytest

from signal_tui.core.admin import ActionError

from .conftest import Env


async def _two_contacts(env: Env) -> list[str]:
    contacts = await env.client.contacts(env.account)
    numbers = [c.number for c in contacts if c.number and c.number not in env.sim.accounts]
    assert len(numbers) >= 2
    return numbers[:2]


async def test_refresh_lists_groups_and_fills_the_store(env: Env) -> None:
    groups = await env.admin.refresh_groups()
    assert groups, "the demo scenario has groups"
    names = {g.name for g in groups}
    convs = await env.store.list_conversations()
    stored = {c.title: c for c in convs if c.kind == "group"}
    assert names <= set(stored)
    for g in groups:
        assert stored[g.name].member_count == len(g.members)
        members = await env.admin.group_members(g)
        assert len(members) == len(g.members)


async def test_create_rename_remove_member_leave(env: Env) -> None:
    alice, bob = await _two_contacts(env)
    info = await env.admin.create_group(
        "Book club", [alice, bob], description="Monthly", group_link="enabled",
        permissions={"add_members": "only-admins", "edit_group": "only-admins",
                     "send_messages": "every-member"},
    )  # fmt: skip
    assert info.is_admin and info.role == "admin"
    assert {alice, bob} <= set(info.members)
    conv = await env.store.find_conversation(info.id)
    assert conv is not None and conv.title == "Book club" and conv.description == "Monthly"

    info = await env.admin.rename_group(info.id, "Reading club")
    assert info.name == "Reading club"
    assert (await env.store.find_conversation(info.id)).title == "Reading club"

    info = await env.admin.remove_members(info.id, [bob])
    assert bob not in info.members and alice in info.members
    conv = await env.store.find_conversation(info.id)
    assert conv.member_count == len(info.members)

    info = await env.admin.add_admins(info.id, [alice])
    assert alice in info.admins
    info = await env.admin.edit_group(info.id, timer=3600, description="Weekly")
    assert info.expiry_seconds == 3600 and info.description == "Weekly"
    assert (await env.store.find_conversation(info.id)).expiry_seconds == 3600

    info = await env.admin.leave_group(info.id)
    assert not info.member and info.role == "left"
    assert (await env.store.find_conversation(info.id)).left


async def test_delete_leaves_and_says_so(env1: Env) -> None:
    alice, bob = await _two_contacts(env1)
    info = await env1.admin.create_group("Temp", [alice, bob])
    info = await env1.admin.delete_group(info.id)
    assert not info.member
    from signal_tui.core.admin import DELETE_MEANS_LEAVE

    assert "leaves" in DELETE_MEANS_LEAVE


async def test_bad_input_is_refused_in_plain_words(env1: Env) -> None:
    with pytest.raises(ActionError, match="needs a name"):
        await env1.admin.create_group("  ", [])
    with pytest.raises(ActionError, match="Invite link"):
        await env1.admin.create_group("X", [], group_link="open")
    with pytest.raises(ActionError) as err:
        await env1.admin.rename_group("group.bm9wZQ==", "X")
    assert "group" in str(err.value).lower()


async def test_avatar_from_a_local_file(env1: Env, tmp_path) -> None:
    from PIL import Image

    alice, _ = await _two_contacts(env1)
    info = await env1.admin.create_group("Pics", [alice])
    picture = tmp_path / "avatar.png"
    Image.new("RGB", (16, 16), "red").save(picture)
    await env1.admin.set_group_avatar(info.id, picture)
    assert await env1.admin.group_avatar(info.id) == picture.read_bytes()
    not_image = tmp_path / "notes.txt"
    not_image.write_text("hello")
    with pytest.raises(ActionError, match="not an image"):
        await env1.admin.set_group_avatar(info.id, not_image)
