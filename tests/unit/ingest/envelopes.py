"""Builders for receive items shaped exactly as tests/data/rest-api-notes.md §3 shows them."""

from __future__ import annotations

from typing import Any

ME = "+4917600000000"
ME_UUID = "9e1d0c3b-2a4f-4d5e-8f70-112233445566"
ALICE = "+4915112345678"
ALICE_UUID = "4f8b2a6e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
BOB = "+4915199999999"
BOB_UUID = "0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3"
GROUP_INTERNAL = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="
GROUP_REST = "group.QVFJREJBVUdCd2dKQ2dzTURRNFBFQkVTRXhRVkZoY1lHUm9iSEIwZUh5QT0="


def item(
    content: dict[str, Any] | None = None,
    *,
    ts: int = 1755000000000,
    number: str | None = ALICE,
    uuid: str | None = ALICE_UUID,
    name: str | None = "Alice",
    **extra: Any,
) -> dict[str, Any]:
    env: dict[str, Any] = {
        "source": number or uuid,
        "sourceNumber": number,
        "sourceUuid": uuid,
        "sourceName": name,
        "sourceDevice": 1,
        "timestamp": ts,
        "serverReceivedTimestamp": ts + 120 if isinstance(ts, int) else ts,
        "serverDeliveredTimestamp": ts + 456 if isinstance(ts, int) else ts,
    }
    env.update(content or {})
    out = {"envelope": env, "account": ME}
    out.update(extra)
    return out


def data(ts: int, message: str | None = "Hi!", **fields: Any) -> dict[str, Any]:
    dm = {
        "timestamp": ts,
        "message": message,
        "expiresInSeconds": 0,
        "isExpirationUpdate": False,
        "viewOnce": False,
    }
    dm.update(fields)
    return dm


def text(ts: int, message: str | None = "Hi!", **kw: Any) -> dict[str, Any]:
    """An incoming data message from Alice (or whoever kw names)."""
    fields = kw.pop("fields", {})
    return item({"dataMessage": data(ts, message, **fields)}, ts=ts, **kw)


def group_text(ts: int, message: str | None = "dinner?", type_: str = "DELIVER", **kw: Any):
    info = {"groupId": GROUP_INTERNAL, "groupName": "Family", "revision": 12, "type": type_}
    return text(ts, message, fields={"groupInfo": info}, **kw)


def reaction(ts: int, target_ts: int, emoji: str = "👍", *, remove: bool = False,
             target: str = ME, target_uuid: str | None = ME_UUID, **kw: Any):  # fmt: skip
    r = {"emoji": emoji, "targetAuthor": target, "targetAuthorNumber": target,
         "targetAuthorUuid": target_uuid, "targetSentTimestamp": target_ts, "isRemove": remove}  # fmt: skip
    return item({"dataMessage": data(ts, None, reaction=r)}, ts=ts, **kw)


def edit(ts: int, target_ts: int, message: str, **kw: Any):
    return item(
        {"editMessage": {"targetSentTimestamp": target_ts, "dataMessage": data(ts, message)}},
        ts=ts,
        **kw,
    )


def remote_delete(ts: int, target_ts: int, **kw: Any):
    return item({"dataMessage": data(ts, None, remoteDelete={"timestamp": target_ts})}, ts=ts, **kw)


def receipt(ts: int, timestamps: list[int], kind: str = "read", **kw: Any):
    rm = {"when": ts, "isDelivery": kind == "delivered", "isRead": kind == "read",
          "isViewed": kind == "viewed", "timestamps": timestamps}  # fmt: skip
    return item({"receiptMessage": rm}, ts=ts, **kw)


def sync_sent(ts: int, message: str, *, dest: str | None = ALICE,
              dest_uuid: str | None = ALICE_UUID, **fields: Any):  # fmt: skip
    sent = {"destination": dest, "destinationNumber": dest, "destinationUuid": dest_uuid}
    sent.update(data(ts, message, **fields))
    return item({"syncMessage": {"sentMessage": sent}}, ts=ts, number=ME, uuid=ME_UUID,
                name="Me")  # fmt: skip


def sync_read(ts: int, sender: str, sender_uuid: str | None, target_ts: int):
    entry = {"sender": sender, "senderNumber": sender, "senderUuid": sender_uuid,
             "timestamp": target_ts}  # fmt: skip
    return item({"syncMessage": {"readMessages": [entry]}}, ts=ts, number=ME, uuid=ME_UUID)
