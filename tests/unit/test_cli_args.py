"""The command line's own rules, through the real parser and main(): global options on either
side of the subcommand, a named config file that must exist, a theme the app can use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signal_tui.cli import build_parser, main

ACCOUNT = "+15550000001"


def _cache(data: Path, account: str) -> Path:
    safe = "".join(ch if ch.isalnum() else "_" for ch in account)
    return data / "accounts" / safe / "cache.sqlite3"


@pytest.mark.parametrize(
    "command", [["receive"], ["send", "--to", "+1", "x"], ["export"], ["stats"]]
)
def test_global_options_before_or_after_the_subcommand(command: list[str]) -> None:
    parse = build_parser().parse_args
    before = parse(["--url", "http://u:1", "--account", "+1", "--data-dir", "d", *command])
    assert (before.url, before.account, before.data_dir) == ("http://u:1", "+1", Path("d"))
    after = parse([*command, "--url", "http://u:1", "--account", "+1", "--config", "c.toml"])
    assert (after.url, after.account, after.config_file) == ("http://u:1", "+1", Path("c.toml"))
    both = parse(["--account", "+1", "--url", "http://u:1", *command, "--account", "+2"])
    assert (both.account, both.url) == ("+2", "http://u:1")  # after wins, the rest stays
    neither = parse(command)
    assert (neither.url, neither.account, neither.data_dir, neither.config_file) == (None,) * 4


def test_stats_with_options_before_the_subcommand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`signal-tui --account A --data-dir D stats` used to say "no account configured"."""
    data = tmp_path / "data"
    assert main(["--account", ACCOUNT, "--data-dir", str(data), "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["messages"] == 0
    assert _cache(data, ACCOUNT).exists()
    # given on both sides: the one after the subcommand is used
    assert (
        main(["--account", "+15550000009", "--data-dir", str(data), "stats", "--account", ACCOUNT])
        == 0
    )
    assert not _cache(data, "+15550000009").exists()


def test_a_named_config_file_that_does_not_exist_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.toml"
    args = ["--account", ACCOUNT, "--data-dir", str(tmp_path / "d")]
    assert main(["--config", str(missing), *args, "stats"]) == 2
    assert f"config file not found: {missing}" in capsys.readouterr().err
    monkeypatch.setenv("SIGNAL_TUI_CONFIG", str(missing))
    assert main([*args, "stats"]) == 2
    assert f"config file not found: {missing}" in capsys.readouterr().err
    # the default file (in the isolated XDG config dir, see tests/conftest.py) may be absent
    monkeypatch.delenv("SIGNAL_TUI_CONFIG")
    assert main([*args, "stats"]) == 0
    assert capsys.readouterr().err == ""


def test_a_theme_textual_does_not_know_exits_2_before_the_app_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'theme = "nrd"\nurl = "http://127.0.0.1:9"\naccount = "{ACCOUNT}"\n')
    assert main(["--config", str(cfg), "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "configuration error: theme 'nrd' is not a Textual theme" in err
    assert "did you mean 'nord'?" in err
    assert "textual-dark" in err and "gruvbox" in err  # the valid names are listed
    assert not (tmp_path / "d").exists()  # the app never opened a cache
    monkeypatch.setenv("SIGNAL_TUI_THEME", "no-such-theme")
    cfg.write_text(f'url = "http://127.0.0.1:9"\naccount = "{ACCOUNT}"\n')
    assert main(["--config", str(cfg), "--demo"]) == 2
    assert "'no-such-theme' is not a Textual theme" in capsys.readouterr().err


def test_headless_commands_do_not_check_the_theme(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the app uses the theme; a script's `stats` works whatever it says."""
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'theme = "nrd"\naccount = "{ACCOUNT}"\n')
    assert main(["--config", str(cfg), "--data-dir", str(tmp_path / "d"), "stats"]) == 0
    assert "messages: 0" in capsys.readouterr().out


def test_a_secret_command_that_fails_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found only when the command runs (the client asks for the password): exit 2, no
    traceback."""
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        f'url = "http://127.0.0.1:9"\naccount = "{ACCOUNT}"\nauth_user = "me"\n'
        f'auth_password_command = "{tmp_path / "no-such-program"}"\n'
    )
    assert main(["--config", str(cfg), "--data-dir", str(tmp_path / "d"), "receive"]) == 2
    err = capsys.readouterr().err
    assert "configuration error: auth_password_command failed to run" in err
