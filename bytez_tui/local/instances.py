"""`InstanceBook`: the instances the dashboard shows, kept without any UI.

The instances pane applies every answer to the book (a list read, a followed boot's status,
a load or a delete made here) and draws its rows from it. The book decides what a change
means: an instance the server stops listing is marked gone and kept, for `GONE_KEEP`
seconds, so the user sees why it went; one deleted here is dropped, and stays dropped while
a list read before the delete still names it. The book also knows whether the list has
been read, could not be read, or does not exist on this server, so the pane can tell
"nothing runs" from "not known". What the user is told about loads, boots and deletes is
worded here too, so all of it is tested without a UI.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from bytez_tui.billing import cost_per_hour, cost_usd
from bytez_tui.errors import AlreadyLoaded, BytezError, LoadInProgress, OutOfCredits, RateLimited
from bytez_tui.format import duration, money, plural
from bytez_tui.models import Instance

__all__ = [
    "BOOT_POLL",
    "BOOT_TIMEOUT",
    "CAPACITY_MANAGED",
    "GONE_KEEP",
    "InstanceBook",
    "Listed",
    "LoadAnswer",
    "LoadChoice",
    "boot_answer",
    "capacity_refusal",
    "delete_question",
    "deleted_notice",
    "explain_load_error",
    "load_placeholder",
    "needs_status",
]

BOOT_POLL = 5.0
"""Seconds between status polls of a booting instance (the official clients' interval)."""
BOOT_TIMEOUT = 15 * 60.0
"""Give up following a boot after this long (the official clients did too)."""

GONE_KEEP = 10 * 60.0
"""How long a vanished instance stays listed, dimmed, so the user sees why it went."""


@dataclass(frozen=True)
class LoadChoice:
    """What the user asked for in the load dialog (the screen and the instances pane use it)."""

    concurrency: int
    """Parallel instances."""
    expiration_seconds: int
    """Idle timeout."""
    model: str = ""
    """The model, when the user typed or changed it in the dialog."""


def needs_status(instance: Instance) -> bool:
    """The list leaves this entry's state or expiry open: ask `/model/status` about it."""
    return instance.status.upper() == "UNKNOWN" or (
        instance.is_running and instance.expires_at is None
    )


def load_placeholder(model: str, choice: LoadChoice, *, status: str, now: datetime) -> Instance:
    """What a load made here shows until the first status of its boot comes back."""
    concurrency, expiration = choice.concurrency, choice.expiration_seconds
    return Instance(model, status, concurrency, 0, expiration, None, now, None, None)


@dataclass(frozen=True)
class Listed:
    """One instance as the pane shows it."""

    instance: Instance
    """What the server last said."""
    ram_gb: float | None = None
    """The model's RAM, when the catalogue knows it."""
    gone_at: datetime | None = None
    """When the server was found no longer listing it (None: listed)."""

    @property
    def model(self) -> str:
        """The Hugging Face id."""
        return self.instance.model

    @property
    def gone(self) -> bool:
        """The instance disappeared from the server."""
        return self.gone_at is not None

    def uptime(self, now: datetime) -> float | None:
        """Seconds the instance has been (or was) up; None when unknown."""
        return self.instance.uptime(now, until=self.gone_at)

    def cost(self, now: datetime) -> float | None:
        """Dollars billed so far, as Bytez bills instance time: 60 s minimum, whole minutes.

        None when the RAM or the start is unknown, or the boot failed (what a failed boot
        costs is not documented).
        """
        uptime = self.uptime(now)
        if self.instance.is_failed or uptime is None:
            return None
        return cost_usd(self.ram_gb, uptime)


class InstanceBook:
    """Every instance the pane lists, in the order first seen, and what the list knows."""

    def __init__(self) -> None:
        self.loaded = False
        """The list has been read at least once (or the server has none)."""
        self.unsupported = False
        """The server has no instance routes: this API manages capacity itself."""
        self.unreadable = False
        """The last attempt to read the list failed: what runs now is unknown."""
        self._failures = 0
        self._entries: dict[str, Listed] = {}
        self._deleted: set[str] = set()
        self._ram: Mapping[str, float | None] = {}

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def entries(self) -> list[Listed]:
        """Every instance shown, the vanished ones included, in the order first seen."""
        return list(self._entries.values())

    @property
    def live(self) -> tuple[Instance, ...]:
        """The instances the server lists now (not the vanished ones)."""
        return tuple(entry.instance for entry in self._entries.values() if not entry.gone)

    def get(self, model: str) -> Listed | None:
        """The entry for `model`, if listed."""
        return self._entries.get(model)

    # --- what happened -------------------------------------------------------------------

    def listed(
        self, instances: Iterable[Instance], *, now: datetime, following: Container[str]
    ) -> None:
        """The server listed `instances` (all of them): the others are gone, except the
        boots being `following` (a list read while a load starts may not name it yet)."""
        self.loaded, self.unsupported, self.unreadable = True, False, False
        self._failures = 0
        names = set()
        for instance in instances:
            names.add(instance.model)
            if instance.model not in self._deleted:
                self.put(instance)
        for model, entry in self._entries.items():
            if model not in names and not entry.gone and model not in following:
                self._entries[model] = replace(entry, gone_at=now)
        self._deleted &= names

    def unreadable_now(self) -> int:
        """Reading the list failed: what runs is unknown. Returns the failures in a row."""
        self.unreadable = True
        self._failures += 1
        return self._failures

    def capacity_managed(self) -> None:
        """The server has no instance routes: there is no list to read, now or later."""
        self.loaded = self.unsupported = True

    def put(self, instance: Instance) -> None:
        """Show what the server said about `instance` (listed again if it was gone)."""
        model = instance.model
        old = self._entries.get(model)
        ram = self._ram.get(model)
        if ram is None and old is not None:
            ram = old.ram_gb
        self._entries[model] = Listed(instance, ram)

    def loading(self, placeholder: Instance) -> None:
        """A load of the model was made here: show `placeholder` until its status comes."""
        self._deleted.discard(placeholder.model)
        self.put(placeholder)

    def status(self, model: str, instance: Instance | None, *, now: datetime) -> None:
        """A followed boot's answer: the instance, or None when the server has none."""
        if instance is not None:
            self.put(instance)
        elif (entry := self._entries.get(model)) is not None and not entry.gone:
            self._entries[model] = replace(entry, gone_at=now)

    def deleted(self, model: str) -> None:
        """The instance was deleted here: drop it, even from a list read before."""
        self._deleted.add(model)
        self.drop(model)

    def drop(self, model: str) -> None:
        """Stop showing `model`."""
        self._entries.pop(model, None)

    def expire(self, now: datetime) -> list[str]:
        """Drop the instances gone for longer than `GONE_KEEP`; returns their models."""
        keep = timedelta(seconds=GONE_KEEP)
        expired = [
            model
            for model, entry in self._entries.items()
            if entry.gone_at is not None and now - entry.gone_at > keep
        ]
        for model in expired:
            del self._entries[model]
        return expired

    def ram_known(self, ram_gb: Mapping[str, float | None]) -> None:
        """The catalogue's RAM per model: each entry gets its model's, where known."""
        self._ram = ram_gb
        for model, entry in self._entries.items():
            ram = ram_gb.get(model)
            if ram is not None:
                self._entries[model] = replace(entry, ram_gb=ram)

    # --- what it says --------------------------------------------------------------------

    def summary(self) -> str:
        """The line under the table: how many instances, and what they bill per hour."""
        live = [entry for entry in self._entries.values() if not entry.gone]
        if not live:
            return ""
        failed = sum(1 for entry in live if entry.instance.is_failed)
        booting = sum(1 for entry in live if entry.instance.is_booting)
        rates = [cost_per_hour(entry.ram_gb) for entry in live if not entry.instance.is_failed]
        known = [rate for rate in rates if rate is not None]
        total = money(sum(known)) + ("+" if len(known) < len(rates) else "")
        text = plural(len(live), "instance")
        text += f", {booting} booting" if booting else ""
        text += f", {failed} failed" if failed else ""
        if not rates:
            return text + " · nothing billing"  # a failed instance costs nothing
        return text + f" · billing {total} per hour while they run"


CAPACITY_MANAGED = (
    "This API manages capacity itself: a model starts on its first run and stops when it "
    "has been idle a while, and you pay per second of inference, not for idle time.\n\n"
    "So there are no instances to load, delete or count down here. Run a model from the "
    "playground (4); the catalogue (1) shows what each one costs."
)
"""What the pane shows when the server has no cluster routes (v2 without them)."""


def capacity_refusal(what: str, model: str = "a model") -> str:
    """Why there is nothing to `what` (load, delete) when this API manages capacity."""
    return (
        f"Nothing to {what}: this API starts {model} on its first run and stops it when "
        "idle. Run it from the playground (4)."
    )


@dataclass(frozen=True)
class LoadAnswer:
    """How to tell the user about a load: one the server refused, or how a boot ended."""

    title: str
    """The toast's title."""
    message: str
    """What happened and what to do."""
    severity: Literal["information", "warning", "error"]
    """The toast's severity."""
    follow: bool = False
    """Follow the boot anyway (a load already in progress)."""
    refresh: bool = False
    """Refresh the list (the server knows something we don't show)."""


def explain_load_error(model: str, error: BytezError) -> LoadAnswer:
    """Turn a refused `/model/load` into words (API reference §4 and §6)."""
    if isinstance(error, AlreadyLoaded):
        return LoadAnswer(
            "Already loaded",
            f"{model} is already running (409), so nothing new was started. "
            "Delete it first to load it with other settings.",
            "warning",
            refresh=True,
        )
    if isinstance(error, LoadInProgress):
        return LoadAnswer(
            "Load in progress",
            f"A load of {model} is already under way (429): following it "
            "instead of starting another.",
            "information",
            follow=True,
        )
    if isinstance(error, OutOfCredits):
        return LoadAnswer(
            "Out of credits",
            f"No instance was started: {error.message} Add credits to your Bytez "
            "account, or delete an instance you no longer need.",
            "error",
        )
    if isinstance(error, RateLimited):
        wait = f" in {error.retry_after:.0f} s" if error.retry_after else " in a moment"
        return LoadAnswer(
            "Rate limited",
            f"Bytez is rate limiting requests (429): try loading {model} again{wait}.",
            "warning",
        )
    return LoadAnswer(f"Loading {model} failed", error.message, "error")


def boot_answer(model: str, instance: Instance, *, timed_out: bool) -> LoadAnswer | None:
    """What to say about a followed boot's status, if it ended: RUNNING, FAILED, or
    still booting when `timed_out` (after `BOOT_TIMEOUT`). None: keep following."""
    if instance.is_running:
        return LoadAnswer("Instance ready", f"{model} is running", "information")
    if instance.is_failed:
        return LoadAnswer(
            "Load failed",
            f"{model} failed to start: {instance.error or instance.status}",
            "error",
        )
    if timed_out:
        return LoadAnswer(
            "Slow boot",
            f"{model} is still {instance.status} after 15 min: no longer following it "
            "(r refreshes)",
            "warning",
        )
    return None


def deleted_notice(model: str, *, stopped: bool, cost: float | None) -> str:
    """What a delete did: stopped the instance (and what it cost, if known), or found it gone."""
    if not stopped:
        return f"{model} was already gone"
    spent = f": about {money(cost)} billed" if cost is not None else ""
    return f"Deleted {model}{spent}"


def delete_question(uptime: float | None, cost: float | None, ram_gb: float | None) -> str:
    """The body of the delete confirmation: what the instance has cost so far."""
    if cost is None:
        bill = "Its cost is unknown (no RAM figure for it, or its boot failed)."
    else:
        bill = (
            f"It has been up {duration(uptime, to_minute=True)}: about {money(cost)} so far "
            f"(billed per started minute, 60 s minimum; {money(cost_per_hour(ram_gb))} per hour)."
        )
    return f"{bill}\nIt stops at once; using it again means a new load and a cold boot."
