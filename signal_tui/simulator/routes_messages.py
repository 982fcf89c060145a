"""Reactions, receipts, typing indicators, remote delete and polls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from signal_tui.simulator import envelopes as ev
from signal_tui.simulator.http import empty, get, json_response, number_param, read_body
from signal_tui.simulator.state import Account, Group, Person
from signal_tui.simulator.util import bad

if TYPE_CHECKING:
    from signal_tui.simulator.server import Simulator

MISSING = "Couldn't process request - {} missing"


def add_routes(app: web.Application, sim: Simulator) -> None:
    def fan_out(
        account: Account,
        targets: list[Person],
        group: Group | None,
        key: str,
        content: dict[str, Any],
        ts: int,
    ) -> None:
        """Deliver a non-message envelope (reaction, delete, typing, poll ...) to hosted recipients."""
        if key == "dataMessage" and group is not None:
            content = {**content, "groupInfo": ev.group_info(group)}
        for person in targets:
            if person.account is not None and person.account is not account:
                sim.push_env(
                    person.account,
                    ev.envelope(account.person, account.this_device, ts, key, content),
                )
        if key == "dataMessage":
            dest = targets[0] if group is None and len(targets) == 1 else None
            sim.sync_log.append(ev.sync_sent(dest, content))

    def required(body: dict[str, Any], key: str, kind: str, label: str | None = None) -> Any:
        value = get(body, key, kind)
        if value is None or value == "":
            raise bad(MISSING.format(label or key))
        return value

    async def reaction(request: web.Request) -> web.Response:
        remove = request.method == "DELETE"
        body = await read_body(request)
        recipient = required(body, "recipient", "str")
        emoji = get(body, "reaction", "str") or ("👍" if remove else None)
        if not emoji:
            raise bad(MISSING.format("reaction"))
        author_key = required(body, "target_author", "str")
        target_ts = required(body, "timestamp", "int")
        account = sim.account_or_error(number_param(request))
        targets, group = sim.targets_for(account, recipient)
        ts = sim.world.now_ms()
        react = ev.reaction(emoji, sim.world.find(author_key), author_key, target_ts, remove)
        fan_out(
            account, targets, group, "dataMessage", ev.data_message(ts, None, reaction=react), ts
        )
        return empty(204)

    async def receipt(request: web.Request) -> web.Response:
        body = await read_body(request)
        recipient = required(body, "recipient", "str")
        kind = get(body, "receipt_type", "str")
        if kind not in ("read", "viewed"):
            raise bad("Couldn't process request - receipt type must be read or viewed")
        target_ts = required(body, "timestamp", "int")
        account = sim.account_or_error(number_param(request))
        targets, _group = sim.targets_for(account, recipient)
        when = sim.world.now_ms()
        # From reading client.go + signal-cli: receipt_type never reaches signal-cli; all are "read".
        content = ev.receipt(when, "read", [target_ts])
        fan_out(account, targets, None, "receiptMessage", content, when)
        return empty(204)

    async def typing(request: web.Request) -> web.Response:
        body = await read_body(request)
        recipient = required(body, "recipient", "str")
        account = sim.account_or_error(number_param(request))
        targets, group = sim.targets_for(account, recipient)
        ts = sim.world.now_ms()
        action = "STARTED" if request.method == "PUT" else "STOPPED"
        fan_out(account, targets, None, "typingMessage", ev.typing(action, ts, group), ts)
        return empty(204)

    async def remote_delete(request: web.Request) -> web.Response:
        body = await read_body(request)
        recipient = required(body, "recipient", "str")
        target_ts = required(body, "timestamp", "int")
        account = sim.account_or_error(number_param(request))
        targets, group = sim.targets_for(account, recipient)
        ts = sim.world.now_ms()
        dm = ev.data_message(ts, None, remoteDelete={"timestamp": target_ts})
        fan_out(account, targets, group, "dataMessage", dm, ts)
        return json_response({"timestamp": str(ts)}, 201)

    async def poll_create(request: web.Request) -> web.Response:
        body = await read_body(request)
        recipient = required(body, "recipient", "str")
        question = required(body, "question", "str")
        answers = get(body, "answers", "list") or []
        if len(answers) < 2 or not all(isinstance(a, str) and a for a in answers):
            raise bad("Couldn't process request - please provide at least two answers")
        multiple = get(body, "allow_multiple_selections", "bool", True)
        account = sim.account_or_error(number_param(request))
        targets, group = sim.targets_for(account, recipient)
        ts = sim.world.now_ms()
        create = {"question": question, "allowMultiple": multiple, "options": answers}
        fan_out(
            account, targets, group, "dataMessage", ev.data_message(ts, None, pollCreate=create), ts
        )
        return json_response({"timestamp": str(ts)}, 201)

    def poll_ts(body: dict[str, Any]) -> int:
        raw = required(body, "poll_timestamp", "str")
        if not raw.isdigit():
            raise bad("Couldn't process request - poll_timestamp needs to be numeric")
        return int(raw)

    async def poll_vote(request: web.Request) -> web.Response:
        body = await read_body(request)
        recipient = required(body, "recipient", "str")
        author_key = required(body, "poll_author", "str")
        target_ts = poll_ts(body)
        selected = get(body, "selected_answers", "list")
        if not selected:
            raise bad(MISSING.format("selected_answers"))
        if any(not isinstance(i, int) or i <= 0 for i in selected):
            raise bad("Invalid index in selected_answers specified, index needs to be >= 1!")
        account = sim.account_or_error(number_param(request))
        targets, group = sim.targets_for(account, recipient)
        key = (account.uuid, target_ts)
        count = sim.world.poll_votes.get(key, 0) + 1
        sim.world.poll_votes[key] = count
        author = sim.world.find(author_key)
        vote = {
            "author": author.address if author else author_key,
            "authorNumber": author.number if author else None,
            "authorUuid": author.uuid if author else None,
            "targetSentTimestamp": target_ts,
            "optionIndexes": [i - 1 for i in selected],
            "voteCount": count,
        }
        ts = sim.world.now_ms()
        fan_out(
            account, targets, group, "dataMessage", ev.data_message(ts, None, pollVote=vote), ts
        )
        return empty(204)

    async def poll_close(request: web.Request) -> web.Response:
        body = await read_body(request)
        recipient = required(body, "recipient", "str")
        target_ts = poll_ts(body)
        account = sim.account_or_error(number_param(request))
        targets, group = sim.targets_for(account, recipient)
        ts = sim.world.now_ms()
        dm = ev.data_message(ts, None, pollTerminate={"targetSentTimestamp": target_ts})
        fan_out(account, targets, group, "dataMessage", dm, ts)
        return empty(204)

    r = app.router
    r.add_post("/v1/reactions/{number}", reaction)
    r.add_delete("/v1/reactions/{number}", reaction)
    r.add_post("/v1/receipts/{number}", receipt)
    r.add_put("/v1/typing-indicator/{number}", typing)
    r.add_delete("/v1/typing-indicator/{number}", typing)
    r.add_delete("/v1/remote-delete/{number}", remote_delete)
    r.add_post("/v1/polls/{number}", poll_create)
    r.add_post("/v1/polls/{number}/vote", poll_vote)
    r.add_delete("/v1/polls/{number}", poll_close)
