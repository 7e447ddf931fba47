"""`StatusBadge`: a state as a glyph and a word, so it reads without colour too."""

from __future__ import annotations

from textual.reactive import reactive
from textual.widgets import Static

from bytez_tui.text import printable

__all__ = ["StatusBadge", "badge_for"]

_GLYPHS: dict[str, tuple[str, str]] = {
    # word (lowercase) → (glyph, tone class)
    "running": ("●", "-good"),
    "available": ("✔", "-good"),
    "failed": ("✖", "-bad"),
    "error": ("✖", "-bad"),
    "requested": ("◌", "-busy"),
    "queued": ("◔", "-busy"),
    "started": ("◌", "-busy"),
    "starting": ("◔", "-busy"),
    "deploying": ("◔", "-busy"),
    "instantiating": ("◑", "-busy"),
    "expiring": ("⚠", "-warn"),
    "expired": ("○", "-dim"),
    "stopped": ("○", "-dim"),
    "unknown": ("?", "-dim"),
}


def badge_for(status: str) -> tuple[str, str]:
    """The glyph and tone class for a status word (open-ended: unknown words are busy).

    Returns:
        (glyph, class), where class is one of `-good`, `-bad`, `-busy`, `-warn`, `-dim`.
    """
    word = status.strip().lower()
    if word in _GLYPHS:
        return _GLYPHS[word]
    if "fail" in word or "error" in word:
        return _GLYPHS["failed"]
    return ("◔", "-busy")


class StatusBadge(Static):
    """Shows `status` as `● RUNNING`, `◑ INSTANTIATING`, `✖ FAILED` …

    The tone is a class (`-good`, `-bad`, `-busy`, `-warn`, `-dim`) styled with theme colours.

    Args:
        status: The status word, shown as given.
    """

    DEFAULT_CSS = """
    StatusBadge {
        width: auto;
        height: 1;
    }
    StatusBadge.-good { color: $success; }
    StatusBadge.-bad { color: $error; }
    StatusBadge.-busy { color: $accent; }
    StatusBadge.-warn { color: $warning; }
    StatusBadge.-dim { color: $text-muted; }
    """

    status: reactive[str] = reactive("", init=False)
    """The status word."""

    def __init__(
        self,
        status: str = "",
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, markup=False)
        self.set_reactive(StatusBadge.status, status)
        self._show(status)

    def watch_status(self, status: str) -> None:
        self._show(status)

    def _show(self, status: str) -> None:
        glyph, tone = badge_for(status) if status else ("", "")
        for name in ("-good", "-bad", "-busy", "-warn", "-dim"):
            self.set_class(name == tone, name)
        self.update(printable(f"{glyph} {status}", one_line=True) if status else "", layout=False)
