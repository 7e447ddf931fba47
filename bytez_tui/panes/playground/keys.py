"""The playground's keys and command-palette entries (each rebindable by its id)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

__all__ = ["BINDINGS", "PALETTE"]

BINDINGS: list[BindingType] = [
    Binding("ctrl+j", "run", "Run", id="playground-run", tooltip="Run the prompt"),
    Binding(
        "alt+enter",
        "run",
        "Run",
        id="playground-run-alt",
        show=False,
        tooltip="Run the prompt (where the terminal reports alt+enter)",
    ),
    Binding("ctrl+j", "send", "Send", id="playground-send", tooltip="Send the message (chat mode)"),
    Binding(
        "alt+enter",
        "send",
        "Send",
        id="playground-send-alt",
        show=False,
        tooltip="Send the message (chat mode, where the terminal reports alt+enter)",
    ),
    Binding(
        "escape",
        "stop",
        "Stop",
        id="playground-stop",
        tooltip="Stop the running stream at once (partial output stays)",
    ),
    Binding(
        "ctrl+c",
        "stop",
        "Stop",
        id="playground-stop-ctrl-c",
        show=False,
        # Ahead of the prompt's own ctrl+c (copy) while a run is under way; otherwise
        # the pane's check lets the key through to it.
        priority=True,
        tooltip="Stop the running stream, as in chat TUIs (copies a selection otherwise)",
    ),
    Binding(
        "i",
        "edit_prompt",
        "Prompt",
        id="playground-edit-prompt",
        tooltip="Put the cursor in the prompt (or the model field if no model is chosen)",
    ),
    Binding(
        "ctrl+g",
        "toggle_params",
        "Params",
        id="playground-toggle-params",
        show=False,
        tooltip="Show or hide the params panel (hidden at first in small terminals)",
    ),
    Binding(
        "ctrl+t",
        "toggle_chat",
        "Chat",
        id="playground-toggle-chat",
        tooltip="Hold a conversation with the model, or go back to one-shot runs",
    ),
    Binding(
        "ctrl+n",
        "new_chat",
        "New chat",
        id="playground-new-chat",
        show=False,
        tooltip="Start a new conversation with the next message (chat mode)",
    ),
    Binding(
        "ctrl+r",
        "regenerate",
        "Regenerate",
        id="playground-regenerate",
        show=False,
        tooltip="Ask for the last reply again (chat mode)",
    ),
    Binding(
        "alt+up",
        "edit_last",
        "Edit last",
        id="playground-edit-last",
        show=False,
        tooltip="Take your last message back to edit and send again (chat mode)",
    ),
    Binding(
        "alt+o",
        "copy_code",
        "Copy code",
        id="playground-copy-code",
        show=False,
        tooltip="Copy the last code block of the last reply (chat mode)",
    ),
    Binding(
        "alt+l",
        "conversations",
        "Conversations",
        id="playground-conversations",
        show=False,
        tooltip="List the stored conversations: reopen, rename or delete one",
    ),
    Binding(
        "ctrl+f",
        "toggle_stream",
        "Stream on/off",
        id="playground-toggle-stream",
        show=False,
        tooltip="Stream the answer as it comes, or wait for it whole",
    ),
    Binding(
        "ctrl+up",
        "history_older",
        "Older run",
        id="playground-history-older",
        show=False,
        tooltip="Recall the previous run's model, prompt and params",
    ),
    Binding(
        "ctrl+down",
        "history_newer",
        "Newer run",
        id="playground-history-newer",
        show=False,
        tooltip="Recall the next run, or return to what you were typing",
    ),
    Binding(
        "ctrl+o",
        "copy_output",
        "Copy output",
        id="playground-copy-output",
        tooltip="Copy the whole output to the clipboard",
    ),
    Binding(
        "c",
        "copy_output",
        "Copy output",
        id="playground-copy-output-c",
        show=False,
        # Typed text in the model, prompt or params fields: `c` reaches the pane only
        # from the output (where the pane puts the focus), e.g. to copy a generated link.
        tooltip="Copy the whole output (or the link a text-to-image run gives) from the output",
    ),
    Binding(
        "ctrl+s",
        "save_output",
        "Save output",
        id="playground-save-output",
        show=False,
        tooltip="Save the whole output to a file in the data dir",
    ),
    Binding(
        "ctrl+l",
        "load_model",
        "Load model",
        id="playground-load-model",
        show=False,
        tooltip="Load the chosen model; a waiting run starts once it is RUNNING",
    ),
]
PALETTE: list[tuple[str, str, str]] = [
    ("Playground: run", "Run the prompt on the chosen model", "run"),
    ("Chat: send", "Send the message (chat mode)", "send"),
    ("Playground: stop", "Stop the running stream", "stop"),
    ("Playground: copy output", "Copy the whole output", "copy_output"),
    ("Playground: save output", "Save the output to a file", "save_output"),
    ("Playground: load model", "Load the chosen model", "load_model"),
    ("Playground: params panel", "Show or hide the params panel", "toggle_params"),
    ("Playground: chat mode on/off", "Hold a conversation, or run one prompt", "toggle_chat"),
    ("Playground: new chat", "Start a new conversation", "new_chat"),
    ("Chat: conversations", "Reopen, rename or delete a conversation", "conversations"),
    ("Chat: regenerate", "Ask for the last reply again", "regenerate"),
    ("Chat: edit last message", "Take your last message back to edit and resend", "edit_last"),
    ("Chat: copy code block", "Copy the last code block of the last reply", "copy_code"),
    ("Playground: stream on/off", "Stream the answer, or wait for it whole", "toggle_stream"),
]
"""(title, help, action name) entries offered in the command palette."""
