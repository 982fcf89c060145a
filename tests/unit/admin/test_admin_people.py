"""Devices, profile (avatar never lost), contacts, safety numbers, server attachments."""

from __future__ import annotations

import base64

import pytest
from PIL import Image

from signal_tui.core.admin import ActionError, Admin
from signal_tui.core.admin.setup import AccountSetup, remember_device

from .conftest import Env

LINK = "sgnl://linkdevice?uuid=AbCdEfGhIjKlMnOpQrStUv&pub_key=BXk4%2Bq0aZ1x2y3w4v5u6t7s8r9q0p1o2n3m4l5k6j7i8"


async def test_link_and_remove_a_device(env: Env) -> None:
    before = await env.admin.devices()
    assert [d.this_device for d in before if d.id == 1] == [True]
    await env.admin.link_device(LINK)
    after = await env.admin.devices()
    new = [d for d in after if d.id not in {b.id for b in before}]
    assert len(new) == 1 and not new[0].this_device
    await env.admin.remove_device(new[0].id)
    assert {d.id for d in await env.admin.devices()} == {d.id for d in before}


async def test_device_errors_in_plain_words(env1: Env) -> None:
    with pytest.raises(ActionError, match="sgnl://linkdevice"):
        await env1.admin.link_device("https://example.com")
    with pytest.raises(ActionError) as err:
        await env1.admin.link_device("sgnl://linkdevice?nonsense")
    assert err.value.kind == "bad_link"
    with pytest.raises(ActionError, match="primary device cannot be removed"):
        await env1.admin.remove_device(1)
    # a server that was linked to a phone is not the primary device: say so before asking
    remember_device(env1.data_dir, linked=True, device_name="signal-tui")
    linked = Admin(env1.client, env1.store, env1.account, env1.data_dir)
    with pytest.raises(ActionError) as err:
        await linked.link_device(LINK)
    assert err.value.kind == "not_primary" and "primary device" in str(err.value)


async def _server_avatar(env: Env) -> bytes | None:
    me = env.sim.world.accounts[env.account].person
    return me.avatar


async def test_profile_name_change_keeps_the_avatar(env: Env, tmp_path) -> None:
    picture = tmp_path / "me.png"
    Image.new("RGB", (24, 24), "blue").save(picture)
    profile = await env.admin.update_profile(name="Alex", about="hi", avatar_file=picture)
    assert profile.has_avatar and await _server_avatar(env) == picture.read_bytes()
    profile = await env.admin.update_profile(name="Alex B")
    assert profile.name == "Alex B" and profile.about == "hi"
    assert await _server_avatar(env) == picture.read_bytes(), "the avatar must survive"
    # a fresh Admin (next start) still knows the avatar
    again = Admin(env.client, env.store, env.account, env.data_dir)
    await again.update_profile(about="still here")
    assert await _server_avatar(env) == picture.read_bytes()
    assert (await env.store.self_recipient()).profile_name == "Alex B"
    # only an explicit removal removes it
    profile = await env.admin.update_profile(remove_avatar=True)
    assert not profile.has_avatar and not await _server_avatar(env)


async def test_profile_update_without_known_avatar_asks_first(env1: Env) -> None:
    env1.sim.world.accounts[env1.account].person.avatar = None
    with pytest.raises(ActionError) as err:
        await env1.admin.update_profile(name="New")
    assert err.value.kind == "avatar_unknown" and "removes" in str(err.value)
    await env1.admin.update_profile(name="New", allow_without_avatar=True)
    assert env1.sim.world.accounts[env1.account].person.profile_name == "New"


async def test_settings_and_username(env1: Env) -> None:
    profile = await env1.admin.update_settings(share_number=False, discoverable=True)
    assert (profile.share_number, profile.discoverable) == (False, True)
    account = env1.sim.world.accounts[env1.account]
    assert account.settings == {"share_number": False, "discoverable_by_number": True}
    profile = await env1.admin.set_username("@alex_tui")
    assert profile.username and profile.username.startswith("alex_tui.")
    assert profile.username_link and profile.username_link.startswith("https://signal.me/")
    with pytest.raises(ActionError):
        await env1.admin.set_username("x!")
    profile = await env1.admin.delete_username()
    assert profile.username is None


