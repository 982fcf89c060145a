"""Admin commands about people: contacts, safety numbers, and our own profile and settings.

Profile avatar rule: the server REMOVES the avatar whenever a profile update omits it. So the bytes
of the avatar we last set are kept in ``<account data dir>/profile/avatar`` and sent again with every
update; when we have none saved we try to fetch our own avatar from the server first; when that is
impossible the update refuses (kind ``avatar_unknown``) unless the caller says it may go without.
Only an explicit ``remove_avatar=True`` removes it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signal_tui.core.errors import ActionError
from signal_tui.files import private_dir, write_private

MAX_AVATAR_BYTES = 5 * 1024 * 1024
STATUS_WORDS = {
    "TRUSTED_VERIFIED": "verified",
    "TRUSTED_UNVERIFIED": "unverified",
    "UNTRUSTED": "untrusted",
}


@dataclass(frozen=True, slots=True)
class IdentityInfo:
    address: str  # uuid when known, else number: what trust() takes
    number: str | None
    uuid: str | None
    name: str
    status: str  # verified | unverified | untrusted
    safety_number: str
    fingerprint: str = ""
    added: int | None = None


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    name: str = ""
    about: str = ""
    has_avatar: bool = False
    avatar_path: str | None = None  # our saved copy, for a preview
    share_number: bool | None = None  # None: unknown (the server has no read call)
    discoverable: bool | None = None
    username: str | None = None
    username_link: str | None = None


def _remove_avatar_sentinel() -> Any:
    try:
        from signal_tui.api import models

        return models.REMOVE_AVATAR
    except (ImportError, AttributeError):
        from signal_tui.api import client

        return client.REMOVE_AVATAR


def format_safety_number(number: str) -> str:
    """Signal shows the 60 digits in 12 groups of 5; keep whatever else untouched."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) != 60:
        return number
    return " ".join(digits[i : i + 5] for i in range(0, 60, 5))


