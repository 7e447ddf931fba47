"""`InstanceSync`: every request the instances pane makes, and what the user is told.

The list comes from `/model/instances` every `settings.instances_refresh` seconds (a
`Poller` in group `instances-refresh`), with `/model/status` asked about the entries the
list leaves vague. A load (group `instances-load`) is followed, like any instance the list
shows booting, through `/model/status` every `BOOT_POLL` seconds (group `instances-boot`)
until it is RUNNING, FAILED, gone, or still booting after `BOOT_TIMEOUT`. A delete runs
in group `instances-delete`. The pane shows what the callbacks hand it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from functools import partial
from typing import TYPE_CHECKING, Any

from bytez_tui.errors import BytezError, Unsupported
from bytez_tui.format import money
from bytez_tui.local.instances import explain_load_error
from bytez_tui.messages import InstanceDeleted, LoadAccepted
from bytez_tui.models import Instance
from bytez_tui.panes.polling import Poller

if TYPE_CHECKING:
    from bytez_tui.api import BytezClient
    from bytez_tui.panes.base import Pane
    from bytez_tui.screens.load import LoadChoice

__all__ = ["BOOT_POLL", "BOOT_TIMEOUT", "InstanceSync"]

BOOT_POLL = 5.0
"""Seconds between status polls of a booting instance (the official clients' interval)."""
BOOT_TIMEOUT = 15 * 60.0
"""Give up following a boot after this long (the official clients did too)."""


async def _status(client: BytezClient, *, model: str) -> Instance | None:
    return await client.status(model)


class InstanceSync:
    """The instance list's poller, one poller per boot followed, and loads and deletes.

    Args:
        pane: The pane that owns the workers and makes the requests.
        on_list: Told each list read, vague entries replaced by their status.
        on_loading: Told of a load under way: the instance to show until its status comes.
        on_status: Told each answer about a followed boot (None: the server has no instance).
        on_ready: Told that a followed model reached RUNNING.
        on_deleted: Told that a model's instance was deleted (or already gone).
        on_notice: Told a one-line notice when a poll fails.
        on_unsupported: Told that the server has no instance routes (v2 without its
            legacy cluster routes): polling stops for good.
    """

    def __init__(
        self,
        pane: Pane,
        *,
        on_list: Callable[[list[Instance]], None],
        on_loading: Callable[[Instance], None],
        on_status: Callable[[str, Instance | None], None],
        on_ready: Callable[[str], object],
        on_deleted: Callable[[str], None],
        on_notice: Callable[[str], None],
        on_unsupported: Callable[[], None],
    ) -> None:
        self.loaded = False
        """The list has been read at least once."""
        self.unsupported = False
        """The server has no instance routes: this API manages capacity itself."""
        self.unreadable = False
        """The last attempt to read the list failed: what runs now is unknown."""
        self._pane = pane
        self._on_list = on_list
        self._on_loading = on_loading
        self._on_status = on_status
        self._on_ready = on_ready
        self._on_deleted = on_deleted
        self._on_notice = on_notice
        self._on_unsupported = on_unsupported
        self._list_poller: Poller | None = None
        self._boot_pollers: dict[str, Poller] = {}
        self._list_failures = 0

    def __contains__(self, model: object) -> bool:
        """Whether the boot of `model` is being followed."""
        return model in self._boot_pollers

    @property
    def settled(self) -> bool:
        """Nothing in flight: every poller waits on the clock and no load or delete runs."""
        pane = self._pane
        busy = any(
            worker.group in ("instances-load", "instances-delete") and worker.is_running
            for worker in pane.app.workers
            if worker.node is pane
        )
        return not busy and all(poller.waiting for poller in self._pollers())

    # --- polling -----------------------------------------------------------------------

    def start(self) -> None:
        """Start reading the list (from the pane's `on_mount`)."""
        self._list_poller = Poller(
            self._pane,
            self._poll_list,
            group="instances-refresh",
            name="instances",
            description="Refreshing the instance list",
            on_error=self._list_failed,
        ).start()

    def stop(self) -> None:
        """Stop every poller (from the pane's `on_unmount`)."""
        for poller in self._pollers():
            poller.stop()

    def nudge(self) -> None:
        """Have every poller re-read the pause and focus state."""
        for poller in self._pollers():
            poller.nudge()

    def refresh_now(self) -> None:
        """Read the list again now (also while paused); after `unsupported`, ask afresh."""
        if self.unsupported:
            self.unsupported = False
            self.start()
        elif self._list_poller is not None:
            self._list_poller.poke()

    def poke(self) -> None:
        """Read the list, and ask about every boot followed, now."""
        self.refresh_now()
        for poller in self._boot_pollers.values():
            poller.poke()

    def follow(self, model: str, *, announce: bool) -> None:
        """Follow the boot of `model`, unless it is followed already.

        Args:
            model: The Hugging Face id.
            announce: Ask at once (a load just started) rather than after `BOOT_POLL`.
        """
        if model in self._boot_pollers and self._boot_pollers[model].running:
            return
        deadline = self._pane.clock.monotonic() + BOOT_TIMEOUT

        async def poll() -> float | None:
            return await self._poll_boot(model, deadline)

        def failed(error: BytezError, wait: float) -> None:
            self._on_notice(f"⚠ Following {model}: {error.message} (retry in {wait:.0f} s)")

        self._boot_pollers[model] = Poller(
            self._pane,
            poll,
            group="instances-boot",
            name=model,
            description=f"Following the boot of {model}",
            on_error=failed,
            first_delay=0.0 if announce else BOOT_POLL,
        ).start()

    # --- changes -----------------------------------------------------------------------

    def load(self, model: str, choice: LoadChoice) -> None:
        """Load `model` as chosen in the dialog, then follow it until it settles."""
        self._run(self._load(model, choice), model, "instances-load", f"Loading {model}")

    def delete(self, model: str, cost: float | None) -> None:
        """Stop the instance of `model`; the toast says what it cost (`cost`, if known)."""
        self._run(self._delete(model, cost), model, "instances-delete", f"Deleting {model}")

    # --- workers -----------------------------------------------------------------------

    async def _poll_list(self) -> float | None:
        pane = self._pane
        try:
            items = await pane.call_api(lambda client: client.instances())
        except Unsupported:
            self._unsupported()
            return None  # the route is gone: asking again would only fail again
        detailed: list[Instance] = []
        for item in items:
            if item.status.upper() == "UNKNOWN" or (item.is_running and item.expires_at is None):
                detail = await pane.call_api(partial(_status, model=item.model))
                item = detail or item
            detailed.append(item)
        if pane.is_mounted:
            self.loaded = True
            self.unreadable = False
            self._list_failures = 0
            self._on_list(detailed)
        return pane.settings.instances_refresh

    async def _poll_boot(self, model: str, deadline: float) -> float | None:
        pane = self._pane
        instance = await pane.call_api(lambda client: client.status(model))
        if not pane.is_mounted:
            return None
        self._on_status(model, instance)
        if instance is None:
            self._boot_pollers.pop(model, None)
            return None
        if instance.is_running:
            self._boot_pollers.pop(model, None)
            pane.notify(f"{model} is running", title="Instance ready", markup=False)
            self._on_ready(model)
            return None
        if instance.is_failed:
            self._boot_pollers.pop(model, None)
            pane.notify(
                f"{model} failed to start: {instance.error or instance.status}",
                title="Load failed",
                severity="error",
                markup=False,
            )
            return None
        if pane.clock.monotonic() >= deadline:
            self._boot_pollers.pop(model, None)
            pane.notify(
                f"{model} is still {instance.status} after 15 min: no longer following it "
                "(r refreshes)",
                title="Slow boot",
                severity="warning",
                markup=False,
            )
            return None
        return BOOT_POLL

    async def _load(self, model: str, choice: LoadChoice) -> None:
        pane = self._pane
        following = "started"
        try:
            await pane.call_api(
                lambda client: client.load(
                    model,
                    concurrency=choice.concurrency,
                    expiration_period_seconds=choice.expiration_seconds,
                )
            )
            pane.post_message(LoadAccepted(model, pane.api.server_now(), choice.expiration_seconds))
        except Unsupported:
            self._unsupported()
            pane.notify(
                f"Nothing to load: this API starts {model} on its first run and stops it when "
                "idle. Run it from the playground (4).",
                title="Capacity is managed by Bytez",
                markup=False,
            )
            return
        except BytezError as error:
            answer = explain_load_error(model, error)
            pane.notify(answer.message, title=answer.title, severity=answer.severity, markup=False)
            if answer.refresh:
                self.refresh_now()
            if not answer.follow:
                return
            following = "loading"
        placeholder = Instance(
            model,
            following,
            choice.concurrency,
            0,
            choice.expiration_seconds,
            None,
            pane.api.server_now(),
            None,
            None,
        )
        self._on_loading(placeholder)
        pane.notify(f"Loading {model}: following its boot", title="Load started", markup=False)
        self.follow(model, announce=True)

    async def _delete(self, model: str, cost: float | None) -> None:
        pane = self._pane
        try:
            stopped = await pane.call_api(lambda client: client.delete(model))
        except Unsupported:
            self._unsupported()
            return
        except BytezError as error:
            pane.report(error, title=f"Deleting {model} failed")
            return
        self._on_deleted(model)
        pane.post_message(InstanceDeleted(model, pane.api.server_now()))
        if stopped:
            spent = f": about {money(cost)} billed" if cost is not None else ""
            pane.notify(f"Deleted {model}{spent}", title="Instance stopped", markup=False)
        else:
            pane.notify(f"{model} was already gone", title="Instance stopped", markup=False)

    # --- helpers -----------------------------------------------------------------------

    def _pollers(self) -> list[Poller]:
        boots = list(self._boot_pollers.values())
        return boots if self._list_poller is None else [self._list_poller, *boots]

    def _unsupported(self) -> None:
        if self._pane.is_mounted:
            self.loaded = self.unsupported = True
            self._on_unsupported()

    def _list_failed(self, error: BytezError, wait: float) -> None:
        self.unreadable = True
        self._list_failures += 1
        if self._list_failures == 1:
            self._pane.report(error, title="Instance list")
        shown = "the last list shown" if self.loaded else "no list yet"
        # No figure here: it would go stale; the header counts down to the retry.
        self._on_notice(f"⚠ {error.message} ({shown}; retrying by itself, r now)")

    def _run(self, work: Coroutine[Any, Any, None], model: str, group: str, what: str) -> None:
        self._pane.run_worker(
            work, name=model, group=group, description=what, exit_on_error=False, exclusive=False
        )