async def test_contacts_rename_and_block(env1: Env) -> None:
    count = await env1.admin.refresh_contacts()
    assert count >= 2
    contacts = await env1.admin.contacts()
    assert all(c.number != env1.account for c in contacts)
    target = next(c for c in contacts if c.number)
    renamed = await env1.admin.rename_contact(target, "Auntie")
    assert renamed.display_name == "Auntie"
    server = {c.number: c for c in await env1.client.contacts(env1.account)}
    assert server[target.number].name == "Auntie"
    assert [c.display_name for c in await env1.admin.contacts("aunt")] == ["Auntie"]
    blocked = await env1.admin.set_contact_blocked(renamed, True)
    assert blocked.blocked
    await env1.admin.refresh_contacts()  # the server knows nothing of it: the block stays
    assert next(c for c in await env1.admin.contacts() if c.id == target.id).blocked


async def test_safety_numbers_and_trust(env1: Env) -> None:
    await env1.admin.refresh_contacts()
    identities = await env1.admin.identities()
    assert identities
    first = identities[0]
    assert first.status in {"verified", "unverified", "untrusted"}
    assert len(first.safety_number.replace(" ", "")) == 60
    assert first.name != ""
    await env1.admin.trust(first, verified=True)
    again = {i.address: i for i in await env1.admin.identities()}
    assert again[first.address].status == "verified"
    await env1.admin.trust(first, verified=False)


async def test_server_attachments_list_size_delete(env1: Env) -> None:
    data = b"hello attachment"
    other = env1.sim.accounts[1] if len(env1.sim.accounts) > 1 else None
    if other is None:
        pytest.skip("needs a second hosted account")
    from signal_tui.api.models import OutgoingAttachment

    await env1.client.send(
        other, [env1.account], "file", attachments=[OutgoingAttachment("a.txt", data, "text/plain")]
    )
    items = await env1.admin.server_attachments()
    assert items
    sizes = [await env1.admin.attachment_size(i.id) for i in items]
    assert len(data) in sizes
    target = items[sizes.index(len(data))]
    await env1.admin.delete_server_attachment(target.id)
    assert target.id not in {i.id for i in await env1.admin.server_attachments()}
    with pytest.raises(ActionError, match="no longer on the server"):
        await env1.admin.delete_server_attachment(target.id)


async def test_linking_this_server_finds_the_new_account(env1: Env) -> None:
    env1.sim.link_delay = 0.2
    setup = AccountSetup(env1_config(env1))
    try:
        known = set(await setup.accounts())
        uri = await setup.link_uri("signal-tui")
        assert uri.startswith("sgnl://linkdevice?")
        new = await setup.wait_for_new_account(known, interval=0.1, give_up_after=5)
        assert new not in known and new in await setup.accounts()
    finally:
        await setup.aclose()


def env1_config(env: Env):  # type: ignore[no-untyped-def]
    from signal_tui.config import Config

    return Config(url=env.url, data_dir=env.data_dir.parent, config_file=env.data_dir / "c.toml")


def test_b64_helper_is_standard() -> None:
    from signal_tui.core.admin import b64

    assert b64(b"\xff\xfe") == base64.b64encode(b"\xff\xfe").decode()


async def test_contacts_sync_only_from_the_primary(env1: Env) -> None:
    await env1.admin.sync_contacts()  # primary: fine
    env1.sim.link_auto = False
    setup = AccountSetup(env1_config(env1))
    try:
        await setup.link_uri("signal-tui")
    finally:
        await setup.aclose()
    linked_number = env1.sim.complete_link()
    assert linked_number
    linked = Admin(env1.client, env1.store, linked_number, env1.data_dir / "linked")
    with pytest.raises(ActionError) as err:
        await linked.sync_contacts()
    assert err.value.kind == "not_primary"
