"""Messages that more than one pane posts; the main screen routes them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

__all__ = ["OpenPlayground", "RequestJob", "RequestLoad", "StartLoad"]


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
