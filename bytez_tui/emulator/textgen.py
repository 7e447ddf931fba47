"""Deterministic fake text: word-piece fragments as a tokenizer would stream them."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping

__all__ = ["DEFAULT_FRAGMENTS", "MAX_FRAGMENTS", "continuation", "fragment_count"]

DEFAULT_FRAGMENTS = 40
"""Fragments generated when `params` sets no length."""
MAX_FRAGMENTS = 256
"""Upper bound on fragments per run, whatever `params` asks for."""

# Whole words carry the leading space a tokenizer implies; bare pieces continue a word.
_WORDS = (
    " the",
    " a",
    " little",
    " old",
    " robot",
    " who",
    " lived",
    " in",
    " quiet",
    " town",
    " by",
    " sea",
    " and",
    " every",
    " morning",
    " she",
    " he",
    " walked",
    " to",
    " the",
    " market",
    " with",
    " her",
    " his",
    " friend",
    " said",
    " that",
    " light",
    " was",
    " different",
    " today",
    " because",
    " nobody",
    " had",
    " seen",
    " it",
    " before",
    " model",
    " weights",
    " were",
    " warm",
    " river",
    " forest",
    " story",
    " again",
)
_PIECES = ("ing", "ed", "ly", "er", "s", "ness", "ful")
_PUNCT = (",", ".", "!", ";", "\n")


def _rng(seed: int, model: str, prompt: str) -> random.Random:
    digest = hashlib.sha256(f"{seed}\x00{model}\x00{prompt}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def fragment_count(params: Mapping[str, object] | None, prompt: str) -> int:
    """Return how many fragments a run produces, from HF `generate` kwargs.

    `max_new_tokens` wins; otherwise `max_length` minus the prompt's words (the prompt
    counts towards `max_length` in HF); otherwise `DEFAULT_FRAGMENTS`. `min_new_tokens`
    and `min_length` raise the figure. The result is clamped to `1..MAX_FRAGMENTS`.

    Args:
        params: The run's `params` object, if any.
        prompt: The prompt text.
    """
    params = params or {}
    prompt_words = len(prompt.split())

    def number(key: str) -> int | None:
        value = params.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        return int(value)

    count = DEFAULT_FRAGMENTS
    if (max_new := number("max_new_tokens")) is not None:
        count = max_new
    elif (max_length := number("max_length")) is not None:
        count = max_length - prompt_words
    if (min_new := number("min_new_tokens")) is not None:
        count = max(count, min_new)
    elif (min_length := number("min_length")) is not None:
        count = max(count, min_length - prompt_words)
    return max(1, min(MAX_FRAGMENTS, count))


def continuation(seed: int, model: str, prompt: str, count: int) -> list[str]:
    """Return `count` fragments, deterministic from (seed, model, prompt).

    Args:
        seed: The world's seed.
        model: The model id.
        prompt: The prompt text (for chat input, the serialised conversation).
        count: Number of fragments.
    """
    rng = _rng(seed, model, prompt)
    out: list[str] = []
    for _ in range(count):
        roll = rng.random()
        previous_is_word = bool(out) and out[-1][:1] == " "
        if roll < 0.12 and previous_is_word:
            out.append(rng.choice(_PIECES))
        elif roll < 0.2 and previous_is_word:
            out.append(rng.choice(_PUNCT))
        else:
            out.append(rng.choice(_WORDS))
    return out
