"""`--profile NAME`: one `[profiles.NAME]` table of config.toml, before or after the command."""

from __future__ import annotations

from cli_runner import Cli

from bytez_tui.config import config_path
from bytez_tui.emulator import EmulatorServer


def _profiles(emulator: EmulatorServer) -> None:
    port = emulator.url.rsplit(":", 1)[1].rstrip("/")
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(
        "[profiles.emulator]\n"
        f'base_url = "http://localhost:{port}"\n'
        'api_key = "profile-key-12345"\n'
        "\n"
        "[profiles.nowhere]\n"
        'base_url = "http://127.0.0.1:9"\n'
        'api_key = "nowhere-key-12345"\n'
    )


def test_a_profile_is_used_before_or_after_the_command(cli: Cli, emulator: EmulatorServer) -> None:
    _profiles(emulator)
    for argv in (
        ("--profile", "emulator", "models", "--limit", "1"),
        ("models", "--profile", "emulator", "--limit", "1"),
        # After the command word it wins, as the other connection flags do.
        ("--profile", "nowhere", "models", "--profile", "emulator", "--limit", "1"),
    ):
        result = cli(*argv)
        assert result.code == 0, result.stderr
        assert "profile-key-12345" not in result.stdout + result.stderr
    # The profile is what names the API root: BYTEZ_BASE_URL (the emulator) gives way.
    assert cli("--profile", "nowhere", "models", "--refresh").code == 3
    assert cli("models", "--limit", "1", BYTEZ_PROFILE="emulator").code == 0


def test_an_unknown_profile_is_a_usage_error(cli: Cli, emulator: EmulatorServer) -> None:
    _profiles(emulator)
    result = cli("--profile", "stagign", "models")
    assert result.code == 2
    assert "no [profiles.stagign] table (profiles: emulator, nowhere)" in result.stderr
