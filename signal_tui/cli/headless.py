"""Headless commands for scripts: receive, send, export, stats (called by signal_tui/cli/main.py).

They use the same Session as the app, so they are also how the engine is tested end to end.
Output is plain text with control characters stripped (a hostile body cannot drive the user's
terminal), or JSON lines for machines.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from collections import Counter
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from signal_tui.cli.export import MentionNames, mention_records, shown_body
from signal_tui.config import Config
from signal_tui.store.models import Conversation, Message
from signal_tui.text import clean, one_line

EXIT_SENT, EXIT_FAILED, EXIT_UNKNOWN, EXIT_QUEUED, EXIT_PARTIAL = 0, 1, 3, 4, 5
IDLE_EXIT = 1.5  # seconds with nothing received before `receive` (without --follow) returns
SEND_WAIT = 30.0  # how long `send` waits for an unreachable server before leaving it queued


class HeadlessError(Exception):
    """A problem worded for the user (the CLI prints it and exits 2)."""


def _require(config: Config, *, url: bool) -> None:
    if url and not config.url:
        raise HeadlessError(
            "no server URL configured: set `url` (--url, SIGNAL_TUI_URL or the config file)"
        )
    if not config.account:
        raise HeadlessError(
            "no account configured: set `account` (--account, SIGNAL_TUI_ACCOUNT or the config file)"
        )


def _session(config: Config, **kwargs: Any) -> Any:
    from signal_tui.core.session import Session

    return Session(config, **kwargs)


# --- receive -------------------------------------------------------------------------------
async def receive_cmd(
    config: Config,
    *,
    follow: bool,
    as_json: bool,
    receiver_options: dict[str, Any] | None = None,
    out: TextIO | None = None,
) -> int:
    """Receive into the cache and print each new message. Without `follow`, return once the
    server has had nothing more for a short idle period."""
    _require(config, url=True)
    out = out or sys.stdout
    opts = dict(receiver_options or {})
    if not follow:
        opts.setdefault("idle_exit", IDLE_EXIT)
    session = _session(config, receiver_options=opts)
    await session.open()
    titles: dict[int, str] = {}
    mention_names = MentionNames(session.store)
    pending: list[Message] = []
    flushed = asyncio.Event()

    def on_messages(messages: list[Message]) -> None:
        pending.extend(messages)
        flushed.set()

    async def emit() -> None:
        batch, pending[:] = list(pending), []
        names = await mention_names.of(batch) if batch else {}
        for msg in batch:
            title = titles.get(msg.conversation_id)
            if title is None:
                conv = await session.store.get_conversation(msg.conversation_id)
                title = titles[msg.conversation_id] = conv.title if conv else "?"
            out.write(_format_message(msg, title, as_json, names) + "\n")
        out.flush()

    broken: list[BrokenPipeError] = []

    async def printer() -> None:
        try:
            while True:
                await flushed.wait()
                flushed.clear()
                await emit()
        except BrokenPipeError as exc:  # the reader went away (`| head`): stop receiving
            broken.append(exc)
            if session.receiver is not None:
                session.receiver.stop()

    def on_state(state: Any) -> None:
        if follow and state.state == "reconnecting" and state.error:
            print(f"signal-tui: {one_line(state.describe())}", file=sys.stderr, flush=True)

    session.on_messages(on_messages)
    session.subscribe_state(on_state)
    print_task = asyncio.create_task(printer())
    try:
        await session.start(send=follow)
        _stop_on_sigterm(session)
        await session.wait_receiver()  # forever with --follow; else until idle
        if broken:
            raise broken[0]  # the CLI ends quietly (what was received is in the cache)
        assert session.attachments is not None
        await session.attachments.drain(limit=60)
        if session.receiver_error is not None:
            # a SignalApiError's str() is its user_message(): a sentence, never a quoted page
            print(f"signal-tui: {one_line(str(session.receiver_error))}", file=sys.stderr)
            return 1
        return 0
    finally:
        print_task.cancel()
        with contextlib.suppress(BaseException):
            await print_task
        with contextlib.suppress(Exception):
            await emit()  # whatever arrived last is printed too
        await session.stop()


def _stop_on_sigterm(session: Any) -> None:
    """`kill <pid>` ends `receive --follow` cleanly: the batch being written is finished."""
    receiver = session.receiver
    if receiver is None:
        return
    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, receiver.stop)


def _format_message(
    msg: Message, title: str, as_json: bool, names: Mapping[int, str] | None = None
) -> str:
    if as_json:
        return json.dumps(_message_dict(msg, title, names), ensure_ascii=False)
    when = _when(msg.sent_ts)
    who = "me" if msg.outgoing else one_line(msg.author_name, 60)
    body = _body_text(msg, names)
    where = one_line(title, 60)
    head = f"{when} [{where}] {who}" if where != who else f"{when} {who}"
    return f"{head}: {one_line(body)}"


def _body_text(msg: Message, names: Mapping[int, str] | None = None) -> str:
    if msg.deleted:
        return "(message deleted)"
    parts = [shown_body(msg, names)]
    for att in msg.attachments:
        parts.append(f"[attachment: {one_line(att.filename, 80)}]")
    if msg.sticker:
        parts.append("[sticker]")
    if msg.poll is not None:
        parts.append(f"[poll: {one_line(msg.poll.question, 80)}]")
    if msg.kind == "unsupported" and not msg.body:
        parts.append("(unsupported message)")
    return " ".join(p for p in parts if p)


def _when(ts: int) -> str:
    try:
        return datetime.fromtimestamp(ts / 1000).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, OSError, ValueError):
        return "????-??-?? ??:??"


def _message_dict(
    msg: Message, title: str, names: Mapping[int, str] | None = None
) -> dict[str, Any]:
    """One JSON line: `body` as received (with `mentions`' placeholders), `text` with '@Name'."""
    return {
        "id": msg.id,
        "conversation_id": msg.conversation_id,
        "conversation": clean(title),
        "author": clean(msg.author_name),
        "outgoing": msg.outgoing,
        "sent_ts": msg.sent_ts,
        "received_ts": msg.received_ts,
        "kind": msg.kind,
        "body": msg.body,
        "text": clean(shown_body(msg, names)),
        "mentions": mention_records(msg, names),
        "status": msg.status,
        "edited": msg.edited,
        "deleted": msg.deleted,
        "quote": msg.quote.ts if msg.quote else None,
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "local_path": a.local_path,
                "state": a.state,
            }
            for a in msg.attachments
        ],
        "reactions": [{"emoji": r.emoji, "author": r.author_name} for r in msg.reactions],
    }


