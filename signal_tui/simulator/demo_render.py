"""Render the demo's abstract history into the envelopes each hosted account would have received."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from signal_tui.simulator import envelopes as ev
from signal_tui.simulator.state import Account, Group, Person

if TYPE_CHECKING:
    from signal_tui.simulator.scenarios import Demo

DAY = 86_400_000
MIN = 60_000


def render_for(demo: Demo, acct: Account) -> list[dict[str, Any]]:
    """The demo history as `acct` receives it: own messages as syncs (with receipts), others as data."""
    me = acct.person
    out: list[tuple[int, dict[str, Any]]] = []
    for m in demo.msgs:
        group = m.to if isinstance(m.to, Group) else None
        if group is not None:
            visible = me.uuid in group.members
        else:
            visible = me is m.author or me is m.to
        if not visible:
            continue
        content_dm = m.dm
        if m.author is me:
            dest = None if group is not None else m.to
            sync_dm = (
                {"editMessage": {"targetSentTimestamp": m.edit_of, "dataMessage": content_dm}}
                if m.edit_of
                else content_dm
            )
            env = ev.envelope(me, 2, m.ts, "syncMessage", ev.sync_sent(dest, sync_dm))  # type: ignore[arg-type]
            out.append((m.ts, env))
            if m.receipts and ("reaction" not in content_dm):
                readers = (
                    [m.to]
                    if group is None
                    else [demo.sim.world.people[u] for u in group.members[:3] if u != me.uuid]
                )
                for reader in readers:
                    assert isinstance(reader, Person)
                    for kind, delay in (("delivery", 2_000), ("read", 17 * MIN)):
                        when = m.ts + delay
                        out.append(
                            (
                                when,
                                ev.envelope(
                                    reader,
                                    1,
                                    when,
                                    "receiptMessage",
                                    ev.receipt(when, kind, [m.ts]),
                                ),
                            )
                        )
        elif m.edit_of is not None:
            content = {"targetSentTimestamp": m.edit_of, "dataMessage": content_dm}
            out.append((m.ts, ev.envelope(m.author, 1, m.ts, "editMessage", content)))
        else:
            out.append((m.ts, ev.envelope(m.author, 1, m.ts, "dataMessage", content_dm)))
    # a typing indicator from Alice right at the end, and a sync: older chats read on the phone
    last = max(ts for ts, _ in out) + 1000
    alice = demo.people["alice"]
    if acct.person is demo.people["me"]:
        for ts, sender, key, content in demo.extras:
            out.append((ts, ev.envelope(sender, 1, ts, key, content)))
        out.append((last, ev.envelope(alice, 1, last, "typingMessage", ev.typing("STARTED", last))))
        out.append(
            (
                last + 1,
                ev.envelope(alice, 1, last + 1, "typingMessage", ev.typing("STOPPED", last + 1)),
            )
        )
    reads = [
        {
            "sender": e["source"],
            "senderNumber": e["sourceNumber"],
            "senderUuid": e["sourceUuid"],
            "timestamp": e["timestamp"],
        }
        for ts, e in out
        if "dataMessage" in e and e["dataMessage"].get("message") and ts < last - 2 * DAY
    ]
    if reads:
        out.append((last + 2, ev.envelope(me, 2, last + 2, "syncMessage", {"readMessages": reads})))
    out.sort(key=lambda pair: pair[0])
    return [e for _, e in out]
