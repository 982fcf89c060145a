"""`POST /v2/send` (and the deprecated `/v1/send`): validation, failures and both response profiles."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from aiohttp import web

from signal_tui.simulator import envelopes as ev
from signal_tui.simulator.http import get, json_response, read_body
from signal_tui.simulator.state import Account, Group, Person
from signal_tui.simulator.util import (
    ApiError,
    bad,
    classify_all,
    image_size,
    parse_attachment,
    parse_styled,
    sniff,
)

if TYPE_CHECKING:
    from signal_tui.simulator.server import Simulator

RATE_LIMIT_JSONRPC = (
    "Failed to send message due to rate limiting. Use the attached challenge tokens to lift the rate "
    "limit restrictions via the '/v1/accounts/{number}/rate-limit-challenge' endpoint."
)
LONG_TEXT_BYTES = 2000
EMPTY_MESSAGE = (
    "Sending empty message is not allowed, either a message, attachment or sticker must be given."
)


def store_attachments(sim: Simulator, entries: list[str], ts: int) -> list[dict[str, Any]]:
    """Decode `base64_attachments` and keep them as the recipients' signal-cli would (served by id)."""
    out = []
    for entry in entries:
        if not isinstance(entry, str):
            raise bad("Couldn't process request - invalid request")
        parsed = parse_attachment(entry)
        mime, ext = sniff(parsed.data)
        att_id = sim.world.new_attachment_id(ext)
        sim.world.attachments[att_id] = parsed.data
        width, height = image_size(parsed.data) if mime.startswith("image/") else (None, None)
        filename = parsed.filename or f"{sim.world.new_uuid()}{ext}"
        out.append(
            ev.attachment(
                att_id,
                mime.split(";")[0],
                len(parsed.data),
                filename=filename,
                width=width,
                height=height,
                upload_ts=ts,
            )
        )
    return out


def long_text_attachment(sim: Simulator, message: str, ts: int) -> dict[str, Any]:
    """Over 2000 bytes signal-cli also sends the text as a `text/x-signal-plain` attachment."""
    data = message.encode("utf-8")
    att_id = sim.world.new_attachment_id(".txt")
    sim.world.attachments[att_id] = data
    return ev.attachment(
        att_id,
        "text/x-signal-plain",
        len(data),
        filename=None,
        width=None,
        height=None,
        upload_ts=ts,
    )


def _validate_preview(preview: dict[str, Any], message: str) -> dict[str, Any]:
    url = preview.get("url") or ""
    if not url:
        raise bad("Please provide a valid Link Preview URL")
    if not url.startswith("https://"):
        raise bad("Link Preview URL must start with https://..")
    if not preview.get("title"):
        raise bad("Please provide a valid Link Preview Title")
    if url not in message:
        raise bad("Link Preview URL is missing in the message!")
    return {
        "url": url,
        "title": preview.get("title"),
        "description": preview.get("description") or "",
        "image": None,
    }


def _failure_text(
    sim: Simulator, reason: str, failed: list[tuple[Person | None, str]], ts: int
) -> str:
    """What the real server says when EVERY recipient failed (mode- and profile-specific)."""
    if reason == "IDENTITY_FAILURE":
        if sim.json_rpc:
            if sim.profile == "head":
                return "Unable to complete request due to untrusted recipient keys"
            return "Failed to send message due to untrusted identities"
        results = [
            {
                "recipientAddress": {
                    "uuid": p.uuid if p else None,
                    "number": p.number if p else key,
                    "username": p.username if p else None,  # JsonRecipientAddress: always there
                },
                "type": "IDENTITY_FAILURE",
            }
            for p, key in failed
        ]
        head = (
            json.dumps({"results": results, "timestamp": ts}, separators=(",", ":")) + "\n"
            if sim.profile == "head"
            else ""
        )
        # signal-cli prints the per-recipient lines only as plain text: with --output json (HEAD's
        # server) stdout is the results object alone (SendMessageResultUtils.outputResult)
        lines = (
            ""
            if sim.profile == "head"
            else "".join(f'Untrusted Identity for "{key}"\n' for _, key in failed)
        )
        return f"{head}{lines}Failed to send message due to untrusted identities\n"
    if sim.json_rpc:
        return "Failed to send message"
    return "".join(f"{key}: Unregistered user\n" for _, key in failed) + "Failed to send message\n"