# --- send ----------------------------------------------------------------------------------
async def send_cmd(
    config: Config,
    *,
    to: list[str],
    attach: list[Path],
    text: str | None,
    wait: float = SEND_WAIT,
    outbox_options: dict[str, Any] | None = None,
    out: TextIO | None = None,
) -> int:
    """Queue through the outbox and wait for the outcome: 0 sent, 1 failed, 3 unknown (maybe
    delivered: not resent automatically), 4 still queued (server unreachable; it goes out with
    the next run of the app or of `receive --follow`). With several recipients, one line each on
    `out` and 5 when their outcomes differ (the rule `signal-tui send --help` states,
    cli/main.py SEND_EXIT_STATUS)."""
    from signal_tui.core.errors import ActionError

    _require(config, url=True)
    body = (text or "").rstrip("\n")
    if not body.strip() and not attach:
        raise HeadlessError("nothing to send: give a TEXT (or stdin) or --attach FILE")
    addresses = list(dict.fromkeys(a.strip() for a in to if a.strip()))
    if not addresses:
        raise HeadlessError("no recipient: give --to NUMBER|UUID|group.ID")
    if attach and len(addresses) > 1:
        raise HeadlessError("attachments can only be sent to one recipient at a time")
    session = _session(config, outbox_options=outbox_options)
    await session.open()
    try:
        if len(addresses) > 1:
            return await _send_each(session, addresses, body, wait, out or sys.stdout)
        try:
            conv = await _resolve(session, addresses[0])
            messages = [await session.messenger.send(conv.id, body, attachments=list(attach))]
        except ActionError as exc:
            print(f"signal-tui: {exc}", file=sys.stderr)
            return EXIT_FAILED
        await session.start(receive=False, send=True)
        states = await _wait_outcome(session, messages, wait)
        return _report(states)
    finally:
        await session.stop()


