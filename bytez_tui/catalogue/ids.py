"""Model ids: the one pattern every field, flag and stored record is checked against."""

from __future__ import annotations

import re

__all__ = ["MODEL_ID_PATTERN", "is_model_id", "model_id_from"]

MODEL_ID_PATTERN = r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$"
"""A Hugging Face model id, `org/name` (as a string, for Textual's `Regex` validator too)."""

_MODEL_ID = re.compile(MODEL_ID_PATTERN)
_HUB_URL = re.compile(r"^https?://(?:www\.)?(?:huggingface\.co|hf\.co)/([^/?#\s]+)/([^/?#\s]+)")


def model_id_from(text: str) -> str:
    """The model id in what the user typed or pasted: surrounding blanks dropped, and a
    Hub page URL (`https://huggingface.co/org/name/tree/main`) read as `org/name`."""
    text = text.strip()
    match = _HUB_URL.match(text)
    return f"{match[1]}/{match[2]}" if match else text


def is_model_id(text: str) -> bool:
    """Whether `text` looks like a Hugging Face model id (`org/name`)."""
    return bool(_MODEL_ID.match(text))
