"""Groups screens as a user tried them: the edit-details permission, Tab in the new-group form,
the add-members picker, removing a member (never yourself). Pilot against the simulator."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.pilot import Pilot
from textual.widgets import Button, DataTable, Input, Select, Static

from signal_tui.simulator.server import Simulator
from signal_tui.simulator.state import Group
from signal_tui.ui.dialogs.confirm import ConfirmScreen
from signal_tui.ui.screens.admin.group_edit import GroupEditScreen
from signal_tui.ui.screens.admin.groups import GroupsScreen
from signal_tui.ui.screens.recipients import RecipientPicker
from tests.ui.harness import AdminHarness, config_for, status, wait_for

StartSim = Callable[..., Awaitable[Simulator]]


def sim_group(sim: Simulator, name: str) -> Group:
    return next(g for g in sim.world.groups.values() if g.name == name)


async def open_groups(app: AdminHarness, pilot: Pilot[Any], name: str) -> GroupsScreen:
    """The Groups screen with `name` highlighted and its members loaded."""
    assert app.session is not None
    groups = GroupsScreen(app.session)
    await app.push_screen(groups)
    await wait_for(pilot, lambda: groups.groups and not groups.busy)
    group = next(g for g in groups.groups if g.name == name)
    groups.query_one("#groups", DataTable).move_cursor(row=groups.groups.index(group))
    members = groups.query_one("#members", DataTable)
    await wait_for(
        pilot,
        lambda: groups.selected().id == group.id and members.row_count == len(group.members),
        what=f"the members of {name}",
    )
    return groups


def details(groups: GroupsScreen) -> str:
    return str(groups.query_one("#group-info", Static).render())


def burst(app: AdminHarness, *keys: str) -> None:
    """Keys as a terminal delivers a fast typist's burst: all queued before any is handled
    (pilot.press waits for the app to settle after each key, which hides the race)."""
    driver = app._driver
    assert driver is not None
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        driver.send_message(event)


async def test_only_admins_can_edit_details_is_saved_and_shown(
    tmp_path: Path, start_sim: StartSim
) -> None:
    sim = await start_sim(mode="json-rpc")
    family = sim_group(sim, "Family")  # the demo account is its admin
    # the server reports edit_group as a copy of send_messages: make the copy say "only admins"
    family.permissions.update(send_messages="only-admins", edit_group="every-member")
    app = AdminHarness(config_for(tmp_path, sim.url, sim.accounts[0]))
    async with app.run_test(size=(120, 40)) as pilot:
        groups = await open_groups(app, pilot, "Family")
        assert "edit details: not reported by the server" in details(groups)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, GroupEditScreen))
        edit = app.screen
        choice = edit.query_one("#edit_group", Select)
        assert choice.value is Select.NULL, "not known, so not shown as a choice already made"
        choice.value = "only-admins"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is groups and not groups.busy)
        assert "Saved" in status(pilot)
        assert family.permissions["edit_group"] == "only-admins", "the server has it"
        assert family.permissions["send_messages"] == "only-admins", "unchanged"
        assert groups.selected().permissions["edit_group"] == "only-admins"
        assert "edit details: only admins" in details(groups)

        # reopened after a refresh from the server: still what was chosen
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not groups.busy)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, GroupEditScreen))
        assert app.screen.query_one("#edit_group", Select).value == "only-admins"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is groups)

        # and back to every member (the server's copy would have said "only admins")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, GroupEditScreen))
        app.screen.query_one("#edit_group", Select).value = "every-member"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is groups and not groups.busy)
        assert family.permissions["edit_group"] == "every-member"
        assert "edit details: every member" in details(groups)


async def test_keys_typed_right_after_tab_go_to_the_next_field(
    tmp_path: Path, start_sim: StartSim
) -> None:
    sim = await start_sim(mode="json-rpc")
    app = AdminHarness(config_for(tmp_path, sim.url, sim.accounts[0]))
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.session is not None
        groups = GroupsScreen(app.session)
        await app.push_screen(groups)
        await wait_for(pilot, lambda: groups.groups and not groups.busy)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, GroupEditScreen))
        form = app.screen
        assert app.focused is form.query_one("#name", Input)
        # back to the name with shift+tab: its text is selected (Textual), typing replaces it
        keys = [*"Trip", "tab", *"Fun", "tab", *"+15550100001", "shift+tab", "shift+tab"]
        burst(app, *keys, *"Hike")
        fields = {f: form.query_one(f"#{f}", Input) for f in ("name", "description", "members")}
        await wait_for(pilot, lambda: fields["name"].value == "Hike", what="the name retyped")
        assert fields["description"].value == "Fun"
        assert fields["members"].value == "+15550100001"


def picker_addresses(picker: RecipientPicker) -> set[str]:
    return {c.address for c in picker.shown}


async def test_add_members_picker_offers_people_not_in_the_group(
    tmp_path: Path, start_sim: StartSim
) -> None:
    sim = await start_sim(mode="json-rpc")
    family = sim_group(sim, "Family")
    people = sim.world.people
    me = sim.accounts[0]
    alice = next(p for p in people.values() if p.profile_name == "Alice Park")
    app = AdminHarness(config_for(tmp_path, sim.url, me))
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.session is not None
        groups = await open_groups(app, pilot, "Family")
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, RecipientPicker))
        picker = app.screen
        await wait_for(pilot, lambda: picker.shown, what="the people offered")
        assert str(picker.query_one("#rcpt-done", Button).label) == "Add"
        hint = picker.query_one("#rcpt-hint", Static)
        assert "ctrl+s adds" in str(hint.render())
        offered = picker_addresses(picker)
        assert not any(a.startswith("group.") for a in offered), "groups are not members"
        assert not offered & set(family.members), "nobody already in the group, you included"
        assert len(offered) >= 5
        assert alice.uuid in offered

        # typed: yourself is refused, saying why
        search = picker.query_one("#rcpt-filter", Input)
        search.value = me
        await wait_for(pilot, lambda: me not in picker_addresses(picker))
        await pilot.press("enter")
        assert "That is you" in str(hint.render())
        assert not picker.chosen

        search.value = "Alice"
        await wait_for(pilot, lambda: picker_addresses(picker) == {alice.uuid}, what="Alice")
        await pilot.press("enter")
        assert list(picker.chosen) == [alice.uuid]
        assert "Adding: Alice" in str(picker.query_one("#rcpt-chosen", Static).render())
        await pilot.click("#rcpt-done")
        await wait_for(pilot, lambda: app.screen is groups and not groups.busy)
        await wait_for(pilot, lambda: alice.uuid in family.members, what="Alice in the group")
        assert "Added" in status(pilot)

        # the same picker for a send: groups too, and it still says "Send"
        send = RecipientPicker(app.session.store)
        await app.push_screen(send)
        await wait_for(pilot, lambda: send.shown)
        assert str(send.query_one("#rcpt-done", Button).label) == "Send"
        assert "ctrl+s sends" in str(send.query_one("#rcpt-hint", Static).render())
        assert any(a.startswith("group.") for a in picker_addresses(send))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is groups)

        # the new-group form picks members the same way
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, GroupEditScreen))
        form = app.screen
        await pilot.click("#pick")
        await wait_for(pilot, lambda: isinstance(app.screen, RecipientPicker))
        picker = app.screen
        await wait_for(pilot, lambda: picker.shown)
        assert str(picker.query_one("#rcpt-done", Button).label) == "Add"
        assert not any(a.startswith("group.") for a in picker_addresses(picker))
        await pilot.press("enter", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is form)
        assert form.query_one("#members", Input).value == picker.shown[0].address


async def test_remove_member_starts_on_someone_else_and_never_offers_you(
    tmp_path: Path, start_sim: StartSim
) -> None:
    sim = await start_sim(mode="json-rpc")
    family = sim_group(sim, "Family")
    me = sim.accounts[0]
    my_uuid = sim.world.accounts[me].person.uuid
    assert family.admins == [my_uuid], "you are its admin: listed first"
    app = AdminHarness(config_for(tmp_path, sim.url, me))
    async with app.run_test(size=(120, 40)) as pilot:
        groups = await open_groups(app, pilot, "Family")
        members = groups.query_one("#members", DataTable)
        assert groups.members[0][0].number == me
        first = groups.members[members.cursor_row][0]
        assert first.number != me, "the selection starts on someone else"

        await pilot.press("x")  # straight from the group list, as a user may
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.question.startswith(f"Remove {first.display_name} from Family")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is groups)

        members.focus()
        members.move_cursor(row=0)  # yourself
        await pilot.press("x")
        await wait_for(pilot, lambda: "press l" in status(pilot), what="told to leave instead")
        assert app.screen is groups, "no question: removing yourself is not offered"
        assert my_uuid in family.members

        # dropping your own admin rights asks first (nobody may be able to give them back)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "your own admin rights" in app.screen.question
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is groups)
        assert my_uuid in family.admins

        # someone else goes after the question
        members.move_cursor(
            row=groups.members.index(next(m for m in groups.members if m[0] == first))
        )
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is groups and not groups.busy)
        await wait_for(pilot, lambda: members.row_count == 3, what="three members left")
        assert first.uuid not in family.members
        assert groups.members[members.cursor_row][0].number != me

        # another group highlighted, its members not loaded yet: x does not use Family's list
        table = groups.query_one("#groups", DataTable)
        crew = next(g for g in groups.groups if g.name == "Climbing crew")
        table.move_cursor(row=groups.groups.index(crew))
        groups.action_remove_member()  # as if x came before the member list
        await wait_for(pilot, lambda: "still loading" in status(pilot))
        assert app.screen is groups