async def _send_each(
    session: Any, addresses: list[str], body: str, wait: float, out: TextIO
) -> int:
    """Several recipients: the people in one multi-recipient send, each group on its own; a
    recipient that cannot be resolved (not on Signal, not a number, unknown group) fails alone."""
    from signal_tui.core.errors import ActionError

    outcome: dict[str, tuple[int, str]] = {}  # address -> (exit code, line) when known early
    conv_of: dict[str, Conversation] = {}
    for address in addresses:
        try:
            conv_of[address] = await _resolve(session, address)
        except (ActionError, HeadlessError) as exc:
            outcome[address] = (EXIT_FAILED, f"failed: {one_line(str(exc))}")
    unique = list({c.id: c for c in conv_of.values()}.values())
    people = [c for c in unique if c.kind != "group"]
    batches = [[c] for c in unique if c.kind == "group"]
    if people:
        batches.insert(0, people)
    message_of: dict[int, Message] = {}  # conversation id -> its copy of the message
    for batch in batches:
        try:
            if len(batch) == 1:
                sent = [await session.messenger.send(batch[0].id, body)]
            else:
                sent = await session.messenger.send_to_many([c.address for c in batch], body)
        except ActionError as exc:
            in_batch = {c.id for c in batch}
            for address, conv in conv_of.items():
                if conv.id in in_batch:
                    outcome[address] = (EXIT_FAILED, f"failed: {one_line(str(exc))}")
            continue
        message_of.update((m.conversation_id, m) for m in sent)
    latest: dict[int, Any] = {}
    if message_of:
        await session.start(receive=False, send=True)
        latest = await _wait_outcome(session, list(message_of.values()), wait)
    codes = []
    for address in addresses:
        if address not in outcome:
            mine = message_of.get(conv_of[address].id)
            outcome[address] = _outcome(latest.get(mine.id) if mine is not None else None)
        code, line = outcome[address]
        codes.append(code)
        out.write(f"{one_line(address, 80)}: {line}\n")
    out.flush()
    return codes[0] if len(set(codes)) == 1 else EXIT_PARTIAL


def _outcome(msg: Message | None) -> tuple[int, str]:
    """(exit code, report line) for one recipient's copy of a message."""
    if msg is None:
        return EXIT_FAILED, "failed: the message is gone from the cache"
    reason = one_line(msg.error) if msg.error else ""
    if msg.status in ("sent", "delivered", "read", "viewed"):
        return EXIT_SENT, "sent"
    if msg.status == "failed":
        return EXIT_FAILED, f"failed: {reason or 'not sent'}"
    if msg.status == "unknown":
        return (
            EXIT_UNKNOWN,
            f"unknown: {reason or 'it may have arrived'} (not resent automatically)",
        )
    return EXIT_QUEUED, f"queued: {reason + '; ' if reason else ''}it will be sent later"


async def _resolve(session: Any, address: str) -> Conversation:
    from signal_tui.ids import is_group_id

    address = address.strip()
    if is_group_id(address):
        conv = await session.store.find_conversation(address)
        if conv is None:
            await session.refresh_groups()
            conv = await session.store.find_conversation(address)
        if conv is None:
            raise HeadlessError(f"unknown group {one_line(address, 80)}")
        return conv
    return await session.messenger.open_direct(address)


async def _wait_outcome(session: Any, messages: list[Message], wait: float) -> dict[int, Any]:
    deadline = time.monotonic() + wait
    ids = {m.id for m in messages}
    latest: dict[int, Any] = {}
    while True:
        for mid in ids:
            latest[mid] = await session.store.get_message(mid)
        states = {m.status for m in latest.values() if m is not None}
        if states and states <= {"sent", "delivered", "read", "viewed", "failed", "unknown"}:
            return latest
        if time.monotonic() > deadline:
            return latest
        await asyncio.sleep(0.05)


def _report(latest: dict[int, Any]) -> int:
    codes = []
    for msg in latest.values():
        if msg is None:
            continue
        status = msg.status
        if status in ("sent", "delivered", "read", "viewed"):
            codes.append(EXIT_SENT)
            continue
        reason = f": {one_line(msg.error)}" if msg.error else ""
        if status == "failed":
            print(f"signal-tui: not sent{reason}", file=sys.stderr)
            codes.append(EXIT_FAILED)
        elif status == "unknown":
            print(
                f"signal-tui: unknown whether it was sent{reason} (not resent automatically)",
                file=sys.stderr,
            )
            codes.append(EXIT_UNKNOWN)
        else:
            print(f"signal-tui: still queued{reason}; it will be sent later", file=sys.stderr)
            codes.append(EXIT_QUEUED)
    return max(codes, default=EXIT_FAILED)


