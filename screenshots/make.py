"""Render the README screenshots: one SVG per pane, byte-for-byte the same on every run.

Modelled on harlequin's `export_screenshots.py`: each scene builds the app, runs it
headless with `App.run_test` at a fixed size, drives it through its keys and public
methods, and saves `App.export_screenshot()`. What keeps the pictures stable:

- the app talks to the emulator on loopback (`EmulatorServer`), seeded, never to the
  real API, with a dummy key (the status line shows it masked);
- time is a `FixedClock` that moves only when a scene advances it, and each scene
  waits on conditions (`pane.settled`, `pane.loaded` …), never on real time;
- every scene gets fresh, empty config/cache/data dirs, so nothing of the user's (or
  of the scene before) shows, and the environment cannot change the colours.

Run from the repository root (re-run whenever a pane changes):

    python screenshots/make.py                      # all of them
    python screenshots/make.py jobs playground      # some of them
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from textual.pilot import Pilot  # noqa: E402
from textual.widgets import Input  # noqa: E402

from bytez_tui.app import BytezApp  # noqa: E402
from bytez_tui.clock import FixedClock, utc  # noqa: E402
from bytez_tui.config import Settings  # noqa: E402
from bytez_tui.emulator import EmulatorServer  # noqa: E402
from bytez_tui.messages import OpenPlayground  # noqa: E402
from bytez_tui.panes.catalogue import CataloguePane  # noqa: E402
from bytez_tui.panes.compare import ComparePane  # noqa: E402
from bytez_tui.panes.instances import InstancesPane  # noqa: E402
from bytez_tui.panes.jobs import JobsPane  # noqa: E402
from bytez_tui.panes.playground import PlaygroundPane  # noqa: E402
from bytez_tui.screens.load import LoadChoice, LoadDialog  # noqa: E402
from bytez_tui.screens.main import PANES  # noqa: E402

SIZE = (120, 36)
"""Columns × rows of every screenshot (harlequin's size)."""
START = datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)
"""The instant every scene starts at."""
DUMMY_KEY = "screenshot-key-0000"
"""Accepted by the emulator; the status line shows `…0000`."""
WORLD = {"models": 2_000, "seed": 7, "fragment_interval": 0.0, "demo_instances": 4}
"""The emulator's world: 2,000 models, the four demo instances, streams without pauses."""

ENV_DROPPED = ("BYTEZ_API_KEY", "BYTEZ_BASE_URL", "NO_COLOR", "TMUX")
"""Variables that would leak the user's key or change how the app draws."""
XDG_DIRS = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")


@dataclass
class Stage:
    """What a scene works with."""

    app: BytezApp
    pilot: Pilot[None]
    server: EmulatorServer
    clock: FixedClock

    async def until(
        self, condition: Callable[[], bool], what: str, *, workers: bool = True
    ) -> None:
        """Let the app run until `condition` holds; fail loudly rather than shoot a wrong picture.

        Args:
            condition: What to wait for.
            what: Named in the error when it never holds.
            workers: Between checks, also wait for the app's workers to finish; pass False
                to check while a worker (a run) is still going.
        """
        for _ in range(500):
            if condition():
                return
            if workers:
                await self.app.workers.wait_for_complete()
                await self.pilot.pause()
            else:
                await self.pilot.pause(0.02)
        raise RuntimeError(f"screenshot scene stuck waiting for: {what}")

    async def advance(self, seconds: float, pane: InstancesPane | JobsPane) -> None:
        """Move the clock once every poller of `pane` waits on it, then let them run."""
        await self.until(lambda: pane.settled, "the pane's pollers to wait")
        self.clock.advance(seconds)
        await self.pilot.pause()
        await self.until(lambda: pane.settled, "the pane's pollers to wait again")

    async def show(self, pane_id: str) -> None:
        """Switch to a pane with its number key, once the screen has mounted it."""
        await self.until(lambda: bool(self.app.screen.query(f"#{pane_id}")), f"#{pane_id}")
        await self.pilot.press(str([entry.id for entry in PANES].index(pane_id) + 1))

    async def catalogue(self) -> CataloguePane:
        """The catalogue pane, once its rows are on screen."""
        await self.until(
            lambda: (
                bool(self.app.screen.query(CataloguePane))
                and self.app.screen.query_one(CataloguePane).settled
            ),
            "the catalogue",
        )
        return self.app.screen.query_one(CataloguePane)

    async def finish(self) -> None:
        """Redraw every ticking widget at the current time and drop the toasts."""
        await self.app.workers.wait_for_complete()
        for widget in self.app.screen.query("Countdown, Elapsed"):
            widget.tick()  # type: ignore[attr-defined]
        self.app.clear_notifications()
        await self.pilot.pause()
        await self.pilot.pause()


