"""The one place that converts Signal group ids between their two forms.

* internal id: base64 of the 32 raw id bytes, as envelopes carry it (`groupInfo.groupId`).
* REST id: ``"group." + base64(internal id as ASCII)``, as every REST input and `GET /v1/groups` use.
"""

from __future__ import annotations

import base64
import binascii

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
