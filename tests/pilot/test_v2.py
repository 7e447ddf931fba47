"""The dashboard speaking v2: the header, the remembered dialect, and each pane."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot
from waiting import Toasts, step, until

from bytez_tui.app import BytezApp
from bytez_tui.clock import FixedClock
from bytez_tui.emulator import EmulatorServer
from bytez_tui.local.dialects import remembered_dialect
from bytez_tui.messages import OpenPlayground
from bytez_tui.panes.playground import PlaygroundPane
from bytez_tui.widgets.status_bar import StatusBar

AppFactory = Callable[..., BytezApp]


async def test_header_shows_v2_once_auto_finds_it(
    make_app_v2: AppFactory, emulator_v2: EmulatorServer
) -> None:
    app = make_app_v2()
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "● online" in str(bar.render()))
        assert "bytez-tui  emulator v2 │" in str(bar.render())
    assert remembered_dialect(emulator_v2.url) == "v2"
    assert emulator_v2.count("tasks") == 1
    again = make_app_v2()
    async with again.run_test(size=(120, 40)) as pilot:
        bar = again.screen.query_one(StatusBar)
        assert "emulator v2" in str(bar.render())  # remembered: shown before any answer
        await until(pilot, lambda: "● online" in str(bar.render()))
    assert emulator_v2.count("tasks") == 1  # and not asked again


async def test_header_leaves_v1_unmarked(make_app: AppFactory) -> None:
    app = make_app(api="v1")
    async with app.run_test(size=(120, 40)) as pilot:
        bar = app.screen.query_one(StatusBar)
        await until(pilot, lambda: "● online" in str(bar.render()))
        assert "bytez-tui  emulator │" in str(bar.render())


# -- the panes in v2 --------------------------------------------------------------------------

QWEN = "Qwen/Qwen3-4B"
GPT2 = "openai-community/gpt2"


async def test_catalogue_lists_the_v2_models(make_app_v2: AppFactory) -> None:
    from bytez_tui.panes.catalogue import CataloguePane

    app = make_app_v2(api="v2")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.screen.query_one(CataloguePane)
        await until(pilot, lambda: pane.index is not None and len(pane.index) == 208)
        assert pane.index is not None and QWEN in pane.index.names


async def test_catalogue_shows_tasks_and_the_servers_prices(make_app_v2: AppFactory) -> None:
    from bytez_tui.panes.catalogue import CataloguePane

    app = make_app_v2(api="v2")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.screen.query_one(CataloguePane)
        await until(pilot, lambda: pane.index is not None and len(pane.index) == 208)
        index = pane.index
        assert index is not None and index.has_tasks and index.has_prices
        header = pane.header.render_line(0).text
        assert "Task" in header and "Bytez $/h" in header and "Bench" not in header
        row = pane.shown.index(QWEN)
        pane.jump_to(QWEN)
        await pilot.pause()
        line = pane.table.render_line(row - round(pane.table.scroll_y)).text
        assert "chat" in line and "$0.31" in line  # its meter's price, not 16 GB × the rate
        # Typed in the filter: `task:te` completes (tab) to the first task that fits.
        pane.focus_filter()
        await pilot.press(*"task:te", "tab")
        await pilot.pause()
        assert pane.filter_input.value == "task:text-generation"
        assert pane.shown and all(
            index.task(index.find(name) or 0) == "text-generation" for name in pane.shown
        )
        assert pane.filter_input.has_focus  # tab took the completion, not the focus
        await pilot.press("tab")  # nothing left to complete: the focus moves on
        assert not pane.filter_input.has_focus
        # Sorted by cost, the server's prices order the rows.
        await pilot.press("s", "s")
        await pilot.pause()
        costs = [index.cost_per_hour(index.find(name) or 0) or 0.0 for name in pane.shown]
        assert costs == sorted(costs) and costs[0] < costs[-1]
        pane.table.action_first()  # the cheapest: a micro meter, $0.0000872083 a second
        await pilot.press("enter")
        await pilot.pause()
        details = str(pane.details.query_one("#details-body").render())
        assert "Task      text-generation" in details
        assert "Bytez's price" in details and "Params" in details
        assert "Per sec   $0.0000872083, by the second" in details  # never as 8.72083e-05


async def test_catalogue_marks_our_estimates_among_the_servers_prices(
    make_app_v2: AppFactory,
) -> None:
    from bytez_tui.catalogue.index import CatalogueIndex
    from bytez_tui.models import ModelInfo
    from bytez_tui.panes.catalogue import CataloguePane

    index = CatalogueIndex.from_models(
        [
            ModelInfo("a/priced", 16, True, "chat", 4.0, 0.0000872083),
            ModelInfo("b/unpriced", 2, True, "summarization", 0.4, None),
        ]
    )
    app = make_app_v2(api="v2")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = app.screen.query_one(CataloguePane)
        await until(pilot, lambda: pane.settled)
        pane.show_catalogue(index, fetched_at=app.clock.now(), cached=True)
        await pilot.pause()
        assert pane.shown == ["a/priced", "b/unpriced"]
        assert pane.table.render_line(0).text.rstrip().endswith(" $0.31")
        assert pane.table.render_line(1).text.rstrip().endswith(" ~$0.12")


async def test_jobs_say_a_requested_model_is_available_once_listed(
    make_app_v2: AppFactory, emulator_v2: EmulatorServer, clock: FixedClock
) -> None:
    from bytez_tui.panes.jobs import JobsPane
    from bytez_tui.panes.jobs.row import JobRow
    from bytez_tui.widgets.rows import Cell

    fresh = "Finisha-F-scratch/Lamina-basic"  # not listed until its request is served
    app = make_app_v2(api="v2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("2")
        await pilot.pause()
        pane = app.screen.query_one(JobsPane)
        pane.track(fresh)
        await until(pilot, lambda: fresh in pane.jobs and pane.jobs[fresh].state == "queued")
        await until(pilot, lambda: pane.settled)
        row = pane.rows.get_row(fresh)
        assert isinstance(row, JobRow)
        said = str(row.query_one(".job-message", Cell).render())
        assert said == "Job queued · available once listed"
        await step(pilot, pane, clock, 5)  # a poll: looked up, not requested again
        assert emulator_v2.count("job", model=fresh) == 1
        assert pane.jobs[fresh].state == "queued"
        await step(pilot, pane, clock, emulator_v2.world.job_delay)
        await until(pilot, lambda: pane.jobs[fresh].state == "available")
        await pilot.pause()
        said = str(row.query_one(".job-message", Cell).render())
        assert said == "Model available"


async def test_instances_show_clusters_with_countdowns(make_app_v2: AppFactory) -> None:
    from bytez_tui.panes.instances import InstancesPane

    app = make_app_v2(api="v2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("3")
        pane = app.screen.query_one(InstancesPane)
        await until(pilot, lambda: pane.loaded and len(pane.rows.rows) >= 2)
        running = [i for i in pane.instances if i.is_running]
        assert running and all(i.expires_at is not None for i in running)


async def test_instances_explain_when_the_cluster_routes_are_gone(
    make_app_v2: AppFactory, emulator_v2: EmulatorServer
) -> None:
    from bytez_tui.panes.instances import InstancesPane

    emulator_v2.clusters_gone()
    app = make_app_v2(api="v2")
    toasts = Toasts()
    async with app.run_test(size=(120, 40), message_hook=toasts) as pilot:
        await pilot.press("3")
        pane = app.screen.query_one(InstancesPane)
        await until(pilot, lambda: pane.loaded)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.has_class("-capacity-managed") and pane.has_class("-empty")
        shown = str(pane.query_one("#instances-empty").render())
        assert "manages capacity itself" in shown
        assert not any("Cannot" in text for text in toasts.messages)  # no raw error toast
        asked = emulator_v2.count("instances")
        await pilot.press("l")
        await pilot.pause()
        assert any(text.startswith("Nothing to load") for text in toasts.messages)
        assert emulator_v2.count("instances") == asked  # the pane stopped asking
        emulator_v2.clusters_gone(None)
        await pilot.press("r")
        await until(pilot, lambda: not pane.has_class("-capacity-managed"))
        await until(pilot, lambda: len(pane.rows.rows) >= 1)


async def test_playground_shows_the_run_cost(make_app_v2: AppFactory) -> None:
    app = make_app_v2(api="v2")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.post_message(OpenPlayground(QWEN))
        await pilot.pause()
        pane = app.screen.query_one(PlaygroundPane)
        pane.prompt_area.text = "Hi"
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(pane.status_line.render())
        assert status.startswith("✓ done") and "cost $0.0000" in status
        assert pane.output.text.strip()
        app.screen.post_message(OpenPlayground(GPT2))
        await pilot.pause()
        pane.prompt_area.text = "Once upon a time"
        pane.stream_box.value = False
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not pane.output.text.startswith("Once upon a time")  # the echo is dropped
        assert "cost $" in str(pane.status_line.render())


async def _playground_on(app: BytezApp, pilot: Pilot[None], model: str) -> PlaygroundPane:
    """The playground with `model` chosen, once it knows the catalogue's tasks."""
    from bytez_tui.panes.catalogue import CataloguePane

    catalogue = app.screen.query_one(CataloguePane)
    await until(pilot, lambda: catalogue.settled and catalogue.index is not None)
    app.screen.post_message(OpenPlayground(model))
    await until(pilot, lambda: any(p.catalogue for p in app.screen.query(PlaygroundPane)))
    pane = app.screen.query_one(PlaygroundPane)
    await until(pilot, lambda: pane.model_input.value == model)
    return pane


