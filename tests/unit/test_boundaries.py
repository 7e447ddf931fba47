"""Architecture rules: only the api package speaks HTTP; public modules declare their surface."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "bytez_tui"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", ["panes", "screens", "widgets", "cli"])
def test_only_api_imports_httpx(folder: str) -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in (PACKAGE / folder).rglob("*.py")
        if any(name == "httpx" or name.startswith("httpx.") for name in _imports(path))
    ]
    assert offenders == []


def test_httpx_appears_in_no_module_but_api_and_emulator() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "httpx" in {name.split(".")[0] for name in _imports(path)}
        and path.relative_to(PACKAGE).parts[0] != "api"
        and "emulator" not in path.parts
    ]
    assert offenders == []


@pytest.mark.parametrize(
    "module",
    [
        "bytez_tui.api",
        "bytez_tui.models",
        "bytez_tui.errors",
        "bytez_tui.billing",
        "bytez_tui.credentials",
        "bytez_tui.json_fields",
        "bytez_tui.api.catalogue",
    ],
)
def test_all_is_exactly_the_public_names(module: str) -> None:
    """`__all__` lists every public name and nothing else, in isort's order (constants,
    classes, functions), as httpx checks its own: a package counts what it re-exports, a
    module what it defines (not what it imports)."""
    mod = importlib.import_module(module)
    if hasattr(mod, "__path__"):
        names = [name for name, value in vars(mod).items() if not isinstance(value, type(sys))]
    else:
        names = _defined_at_top_level(Path(mod.__file__ or ""))
    public = [name for name in names if not name.startswith("_") and name != "annotations"]

    def isort_order(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert mod.__all__ == sorted(public, key=isort_order)


def _defined_at_top_level(path: Path) -> list[str]:
    """The names a module's own top-level statements bind (not the names it imports)."""
    names: list[str] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [target.id for target in node.targets if isinstance(target, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


def test_api_exports_every_error() -> None:
    import bytez_tui.api as api
    import bytez_tui.errors as errors

    assert set(errors.__all__) <= set(api.__all__)


def test_starting_the_app_does_not_import_httpx_or_the_emulator() -> None:
    code = (
        "import sys, bytez_tui.app, bytez_tui.screens.main; "
        "print(sorted(m for m in ('httpx', 'uvicorn', 'starlette') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
