"""The key footer: Textual's `Footer`, without the work it repeats.

`Footer` rebuilds its keys (a widget each) on every bindings signal: three times while
the dashboard starts and at each focus move, nearly always to show the same keys, and
each key restyles itself twice as it mounts (its `compact` flag flips on, then off). A
rebuild costs 10-30 ms. This footer shows the same keys, rebuilt only when they change.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.reactive import reactive
from textual.widgets import Footer

from bytez_tui.textual_compat import FooterKey, footer_bindings_ready

__all__ = ["KeyFooter"]


class _Key(FooterKey):
    """A `FooterKey` born non-compact (the footer never is), so it is styled once."""

    compact = reactive(False)


class KeyFooter(Footer):
    """The active bindings, one key each, like `Footer` (binding groups included)."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: Hashable = None

    def _keys(self) -> tuple[Hashable, ...]:
        """Everything `compose` reads, to tell whether a rebuild would change anything."""
        app = self.app
        keys = tuple(
            (
                binding.key,
                binding.action,
                binding.description,
                binding.show,
                binding.group,
                binding.tooltip,
                app.get_key_display(binding),
                enabled,
                tooltip,
            )
            for (_, binding, enabled, tooltip) in self.screen.active_bindings.values()
        )
        return (footer_bindings_ready(self), self.compact, self.show_command_palette, keys)

    async def recompose(self) -> None:
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await super().recompose()

    def compose(self) -> ComposeResult:
        if not footer_bindings_ready(self):
            return
        active_bindings = self.screen.active_bindings
        shown = [
            (binding, enabled, tooltip)
            for (_, binding, enabled, tooltip) in active_bindings.values()
            if binding.show
        ]
        if self.compact or any(binding.group is not None for binding, _, _ in shown):
            yield from super().compose()  # Textual's layout of groups and compact keys
            return
        first: dict[str, tuple[object, bool, str]] = {}
        for binding, enabled, tooltip in shown:
            first.setdefault(binding.action, (binding, enabled, tooltip))
        self.styles.grid_size_columns = len(first)
        app = self.app
        for binding, enabled, tooltip in (
            (b, e, t) for (b, e, t) in shown if first[b.action][0] is b
        ):
            yield _Key(
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                disabled=not enabled,
                tooltip=tooltip,
            )
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            try:
                _node, binding, enabled, tooltip = active_bindings[app.COMMAND_PALETTE_BINDING]
            except KeyError:
                return
            yield FooterKey(  # compact, as in `Footer`
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                classes="-command-palette",
                disabled=not enabled,
                tooltip=binding.tooltip or binding.description,
            )
