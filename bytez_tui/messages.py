"""Messages that more than one pane posts; the main screen routes them."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

__all__ = ["OpenPlayground", "RequestJob", "RequestLoad"]


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


@dataclass
class OpenPlayground(Message):
    """Open the playground on `model` with focus in the prompt."""

    model: str
    """The Hugging Face id."""
