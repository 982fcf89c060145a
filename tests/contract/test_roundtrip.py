"""Client and Receiver against the real simulator over a loopback socket, in both server modes.

This is the "a third-party client written for the real server works unchanged" check from the
client's side: groups, send with attachment to a hosted account and receive it on the other
account, receive through Receiver in normal and json-rpc mode, QR code, and the server's error
texts turning into typed errors.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from PIL import Image

from signal_tui.api.client import REMOVE_AVATAR, SignalClient
from signal_tui.api.errors import (
    ErrorKind,
    InvalidRequest,
    NotFound,
    RateLimited,
    SignalApiError,
    Unreachable,
    UntrustedIdentity,
)
from signal_tui.api.models import (
    GroupPermissions,
    MentionRef,
    OutgoingAttachment,
    QuoteRef,
    ReceiverState,
)
from signal_tui.api.receiver import Receiver
from signal_tui.ids import to_rest_id
from signal_tui.simulator.server import Simulator
from signal_tui.text import utf16_len

ME = "+15550000001"
SAM = "+15550000002"  # the second hosted account
ALICE = "+15550100001"  # a simulated contact
BOB = "+15550100002"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))

Item = dict[str, Any]


@pytest.fixture(params=["normal", "json-rpc"])
async def sim(request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
    simulator = Simulator(
        mode=request.param, scenario="demo", trickle=False, reply_delay=0.2, receive_idle_cap=0.2
    )
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[SignalClient]:
    async with SignalClient(sim.url, timeout=20) as c:
        yield c


class Inbox:
    """A running Receiver for one account, collecting what it hands over."""

    def __init__(self, client: SignalClient, sim: Simulator, account: str, **kw: Any) -> None:
        self.sim = sim
        self.account = account
        self.items: list[Item] = []
        self.states: list[ReceiverState] = []
        self.batches = 0
        self._changed = asyncio.Event()
        self.receiver = Receiver(
            client, account, self._on_batch, self.states.append, poll_timeout=0, **kw
        )
        self._task: asyncio.Task[None] | None = None

    async def _on_batch(self, batch: list[Item]) -> None:
        self.items.extend(batch)
        self.batches += 1
        self._changed.set()

    async def __aenter__(self) -> Inbox:
        self._task = asyncio.create_task(self.receiver.run())
        await wait_until(lambda: self.receiver.state.state == "connected")
        if self.receiver.mode == "json-rpc":  # frames are dropped while no socket is attached
            await wait_until(lambda: self.sim.connected_sockets(self.account) > 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.receiver.stop()
        assert self._task is not None
        await asyncio.wait_for(self._task, 5)

    async def wait_for(self, pred: Callable[[Item], bool], within: float = 8) -> Item:
        async def find() -> Item:
            while True:
                for item in self.items:
                    if pred(item):
                        return item
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(find(), within)


async def wait_until(cond: Callable[[], bool], within: float = 5) -> None:
    for _ in range(int(within / 0.02)):
        if cond():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("condition not met in time")


def data_message(item: Item) -> dict[str, Any]:
    return item.get("envelope", {}).get("dataMessage") or {}


def text_is(text: str) -> Callable[[Item], bool]:
    return lambda item: data_message(item).get("message") == text


# --- general ------------------------------------------------------------------------------------


async def test_about_health_accounts_and_transport_choice(sim: Simulator, client: SignalClient):
    about = await client.about()
    assert about.mode == sim.mode
    assert about.versions == ("v1", "v2") and about.build == 2
    assert about.uses_websocket is (sim.mode == "json-rpc")
    assert await client.health() is True
    assert set(await client.accounts()) >= {ME, SAM}


async def test_qr_code_png_decodes_and_raw_uri(client: SignalClient):
    png = await client.qrcodelink_png("signal-tui test")
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size[0] >= 100
    uri = await client.qrcodelink_uri("signal-tui test")
    assert uri.startswith("sgnl://linkdevice?uuid=") and "pub_key=" in uri


# --- sending and receiving ------------------------------------------------------------------------


async def test_send_attachment_to_hosted_account_and_receive_it(
    sim: Simulator, client: SignalClient
):
    text = "👋 \ufffc here is the picture"
    async with Inbox(client, sim, SAM) as inbox:
        result = await client.send(
            ME,
            [SAM],
            text,
            attachments=[OutgoingAttachment("holiday;1/a.png", PNG, "image/png")],
            mentions=[MentionRef(utf16_len("👋 "), 1, SAM)],
        )
        assert result.ok and result.timestamp > 0
        item = await inbox.wait_for(text_is(text))
    envelope = item["envelope"]
    assert item["account"] == SAM
    assert envelope["sourceNumber"] == ME and envelope["timestamp"] == result.timestamp
    dm = envelope["dataMessage"]
    assert dm["mentions"][0]["start"] == 3 and dm["mentions"][0]["length"] == 1
    (attachment,) = dm["attachments"]
    assert attachment["filename"] == "holiday_1_a.png"
    assert await client.attachment(attachment["id"]) == PNG
    assert attachment["id"] in await client.list_attachments()
    await client.delete_attachment(attachment["id"])
    with pytest.raises(NotFound) as info:
        await client.attachment(attachment["id"])
    assert info.value.text == "No attachment with that name found"


async def test_reply_reaction_edit_and_delete_reach_the_other_account(
    sim: Simulator, client: SignalClient
):
    async with Inbox(client, sim, SAM) as inbox:
        sent = await client.send(ME, [SAM], "first version")
        await inbox.wait_for(text_is("first version"))
        await client.send(ME, [SAM], "fixed version", edit_timestamp=sent.timestamp)
        await client.send(ME, [SAM], "a reply", quote=QuoteRef(sent.timestamp, ME, "first"))
        await client.react(ME, SAM, "🎉", ME, sent.timestamp)
        await client.remote_delete(ME, SAM, sent.timestamp)
        edit = await inbox.wait_for(lambda i: "editMessage" in i["envelope"])
        reply = await inbox.wait_for(text_is("a reply"))
        reaction = await inbox.wait_for(lambda i: "reaction" in data_message(i))
        delete = await inbox.wait_for(lambda i: "remoteDelete" in data_message(i))
    assert edit["envelope"]["editMessage"]["targetSentTimestamp"] == sent.timestamp
    assert reply["envelope"]["dataMessage"]["quote"]["id"] == sent.timestamp
    assert data_message(reaction)["reaction"]["emoji"] == "🎉"
    assert data_message(reaction)["reaction"]["targetSentTimestamp"] == sent.timestamp
    assert data_message(delete)["remoteDelete"]["timestamp"] == sent.timestamp


async def test_receiver_gets_contact_messages_and_group_ids_convert(
    sim: Simulator, client: SignalClient
):
    groups = {g.id: g for g in await client.groups(ME)}
    async with Inbox(client, sim, ME) as inbox:
        sim.incoming_text(ME, ALICE, "hello from Alice")
        item = await inbox.wait_for(text_is("hello from Alice"))
        group_item = await inbox.wait_for(lambda i: "groupInfo" in data_message(i))
    assert item["envelope"]["sourceNumber"] == ALICE
    internal = data_message(group_item)["groupInfo"]["groupId"]
    assert to_rest_id(internal) in groups
    assert groups[to_rest_id(internal)].internal_id == internal
    assert inbox.receiver.mode == sim.mode
    assert inbox.batches < len(inbox.items)  # history arrives in batches, not one by one


async def test_receipts_come_back_for_own_messages(sim: Simulator, client: SignalClient):
    async with Inbox(client, sim, ME) as inbox:
        sent = await client.send(ME, [ALICE], "did you get this?")
        receipt = await inbox.wait_for(
            lambda i: (
                sent.timestamp
                in ((i["envelope"].get("receiptMessage") or {}).get("timestamps") or ())
            )
        )
    assert receipt["envelope"]["sourceNumber"] == ALICE


async def test_normal_mode_poll_honours_max_messages_and_removes_what_it_returns():
    sim = Simulator(mode="normal", scenario="empty", trickle=False, receive_idle_cap=0.2)
    await sim.start()
    try:
        async with SignalClient(sim.url) as client:
            account = sim.primary_account
            sim.inject(account, [_envelope(i) for i in range(5)])
            first = await client.receive(account, timeout=0, max_messages=2)
            rest = await client.receive(account, timeout=0, max_messages=50)
            assert [i["envelope"]["timestamp"] for i in first + rest] == [1, 2, 3, 4, 5]
            assert len(first) <= 2
            assert await client.receive(account, timeout=0) == []
    finally:
        await sim.stop()


def _envelope(i: int, text: str | None = None) -> dict[str, Any]:
    return {
        "source": ALICE,
        "sourceNumber": ALICE,
        "sourceUuid": None,
        "sourceName": "Alice",
        "sourceDevice": 1,
        "timestamp": i + 1,
        "serverReceivedTimestamp": i + 1,
        "serverDeliveredTimestamp": i + 1,
        "dataMessage": {
            "timestamp": i + 1,
            "message": text or f"m{i}",
            "expiresInSeconds": 0,
            "isExpirationUpdate": False,
            "viewOnce": False,
        },
    }


async def test_receiver_reconnects_when_the_server_restarts():
    sim = Simulator(mode="json-rpc", scenario="empty", trickle=False)
    await sim.start()
    port = int(sim.url.rsplit(":", 1)[1])
    account = sim.primary_account
    async with SignalClient(sim.url) as client:
        inbox = Inbox(client, sim, account, backoff_base=0.05, backoff_max=0.2)
        async with inbox:
            sim.inject(account, _envelope(1, "before"))
            await inbox.wait_for(text_is("before"))
            await sim.stop()
            await wait_until(lambda: inbox.receiver.state.state == "reconnecting")
            sim = Simulator(mode="json-rpc", scenario="empty", trickle=False)
            await sim.start(port=port)
            inbox.sim = sim
            await wait_until(lambda: sim.connected_sockets(account) > 0)
            sim.inject(account, _envelope(2, "after"))
            await inbox.wait_for(text_is("after"))
    await sim.stop()
    reconnecting = [s for s in inbox.states if s.state == "reconnecting"]
    assert reconnecting and all(s.retry_in is not None for s in reconnecting)


# --- groups --------------------------------------------------------------------------------------


async def test_group_lifecycle(client: SignalClient):
    gid = await client.create_group(
        ME,
        "Test crew",
        [SAM, ALICE],
        description="for tests",
        permissions=GroupPermissions("every-member", "only-admins", "every-member"),
        group_link="disabled",
    )
    assert gid.startswith("group.")
    listed = {g.id: g for g in await client.groups(ME)}
    assert gid in listed and listed[gid].name == "Test crew"
    group = await client.group(ME, gid)
    assert set(group.members) >= {ME, SAM, ALICE}
    assert to_rest_id(group.internal_id) == gid

    await client.update_group(ME, gid, name="Renamed", description="new", avatar=PNG)
    await client.remove_members(ME, gid, [ALICE])
    await client.add_admins(ME, gid, [SAM])
    group = await client.group(ME, gid)
    assert group.name == "Renamed" and group.description == "new"
    assert ALICE not in group.members and SAM in group.admins
    assert await client.group_avatar(ME, gid) == PNG
    await client.add_members(ME, gid, [BOB])
    await client.remove_admins(ME, gid, [SAM])

    await client.delete_group(ME, gid)  # the server's "delete" is leave
    assert any(g.id == gid for g in await client.groups(SAM))
    with pytest.raises(NotFound) as info:
        await client.group(ME, "group." + "QUFB" * 15 + "QUE=")
    assert info.value.kind is ErrorKind.NOT_FOUND


# --- errors --------------------------------------------------------------------------------------


async def test_server_error_texts_become_typed_errors(sim: Simulator, client: SignalClient):
    group_id = (await client.groups(ME))[0].id
    with pytest.raises(InvalidRequest) as info:
        await client.send(ME, [SAM, group_id], "x")
    assert "cannot be specified together" in info.value.text
    with pytest.raises(InvalidRequest) as info:
        await client.send(ME, [], "x")
    assert info.value.text == "Couldn't process request - please provide at least one recipient"
    with pytest.raises(InvalidRequest) as info:
        await client.send(ME, [SAM], "x", view_once=True)
    assert "view_once" in info.value.text
    with pytest.raises(InvalidRequest) as info:
        await client.send(ME, [SAM], None, sticker="nocolon")
    assert "sticker delimiter" in info.value.text
    with pytest.raises(SignalApiError) as info:
        await client.groups("+19999999999")
    expected = "Specified account does not exist" if sim.mode == "json-rpc" else "not registered"
    assert expected in info.value.text
    assert "\n" not in info.value.user_message()
    if sim.mode == "json-rpc":
        with pytest.raises(InvalidRequest) as info:
            await client.receive(ME)
        assert "websocket" in info.value.text


async def test_untrusted_identity_whole_and_partial_then_trust_and_resend(
    sim: Simulator, client: SignalClient
):
    sim.faults.untrusted.add(ALICE)
    with pytest.raises(UntrustedIdentity) as info:
        await client.send(ME, [ALICE], "hi")
    assert "safety number" in info.value.user_message()
    partial = await client.send(ME, [ALICE, BOB], "hi both")
    assert [f.recipient for f in partial.failures] == [ALICE]
    assert partial.failures[0].reason == "IDENTITY_FAILURE"
    identities = {i.number: i for i in await client.identities(ME)}
    assert identities[ALICE].status == "UNTRUSTED"
    await client.trust(ME, ALICE, trust_all_known_keys=True)
    assert (await client.send(ME, [ALICE], "hi again")).ok


async def test_rate_limit_carries_challenge_tokens(sim: Simulator, client: SignalClient):
    sim.faults.rate_limit_next = 1
    with pytest.raises(RateLimited) as info:
        await client.send(ME, [ALICE], "hi")
    assert info.value.status == (429 if sim.mode == "json-rpc" else 400)
    assert info.value.challenge_tokens
    await client.submit_rate_limit_challenge(ME, info.value.challenge_tokens[0], "solved-token")
    assert (await client.send(ME, [ALICE], "hi")).ok


async def test_unreachable_server_is_typed_and_retryable():
    sim = Simulator(mode="normal", scenario="empty", trickle=False)
    url = await sim.start()
    await sim.stop()
    async with SignalClient(url, connect_timeout=2) as client:
        with pytest.raises(Unreachable) as info:
            await client.send(ME, [ALICE], "hi")
    assert info.value.maybe_sent is False
    assert url in info.value.user_message()


# --- both /v2/send response profiles, profile and account calls ----------------------------------


@pytest.mark.parametrize("profile", ["0.100", "head"])
async def test_send_response_profiles(profile: str):
    sim = Simulator(mode="normal", scenario="demo", profile=profile, trickle=False)
    await sim.start()
    try:
        async with SignalClient(sim.url) as client:
            result = await client.send(ME, [ALICE], "profile check")
            assert isinstance(result.timestamp, int) and result.timestamp > 1_700_000_000_000
            assert result.ok
    finally:
        await sim.stop()


async def test_account_calls(sim: Simulator, client: SignalClient):
    devices = await client.devices(ME)
    assert devices and devices[0].id == 1
    contacts = await client.contacts(ME)
    assert any(c.number == ALICE for c in contacts)
    assert any(c.number is None and c.uuid for c in contacts)  # the number-hidden contact
    assert (await client.search(ME, [ALICE, "+15559999999"]))[ALICE] is True
    await client.update_profile(ME, name="Me Renamed", about="testing", avatar=PNG)
    await client.update_profile(ME, name="Me Renamed", avatar=REMOVE_AVATAR)
    await client.update_account_settings(ME, discoverable_by_number=False, share_number=True)
    username = await client.set_username(ME, "tester")
    assert username.username.startswith("tester")
    await client.send_receipt(ME, ALICE, 1, "read")
    await client.typing(ME, ALICE, started=True)
    await client.typing(ME, ALICE, started=False)
    poll = await client.create_poll(ME, ALICE, "Lunch?", ["Pizza", "Sushi"])
    await client.vote_poll(ME, ALICE, ME, poll, [1])
    await client.close_poll(ME, ALICE, poll)
    packs = await client.sticker_packs(ME)
    assert packs and packs[0].installed
