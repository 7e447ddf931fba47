"""A hostile API: the emulator behind a front that serves bad answers by path.

Each case is a base URL: `http://127.0.0.1:PORT/<case>` makes every request to
`/<case>/model/<endpoint>` answer with the case's canned answer for that endpoint,
and anything the case leaves alone is passed to the real emulator underneath (with
the prefix taken off), so the rest of the app keeps working around the bad answer.
The bad answers are the ones a hostile-input pass found: Rich markup closing tags
(Llama prompts end in `[/INST]`), terminal control sequences (retitle, OSC 52
clipboard write, clear screen, C1 CSI), CJK and emoji ids, and lone surrogates.

Serve it by hand to look at the dashboard (`PYTHONPATH=tests python -m hostile
--port 8111`, then `bytez-tui --base-url http://127.0.0.1:8111/names`).
"""

from __future__ import annotations

import argparse
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from bytez_tui.emulator import EmulatorServer

RETITLE = "\x1b]0;pwned\x07"
"""OSC 0: sets the terminal window's title."""
CLIPBOARD = "\x1b]52;c;cHduZWQ=\x07"
"""OSC 52: writes `pwned` to the system clipboard."""
CLEAR = "\x1b[2J"
"""CSI 2 J: clears the screen."""
C1_CLEAR = "\x9b2J"
"""The same, with the one-character C1 CSI."""
CONTROLS = (RETITLE, CLIPBOARD, CLEAR, C1_CLEAR)
"""Every control sequence the cases carry; none may reach the terminal."""
MARKUP = "Prompt must end with [/INST]"
"""A real error message that is also a Rich markup closing tag."""
HOSTILE_TEXT = (
    f"{MARKUP} [b]bold[/b] [@click=app.quit]quit[/] {RETITLE}{CLIPBOARD}{CLEAR}{C1_CLEAR}"
)
"""Markup and every control sequence in one string."""
MARKUP_MODEL = "aaa/[/INST]-model"
"""A model id that is a markup closing tag."""
HOSTILE_MODELS = (
    MARKUP_MODEL,
    f"org/{RETITLE}title",
    f"org/{CLIPBOARD}clip",
    f"org/{CLEAR}clear",
    f"org/{C1_CLEAR}c1",
    "org/日本語のモデル",
    "org/👨\u200d👩\u200d👧-family",
    "org/\ud800-surrogate",
)
"""Catalogue ids, first the markup one (it sorts first, so it is highlighted)."""


@dataclass(frozen=True)
class Answer:
    """A canned answer."""

    status: int = 200
    """HTTP status."""
    body: Any = None
    """A JSON value, or `bytes` sent as they are."""
    fragments: tuple[str, ...] = ()
    """A raw text stream (`run` with `stream: true`) instead of `body`."""
    headers: dict[str, str] = field(default_factory=dict)
    """Extra headers."""

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode("utf-8", "surrogatepass")


_CREATED = "2024-07-01T11:50:00.000Z"
_EXPIRES = "2024-07-01T12:10:00.000Z"


def _instance(model: str, status: str = "RUNNING", error: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "model": model,
        "status": status,
        "concurrency": 1,
        "inferences": 3,
        "expirationPeriodSeconds": 900,
        "expiresAt": _EXPIRES,
        "created": _CREATED,
        "modified": _CREATED,
    }
    if error is not None:
        body["error"] = error
    return body


def _error(status: int, text: str = HOSTILE_TEXT) -> Answer:
    return Answer(status, {"error": text})


_CATALOGUE = [
    {"name": name, "requiredRAM": 1.5 + index, "benchmarked": True}
    for index, name in enumerate(HOSTILE_MODELS)
]

