"""Outside text made safe: `printable`, `plain`, the line filter, and the rule that keeps
every Static plain (a property test feeds them markup and escape sequences)."""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from textual.color import Color
from textual.content import Content

from bytez_tui.catalogue.index import CatalogueIndex
from bytez_tui.cli.output import Output
from bytez_tui.format import money
from bytez_tui.models import ModelInfo
from bytez_tui.panes.catalogue.header import fit
from bytez_tui.text import cells, json_safe, pad, printable, read_json
from bytez_tui.widgets.plain import ControlFilter, escaped, plain

PACKAGE = Path(__file__).resolve().parents[2] / "bytez_tui"
ACTIVE = ("\x1b", "\x07", "\x9b", "\x90", "\x9d", "\x00", "\x7f")
"""Characters a terminal acts on (ESC, BEL, CSI, DCS, OSC, NUL, DEL)."""

# Server strings: any text, weighted towards control characters, escape sequences and
# Rich/Textual markup, which is what broke the app and the terminal before.
_PIECES = st.sampled_from(
    [
        "\x1b]0;pwned\x07",
        "\x1b]52;c;cHduZWQ=\x07",
        "\x1b[2J",
        "\x9b2J",
        "\x1bP+q\x1b\\",
        "[/INST]",
        "[/]",
        "[b]",
        "[@click=app.quit]x[/]",
        "[link=http://x]y[/link]",
        "\r",
        "\r\n",
        "\n",
        "\t",
        "日本",
        "👨\u200d👩\u200d👧",
        "\ud800",
    ]
)
SERVER_TEXT = st.lists(
    st.one_of(_PIECES, st.text(alphabet=st.characters(codec=None), max_size=8)), max_size=12
).map("".join)


