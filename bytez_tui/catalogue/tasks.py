"""What a v2 task takes as its input and gives back, and how typed text becomes that input.

UI-free. Text tasks (chat, text-generation, summarization, translation, text2text) take
the prompt as typed, so `describe` gives None for them. Every other task gets a
`TaskInput`: the playground shows its `note` under the model field, titles the prompt box
with `title`, and sends `read(text)`, which refuses (`ValueError`, with the reason) what the
task cannot take, instead of letting the server fail on it:

| tasks | typed | sent |
|---|---|---|
| text-to-image/-speech/-audio/-video | a description | `text`; the answer is a link |
| unconditional-image-generation | nothing | nothing; the answer is a link |
| image/audio/video in (classification, ASR, …) | a URL or a `data:` URL | `url` / `base64` |
| image-/audio-/video-text-to-text | a message, or a URL then the message | `messages` |
| question-answering | the question, then the context | `question`, `context` |
| document-/visual-question-answering | a URL, then the question | `url`/`base64`, `question` |
| zero-shot-classification | labels (comma-separated), then the text | `candidate_labels`, `text` |
| zero-shot-image-classification, -object-detection | labels, then a URL | labels, `url` |
| other text tasks (classification, fill-mask, …) | text | `text` |

A task the app does not know (the list is open-ended) gets None too: the text goes as typed,
and the client puts it in `input`, which the server reads by the model's task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["TaskInput", "describe"]

Shape = Literal["text", "none", "media", "media-chat", "qa", "media-qa", "labels", "media-labels"]

_TEXT_TASKS = frozenset(
    {"chat", "text-generation", "text2text-generation", "summarization", "translation"}
)
_MEDIA_OF = {
    "audio-classification": "audio",
    "automatic-speech-recognition": "audio",
    "depth-estimation": "image",
    "image-classification": "image",
    "image-feature-extraction": "image",
    "image-segmentation": "image",
    "image-to-text": "image",
    "mask-generation": "image",
    "object-detection": "image",
    "video-classification": "video",
    "audio-text-to-text": "audio",
    "image-text-to-text": "image",
    "video-text-to-text": "video",
    "document-question-answering": "image",
    "visual-question-answering": "image",
    "zero-shot-image-classification": "image",
    "zero-shot-object-detection": "image",
}
_GIVES = {
    "audio-classification": "labels with scores",
    "automatic-speech-recognition": "the transcript",
    "depth-estimation": "a depth map (JSON)",
    "image-classification": "labels with scores",
    "image-feature-extraction": "vectors of numbers",
    "image-segmentation": "labels with masks (JSON)",
    "image-to-text": "a caption",
    "mask-generation": "masks (JSON)",
    "object-detection": "labels, scores and boxes",
    "video-classification": "labels with scores",
    "text-classification": "labels with scores",
    "token-classification": "the entities found",
    "fill-mask": "the likely words for the mask",
    "feature-extraction": "a vector of numbers",
    "sentence-similarity": "a vector of numbers",
    "question-answering": "the answer, with its score",
    "document-question-answering": "the answer",
    "visual-question-answering": "the answer",
    "zero-shot-classification": "the labels with scores",
    "zero-shot-image-classification": "the labels with scores",
    "zero-shot-object-detection": "labels, scores and boxes",
    "audio-text-to-text": "a reply",
    "image-text-to-text": "a reply",
    "video-text-to-text": "a reply",
}
_MEDIA_OUT = {  # task: (what it makes, what to type)
    "text-to-image": ("image", "describe the image"),
    "text-to-speech": ("audio", "type the text to speak"),
    "text-to-audio": ("audio", "describe the sound"),
    "text-to-video": ("video", "describe the video"),
    "unconditional-image-generation": ("image", "no input (ctrl+j runs it)"),
}
_URL_HINT = "https://… or data:…;base64,…"


@dataclass(frozen=True)
class TaskInput:
    """What one task takes and gives, and how to read typed text into its input."""

    task: str
    """The task name."""
    shape: Shape
    """How typed text maps to the input (see the module's table)."""
    takes: str
    """What to type, in a few words (`an image URL (or a data: URL)`)."""
    gives: str
    """What the answer is (`labels with scores`)."""
    title: str
    """The prompt box's title."""
    placeholder: str
    """What the empty prompt box says."""
    media: str = ""
    """`image`, `audio` or `video` for the tasks that take one."""

    @property
    def note(self) -> str:
        """One line for under the model field: the task, what it takes and gives."""
        return f"{self.task}: {self.takes} → {self.gives}"

    @property
    def needs_text(self) -> bool:
        """Whether something must be typed (unconditional generation takes nothing)."""
        return self.shape != "none"

    @property
    def answers_with_a_link(self) -> bool:
        """Whether the answer is a link to a generated file."""
        return self.task in _MEDIA_OUT

    def read(self, text: str) -> str | dict[str, Any]:
        """The input to send for what was typed.

        Returns:
            The text itself (the client puts it in the task's field), or named fields.

        Raises:
            ValueError: The text is not what the task takes; the message says what is.
        """
        shape = self.shape
        if shape == "text":
            return text
        if shape == "none":
            return ""
        first, _, rest = text.strip().partition("\n")
        first, rest = first.strip(), rest.strip()
        if shape == "media":
            if rest or not _is_url(first):
                raise ValueError(f"{self.task} takes {self.takes}")
            return first
        if shape == "qa":
            if not first or not rest:
                raise ValueError(f"{self.task} takes {self.takes}")
            return {"question": first, "context": rest}
        if shape == "media-chat" and not _is_url(first):
            return text  # a message without a picture (or sound, or video)
        if shape in ("media-qa", "media-chat"):
            if not _is_url(first) or not rest:
                raise ValueError(f"{self.task} takes {self.takes}")
            if shape == "media-qa":
                return {"question": rest, **_media_field(first)}
            part = {"type": self.media, **_media_field(first)}
            content = [part, {"type": "text", "text": rest}]
            return {"messages": [{"role": "user", "content": content}]}
        labels = [label.strip() for label in first.split(",") if label.strip()]
        if not labels or not rest:
            raise ValueError(f"{self.task} takes {self.takes}")
        if shape == "labels":
            return {"candidate_labels": labels, "text": rest}
        if not _is_url(rest) or "\n" in rest:
            raise ValueError(f"{self.task} takes {self.takes}")
        return {"candidate_labels": labels, **_media_field(rest)}


def describe(task: str | None) -> TaskInput | None:
    """What `task` takes and gives; None for the text tasks and the tasks the app does not
    know (the prompt is then sent as typed)."""
    if task is None or task in _TEXT_TASKS or (task not in _GIVES and task not in _MEDIA_OUT):
        return None
    media = _MEDIA_OF.get(task, "")
    a_media = f"{'an' if media[:1] in ('a', 'i') else 'a'} {media}"
    gives = _GIVES.get(task, "")
    if task in _MEDIA_OUT:
        made, takes = _MEDIA_OUT[task]
        gives = f"a link to the {made} (c copies it)"
        if task == "unconditional-image-generation":
            return TaskInput(task, "none", takes, gives, "No input", "Nothing to type: ctrl+j")
        title = "Text to speak" if task == "text-to-speech" else "Description"
        return TaskInput(task, "text", takes, gives, title, f"{takes[0].upper()}{takes[1:]}…")
    if task in ("question-answering",):
        takes = "the question, then the context on the next lines"
        return TaskInput(task, "qa", takes, gives, "Question, then context", "Who…?\nContext…")
    if task.endswith("text-to-text"):
        takes = f"a message (after {a_media} URL line to ask about one)"
        return TaskInput(
            task, "media-chat", takes, "a reply", f"{media.title()} URL, then message",
            f"{_URL_HINT}\nWhat is in it?", media,
        )  # fmt: skip
    if task.endswith("question-answering"):
        takes = f"{a_media} URL, then the question on the next line"
        return TaskInput(
            task, "media-qa", takes, gives, f"{media.title()} URL, then question",
            f"{_URL_HINT}\nWhat does it say?", media,
        )  # fmt: skip
    if task.startswith("zero-shot"):
        what = f"{a_media} URL" if media else "the text"
        takes = f"labels, comma-separated, then {what} on the next line"
        shape: Shape = "media-labels" if media else "labels"
        after = _URL_HINT if media else "The text to classify"
        return TaskInput(
            task, shape, takes, gives, "Labels, then " + ("URL" if media else "text"),
            f"cat, dog, teapot\n{after}", media,
        )  # fmt: skip
    if media:
        takes = f"{a_media} URL (or a data: URL)"
        return TaskInput(task, "media", takes, gives, f"{media.title()} URL", _URL_HINT, media)
    return TaskInput(task, "text", "a text", gives, "Text", "Type a text…")


def _is_url(text: str) -> bool:
    lowered = text.lower()
    return (
        lowered.startswith(("https://", "http://", "data:"))
        and len(text) > 8
        and not any(c.isspace() for c in text)
    )


def _media_field(url: str) -> dict[str, str]:
    return {"base64": url} if url.lower().startswith("data:") else {"url": url}
