"""The durable outbox against the real simulator: what a user notices about sending."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from signal_tui.config import Config
from signal_tui.core.errors import ActionError
from signal_tui.core.outbox import Failure
from signal_tui.core.session import Session
from signal_tui.simulator.server import Simulator
from tests.e2e.conftest import (
    FAST_OUTBOX,
    FAST_RECEIVER,
    last_sent,
    make_config,
    sends,
    start_sim,
    wait_for,
)
from tests.e2e.envelopes import contact

BOB = contact(1)[0]
CAROL = contact(2)[0]


async def _status(session: Session, message_id: int) -> str | None:
    msg = await session.store.get_message(message_id)
    return msg.status if msg else None


async def _wait_status(session: Session, message_id: int, *states: str, limit: float = 10) -> None:
    seen: list[str | None] = []

    async def check() -> bool:
        seen.append(await _status(session, message_id))
        return seen[-1] in states

    try:
        await wait_for(check, limit)
    except AssertionError:
        rows = await session.store.outbox_items(["queued", "sending", "failed", "unsure"])
        raise AssertionError(f"message {message_id} stayed {seen[-1]!r}; outbox: {rows}") from None


async def test_send_is_stored_first_then_sent_under_the_server_timestamp(
    sim: Simulator, session: Session
) -> None:
    conv = await session.messenger.open_direct(BOB)
    msg = await session.messenger.send(conv.id, "hello Bob")
    assert msg.status == "queued"  # optimistic: on disk before any network call
    await session.start(receive=False)
    await _wait_status(session, msg.id, "sent")
    sent = await session.store.get_message(msg.id)
    assert sent is not None
    assert sent.sent_ts == last_sent(sim)["timestamp"]
    assert sends(sim) == 1


async def test_server_down_queues_then_sends_once_when_back(tmp_path: Path, mode: str) -> None:
    first = await start_sim(mode)
    url = first.url
    port = int(url.rsplit(":", 1)[1])
    account = first.primary_account
    await first.stop()
    config = make_config(url, account, tmp_path / "data")
    # a long retry backoff: only the receiver seeing the server again can make it go quickly
    session = Session(
        config, receiver_options=FAST_RECEIVER, outbox_options={"retry_base": 20, "retry_max": 60}
    )
    await session.open()
    try:
        conv = await session.store.ensure_direct(BOB, number=BOB)
        msg = await session.messenger.send(conv.id, "written while the server was down")
        await session.start()
        await asyncio.sleep(0.5)
        waiting = await session.store.get_message(msg.id)
        assert waiting is not None and waiting.status == "queued"
        assert waiting.error and "unreachable" in waiting.error.lower()
        back = await start_sim(mode, port)
        try:
            await _wait_status(session, msg.id, "sent", "delivered", "read", limit=5)
            await asyncio.sleep(0.5)
            assert sends(back) == 1
            sent = await session.store.get_message(msg.id)
            assert sent is not None and not sent.error
        finally:
            await back.stop()
    finally:
        await session.stop()


async def test_timeout_after_sending_is_unknown_and_never_resent(
    sim: Simulator, tmp_path: Path
) -> None:
    config = make_config(sim.url, sim.primary_account, tmp_path / "d", request_timeout=0.4)
    session = Session(config, receiver_options=FAST_RECEIVER, outbox_options=FAST_OUTBOX)
    await session.open()
    try:
        sim.faults.send_delay = 1.0
        conv = await session.store.ensure_direct(BOB, number=BOB)
        msg = await session.messenger.send(conv.id, "slow")
        await session.start(receive=False)
        await _wait_status(session, msg.id, "unknown")
        before = sends(sim)  # 0 or 1: the server may or may not have finished it
        assert before <= 1
        await asyncio.sleep(1.5)
        after = await session.store.get_message(msg.id)
        assert after is not None and after.status == "unknown"
        assert after.error
        assert sends(sim) == before  # never resent by itself
        # the user decides: retry sends it again
        sim.faults.send_delay = 0.0
        await session.messenger.retry(after)
        await _wait_status(session, msg.id, "sent")
        assert sends(sim) == before + 1
    finally:
        await session.stop()


async def test_untrusted_identity_fails_with_kind_then_trust_and_resend(
    sim: Simulator, session: Session
) -> None:
    sim.faults.untrusted.add(BOB)
    conv = await session.messenger.open_direct(BOB)
    msg = await session.messenger.send(conv.id, "are you still you?")
    await session.start(receive=False)
    await _wait_status(session, msg.id, "failed")
    failed = await session.store.get_message(msg.id)
    assert failed is not None and "safety number" in (failed.error or "")
    failure = await session.messenger.failure(failed)
    assert failure is not None and failure.kind == "untrusted_identity"
    await session.messenger.trust_and_resend(failed)
    await _wait_status(session, msg.id, "sent")
    assert BOB not in sim.faults.untrusted


async def test_rate_limit_fails_with_challenge_tokens(sim: Simulator, session: Session) -> None:
    sim.faults.rate_limit_next = 1
    conv = await session.messenger.open_direct(BOB)
    msg = await session.messenger.send(conv.id, "one too many")
    await session.start(receive=False)
    await _wait_status(session, msg.id, "failed")
    failed = await session.store.get_message(msg.id)
    assert failed is not None
    failure = await session.messenger.failure(failed)
    assert failure is not None and failure.kind == "rate_limited"
    assert failure.challenge_tokens, "the captcha step needs the challenge token"
    # the user solves the captcha: the challenge is submitted and the message resent
    await session.messenger.solve_captcha(failed, "signalcaptcha://solved-token")
    await _wait_status(session, msg.id, "sent")


def _restartable(config: Config) -> Session:
    return Session(config, receiver_options=FAST_RECEIVER, outbox_options=FAST_OUTBOX)


async def _fail_then_close(config: Config, text: str) -> tuple[int, Failure]:
    """Send `text` from a first app run until it fails; return the message id and the failure
    that run saw, after closing the run (store, session, client) for good."""
    first = _restartable(config)
    await first.open()
    try:
        conv = await first.messenger.open_direct(BOB)
        msg = await first.messenger.send(conv.id, text)
        await first.start(receive=False)
        await _wait_status(first, msg.id, "failed")
        failed = await first.store.get_message(msg.id)
        assert failed is not None
        seen = await first.messenger.failure(failed)
        assert seen is not None
        return msg.id, seen
    finally:
        await first.stop()


async def test_untrusted_identity_details_survive_a_restart_then_trust_and_resend(
    sim: Simulator, tmp_path: Path
) -> None:
    config = make_config(sim.url, sim.primary_account, tmp_path / "d")
    sim.faults.untrusted.add(BOB)
    message_id, seen = await _fail_then_close(config, "are you still you?")
    assert seen.kind == "untrusted_identity" and seen.recipients == (BOB,)
    again = _restartable(config)  # a new app run on the same SQLite file
    await again.open()
    try:
        await again.start(receive=False)
        failed = await again.store.get_message(message_id)
        assert failed is not None and failed.status == "failed"
        failure = await again.messenger.failure(failed)
        assert failure == seen  # whom to trust is still known
        await again.messenger.trust_and_resend(failed)
        await _wait_status(again, message_id, "sent")
        assert BOB not in sim.faults.untrusted
        assert sends(sim) == 1
    finally:
        await again.stop()


async def test_rate_limit_challenge_survives_a_restart_then_captcha_resends(
    sim: Simulator, tmp_path: Path
) -> None:
    config = make_config(sim.url, sim.primary_account, tmp_path / "d")
    sim.faults.rate_limit_next = 1
    message_id, seen = await _fail_then_close(config, "one too many")
    assert seen.kind == "rate_limited" and seen.challenge_tokens
    again = _restartable(config)
    await again.open()
    try:
        await again.start(receive=False)
        failed = await again.store.get_message(message_id)
        assert failed is not None and failed.status == "failed"
        failure = await again.messenger.failure(failed)
        assert failure is not None and failure.challenge_tokens == seen.challenge_tokens
        # without the stored token this raises "No captcha challenge is pending"
        await again.messenger.solve_captcha(failed, "signalcaptcha://solved-token")
        await _wait_status(again, message_id, "sent")
        assert sends(sim) == 1
    finally:
        await again.stop()


async def test_restart_turns_a_sending_row_into_unknown(sim: Simulator, tmp_path: Path) -> None:
    config = make_config(sim.url, sim.primary_account, tmp_path / "d")
    crashed = Session(config)
    await crashed.open()
    conv = await crashed.store.ensure_direct(BOB, number=BOB)
    msg = await crashed.messenger.send(conv.id, "was in flight at the crash")
    assert msg.outbox_id is not None
    await crashed.store.outbox_set(msg.outbox_id, "sending")
    await crashed.stop()
    restarted = Session(config, outbox_options=FAST_OUTBOX)
    await restarted.open()
    try:
        await restarted.start(receive=False)
        await _wait_status(restarted, msg.id, "unknown")
        await asyncio.sleep(0.3)
        assert sends(sim) == 0  # never blindly resent
    finally:
        await restarted.stop()


async def test_multi_recipient_send_is_one_call_with_per_recipient_results(
    sim: Simulator, session: Session
) -> None:
    if sim.profile != "head":
        pytest.skip("per-recipient errors exist only in the HEAD response shape")
    sim.faults.untrusted.add(CAROL)
    messages = await session.messenger.send_to_many([BOB, CAROL], "party at 8")
    assert len(messages) == 2 and messages[0].conversation_id != messages[1].conversation_id
    await session.start(receive=False)
    await _wait_status(session, messages[0].id, "sent", "failed")
    await _wait_status(session, messages[1].id, "sent", "failed")
    assert sends(sim) == 1
    assert await _status(session, messages[0].id) == "sent"
    assert await _status(session, messages[1].id) == "failed"
    carol_copy = await session.store.get_message(messages[1].id)
    assert carol_copy is not None and "safety number" in (carol_copy.error or "")
    failure = await session.messenger.failure(carol_copy)
    assert failure is not None and failure.kind == "untrusted_identity"
    assert failure.recipients == (CAROL,)
    # trust and resend: only Carol's copy goes out again
    await session.messenger.trust_and_resend(carol_copy)
    await _wait_status(session, messages[1].id, "sent", "delivered", "read")
    assert sends(sim) == 2


async def test_open_direct_checks_the_number(sim: Simulator, session: Session) -> None:
    with pytest.raises(ActionError) as err:
        await session.messenger.open_direct("12345")
    assert err.value.kind == "invalid"
    conv = await session.messenger.open_direct("0a1b2c3d-0000-4000-8000-000000000001")
    assert conv.kind == "direct"


async def test_attachment_is_read_at_send_time(
    sim: Simulator, session: Session, tmp_path: Path
) -> None:
    photo = tmp_path / "photo.png"
    from PIL import Image

    Image.new("RGB", (8, 8), "orange").save(photo)
    conv = await session.messenger.open_direct(BOB)
    msg = await session.messenger.send(conv.id, "look", attachments=[photo])
    await session.start(receive=False)
    await _wait_status(session, msg.id, "sent")
    att = last_sent(sim)["attachments"][0]
    assert (att["filename"], att["contentType"]) == ("photo.png", "image/png")


async def test_sends_are_paced_per_account(sim: Simulator, tmp_path: Path) -> None:
    config = make_config(sim.url, sim.primary_account, tmp_path / "d", send_interval=0.25)
    session = Session(config, outbox_options=FAST_OUTBOX)
    await session.open()
    try:
        conv = await session.messenger.open_direct(BOB)
        burst = [await session.messenger.send(conv.id, f"burst {i}") for i in range(4)]
        await session.start(receive=False)
        for msg in burst:
            await _wait_status(session, msg.id, "sent")
        stamps = sorted(m["sentMessage"]["timestamp"] for m in list(sim.sync_log)[-4:])
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        assert min(gaps) >= 240, gaps  # ms; the server stamps each send when it handles it
    finally:
        await session.stop()


async def test_contact_names_come_from_the_server_at_start(
    sim: Simulator, session: Session
) -> None:
    account = sim.world.accounts[sim.primary_account]
    uuid = contact(3)[1]
    account.contacts[uuid].name = "Carla from climbing"
    await session.start()

    async def named() -> bool:
        found = await session.store.recipients(query="Carla")
        return any(r.uuid == uuid and r.contact_name == "Carla from climbing" for r in found)

    await wait_for(named, 10)