def _active(text: str) -> list[str]:
    return [character for character in ACTIVE if character in text]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("org/model", "org/model"),
        ("id\x1b]0;title\x07", "id^[]0;title^G"),
        ("\x1b[2J", "^[[2J"),
        ("\x9b2J", "^[[2J"),
        ("a\x7fb", "a^?b"),
        ("line\r\nnext\r", "line\nnext"),
        ("over\rwrite", "over^Mwrite"),
        ("tab\tnew\nline", "tab\tnew\nline"),
        ("\ud800", "\ufffd"),
        ("[/INST]", "[/INST]"),
    ],
)
def test_printable_shows_controls_in_caret_notation(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_one_line_turns_line_breaks_into_spaces() -> None:
    assert printable("a\tb\r\nc\nd\x1b", one_line=True) == "a b c d^["


def test_widths_count_cells() -> None:
    assert cells("日本語") == 6
    assert cells("👨\u200d👩\u200d👧") == 2
    assert pad("日本", 6) == "日本  "
    assert pad("ab", 4, "right") == "  ab"
    assert fit("日本語のモデル", 8) == "日本語 …"  # a wide character never split
    assert cells(fit("日本語のモデル", 9)) == 9


def test_json_safe_keeps_the_value() -> None:
    value = {"id": "\x9b2J\ud800\x1b é"}
    document = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(document) == value
    assert not _active(document)


@settings(max_examples=300, deadline=None)
@given(SERVER_TEXT)
def test_outside_text_never_reaches_the_terminal(text: str) -> None:
    """Whatever the server sends, a row, a toast's content and a CLI line render without
    raising, and hold no character the terminal would act on."""
    shown = printable(text)
    assert not _active(shown)
    assert printable(shown) == shown  # nothing left to escape
    shown.encode("utf-8")  # printable for real: no lone surrogate

    row = fit(printable(text, one_line=True), 24)  # a catalogue row's id column
    assert cells(row) == 24 and "\n" not in row
    for content in (plain(text, one_line=True), plain(text)):  # a cell, a toast
        rendered = "".join(segment.text for segment in content.render_segments())
        assert not _active(rendered)

    stdout, stderr = io.StringIO(), io.StringIO()
    out = Output(stdout=stdout, stderr=stderr)
    out.line(text)
    out.fragment(text)
    out.end_line()
    out.error(text)
    out.narrate(text)
    out.json({"name": text})
    written = stdout.getvalue() + stderr.getvalue()
    assert not _active(written)
    written.encode("utf-8")
    assert json.loads(stdout.getvalue().split("\n")[-2]) == {"name": text}


@settings(max_examples=100, deadline=None)
@given(SERVER_TEXT)
def test_the_line_filter_drops_what_a_widget_let_through(text: str) -> None:
    segments = [Segment("x"), Segment(text), Segment("y")]
    filtered = ControlFilter().apply(segments, Color(0, 0, 0))
    drawn = "".join(segment.text for segment in filtered)
    assert not _active(drawn)
    assert Segment.get_line_length(filtered) == Segment.get_line_length(segments)


@settings(max_examples=200, deadline=None)
@given(SERVER_TEXT)
def test_escaped_text_reads_as_itself_where_textual_reads_markup(text: str) -> None:
    """The command palette reads its prompts and help as markup: a profile named
    `[/INST]` in config.toml stopped the app (MarkupError)."""
    content = Content.from_markup(escaped(text))
    assert content.plain == printable(text, one_line=True)


def test_json_nested_too_deep_is_unreadable_json() -> None:
    """Python's parser raises RecursionError there, which no reader caught."""
    with pytest.raises(json.JSONDecodeError, match="nested too deep"):
        read_json("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ValueError):
        read_json(b"{" * 100_000)
    assert read_json('{"a": [1]}') == {"a": [1]}


@pytest.mark.parametrize(
    ("dollars", "shown"),
    [(float("inf"), "—"), (float("nan"), "—"), (-5.0, "-$5.00"), (1e15, "$1,000,000,000,000,000")],
)
def test_money_never_reads_inf_or_nan(dollars: float, shown: str) -> None:
    assert money(dollars) == shown


def test_a_markup_model_name_is_not_markup() -> None:
    index = CatalogueIndex.from_models([ModelInfo("aaa/[/INST]-model", 1.0, True)])
    content = plain(index.names[0])
    assert isinstance(content, Content)
    assert content.plain == "aaa/[/INST]-model"


# --- the rule, kept by reading the source ---------------------------------------------


def _sources() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(PACKAGE.rglob("*.py"))
        if "emulator" not in path.parts
    ]


def _markup_false(call: ast.Call) -> bool:
    return any(
        keyword.arg == "markup"
        and isinstance(keyword.value, ast.Constant)
        and keyword.value.value is False
        for keyword in call.keywords
    )


def _is_super_init(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "__init__"
        and isinstance(node.func.value, ast.Call)
        and isinstance(node.func.value.func, ast.Name)
        and node.func.value.func.id == "super"
    )


def test_every_static_and_label_is_plain_text() -> None:
    """A `Static` or `Label` reads markup unless told not to: every one in the app is
    built with `markup=False` (a subclass passes it up), so an update with server text
    can never be read as markup. Our own markup goes through `Content.from_markup` on
    a literal."""
    found = []
    for path, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(base, ast.Name) and base.id in ("Static", "Label") for base in node.bases
            ):
                supers = [call for call in ast.walk(node) if _is_super_init(call)]
                if not supers or not all(_markup_false(call) for call in supers):  # type: ignore[arg-type]
                    found.append(f"{path.name}:{node.lineno} {node.name} is not built plain")
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name in ("Static", "Label") and not _markup_false(node):
                found.append(f"{path.name}:{node.lineno} {name}(…) without markup=False")
            if isinstance(node.func, ast.Attribute) and node.func.attr == "from_markup":
                if not (node.args and isinstance(node.args[0], ast.Constant)):
                    found.append(f"{path.name}:{node.lineno} from_markup on a non-literal")
    assert not found, "\n".join(found)
