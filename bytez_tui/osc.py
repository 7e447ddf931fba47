"""Operating System Command sequences (OSC 52 clipboard, OSC 9 notifications).

One wrapper builds them all, so the tmux passthrough (and any later terminal quirk) lives in
one place: wrapped for tmux, the sequence goes in a DCS `tmux;` envelope, with every ESC
doubled, so that tmux hands it on to the outer terminal instead of swallowing it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["osc", "osc9"]


def osc(code: int, payload: str, *, tmux: bool = False) -> str:
    """The sequence `ESC ] code ; payload BEL`, wrapped for tmux's passthrough if `tmux`.

    The payload must hold no control characters (the caller drops or encodes them), or it
    could end the sequence early.
    """
    sequence = f"\x1b]{code};{payload}\a"
    if tmux:
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence


def osc9(text: str, *, environ: Mapping[str, str] | None = None) -> str:
    """The escape sequence asking the terminal for a desktop notification showing `text`
    (wrapped for tmux when `TMUX` is set).

    Control characters are dropped, so the text cannot end the sequence early.
    """
    clean = "".join(ch for ch in text if ch.isprintable())[:200]
    environ = os.environ if environ is None else environ
    return osc(9, clean, tmux=bool(environ.get("TMUX")))
