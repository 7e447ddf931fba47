"""The v2 face of the catalogue: tasks, parameter counts and meters derived from each model.

v2's `list/models` entry is `{modelId, task, params, ramRequired, meter, meterPrice}`. The
emulator derives every field deterministically from the shared catalogue entry (its id and
RAM figure), so both dialects describe the same models. v2 names chat models `chat` where
v1's Hugging Face pipeline tag says `text-generation`, so a model can carry two task names.

Meter prices are Bytez's 2025 price list in USD per second, by GPU-RAM tier; LLM tasks use
the `-lm` meters. They are kept as the decimal strings Bytez printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bytez_tui.emulator.catalogue import CatalogueEntry

__all__ = [
    "EXTRAS",
    "LLM_TASKS",
    "TASKS",
    "V2Entry",
    "chat_task",
    "describe",
    "input_fields",
    "media_output",
    "meter_for",
    "task_for",
]

TASKS = (
    "audio-classification",
    "audio-text-to-text",
    "automatic-speech-recognition",
    "chat",
    "depth-estimation",
    "document-question-answering",
    "feature-extraction",
    "fill-mask",
    "image-classification",
    "image-feature-extraction",
    "image-segmentation",
    "image-text-to-text",
    "image-to-text",
    "mask-generation",
    "object-detection",
    "question-answering",
    "sentence-similarity",
    "summarization",
    "text-classification",
    "text-generation",
    "text-to-audio",
    "text-to-image",
    "text-to-speech",
    "text-to-video",
    "text2text-generation",
    "token-classification",
    "translation",
    "unconditional-image-generation",
    "video-classification",
    "video-text-to-text",
    "visual-question-answering",
    "zero-shot-classification",
    "zero-shot-image-classification",
    "zero-shot-object-detection",
)
"""The 34 task names of Bytez's 2025-09 API description, as `list/tasks` answers them."""

LLM_TASKS = frozenset(
    {
        "chat",
        "text-generation",
        "text2text-generation",
        "summarization",
        "translation",
        "audio-text-to-text",
        "image-text-to-text",
        "video-text-to-text",
    }
)
"""Tasks billed on the language-model (`-lm`) meters; they also stream text."""

_CHAT_TASKS = frozenset({"chat", "audio-text-to-text", "image-text-to-text", "video-text-to-text"})
_MEDIA_OUT = frozenset(
    {"text-to-image", "text-to-speech", "text-to-audio", "text-to-video"}
    | {"unconditional-image-generation"}
)

# (tier, upper RAM bound in GB, LLM price, other price): the 2025-04 pricing page.
_METERS = (
    ("micro", 16, "0.0000872083", "0.00053440"),
    ("xs", 24, "0.0001475035", "0.00066800"),
    ("sm", 64, "0.0006478333", "0.00427520"),
    ("md", 96, "0.0008433876", "0.00480960"),
    ("lg", 128, "0.0012956667", "0.00855040"),
    ("xl", 192, "0.0024468774", "0.01603200"),
    ("xxl", 320, "0.0047912685", "0.02458240"),
    ("super", 640, "0.0059890856", "0.02992640"),
)