Scene = Callable[[Stage], Awaitable[None]]


async def catalogue(stage: Stage) -> None:
    """`llama ram<32 bench` typed, the cursor on a running model with its details open,
    and the markers of a tracked job and a running instance in the first column."""
    pane = await stage.catalogue()
    await stage.show("jobs")  # the jobs and instances panes feed the markers
    stage.app.screen.query_one(JobsPane).track("allenai/llama-70m")
    await stage.show("instances")
    instances = stage.app.screen.query_one(InstancesPane)
    await stage.until(lambda: instances.loaded, "the instance list")
    instances.start_load("01-ai/llama-1b-sft-chat", LoadChoice(1, 1800))
    await stage.until(lambda: instances.row("01-ai/llama-1b-sft-chat") is not None, "the load")
    await stage.advance(15, instances)  # booted, and listed by the next refresh
    await stage.until(lambda: "01-ai/llama-1b-sft-chat" in pane.running, "the running marker")
    await stage.pilot.press("slash", *"llama ram<32 bench")
    await stage.until(lambda: pane.settled, "the filter")
    await stage.pilot.press("escape", "down", "enter")
    await stage.finish()


async def catalogue_v2(stage: Stage) -> None:
    """The catalogue speaking v2: `task:chat` typed, sorted by cost (the server's meter
    prices, under `Bytez $/h`), a Task column where v1 has Bench, and the details of a chat
    model with its size and Bytez's price per hour and per second."""
    pane = await stage.catalogue()
    await stage.pilot.press("slash", *"task:chat", "enter", "s", "s")
    await stage.until(lambda: pane.settled, "the filter")
    pane.jump_to("Qwen/Qwen3-4B")
    await stage.pilot.press("enter")
    await stage.finish()


async def jobs(stage: Stage) -> None:
    """Jobs in every state: available (with how long each took), queued (and set to load
    when ready), failed with the server's words, and just requested."""
    await stage.show("jobs")
    pane = stage.app.screen.query_one(JobsPane)
    pane.track("openai-community/gpt2")  # in the catalogue: available at once
    pane.track("Qwen/Qwen2-1.5B-Instruct")  # not in it: queued for `job_delay` (10 s)
    await stage.advance(6, pane)
    await stage.advance(6, pane)
    pane.track("mistralai/Mistral-7B-Instruct-v0.3")
    await stage.advance(5, pane)
    stage.server.fail_next("job", 404, body='{"error": "not a Hugging Face model"}')
    pane.track("someorg/typo-model")
    await stage.until(lambda: pane.jobs["someorg/typo-model"].state == "failed", "the 404")
    pane.track("google/gemma-2b-it")
    await stage.until(lambda: pane.settled and len(pane.rows.rows) == 5, "five settled jobs")
    pane.rows.focus()
    pane.rows.select("mistralai/Mistral-7B-Instruct-v0.3")
    await stage.pilot.press("l")  # queued: choose the options now, load it once available
    await stage.until(lambda: isinstance(stage.app.screen, LoadDialog), "the load dialog")
    await stage.pilot.press("enter")
    mistral = "mistralai/Mistral-7B-Instruct-v0.3"
    await stage.until(lambda: pane.jobs[mistral].load_when_ready, "the load armed")
    await stage.finish()


async def instances(stage: Stage) -> None:
    """3 min 18 s in: the four demo instances (TinyStories past its expiry, phi-1 with a
    few fresh runs), opt-1.3b under a minute from expiry, and gpt2 booting."""
    world = stage.server.world
    world.load({"model": "facebook/opt-1.3b", "concurrency": 2, "expirationPeriodSeconds": 240})
    await stage.show("instances")
    pane = stage.app.screen.query_one(InstancesPane)
    await stage.until(lambda: pane.loaded, "the instance list")
    world.boot_delay = 30
    for _ in range(6):
        await stage.advance(30, pane)
    for prompt in ("Hello", "Once upon a time", "def fib(n):"):  # runs reset phi-1's expiry
        world.run({"model": "microsoft/phi-1", "input": prompt})
    pane.start_load("openai-community/gpt2", LoadChoice(1, 300))
    await stage.until(lambda: pane.row("openai-community/gpt2") is not None, "the load")
    await stage.advance(10, pane)
    await stage.advance(8, pane)  # gpt2 is half-way through its boot: INSTANTIATING
    pane.refresh_now()
    await stage.advance(0.001, pane)

    def booting() -> bool:
        row = pane.row("openai-community/gpt2")
        return row is not None and row.instance.status == "INSTANTIATING"

    await stage.until(booting, "gpt2 to be INSTANTIATING")
    pane.rows.focus()
    pane.rows.select("openai-community/gpt2")
    await stage.finish()


