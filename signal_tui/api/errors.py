"""Typed errors of the signal-cli-rest-api client.

The server answers failures with signal-cli's raw output (normal mode) or a JSON-RPC error message
(json-rpc mode), nearly always as a 400. The UI needs to know *what kind* of failure it is to offer
the right fix (trust a safety number, solve a captcha, retry later), so the client classifies the
status and the text here, once. ``maybe_sent`` tells the outbox whether a resend could duplicate.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from signal_tui.text import one_line

__all__ = [
    "AuthRequired",
    "ErrorKind",
    "InvalidRequest",
    "NotFound",
    "ProtocolError",
    "RateLimited",
    "RecipientFailure",
    "ServerError",
    "SignalApiError",
    "TimedOut",
    "Unreachable",
    "UntrustedIdentity",
    "classify_response",
    "parse_error_body",
]


class ErrorKind(StrEnum):
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    NOT_FOUND = "not_found"
    UNTRUSTED_IDENTITY = "untrusted_identity"
    RATE_LIMITED = "rate_limited"
    INVALID_REQUEST = "invalid_request"
    AUTH_REQUIRED = "auth_required"
    SERVER_ERROR = "server_error"
    PROTOCOL = "protocol"


# Reasons in /v2/send per-recipient errors (HEAD) and signal-cli `results[].type`.
IDENTITY_FAILURE = "IDENTITY_FAILURE"
RATE_LIMIT_FAILURE = "RATE_LIMIT_FAILURE"
UNREGISTERED_FAILURE = "UNREGISTERED_FAILURE"
NETWORK_FAILURE = "NETWORK_FAILURE"

_REASON_TEXT = {
    IDENTITY_FAILURE: "safety number changed",
    RATE_LIMIT_FAILURE: "rate limited",
    UNREGISTERED_FAILURE: "not on Signal",
    NETWORK_FAILURE: "network failure",
    "INVALID_PRE_KEY_FAILURE": "invalid pre-key",
}


@dataclass(frozen=True, slots=True)
class RecipientFailure:
    """One recipient a send did not reach, and why (``reason`` is the server's code or text)."""

    recipient: str
    reason: str
    uuid: str | None = None
    number: str | None = None
    username: str | None = None
    token: str | None = None  # rate-limit challenge token, when given per recipient
    retry_after: int | None = None  # seconds

    def describe(self) -> str:
        return f"{self.recipient}: {_REASON_TEXT.get(self.reason, self.reason.lower())}"


class SignalApiError(Exception):
    """A failed call. ``str(exc)`` is the readable sentence; ``text`` is the server's own words."""

    kind: ErrorKind = ErrorKind.SERVER_ERROR

    def __init__(
        self,
        text: str = "",
        *,
        status: int | None = None,
        url: str | None = None,
        kind: ErrorKind | None = None,
        challenge_tokens: tuple[str, ...] | list[str] = (),
        failures: tuple[RecipientFailure, ...] | list[RecipientFailure] = (),
        maybe_sent: bool = True,
        account: str | None = None,
    ) -> None:
        self.text = (text or "").strip()
        self.status = status
        self.url = url
        if kind is not None:
            self.kind = kind
        self.challenge_tokens = tuple(dict.fromkeys(challenge_tokens))
        self.failures = tuple(failures)
        self.maybe_sent = maybe_sent
        self.account = account
        super().__init__(self.user_message())

    def with_failures(self, failures: tuple[RecipientFailure, ...]) -> SignalApiError:
        """A copy of this error naming who failed (when the server's text did not say)."""
        copy = type(self)(
            self.text,
            status=self.status,
            url=self.url,
            kind=self.kind,
            challenge_tokens=self.challenge_tokens,
            failures=failures,
            maybe_sent=self.maybe_sent,
            account=self.account,
        )
        copy.__cause__ = self.__cause__
        return copy

    def _server_words(self) -> str:
        first = next((ln.strip() for ln in self.text.splitlines() if _is_prose(ln)), "")
        return first or self.text.splitlines()[0].strip() if self.text else ""

    def user_message(self) -> str:
        """One readable sentence for the user, plain text: what the kind of error says, except
        that a web page (a reverse proxy's error page) or raw JSON (a garbled or cut-off answer)
        is described, never quoted, and control characters are removed."""
        return _describe(self, self._message())

    def _message(self) -> str:
        lower = self.text.lower()
        for needle, sentence in _FRIENDLY:
            if needle in lower:
                return sentence
        words = self._server_words()
        return _sentence(words or f"the server answered {self.status or 'with an error'}")


class Unreachable(SignalApiError):
    """The server could not be reached (refused, DNS, TLS, dropped connection)."""

    kind = ErrorKind.UNREACHABLE

    def _message(self) -> str:
        where = f" at {self.url}" if self.url else ""
        return _sentence(f"Signal server unreachable{where}: {self.text or 'no connection'}")


class TimedOut(SignalApiError):
    kind = ErrorKind.TIMEOUT

    def _message(self) -> str:
        if "process killed" in self.text:
            return "The server gave up: signal-cli took too long (it may still have sent it)."
        where = f" ({self.url})" if self.url else ""
        return f"The Signal server did not answer in time{where}; it may still have done it."


class NotFound(SignalApiError):
    kind = ErrorKind.NOT_FOUND

    def _message(self) -> str:
        if self.text.lower().startswith("404 page not found"):
            return "The server does not know this request: is it a signal-cli-rest-api server?"
        return super()._message()


class UntrustedIdentity(SignalApiError):
    kind = ErrorKind.UNTRUSTED_IDENTITY

    def _message(self) -> str:
        who = [f.recipient for f in self.failures if f.reason == IDENTITY_FAILURE] or [
            f.recipient for f in self.failures
        ]
        if len(who) == 1:
            return f"{who[0]}'s safety number changed: review it and trust it, then resend."
        if who:
            return f"Safety numbers changed for {', '.join(who)}: review and trust, then resend."
        return "A contact's safety number changed: review it and trust it, then resend."


class RateLimited(SignalApiError):
    kind = ErrorKind.RATE_LIMITED

    def _message(self) -> str:
        if self.challenge_tokens:
            return "Signal is rate limiting this account: solve a captcha to continue sending."
        return "Signal is rate limiting this account: wait a while before sending again."


class InvalidRequest(SignalApiError):
    kind = ErrorKind.INVALID_REQUEST


class AuthRequired(SignalApiError):
    kind = ErrorKind.AUTH_REQUIRED

    def _message(self) -> str:
        where = f" at {self.url}" if self.url else ""
        return (
            f"The server{where} requires authentication ({self.status}): "
            "check auth_user/auth_password or auth_token."
        )


class ServerError(SignalApiError):
    kind = ErrorKind.SERVER_ERROR


class ProtocolError(SignalApiError):
    """The server answered something that is not what signal-cli-rest-api sends."""

    kind = ErrorKind.PROTOCOL

    def _message(self) -> str:
        return _sentence(f"Unexpected answer from the server: {self._server_words() or 'empty'}")


_BY_KIND: dict[ErrorKind, type[SignalApiError]] = {
    ErrorKind.UNREACHABLE: Unreachable,
    ErrorKind.TIMEOUT: TimedOut,
    ErrorKind.NOT_FOUND: NotFound,
    ErrorKind.UNTRUSTED_IDENTITY: UntrustedIdentity,
    ErrorKind.RATE_LIMITED: RateLimited,
    ErrorKind.INVALID_REQUEST: InvalidRequest,
    ErrorKind.AUTH_REQUIRED: AuthRequired,
    ErrorKind.SERVER_ERROR: ServerError,
    ErrorKind.PROTOCOL: ProtocolError,
}


def error_class(kind: ErrorKind) -> type[SignalApiError]:
    return _BY_KIND[kind]


# server texts whose own words do not help the user -> what to tell instead
_FRIENDLY = [
    (
        "not using the websocket protocol",
        "The server runs in json-rpc mode: messages arrive over a WebSocket, not by polling.",
    ),
    (
        "please first update your profile",
        "Set a profile name first: the server refuses groups until you have one.",
    ),
    (
        "invalid signal-cli response",
        "The server could not do it (for a username: taken, too short or invalid characters).",
    ),
]


# --- parsing -----------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r'challenge token "([0-9a-fA-F-]+)"')
_UNTRUSTED_FOR_RE = re.compile(r'Untrusted Identity for "([^"]+)"', re.IGNORECASE)
_CAPTCHA_FOR_RE = re.compile(r'CAPTCHA proof required for sending to "([^"]+)"', re.IGNORECASE)


_PAGE_RE = re.compile(r"<\s*(!doctype|html|head|body|title)\b", re.IGNORECASE)
_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def _describe(error: SignalApiError, message: str) -> str:
    message = one_line(message, 300)
    if _PAGE_RE.search(message):
        title = _TITLE_RE.search(error.text or "")
        name = one_line(title.group(1), 80) if title else ""
        status = f" {error.status}" if error.status else ""
        page = f' ("{name}")' if name else ""
        return (
            f"The server answered{status} with a web page{page} instead of signal-cli-rest-api's "
            "answer: a reverse proxy in front of it, or the server is not running."
        )
    if isinstance(error, ProtocolError) and ('{"' in message or "[{" in message):
        return "Unexpected answer from the server: it is not valid JSON (cut off or garbled)."
    return message


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > 300:
        text = text[:297] + "..."
    if not text:
        return "The server reported an error."
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _is_prose(line: str) -> bool:
    """A line of an error text worth showing (not a JSON result line, log line or stack frame)."""
    s = line.strip()
    if not s or s.startswith(("{", "[", "at ")):
        return False
    return not s.startswith(("INFO ", "WARN ", "DEBUG "))


def parse_error_body(body: bytes | bytearray | memoryview | str) -> tuple[str, dict[str, Any]]:
    """(error text, whole JSON object or {}) from any error body, whatever its Content-Type.

    Handles `{"error": ...}`, json-rpc mode's `Bad Request\\n{...}` (not valid JSON as a whole),
    gin's plain `404 page not found`, HTML from a reverse proxy and undecodable bytes.
    """
    text = body if isinstance(body, str) else bytes(body).decode("utf-8", "replace")
    stripped = text.strip()
    candidates = [stripped]
    brace = stripped.find("{")
    if brace > 0:
        candidates.append(stripped[brace:])
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except (ValueError, RecursionError):
            continue
        if isinstance(data, dict):
            err = data.get("error")
            if isinstance(err, str):
                return err.strip(), data
            if err is not None:
                return json.dumps(err, ensure_ascii=False), data
            return stripped, data
        return stripped, {}
    return stripped, {}


def challenge_tokens_from(text: str, data: dict[str, Any] | None = None) -> tuple[str, ...]:
    tokens: list[str] = []
    raw = (data or {}).get("challenge_tokens")
    if isinstance(raw, list):
        tokens.extend(str(t) for t in raw if isinstance(t, str) and t)
    tokens.extend(_TOKEN_RE.findall(text))
    for result in _result_objects(text):
        token = result.get("token")
        if isinstance(token, str) and token:
            tokens.append(token)
    return tuple(dict.fromkeys(tokens))


def _result_objects(text: str) -> list[dict[str, Any]]:
    """signal-cli's stdout JSON line (`{"results":[...],"timestamp":...}`) inside an error text."""
    out: list[dict[str, Any]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{") or "results" not in line:
            continue
        try:
            data = json.loads(line)
        except ValueError:
            continue
        results = data.get("results") if isinstance(data, dict) else None
        if isinstance(results, list):
            out.extend(r for r in results if isinstance(r, dict))
    return out


def failure_from_entry(
    entry: dict[str, Any], reason_key: str = "reason"
) -> RecipientFailure | None:
    """A RecipientFailure from a HEAD `errors.recipients[]` item or a signal-cli `results[]` item."""
    address = (
        entry.get("recipientAddress") if isinstance(entry.get("recipientAddress"), dict) else entry
    )
    reason = entry.get(reason_key) or entry.get("type") or entry.get("reason")
    if not isinstance(reason, str) or reason == "SUCCESS":
        return None
    number = _str_or_none(address.get("number"))
    uuid = _str_or_none(address.get("uuid"))
    username = _str_or_none(address.get("username"))
    recipient = number or uuid or username or "unknown recipient"
    retry = entry.get("retryAfterSeconds")
    return RecipientFailure(
        recipient=recipient,
        reason=reason,
        uuid=uuid,
        number=number,
        username=username,
        token=_str_or_none(entry.get("token")),
        retry_after=retry if isinstance(retry, int) and not isinstance(retry, bool) else None,
    )


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def failures_from_text(text: str) -> tuple[RecipientFailure, ...]:
    """Per-recipient failures named in a normal-mode error text (JSON result line or prose)."""
    found: dict[str, RecipientFailure] = {}
    for result in _result_objects(text):
        failure = failure_from_entry(result)
        if failure is not None:
            found.setdefault(failure.recipient, failure)
    for who in _UNTRUSTED_FOR_RE.findall(text):
        found.setdefault(who, RecipientFailure(who, IDENTITY_FAILURE, number=_num(who)))
    for match in _CAPTCHA_FOR_RE.finditer(text):
        who = match.group(1)
        tail = text[match.end() : match.end() + 200]
        token = _TOKEN_RE.search(tail)
        found.setdefault(
            who,
            RecipientFailure(
                who, RATE_LIMIT_FAILURE, number=_num(who), token=token.group(1) if token else None
            ),
        )
    return tuple(found.values())


def _num(value: str) -> str | None:
    return value if value.startswith("+") else None


def kind_from_text(text: str) -> ErrorKind | None:
    """Kinds recognisable from the server's words whatever the status code."""
    lower = text.lower()
    if "untrusted" in lower or IDENTITY_FAILURE.lower() in lower:
        return ErrorKind.UNTRUSTED_IDENTITY
    if (
        "rate limit" in lower
        or "challenge token" in lower
        or "captcha proof required" in lower
        or RATE_LIMIT_FAILURE.lower() in lower
    ):
        return ErrorKind.RATE_LIMITED
    if "process killed as timeout reached" in lower:
        return ErrorKind.TIMEOUT
    return None


def classify_response(
    status: int, body: bytes | bytearray | memoryview | str, *, url: str | None = None
) -> SignalApiError:
    """The typed error for a non-2xx response. Never raises, whatever the body."""
    text, data = parse_error_body(body)
    tokens = challenge_tokens_from(text, data)
    failures = failures_from_text(text)
    account = data.get("account") if isinstance(data.get("account"), str) else None
    if status in (401, 403, 407):
        kind = ErrorKind.AUTH_REQUIRED
    elif status == 429:
        kind = ErrorKind.RATE_LIMITED
    elif status == 404:
        kind = ErrorKind.NOT_FOUND
    else:
        kind = kind_from_text(text) or (
            ErrorKind.SERVER_ERROR if status >= 500 else ErrorKind.INVALID_REQUEST
        )
    if status == 504 and kind is ErrorKind.SERVER_ERROR:
        kind = ErrorKind.TIMEOUT  # a reverse proxy gave up waiting: it may still happen
    cls = _BY_KIND[kind]
    return cls(
        text,
        status=status,
        url=url,
        challenge_tokens=tokens,
        failures=failures,
        maybe_sent=True,
        account=account,
    )
