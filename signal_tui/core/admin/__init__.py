"""Administration: groups, linked devices, contacts, safety numbers, profile, server attachments.

Every change the admin screens make goes through ``Admin`` (the UI never calls HTTP): it calls the
SignalClient, writes what changed into the Store (so the conversation list and views update through
the ordinary change notices), and turns failures into plain sentences (``ActionError``).

Server facts this relies on (tests/data/rest-api-notes.md):
* ``DELETE /v1/groups/{n}/{gid}`` does not delete a group, it leaves it ("delete" = leave);
* linking another device and sending a contacts sync only work on the primary device;
* a profile update without ``base64_avatar`` REMOVES the avatar, so the avatar bytes we last set are
  kept in the account data dir and sent again with every update (see core/admin/people.py).
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from signal_tui.core.admin.groups import (
    DELETE_MEANS_LEAVE,
    LINK_STATES,
    PERMISSION_VALUES,
    GroupInfo,
    GroupsMixin,
)
from signal_tui.core.admin.people import IdentityInfo, PeopleMixin, ProfileInfo, read_image
from signal_tui.core.admin.setup import AccountSetup, Diagnosis, diagnose, read_device
from signal_tui.core.errors import ActionError, explain

__all__ = [
    "DELETE_MEANS_LEAVE",
    "LINK_STATES",
    "PERMISSION_VALUES",
    "AccountSetup",
    "ActionError",
    "Admin",
    "DeviceInfo",
    "Diagnosis",
    "GroupInfo",
    "IdentityInfo",
    "ProfileInfo",
    "ServerAttachment",
    "diagnose",
    "read_image",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: int
    name: str
    created: int | None  # ms since epoch
    last_seen: int | None
    this_device: bool = False


@dataclass(frozen=True, slots=True)
class ServerAttachment:
    id: str
    size: int | None = None


class Admin(GroupsMixin, PeopleMixin):
    """Administration commands for one account. All methods raise ActionError on failure."""

    def __init__(self, client: Any, store: Any, account: str, data_dir: Path) -> None:
        self.client = client
        self.store = store
        self.account = account
        self.data_dir = Path(data_dir)
        self._groups: dict[str, GroupInfo] = {}
        device = read_device(self.data_dir)
        self.linked = bool(device.get("linked"))  # False: registered here = primary device
        self.device_name = device.get("device_name") or None
        self.this_device_id: int | None = None if self.linked else 1

    async def _call(self, action: str, fn: Callable[..., Awaitable[T]], *args: Any, **kw: Any) -> T:
        try:
            return await fn(*args, **kw)
        except ActionError:
            raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            raise explain(exc, action) from exc

    # --- identity of this account ------------------------------------------------------------
    async def _own_addresses(self) -> set[str]:
        own = {self.account}
        try:
            me = await self.store.self_recipient()
        except Exception:
            me = None
        if me is not None:
            own |= {a for a in (me.uuid, me.number) if a}
        return own

    # --- linked devices ------------------------------------------------------------------------
    async def devices(self) -> list[DeviceInfo]:
        devices = await self._call("devices", self.client.devices, self.account)
        if self.linked and self.this_device_id is None:
            named = [int(d.id) for d in devices if d.name and d.name == self.device_name]
            self.this_device_id = max(named) if named else None
        this = self.this_device_id
        return [
            DeviceInfo(
                id=int(d.id),
                name=d.name or ("primary device" if int(d.id) == 1 else f"device {d.id}"),
                created=getattr(d, "created", None),
                last_seen=getattr(d, "last_seen", None),
                this_device=this == int(d.id),
            )
            for d in sorted(devices, key=lambda d: int(d.id))
        ]

    async def link_device(self, uri: str) -> None:
        uri = uri.strip()
        if not uri.startswith("sgnl://linkdevice?") and not uri.startswith("tsdevice:/?"):
            raise ActionError(
                "Paste the whole link shown by the new device; it starts with sgnl://linkdevice?",
                "bad_link",
            )
        if self.linked:
            raise ActionError(
                "This server is a linked device, not the primary device: link new devices "
                "from your phone",
                "not_primary",
            )
        await self._call("link_device", self.client.link_device, self.account, uri)

    async def remove_device(self, device_id: int) -> None:
        if int(device_id) == 1:
            raise ActionError("The primary device cannot be removed", "invalid")
        await self._call("remove_device", self.client.remove_device, self.account, int(device_id))

    async def sync_contacts(self) -> None:
        await self._call("sync_contacts", self.client.sync_contacts, self.account)

    # --- server attachments --------------------------------------------------------------------
    async def server_attachments(self) -> list[ServerAttachment]:
        names = await self._call("attachments", self.client.list_attachments)
        return [ServerAttachment(str(n)) for n in sorted(names)]

    async def attachment_size(self, attachment_id: str) -> int | None:
        """The size in bytes (the list gives only names, so this fetches the file once)."""
        try:
            return len(await self.client.attachment(attachment_id))
        except Exception:
            return None

    async def delete_server_attachment(self, attachment_id: str) -> None:
        await self._call("attachment_delete", self.client.delete_attachment, attachment_id)

    async def about(self) -> Any:
        return await self._call("about", self.client.about)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
