"""One way to copy text, used by every pane.

OSC 52 goes through the terminal, so it works over SSH; inside tmux the
sequence is wrapped for passthrough. pyperclip is tried as well, for a local
clipboard when there is one.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable, Mapping

__all__ = ["copy_text", "osc52"]


def osc52(text: str, *, environ: Mapping[str, str] | None = None) -> str:
    """The escape sequence that asks the terminal to put `text` on the clipboard."""
    environ = os.environ if environ is None else environ
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    sequence = f"\x1b]52;c;{payload}\a"
    if environ.get("TMUX"):
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def copy_text(text: str, write: Callable[[str], None] | None) -> bool:
    """Copy `text` through the terminal (`write` sends raw bytes) and the local clipboard.

    Returns:
        True if a local clipboard took it too.
    """
    if write is not None:
        write(osc52(text))
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # pyperclip raises its own error types, or fails to find a tool
        return False
    return True
