"""Messaging endpoints: /v2/send, receive (GET), reactions, receipts, typing, remote delete, polls,
stickers and the registered-number search."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from signal_tui.api._http import HttpBase, expect_dict, expect_list, parse_json, segment
from signal_tui.api.errors import (
    IDENTITY_FAILURE,
    RATE_LIMIT_FAILURE,
    UNREGISTERED_FAILURE,
    ErrorKind,
    InvalidRequest,
    ProtocolError,
    RecipientFailure,
    SignalApiError,
    error_class,
    failure_from_entry,
)
from signal_tui.api.models import (
    LinkPreview,
    MentionRef,
    OutgoingAttachment,
    QuoteRef,
    SendResult,
    StickerPack,
    TextMode,
    to_int,
)
from signal_tui.ids import is_group_id


def build_send_body(
    number: str,
    recipients: Sequence[str],
    message: str | None,
    *,
    attachments: Sequence[OutgoingAttachment] = (),
    text_mode: TextMode = "normal",
    mentions: Sequence[MentionRef] = (),
    quote: QuoteRef | None = None,
    edit_timestamp: int | None = None,
    sticker: str | None = None,
    view_once: bool = False,
    link_preview: LinkPreview | None = None,
    notify_self: bool | None = None,
) -> dict[str, Any]:
    """The /v2/send JSON body.

    `message` is always present (the swagger requires it; the Go server treats "" as absent), and
    `text_mode` is always explicit because a server-side default may turn on styled parsing.
    """
    if text_mode not in ("normal", "styled"):
        raise InvalidRequest(f"text_mode must be normal or styled, not {text_mode!r}")
    body: dict[str, Any] = {
        "number": number,
        "recipients": list(recipients),
        "message": message or "",
        "text_mode": text_mode,
    }
    if attachments:
        body["base64_attachments"] = [a.to_data_uri() for a in attachments]
    if mentions:
        body["mentions"] = [m.to_json() for m in mentions]
    if quote is not None:
        body["quote_timestamp"] = int(quote.timestamp)
        body["quote_author"] = quote.author
        if quote.message is not None:
            body["quote_message"] = quote.message
        if quote.mentions:
            body["quote_mentions"] = [m.to_json() for m in quote.mentions]
    if edit_timestamp is not None:
        body["edit_timestamp"] = int(edit_timestamp)
    if sticker is not None:
        body["sticker"] = sticker
    if view_once:
        body["view_once"] = True
    if link_preview is not None:
        body["link_preview"] = link_preview.to_json()
    if notify_self is not None:
        body["notify_self"] = bool(notify_self)
    return body


def parse_send_response(
    data: Any, recipients: Sequence[str], *, url: str | None = None
) -> SendResult:
    """SendResult from either response shape; raise when every recipient failed.

    0.100: `{"timestamp": "<str>"}`. HEAD: `[{"timestamp": "<str>", "errors": {"recipients":
    [{"number", "uuid", "username", "reason"}]}}]`, one item per signal-cli call.
    """
    items = data if isinstance(data, list) else [data]
    timestamp: int | None = None
    failures: list[RecipientFailure] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        ts = to_int(item.get("timestamp"))
        if ts is not None and timestamp is None:
            timestamp = ts
        errors = item.get("errors")
        entries = errors.get("recipients") if isinstance(errors, dict) else None
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict):
                failure = failure_from_entry(entry)
                if failure is not None:
                    failures.append(failure)
    if timestamp is None:
        raise ProtocolError(f"send answer without a timestamp: {json.dumps(data)[:200]}", url=url)
    if failures and _all_failed(failures, recipients):
        reasons = {f.reason for f in failures}
        if IDENTITY_FAILURE in reasons:
            kind = ErrorKind.UNTRUSTED_IDENTITY
        elif RATE_LIMIT_FAILURE in reasons:
            kind = ErrorKind.RATE_LIMITED
        elif reasons == {UNREGISTERED_FAILURE}:
            kind = ErrorKind.INVALID_REQUEST
        else:
            kind = ErrorKind.SERVER_ERROR
        text = "Failed to send message: " + "; ".join(f.describe() for f in failures)
        tokens = [f.token for f in failures if f.token]
        raise error_class(kind)(
            text, status=201, url=url, failures=failures, challenge_tokens=tokens
        )
    return SendResult(timestamp=timestamp, failures=tuple(failures))


def _all_failed(failures: Sequence[RecipientFailure], recipients: Sequence[str]) -> bool:
    """True when no requested recipient got it. Group sends cannot be judged: count as partial."""
    if any(is_group_id(r) for r in recipients):
        return False
    failed: set[str] = set()
    for f in failures:
        failed.update(x for x in (f.recipient, f.number, f.uuid, f.username) if x)
    wanted = {r.replace(" ", "") for r in recipients}
    return bool(wanted) and (wanted <= failed or len(failures) >= len(wanted))


def parse_receive_body(body: bytes, *, url: str | None = None) -> list[dict[str, Any]]:
    """Items of a normal-mode receive body (text/plain JSON array). Garbage -> ProtocolError."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return []
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        bad = next((ln for ln in text.splitlines() if not ln.lstrip().startswith(("[", "{"))), "")
        raise ProtocolError(
            f"receive answer is not JSON ({(bad or text)[:200]})", status=200, url=url
        ) from exc
    if not isinstance(data, list):
        raise ProtocolError(f"receive answer is not a list: {text[:200]}", status=200, url=url)
    return [item for item in data if isinstance(item, dict)]


