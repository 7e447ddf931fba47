"""The copy helper: plain OSC 52 (inside tmux too), wrapped only where tmux passes it through."""

from __future__ import annotations

import base64

from bytez_tui.clipboard import copy_text, osc52, terminal_route

TMUX = {"TMUX": "/tmp/tmux-0/default,1,0"}


def test_osc52_is_plain_by_default() -> None:
    payload = base64.b64encode(b"org/model").decode()
    assert osc52("org/model") == f"\x1b]52;c;{payload}\a"


def test_osc52_wrapped_for_tmux_passthrough() -> None:
    sequence = osc52("x", route="wrapped")
    assert sequence.startswith("\x1bPtmux;\x1b\x1b]52;c;")
    assert sequence.endswith("\a\x1b\\")


def test_inside_tmux_the_plain_sequence_is_sent_by_default() -> None:
    # tmux 3.3 defaults: set-clipboard external forwards it; allow-passthrough off
    # would drop the wrapped one.
    options = {"set-clipboard": "external", "allow-passthrough": "off"}
    assert terminal_route(TMUX, options.get) == "plain"
    assert terminal_route(TMUX, lambda name: None) == "plain"  # tmux could not say
    assert terminal_route({}, options.get) == "plain"


def test_inside_tmux_wrapped_only_where_only_passthrough_works() -> None:
    assert terminal_route(TMUX, {"set-clipboard": "off", "allow-passthrough": "on"}.get) == (
        "wrapped"
    )
    assert terminal_route(TMUX, {"set-clipboard": "off", "allow-passthrough": "off"}.get) is None


def test_copy_writes_to_the_terminal() -> None:
    written: list[str] = []
    result = copy_text("org/model", written.append)
    assert written == [osc52("org/model")]
    assert result.sent


def test_copy_sends_nothing_where_the_terminal_cannot_take_it() -> None:
    written: list[str] = []
    result = copy_text("org/model", written.append, route=None)
    assert written == []
    assert not result.sent
