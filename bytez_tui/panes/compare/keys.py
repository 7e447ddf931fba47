"""The Compare pane's keys and command-palette entries (each rebindable by its id).

Columns are lettered A, B, C: `a` `b` `c` go to a column, `A` `B` `C` mark it the winner
(outside a text field), and `alt+a` `alt+b` `alt+c` stop it alone (from anywhere). Under
100 columns, where the columns are tabs, `tab` and `shift+tab` also cross from one column
to the next.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from bytez_tui.comparing import LETTERS

__all__ = ["BINDINGS", "PALETTE"]

BINDINGS: list[BindingType] = [
    Binding("ctrl+j", "run", "Run all", id="compare-run", tooltip="Run the prompt on every model"),
    Binding(
        "alt+enter",
        "run",
        "Run all",
        id="compare-run-alt",
        show=False,
        tooltip="Run the prompt on every model (where the terminal reports alt+enter)",
    ),
    Binding(
        "escape",
        "stop",
        "Stop all",
        id="compare-stop",
        tooltip="Stop every column at once (what arrived stays)",
    ),
    Binding(
        "i",
        "edit_prompt",
        "Prompt",
        id="compare-edit-prompt",
        tooltip="Put the cursor in the shared prompt",
    ),
    *[
        Binding(
            letter.lower(),
            f"show_column({index})",
            f"Column {letter}",
            id=f"compare-column-{letter.lower()}",
            show=False,
            tooltip=f"Go to column {letter}: its model field while empty, else its output"
            " (under 100 columns, its tab; a click on the tab does the same)",
        )
        for index, letter in enumerate(LETTERS)
    ],
    Binding(
        "tab",
        "cross_column(1)",
        "Next column",
        id="compare-next-column",
        show=False,
        tooltip="Under 100 columns: from the last field of a column on to the next column",
    ),
    Binding(
        "shift+tab",
        "cross_column(-1)",
        "Previous column",
        id="compare-previous-column",
        show=False,
        tooltip="Under 100 columns: from the first field of a column back to the one before",
    ),
    *[
        Binding(
            letter,
            f"mark_winner({index})",
            "Winner",
            id=f"compare-winner-{letter.lower()}",
            show=index == 0,
            tooltip=f"Mark column {letter} the winner (again: no winner); saved with it",
        )
        for index, letter in enumerate(LETTERS)
    ],
    *[
        Binding(
            f"alt+{letter.lower()}",
            f"stop_column({index})",
            f"Stop {letter}",
            id=f"compare-stop-{letter.lower()}",
            show=False,
            priority=True,
            tooltip=f"Stop column {letter} alone (the others go on)",
        )
        for index, letter in enumerate(LETTERS)
    ],
    Binding(
        "ctrl+t",
        "toggle_chat",
        "Chat",
        id="compare-toggle-chat",
        tooltip="One shared conversation (each model keeps its own replies), or one-shot prompts",
    ),
    Binding(
        "ctrl+n",
        "new_chat",
        "New chat",
        id="compare-new-chat",
        show=False,
        tooltip="Start a new shared conversation with the next message (chat mode)",
    ),
    Binding(
        "ctrl+l",
        "load_models",
        "Load",
        id="compare-load",
        show=False,
        tooltip="Load the models that are not running (one dialog, the total cost)",
    ),
    Binding(
        "ctrl+up",
        "history_older",
        "Older",
        id="compare-history-older",
        show=False,
        tooltip="Reopen the previous saved comparison",
    ),
    Binding(
        "ctrl+down",
        "history_newer",
        "Newer",
        id="compare-history-newer",
        show=False,
        tooltip="Reopen the next saved comparison, or return to what you were typing",
    ),
    Binding(
        "ctrl+o",
        "copy_column",
        "Copy",
        id="compare-copy",
        show=False,
        tooltip="Copy the text of the column with the focus",
    ),
    Binding(
        "ctrl+o",
        "copy_reply",
        "Copy reply",
        id="compare-copy-reply",
        show=False,
        tooltip="Copy the last reply of the column with the focus (chat mode)",
    ),
    Binding(
        "ctrl+s",
        "export",
        "Export",
        id="compare-export",
        tooltip="Save the comparison as a side-by-side Markdown file in the data dir",
    ),
]
PALETTE: list[tuple[str, str, str]] = [
    ("Compare: run all", "Run the prompt on every model", "run"),
    ("Compare: stop all", "Stop every column", "stop"),
    ("Compare: chat mode on/off", "One shared conversation, or one-shot prompts", "toggle_chat"),
    ("Compare: load models", "Load the models that are not running", "load_models"),
    ("Compare: export Markdown", "Save the comparison side by side", "export"),
    ("Compare: older comparison", "Reopen the previous saved comparison", "history_older"),
]
"""(title, help, action name) entries offered in the command palette."""
