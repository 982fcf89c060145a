"""Envelope JSON exactly as signal-cli 0.14 prints it (tests/data/rest-api-notes.md §3 field-presence rules).

Always present (possibly null): source, sourceNumber, sourceUuid, sourceName, sourceDevice, timestamp,
serverReceivedTimestamp, serverDeliveredTimestamp. At most one content key. A dataMessage always has
timestamp, message, expiresInSeconds, isExpirationUpdate, viewOnce; every other key only when non-empty.
"""

from __future__ import annotations

from typing import Any

from signal_tui.simulator.state import Group, Person

ALWAYS_PRESENT = (
    "source",
    "sourceNumber",
    "sourceUuid",
    "sourceName",
    "sourceDevice",
    "timestamp",
    "serverReceivedTimestamp",
    "serverDeliveredTimestamp",
)
CONTENT_KEYS = (
    "dataMessage",
    "editMessage",
    "storyMessage",
    "syncMessage",
    "callMessage",
    "receiptMessage",
    "typingMessage",
)


def envelope(
    sender: Person | None,
    device: int | None,
    timestamp: int,
    content_key: str | None = None,
    content: dict[str, Any] | None = None,
    *,
    received: int | None = None,
    delivered: int | None = None,
) -> dict[str, Any]:
    """A full envelope; `sender=None` models sealed-sender failures (all source fields null)."""
    received = received if received is not None else timestamp + 37
    env: dict[str, Any] = {
        "source": sender.address if sender else None,
        "sourceNumber": sender.number if sender else None,
        "sourceUuid": sender.uuid if sender else None,
        "sourceName": (sender.profile_name or None) if sender else None,
        "sourceDevice": device,
        "timestamp": timestamp,
        "serverReceivedTimestamp": received,
        "serverDeliveredTimestamp": delivered if delivered is not None else received + 58,
    }
    if content_key is not None:
        assert content_key in CONTENT_KEYS
        env[content_key] = content if content is not None else {}
    return env


def data_message(
    timestamp: int,
    message: str | None = None,
    *,
    expires: int = 0,
    is_expiration_update: bool = False,
    view_once: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """`JsonDataMessage`: the five fixed keys plus every non-empty extra."""
    dm: dict[str, Any] = {
        "timestamp": timestamp,
        "message": message,
        "expiresInSeconds": expires,
        "isExpirationUpdate": is_expiration_update,
        "viewOnce": view_once,
    }
    for key, value in extra.items():
        if value is None or value == [] or value == {}:
            continue
        dm[key] = value
    return dm


def group_info(group: Group, kind: str = "DELIVER") -> dict[str, Any]:
    return {
        "groupId": group.internal_id,
        "groupName": group.name,
        "revision": group.revision,
        "type": kind,
    }


def attachment(
    att_id: str,
    content_type: str,
    size: int,
    *,
    filename: str | None,
    width: int | None,
    height: int | None,
    upload_ts: int,
    caption: str | None = None,
) -> dict[str, Any]:
    """`JsonAttachment`: every key present, possibly null."""
    return {
        "contentType": content_type,
        "filename": filename,
        "id": att_id,
        "size": size,
        "width": width,
        "height": height,
        "caption": caption,
        "uploadTimestamp": upload_ts,
    }


def quote(
    quote_id: int,
    author: Person | None,
    author_key: str,
    text: str | None,
    mentions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    q: dict[str, Any] = {
        "id": quote_id,
        "author": author.address if author else author_key,
        "authorNumber": author.number if author else None,
        "authorUuid": author.uuid if author else None,
        "text": text,
        "attachments": [],
    }
    if mentions:
        q["mentions"] = mentions
    return q


def mention(person: Person | None, key: str, start: int, length: int) -> dict[str, Any]:
    return {
        "name": person.address if person else key,
        "number": person.number if person else None,
        "uuid": person.uuid if person else key,
        "start": start,
        "length": length,
    }


def reaction(
    emoji: str, target: Person | None, target_key: str, target_ts: int, remove: bool
) -> dict[str, Any]:
    return {
        "emoji": emoji,
        "targetAuthor": target.address if target else target_key,
        "targetAuthorNumber": target.number if target else None,
        "targetAuthorUuid": target.uuid if target else None,
        "targetSentTimestamp": target_ts,
        "isRemove": remove,
    }


def receipt(when: int, kind: str, timestamps: list[int]) -> dict[str, Any]:
    return {
        "when": when,
        "isDelivery": kind == "delivery",
        "isRead": kind == "read",
        "isViewed": kind == "viewed",
        "timestamps": timestamps,
    }


def typing(action: str, timestamp: int, group: Group | None = None) -> dict[str, Any]:
    t: dict[str, Any] = {"action": action, "timestamp": timestamp}
    if group is not None:
        t["groupId"] = group.internal_id
    return t


def sync_sent(destination: Person | None, dm: dict[str, Any]) -> dict[str, Any]:
    """`JsonSyncDataMessage`: destination fields, then the data message flattened in.

    For an edit pass `{"editMessage": {...}}` as `dm`: the transcript then has no flattened fields.
    """
    return {
        "sentMessage": {
            "destination": destination.address if destination else None,
            "destinationNumber": destination.number if destination else None,
            "destinationUuid": destination.uuid if destination else None,
            **dm,
        }
    }


def item(
    env: dict[str, Any], account: str, exception: dict[str, str] | None = None
) -> dict[str, Any]:
    """A receive item as printed by signal-cli `--output=json` / the json-rpc notification params."""
    out: dict[str, Any] = {"envelope": env, "account": account}
    if exception is not None:
        out["exception"] = exception
    return out