async def playground(stage: Stage) -> None:
    """A finished streamed run on TinyStories, with its stats line.

    The clock stands still unless moved, so the scene moves it while the emulator holds
    its answers back: 0.42 s before the first fragment, 2.9 s more before the run ends.
    """
    model = "roneneldan/TinyStories-8M"
    await stage.until(lambda: bool(stage.app.screen.query(PlaygroundPane)), "the playground")
    stage.app.screen.post_message(OpenPlayground(model))
    await stage.pilot.pause()
    pane = stage.app.screen.query_one(PlaygroundPane)
    pane.prompt_area.text = "Once upon a time there was a little robot who"
    pane.query_one("#param-max_new_tokens", Input).value = "160"
    pane.query_one("#param-temperature", Input).value = "0.7"
    await stage.until(lambda: model in pane.running_models, "the model to show as running")
    server = stage.server
    server.slow("run", 1.0)
    server.slow("status", 1.0)
    pane.output.focus()
    await stage.pilot.press("ctrl+j")
    await stage.until(lambda: server.count("run") == 1, "the run request", workers=False)
    asked = server.count("status", model=model)
    stage.clock.advance(0.42)
    await stage.until(
        lambda: server.count("status", model=model) > asked, "the stream's end", workers=False
    )
    stage.clock.advance(2.9)
    await stage.until(lambda: pane.output.border_subtitle == "done", "the run to finish")
    server.slow("run", None)
    server.slow("status", None)
    await stage.finish()


async def playground_v2(stage: Stage) -> None:
    """The same playground speaking v2 (`--api v2`): a chat model's streamed answer, the
    header saying v2 beside the host, and the stats line ending with the run's cost as the
    server reported it."""
    model = "Qwen/Qwen3-4B"
    await stage.until(lambda: bool(stage.app.screen.query(PlaygroundPane)), "the playground")
    stage.app.screen.post_message(OpenPlayground(model))
    await stage.pilot.pause()
    pane = stage.app.screen.query_one(PlaygroundPane)
    pane.prompt_area.text = "Write a short poem about a lighthouse keeper."
    pane.query_one("#param-max_new_tokens", Input).value = "80"
    pane.output.focus()
    await stage.pilot.press("ctrl+j")
    await stage.until(lambda: pane.output.border_subtitle == "done", "the run to finish")
    await stage.finish()


CHAT_REPLY = """Use a **list comprehension**:

```python
squares = [n * n for n in range(5)]
```

| way | speed |
|-----|-------|
| loop | slower |
| comprehension | faster |
"""
"""An earlier reply of the chat scene, with a code block and a table."""


async def chat_v2(stage: Stage) -> None:
    """Chat mode on v2: an earlier exchange rendered as Markdown (a highlighted code block,
    a table), then a second message whose reply streams in live, each reply with its stats
    line and cost."""
    from bytez_tui.local.conversations import ConversationStore, Turn

    model = "Qwen/Qwen3-4B"
    store = ConversationStore(store_key=stage.app.settings.store_key)
    store.set_chat_mode(model, True)
    chat = store.create(model, time=START.isoformat(), system="Answer with short code.")
    store.append(chat.id, Turn("user", "How do I square numbers in Python?"))
    store.append(chat.id, Turn("assistant", CHAT_REPLY, cost=0.00004))
    await stage.until(lambda: bool(stage.app.screen.query(PlaygroundPane)), "the playground")
    stage.app.screen.post_message(OpenPlayground(model))
    await stage.pilot.pause()
    pane = stage.app.screen.query_one(PlaygroundPane)
    await stage.until(lambda: pane.chat.conversation is not None, "the conversation")
    pane.prompt_area.text = "Thanks! Now say it as a poem."
    await stage.pilot.press("ctrl+j")
    await stage.until(
        lambda: pane.chat.last_reply is not None and pane.chat.last_reply.content != CHAT_REPLY,
        "the reply",
    )
    await stage.finish()


