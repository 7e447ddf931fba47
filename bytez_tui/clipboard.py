"""One way to copy text, used by every pane.

OSC 52 goes through the terminal, so it works over SSH, but nothing tells us
whether the terminal took it: we say "sent", never "copied". Inside tmux the
plain sequence is what works by default (tmux 3.3: `set-clipboard external`
forwards it to the outer terminal, `allow-passthrough off` drops the DCS-wrapped
form); the wrapped form is sent only where tmux forwards nothing else but
passes it through. pyperclip is tried as well, for a local clipboard when there is one.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from bytez_tui.osc import osc

__all__ = ["CopyResult", "Route", "copy_text", "osc52", "terminal_route", "tmux_option"]

Route = Literal["plain", "wrapped"]
"""How OSC 52 is sent: as is, or wrapped for tmux's passthrough."""


@dataclass(frozen=True)
class CopyResult:
    """What a copy could do."""

    local: bool
    """A local clipboard tool took the text (so it is on this machine's clipboard)."""
    sent: bool
    """OSC 52 went to the terminal by a route that usually reaches its clipboard."""


def osc52(text: str, *, route: Route = "plain") -> str:
    """The escape sequence that asks the terminal to put `text` on the clipboard."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return osc(52, f"c;{payload}", tmux=route == "wrapped")


def tmux_option(name: str) -> str | None:
    """A global tmux option of the server we run in (None when tmux can't be asked)."""
    try:
        done = subprocess.run(
            ["tmux", "show-options", "-gv", name],
            capture_output=True,
            text=True,
            timeout=1,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def terminal_route(
    environ: Mapping[str, str] | None = None,
    option: Callable[[str], str | None] = tmux_option,
) -> Route | None:
    """How OSC 52 can reach the terminal's clipboard, or None when it surely won't.

    Args:
        environ: The environment (`os.environ` by default): `TMUX` says we are inside tmux.
        option: Reads a global tmux option.
    """
    environ = os.environ if environ is None else environ
    if not environ.get("TMUX"):
        return "plain"
    if option("set-clipboard") != "off":
        return "plain"  # on or external (the default), or tmux could not say
    if option("allow-passthrough") in ("on", "all"):
        return "wrapped"
    return None


def copy_text(
    text: str,
    write: Callable[[str], object] | None,
    *,
    route: Route | None = "plain",
) -> CopyResult:
    """Copy `text` through the terminal (`write` sends raw bytes) and the local clipboard.

    Args:
        text: What to copy.
        write: Sends bytes to the terminal (None when there is no terminal).
        route: From `terminal_route`; None sends nothing to the terminal.
    """
    sent = write is not None and route is not None
    if write is not None and route is not None:
        write(osc52(text, route=route))
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception:  # pyperclip raises its own error types, or fails to find a tool
        return CopyResult(local=False, sent=sent)
    return CopyResult(local=True, sent=sent)
