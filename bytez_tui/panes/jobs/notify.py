"""Desktop notifications through the terminal (OSC 9), wrapped for tmux passthrough."""

from __future__ import annotations

import os
from collections.abc import Mapping

from bytez_tui.osc import osc

__all__ = ["osc9"]


def osc9(text: str, *, environ: Mapping[str, str] | None = None) -> str:
    """The escape sequence asking the terminal for a desktop notification showing `text`.

    Control characters are dropped, so the text cannot end the sequence early.
    """
    clean = "".join(ch for ch in text if ch.isprintable())[:200]
    environ = os.environ if environ is None else environ
    return osc(9, clean, tmux=bool(environ.get("TMUX")))
