"""Text from outside (the server, a file, the user) made safe to show.

Such text is data. A model id, an error body or a stream fragment may hold
terminal control characters: `ESC ] 0 ; … BEL` retitles the window, `ESC ] 52 ;`
writes the clipboard, `ESC [ 2 J` clears the screen. `printable` shows each C0
and C1 control character (other than newline and tab) in caret notation, as `gh`
does, so the user sees that something odd was sent and the terminal never acts
on it. Both front ends pass every outside string through it before it is drawn
or printed; `--json` output is left alone, as JSON escapes C0 controls itself.

Columns are measured in terminal cells (`cells`, `pad`), not characters: a CJK
character or an emoji sequence takes two cells.

This module imports neither Textual nor httpx: the CLI uses it too.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

__all__ = ["cells", "json_safe", "pad", "printable", "read_json"]

_UNSAFE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
"""Characters a terminal may act on: C0 and C1 controls and DEL, plus lone surrogates
(from undecodable bytes), which cannot be encoded for output at all. Newline (0x0a)
is in the class so that `one_line` can replace it; `printable` keeps it."""


def _caret(character: str) -> str:
    """`ESC` → `^[`, `BEL` → `^G`, DEL → `^?`, CSI (0x9b) → `^[[`; a surrogate → `�`."""
    code = ord(character)
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    if code <= 0x9F:
        return "^[" + chr(code - 0x40)
    return "\ufffd"


def printable(text: str, *, one_line: bool = False) -> str:
    """`text` with every control character shown visibly instead of acted on.

    Newline and tab are kept (`one_line` turns them into spaces, for a row or a
    title); a carriage return before a newline, or at the very end (a stream
    fragment may end between the two), is dropped; any other is shown as `^M`.

    Args:
        text: A string from the server, a file or the user.
        one_line: The text must fit on one line.

    Returns:
        The text, safe to draw or print; unchanged when it was already safe.
    """
    if one_line:
        if "\t" in text:
            text = text.replace("\t", " ")
        if "\r" in text:
            text = text.replace("\r\n", " ").replace("\r", " ")
        if "\n" in text:
            text = text.replace("\n", " ")
    if not _UNSAFE.search(text):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").removesuffix("\r")
    return _UNSAFE.sub(lambda match: "\n" if match[0] == "\n" else _caret(match[0]), text)


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\ud800-\udfff]")
"""What `json.dumps(ensure_ascii=False)` leaves raw but a terminal may act on (C1
controls, DEL) or cannot encode (lone surrogates). JSON escapes C0 controls itself."""


def json_safe(document: str) -> str:
    """A JSON document (as written by `json.dumps(ensure_ascii=False)`) with C1
    controls, DEL and lone surrogates written as `\\uXXXX` escapes: the same JSON
    value, but nothing a terminal acts on and nothing that cannot be encoded."""
    if not _JSON_UNSAFE.search(document):
        return document
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match[0]):04x}", document)


def read_json(document: str | bytes, **options: Any) -> Any:
    """`json.loads` for a document from outside (a server's answer, a file, a paste).

    Python's parser recurses once per level of nesting, so `[[[[…` a hundred thousand
    deep raises `RecursionError`, which no reader expects: a server's answer or a damaged
    `dashboard-state.json` stopped both front ends with "unexpected error". Here it is
    what it is, JSON that cannot be read.

    Args:
        document: The JSON text.
        **options: Passed to `json.loads` (`object_hook`, `parse_constant` …).

    Raises:
        json.JSONDecodeError: The document is not JSON, or nested too deep to read (a
            `ValueError`, as every reader already catches).
    """
    try:
        return json.loads(document, **options)
    except RecursionError:
        text = document if isinstance(document, str) else ""
        raise json.JSONDecodeError("nested too deep to read", text, 0) from None


def cells(text: str) -> int:
    """How many terminal cells `text` takes (a CJK character or an emoji takes two)."""
    from rich.cells import cell_len  # only tables need it: kept off the CLI's start

    return cell_len(text)


def pad(text: str, width: int, align: Literal["left", "right"] = "left") -> str:
    """`text` padded with spaces to `width` cells (never cut)."""
    gap = " " * max(0, width - cells(text))
    return text + gap if align == "left" else gap + text
