"""Snapshots of the playground: idle, mid-stream, finished, failed, and at 80x24.

Every run goes to the seeded emulator on the frozen clock, so text and stats are
deterministic (durations read 0.00 s because the clock does not move).
"""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._footer import FooterKey
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.emulator import EmulatorServer
from bytez_tui.emulator.textgen import continuation
from bytez_tui.local.history import RunStats
from bytez_tui.messages import OpenPlayground
from bytez_tui.panes.playground import PlaygroundPane

AppFactory = Callable[..., BytezApp]
SnapCompare = Callable[..., bool]

MODEL = "roneneldan/TinyStories-8M"
PROMPT = "Once upon a time there was a"


async def _open(pilot: Pilot[None]) -> PlaygroundPane:
    await pilot.pause()
    pilot.app.screen.post_message(OpenPlayground(MODEL))
    await pilot.pause()
    pane = pilot.app.screen.query_one(PlaygroundPane)
    pane.prompt_area.text = PROMPT
    pane.query_one("#param-max_new_tokens", Input).value = "120"
    pane.query_one("#param-temperature", Input).value = "0.7"
    return pane


async def _run(pilot: Pilot[None]) -> None:
    pane = await _open(pilot)
    pane.output.focus()
    await pilot.press("ctrl+j")
    await pilot.app.workers.wait_for_complete()
    # The footer drops its Stop key a refresh after the run ends.
    await until(pilot, lambda: not pane.busy and not _footer_offers("stop", pilot))


def _footer_offers(action: str, pilot: Pilot[None]) -> bool:
    return any(key.action == action for key in pilot.app.screen.query(FooterKey))


class TestPlayground:
    def test_idle(self, snap_compare: SnapCompare, make_app: AppFactory) -> None:
        """The model chosen and shown as running, the prompt typed with the cursor in it,
        max_new_tokens 120 and temperature 0.7 in the quick fields, an empty output and
        the key hint in the status line."""
        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_open)

    def test_mid_stream(self, snap_compare: SnapCompare, make_app: AppFactory) -> None:
        """Sixty fragments fed straight into the output (no network, so no Stop key in the
        footer): wrapped text in the log, "running" on its border and a live stats line
        with no inference count."""

        async def run_before(pilot: Pilot[None]) -> None:
            pane = await _open(pilot)
            pane.output.focus()
            pane.set_class(True, "-busy")
            for fragment in continuation(7, MODEL, PROMPT, 60):
                pane.output.feed(fragment)
            pane.output.flush()
            pane.output.border_subtitle = "running"
            stats = RunStats(first_fragment=0.21, elapsed=1.5, fragments=60, chars=330)
            pane.status_line.show_running(MODEL, stats)
            await pilot.pause()

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_finished_with_stats(self, snap_compare: SnapCompare, make_app: AppFactory) -> None:
        """A finished streamed run: 120 fragments of wrapped text, "done" on the border, and
        a green stats line ending with the instance's inference count (4)."""
        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_run)

    def test_failed(
        self, snap_compare: SnapCompare, make_app: AppFactory, emulator: EmulatorServer
    ) -> None:
        """A stream that ended with the server's error fragment after 12 fragments: the
        partial text stays, "failed" on the border, the server's words in red in the
        status line, and an error toast."""
        emulator.error_fragment_after(12, "Error: CUDA out of memory")
        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=_run)

    def test_invalid_params(self, snap_compare: SnapCompare, make_app: AppFactory) -> None:
        """Broken JSON in the params editor: the Params box turns red, the problem (line and
        column) shows under the fields, and the status line says the run was not made."""

        async def run_before(pilot: Pilot[None]) -> None:
            pane = await _open(pilot)
            pane.params_form.json_editor.text = '{"top_k": 5,'
            pane.output.focus()
            await pilot.press("ctrl+j")
            await pilot.pause()

        assert snap_compare(make_app(), terminal_size=(120, 40), run_before=run_before)

    def test_small_terminal(self, snap_compare: SnapCompare, make_app: AppFactory) -> None:
        """80x24 after a finished run: no spacing between the rows, editors shortened, the
        output still shows several wrapped rows and the stats line is on screen."""
        assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_run)