def _rate_limited(sim: Simulator, account: Account, keys: list[str]) -> ApiError:
    token = sim.world.new_uuid()
    if sim.json_rpc:
        return ApiError(
            429, RATE_LIMIT_JSONRPC, extra={"challenge_tokens": [token], "account": account.number}
        )
    lines = "".join(
        f'{k}: CAPTCHA proof required for sending to "{k}", available options "RECAPTCHA, PUSH_CHALLENGE" '
        f'with challenge token "{token}", or wait "86400" seconds.\n'
        for k in keys
    )
    return bad(
        f"Failed to send (some) messages:\n{lines}Failed to send message due to rate limiting\n"
    )


def add_routes(app: web.Application, sim: Simulator) -> None:
    async def apply_faults() -> None:
        if sim.faults.send_delay:
            await asyncio.sleep(sim.faults.send_delay)
        status = sim.faults.fail_next_status
        if status is not None:
            sim.faults.fail_next_status = None
            raise ApiError(status, sim.err_text("Failed to send message"))

    async def send_v2(request: web.Request) -> web.Response:
        body = await read_body(request)
        number = get(body, "number", "str", "")
        if not number:
            raise bad("Couldn't process request - please provide a valid number")
        recipients = list(get(body, "recipients", "list", []) or [])
        single = get(body, "recipient", "str")
        if single:
            recipients.append(single)
        if not recipients:
            raise bad("Couldn't process request - please provide at least one recipient")
        if not all(isinstance(r, str) for r in recipients):
            raise bad("Couldn't process request - invalid request")
        parsed = classify_all(recipients)
        message = get(body, "message", "str", "") or ""
        text_mode = get(body, "text_mode", "str", "normal") or "normal"
        sticker = get(body, "sticker", "str")
        if sticker is not None and ":" not in sticker:
            raise bad("Couldn't process request - please provide valid sticker delimiter")
        attachments_in = list(get(body, "base64_attachments", "list", []) or [])
        if get(body, "view_once", "bool", False) and not attachments_in:
            raise bad("'view_once' can only be set for image attachments!")
        preview_in = get(body, "link_preview", "dict")
        previews = [_validate_preview(preview_in, message)] if preview_in else []
        account = sim.account_or_error(number)
        async with sim.cli_call(account):
            return await send_checked(
                body, account, parsed, message, text_mode, sticker, attachments_in, previews
            )

    async def send_checked(
        body: dict[str, Any],
        account: Account,
        parsed: list[Any],
        message: str,
        text_mode: str,
        sticker: str | None,
        attachments_in: list[str],
        previews: list[dict[str, Any]],
    ) -> web.Response:
        number = account.number
        await apply_faults()
        ts = sim.world.now_ms()
        attachments = store_attachments(sim, attachments_in, ts)
        if not message and not attachments and not sticker:
            raise bad(sim.err_text(EMPTY_MESSAGE))
        if len(message.encode("utf-8")) > LONG_TEXT_BYTES:
            attachments.append(long_text_attachment(sim, message, ts))

        group: Group | None = None
        targets: list[tuple[Person | None, str]] = []
        if parsed[0].kind == "group":
            group = sim.resolve_group(parsed[0].value)
            if account.uuid not in group.members:
                raise bad(sim.err_text("Failed to send message: User is not a member in group"))
            if not account.person.profile_name:
                raise bad("Cannot send message to group - please first update your profile.")
            targets = [(sim.world.people.get(u), u) for u in group.members if u != account.uuid]
        else:
            targets = [(sim.world.find(r.value), r.value) for r in parsed]

        if sim.faults.rate_limit_next > 0:
            sim.faults.rate_limit_next -= 1
            raise _rate_limited(sim, account, [k for _, k in targets] or [number])

        ok: list[Person] = []
        errors: list[dict[str, Any]] = []
        failed: dict[str, list[tuple[Person | None, str]]] = {}
        for person, key in targets:
            if person is None:
                reason = "UNREGISTERED_FAILURE"
            elif sim.world.is_untrusted(sim.faults, person):
                reason = "IDENTITY_FAILURE"
            else:
                ok.append(person)
                continue
            failed.setdefault(reason, []).append((person, key))
            entry = {
                "number": person.number if person else (key if key.startswith("+") else None),
                "uuid": person.uuid if person else None,
                "reason": reason,
            }
            if not key.startswith("+") and person is None and not key.count("-") == 4:
                entry["username"] = key
            # ds.SendMessageError: every field is `omitempty` (a missing uuid is left out)
            errors.append({k: v for k, v in entry.items() if v})

        if targets and not ok:
            reason = "IDENTITY_FAILURE" if "IDENTITY_FAILURE" in failed else next(iter(failed))
            raise bad(_failure_text(sim, reason, failed[reason], ts))
        if errors and sim.profile == "0.100" and not sim.json_rpc:
            text = "".join(f"{e['number'] or e['uuid']}: {e['reason']}\n" for e in errors)
            raise bad(
                f'strconv.ParseInt: parsing "Failed to send (some) messages:\\n{text}": invalid syntax'
            )

        dm = build_data_message(
            sim, account, body, message, text_mode, attachments, previews, sticker, ts, group
        )
        edit_ts = get(body, "edit_timestamp", "int")
        sim.deliver(account, ok, group, ts, dm, edit_target=edit_ts)
        if sim.profile == "0.100":
            return json_response({"timestamp": str(ts)}, 201)
        result: dict[str, Any] = {"timestamp": str(ts)}
        if errors:
            result["errors"] = {"recipients": errors}
        return json_response([result], 201)

    async def send_v1(request: web.Request) -> web.Response:
        body = await read_body(request)
        number = get(body, "number", "str", "")
        if not number:
            raise bad("Couldn't process request - please provide a valid number")
        recipients = list(get(body, "recipients", "list", []) or [])
        if not recipients:
            raise bad("Couldn't process request - please provide at least one recipient")
        account = sim.account_or_error(number)
        ts = sim.world.now_ms()
        single = get(body, "base64_attachment", "str")
        attachments = store_attachments(sim, [single] if single else [], ts)
        message = get(body, "message", "str", "") or ""
        if get(body, "is_group", "bool", False):
            from signal_tui.simulator.util import internal_from_group_id

            group = sim.resolve_group(internal_from_group_id("group." + recipients[0]))
            targets = [
                sim.world.people[u]
                for u in group.members
                if u != account.uuid and u in sim.world.people
            ]
        else:
            group = None
            targets = [p for p in (sim.world.find(r) for r in recipients) if p is not None]
        dm = ev.data_message(ts, message or None, attachments=attachments)
        sim.deliver(account, targets, group, ts, dm)
        return json_response({"timestamp": str(ts)}, 201)

    app.router.add_post("/v2/send", send_v2)
    app.router.add_post("/v1/send", send_v1)


