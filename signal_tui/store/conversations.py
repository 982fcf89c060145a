"""Conversations and recipients: the list (from the summary table), groups, contacts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from signal_tui.ids import is_group_id, norm_number, norm_uuid, split_address
from signal_tui.store import rows
from signal_tui.store.models import Conversation, Recipient
from signal_tui.store.tx import Tx, clean_name

if TYPE_CHECKING:
    from collections.abc import Callable


def _like(query: str) -> str:
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _conv_by_id(conn: sqlite3.Connection, cid: int) -> Conversation | None:
    row = conn.execute(
        f"SELECT {rows.CONV_COLS} FROM {rows.CONV_FROM} WHERE c.id = ?", (cid,)
    ).fetchone()
    return rows.conversations(conn, [row])[0] if row else None


def _recipient_by_id(conn: sqlite3.Connection, rid: int) -> Recipient | None:
    row = conn.execute(
        f"SELECT {rows.RECIPIENT_COLS} FROM recipients WHERE id = ?", (rid,)
    ).fetchone()
    return rows.recipient(row) if row else None


class ConversationsMixin:
    _conv_cache: dict[int, Conversation] | None
    _conv_dirty: set[int]
    _read: Callable[..., Any]
    _write: Callable[..., Any]
    _self_id: int

    async def list_conversations(
        self, *, query: str | None = None, limit: int = 1000
    ) -> list[Conversation]:
        """Conversations by last activity, newest first (reads only the summary table).

        Without a query the list is cached: after a write only the conversations it touched
        are re-read, so refreshing the list on every change notice stays cheap.
        """
        if not (query and query.strip()):
            return await self._cached_conversations(max(0, int(limit)))

        def run(conn: sqlite3.Connection) -> list[Conversation]:
            sql = f"SELECT {rows.CONV_COLS} FROM {rows.CONV_FROM}"
            args: dict[str, Any] = {"n": max(0, int(limit))}
            if query and query.strip():
                args["p"] = _like(query.strip())
                cols = ("c.title", "r.number", "r.profile_name", "r.contact_name", "r.nickname")
                cols += ("r.username", "r.uuid")
                sql += " WHERE " + " OR ".join(f"{c} LIKE :p ESCAPE '\\'" for c in cols)
            sql += " ORDER BY c.last_activity DESC, c.id DESC LIMIT :n"
            return rows.conversations(conn, conn.execute(sql, args).fetchall())

        return await self._read(run)

    async def _cached_conversations(self, limit: int) -> list[Conversation]:
        def load_all(conn: sqlite3.Connection) -> list[Conversation]:
            sql = f"SELECT {rows.CONV_COLS} FROM {rows.CONV_FROM}"
            return rows.conversations(conn, conn.execute(sql).fetchall())

        def load_some(conn: sqlite3.Connection, ids: list[int]) -> list[Conversation]:
            marks = ",".join("?" * len(ids))
            sql = f"SELECT {rows.CONV_COLS} FROM {rows.CONV_FROM} WHERE c.id IN ({marks})"
            return rows.conversations(conn, conn.execute(sql, ids).fetchall())

        if self._conv_cache is None:
            self._conv_dirty.clear()
            fresh = await self._read(load_all)
            self._conv_cache = {c.id: c for c in fresh}
        elif self._conv_dirty:
            ids = list(self._conv_dirty)
            self._conv_dirty.clear()
            fresh = await self._read(load_some, ids)
            cache = self._conv_cache
            if cache is not None:
                for cid in ids:
                    cache.pop(cid, None)
                cache.update((c.id, c) for c in fresh)
        cache = self._conv_cache or {}
        ordered = sorted(cache.values(), key=lambda c: (c.last_activity, c.id), reverse=True)
        return ordered[:limit]

    async def get_conversation(self, conversation_id: int) -> Conversation | None:
        return await self._read(_conv_by_id, conversation_id)

    async def find_conversation(self, address: str) -> Conversation | None:
        """By uuid, number or `group.` id; None when there is no such conversation."""

        def run(conn: sqlite3.Connection) -> Conversation | None:
            if is_group_id(address):
                row = conn.execute(
                    "SELECT id FROM conversations WHERE group_id = ?", (address,)
                ).fetchone()
            else:
                uuid, number = split_address(address)
                row = conn.execute(
                    "SELECT c.id FROM conversations c JOIN recipients r ON r.id = c.recipient_id"
                    " WHERE r.uuid = ? OR r.number = ? OR r.username = ? LIMIT 1",
                    (uuid, number, address),
                ).fetchone()
            return _conv_by_id(conn, row[0]) if row else None

        return await self._read(run)

    async def ensure_direct(
        self,
        address: str,
        *,
        number: str | None = None,
        uuid: str | None = None,
        name: str | None = None,
    ) -> Conversation:
        """The direct conversation for an address, created if needed (never merges strangers)."""

        def run(tx: Tx) -> Conversation:
            u = norm_uuid(uuid) or norm_uuid(address)
            n = norm_number(number) or norm_number(address)
            rid = tx.recipient_id(u, n, profile_name=name)
            if rid is None:  # a username
                row = tx.conn.execute(
                    "SELECT id FROM recipients WHERE username = ?", (address,)
                ).fetchone()
                rid = (
                    row[0]
                    if row
                    else tx.conn.execute(
                        "INSERT INTO recipients (username) VALUES (?)", (clean_name(address),)
                    ).lastrowid
                )
            cid = tx.direct_conv(rid)
            assert cid is not None
            conv = _conv_by_id(tx.conn, cid)
            assert conv is not None
            return conv

        return await self._write(run)

    async def upsert_group(
        self,
        group_id: str,
        *,
        name: str,
        description: str = "",
        members: Iterable[str] = (),
        admins: Iterable[str] = (),
        blocked: bool = False,
        left: bool = False,
        expiry_seconds: int | None = None,
        raw: dict | None = None,
    ) -> Conversation:
        """Create or refresh a group from the server's view (members replace the old list)."""

        def run(tx: Tx) -> Conversation:
            cid = tx.group_conv(group_id)
            assert cid is not None
            c = tx.conn
            member_ids: dict[int, bool] = {}
            admin_set = set(admins)
            for address in [*members, *admin_set]:
                rid = tx.recipient_id(*split_address(address))
                if rid is not None:
                    member_ids[rid] = member_ids.get(rid, False) or address in admin_set
            c.execute("DELETE FROM group_members WHERE conversation_id = ?", (cid,))
            c.executemany(
                "INSERT INTO group_members (conversation_id, recipient_id, is_admin) VALUES (?, ?, ?)",
                [(cid, rid, int(adm)) for rid, adm in member_ids.items()],
            )
            c.execute(
                "UPDATE conversations SET title = ?, description = ?, blocked = ?, left_group = ?,"
                " member_count = ?, group_raw = ?, expiry_seconds = coalesce(?, expiry_seconds)"
                " WHERE id = ?",
                (
                    clean_name(name) or "", description if isinstance(description, str) else "",
                    int(blocked), int(left), len(member_ids),
                    json.dumps(raw) if raw is not None else None, expiry_seconds, cid,
                ),
            )  # fmt: skip
            tx.clear_caches()  # cached group titles are keyed by name
            tx.touch(cid, "conversation", "groups")
            conv = _conv_by_id(c, cid)
            assert conv is not None
            return conv

        return await self._write(run)

    async def group_members(self, conversation_id: int) -> list[tuple[Recipient, bool]]:
        def run(conn: sqlite3.Connection) -> list[tuple[Recipient, bool]]:
            cols = ", ".join(f"r.{c.strip()}" for c in rows.RECIPIENT_COLS.split(","))
            return [
                (rows.recipient(row[:8]), bool(row[8]))
                for row in conn.execute(
                    f"SELECT {cols}, g.is_admin FROM group_members g JOIN recipients r"
                    " ON r.id = g.recipient_id WHERE g.conversation_id = ? ORDER BY r.id",
                    (conversation_id,),
                )
            ]

        return await self._read(run)

    async def upsert_recipient(
        self,
        *,
        uuid: str | None = None,
        number: str | None = None,
        profile_name: str | None = None,
        contact_name: str | None = None,
        nickname: str | None = None,
        username: str | None = None,
        blocked: bool | None = None,
    ) -> Recipient:
        """Create or update a contact; names given here overwrite (None keeps the old value)."""

        def run(tx: Tx) -> Recipient:
            rid = tx.recipient_id(uuid, number)
            if rid is None:
                if not username:
                    raise ValueError("a recipient needs a uuid, a number or a username")
                row = tx.conn.execute(
                    "SELECT id FROM recipients WHERE username = ?", (username,)
                ).fetchone()
                rid = (
                    row[0]
                    if row
                    else tx.conn.execute(
                        "INSERT INTO recipients (username) VALUES (?)", (clean_name(username),)
                    ).lastrowid
                )
            updates = {
                "profile_name": clean_name(profile_name),
                "contact_name": clean_name(contact_name),
                "nickname": clean_name(nickname),
                "username": clean_name(username),
                "blocked": None if blocked is None else int(blocked),
            }
            sets = {k: v for k, v in updates.items() if v is not None}
            if sets:
                tx.conn.execute(
                    f"UPDATE recipients SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
                    (*sets.values(), rid),
                )
                if blocked is not None:
                    tx.conn.execute(
                        "UPDATE conversations SET blocked = ? WHERE recipient_id = ?",
                        (int(blocked), rid),
                    )
            tx.touch(None, "recipients", "conversation")
            rec = _recipient_by_id(tx.conn, rid)
            assert rec is not None
            return rec

        return await self._write(run)

    async def recipients(self, *, query: str | None = None, limit: int = 500) -> list[Recipient]:
        """Known people (not yourself), by name."""

        def run(conn: sqlite3.Connection) -> list[Recipient]:
            sql = f"SELECT {rows.RECIPIENT_COLS} FROM recipients WHERE is_self = 0"
            args: dict[str, Any] = {"n": max(0, int(limit))}
            if query and query.strip():
                args["p"] = _like(query.strip())
                sql += " AND (" + " OR ".join(
                    f"{c} LIKE :p ESCAPE '\\'"
                    for c in ("number", "uuid", "profile_name", "contact_name", "nickname", "username")
                ) + ")"  # fmt: skip
            sql += (
                " ORDER BY coalesce(nickname, contact_name, profile_name, number, uuid, username)"
                " COLLATE NOCASE LIMIT :n"
            )
            return [rows.recipient(r) for r in conn.execute(sql, args)]

        return await self._read(run)

    async def get_recipient(self, recipient_id: int) -> Recipient | None:
        return await self._read(_recipient_by_id, recipient_id)

    async def self_recipient(self) -> Recipient:
        rec = await self._read(_recipient_by_id, self._self_id)
        assert rec is not None
        return rec

    async def set_conversation_expiry(self, conversation_id: int, seconds: int) -> None:
        def run(tx: Tx) -> None:
            tx.conn.execute(
                "UPDATE conversations SET expiry_seconds = ? WHERE id = ?",
                (max(0, int(seconds)), conversation_id),
            )
            tx.touch(conversation_id, "conversation")

        await self._write(run)

    async def set_conversation_blocked(self, conversation_id: int, blocked: bool) -> None:
        def run(tx: Tx) -> None:
            tx.conn.execute(
                "UPDATE conversations SET blocked = ? WHERE id = ?", (int(blocked), conversation_id)
            )
            tx.conn.execute(
                "UPDATE recipients SET blocked = ? WHERE id ="
                " (SELECT recipient_id FROM conversations WHERE id = ?)",
                (int(blocked), conversation_id),
            )
            tx.touch(conversation_id, "conversation")

        await self._write(run)
