"""Every use of a private Textual name, in one place, each with why.

Textual 8.2 offers no public way to do these things. Each function is checked by
`tests/unit/test_textual_compat.py`, which fails when Textual changes under it: a new
Textual release is a reason to re-read this file.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, cast

from textual.app import App

__all__ = ["ESC_DIGIT_KEYS", "decode_alt_enter", "remember_copied", "write_to_terminal"]


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


def remember_copied(app: App[Any], text: str) -> None:
    """Make `text` what `App.clipboard` returns (Textual's paste-within-the-app source).

    `App.copy_to_clipboard` sets it before it writes its own OSC 52; our override writes a
    tmux-aware one instead, and `App.clipboard` is read-only.
    """
    app._clipboard = text  # noqa: SLF001
