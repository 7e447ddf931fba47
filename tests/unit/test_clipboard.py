"""The copy helper: OSC 52, wrapped for tmux passthrough."""

from __future__ import annotations

import base64

from bytez_tui.clipboard import copy_text, osc52


def test_osc52_outside_tmux() -> None:
    payload = base64.b64encode(b"org/model").decode()
    assert osc52("org/model", environ={}) == f"\x1b]52;c;{payload}\a"


def test_osc52_inside_tmux_is_wrapped_for_passthrough() -> None:
    sequence = osc52("x", environ={"TMUX": "/tmp/tmux-0/default,1,0"})
    assert sequence.startswith("\x1bPtmux;\x1b\x1b]52;c;")
    assert sequence.endswith("\a\x1b\\")


def test_copy_writes_to_the_terminal() -> None:
    written: list[str] = []
    copy_text("org/model", written.append)
    assert written == [osc52("org/model")]
