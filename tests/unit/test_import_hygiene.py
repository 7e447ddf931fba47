"""Import hygiene: the client, the domain and the command line never import Textual.

Harlequin keeps its adapters apart from its UI with a test like this one. Here the reason is
also speed: Textual costs ~150 ms to import, and `bytez-tui models` must not pay it. Two
checks: the source of each module (lazy imports inside functions included), and what a fresh
interpreter has loaded after importing them or running a non-TUI command.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "bytez_tui"

UI_FREE = [
    "api",
    "catalogue",
    "local",
    "cli",
    "models.py",
    "json_fields.py",
    "billing.py",
    "errors.py",
    "format.py",
    "config.py",
    "credentials.py",
    "clock.py",
    "osc.py",
]
"""The modules and packages (under bytez_tui/) that must not import Textual or Rich."""


def _modules(entry: str) -> list[Path]:
    path = PACKAGE / entry
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("entry", UI_FREE)
def test_no_ui_import_in_the_source(entry: str) -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in _modules(entry)
        if _imported(path) & {"textual", "rich"}
    ]
    assert offenders == []


def test_every_module_under_panes_is_ui() -> None:
    """The other side of the rule: what needs no Textual is not a pane's, it belongs in
    the domain (a record keeper, a wording function), where the CLI and the unit tests
    reach it without a UI."""
    ui_free = [
        str(path.relative_to(PACKAGE))
        for path in _modules("panes")
        if path.name != "__init__.py" and "textual" not in _imported(path)
    ]
    assert ui_free == []


def _dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _loaded(code: str, *args: str) -> set[str]:
    """The top-level packages a fresh interpreter has loaded after running `code`."""
    script = code + "\nimport sys\nprint(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(PACKAGE.parent)},
    )
    return set(done.stdout.splitlines()[-1].split())


def test_importing_the_client_and_the_domain_loads_no_textual() -> None:
    modules = [_dotted(path) for entry in UI_FREE for path in _modules(entry)]
    loaded = _loaded("\n".join(f"import {module}" for module in modules))
    assert {"bytez_tui", "httpx"} <= loaded  # the imports did run
    assert "textual" not in loaded  # (rich may come in through httpx's own command line)


@pytest.mark.parametrize("argv", [["models", "--help"], ["--help"], ["instances", "--help"]])
def test_a_cli_command_loads_no_textual(argv: list[str]) -> None:
    code = (
        "import sys\n"
        "from bytez_tui.__main__ import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
    )
    loaded = _loaded(code, *argv)
    assert "bytez_tui" in loaded
    assert not loaded & {"textual", "rich"}
