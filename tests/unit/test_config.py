from __future__ import annotations

import re
from pathlib import Path

import pytest

from signal_tui.config import ConfigError, load_config, save_settings


def test_precedence_defaults_file_env_flags(tmp_path: Path) -> None:
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text('url = "http://file:8080"\naccount = "+1"\nsend_interval = 2\n')
    env = {"SIGNAL_TUI_URL": "http://env:8080", "SIGNAL_TUI_CONFIG": str(cfg_file)}
    cfg = load_config({"account": "+49"}, env)
    assert cfg.url == "http://env:8080"  # env beats file
    assert cfg.account == "+49"  # flag beats file
    assert cfg.send_interval == 2.0  # file beats default
    assert cfg.poll_timeout == 1  # default


def test_unknown_key_is_named(tmp_path: Path) -> None:
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text('acount = "+1"\n')
    with pytest.raises(ConfigError, match=r"acount.*did you mean 'account'"):
        load_config({"config_file": cfg_file}, {})


def test_wrong_type_is_named(tmp_path: Path) -> None:
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text('verify_tls = "maybe"\n')
    with pytest.raises(ConfigError, match="verify_tls"):
        load_config({"config_file": cfg_file}, {})


def test_secrets_are_not_in_repr_and_come_from_a_command(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    cfg = load_config(
        {"config_file": empty},
        {"SIGNAL_TUI_AUTH_USER": "me", "SIGNAL_TUI_AUTH_PASSWORD_COMMAND": "echo s3cret"},
    )
    assert "s3cret" not in repr(cfg)
    assert cfg.password() == "s3cret"
    cfg2 = load_config({"config_file": empty}, {"SIGNAL_TUI_AUTH_TOKEN": "Zq9xTokenValue"})
    assert "Zq9xTokenValue" not in repr(cfg2)
    assert cfg2.token() == "Zq9xTokenValue"


def test_save_settings_round_trips(tmp_path: Path) -> None:
    cfg_file = tmp_path / "sub" / "c.toml"
    save_settings(cfg_file, {"url": "http://127.0.0.1:9", "account": "+15550001"})
    cfg = load_config({"config_file": cfg_file}, {})
    assert (cfg.url, cfg.account) == ("http://127.0.0.1:9", "+15550001")
    assert cfg_file.stat().st_mode & 0o777 == 0o600


COMMENTED = """\
# signal-tui, set up by hand
#   (the proxy wants basic auth)

theme = "nord"   # dark, but not too dark
url = "http://old.example:8080"  # the old box

# who am I
account = "+15550000000"
auth_user = "me"
auth_password_command = "pass show signal-proxy"

[signal-tui]
# pacing
send_interval = 2.5
"""


def test_save_settings_changes_only_the_given_values(tmp_path: Path) -> None:
    """Account setup rewrites url/account: comments, blank lines, key order, the section and
    every other byte of the file stay; the file ends up 0600 (it names a password command)."""
    cfg_file = tmp_path / "cfg" / "config.toml"
    cfg_file.parent.mkdir()
    cfg_file.write_text(COMMENTED)
    cfg_file.chmod(0o644)
    save_settings(cfg_file, {"url": "https://signal.example.org", "account": "+4917600000000"})
    expected = COMMENTED.replace("http://old.example:8080", "https://signal.example.org").replace(
        "+15550000000", "+4917600000000"
    )
    assert cfg_file.read_text() == expected
    assert cfg_file.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in cfg_file.parent.iterdir()] == ["config.toml"]  # no temp file left
    cfg = load_config({"config_file": cfg_file}, {})
    assert (cfg.url, cfg.account, cfg.theme, cfg.send_interval) == (
        "https://signal.example.org",
        "+4917600000000",
        "nord",
        2.5,
    )


def test_save_settings_updates_a_key_where_it_lives(tmp_path: Path) -> None:
    """A key set in a [server] section is changed there (not added again at the top level,
    which would make the file set it twice); CRLF line ends stay CRLF."""
    text = '# mine\r\n[server]\r\nurl = "http://a:1"  # keep\r\n'
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_bytes(text.encode())
    save_settings(cfg_file, {"url": "http://b:2"})
    assert cfg_file.read_bytes() == text.replace("http://a:1", "http://b:2").encode()
    assert load_config({"config_file": cfg_file}, {}).url == "http://b:2"


def test_save_settings_refuses_a_broken_file(tmp_path: Path) -> None:
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text('url = "unterminated\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        save_settings(cfg_file, {"account": "+1"})
    assert cfg_file.read_text() == 'url = "unterminated\n'  # untouched


def test_unknown_table_is_named(tmp_path: Path) -> None:
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text('[foo]\nurl = "http://x:1"\n')
    with pytest.raises(ConfigError, match=r"unknown section \[foo\]"):
        load_config({"config_file": cfg_file}, {})
    cfg_file.write_text('[server.extra]\nurl = "http://x:1"\n')
    with pytest.raises(ConfigError, match=r"unknown section \[server\.extra\]"):
        load_config({"config_file": cfg_file}, {})


def test_known_sections_are_read_and_a_key_set_twice_is_named(tmp_path: Path) -> None:
    cfg_file = tmp_path / "c.toml"
    cfg_file.write_text('[server]\nurl = "http://x:1"\n[signal-tui]\ntheme = "nord"\n')
    cfg = load_config({"config_file": cfg_file}, {})
    assert (cfg.url, cfg.theme) == ("http://x:1", "nord")
    cfg_file.write_text('url = "http://a:1"\n[server]\nurl = "http://x:1"\n')
    with pytest.raises(ConfigError, match=r"'url' is set twice"):
        load_config({"config_file": cfg_file}, {})


def test_a_named_config_file_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=f"config file not found: {re.escape(str(missing))}"):
        load_config({"config_file": missing}, {})
    with pytest.raises(ConfigError, match="config file not found"):
        load_config({}, {"SIGNAL_TUI_CONFIG": str(missing)})


def test_the_default_config_file_may_be_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    cfg = load_config({}, {})
    assert cfg.config_file == tmp_path / "xdg" / "signal-tui" / "config.toml"
    assert not cfg.config_file.exists()
    assert cfg.url is None
