"""Issue 5 "done when", as a new user would do it, against the simulator in both modes:
fresh data dir → set up an account by linking → create a group with two contacts → rename →
remove a member → leave; link and remove a device; change the profile name keeping the avatar."""

from __future__ import annotations

import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from PIL import Image
from textual.widgets import ContentSwitcher, DataTable, Input, OptionList

from signal_tui.simulator.server import Simulator
from signal_tui.ui.screens.admin.account import LINK, AccountSetupScreen, SwitchAccountScreen
from signal_tui.ui.screens.admin.devices import DevicesScreen
from signal_tui.ui.screens.admin.group_edit import GroupEditScreen
from signal_tui.ui.screens.admin.groups import GroupsScreen
from signal_tui.ui.screens.admin.profile import ProfileScreen
from signal_tui.ui.widgets.qr import QRCode
from tests.ui.harness import LINK_URI, AdminHarness, config_for, contact_numbers, status, wait_for


def _cell(table: DataTable, row: int, col: int) -> str:
    return str(table.get_row_at(row)[col])


@pytest.mark.parametrize("mode", ["json-rpc", "normal"])
async def test_new_user_end_to_end(
    mode: str, tmp_path: Path, start_sim: Callable[..., Awaitable[Simulator]]
) -> None:
    sim = await start_sim(mode=mode, reply_delay=0.2)
    url = sim.url
    sim.link_delay = 1.5
    alice, bob = contact_numbers(sim)
    primary = sim.accounts[0]
    config = config_for(tmp_path, None)
    app = AdminHarness(config, lambda a: AccountSetupScreen(a.config, poll_interval=0.1))
    async with app.run_test(size=(120, 40)) as pilot:
        # --- account setup: server URL, diagnosis, link this server as a new device ---
        setup = app.screen
        assert isinstance(setup, AccountSetupScreen)
        setup.query_one("#url", Input).value = url
        await pilot.press("enter")
        await wait_for(pilot, lambda: setup.query_one(ContentSwitcher).current == "choose")
        assert "Connected" in str(setup.query_one("#diagnosis").render())
        choices = setup.query_one("#choices", OptionList)
        choices.highlighted = choices.get_option_index(LINK)
        await pilot.press("enter")
        await wait_for(pilot, lambda: setup.link_uri)
        assert setup.link_uri.startswith("sgnl://linkdevice?")
        if app.screen is setup:  # not yet linked (the simulator links after 1.5 s)
            qr = setup.query_one("#qr", QRCode)
            assert qr.data == setup.link_uri and qr.lines(), "the QR code is drawn"
        await wait_for(pilot, lambda: app.results)
        new_config = app.results[-1]
        assert new_config.account not in (None, primary) and new_config.url == url
        saved = tomllib.loads(config.config_file.read_text())
        assert saved == {"url": url, "account": new_config.account}
        await app.use_config(new_config)
        account = new_config.account

        # --- groups: create with two contacts, rename, remove a member, leave ---
        groups = GroupsScreen(app.session)
        await app.push_screen(groups)
        await wait_for(pilot, lambda: not groups.busy)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, GroupEditScreen))
        edit = app.screen
        edit.query_one("#name", Input).value = "Weekend trip"
        edit.query_one("#members", Input).value = f"{alice}, {bob}"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is groups and groups.groups)
        table = groups.query_one("#groups", DataTable)
        assert _cell(table, 0, 0) == "Weekend trip" and _cell(table, 0, 2) == "admin"
        gid = groups.groups[0].id
        store = app.session.store
        assert (await store.find_conversation(gid)).title == "Weekend trip"

        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, GroupEditScreen))
        app.screen.query_one("#name", Input).value = "Weekend trip 2026"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is groups and not groups.busy)
        await wait_for(pilot, lambda: _cell(table, 0, 0) == "Weekend trip 2026")
        assert (await store.find_conversation(gid)).title == "Weekend trip 2026"

        members = groups.query_one("#members", DataTable)
        await wait_for(pilot, lambda: members.row_count == 3)
        members.focus()
        row = next(i for i, (r, _) in enumerate(groups.members) if r.number == bob)
        members.move_cursor(row=row)
        await pilot.press("x")
        await pilot.press("y")  # confirm
        await wait_for(pilot, lambda: not groups.busy and members.row_count == 2)
        assert bob not in groups.groups[0].members
        assert (await store.find_conversation(gid)).member_count == 2

        await pilot.press("l")
        await pilot.press("y")
        await wait_for(pilot, lambda: _cell(table, 0, 2) == "left")
        assert (await store.find_conversation(gid)).left
        await pilot.press("escape")

        # --- devices: a linked server cannot link others; the primary account can ---
        devices = DevicesScreen(app.session)
        await app.push_screen(devices)
        await wait_for(pilot, lambda: devices.devices)
        assert [d.id for d in devices.devices if d.this_device] == [2]
        await pilot.press("l")
        app.screen.query_one(Input).value = LINK_URI
        await pilot.press("enter")
        await wait_for(pilot, lambda: not devices.busy)
        assert "not the primary device" in status(pilot)
        await pilot.press("escape")

        switch = SwitchAccountScreen(app.config, poll_interval=0.1)
        await app.push_screen(switch, app.switch_account)
        await wait_for(pilot, lambda: switch.query_one(ContentSwitcher).current == "choose")
        opts = switch.query_one("#choices", OptionList)
        opts.highlighted = opts.get_option_index(primary)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.account == primary)
        assert tomllib.loads(config.config_file.read_text())["account"] == primary

        devices = DevicesScreen(app.session)
        await app.push_screen(devices)
        await wait_for(pilot, lambda: devices.devices)
        before = len(devices.devices)
        await pilot.press("l")
        app.screen.query_one(Input).value = LINK_URI
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(devices.devices) == before + 1)
        table = devices.query_one("#devices", DataTable)
        table.move_cursor(row=before)
        await pilot.press("x")
        await pilot.press("y")
        await wait_for(pilot, lambda: len(devices.devices) == before)
        await pilot.press("escape")

        # --- profile: change the name, the avatar stays ---
        picture = tmp_path / "me.png"
        Image.new("RGB", (20, 20), "green").save(picture)
        profile = ProfileScreen(app.session)
        await app.push_screen(profile)
        await wait_for(pilot, lambda: profile.profile is not None and not profile.busy)
        assert "Type your profile name" in status(pilot)  # the server does not say it
        profile.query_one("#name", Input).value = "Me"
        profile.query_one("#avatar", Input).value = str(picture)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not profile.busy and profile.profile.has_avatar)
        preview = profile.query_one("#avatar-preview")
        await wait_for(pilot, lambda: "▀" in str(preview.render()))  # picture shown
        profile.query_one("#name", Input).value = "Renamed Me"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not profile.busy and profile.profile.name == "Renamed Me")
        person = sim.world.accounts[primary].person
        assert person.profile_name == "Renamed Me"
        assert person.avatar == picture.read_bytes()
        assert account != primary
