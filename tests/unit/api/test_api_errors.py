"""Error classification: what the server says (status + text) becomes the kind the UI acts on."""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from signal_tui.api.client import SignalClient
from signal_tui.api.errors import (
    AuthRequired,
    ErrorKind,
    InvalidRequest,
    NotFound,
    ProtocolError,
    RateLimited,
    ServerError,
    SignalApiError,
    TimedOut,
    Unreachable,
    UntrustedIdentity,
    classify_response,
    parse_error_body,
)

NUMBER = "+4917600000000"
TOKEN = "26cc2b7c-7c42-4a31-a5d4-3e0d4bd1c0e1"


def client_answering(status: int, body: str | bytes, content_type: str = "application/json"):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"Content-Type": content_type})

    return SignalClient("http://signal.test", transport=httpx.MockTransport(handler))


async def failing_send(status: int, body: str | bytes, **kw) -> SignalApiError:
    async with client_answering(status, body, **kw) as client:
        with pytest.raises(SignalApiError) as info:
            await client.send(NUMBER, ["+4915112345678"], "hi")
    return info.value


async def test_untrusted_identity_normal_mode_text_names_the_recipient():
    text = (
        '{"results":[{"recipientAddress":{"uuid":"4f8b2a6e-1c3d-4e5f-8a9b-0c1d2e3f4a5b",'
        '"number":"+4915112345678"},"type":"IDENTITY_FAILURE"}],"timestamp":1755000000000}\n'
        "Failed to send message due to untrusted identities\n"
    )
    exc = await failing_send(400, json.dumps({"error": text}))
    assert isinstance(exc, UntrustedIdentity)
    assert exc.kind is ErrorKind.UNTRUSTED_IDENTITY
    assert exc.status == 400
    assert [f.recipient for f in exc.failures] == ["+4915112345678"]
    assert exc.failures[0].uuid == "4f8b2a6e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"
    assert "+4915112345678" in exc.user_message()
    assert "safety number" in exc.user_message()
    assert exc.text.endswith("untrusted identities")


async def test_untrusted_identity_json_rpc_text():
    exc = await failing_send(
        400, '{"error":"Unable to complete request due to untrusted recipient keys"}'
    )
    assert isinstance(exc, UntrustedIdentity)
    # the json-rpc text does not say who; with one recipient the client knows
    assert [(f.recipient, f.reason) for f in exc.failures] == [
        ("+4915112345678", "IDENTITY_FAILURE")
    ]
    assert str(exc).startswith("+4915112345678's safety number changed")


async def test_rate_limit_normal_mode_token_by_regex():
    text = (
        "Failed to send (some) messages:\n+4915112345678: CAPTCHA proof required for sending to "
        f'"+4915112345678", available options "RECAPTCHA, PUSH_CHALLENGE" with challenge token '
        f'"{TOKEN}", or wait "86400" seconds.\nFailed to send message due to rate limiting\n'
    )
    exc = await failing_send(400, json.dumps({"error": text}))
    assert isinstance(exc, RateLimited)
    assert exc.challenge_tokens == (TOKEN,)
    assert exc.failures[0].recipient == "+4915112345678"
    assert exc.failures[0].token == TOKEN
    assert "captcha" in exc.user_message()


async def test_rate_limit_json_rpc_429_with_tokens():
    body = {
        "error": "Failed to send message due to rate limiting. Use the attached challenge tokens "
        "to lift the rate limit restrictions via the '/v1/accounts/{number}/rate-limit-challenge' "
        "endpoint.",
        "challenge_tokens": [TOKEN, "second-token"],
        "account": NUMBER,
    }
    exc = await failing_send(429, json.dumps(body))
    assert isinstance(exc, RateLimited)
    assert exc.status == 429
    assert exc.challenge_tokens == (TOKEN, "second-token")
    assert exc.account == NUMBER


async def test_plain_throttling_is_rate_limited_without_tokens():
    exc = await failing_send(
        400,
        '{"error":"Failed to send message: [413] Rate limit exceeded: 413 (RateLimitException)"}',
    )
    assert isinstance(exc, RateLimited)
    assert exc.challenge_tokens == ()
    assert "wait" in exc.user_message()


async def test_json_rpc_plain_get_receive_body_is_not_json_and_does_not_crash():
    body = (
        "Bad Request\n"
        '{"error":"websocket: the client is not using the websocket protocol: \'upgrade\' token '
        "not found in 'Connection' header\"}"
    )
    async with client_answering(400, body, content_type="text/plain") as client:
        with pytest.raises(InvalidRequest) as info:
            await client.receive(NUMBER)
    assert info.value.text.startswith("websocket: the client is not using")
    assert "json-rpc mode" in info.value.user_message()


async def test_gin_404_page_not_found_says_wrong_server():
    async with client_answering(404, "404 page not found", content_type="text/plain") as client:
        with pytest.raises(NotFound) as info:
            await client.about()
    assert "signal-cli-rest-api" in info.value.user_message()


