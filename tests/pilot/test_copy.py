"""Copying: never "Copied" when we can't know; the text can always be shown again."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from textual.widgets import TextArea
from waiting import Toasts, until

from bytez_tui.app import BytezApp
from bytez_tui.panes.catalogue import CataloguePane
from bytez_tui.screens.copy import CopyDialog

AppFactory = Callable[..., BytezApp]


@pytest.fixture
def tmux_clipboard_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run "inside" a private tmux server whose set-clipboard is off, passthrough off."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    socket = tmp_path / "tmux.sock"
    base = ["tmux", "-S", str(socket)]
    subprocess.run([*base, "new-session", "-d", "-s", "t"], check=True, timeout=10)
    try:
        subprocess.run([*base, "set", "-g", "set-clipboard", "off"], check=True, timeout=10)
        monkeypatch.setenv("TMUX", f"{socket},1,0")
        yield
    finally:
        subprocess.run([*base, "kill-server"], check=False, timeout=10)


def _copy_highlighted_id(app: BytezApp) -> str:
    catalogue = app.screen.query_one(CataloguePane)
    model = catalogue.highlighted
    assert model is not None
    catalogue.action_copy_id()
    return model


async def test_copy_says_sent_not_copied_and_can_be_shown_again(make_app: AppFactory) -> None:
    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        catalogue = app.screen.query_one(CataloguePane)
        await until(pilot, lambda: catalogue.highlighted is not None)
        model = _copy_highlighted_id(app)
        await pilot.pause()
        assert "Sent to the terminal clipboard" in toasts.messages[-1]
        assert app.clipboard == model
        app.show_copied()
        await pilot.pause()
        assert isinstance(app.screen, CopyDialog)
        area = app.screen.query_one(TextArea)
        assert area.selected_text == model


async def test_inside_tmux_without_a_route_the_text_is_shown_to_select(
    make_app: AppFactory, tmux_clipboard_off: None
) -> None:
    app = make_app()
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        catalogue = app.screen.query_one(CataloguePane)
        await until(pilot, lambda: catalogue.highlighted is not None)
        model = _copy_highlighted_id(app)
        await until(pilot, lambda: isinstance(app.screen, CopyDialog))
        await until(pilot, lambda: bool(app.screen.query(TextArea)))
        assert app.screen.query_one(TextArea).selected_text == model
        assert not [m for m in toasts.messages if "Sent" in m]
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = toasts.titled("Saved")
        path = Path(saved[-1].removeprefix("Saved to "))
        assert path.read_text(encoding="utf-8") == model
        assert path.stat().st_mode & 0o077 == 0
