"""Request and response shapes: what the client sends and how it reads the real server's answers."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from signal_tui.api._messages import parse_receive_body, parse_send_response
from signal_tui.api.client import REMOVE_AVATAR, SignalClient
from signal_tui.api.errors import InvalidRequest, ProtocolError, RateLimited, UntrustedIdentity
from signal_tui.api.models import (
    Contact,
    Group,
    Identity,
    MentionRef,
    OutgoingAttachment,
    QuoteRef,
)
from signal_tui.text import utf16_len

NUMBER = "+4917600000000"
BOB = "+4915112345678"
GID = "group.QVFJREJBVUdCd2dKQ2dzTURRNFBFQkVTRXhRVkZoY1lHUm9iSEIwZUh5QT0="


class Recorder:
    """A MockTransport that records requests and answers from a table of (method, path regex)."""

    def __init__(self, routes: dict[tuple[str, str], httpx.Response] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.routes = routes or {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        for (method, pattern), response in self.routes.items():
            if method == request.method and re.fullmatch(pattern, request.url.raw_path.decode()):
                return response
        return httpx.Response(204)

    def client(self) -> SignalClient:
        return SignalClient("http://signal.test", transport=httpx.MockTransport(self))

    def body(self, i: int = -1) -> Any:
        return json.loads(self.requests[i].content)


# --- /v2/send ------------------------------------------------------------------------------------


def test_send_response_object_shape_0_100():
    result = parse_send_response({"timestamp": "1755000000000"}, [BOB])
    assert result.timestamp == 1755000000000
    assert result.ok


def test_send_response_array_shape_head_partial_failure():
    data = [
        {
            "timestamp": "1755000000000",
            "errors": {
                "recipients": [{"number": BOB, "uuid": "u-1", "reason": "IDENTITY_FAILURE"}]
            },
        }
    ]
    result = parse_send_response(data, [BOB, "+441234567890"])
    assert result.timestamp == 1755000000000
    assert not result.ok
    assert [(f.recipient, f.reason) for f in result.failures] == [(BOB, "IDENTITY_FAILURE")]


def test_send_response_all_failed_untrusted_raises():
    data = [
        {
            "timestamp": "1",
            "errors": {"recipients": [{"number": BOB, "reason": "IDENTITY_FAILURE"}]},
        }
    ]
    with pytest.raises(UntrustedIdentity) as info:
        parse_send_response(data, [BOB])
    assert info.value.failures[0].recipient == BOB


def test_send_response_all_rate_limited_raises_rate_limited():
    data = [
        {
            "timestamp": "1",
            "errors": {"recipients": [{"uuid": "u-2", "reason": "RATE_LIMIT_FAILURE"}]},
        }
    ]
    with pytest.raises(RateLimited):
        parse_send_response(data, ["u-2"])


def test_group_send_failures_are_partial():
    data = [
        {"timestamp": "5", "errors": {"recipients": [{"number": BOB, "reason": "NETWORK_FAILURE"}]}}
    ]
    result = parse_send_response(data, [GID])
    assert result.timestamp == 5 and len(result.failures) == 1


def test_send_response_without_timestamp_is_protocol_error():
    with pytest.raises(ProtocolError):
        parse_send_response({"foo": 1}, [BOB])


@given(st.integers(min_value=0, max_value=2**62), st.booleans())
def test_send_timestamp_string_or_int_either_shape(ts, as_array):
    item = {"timestamp": str(ts)}
    assert parse_send_response([item] if as_array else item, [BOB]).timestamp == ts


async def test_send_body_has_every_field_and_explicit_text_mode():
    rec = Recorder({("POST", "/v2/send"): httpx.Response(201, json={"timestamp": "42"})})
    async with rec.client() as client:
        result = await client.send(
            NUMBER,
            [BOB],
            "\ufffc look",
            attachments=[OutgoingAttachment("cat.png", b"\x89PNG123", "image/png")],
            mentions=[MentionRef(0, 1, BOB)],
            quote=QuoteRef(1754999990000, BOB, "coming?", (MentionRef(0, 1, NUMBER),)),
            edit_timestamp=1754999990001,
            view_once=True,
            notify_self=False,
        )
    assert result.timestamp == 42
    body = rec.body()
    assert body["text_mode"] == "normal"
    assert body["number"] == NUMBER and body["recipients"] == [BOB]
    assert body["base64_attachments"] == [
        "data:image/png;filename=cat.png;base64," + base64.b64encode(b"\x89PNG123").decode()
    ]
    assert body["mentions"] == [{"start": 0, "length": 1, "author": BOB}]
    assert body["quote_timestamp"] == 1754999990000 and body["quote_author"] == BOB
    assert body["quote_message"] == "coming?"
    assert body["quote_mentions"] == [{"start": 0, "length": 1, "author": NUMBER}]
    assert body["edit_timestamp"] == 1754999990001
    assert body["view_once"] is True and body["notify_self"] is False


async def test_send_minimal_body_omits_optional_fields():
    rec = Recorder({("POST", "/v2/send"): httpx.Response(201, json=[{"timestamp": "7"}])})
    async with rec.client() as client:
        await client.send(NUMBER, [BOB], "hello", text_mode="styled")
    assert rec.body() == {
        "number": NUMBER,
        "recipients": [BOB],
        "message": "hello",
        "text_mode": "styled",
    }


def test_data_uri_filename_cannot_break_the_format():
    att = OutgoingAttachment("../a;b/c base64,x.jpg", b"\x00\x01", "image/jpeg; charset=x")
    uri = att.to_data_uri()
    prefix, payload = uri.rsplit("base64,", 1)
    assert base64.b64decode(payload, validate=True) == b"\x00\x01"
    assert prefix.startswith("data:image/jpeg")
    name = prefix.split("filename=", 1)[1].rstrip(";")
    assert ";" not in name and "/" not in name and name.endswith(".jpg")


@given(st.text(max_size=40), st.binary(max_size=64))
def test_data_uri_round_trips_bytes_whatever_the_name(name, data):
    uri = OutgoingAttachment(name, data, "application/octet-stream").to_data_uri()
    head, payload = uri.rsplit("base64,", 1)
    assert base64.b64decode(payload, validate=True) == data
    assert head.count(";") == 2  # data:<mime>;filename=<name>;


@given(st.text(max_size=50))
def test_utf16_len_matches_utf16_encoding(text):
    assert utf16_len(text) == len(text.encode("utf-16-le")) // 2


def test_utf16_len_counts_emoji_as_two():
    assert utf16_len("👍") == 2 and utf16_len("a") == 1


# --- receive -------------------------------------------------------------------------------------


def test_receive_body_parses_text_plain_array():
    item = {"envelope": {"source": BOB, "timestamp": 1}, "account": NUMBER}
    assert parse_receive_body(json.dumps([item, 3]).encode()) == [item]
    assert parse_receive_body(b"[]") == []
    assert parse_receive_body(b"") == []


def test_receive_body_with_stray_line_is_protocol_error():
    body = b'[{"envelope":{}},\nERROR App - something broke\n]'
    with pytest.raises(ProtocolError) as info:
        parse_receive_body(body)
    assert "ERROR App" in info.value.text


@given(st.binary(max_size=200))
def test_receive_body_never_crashes(body):
    try:
        items = parse_receive_body(body)
    except ProtocolError:
        return
    assert all(isinstance(i, dict) for i in items)


async def test_receive_query_and_quoted_number():
    rec = Recorder({("GET", r"/v1/receive/.*"): httpx.Response(200, text="[]")})
    async with rec.client() as client:
        assert await client.receive(NUMBER, timeout=2, max_messages=10) == []
    url = rec.requests[0].url
    assert url.raw_path.startswith(b"/v1/receive/%2B4917600000000?")
    assert url.params["timeout"] == "2" and url.params["max_messages"] == "10"
    assert url.params["send_read_receipts"] == "false"


def test_websocket_url_follows_scheme():
    assert SignalClient("http://h:8080/").websocket_url(NUMBER) == (
        "ws://h:8080/v1/receive/%2B4917600000000"
    )
    assert SignalClient("https://h/api").websocket_url(NUMBER).startswith("wss://h/api/v1/")


# --- other endpoints -------------------------------------------------------------------------------


async def test_search_sends_plus_as_percent_2b():
    rec = Recorder(
        {("GET", r"/v1/search/.*"): httpx.Response(200, json=[{"number": BOB, "registered": True}])}
    )
    async with rec.client() as client:
        assert await client.search(NUMBER, [BOB]) == {BOB: True}
    assert b"numbers=%2B4915112345678" in rec.requests[0].url.raw_path


async def test_delete_endpoints_send_json_bodies():
    rec = Recorder(
        {("DELETE", r"/v1/remote-delete/.*"): httpx.Response(201, json={"timestamp": "99"})}
    )
    async with rec.client() as client:
        await client.remove_reaction(NUMBER, BOB, "👍", BOB, 5)
        assert await client.remote_delete(NUMBER, BOB, 6) == 99
        await client.typing(NUMBER, BOB, started=False)
        await client.remove_members(NUMBER, GID, [BOB])
        await client.close_poll(NUMBER, BOB, 7)
    methods = [(r.method, json.loads(r.content)) for r in rec.requests]
    assert all(m == "DELETE" for m, _ in methods)
    assert methods[0][1]["timestamp"] == 5
    assert methods[3][1] == {"members": [BOB]}
    assert methods[4][1] == {"recipient": BOB, "poll_timestamp": "7"}


async def test_vote_poll_timestamp_is_a_string_and_indexes_one_based():
    rec = Recorder()
    async with rec.client() as client:
        await client.vote_poll(NUMBER, BOB, BOB, 1755000000000, [1, 2])
        with pytest.raises(InvalidRequest):
            await client.vote_poll(NUMBER, BOB, BOB, 1, [0])
    assert rec.body() == {
        "recipient": BOB,
        "poll_author": BOB,
        "poll_timestamp": "1755000000000",
        "selected_answers": [1, 2],
    }
    assert len(rec.requests) == 1


async def test_update_profile_never_drops_the_avatar_by_accident():
    rec = Recorder()
    async with rec.client() as client:
        await client.update_profile(NUMBER, name="Me", avatar=b"PNGDATA")
        assert rec.body() == {"name": "Me", "base64_avatar": base64.b64encode(b"PNGDATA").decode()}
        await client.update_profile(NUMBER, name="Me", about="hi", avatar=REMOVE_AVATAR)
        assert rec.body() == {"name": "Me", "about": "hi"}
        with pytest.raises(TypeError):
            await client.update_profile(NUMBER, name="Me")  # type: ignore[call-arg]
        with pytest.raises(InvalidRequest):
            await client.update_profile(NUMBER, name="Me", avatar=None)  # type: ignore[arg-type]
    assert len(rec.requests) == 2


async def test_trust_requires_exactly_one_way():
    rec = Recorder()
    async with rec.client() as client:
        await client.trust(
            NUMBER, "4f8b2a6e-1c3d-4e5f-8a9b-0c1d2e3f4a5b", trust_all_known_keys=True
        )
        assert rec.body() == {"trust_all_known_keys": True}
        await client.trust(NUMBER, BOB, safety_number="12345 67890")
        assert rec.body() == {"verified_safety_number": "1234567890"}
        with pytest.raises(InvalidRequest):
            await client.trust(NUMBER, BOB)
    assert rec.requests[0].url.raw_path.endswith(b"/trust/4f8b2a6e-1c3d-4e5f-8a9b-0c1d2e3f4a5b")


async def test_attachment_ids_cannot_escape_the_path():
    rec = Recorder()
    async with rec.client() as client:
        with pytest.raises(InvalidRequest):
            await client.attachment("..")
        await client.delete_attachment("../../etc/passwd")
    assert rec.requests[0].url.raw_path == b"/v1/attachments/..%2F..%2Fetc%2Fpasswd"


async def test_internal_group_id_is_converted_for_rest_paths():
    rec = Recorder()
    async with rec.client() as client:
        await client.quit_group(NUMBER, "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")
    assert rec.requests[0].url.raw_path.decode() == f"/v1/groups/%2B4917600000000/{GID}/quit"


def test_group_parsing_member_missing_means_true_and_expanded_members():
    group = Group.from_json(
        {
            "name": "Family",
            "id": GID,
            "internal_id": "AQID",
            "members": [{"number": BOB, "uuid": "u1"}, {"number": None, "uuid": "u2"}, "u3"],
            "admins": None,
            "permissions": {"add_members": "every-member"},
        }
    )
    assert group.member is True
    assert group.members == (BOB, "u2", "u3")
    assert group.admins == ()
    assert group.permissions.add_members == "every-member"
    assert group.permissions.send_messages == "every-member"
    assert Group.from_json({"member": False}).member is False


def test_contact_and_identity_parse_wire_quirks():
    contact = Contact.from_json(
        {
            "number": None,
            "uuid": "u1",
            "message_expiration": "604800",
            "profile": {"given_name": "Al", "lastname": "Ice", "has_avatar": True},
            "nickname": {"name": "", "given_name": "Ally", "family_name": ""},
        }
    )
    assert contact.address == "u1" and contact.message_expiration == 604800
    assert contact.profile.lastname == "Ice" and contact.nickname == "Ally"
    ident = Identity.from_json({"status": "UNTRUSTED", "added": "1755000000000"})
    assert ident.added == 1755000000000 and not ident.trusted


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=12,
    )
)
def test_parsers_accept_any_json(value):
    for cls in (Group, Contact, Identity):
        cls.from_json(value)
        if isinstance(value, dict):
            cls.from_json({**value, "members": value, "profile": value, "nickname": value})
