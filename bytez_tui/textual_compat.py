"""Every use of a private Textual name, in one place, each with why.

Textual 8.2 offers no public way to do these things. Each one is checked by
`tests/unit/test_textual_compat.py`, which fails when Textual changes under it: a new
Textual release is a reason to re-read this file (pyproject pins `textual~=8.2.8`).
Ruff's SLF001 flags a private access anywhere else.

Also relied on, outside this file: editing keys bound on a text field run late
(Textualize/textual#6605, fix in PR #6631), worked around in `widgets/text_fields.py`;
the canary test says when a release no longer needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from pathlib import Path
from typing import Any, cast

from textual.app import App
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

__all__ = [
    "ESC_DIGIT_KEYS",
    "FooterKey",
    "decode_alt_enter",
    "footer_bindings_ready",
    "output_pending",
    "read_stylesheets",
    "remember_copied",
    "write_to_terminal",
]

# `FooterKey` (one key of the footer) is not exported by `textual.widgets`: `KeyFooter`
# builds the same keys as `Footer` does, so it needs the same class.


class _ExtraKey(str, Enum):
    """Key names Textual's sequence table lacks (its entries are `Keys` members)."""

    ALT_ENTER = "alt+enter"


def decode_alt_enter() -> None:
    """Read ESC CR, which tmux and most terminals send for alt+enter, as `alt+enter`.

    Textual 8.2 has no entry for it: the ESC is dropped and a plain `enter` arrives, so
    alt+enter (the playground's "run") typed a newline into the prompt instead.
    """
    from textual._ansi_sequences import ANSI_SEQUENCES_KEYS

    table = cast("dict[str, Any]", ANSI_SEQUENCES_KEYS)
    table.setdefault("\x1b\r", (_ExtraKey.ALT_ENTER,))


ESC_DIGIT_KEYS: dict[int, str] = {
    1: "inverted_exclamation_mark",
    2: "trade_mark_sign",
    3: "pound_sign",
    4: "cent_sign",
    5: "infinity",
    6: "section_sign",
    7: "pilcrow_sign",
    8: "bullet",
    9: "ª",  # Textual has no name for this one
}
"""Digit → the key Textual 8.2 reports for ESC followed by that digit.

Terminals (and tmux) send alt+1 as ESC 1, and Textual decodes it as the character macOS
types for option+1 (`¡`), not as `alt+1`; a text field then types it. Bindings for
alt+digit list these keys too, and text fields decline them (`TextField`).
"""


def write_to_terminal(app: App[Any], data: str) -> bool:
    """Send raw bytes (an escape sequence) to the terminal; False when headless.

    Textual has no public raw-write API: OSC 52 inside tmux (wrapped for passthrough) and
    the OSC 9 desktop notification go through the driver.
    """
    driver = app._driver  # noqa: SLF001
    if driver is None:
        return False
    driver.write(data)
    return True


def output_pending(app: App[Any]) -> bool:
    """Whether frames wait in Textual's writer thread, not yet sent (False when headless).

    A frame is composed on the event loop and written to the terminal by that thread,
    which needs the GIL to do it: work started right after a frame can hold the frame
    back (see `CatalogueTable.call_after_paint`). Textual says nothing when it is sent.
    """
    writer = getattr(app._driver, "_writer_thread", None)  # noqa: SLF001
    return writer is not None and bool(writer._queue.qsize())  # noqa: SLF001


def remember_copied(app: App[Any], text: str) -> None:
    """Make `text` what `App.clipboard` returns (Textual's paste-within-the-app source).

    `App.copy_to_clipboard` sets it before it writes its own OSC 52; our override writes a
    tmux-aware one instead, and `App.clipboard` is read-only.
    """
    app._clipboard = text  # noqa: SLF001


def footer_bindings_ready(footer: Footer) -> bool:
    """Whether `footer` has seen the screen's bindings (`Footer` composes nothing before).

    `KeyFooter` rebuilds only when the keys change, and must read the same flag `Footer`
    reads to know whether there are keys yet.
    """
    return footer._bindings_ready  # noqa: SLF001


def read_stylesheets(app: App[Any], paths: Iterable[Path]) -> None:
    """Add `.tcss` files to the app's stylesheet after start-up, and parse them at once.

    The panes mounted after the first frame bring their sheets then (the first frame parses
    less CSS). Textual has no public call to add a sheet to a running app; and a lazy parse
    while a pane mounts matched its rules against a stale map in Textual 8.2, so the last
    pane got no styles: the sheet is parsed here, before the panes mount.
    """
    stylesheet = app.stylesheet
    for path in paths:
        stylesheet.read(path)
    stylesheet.parse()