def _name_the_recipient(exc: SignalApiError, recipients: Sequence[str]) -> SignalApiError:
    """json-rpc mode's texts do not say who is untrusted / rate limited; with one recipient we know."""
    reason = {
        ErrorKind.UNTRUSTED_IDENTITY: IDENTITY_FAILURE,
        ErrorKind.RATE_LIMITED: RATE_LIMIT_FAILURE,
    }.get(exc.kind)
    if reason is None or exc.failures or len(recipients) != 1 or is_group_id(recipients[0]):
        return exc
    who = recipients[0]
    token = exc.challenge_tokens[0] if exc.challenge_tokens else None
    failure = RecipientFailure(
        who, reason, number=who if who.startswith("+") else None, token=token
    )
    return exc.with_failures((failure,))


def _tf(value: bool) -> str:
    return "true" if value else "false"


class MessagesMixin(HttpBase):
    async def send(
        self,
        number: str,
        recipients: list[str],
        message: str | None = None,
        *,
        attachments: Sequence[OutgoingAttachment] = (),
        text_mode: TextMode = "normal",
        mentions: Sequence[MentionRef] = (),
        quote: QuoteRef | None = None,
        edit_timestamp: int | None = None,
        sticker: str | None = None,
        view_once: bool = False,
        link_preview: LinkPreview | None = None,
        notify_self: bool | None = None,
    ) -> SendResult:
        body = build_send_body(
            number,
            recipients,
            message,
            attachments=attachments,
            text_mode=text_mode,
            mentions=mentions,
            quote=quote,
            edit_timestamp=edit_timestamp,
            sticker=sticker,
            view_once=view_once,
            link_preview=link_preview,
            notify_self=notify_self,
        )
        url = self.base_url + "/v2/send"
        try:
            response = await self._request("POST", "/v2/send", json_body=body)
        except SignalApiError as exc:
            raise _name_the_recipient(exc, recipients) from exc.__cause__
        return parse_send_response(parse_json(response, url), recipients, url=url)

    async def receive(
        self,
        number: str,
        *,
        timeout: int = 1,  # noqa: ASYNC109 - the server's idle timeout, part of the API
        max_messages: int = 50,
        ignore_attachments: bool = False,
        ignore_stories: bool = False,
        send_read_receipts: bool = False,
    ) -> list[dict[str, Any]]:
        """One poll (normal/native mode). Returns raw items `{"envelope": ..., "account": ...}`.

        What the server returns is already acknowledged to Signal: persist it before the next poll.
        """
        path = f"/v1/receive/{segment(number)}"
        params = {
            "timeout": str(int(timeout)),
            "max_messages": str(int(max_messages)),
            "ignore_attachments": _tf(ignore_attachments),
            "ignore_stories": _tf(ignore_stories),
            "send_read_receipts": _tf(send_read_receipts),
        }
        response = await self._request(
            "GET", path, params=params, read_timeout=max(self.timeout, timeout + 130.0)
        )
        return parse_receive_body(response.content, url=self.base_url + path)

    def websocket_url(self, number: str) -> str:
        base = self.base_url
        if base.startswith("https://"):
            base = "wss://" + base[len("https://") :]
        elif base.startswith("http://"):
            base = "ws://" + base[len("http://") :]
        return f"{base}/v1/receive/{segment(number)}"

    # --- reactions, receipts, typing, delete ------------------------------------------------
    async def react(
        self, number: str, recipient: str, emoji: str, target_author: str, timestamp: int
    ) -> None:
        await self._reaction("POST", number, recipient, emoji, target_author, timestamp)

    async def remove_reaction(
        self, number: str, recipient: str, emoji: str, target_author: str, timestamp: int
    ) -> None:
        await self._reaction("DELETE", number, recipient, emoji, target_author, timestamp)

    async def _reaction(
        self,
        method: str,
        number: str,
        recipient: str,
        emoji: str,
        target_author: str,
        timestamp: int,
    ) -> None:
        body = {
            "recipient": recipient,
            "reaction": emoji,
            "target_author": target_author,
            "timestamp": int(timestamp),
        }
        await self._call(method, f"/v1/reactions/{segment(number)}", json_body=body)

    async def send_receipt(
        self, number: str, recipient: str, timestamp: int, receipt_type: str = "read"
    ) -> None:
        """Note: the real server sends every receipt as `read` whatever the type (see notes)."""
        if receipt_type not in ("read", "viewed"):
            raise InvalidRequest("receipt type must be read or viewed", maybe_sent=False)
        body = {"recipient": recipient, "receipt_type": receipt_type, "timestamp": int(timestamp)}
        await self._call("POST", f"/v1/receipts/{segment(number)}", json_body=body)

    async def typing(self, number: str, recipient: str, *, started: bool) -> None:
        method = "PUT" if started else "DELETE"
        await self._call(
            method, f"/v1/typing-indicator/{segment(number)}", json_body={"recipient": recipient}
        )

    async def remote_delete(self, number: str, recipient: str, timestamp: int) -> int:
        """Delete a sent message for everyone; returns the delete message's own timestamp."""
        path = f"/v1/remote-delete/{segment(number)}"
        data = await self._json(
            "DELETE", path, json_body={"recipient": recipient, "timestamp": int(timestamp)}
        )
        return _timestamp(data, self.base_url + path)

    # --- search, stickers, polls --------------------------------------------------------------
    async def search(self, number: str, numbers: list[str]) -> dict[str, bool]:
        """Which numbers are on Signal. httpx encodes `+` as %2B, as the server needs."""
        if not numbers:
            return {}
        path = f"/v1/search/{segment(number)}"
        data = await self._json("GET", path, params=[("numbers", n) for n in numbers])
        out: dict[str, bool] = {}
        for item in expect_list(data, self.base_url + path):
            if isinstance(item, dict) and isinstance(item.get("number"), str):
                out[item["number"]] = item.get("registered") is True
        return out

    async def sticker_packs(self, number: str) -> list[StickerPack]:
        path = f"/v1/sticker-packs/{segment(number)}"
        data = await self._json("GET", path)
        return [StickerPack.from_json(x) for x in expect_list(data, self.base_url + path)]

    async def add_sticker_pack(self, number: str, pack_id: str, pack_key: str) -> None:
        await self._call(
            "POST",
            f"/v1/sticker-packs/{segment(number)}",
            json_body={"pack_id": pack_id, "pack_key": pack_key},
        )

    async def create_poll(
        self,
        number: str,
        recipient: str,
        question: str,
        answers: list[str],
        *,
        allow_multiple: bool = True,
    ) -> int:
        path = f"/v1/polls/{segment(number)}"
        body = {
            "recipient": recipient,
            "question": question,
            "answers": list(answers),
            "allow_multiple_selections": bool(allow_multiple),
        }
        return _timestamp(await self._json("POST", path, json_body=body), self.base_url + path)

    async def vote_poll(
        self,
        number: str,
        recipient: str,
        poll_author: str,
        poll_timestamp: int,
        selected: list[int],
    ) -> None:
        """`selected` are 1-based answer numbers (received votes are 0-based)."""
        if any(int(i) < 1 for i in selected):
            raise InvalidRequest(
                "Invalid index in selected_answers specified, index needs to be >= 1!",
                maybe_sent=False,
            )
        body = {
            "recipient": recipient,
            "poll_author": poll_author,
            "poll_timestamp": str(int(poll_timestamp)),
            "selected_answers": [int(i) for i in selected],
        }
        await self._call("POST", f"/v1/polls/{segment(number)}/vote", json_body=body)

    async def close_poll(self, number: str, recipient: str, poll_timestamp: int) -> None:
        body = {"recipient": recipient, "poll_timestamp": str(int(poll_timestamp))}
        await self._call("DELETE", f"/v1/polls/{segment(number)}", json_body=body)


def _timestamp(data: Any, url: str) -> int:
    """`{"timestamp": "<string>"}` (remote delete, poll create) -> int."""
    ts = to_int(expect_dict(data, url).get("timestamp"))
    if ts is None:
        raise ProtocolError(f"answer without a timestamp: {json.dumps(data)[:200]}", url=url)
    return ts
