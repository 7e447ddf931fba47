"""Every scripted command documents its flags in `--help`, and none imports Textual."""

from __future__ import annotations

import pytest
from cli_runner import Cli

COMMON = ("--base-url", "--api-key", "--allow-insecure-http", "--quiet", "--retries", "exit codes")

DOCUMENTED = {
    "models": ("QUERY", "--json", "--sort", "{ram,name,cost}", "--limit", "--refresh"),
    "job": ("MODEL", "--wait", "--timeout", "--json"),
    "load": ("MODEL", "--concurrency", "--expire", "--wait", "--timeout", "--json"),
    "status": ("MODEL", "--json"),
    "instances": ("--json", "--watch", "--interval"),
    "run": ("MODEL", "PROMPT", "--params", "--no-stream", "--json", "stdin"),
    "delete": ("MODEL", "--yes", "--json"),
}


@pytest.mark.parametrize("command", sorted(DOCUMENTED))
def test_help_lists_the_documented_flags(cli: Cli, command: str) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert result.stdout.startswith(f"usage: bytez-tui {command}")
    for flag in (*DOCUMENTED[command], *COMMON):
        assert flag in result.stdout, f"{command} --help lacks {flag}"
    assert "--poll-interval" not in result.stdout  # a hidden test hook


def test_commands_do_not_import_textual(cli: Cli) -> None:
    """Start-up stays fast: Textual (and the emulator's server stack) are never imported."""
    for args in (("models", "gpt2", "--limit", "1"), ("run", "x/y", "hi")):
        result = cli(*args, python_flags=("-X", "importtime"))
        lines = result.stderr.splitlines()
        modules = {line.rsplit("|", 1)[-1].strip() for line in lines if "|" in line}
        assert "bytez_tui.cli" in modules
        assert not {m for m in modules if m.split(".")[0] in ("textual", "uvicorn", "starlette")}