class PeopleMixin:
    """Contacts, identities, profile. Mixed into Admin (needs client, store, account, data_dir)."""

    client: Any
    store: Any
    account: str
    data_dir: Path

    if TYPE_CHECKING:  # provided by Admin

        async def _call(self, action: str, fn: Any, *args: Any, **kw: Any) -> Any: ...

    # --- contacts ------------------------------------------------------------------------------
    async def refresh_contacts(self) -> int:
        """Copy the server's contact list into the store (names, usernames, blocked). Count."""
        contacts = await self._call("contacts", self.client.contacts, self.account)
        self._names_loaded = True
        count = 0
        for c in contacts:
            uuid, number = getattr(c, "uuid", None) or None, getattr(c, "number", None) or None
            if not (uuid or number) or number == self.account:
                continue
            await self.store.upsert_recipient(
                uuid=uuid,
                number=number,
                profile_name=getattr(c, "profile_name", None) or None,
                contact_name=getattr(c, "name", None) or None,
                nickname=getattr(c, "nickname", None) or None,
                username=getattr(c, "username", None) or None,
                blocked=True if getattr(c, "blocked", False) else None,  # keep local blocks
            )
            count += 1
        return count

    async def ensure_names(self) -> None:
        """Once per Admin: copy contact names from the server so members and safety numbers
        show names, not numbers, even on a fresh cache. Best effort (offline is fine)."""
        if getattr(self, "_names_loaded", False):
            return
        self._names_loaded = True
        try:
            await self.refresh_contacts()
        except ActionError:
            self._names_loaded = False

    async def contacts(self, query: str | None = None) -> list[Any]:
        """Recipients from the store (not ourselves), by display name."""
        rows = await self.store.recipients(query=query or None, limit=2000)
        own = {self.account}
        return sorted(
            (r for r in rows if r.number not in own and (r.uuid or r.number)),
            key=lambda r: r.display_name.casefold(),
        )

    async def rename_contact(self, recipient: Any, name: str) -> Any:
        """Local contact name (stored on the server's signal-cli, seen only by you)."""
        name = name.strip()
        await self._call(
            "contact_rename",
            self.client.update_contact,
            self.account,
            recipient.address,
            name=name,
        )
        return await self.store.upsert_recipient(
            uuid=recipient.uuid, number=recipient.number, contact_name=name or None
        )

    async def set_contact_blocked(self, recipient: Any, blocked: bool) -> Any:
        """signal-cli-rest-api has no call to block a contact: this blocks it in signal-tui only
        (the conversation is marked blocked and hidden from notifications)."""
        updated = await self.store.upsert_recipient(
            uuid=recipient.uuid, number=recipient.number, blocked=blocked
        )
        conv = await self.store.find_conversation(recipient.address)
        if conv is not None:
            await self.store.set_conversation_blocked(conv.id, blocked)
        return updated

    # --- identities / safety numbers -----------------------------------------------------------
    async def identities(self) -> list[IdentityInfo]:
        rows = await self._call("identities", self.client.identities, self.account)
        await self.ensure_names()
        names: dict[str, str] = {}
        for r in await self.store.recipients(limit=5000):
            for key in (r.uuid, r.number):
                if key:
                    names[key] = r.display_name
        out = []
        for i in rows:
            uuid, number = getattr(i, "uuid", None) or None, getattr(i, "number", None) or None
            address = uuid or number or ""
            out.append(
                IdentityInfo(
                    address=address,
                    number=number,
                    uuid=uuid,
                    name=names.get(uuid or "") or names.get(number or "") or address,
                    status=STATUS_WORDS.get(str(i.status).upper(), str(i.status).lower()),
                    safety_number=format_safety_number(str(getattr(i, "safety_number", "") or "")),
                    fingerprint=str(getattr(i, "fingerprint", "") or ""),
                    added=getattr(i, "added", None),
                )
            )
        return sorted(out, key=lambda i: (i.status != "untrusted", i.name.casefold()))

    async def trust(self, identity: IdentityInfo, *, verified: bool = True) -> None:
        """verified=True: trust this exact safety number (marks it verified); False: trust all
        keys known for the contact (accepts a change without comparing numbers)."""
        if verified:
            digits = "".join(ch for ch in identity.safety_number if ch.isdigit())
            await self._call(
                "trust", self.client.trust, self.account, identity.address, safety_number=digits
            )
        else:
            await self._call(
                "trust",
                self.client.trust,
                self.account,
                identity.address,
                trust_all_known_keys=True,
            )

    # --- profile -------------------------------------------------------------------------------
    @property
    def _profile_dir(self) -> Path:
        return self.data_dir / "profile"

    def _load_profile(self) -> dict[str, Any]:
        try:
            data = json.loads((self._profile_dir / "profile.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save_profile(self, **changes: Any) -> None:
        data = self._load_profile()
        data.update(changes)
        private_dir(self._profile_dir)
        write_private(self._profile_dir / "profile.json", json.dumps(data).encode())

    def saved_avatar(self) -> bytes | None:
        try:
            return (self._profile_dir / "avatar").read_bytes()
        except OSError:
            return None

    async def profile(self) -> ProfileInfo:
        saved = self._load_profile()
        name = saved.get("name") or ""
        try:
            me = await self.store.self_recipient()
            name = name or (me.profile_name or "")
        except Exception:
            pass
        avatar = self._profile_dir / "avatar"
        return ProfileInfo(
            name=name,
            about=saved.get("about") or "",
            has_avatar=avatar.exists(),
            avatar_path=str(avatar) if avatar.exists() else None,
            share_number=saved.get("share_number"),
            discoverable=saved.get("discoverable"),
            username=saved.get("username"),
            username_link=saved.get("username_link"),
        )

    async def _current_avatar(self) -> bytes | None:
        saved = self.saved_avatar()
        if saved:
            return saved
        try:
            me = await self.store.self_recipient()
            if me is not None and me.uuid:
                data = await self.client.contact_avatar(self.account, me.uuid)
                if data:
                    self._keep_avatar(data)
                    return data
        except Exception:
            return None
        return None

    def _keep_avatar(self, data: bytes) -> None:
        private_dir(self._profile_dir)
        write_private(self._profile_dir / "avatar", data)

    async def update_profile(
        self,
        *,
        name: str | None = None,
        about: str | None = None,
        avatar_file: Path | None = None,
        remove_avatar: bool = False,
        allow_without_avatar: bool = False,
    ) -> ProfileInfo:
        """Change name/about/avatar. The avatar is always sent (see module docstring)."""
        current = await self.profile()
        name = (name if name is not None else current.name).strip()
        if not name:
            raise ActionError("A profile name is required", "invalid")
        about = about if about is not None else current.about
        if avatar_file is not None:
            avatar: Any = await asyncio.to_thread(read_image, Path(avatar_file))
        elif remove_avatar:
            avatar = _remove_avatar_sentinel()
        else:
            avatar = await self._current_avatar()
            if avatar is None:
                if not allow_without_avatar:
                    raise ActionError(
                        "signal-tui does not know your current avatar, and the server removes "
                        "it when a profile update leaves it out. Choose an avatar file, or "
                        "confirm that you have none.",
                        "avatar_unknown",
                    )
                avatar = _remove_avatar_sentinel()
        await self._call(
            "profile",
            self.client.update_profile,
            self.account,
            name=name,
            about=about or None,
            avatar=avatar,
        )
        if isinstance(avatar, bytes):
            self._keep_avatar(avatar)
        elif (self._profile_dir / "avatar").exists():
            (self._profile_dir / "avatar").unlink()
        self._save_profile(name=name, about=about or "")
        try:
            me = await self.store.self_recipient()
            await self.store.upsert_recipient(uuid=me.uuid, number=me.number, profile_name=name)
        except Exception:
            pass  # the store's self row is a nicety; the server has the truth
        return await self.profile()

    async def update_settings(
        self, *, share_number: bool | None = None, discoverable: bool | None = None
    ) -> ProfileInfo:
        await self._call(
            "settings",
            self.client.update_account_settings,
            self.account,
            discoverable_by_number=discoverable,
            share_number=share_number,
        )
        changes = {}
        if share_number is not None:
            changes["share_number"] = share_number
        if discoverable is not None:
            changes["discoverable"] = discoverable
        self._save_profile(**changes)
        return await self.profile()

    async def set_username(self, username: str) -> ProfileInfo:
        username = username.strip().lstrip("@")
        if not username:
            raise ActionError("Type a username", "invalid")
        result = await self._call("username", self.client.set_username, self.account, username)
        self._save_profile(
            username=getattr(result, "username", username),
            username_link=getattr(result, "link", None),
        )
        return await self.profile()

    async def delete_username(self) -> ProfileInfo:
        await self._call("username", self.client.delete_username, self.account)
        self._save_profile(username=None, username_link=None)
        return await self.profile()


def read_image(path: Path) -> bytes:
    """Read an avatar file; refuse what is not an image or is too big (before uploading it)."""
    try:
        data = path.expanduser().read_bytes()
    except OSError as exc:
        raise ActionError(f"Could not read {path.name}: {exc.strerror or exc}", "file") from exc
    if len(data) > MAX_AVATAR_BYTES:
        raise ActionError(f"{path.name} is too big for an avatar (over 5 MB)", "file")
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as img:
            img.verify()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ActionError(f"{path.name} is not an image", "file") from exc
    return data