def build_data_message(
    sim: Simulator,
    account: Account,
    body: dict[str, Any],
    message: str,
    text_mode: str,
    attachments: list[dict[str, Any]],
    previews: list[dict[str, Any]],
    sticker: str | None,
    ts: int,
    group: Group | None,
) -> dict[str, Any]:
    """The dataMessage the recipients' signal-cli prints for this send."""
    styles: list[dict[str, Any]] = []
    if text_mode == "styled" and message:
        message, styles = parse_styled(message)
    mentions = [_mention(sim, m) for m in get(body, "mentions", "list", []) or []]
    quote = None
    quote_ts = get(body, "quote_timestamp", "int")
    if quote_ts is not None:
        author_key = get(body, "quote_author", "str", "") or ""
        author = sim.world.find(author_key) if author_key else None
        quote_mentions = [_mention(sim, m) for m in get(body, "quote_mentions", "list", []) or []]
        quote = ev.quote(
            quote_ts, author, author_key, get(body, "quote_message", "str"), quote_mentions
        )
    sticker_json = None
    if sticker:
        pack, _, sid = sticker.partition(":")
        sticker_json = {"packId": pack, "stickerId": int(sid) if sid.isdigit() else 0}
    if group is not None:
        expires = group.expiration
    else:  # a direct chat's timer, as this account knows it (single recipient)
        recipients = [*(body.get("recipients") or []), body.get("recipient")]
        first = next((sim.world.find(r) for r in recipients if isinstance(r, str)), None)
        meta = account.contacts.get(first.uuid) if first else None
        expires = meta.expiration if meta else 0
    return ev.data_message(
        ts,
        message or None,
        expires=expires,
        view_once=bool(get(body, "view_once", "bool", False)),
        attachments=attachments,
        mentions=mentions,
        textStyles=styles,
        quote=quote,
        sticker=sticker_json,
        previews=previews,
    )


def _mention(sim: Simulator, m: Any) -> dict[str, Any]:
    if not isinstance(m, dict) or not isinstance(m.get("author"), str):
        raise bad("Couldn't process request - invalid request")
    key = m["author"]
    return ev.mention(sim.world.find(key), key, int(m.get("start", 0)), int(m.get("length", 1)))
