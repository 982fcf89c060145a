"""Pilot tests of the admin flows not covered by the end-to-end test: registration (captcha,
code, PIN), palette commands, contacts, safety numbers, server attachments, group members and
permissions. Real simulator on the test loop, real store; few app starts."""

from __future__ import annotations

import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.widgets import Checkbox, ContentSwitcher, DataTable, Input, OptionList

from signal_tui.simulator.server import Simulator
from signal_tui.ui.commands import ADMIN_COMMANDS, review_safety_number
from signal_tui.ui.screens.admin.account import (
    LINK,
    REGISTER,
    AccountSetupScreen,
    SwitchAccountScreen,
)
from signal_tui.ui.screens.admin.contacts import ContactsScreen
from signal_tui.ui.screens.admin.devices import DevicesScreen
from signal_tui.ui.screens.admin.group_edit import GroupEditScreen
from signal_tui.ui.screens.admin.groups import GroupsScreen
from signal_tui.ui.screens.admin.identities import IdentitiesScreen
from signal_tui.ui.screens.admin.profile import ProfileScreen
from signal_tui.ui.screens.admin.server_attachments import ServerAttachmentsScreen
from tests.ui.harness import AdminHarness, config_for, status, wait_for

StartSim = Callable[..., Awaitable[Simulator]]


async def test_register_with_captcha_code_and_pin(tmp_path: Path, start_sim: StartSim) -> None:
    sim = await start_sim(mode="normal")
    url = sim.url
    number = "+15557770001"
    sim.pin_locked[number] = "4321"
    config = config_for(tmp_path, url)
    app = AdminHarness(config, lambda a: AccountSetupScreen(a.config))
    async with app.run_test(size=(100, 40)) as pilot:
        setup = app.screen
        ADMIN_COMMANDS[0].run(app)  # "Groups" before any account exists: told, not crashed
        await pilot.pause()
        assert app.screen is setup
        assert any("finish the account setup" in str(n.message) for n in app._notifications)
        await wait_for(pilot, lambda: "normal mode" in str(setup.query_one("#diagnosis").render()))
        await pilot.click("#continue")
        await wait_for(pilot, lambda: setup.query_one(ContentSwitcher).current == "choose")
        choices = setup.query_one("#choices", OptionList)
        choices.highlighted = choices.get_option_index(REGISTER)
        await pilot.press("enter")
        assert setup.query_one(ContentSwitcher).current == "register"
        setup.query_one("#number", Input).value = "+1 555 777-0001"
        await pilot.press("enter")
        await wait_for(pilot, lambda: setup.query_one("#captcha-box").has_class("-shown"))
        help_text = str(setup.query_one("#captcha-help").render())
        assert "signalcaptchas.org" in help_text and "signalcaptcha://" in help_text
        # voice before any SMS: refused with the reason
        setup.query_one("#voice", Checkbox).value = True
        setup.query_one("#captcha", Input).value = "signalcaptcha://token-123"
        setup.request_code()
        await wait_for(pilot, lambda: "SMS code first" in status(pilot))
        setup.query_one("#voice", Checkbox).value = False
        setup.request_code()
        await wait_for(pilot, lambda: "Code requested by SMS" in status(pilot))
        setup.query_one("#code", Input).value = "999-999"
        setup.verify_code()
        await wait_for(pilot, lambda: "code is wrong" in status(pilot))
        setup.query_one("#code", Input).value = "123-456"
        setup.verify_code()
        await wait_for(pilot, lambda: "PIN" in status(pilot))
        setup.query_one("#pin", Input).value = "0000"
        setup.verify_code()
        await wait_for(pilot, lambda: "wrong registration pin" in status(pilot).lower())
        setup.query_one("#pin", Input).value = "4321"
        setup.verify_code()
        await wait_for(pilot, lambda: app.results)
    assert app.results[-1].account == number
    assert tomllib.loads(config.config_file.read_text())["account"] == number
    assert number in sim.accounts


