"""Messages that more than one pane posts; the main screen routes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.message import Message

from bytez_tui.models import Metering

__all__ = [
    "InstanceDeleted",
    "LoadAccepted",
    "OpenPlayground",
    "RequestJob",
    "RequestLoad",
    "RunEnded",
    "StartLoad",
]


@dataclass
class RequestJob(Message):
    """Ask Bytez to make `model` available and track the job."""

    model: str
    """The Hugging Face id."""


@dataclass
class RequestLoad(Message):
    """Open the load dialog for `model`."""

    model: str
    """The Hugging Face id."""
    ram_gb: float | None = None
    """The model's RAM, for the projected cost, when known."""
    when_ready: bool = False
    """Not available yet: the options chosen now are used once it is (see `StartLoad`)."""
    run_after: bool = False
    """The playground runs its prompt once the model is RUNNING, if the dialog loads it
    (the screen tells the playground what the dialog chose, cancelled included)."""


@dataclass
class StartLoad(Message):
    """Load `model` with options the user chose earlier, without asking again."""

    model: str
    """The Hugging Face id."""
    concurrency: int
    """Parallel instances."""
    expiration_seconds: int
    """Idle timeout."""


@dataclass
class OpenPlayground(Message):
    """Open the playground on `model` with focus in the prompt."""

    model: str
    """The Hugging Face id."""


@dataclass
class LoadAccepted(Message):
    """The server accepted a load of `model`: its instance (and its billing) starts."""

    model: str
    """The Hugging Face id."""
    at: datetime
    """When (the server's time)."""
    expiration_seconds: float
    """The idle timeout chosen."""


@dataclass
class InstanceDeleted(Message):
    """`model`'s instance was deleted from here: its billing ends."""

    model: str
    """The Hugging Face id."""
    at: datetime
    """When (the server's time)."""


@dataclass
class RunEnded(Message):
    """A playground run ended (for the spend ledger)."""

    model: str
    """The Hugging Face id."""
    at: datetime
    """When it started (the server's time)."""
    seconds: float
    """How long it took."""
    metering: Metering | None
    """What the server said it cost (v2's `inference-*` headers)."""
    outcome: str
    """done, stopped or failed."""
