"""The top-level command line: --help, --version, unknown commands."""

from __future__ import annotations

import inspect
import subprocess
import sys

import pytest

from bytez_tui import __version__
from bytez_tui.__main__ import main
from bytez_tui.cli.parser import SUBCOMMANDS


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bytez_tui", *args], capture_output=True, text=True, timeout=60
    )


def test_version() -> None:
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"bytez-tui {__version__}"


def test_help_lists_flags_and_commands() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for text in (
        "--base-url",
        "--api-key",
        "--demo",
        "--allow-insecure-http",
        "emulator",
        "models",
    ):
        assert text in result.stdout


def test_emulator_help() -> None:
    result = _run("emulator", "--help")
    assert result.returncode == 0
    for flag in ("--host", "--port", "--models", "--seed", "--key"):
        assert flag in result.stdout


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
    assert "unknown command" in capsys.readouterr().err


def test_insecure_url_is_refused_before_the_app_starts(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--base-url", "http://api.example.com", "--api-key", "k-12345678"])
    assert code == 2
    assert "plain http" in capsys.readouterr().err


@pytest.mark.parametrize("debug", [False, True])
def test_the_last_resort_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], debug: bool
) -> None:
    """Whatever nobody foresaw (here: a command that raises) ends as one line and exit 1;
    the traceback only with BYTEZ_TUI_DEBUG=1."""
    import bytez_tui.cli

    def broken(argv: list[str], options: object) -> int:
        raise LookupError("a bug")

    monkeypatch.setattr(bytez_tui.cli, "main", broken)
    if debug:
        monkeypatch.setenv("BYTEZ_TUI_DEBUG", "1")
    assert main(["instances"]) == 1
    err = capsys.readouterr().err
    assert err.endswith("bytez-tui: unexpected error (please report): LookupError\n")
    assert ("Traceback" in err) is debug


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_each_command_names_a_coroutine_function_it_can_import(name: str) -> None:
    """`Subcommand.load` names its module and function as strings: a typo must fail here,
    not when a user first runs the command."""
    load = SUBCOMMANDS[name].load
    if load is not None:
        assert inspect.iscoroutinefunction(load())
