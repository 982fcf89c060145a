"""Configuration: defaults < TOML file < SIGNAL_TUI_* environment < command-line flags.

The TOML file lives in the XDG config dir (``~/.config/signal-tui/config.toml``). It is strict: an
unknown or mistyped key is an error that names it, and so is a table other than the optional
``[signal-tui]`` / ``[server]`` sections (whose keys are read as if they were at the top level).
A file named by ``--config`` or ``SIGNAL_TUI_CONFIG`` must exist; the default one may be absent.
Secrets (basic-auth password, bearer token) may be given directly, through the environment, or by
a command whose stdout is the secret; they are never printed (``repr`` hides them). Account setup
writes the file back changing only the keys it sets (comments and layout stay).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shlex
import subprocess
import tempfile
import tomllib
from collections.abc import MutableMapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs
import tomlkit
import tomlkit.exceptions

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
    named = flags.get("config_file") or environ.get(_ENV_PREFIX + "CONFIG")
    config_file = Path(named or default_config_file()).expanduser()
    if named and not config_file.exists():  # a file the user named; the default may be absent
        raise ConfigError(f"config file not found: {config_file}")
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
    """Set `updates` in the TOML file at `path` (used by account setup); a value None removes
    the key. Only those keys change: comments, blank lines, order and everything else in the file
    stay as the user wrote them. A key already in a [signal-tui] / [server] section is updated
    there; a new key goes to the top level. The file is written atomically with mode 0600 (it
    may hold secrets), through a symlink to its target."""
    for key in updates:
        if key not in _FILE_KEYS:
            raise ConfigError(f"unknown setting {key!r}")
    target = path.expanduser().resolve()
    try:
        # bytes, not read_text: universal newlines would turn a CRLF file into LF
        doc = tomlkit.parse(target.read_bytes().decode("utf-8") if target.exists() else "")
    except (tomlkit.exceptions.ParseError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for key, value in updates.items():
        home = _home_of(doc, key)
        if value is None:
            if home is not None:
                del home[key]
            continue
        (doc if home is None else home)[key] = str(value) if isinstance(value, Path) else value
    _write_private(target, tomlkit.dumps(doc))


def _home_of(doc: tomlkit.TOMLDocument, key: str) -> MutableMapping[str, Any] | None:
    """Where `key` is set now: the document itself, a known section (a table, inline or dotted),
    or nowhere (None)."""
    if key in doc and not isinstance(doc[key], dict):
        return doc
    for name in _SECTIONS:
        section = doc.get(name)
        if isinstance(section, dict) and key in section:
            return section
    return None


def _write_private(target: Path, text: str) -> None:
    """Replace `target` with `text` atomically; the file is 0600 from its first byte."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)  # mkstemp's default, made explicit: it may hold secrets
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
