"""Configuration: defaults < TOML file < SIGNAL_TUI_* environment < command-line flags.

The TOML file lives in the XDG config dir (``~/.config/signal-tui/config.toml``). It is strict: an
unknown or mistyped key is an error that names it, and so is a table other than the optional
``[signal-tui]`` / ``[server]`` sections (whose keys are read as if they were at the top level).
Secrets (basic-auth password, bearer token) may be given directly, through the environment, or by
a command whose stdout is the secret; they are never printed (``repr`` hides them).
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import subprocess
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "signal-tui"


class ConfigError(Exception):
    """A configuration problem, worded for the user."""


def default_config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


@dataclass(frozen=True)
class Config:
    # server
    url: str | None = None
    account: str | None = None
    # reverse proxy authentication (pick one); secrets are hidden from repr
    auth_user: str | None = None
    auth_password: str | None = field(default=None, repr=False)
    auth_password_command: str | None = field(default=None, repr=False)
    auth_token: str | None = field(default=None, repr=False)
    auth_token_command: str | None = field(default=None, repr=False)
    verify_tls: bool = True
    ca_file: str | None = None
    # timeouts (seconds): normal mode starts a JVM per call and may take well over 10 s to send
    connect_timeout: float = 10.0
    request_timeout: float = 135.0
    # receiving
    poll_timeout: int = 1
    poll_max_messages: int = 50
    download_attachments: bool = True
    # sending
    send_interval: float = 0.5
    send_read_receipts: bool = True
    send_typing: bool = True
    # notifications
    notify_bell: bool = False
    notify_desktop: bool = False
    # storage
    data_dir: Path = field(default_factory=default_data_dir)
    config_file: Path = field(default_factory=default_config_file)
    # ui
    theme: str = "textual-dark"
    demo: bool = False

    def password(self) -> str | None:
        return self.auth_password or _run_secret(
            self.auth_password_command, "auth_password_command"
        )

    def token(self) -> str | None:
        return self.auth_token or _run_secret(self.auth_token_command, "auth_token_command")

    def account_data_dir(self, account: str | None = None) -> Path:
        """Each account keeps its own cache below the data dir."""
        acct = account or self.account or "default"
        safe = "".join(ch if ch.isalnum() else "_" for ch in acct)
        return self.data_dir / "accounts" / safe

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)


# keys a user may set in the file / environment (everything except bookkeeping fields)
_FILE_KEYS = {f.name for f in fields(Config)} - {"config_file", "demo"}
_ENV_PREFIX = "SIGNAL_TUI_"


def _run_secret(command: str | None, key: str) -> str | None:
    if not command:
        return None
    try:
        out = subprocess.run(
            shlex.split(command), capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ConfigError(f"{key} failed to run ({type(exc).__name__})") from None
    return out.stdout.strip() or None


def _coerce(key: str, value: Any, source: str) -> Any:
    """Convert a file/env value to the field's type; raise ConfigError naming key and source."""
    default = {f.name: f for f in fields(Config)}[key]
    kind = default.type if isinstance(default.type, str) else str(default.type)
    try:
        if kind.startswith("bool"):
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise ValueError
        if kind.startswith("int"):
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        if kind.startswith("float"):
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if kind.startswith("Path"):
            return Path(os.path.expanduser(str(value)))
        if not isinstance(value, str):
            raise ValueError
        return value
    except (TypeError, ValueError):
        expected = kind.split(" ")[0].replace("Path", "path").replace("str", "string")
        raise ConfigError(f"{source}: {key} must be a {expected}, got {value!r}") from None


def _suggest(key: str) -> str:
    import difflib

    close = difflib.get_close_matches(key, sorted(_FILE_KEYS), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# tables whose keys are read as top-level settings; any other table is an error
_SECTIONS = ("signal-tui", "server")


def load_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {_why(exc)}") from None
    flat: dict[str, Any] = {}
    where: dict[str, str] = {}

    def put(key: str, value: Any, place: str) -> None:
        if key in flat:
            raise ConfigError(f"{path}: {key!r} is set twice ({where[key]} and {place})")
        flat[key], where[key] = value, place

    for key, value in raw.items():
        if not isinstance(value, dict):
            put(key, value, "at the top level")
            continue
        if key not in _SECTIONS:
            raise ConfigError(f"{path}: unknown section [{key}]{_section_hint()}")
        for sub, subval in value.items():
            if isinstance(subval, dict):
                raise ConfigError(f"{path}: unknown section [{key}.{sub}]{_section_hint()}")
            put(sub, subval, f"in [{key}]")
    out: dict[str, Any] = {}
    for key, value in flat.items():
        if key not in _FILE_KEYS:
            raise ConfigError(f"{path}: unknown setting {key!r}{_suggest(key)}")
        out[key] = _coerce(key, value, str(path))
    return out


def _section_hint() -> str:
    known = ", ".join(f"[{name}]" for name in _SECTIONS)
    return f" (settings go at the top level or in {known})"


def _why(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__


def load_env(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in environ.items():
        if not name.startswith(_ENV_PREFIX):
            continue
        key = name[len(_ENV_PREFIX) :].lower()
        if key == "config":
            continue  # handled by load_config (it names the file)
        if key not in _FILE_KEYS:
            raise ConfigError(f"environment: unknown variable {name}{_suggest(key)}")
        out[key] = _coerce(key, value, f"environment {name}")
    return out


def load_config(
    flags: dict[str, Any] | None = None, environ: dict[str, str] | None = None
) -> Config:
    """Build the Config. `flags` holds only the flags the user actually gave (None = not given)."""
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    environ = dict(os.environ if environ is None else environ)
    config_file = Path(
        flags.get("config_file") or environ.get(_ENV_PREFIX + "CONFIG") or default_config_file()
    ).expanduser()
    values: dict[str, Any] = {}
    values.update(load_file(config_file))
    values.update(load_env(environ))
    for key, value in flags.items():
        if key == "config_file":
            continue
        values[key] = Path(value).expanduser() if key == "data_dir" else value
    cfg = Config(config_file=config_file, **values)
    if cfg.url is not None:
        cfg = cfg.replace(url=cfg.url.rstrip("/"))
    if cfg.auth_user and not (cfg.auth_password or cfg.auth_password_command):
        raise ConfigError("auth_user is set but neither auth_password nor auth_password_command")
    return cfg


def save_settings(path: Path, updates: dict[str, Any]) -> None:
    """Merge `updates` into the TOML file at `path` (used by account setup). Keeps other keys."""
    current: dict[str, Any] = {}
    if path.exists():
        current = tomllib.loads(path.read_text(encoding="utf-8"))
    for key in updates:
        if key not in _FILE_KEYS:
            raise ConfigError(f"unknown setting {key!r}")
    current.update({k: (str(v) if isinstance(v, Path) else v) for k, v in updates.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for key, value in current.items():
        if isinstance(value, dict):
            continue
        lines.append(f"{key} = {_toml_value(value)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'
