"""What each v2 task takes and gives, and how typed text becomes its input (no UI)."""

from __future__ import annotations

import pytest

from bytez_tui.api.v2 import input_body
from bytez_tui.catalogue.tasks import describe
from bytez_tui.emulator.v2.catalogue import TASKS, input_fields

IMAGE = "https://example.com/cat.png"


def test_text_tasks_take_the_prompt_as_typed() -> None:
    for task in ("chat", "text-generation", "summarization", "translation", None, "any-to-any"):
        assert describe(task) is None


def test_every_other_documented_task_is_described() -> None:
    described = {task for task in TASKS if describe(task) is not None}
    assert len(described) == 29  # the 34 less the five text tasks
    for task in described:
        spec = describe(task)
        assert spec is not None and spec.note.startswith(f"{task}: ")


DATA = "data:audio/wav;base64,UklG"
SPORT = "The match ended 2-1."


@pytest.mark.parametrize(
    ("task", "typed", "sent"),
    [
        ("text-to-image", "a cat on a roof", "a cat on a roof"),
        ("unconditional-image-generation", "", ""),
        ("image-classification", f"  {IMAGE}\n", IMAGE),
        ("automatic-speech-recognition", DATA, DATA),
        ("question-answering", "Who?\nRon.\nAnn.", {"question": "Who?", "context": "Ron.\nAnn."}),
        ("visual-question-answering", f"{IMAGE}\nWhat?", {"question": "What?", "url": IMAGE}),
        (
            "zero-shot-classification",
            f"sport, politics\n{SPORT}",
            {"candidate_labels": ["sport", "politics"], "text": SPORT},
        ),
        (
            "zero-shot-image-classification",
            f"cat,dog\n{IMAGE}",
            {"candidate_labels": ["cat", "dog"], "url": IMAGE},
        ),
        ("image-text-to-text", "Hello there", "Hello there"),
        ("text-classification", "I love it", "I love it"),
    ],
)
def test_typed_text_becomes_the_tasks_input(task: str, typed: str, sent: object) -> None:
    spec = describe(task)
    assert spec is not None
    assert spec.read(typed) == sent
    # What the client then sends is a field the emulator (and the reference) expects.
    body = input_body(task, spec.read(typed))
    accepted = set(input_fields(task)) | {"input"}
    assert set(body) <= accepted or task == "image-text-to-text"


def test_a_media_message_sends_both_parts() -> None:
    spec = describe("image-text-to-text")
    assert spec is not None
    assert spec.read(f"{IMAGE}\nWhat is in it?") == {
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "image", "url": IMAGE},
                    {"type": "text", "text": "What is in it?"},
                ],
            }
        ]
    }


@pytest.mark.parametrize(
    ("task", "typed"),
    [
        ("image-classification", "a photo of a cat"),
        ("image-classification", f"{IMAGE}\nand more"),
        ("image-classification", "https://"),
        ("question-answering", "Who?"),
        ("visual-question-answering", "What is it?"),
        ("zero-shot-classification", "sport, politics"),
        ("zero-shot-image-classification", "cat, dog\nnot a url"),
        ("image-text-to-text", IMAGE),
    ],
)
def test_what_a_task_cannot_take_is_refused_with_what_it_takes(task: str, typed: str) -> None:
    spec = describe(task)
    assert spec is not None
    with pytest.raises(ValueError) as refused:
        spec.read(typed)
    assert str(refused.value) == f"{task} takes {spec.takes}"


def test_media_outputs_are_links_and_unconditional_generation_needs_no_text() -> None:
    image = describe("text-to-image")
    none = describe("unconditional-image-generation")
    assert image is not None and none is not None
    assert image.answers_with_a_link and "c copies it" in image.note
    assert image.needs_text and not none.needs_text
    assert describe("image-to-text") is not None
    assert not describe("image-to-text").answers_with_a_link  # type: ignore[union-attr]
