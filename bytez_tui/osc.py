"""Operating System Command sequences (OSC 52 clipboard, OSC 9 notifications).

One wrapper builds them all, so the tmux passthrough (and any later terminal quirk) lives in
one place: wrapped for tmux, the sequence goes in a DCS `tmux;` envelope, with every ESC
doubled, so that tmux hands it on to the outer terminal instead of swallowing it.
"""

from __future__ import annotations

__all__ = ["osc"]


def osc(code: int, payload: str, *, tmux: bool = False) -> str:
    """The sequence `ESC ] code ; payload BEL`, wrapped for tmux's passthrough if `tmux`.

    The payload must hold no control characters (the caller drops or encodes them), or it
    could end the sequence early.
    """
    sequence = f"\x1b]{code};{payload}\a"
    if tmux:
        return "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence
