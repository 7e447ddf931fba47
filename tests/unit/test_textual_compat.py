"""Canaries: each private Textual name we rely on (`bytez_tui.textual_compat`) still works.

A failure here means Textual changed under us: read `textual_compat.py` again before
changing the pin in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import textual
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.widget import Widget
from textual.widgets import Footer, Input, Static
from waiting import type_burst, until

from bytez_tui.textual_compat import (
    ESC_DIGIT_KEYS,
    FooterKey,
    decode_alt_enter,
    footer_bindings_ready,
    output_pending,
    read_stylesheets,
    remember_copied,
    write_to_terminal,
)


class _Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.edits = 0

    def on_input_changed(self) -> None:
        self.edits += 1

    def compose(self) -> ComposeResult:
        yield Input(id="field")
        yield Footer()


def test_the_pinned_textual_is_the_one_installed() -> None:
    assert textual.__version__.startswith("8.2."), textual.__version__


def test_esc_digit_arrives_as_the_keys_we_bind() -> None:
    parser = XTermParser()
    for digit, key in ESC_DIGIT_KEYS.items():
        keys = [getattr(event, "key", None) for event in parser.feed(f"\x1b{digit}")]
        assert keys == [key], digit


def test_esc_cr_arrives_as_alt_enter_once_decoded() -> None:
    decode_alt_enter()
    assert [getattr(e, "key", None) for e in XTermParser().feed("\x1b\r")] == ["alt+enter"]


async def test_raw_writes_clipboard_footer_and_stylesheets(tmp_path: Path) -> None:
    sheet = tmp_path / "late.tcss"
    sheet.write_text("#late { width: 7; }", encoding="utf-8")
    app = _Host()
    async with app.run_test(size=(80, 10)) as pilot:
        assert write_to_terminal(app, "")  # the headless driver takes raw writes
        remember_copied(app, "org/model")
        assert app.clipboard == "org/model"
        footer = app.query_one(Footer)
        await until(pilot, lambda: footer_bindings_ready(footer))
        assert issubclass(FooterKey, Widget)
        read_stylesheets(app, [sheet])
        late = Static("late", id="late")
        await app.mount(late)
        await pilot.pause()
        assert late.size.width == 7


def test_frames_wait_for_the_writer_thread_where_output_pending_looks() -> None:
    """A real terminal's frames queue in `LinuxDriver._writer_thread._queue`."""
    import inspect
    import io

    from textual.drivers._writer_thread import WriterThread
    from textual.drivers.linux_driver import LinuxDriver

    writer = WriterThread(io.StringIO())

    class _Driver:
        _writer_thread = writer

    class _App:
        _driver = _Driver()

    app: Any = _App()
    assert not output_pending(app)
    writer.write("a frame")
    assert output_pending(app)
    assert "self._writer_thread.write(" in inspect.getsource(LinuxDriver.write)


async def test_nothing_waits_to_be_sent_headless() -> None:
    app = _Host()
    async with app.run_test():
        assert not output_pending(app)


async def test_editing_keys_still_run_late_in_a_plain_input() -> None:
    """Textualize/textual#6605: in a burst `ab⌫c` a plain `Input` inserts `c` before the
    backspace runs, and ends with `ab`, not `ac`. When a release fixes it (PR #6631), this
    fails: drop the workaround in `widgets/text_fields.py` (`run_own_binding`) and this."""
    app = _Host()
    async with app.run_test(size=(80, 10)) as pilot:
        field = app.query_one(Input)
        field.focus()
        await pilot.pause()
        type_burst(pilot, "a", "b", "backspace", "c")
        for _ in range(20):
            await pilot.pause()
        print(repr(field.value))
        await pilot.pause()
        assert field.value != "ac", field.value