async def test_playground_says_what_a_text_to_image_model_takes_and_c_copies_the_link(
    make_app_v2: AppFactory,
) -> None:
    app = make_app_v2(api="v2")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _playground_on(app, pilot, "dreamlike-art/dreamlike-photoreal-2.0")
        note = str(pane.query_one("#task-note").render())
        assert note.startswith("text-to-image: describe the image → a link to the image")
        assert "(c copies it)" in note and pane.query_one("#task-note").display
        assert pane.prompt_area.border_title == "Description"
        pane.prompt_area.text = "a lighthouse at dusk"
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: not pane.busy)
        link = pane.output.text.strip()
        assert link.startswith("https://cdn.bytez.com/dreamlike-art/") and link.endswith(".png")
        app.screen.set_focus(pane.output)
        await until(pilot, lambda: pane.output.has_focus)
        await pilot.press("c")
        assert app.clipboard == pane.output.text and app.clipboard.strip() == link
        # A text model shows no note and the plain prompt box.
        app.screen.post_message(OpenPlayground(QWEN))
        await until(pilot, lambda: pane.model_input.value == QWEN)
        assert not pane.query_one("#task-note").display
        assert pane.prompt_area.border_title == "Prompt"


async def test_playground_refuses_what_an_image_model_cannot_take(
    make_app_v2: AppFactory, emulator_v2: EmulatorServer
) -> None:
    model = "google/vit-base-patch16-224"
    app = make_app_v2(api="v2")
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await _playground_on(app, pilot, model)
        assert "image-classification: an image URL" in str(pane.query_one("#task-note").render())
        assert pane.prompt_area.border_title == "Image URL"
        pane.prompt_area.text = "a photo of a cat"
        await pilot.press("ctrl+j")
        await pilot.pause()
        status = str(pane.status_line.render())
        assert "image-classification takes an image URL (or a data: URL)" in status
        assert emulator_v2.count("run", model=model) == 0  # nothing sent to fail obscurely
        assert pane.prompt_area.text == "a photo of a cat"  # what was typed stays
        pane.prompt_area.text = "https://example.com/cat.jpg"
        await pilot.press("ctrl+j")
        await app.workers.wait_for_complete()
        await until(pilot, lambda: not pane.busy)
        assert emulator_v2.count("run", model=model) == 1
        assert '"label"' in pane.output.text and str(pane.status_line.render()).startswith("✓")
