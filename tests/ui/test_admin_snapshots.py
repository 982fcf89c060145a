"""Snapshots of every admin screen at 120x40 and 80x24, over the seeded demo simulator.

Deterministic: one simulator per module (seeded demo data, never changed by these screens),
a fresh data dir per test, times pinned (format_time), no cursor blink, and every screen waited
on until its loading is done.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from signal_tui.simulator.server import Simulator
from signal_tui.ui.screens.admin import base as admin_commands
from signal_tui.ui.screens.admin.account import AccountSetupScreen
from signal_tui.ui.screens.admin.contacts import ContactsScreen
from signal_tui.ui.screens.admin.devices import DevicesScreen
from signal_tui.ui.screens.admin.group_edit import GroupEditScreen
from signal_tui.ui.screens.admin.groups import GroupsScreen
from signal_tui.ui.screens.admin.identities import IdentitiesScreen
from signal_tui.ui.screens.admin.profile import ProfileScreen
from signal_tui.ui.screens.admin.server_attachments import ServerAttachmentsScreen
from signal_tui.ui.widgets.qr import QRCode
from tests.ui.harness import LINK_URI, AdminHarness, config_for, wait_for

SIZES = [(120, 40), (80, 24)]


@pytest.fixture(scope="module")
def sim() -> Iterator[Simulator]:
    """Overrides conftest's per-test `sim`: one seeded simulator for the module (these screens
    only read its data), so every snapshot shows the same world."""
    simulator = Simulator(mode="json-rpc", scenario="demo", trickle=False, seed=1)
    simulator.start_in_thread()
    yield simulator
    simulator.stop_thread()


@pytest.fixture(autouse=True)
def _pinned_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(admin_commands, "format_time", lambda ms: "2026-11-01 12:00" if ms else "-")


async def _settle(pilot: Pilot[Any]) -> None:
    """Wait until the screen under test is up and done loading, with steady cursors and sized
    tables (the snapshot is taken right after)."""
    app = pilot.app
    assert isinstance(app, AdminHarness)

    def loaded() -> bool:
        screen = app.screen
        if screen is not app.pushed or not screen.is_mounted:  # on_mount starts the loading
            return False
        if (
            isinstance(screen, GroupsScreen)
            and not screen.query_one("#members", DataTable).row_count
        ):
            return False  # the highlighted group's members load in a worker of their own
        return not getattr(screen, "busy", False) and all(
            w.is_finished for w in app.workers if w.node is screen
        )

    await wait_for(pilot, loaded, what="the admin screen to finish loading")
    for inp in app.screen.query(Input):
        inp.cursor_blink = False

    # DataTable sizes its columns on its next idle after rows arrive: wait for that (private
    # flags, the only way to know)
    def tables_sized() -> bool:
        return not any(
            t._require_update_dimensions or t._new_rows or t._updated_cells
            for t in app.screen.query(DataTable)
        )

    await wait_for(pilot, tables_sized, what="the tables to size their columns")
    await pilot.pause()


def _screens() -> dict[str, Callable[[AdminHarness], Any]]:
    return {
        "groups": lambda a: GroupsScreen(a.session),
        "devices": lambda a: DevicesScreen(a.session),
        "profile": lambda a: ProfileScreen(a.session),
        "contacts": lambda a: ContactsScreen(a.session),
        "identities": lambda a: IdentitiesScreen(a.session),
        "server_attachments": lambda a: ServerAttachmentsScreen(a.session),
        "group_new": lambda a: GroupEditScreen(a.session),
    }


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(_screens()))
def test_admin_screen(
    name: str, size: tuple[int, int], sim: Simulator, tmp_path: Path, snap_compare: Any
) -> None:
    config = config_for(tmp_path, sim.url, sim.accounts[0])
    app = AdminHarness(config, _screens()[name])
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_account_setup_first_run(size: tuple[int, int], tmp_path: Path, snap_compare: Any) -> None:
    app = AdminHarness(config_for(tmp_path, None), lambda a: AccountSetupScreen(a.config))
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_account_setup_qr(size: tuple[int, int], tmp_path: Path, snap_compare: Any) -> None:
    """The link pane with a fixed URI (the live flow is covered by test_admin_flow)."""

    async def show_qr(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        screen.show("link-pane")
        screen.query_one("#qr", QRCode).data = LINK_URI
        screen.query_one("#link-state").update(
            "Waiting for your phone… a new code appears in 55 s."
        )
        await _settle(pilot)

    app = AdminHarness(config_for(tmp_path, None), lambda a: AccountSetupScreen(a.config))
    assert snap_compare(app, terminal_size=size, run_before=show_qr)