_SIZE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)([mMbB])(?![a-zA-Z])")
_CHATTY = re.compile(r"instruct|chat|-it\b|-it-|hermes|zephyr|openchat|vicuna", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class V2Entry:
    """One `list/models` entry."""

    model_id: str
    """The `org/name` id."""
    task: str
    """The Bytez task name."""
    params: float
    """Parameters in billions."""
    ram_required: float
    """GPU RAM in GB."""
    meter: str
    """The meter name, e.g. `sm-lm`."""
    price: str
    """USD per second as a decimal string, e.g. `0.0006478333`."""

    def to_json(self) -> dict[str, Any]:
        """Return the documented six-field shape (`meterPrice` as `"<decimal> / sec"`)."""
        return {
            "modelId": self.model_id,
            "task": self.task,
            "params": self.params,
            "ramRequired": self.ram_required,
            "meter": self.meter,
            "meterPrice": f"{self.price} / sec",
        }


EXTRAS = (
    V2Entry("0-hero/Matter-0.1-Slim-7B-C", "chat", 7.24, 29, "sm-free", "0.0006478333"),
    V2Entry("Qwen/Qwen3-4B", "chat", 4.02, 16, "micro-lm", "0.0000872083"),
    V2Entry(
        "dreamlike-art/dreamlike-photoreal-2.0", "text-to-image", 1.07, 6, "micro", "0.00053440"
    ),
    V2Entry(
        "stabilityai/stable-diffusion-xl-base-1.0", "text-to-image", 3.5, 16, "micro", "0.00053440"
    ),
    V2Entry("facebook/bart-large-cnn", "summarization", 0.41, 2, "micro-lm", "0.0000872083"),
    V2Entry("Helsinki-NLP/opus-mt-en-fr", "translation", 0.08, 1, "micro-lm", "0.0000872083"),
    V2Entry("google/vit-base-patch16-224", "image-classification", 0.09, 1, "micro", "0.00053440"),
    V2Entry(
        "sentence-transformers/all-MiniLM-L6-v2",
        "feature-extraction",
        0.02,
        1,
        "micro",
        "0.00053440",
    ),
)
"""Models the 2024 v1 list predates: the spec's example, a current chat model, image
generators and a few non-text tasks, so every input and output shape has a model."""


def task_for(name: str) -> str:
    """Return the v2 task of a shared-catalogue model, from its id.

    Args:
        name: The `org/name` id.
    """
    lower = name.lower()
    if "summar" in lower:
        return "summarization"
    if "diffusion" in lower and "prompt" not in lower:
        return "text-to-image"
    if _CHATTY.search(name):
        return "chat"
    return "text-generation"


def meter_for(task: str, ram: float) -> tuple[str, str]:
    """Return `(meter, price)` for a task and GPU-RAM figure (the smallest tier that fits)."""
    llm = task in LLM_TASKS
    for tier, limit, llm_price, other_price in _METERS:
        if ram <= limit or tier == "super":
            return (f"{tier}-lm", llm_price) if llm else (tier, other_price)
    raise AssertionError("unreachable: the last tier takes every size")


def _params_from_name(name: str) -> float | None:
    match = _SIZE.search(name.rsplit("/", 1)[-1])
    if match is None:
        return None
    value = float(match.group(1))
    return value / 1000 if match.group(2) in "mM" else value


def describe(entry: CatalogueEntry) -> V2Entry:
    """Derive the v2 entry of a shared-catalogue model.

    `params` comes from a size in the id (`-7b`, `-560m`) or else RAM / 4 (the catalogue's
    ~4 GB per billion); RAM, when the catalogue has none, is params x 4.
    """
    task = task_for(entry.name)
    params = _params_from_name(entry.name)
    if params is None:
        params = round(entry.required_ram / 4, 2) if entry.required_ram else 1.0
    ram = entry.required_ram if entry.required_ram is not None else round(params * 4, 2)
    ram = round(ram, 2)
    meter, price = meter_for(task, ram)
    return V2Entry(entry.name, task, params, ram, meter, price)


def input_fields(task: str) -> tuple[str, ...]:
    """Return the request fields a task's input goes in (the first is the usual one).

    Every task also accepts `input`, as the SDKs send since 2025-09.
    """
    if task in _CHAT_TASKS:
        return ("messages",)
    if task in {"question-answering"}:
        return ("question", "context")
    if task in {"document-question-answering", "visual-question-answering"}:
        return ("question", "url", "base64")
    if task.startswith("zero-shot"):
        return ("candidate_labels", "text", "url", "base64")
    if task == "unconditional-image-generation":
        return ()
    if task.startswith(("image-", "audio-", "video-", "automatic-")) or task in {
        "depth-estimation",
        "object-detection",
        "mask-generation",
        "image-segmentation",
    }:
        return ("url", "base64")
    return ("text",)


def media_output(task: str) -> bool:
    """Return whether a task's output is a generated file (a CDN URL, or bytes for json:false)."""
    return task in _MEDIA_OUT


def chat_task(task: str) -> bool:
    """Return whether a task takes `messages` and answers a message object."""
    return task in _CHAT_TASKS