# --- export and stats ------------------------------------------------------------------------
async def export_cmd(
    config: Config, *, conversation: str | None, fmt: str, out: TextIO | None = None
) -> int:
    """History from the cache (no network). JSON: one document; markdown: readable text."""
    _require(config, url=False)
    out = out or sys.stdout
    session = _session(config)
    await session.open(owner=False)  # read only: may run beside the app
    try:
        store = session.store
        if conversation:
            conv = await _find_conv(store, conversation)
            if conv is None:
                raise HeadlessError(f"no conversation {one_line(conversation, 80)} in the cache")
            convs = [conv]
        else:
            convs = await store.list_conversations(limit=1_000_000)
        from signal_tui.cli.export import write_json, write_markdown

        if fmt == "json":
            await write_json(store, convs, out)
        else:
            await write_markdown(store, convs, out)
        out.flush()
        return 0
    finally:
        await session.stop()


async def _find_conv(store: Any, key: str) -> Conversation | None:
    if key.isdigit():
        conv = await store.get_conversation(int(key))
        if conv is not None:
            return conv
    return await store.find_conversation(key.strip())


async def stats_cmd(config: Config, *, as_json: bool, out: TextIO | None = None) -> int:
    """Counts from the cache: conversations, messages, unread, outbox by state, attachments,
    database size."""
    _require(config, url=False)
    out = out or sys.stdout
    session = _session(config)
    await session.open(owner=False)  # read only: may run beside the app
    try:
        stats = await session.store.stats()
        # the store's outbox counts are of every row, and most rows are read receipts (reactions,
        # edits, deletes and votes go through it too): "outbox" means messages the user sent
        sends = [item for item in await session.store.outbox_items() if item.kind == "send"]
        stats["outbox"] = dict(Counter(item.state for item in sends))
    finally:
        await session.stop()
    if as_json:
        out.write(json.dumps(stats, default=str, sort_keys=True) + "\n")
        return 0
    for key, value in stats.items():
        if isinstance(value, dict):
            inner = ", ".join(f"{k} {v}" for k, v in sorted(value.items())) or "none"
            out.write(f"{key}: {inner}\n")
        else:
            out.write(f"{key}: {value}\n")
    return 0


async def doctor_cmd(
    config: Config, *, rebuild: bool, reset: bool, out: TextIO | None = None
) -> int:
    """Check the cache (integrity_check); with --rebuild / --reset keep a damaged file aside and
    rebuild it from its envelopes / start empty. 0: fine or repaired, 1: damaged, left as is."""
    from signal_tui.store import CacheBusy, Store
    from signal_tui.store.lock import CacheLock
    from signal_tui.store.repair import check, move_aside, read_envelopes

    _require(config, url=False)
    out = out or sys.stdout
    path = config.account_data_dir(config.account) / "cache.sqlite3"
    lock = CacheLock(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        lock.acquire()  # never repair under a running app
    except CacheBusy as exc:
        raise HeadlessError(str(exc)) from None
    try:
        report = check(path)
        out.write(f"cache: {path}\n")
        if report.ok:
            out.write("integrity: ok\n")
            if rebuild or reset:
                out.write("nothing to repair: the cache is fine\n")
            return 0
        out.write("integrity: DAMAGED\n")
        for problem in report.problems:
            out.write(f"  {one_line(problem, 200)}\n")
        if not (rebuild or reset):
            out.write(
                "run `signal-tui doctor --rebuild` (keeps the file aside, rebuilds from the "
                "envelopes it still holds) or `--reset` (keeps it aside, starts empty)\n"
            )
            return 1
        kept = move_aside(path)
        out.write(f"the damaged file is kept at {kept}\n")
        items, stopped = read_envelopes(kept) if rebuild else ([], False)
    finally:
        lock.release()
    store = await Store.open(path, account=config.account or "")
    try:
        for start in range(0, len(items), 500):
            await store.ingest_batch(items[start : start + 500])
        stats = await store.stats()
    finally:
        await store.close()
    if rebuild:
        more = " (the rest of the file could not be read)" if stopped else ""
        out.write(
            f"rebuilt from {len(items)} envelopes{more}: {stats['messages']} messages in "
            f"{stats['conversations']} conversations\n"
        )
    else:
        out.write("started an empty cache; history arrives again only as new messages\n")
    return 0
