"""Snapshots of the dashboard speaking v2: the catalogue with tasks and the server's prices,
Instances without cluster routes, a run's cost."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._footer import FooterKey
from waiting import until

from bytez_tui.app import BytezApp
from bytez_tui.emulator import EmulatorServer
from bytez_tui.messages import OpenPlayground
from bytez_tui.panes.catalogue import CataloguePane
from bytez_tui.panes.instances import InstancesPane
from bytez_tui.panes.playground import PlaygroundPane

AppFactory = Callable[..., BytezApp]
SnapCompare = Callable[..., bool]


class TestV2:
    def test_catalogue_with_tasks_and_server_prices(
        self, snap_compare: SnapCompare, make_app_v2: AppFactory
    ) -> None:
        """The v2 catalogue filtered to `task:chat`, sorted by cost: a Task column where v1
        has Bench, the cost column titled `Bytez $/h` (the server's meter prices, $0.31 to
        $17.25 an hour), and the details of the model still highlighted through the sort (the
        API reference's example entry) with its task, its size in billions of parameters and
        "Bytez's price" per hour and per second."""

        async def run_before(pilot: Pilot[None]) -> None:
            pane = pilot.app.screen.query_one(CataloguePane)
            await until(pilot, lambda: pane.settled and pane.index is not None)
            pane.focus_filter()
            await pilot.press(*"task:chat", "enter", "s", "s", "enter")
            await until(pilot, lambda: pane.details.display)

        assert snap_compare(make_app_v2(api="v2"), terminal_size=(120, 40), run_before=run_before)

    def test_instances_without_cluster_routes(
        self, snap_compare: SnapCompare, make_app_v2: AppFactory, emulator_v2: EmulatorServer
    ) -> None:
        """The header says `emulator v2`; the Instances pane, whose routes the server no
        longer answers, says plainly that Bytez manages capacity (nothing to load, delete
        or count down) instead of showing an error."""
        emulator_v2.clusters_gone()

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.press("3")
            pane = pilot.app.screen.query_one(InstancesPane)
            await until(pilot, lambda: pane.has_class("-capacity-managed"))

        assert snap_compare(make_app_v2(api="v2"), terminal_size=(120, 40), run_before=run_before)

    def test_playground_with_a_run_cost(
        self, snap_compare: SnapCompare, make_app_v2: AppFactory
    ) -> None:
        """A finished streamed run of the chat model Qwen/Qwen3-4B; the stats line ends
        with `cost $0.0002`, the figure the server reported."""

        async def run_before(pilot: Pilot[None]) -> None:
            await pilot.pause()
            pilot.app.screen.post_message(OpenPlayground("Qwen/Qwen3-4B"))
            await pilot.pause()
            pane = pilot.app.screen.query_one(PlaygroundPane)
            pane.prompt_area.text = "Write a short poem about a lighthouse keeper."
            pane.query_one("#param-max_new_tokens", Input).value = "80"
            pane.output.focus()
            await pilot.press("ctrl+j")
            await pilot.app.workers.wait_for_complete()
            await until(
                pilot,
                lambda: (
                    not pane.busy
                    and not any(k.action == "stop" for k in pilot.app.screen.query(FooterKey))
                ),
            )

        assert snap_compare(make_app_v2(api="v2"), terminal_size=(120, 40), run_before=run_before)

    def test_playground_with_a_text_to_image_model(
        self, snap_compare: SnapCompare, make_app_v2: AppFactory
    ) -> None:
        """80×24. A text-to-image model in the playground: under the model field, what its
        task takes and gives ("describe the image → a link to the image (c copies it)"),
        the prompt box titled "Description", and the finished run's output: the link."""

        async def run_before(pilot: Pilot[None]) -> None:
            catalogue = pilot.app.screen.query_one(CataloguePane)
            await until(pilot, lambda: catalogue.settled and catalogue.index is not None)
            pilot.app.screen.post_message(OpenPlayground("dreamlike-art/dreamlike-photoreal-2.0"))
            await until(
                pilot, lambda: any(p.catalogue for p in pilot.app.screen.query(PlaygroundPane))
            )
            pane = pilot.app.screen.query_one(PlaygroundPane)
            # Opening the model puts the focus in the prompt (a turn later): let it, first.
            await until(pilot, lambda: pane.model_input.value != "" and pane.prompt_area.has_focus)
            pane.prompt_area.text = "a lighthouse at dusk"
            pilot.app.screen.set_focus(pane.output)  # at once: focus() waits a turn
            await pilot.pause()
            await pilot.press("ctrl+j")
            await pilot.app.workers.wait_for_complete()
            await until(pilot, lambda: not pane.busy and pane.output.text.startswith("https"))
            # The footer follows the focus (the output's keys) a refresh later.
            await until(
                pilot,
                lambda: any(k.action == "edit_prompt" for k in pilot.app.screen.query(FooterKey)),
            )

        assert snap_compare(make_app_v2(api="v2"), terminal_size=(80, 24), run_before=run_before)