CASES: dict[str, dict[str, Answer]] = {
    # A catalogue, instances and jobs whose ids and words are markup and controls.
    "names": {
        "list": Answer(body=_CATALOGUE),
        "instances": Answer(
            body=[
                _instance(HOSTILE_MODELS[0]),
                _instance(HOSTILE_MODELS[1], status=f"RUNNING{CLEAR}"),
                _instance(HOSTILE_MODELS[5]),
                _instance(HOSTILE_MODELS[6], status="FAILED", error=HOSTILE_TEXT),
            ]
        ),
        "status": Answer(body=_instance(HOSTILE_MODELS[1], status="FAILED", error=HOSTILE_TEXT)),
        "job": Answer(body={"model": "org/name", "success": True, "message": HOSTILE_TEXT}),
        "run": Answer(fragments=("Hello ", RETITLE, "[/INST] ", CLIPBOARD, "world", CLEAR)),
    },
    # The same error body from every endpoint: a 400 the client does not retry.
    "errors": {
        endpoint: _error(400)
        for endpoint in ("list", "instances", "job", "load", "status", "run", "delete")
    },
    # The key is refused, and the refusal is hostile.
    "auth": {
        endpoint: _error(401)
        for endpoint in ("list", "instances", "job", "load", "status", "run", "delete")
    },
    # A stream that ends in an error fragment holding markup and controls.
    "stream-error": {
        "status": Answer(body=_instance("org/name")),
        "run": Answer(
            fragments=("Partial ", "answer ", f"Error: prompt must end with [/INST] {RETITLE}")
        ),
    },
    # A body that is not JSON at all: control bytes and invalid UTF-8.
    "garbage": {
        endpoint: Answer(500, f"<html>{RETITLE}{CLEAR}</html>\xff".encode("latin-1"))
        for endpoint in ("list", "instances", "job", "load", "status", "delete")
    },
}
"""Case name → endpoint → the answer served in place of the emulator's."""


class HostileFront:
    """ASGI app: the cases in front of the emulator's app."""

    def __init__(self, emulator: Starlette) -> None:
        self.emulator = emulator
        self.state = emulator.state
        """The emulator's state (`EmulatorServer.reset` swaps its world here)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.emulator(scope, receive, send)
            return
        case, _, rest = scope["path"].lstrip("/").partition("/")
        endpoint = rest.rpartition("/")[2]
        answer = CASES.get(case, {}).get(endpoint)
        if answer is None:  # any other first segment (`/plain/…`) is the emulator as it is
            path = "/" + rest
            await self.emulator({**scope, "path": path, "raw_path": path.encode()}, receive, send)
            return
        streamed = await _wants_stream(receive) and bool(answer.fragments)
        kind = b"text/event-stream" if streamed else b"application/json"
        headers = [
            (b"content-type", kind),
            *((k.encode(), v.encode()) for k, v in answer.headers.items()),
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        if streamed:
            for fragment in answer.fragments:
                body = fragment.encode("utf-8", "surrogatepass")
                await send({"type": "http.response.body", "body": body, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        elif answer.fragments:
            text = "".join(answer.fragments)
            await send(
                {
                    "type": "http.response.body",
                    "body": json.dumps({"output": [{"generated_text": text}]}).encode(),
                }
            )
        else:
            await send({"type": "http.response.body", "body": answer.encoded()})


async def _wants_stream(receive: Receive) -> bool:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    try:
        return bool(json.loads(body or b"{}").get("stream"))
    except (ValueError, AttributeError):
        return False


class HostileServer(EmulatorServer):
    """An `EmulatorServer` whose answers go through `HostileFront`: use `case_url(name)`."""

    def __init__(self, **kwargs: Any) -> None:
        # v1 only: the cases replace v1 answers, and a client on `api="auto"` that found
        # v2 routes behind them would never ask for those.
        super().__init__(**{"api": "v1", **kwargs})
        self.app = HostileFront(self.app)  # type: ignore[assignment]

    def case_url(self, case: str) -> str:
        """The base URL that serves `case`."""
        return f"{self.url}/{case}"


def main() -> None:
    """Serve the hostile API in the foreground until Ctrl+C."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8111)
    port = parser.parse_args().port
    server = HostileServer(port=port)
    server.start()
    print(f"cases: {', '.join(f'{server.url}/{case}' for case in CASES)}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