async def test_group_not_found_keeps_server_text():
    async with client_answering(404, '{"error":"No group with that id found"}') as client:
        with pytest.raises(NotFound) as info:
            await client.group(
                NUMBER, "group.QVFJREJBVUdCd2dKQ2dzTURRNFBFQkVTRXhRVkZoY1lHUm9iSEIwZUh5QT0="
            )
    assert info.value.text == "No group with that id found"
    assert str(info.value) == "No group with that id found."


@pytest.mark.parametrize("status", [401, 403])
async def test_reverse_proxy_auth(status):
    async with client_answering(
        status, "<html><body>401 Authorization Required</body></html>", content_type="text/html"
    ) as client:
        with pytest.raises(AuthRequired) as info:
            await client.accounts()
    assert info.value.kind is ErrorKind.AUTH_REQUIRED
    assert "authentication" in info.value.user_message()


async def test_server_error_500():
    async with client_answering(500, '{"error":"Couldn\'t get list of accounts: boom"}') as client:
        with pytest.raises(ServerError) as info:
            await client.accounts()
    assert info.value.status == 500
    assert "Couldn't get list of accounts" in info.value.user_message()


async def test_normal_mode_process_kill_is_a_timeout_that_may_have_sent():
    exc = await failing_send(400, '{"error":"process killed as timeout reached"}')
    assert isinstance(exc, TimedOut)
    assert exc.maybe_sent is True


async def test_connection_refused_is_unreachable_and_certainly_not_sent():
    async with SignalClient("http://127.0.0.1:9") as client:
        with pytest.raises(Unreachable) as info:
            await client.send(NUMBER, ["+4915112345678"], "hi")
    assert info.value.maybe_sent is False
    assert info.value.user_message() == (
        "Signal server unreachable at http://127.0.0.1:9: connection refused."
    )


async def test_read_timeout_after_sending_maybe_sent():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async with SignalClient("http://signal.test", transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(TimedOut) as info:
            await c.send(NUMBER, ["+4915112345678"], "hi")
    assert info.value.maybe_sent is True
    assert info.value.kind is ErrorKind.TIMEOUT


async def test_connect_timeout_never_sent():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("slow", request=request)

    async with SignalClient("http://signal.test", transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(SignalApiError) as info:
            await c.send(NUMBER, ["+4915112345678"], "hi")
    assert info.value.maybe_sent is False


async def test_connection_dropped_mid_request_may_have_been_sent():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("Server disconnected", request=request)

    async with SignalClient("http://signal.test", transport=httpx.MockTransport(handler)) as c:
        with pytest.raises(Unreachable) as info:
            await c.send(NUMBER, ["+4915112345678"], "hi")
    assert info.value.maybe_sent is True


async def test_garbage_success_body_is_protocol_error():
    async with client_answering(200, b"\xff\xfe<html>", content_type="text/html") as client:
        with pytest.raises(ProtocolError):
            await client.about()


def test_error_kinds_are_lowercase_strings_for_the_ui():
    assert ErrorKind.UNTRUSTED_IDENTITY == "untrusted_identity"
    assert {k.value for k in ErrorKind} >= {"unreachable", "timeout", "not_found", "rate_limited"}


def test_error_text_is_stripped_and_sentence_is_one_line():
    exc = classify_response(400, '{"error":"User +4917600000000 is not registered.\\n"}')
    assert exc.text == "User +4917600000000 is not registered."
    assert "\n" not in exc.user_message()


@given(st.binary(max_size=300), st.integers(min_value=400, max_value=599))
def test_any_error_body_classifies_without_crashing(body, status):
    exc = classify_response(status, body)
    assert isinstance(exc, SignalApiError)
    message = exc.user_message()
    assert isinstance(message, str) and message
    assert "\n" not in message


@given(st.text(max_size=200))
def test_parse_error_body_never_raises(text):
    err, data = parse_error_body(text)
    assert isinstance(err, str) and isinstance(data, dict)


@given(
    st.uuids().map(str),
    st.text(alphabet="abcxyz 0123:\n", max_size=60),
    st.sampled_from(["+4915112345678", "4f8b2a6e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"]),
)
def test_challenge_token_found_wherever_it_sits_in_normal_mode_text(token, noise, who):
    text = (
        f"{noise}\nFailed to send (some) messages:\n{who}: CAPTCHA proof required for sending to "
        f'"{who}", available options "RECAPTCHA, PUSH_CHALLENGE" with challenge token "{token}", '
        f'or wait "86400" seconds.\n{noise}\nFailed to send message due to rate limiting\n'
    )
    exc = classify_response(400, json.dumps({"error": text}))
    assert isinstance(exc, RateLimited)
    assert token in exc.challenge_tokens
    assert any(f.recipient == who and f.token == token for f in exc.failures)
