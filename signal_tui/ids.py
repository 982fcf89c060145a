"""The one place for Signal identifiers: group ids in their two forms, and addresses.

* internal id: base64 of the 32 raw id bytes, as envelopes carry it (`groupInfo.groupId`).
* REST id: ``"group." + base64(internal id as ASCII)``, as every REST input and `GET /v1/groups` use.
"""

from __future__ import annotations

import base64
import binascii
import re

PREFIX = "group."


def is_group_id(value: str) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def to_rest_id(internal_id: str) -> str:
    """Envelope form -> REST form. Accepts an already-converted id unchanged."""
    if is_group_id(internal_id):
        return internal_id
    return PREFIX + base64.b64encode(internal_id.encode("ascii")).decode("ascii")


def to_internal_id(rest_id: str) -> str:
    """REST form -> envelope form. Raises ValueError for anything that is not a `group.` id."""
    if not is_group_id(rest_id):
        raise ValueError(f"not a group id: {rest_id!r}")
    try:
        return base64.b64decode(rest_id[len(PREFIX) :], validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(f"malformed group id: {rest_id!r}") from exc


def is_valid_rest_id(rest_id: str) -> bool:
    """True when the id decodes twice to exactly 32 bytes, as the real server requires."""
    try:
        raw = base64.b64decode(to_internal_id(rest_id), validate=True)
    except (ValueError, binascii.Error):
        return False
    return len(raw) == 32


# --- addresses: a person is an ACI UUID or an E.164 number -------------------------------------

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NUMBER = re.compile(r"^\+[0-9]{3,18}$")


def norm_uuid(value: object) -> str | None:
    """A lower-case ACI UUID, or None (PNI:..., usernames and garbage are not identities)."""
    if isinstance(value, str) and _UUID.match(value):
        return value.lower()
    return None


def norm_number(value: object) -> str | None:
    """An E.164 number (spaces tolerated, as the server does), or None."""
    if isinstance(value, str):
        text = value.replace(" ", "")
        if _NUMBER.match(text):
            return text
    return None


def split_address(address: object) -> tuple[str | None, str | None]:
    """(uuid, number) for an address that may be either (member lists mix both)."""
    return norm_uuid(address), norm_number(address)
