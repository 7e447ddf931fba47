"""Where a streaming Markdown reply is cut into pieces drawn apart: only between top-level
blocks, never inside a code block or a list, and the same however the text arrives."""

from __future__ import annotations

from bytez_tui.panes.playground.turns import BlockSplitter, split_blocks


def streamed(text: str, size: int, min_lines: int) -> list[str]:
    """The pieces `text` makes when it arrives `size` characters at a time."""
    splitter = BlockSplitter(min_lines)
    pieces = [""]
    for start in range(0, len(text), size):
        first, *rest = splitter.feed(text[start : start + size])
        pieces[-1] += first
        pieces.extend(rest)
    return pieces


def test_paragraphs_are_cut_between_blocks_once_a_piece_is_long_enough() -> None:
    text = "a\nb\n\nc\n\nd\ne\n\n# f\n"
    assert split_blocks(text, 3) == ["a\nb\n\n", "c\n\nd\ne\n\n", "# f\n"]


def test_a_short_reply_is_one_piece() -> None:
    assert split_blocks("Hello **there**.\n\n| a |\n|---|\n| 1 |\n") == [
        "Hello **there**.\n\n| a |\n|---|\n| 1 |\n"
    ]


def test_no_cut_inside_a_fenced_code_block() -> None:
    text = "```python\nx = 1\n\ny = 2\n~~~\n\nz = 3\n```\n\nafter\n"
    assert split_blocks(text, 1) == ["```python\nx = 1\n\ny = 2\n~~~\n\nz = 3\n```\n\n", "after\n"]


def test_a_longer_closing_fence_closes_and_a_shorter_one_does_not() -> None:
    text = "````\n```\n\nstill code\n`````\n\nafter\n"
    assert split_blocks(text, 1) == ["````\n```\n\nstill code\n`````\n\n", "after\n"]


def test_no_cut_before_what_may_carry_on_the_block_above() -> None:
    text = "p\n\n- one\n\n- two\n\n    indented\n\n1. first\n\n> quote\n\n* star\n"
    assert split_blocks(text, 1) == [text]


def test_the_cuts_are_the_same_however_the_text_arrives() -> None:
    text = "".join(
        f"## Step {n}\n\nSome text with `code`.\n\n- a\n- b\n\n```py\nx = {n}\n\ny\n```\n\n"
        f"| a | b |\n|---|---|\n| {n} | 2 |\n\n"
        for n in range(30)
    )
    whole = split_blocks(text, 12)
    assert "".join(whole) == text and len(whole) > 5
    for size in (1, 3, 7, 64, 500):
        assert streamed(text, size, 12) == whole
