"""The emulator's model catalogue: the real May 2024 list plus seeded synthetic entries.

The catalogue is static for the life of a `World`, so `/model/list` serves bytes that are
serialised once per task filter and then reused.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

__all__ = ["CatalogueEntry", "Catalogue", "build_catalogue", "load_real_catalogue"]

_ORGS = (
    "meta-llama",
    "mistralai",
    "google",
    "microsoft",
    "Qwen",
    "tiiuae",
    "EleutherAI",
    "facebook",
    "bigscience",
    "openai-community",
    "stabilityai",
    "HuggingFaceH4",
    "TinyLlama",
    "NousResearch",
    "teknium",
    "01-ai",
    "deepseek-ai",
    "allenai",
    "databricks",
    "mosaicml",
    "Salesforce",
    "bigcode",
    "lmsys",
    "upstage",
    "cerebras",
)
_STEMS = (
    "llama",
    "mistral",
    "gemma",
    "phi",
    "qwen",
    "falcon",
    "pythia",
    "opt",
    "bloom",
    "gpt-neo",
    "stablelm",
    "zephyr",
    "openchat",
    "hermes",
    "yi",
    "olmo",
    "dolly",
    "mpt",
    "codegen",
    "starcoder",
    "vicuna",
    "solar",
    "tinystories",
    "orca",
)
#: Size suffixes with their parameter count in billions (RAM follows at ~4 GB per billion).
_SIZES = (
    ("70m", 0.07),
    ("160m", 0.16),
    ("410m", 0.41),
    ("1b", 1.0),
    ("1.3b", 1.3),
    ("2.7b", 2.7),
    ("3b", 3.0),
    ("6.9b", 6.9),
    ("7b", 7.0),
    ("8b", 8.0),
    ("13b", 13.0),
    ("34b", 34.0),
    ("70b", 70.0),
    ("8x7b", 47.0),
)
_TAGS = (
    "",
    "",
    "",
    "",
    "-sft",
    "-dpo",
    "-lora-merged",
    "-4k",
    "-32k",
    "-ft",
    "-uncensored",
    "-alpha",
)
_SUFFIXES = (
    "",
    "",
    "",
    "-instruct",
    "-chat",
    "-base",
    "-it",
    "-v0.1",
    "-v2",
    "-hf",
    "-summarization",
)
_QUANT = (".onnx.8-bit", ".onnx.32-bit")
#: Fixed synthetic entries placed right after the real ones (when `models` allows): one model
#: that always fails to boot and one summarisation model, so the demo shows both paths.
_FIXED_SYNTHETIC = (
    ("emulator-demo/will-fail-1b", 4.2),
    ("facebook/bart-large-cnn-summarizer", 1.63),
)


@dataclass(frozen=True, slots=True)
class CatalogueEntry:
    """One model of `/model/list`."""

    name: str
    """The HF-style `org/name` id."""
    required_ram: float | None
    """RAM in GB, or `None` when not benchmarked."""
    task: str
    """The HF pipeline task (used only for `?task=` filtering; not emitted)."""

    @property
    def benchmarked(self) -> bool:
        """Whether the model has a RAM figure."""
        return self.required_ram is not None

    def to_json(self) -> dict[str, object]:
        """Return the documented `{name, requiredRAM, benchmarked}` shape."""
        return {
            "name": self.name,
            "requiredRAM": self.required_ram,
            "benchmarked": self.benchmarked,
        }


_TG = "text-generation"


def task_of(name: str) -> str:
    """Return the task the emulator assigns to a model id."""
    return "summarization" if "summar" in name.lower() else "text-generation"


class Catalogue:
    """An immutable, ordered set of models with cached serialisations.

    Args:
        entries: The models, in list order.
    """

    def __init__(self, entries: list[CatalogueEntry]) -> None:
        self._entries = tuple(entries)
        self._by_name = {entry.name: entry for entry in self._entries}
        self._json: dict[str | None, bytes] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[CatalogueEntry]:
        return iter(self._entries)

    @property
    def entries(self) -> tuple[CatalogueEntry, ...]:
        """All entries, in list order."""
        return self._entries

    def get(self, name: str) -> CatalogueEntry | None:
        """Return the entry for `name`, if any."""
        return self._by_name.get(name)

    def to_json_bytes(self, task: str | None = None) -> bytes:
        """Return the `/model/list` body, optionally filtered by task (cached per task).

        Args:
            task: Keep only models of this HF task; `None` or empty keeps all.
        """
        key = task or None
        cached = self._json.get(key)
        if cached is None:
            items = [e.to_json() for e in self._entries if key is None or e.task == key]
            cached = json.dumps(items, separators=(",", ":")).encode()
            self._json[key] = cached
        return cached


def load_real_catalogue() -> list[CatalogueEntry]:
    """Return the 62 entries of the May 2024 docs list shipped in `data/`."""
    text = resources.files(__package__).joinpath("data/catalogue-2024-05.json").read_text("utf-8")
    raw = json.loads(text)
    return [
        CatalogueEntry(item["name"], item["requiredRAM"], task_of(item["name"])) for item in raw
    ]


def build_catalogue(models: int, seed: int) -> Catalogue:
    """Build the real entries followed by synthetic ones, up to `models` in total.

    Args:
        models: Total number of entries (at least the real ones are always kept when
            `models` is larger than zero; a smaller number truncates the real list).
        seed: Seed for the synthetic part; the same seed always gives the same list.

    Returns:
        The catalogue.
    """
    entries = load_real_catalogue()[: max(0, models)]
    seen = {e.name for e in entries}
    for name, fixed_ram in _FIXED_SYNTHETIC:
        if len(entries) < models:
            entries.append(CatalogueEntry(name, fixed_ram, task_of(name)))
            seen.add(name)
    # `seq[int(random() * len(seq))]` rather than `rng.choice`: 3x faster at 100k models.
    rand = random.Random(seed).random
    counter = 0
    while len(entries) < models:
        org = _ORGS[int(rand() * len(_ORGS))]
        stem = _STEMS[int(rand() * len(_STEMS))]
        size, billions = _SIZES[int(rand() * len(_SIZES))]
        tag = _TAGS[int(rand() * len(_TAGS))]
        suffix = _SUFFIXES[int(rand() * len(_SUFFIXES))]
        name = f"{org}/{stem}-{size}{tag}{suffix}"
        quantised = rand() < 0.1
        if quantised:
            name += _QUANT[int(rand() * len(_QUANT))]
        if name in seen:
            counter += 1
            name = f"{name}-{counter}"
        seen.add(name)
        ram: float | None = None
        if not quantised and rand() >= 0.12:
            # ~4 GB per billion parameters, with +/-25 % log-normal spread.
            gigabytes = billions * 4.0 * math.exp((rand() - 0.5) * 0.5) + 0.25
            ram = round(min(400.0, max(0.3, gigabytes)), 2)
        entries.append(CatalogueEntry(name, ram, "summarization" if "summar" in name else _TG))
    return Catalogue(entries)