async def compare_v2(stage: Stage) -> None:
    """The Compare pane on v2: one prompt on three models, each column's answer with its
    stats and the run's cost as the server reported it, column B marked the winner.

    The emulator holds the answers back while the clock moves 0.6 s, so the stats read
    like a real run's rather than 0.00 s."""
    models = ("Qwen/Qwen3-4B", "openai-community/gpt2", "microsoft/phi-1")
    await stage.show("compare")
    await stage.until(lambda: bool(stage.app.screen.query(ComparePane)), "the compare pane")
    pane = stage.app.screen.query_one(ComparePane)
    for column, model in zip(pane.columns, models, strict=True):
        column.model_input.value = model
    pane.prompt_area.text = "Write a short poem about a lighthouse keeper."
    pane.params_input.value = '{"max_new_tokens": 70}'
    pane.columns[2].params_input.value = '{"max_new_tokens": 40}'
    pane.columns[0].output.focus()
    server = stage.server
    server.slow("run", 1.0)
    await stage.pilot.press("ctrl+j")
    await stage.until(lambda: server.count("run") == 3, "the three runs", workers=False)
    stage.clock.advance(0.6)
    await stage.until(lambda: not pane.busy and pane.shown is not None, "the columns to end")
    server.slow("run", None)
    await stage.pilot.press("B")
    await stage.finish()


async def spend(stage: Stage) -> None:
    """The Spend screen (`$`) over a fortnight of ledger under a $5 daily budget: the bars
    of the 14 days, the totals beside them, the models and the costliest items of the last
    7 days (≈ marks our estimates), the budget field."""
    from bytez_tui.local.ledger import Ledger
    from bytez_tui.screens.spend import SpendScreen
    from bytez_tui.widgets.status_bar import StatusBar

    # The fortnight the Spend screen's snapshot test is seeded with: one picture of it.
    sys.path.insert(0, str(HERE.parent / "tests"))
    from ledger_seed import seed_fortnight

    seed_fortnight(Ledger(store_key=stage.app.settings.store_key), stage.clock.now())
    await stage.until(lambda: bool(stage.app.screen.query(StatusBar)), "the status bar")
    bar = stage.app.screen.query_one(StatusBar)
    await stage.until(lambda: bool(bar.spend), "the header's spend")
    stage.app.set_focus(None)
    await stage.pilot.press("dollar_sign")
    await stage.until(lambda: isinstance(stage.app.screen, SpendScreen), "the Spend screen")
    await stage.finish()


SCENES: dict[str, Scene] = {
    "catalogue": catalogue,
    "catalogue-v2": catalogue_v2,
    "jobs": jobs,
    "instances": instances,
    "playground": playground,
    "playground-v2": playground_v2,
    "chat-v2": chat_v2,
    "compare-v2": compare_v2,
    "spend": spend,
}
BUDGETS = {"spend": 5.0}
"""The daily budget a scene runs under (none elsewhere)."""


def isolate(home: Path) -> None:
    """Point the app's config, cache and data dirs at `home`; drop the user's settings."""
    for variable in ENV_DROPPED:
        os.environ.pop(variable, None)
    os.environ["TZ"] = "UTC"  # the Jobs pane shows local times: the same everywhere here
    time.tzset()
    for variable in XDG_DIRS:
        os.environ[variable] = str(home / variable.lower())


async def shoot(name: str, server: EmulatorServer) -> Path:
    """Play one scene on a fresh world, in fresh dirs, and save its SVG."""
    clock = FixedClock(START)
    server.reset(clock, **WORLD)
    with tempfile.TemporaryDirectory(prefix="bytez-screenshots-") as home:
        isolate(Path(home))
        settings = Settings(
            api_key=DUMMY_KEY,
            base_url=server.url,
            label="demo emulator",
            demo=True,
            api="v2" if name.endswith("-v2") else "v1",
            daily_budget=BUDGETS.get(name),
        )
        app = BytezApp(settings, clock=clock)
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await SCENES[name](Stage(app, pilot, server, clock))
            svg = app.export_screenshot(title=f"bytez-tui — {name}")
    if DUMMY_KEY in svg or server.url in svg:
        raise RuntimeError(f"{name}: the key or the emulator's address is in the picture")
    path = HERE / f"{name}.svg"
    path.write_text(svg, encoding="utf-8")
    return path


async def main(names: list[str]) -> int:
    unknown = sorted(set(names) - set(SCENES))
    if unknown:
        print(f"unknown scene(s): {', '.join(unknown)}; choose from {', '.join(SCENES)}")
        return 2
    with EmulatorServer(api="both") as server:
        for name in names or list(SCENES):
            path = await shoot(name, server)
            print(path.relative_to(HERE.parent))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