async def test_palette_commands_and_people_screens(tmp_path: Path, start_sim: StartSim) -> None:
    sim = await start_sim(mode="json-rpc")
    url = sim.url
    account = sim.accounts[0]
    app = AdminHarness(config_for(tmp_path, url, account))
    async with app.run_test(size=(120, 40)) as pilot:
        # every palette entry opens its screen
        expected = {
            "Groups": GroupsScreen, "Devices": DevicesScreen, "Account": AccountSetupScreen,
            "Profile": ProfileScreen, "Contacts": ContactsScreen,
            "Safety numbers": IdentitiesScreen, "Server attachments": ServerAttachmentsScreen,
            "Switch account": SwitchAccountScreen,
        }  # fmt: skip
        assert [c.name for c in ADMIN_COMMANDS] == list(expected)
        for command in ADMIN_COMMANDS:
            command.run(app)
            await pilot.pause()
            assert type(app.screen) is expected[command.name]
            await wait_for(pilot, lambda: not getattr(app.screen, "busy", False))
            app.pop_screen()
            await pilot.pause()

        # contacts: rename (only for you), block, start a chat
        contacts = ContactsScreen(app.session)
        await app.push_screen(contacts)
        await wait_for(pilot, lambda: contacts.contacts and not contacts.busy)
        alice = next(c for c in contacts.contacts if c.display_name == "Alice")
        contacts.query_one(DataTable).move_cursor(row=contacts.contacts.index(alice))
        await pilot.press("r")
        app.screen.query_one(Input).value = "Ally [b]x[/b]"
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: any(c.display_name == "Ally [b]x[/b]" for c in contacts.contacts)
        )
        table = contacts.query_one(DataTable)
        assert str(table.get_row_at(table.cursor_row)[0]) == "Ally [b]x[/b]"  # no markup
        await pilot.press("b")
        await wait_for(pilot, lambda: contacts.selected().blocked)
        assert "no call to block" in status(pilot)
        contacts.query_one("#contact-search", Input).value = "ally"
        await wait_for(pilot, lambda: len(contacts.contacts) == 1)
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not contacts)
        conv = await app.session.store.find_conversation(alice.address)
        assert conv is not None

        # safety numbers: verify after comparing
        review_safety_number(app, alice.number)  # what a failed send offers
        await pilot.pause()
        ids = app.screen
        assert isinstance(ids, IdentitiesScreen)
        await wait_for(pilot, lambda: ids.identities and not ids.busy)
        assert ids.selected().number == alice.number
        await pilot.press("v")
        await pilot.press("y")
        await wait_for(pilot, lambda: ids.selected().status == "verified")
        await pilot.press("escape")

        # server attachments: sizes, delete one
        files = ServerAttachmentsScreen(app.session)
        await app.push_screen(files)
        await wait_for(pilot, lambda: files.items and "in all" in status(pilot))
        before = len(files.items)
        await pilot.press("x")
        await pilot.press("y")
        await wait_for(pilot, lambda: len(files.items) == before - 1)
        await pilot.press("escape")

        # groups: a member who is not admin is told why; an admin adds and promotes
        groups = GroupsScreen(app.session)
        await app.push_screen(groups)
        await wait_for(pilot, lambda: groups.groups and not groups.busy)
        crew = next(g for g in groups.groups if g.name == "Climbing crew")
        family = next(g for g in groups.groups if g.name == "Family")
        table = groups.query_one("#groups", DataTable)
        table.move_cursor(row=groups.groups.index(crew))
        await pilot.press("e")
        edit = app.screen
        assert isinstance(edit, GroupEditScreen)
        edit.query_one("#add_members").value = "only-admins"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "only admins" in status(pilot).lower())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is groups)
        table.move_cursor(row=groups.groups.index(family))
        await wait_for(pilot, lambda: groups.members)
        await pilot.press("a")
        picker = app.screen
        picker.query_one(Input).value = "+15550100005"
        await pilot.press("enter")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "+15550100005" in groups.selected().members)
        members = groups.query_one("#members", DataTable)
        await wait_for(pilot, lambda: members.row_count == len(groups.selected().members))
        emma = next(i for i, (r, _) in enumerate(groups.members) if r.number == "+15550100005")
        members.focus()
        members.move_cursor(row=emma)
        await pilot.press("p")
        await wait_for(pilot, lambda: any(
            r.number == "+15550100005" and adm for r, adm in groups.members))  # fmt: skip
        await pilot.press("b")
        await pilot.press("y")
        await wait_for(pilot, lambda: groups.selected().blocked)
        assert (await app.session.store.find_conversation(family.id)).blocked


async def test_link_code_is_renewed_until_the_phone_links(
    tmp_path: Path, start_sim: StartSim
) -> None:
    sim = await start_sim(mode="json-rpc", scenario="empty")
    url = sim.url
    sim.link_auto = False  # the "phone" scans only when the test says so
    app = AdminHarness(
        config_for(tmp_path, url),
        lambda a: AccountSetupScreen(a.config, poll_interval=0.05, link_lifetime=0.3),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        setup = app.screen
        setup.query_one("#url", Input).value = url
        await pilot.press("enter")
        await wait_for(pilot, lambda: setup.query_one(ContentSwitcher).current == "choose")
        choices = setup.query_one("#choices", OptionList)
        choices.highlighted = choices.get_option_index(LINK)
        await pilot.press("enter")
        await wait_for(pilot, lambda: setup.link_uri)
        first = setup.link_uri
        qr = setup.query_one("#qr")
        assert qr.data == first and len(qr.lines()) <= 22, "fits an 80x24 terminal"
        await wait_for(pilot, lambda: setup.link_uri != first)
        assert qr.data == setup.link_uri  # the code on screen is the new one
        assert "new code appears" in str(setup.query_one("#link-state").render())
        new_number = sim.complete_link(setup.link_uri)
        await wait_for(pilot, lambda: app.results)
    assert app.results[-1].account == new_number
