"""Group fixes in core.admin: the edit_group permission the server does not report, and
removing yourself (which only leaving the group may do)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from signal_tui.core.admin import ActionError
from signal_tui.simulator.state import Group

from .conftest import Env


def _sim_group(env: Env, name: str) -> Group:
    return next(g for g in env.sim.world.groups.values() if g.name == name)


async def test_server_mirrors_send_messages_into_edit_group(env1: Env) -> None:
    """The premise: GET reports edit_group = send_messages whatever edit_group is."""
    family = _sim_group(env1, "Family")
    family.permissions.update(edit_group="only-admins", send_messages="every-member")
    group = await env1.client.group(env1.account, family.id)
    assert group.permissions.edit_group == "every-member"


async def test_edit_group_unknown_until_set_then_what_was_set(env: Env) -> None:
    family = _sim_group(env, "Family")
    family.permissions.update(send_messages="only-admins", edit_group="every-member")
    info = await env.admin.refresh_group(family.id)
    assert "edit_group" not in info.permissions, "the server's copy of send_messages is not shown"
    assert info.permissions["send_messages"] == "only-admins"

    info = await env.admin.edit_group(family.id, permissions={"edit_group": "only-admins"})
    assert family.permissions["edit_group"] == "only-admins", "sent to the server"
    assert info.permissions["edit_group"] == "only-admins"
    again = await env.admin.refresh_groups()
    assert next(g for g in again if g.id == family.id).permissions["edit_group"] == "only-admins"

    info = await env.admin.set_group_permissions(family.id, edit_group="every-member")
    assert family.permissions["edit_group"] == "every-member"
    assert info.permissions["edit_group"] == "every-member"


async def test_create_remembers_the_edit_permission(env1: Env) -> None:
    numbers = [c.number for c in await env1.client.contacts(env1.account) if c.number]
    perms = {"add_members": "every-member", "edit_group": "only-admins",
             "send_messages": "every-member"}  # fmt: skip
    info = await env1.admin.create_group("Choir", numbers[:1], permissions=perms)
    assert _sim_group(env1, "Choir").permissions == perms
    assert info.permissions == perms


async def test_a_server_that_reports_edit_group_apart_is_believed(env1: Env) -> None:
    family = _sim_group(env1, "Family")
    family.permissions.update(send_messages="every-member", edit_group="only-admins")
    real = env1.client.group

    async def fixed(number: str, group_id: str) -> Any:
        group = await real(number, group_id)
        perms = dataclasses.replace(group.permissions, edit_group="only-admins")
        return dataclasses.replace(group, permissions=perms)

    env1.client.group = fixed  # type: ignore[method-assign]
    info = await env1.admin.refresh_group(family.id)
    assert info.permissions["edit_group"] == "only-admins"


async def test_removing_yourself_is_refused_leaving_is_the_way(env1: Env) -> None:
    family = _sim_group(env1, "Family")
    me = env1.sim.world.accounts[env1.account].person
    with pytest.raises(ActionError, match="leave the group"):
        await env1.admin.remove_members(family.id, [f" {env1.account} "])
    assert me.uuid in family.members
