"""BytezApp: installs the main screen, the global keys, the theme and the palette."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import PurePath
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import Provider
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer

from bytez_tui.clock import Clock, SystemClock
from bytez_tui.config import (
    PROFILE_KEYS,
    ConfigError,
    Settings,
    config_path,
    exposed_key_warning,
    load_settings,
    profile_names,
    update_config,
)
from bytez_tui.connection import Connection
from bytez_tui.credentials import url_problem
from bytez_tui.local.remembered import SAVE_EVERY, StateKeeper
from bytez_tui.panes.base import Pane
from bytez_tui.screens.main import MainScreen
from bytez_tui.text import printable
from bytez_tui.textual_compat import decode_alt_enter, remember_copied, write_to_terminal
from bytez_tui.widgets.notice_line import NoticeLine
from bytez_tui.widgets.plain import ControlFilter, escaped
from bytez_tui.widgets.text_fields import is_text_field

if TYPE_CHECKING:
    from bytez_tui.panes.catalogue import CataloguePane
    from bytez_tui.panes.playground import PlaygroundPane

__all__ = ["BytezApp"]


class BytezApp(App[None]):
    """The dashboard.

    Args:
        settings: Where the API is, the key, the theme, the keymap.
        clock: The time source for every pane.
        on_started: Called once, when start-up is over.
    """

    TITLE = "bytez-tui"
    CSS_PATH: ClassVar[list[str | PurePath]] = ["app.tcss", "panes/catalogue.tcss"]
    """The other panes' sheets are read when `MainScreen` mounts them, after the first frame."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "leave_field",
            "Leave field",
            id="leave-field",
            tooltip="Leave the text field",
        ),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            id="command-palette",
            show=False,  # the footer shows it at its right edge already
            tooltip="Open the command palette",
        ),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit bytez-tui"),
    ]
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {lambda: _model_provider()}

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        on_started: Callable[[], object] | None = None,
    ) -> None:
        # Under NO_COLOR Textual greys every colour, but keeps an ANSI theme's colours as
        # terminal palette indices, which come out of the grey filter black on black: turn
        # them into RGB first, so ansi-dark and ansi-light stay readable.
        super().__init__(ansi_color=False if "NO_COLOR" in os.environ else None)
        decode_alt_enter()  # the playground runs on alt+enter, as tmux sends it
        self.settings = settings
        """The settings in force."""
        self.clock: Clock = clock or SystemClock()
        """The time source for every pane."""
        self.connection = Connection(settings, self.clock)
        """The handle on the API that every pane shares."""
        self.remembered = StateKeeper()
        """The pane in front, the catalogue's sort and the playground's draft, kept across
        restarts (read here, before the first frame, which shows the pane left in front)."""
        self._save_timer: Timer | None = None
        self._on_started = on_started
        self._control_filter = ControlFilter()

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then one that drops any control character left in a line:
        whatever a widget draws, nothing from the server acts on the terminal."""
        return [*super().get_line_filters(), self._control_filter]

    def on_mount(self) -> None:
        if self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        self.theme_changed_signal.subscribe(self, self._save_theme)
        if self.settings.keymap:
            self.set_keymap(dict(self.settings.keymap))
        if not self.settings.api_key:
            self._ask_for_key("No API key is set. Paste one to continue.")
            self.call_after_refresh(self._started)
        if (warning := exposed_key_warning()) is not None:
            self.notify(warning, title="Your API key is exposed", severity="warning", timeout=30)
        if self.remembered.notice is not None:
            self.notify(self.remembered.notice, title="State not restored", severity="warning")

    def _started(self) -> None:
        """Start-up is over: the dashboard is complete, or the key screen is up."""
        if self._on_started is not None:
            callback, self._on_started = self._on_started, None
            callback()

    def on_main_screen_started(self) -> None:
        self._started()

    async def on_unmount(self) -> None:
        self.remembered.save(durable=True)  # on the way out, whatever the timer had left
        await self.connection.aclose()

    # --- screens ----------------------------------------------------------------------

    def get_default_screen(self) -> Screen[None]:
        """The dashboard, when there is a key: the first frame is then the dashboard's."""
        if not self.settings.api_key:
            return super().get_default_screen()
        return self._dashboard()

    def _dashboard(self) -> Screen[None]:
        return MainScreen(
            api=self.connection,
            clock=self.clock,
            settings=self.settings,
            remembered=self.remembered.state,
        )

    def _show_dashboard(self) -> None:
        self.push_screen(self._dashboard())

    def _ask_for_key(self, reason: str) -> None:
        from bytez_tui.screens.api_key import ApiKeyScreen, KeyEntry

        def use_key(entry: KeyEntry | None) -> None:
            if entry is None:
                return
            if entry.unchecked:
                # Unknown to be good: used for this session, but never over a saved key.
                self.notify(
                    f"The server could not check the key ({entry.unchecked}). It is used "
                    "until you quit, and not saved.",
                    title="Key not checked",
                    severity="warning",
                    markup=False,
                )
            elif entry.save and not self.settings.demo:
                profile = self.settings.profile
                try:
                    path = update_config({"api_key": entry.key}, profile=profile)
                except (OSError, ConfigError) as error:
                    self.notify(str(error), title="Key not saved", severity="error")
                else:
                    where = f" [profiles.{profile}]" if profile else ""
                    self.notify(f"Key saved to {path}{where} (mode 0600)", markup=False)
            self.settings = replace(self.settings, api_key=entry.key)
            self.connection.settings = self.settings
            self.run_worker(self._reconnect(), exclusive=True, group="reconnect")

        screen = ApiKeyScreen(
            reason=reason,
            config_path=str(config_path()),
            cursor_blink=self.settings.cursor_blink,
            check=self.connection.check_key,
        )
        if self.screen_stack and isinstance(self.screen, ApiKeyScreen):
            return
        self.push_screen(screen, use_key)

    async def _reconnect(self) -> None:
        await self.connection.aclose()
        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                screen.key_changed(self.settings)
                return
        self._show_dashboard()

    def on_pane_unauthorized(self, message: Pane.Unauthorized) -> None:
        reason = f"The server refused the key {self.settings.masked_key}: {message.error}"
        if self.settings.api_key and os.environ.get("BYTEZ_API_KEY") == self.settings.api_key:
            reason += (
                "\nThat key comes from the environment (BYTEZ_API_KEY), which wins over "
                "config.toml: a key typed here is used until you quit; to keep one, change "
                "or unset BYTEZ_API_KEY."
            )
        self._ask_for_key(reason)

    # --- remembered across restarts -----------------------------------------------------

    def on_main_screen_pane_shown(self, message: MainScreen.PaneShown) -> None:
        self._remember(pane=message.pane_id)

    def on_catalogue_pane_sort_changed(self, message: CataloguePane.SortChanged) -> None:
        self._remember(sort=message.key, descending=message.descending)

    def on_playground_pane_draft_changed(self, message: PlaygroundPane.DraftChanged) -> None:
        self._remember(draft=message.draft)

    def _remember(self, **changes: object) -> None:
        """Keep a change, and write it within `SAVE_EVERY` seconds: a burst of typing
        costs one write, and a kill loses at most that much of it."""
        if self.remembered.change(**changes) and self._save_timer is None:
            self._save_timer = self.set_timer(SAVE_EVERY, self._save_remembered)

    def _save_remembered(self) -> None:
        self._save_timer = None
        error = self.remembered.save()
        if error is not None:
            self.notify(
                f"The last pane, sort and playground draft are not kept: {error}",
                title="State not saved",
                severity="warning",
            )

    # --- actions ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Escape leaves a text field and means nothing elsewhere (False lets it through
        # to the focused widget and drops it from the footer).
        if action == "leave_field":
            return is_text_field(self.focused)
        return True

    def action_leave_field(self) -> None:
        self.screen.focus_next()
        if is_text_field(self.focused):
            self.set_focus(None)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a toast. Its words often come from the server (an error, a model id), so
        it is always plain text with control characters shown: `markup` is ignored."""
        super().notify(
            printable(message),
            title=printable(title, one_line=True),
            severity=severity,
            timeout=timeout,
            markup=False,
        )
        # Textual 8.2 can leave an expired toast drawn: once a scroll has made the screen
        # rebuild its layout map lazily, a toast removed before that rebuild is never
        # marked for repaint. Repaint the screen once the toast is gone.
        shown = self.NOTIFICATION_TIMEOUT if timeout is None else timeout
        self.set_timer(shown + 0.1, self._repaint_after_toast)
        if self.screen_stack and not isinstance(self.screen, MainScreen):
            # Over a dialog a toast would hide its fields and buttons (app.tcss hides it
            # there): its words go to one line at the top edge instead.
            NoticeLine.on(self.screen).show_notice(
                message, title=title, severity=severity, timeout=shown
            )

    def _repaint_after_toast(self) -> None:
        if self.screen_stack:  # not while the app closes (the timer can outlive the screens)
            self.screen.refresh()

    def copy_to_clipboard(self, text: str) -> None:
        """Send `text` to the terminal's clipboard (OSC 52) and the local one, and say so.

        Textual's own always sends a plain OSC 52; this one picks the route tmux takes
        (`clipboard.terminal_route`). Nothing tells us whether the terminal took it, so
        the toast says "sent" and the palette's "Show the copied text" can show it again;
        where the terminal surely can't take it (tmux with `set-clipboard off` and no
        passthrough), the text is shown selected at once, with a way to save it.
        """
        from bytez_tui.clipboard import copy_text, terminal_route

        remember_copied(self, text)
        result = copy_text(text, partial(write_to_terminal, self), route=terminal_route())
        shown = text if len(text) <= 60 else text[:57] + "…"
        if result.sent:
            also = " and the local clipboard" if result.local else ""
            self.notify(
                f"Sent to the terminal clipboard{also}: {shown}\n"
                "Nothing to paste? ctrl+p → Show the copied text",
                title="Copy",
                markup=False,
            )
        elif result.local:
            self.notify(f"Copied to the clipboard: {shown}", title="Copy", markup=False)
        else:
            self.show_copied(
                "The terminal's clipboard can't be reached from here "
                "(tmux: set-clipboard off). Select it with the mouse, or save it."
            )

    def show_copied(self, reason: str = "") -> None:
        """Show the last copied text, selected, with a way to save it to a file."""
        from bytez_tui.screens.copy import CopyDialog

        if not self.clipboard:
            self.notify("Nothing has been copied yet", severity="warning")
            return
        reason = reason or "If pasting gave nothing, select it here with the mouse, or save it."
        self.push_screen(CopyDialog(self.clipboard, what="text", reason=reason))

    # --- palette and theme --------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):
            # Textual's "Keys" panel beside our `?` help listed the keys twice, differently.
            if command.title != "Keys":
                yield command
        if isinstance(screen, MainScreen):
            yield SystemCommand(
                "Keys",
                "Every key of every pane, with the id that rebinds it (?)",
                screen.action_help,
            )
            yield SystemCommand(
                "Request log",
                "Every request this session: status, time taken and the error's words",
                self.show_request_log,
            )
            yield from self._profile_commands()

        # Each theme at the first level too, so typing "ansi" finds ansi-dark.
        for name in sorted(self.available_themes):
            yield SystemCommand(
                f"Theme: {name}",
                "Switch to this theme (saved)",
                partial(setattr, self, "theme", name),
            )
        yield SystemCommand(
            "Show the copied text",
            "The last text sent to the clipboard, selected, and a way to save it",
            self.show_copied,
        )

    def _profile_commands(self) -> Iterable[SystemCommand]:
        """ "Profile: NAME" for each `[profiles.NAME]` of config.toml, and the top level."""
        if self.settings.demo:
            return  # the demo's API is its emulator
        try:
            names = profile_names()
        except ConfigError:
            return  # the file went bad since start-up: switching would say so anyway
        for name in ["", *names] if names else []:
            if name == self.settings.profile:
                continue
            # The palette reads both strings as markup: a name is the user's text.
            title = f"Profile: {name}" if name else "Profile: (none, the top level)"
            where = f"[profiles.{name}]" if name else "the top level"
            yield SystemCommand(
                escaped(title),
                escaped(f"Use the API, key and dialect of {where} in config.toml"),
                partial(self.switch_profile, name),
            )

    def switch_profile(self, name: str) -> None:
        """Use the API of `[profiles.NAME]` ("" for the file's top level), as `--profile`
        would at start (the command line's own --api-key and --base-url left aside), and
        rebuild every pane on it. A profile that cannot be used changes nothing."""
        try:
            loaded = load_settings(profile=name)
        except ConfigError as error:
            self.notify(str(error), title="Profile not switched", severity="error")
            return
        problem = url_problem(loaded.base_url, allow_insecure_http=loaded.allow_insecure_http)
        if problem is not None:
            self.notify(problem, title="Profile not switched", severity="error")
            return
        changes = {key: getattr(loaded, key) for key in (*PROFILE_KEYS, "profile")}
        self.settings = replace(self.settings, **changes)
        self.run_worker(self._switch_dashboard(), exclusive=True, group="reconnect")

    async def _switch_dashboard(self) -> None:
        """Build the dashboard's panes again on the new settings."""
        old = self.connection
        self.connection = Connection(self.settings, self.clock)
        dashboard = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        if dashboard is None:
            self._show_dashboard()
        else:
            await dashboard.use_api(self.connection, self.settings, self.remembered.state)
        await old.aclose()
        self.notify(f"Now on {self.settings.header_label}", title="Profile")
        if not self.settings.api_key:
            name = self.settings.profile or "the top level"
            self._ask_for_key(f"{name} has no API key. Paste one to continue.")

    def show_request_log(self) -> None:
        """Show every request this session, newest first (a toast's error, read again)."""
        from bytez_tui.screens.request_log import RequestLog

        self.push_screen(RequestLog(tuple(self.connection.requests)))

    def _save_theme(self, theme: Theme) -> None:
        if theme.name == self.settings.theme:
            return
        self.settings = replace(self.settings, theme=theme.name)
        try:
            update_config({"theme": theme.name})
        except (OSError, ConfigError) as error:
            self.notify(str(error), title="Theme not saved", severity="warning")


def _model_provider() -> type[Provider]:
    from bytez_tui.panes.catalogue.palette import ModelProvider

    return ModelProvider
