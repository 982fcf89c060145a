"""The async signal-cli-rest-api client: one typed method per endpoint a messenger needs.

Endpoints live in mixins by area (`_account`, `_messages`, `_groups`); `_http` owns the httpx
client and turns every failure into a typed `SignalApiError` (api/errors.py). Results are frozen
dataclasses from api/models.py, except `receive`, which returns the raw items because the store
keeps the raw envelope JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from signal_tui.api._account import AccountMixin
from signal_tui.api._groups import GroupsMixin
from signal_tui.api._messages import MessagesMixin
from signal_tui.api.models import REMOVE_AVATAR, RemoveAvatar

if TYPE_CHECKING:
    from signal_tui.config import Config

__all__ = ["REMOVE_AVATAR", "RemoveAvatar", "SignalClient"]


class SignalClient(AccountMixin, MessagesMixin, GroupsMixin):
    """`async with SignalClient(url) as client: await client.send(...)`.

    Timeouts suit normal mode, where each call starts a JVM and a send can take well over 10 s
    (the server kills signal-cli after 120 s, so the read timeout defaults to 135 s).
    """

    @classmethod
    def from_config(cls, config: Config) -> SignalClient:
        """A client for the configured server, with reverse-proxy auth and TLS settings."""
        if not config.url:
            raise ValueError("no server URL configured (set url, SIGNAL_TUI_URL or --url)")
        token = config.token()
        password = config.password()
        basic = (config.auth_user, password or "") if config.auth_user and not token else None
        verify: bool | str = config.ca_file if config.ca_file else config.verify_tls
        return cls(
            config.url,
            basic_auth=basic,
            token=token,
            verify=verify,
            connect_timeout=config.connect_timeout,
            timeout=config.request_timeout,
        )
