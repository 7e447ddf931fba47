"""A hostile API: the emulator behind a front that serves bad answers by path.

Each case is a base URL: `http://127.0.0.1:PORT/<case>` makes every request to
`/<case>/model/<endpoint>` answer with the case's canned answer for that endpoint,
and anything the case leaves alone is passed to the real emulator underneath (with
the prefix taken off), so the rest of the app keeps working around the bad answer.
The bad answers are the ones a hostile-input pass found: Rich markup closing tags
(Llama prompts end in `[/INST]`), terminal control sequences (retitle, OSC 52
clipboard write, clear screen, C1 CSI), CJK and emoji ids, and lone surrogates.

`CASES` speak v1 (`/<case>/model/…`; v2's routes answer 404 there, so a client on
`api="auto"` finds v1), `V2_CASES` speak v2 (`/<case>/models/v2/…`): task names,
prices, `inference-*` run costs, chat replies holding Markdown, and v2's error shapes.

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
    """Extra headers (sent as Latin-1, so a C1 control goes as its one byte)."""

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


DEEP_JSON = b"[" * 100_000 + b"]" * 100_000
"""Valid JSON that no recursive parser reads: a list in a list, a hundred thousand deep."""

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
    # JSON nested a hundred thousand deep: Python's parser gives up with RecursionError.
    "deep": {
        endpoint: Answer(body=DEEP_JSON)
        for endpoint in ("list", "instances", "job", "load", "status", "run", "delete")
    },
}
"""Case name → endpoint → the answer served in place of the emulator's (v1)."""

# --- v2 ----------------------------------------------------------------------------------

HOSTILE_TASK = f"chat[/INST]{RETITLE}"
"""A v2 task name that is markup and a control sequence."""
HOSTILE_REPLY = (
    f"# Heading [/INST] {RETITLE}\n\n"
    f"**bold** [b]not bold[/b] [a link](http://example.com/{CLIPBOARD}) `code {CLEAR}`\n\n"
    f"```\nin a fence {C1_CLEAR} {CLIPBOARD}\n```\n\n"
    f"| col [/INST] | {RETITLE} |\n|---|---|\n| [@click=app.quit]x[/] | {CLEAR} |\n"
)
"""A chat reply in Markdown whose every part (heading, link, code, fence, table) holds
markup and control sequences."""
HOSTILE_FRAGMENTS = (
    "# Heading [/INST] ",
    RETITLE,
    "\n\nHello ",
    CLIPBOARD,
    "[a link](http://example.com/",
    CLEAR,
    ") `code ",
    C1_CLEAR,
    "`\n\n```\nfence ",
    RETITLE,
    "\n```\n\n| col [/INST] | [b]x[/b] |\n|---|---|\n| [@click=app.quit]q[/] | ",
    CLEAR,
    " |\n",
)
"""The same kind of reply, streamed in pieces that split the sequences' surroundings."""
HOSTILE_METER = "sm[/INST]\x9b2J"
"""An `inference-meter` header with markup and a C1 CSI (HTTP cannot carry ESC)."""


def _envelope(output: Any = None, error: Any = None) -> dict[str, Any]:
    return {"error": error, "output": output}


def _v2_model(
    model: str, task: str = "chat", price: Any = "0.0006478333 / sec", **more: Any
) -> dict[str, Any]:
    return {
        "modelId": model,
        "task": task,
        "params": 7.24,
        "ramRequired": 29,
        "meter": f"sm-lm{CLEAR}",
        "meterPrice": price,
        **more,
    }


def _cluster(model: str, status: str = "running", **more: Any) -> dict[str, Any]:
    return {
        "modelId": model,
        "status": status,
        "created": _CREATED,
        "modified": _CREATED,
        "timeout": 10,
        "capacity": {"min": 0, "desired": 1, "max": 1},
        "instances": 1,
        "inferences": 3,
        "lastInference": _CREATED,
        **more,
    }


_V2_CATALOGUE = _envelope(
    [
        _v2_model(MARKUP_MODEL),
        _v2_model("org/name"),
        _v2_model(f"org/{RETITLE}title", task=HOSTILE_TASK),
        _v2_model(f"org/{CLIPBOARD}clip", task="text-generation"),
        _v2_model("org/日本語のモデル", task=f"text-to-image{CLEAR}"),
        _v2_model("org/👨\u200d👩\u200d👧-family", price=f"0.001{RETITLE} / sec"),
    ]
)
_V2_RUN_HEADERS = {
    "inference-meter": HOSTILE_METER,
    "inference-meter-price": "0.0006478333",
    "inference-time": "2",
}
_V2_ENDPOINTS = ("list", "tasks", "instances", "job", "load", "status", "update", "delete", "run")


def _v2_error(status: int, body: Any) -> dict[str, Answer]:
    return {endpoint: Answer(status, body) for endpoint in _V2_ENDPOINTS}


V2_CASES: dict[str, dict[str, Answer]] = {
    # Ids, task names, meters, cluster states and replies that are markup and controls.
    "v2-names": {
        "list": Answer(body=_V2_CATALOGUE),
        "tasks": Answer(body=_envelope(["chat", HOSTILE_TASK, "text-generation"])),
        "instances": Answer(
            body=_envelope(
                [
                    _cluster(MARKUP_MODEL),
                    _cluster(f"org/{RETITLE}title", status=f"booting{CLEAR} instance"),
                    _cluster("org/name", status="failed", error=HOSTILE_TEXT),
                ]
            )
        ),
        "status": Answer(body=_envelope(_cluster("org/name", status=f"running{RETITLE}"))),
        "job": Answer(body=_envelope(HOSTILE_TEXT)),
        "load": Answer(202, _envelope(f"Loading{RETITLE}[/INST]")),
        "run": Answer(
            body=_envelope({"role": "assistant", "content": HOSTILE_REPLY}),
            fragments=HOSTILE_FRAGMENTS,
            headers=_V2_RUN_HEADERS,
        ),
    },
    # Numbers no believable server sends: the dashboard and CLI neither crash nor print
    # `inf`/`nan`, and one run's absurd cost does not poison the spend ledger.
    "v2-numbers": {
        "list": Answer(
            body=_envelope(
                [
                    _v2_model("org/name", price="1e308 / sec", ramRequired=1e308),
                    _v2_model("org/nan", price="nan / sec", params=float("inf")),
                    _v2_model("org/negative", price="-5 / sec", ramRequired=-29, params=-7),
                    _v2_model("org/huge", price=10**400, ramRequired=10**400),
                ]
            )
        ),
        "instances": Answer(
            body=_envelope(
                [
                    _cluster("org/name", timeout=1e308, inferences=10**400),
                    _cluster("org/nan", capacity={"min": -5, "desired": 1e308, "max": "nan"}),
                ]
            )
        ),
        "run": Answer(
            body=_envelope("fine"),
            fragments=("fine",),
            headers={
                "inference-meter": "sm-lm",
                "inference-meter-price": "1e308",
                "inference-time": "nan",
                "inference-cost": "1e308",
            },
        ),
    },
    # The largest run cost the client believes (1e15 dollars): the spend figures stay
    # readable and inside their columns.
    "v2-costly": {
        "run": Answer(
            body=_envelope("fine"),
            fragments=("fine",),
            headers={
                "inference-meter": "sm-lm",
                "inference-meter-price": "999999999999999",
                "inference-time": "1",
                "inference-cost": "999999999999999",
            },
        ),
    },
    # v2's error shapes, each holding markup and controls: the envelope's `error`, an
    # OpenAI-style `{error: {message}}`, the 402 body, and an envelope whose error is an
    # object on a 200.
    "v2-errors": _v2_error(400, _envelope(error=HOSTILE_TEXT)),
    "v2-oai-errors": _v2_error(500, {"error": {"message": HOSTILE_TEXT}}),
    "v2-credits": _v2_error(
        402, {"status": 402, "error": "Payment Required", "message": HOSTILE_TEXT}
    ),
    "v2-odd-errors": _v2_error(200, _envelope(error={"why": HOSTILE_TEXT})),
    "v2-auth": _v2_error(401, _envelope(error=HOSTILE_TEXT)),
    # A stream that ends in an error fragment holding markup and controls.
    "v2-stream-error": {
        "run": Answer(
            body=_envelope(error=f"prompt must end with [/INST] {RETITLE}"),
            fragments=("Partial ", "answer ", f"Error: prompt must end with [/INST] {RETITLE}"),
        ),
    },
}
"""Case name → v2 endpoint (`list`, `tasks`, `instances`, `job`, `load`, `status`,
`update`, `delete`, `run`) → the answer served in place of the emulator's."""

_V2_LISTS = {"list/models": "list", "list/tasks": "tasks", "list/clusters": "instances"}
_V2_METHODS = {"POST": "run", "PUT": "load", "GET": "status", "PATCH": "update", "DELETE": "delete"}


def _v2_endpoint(method: str, route: str) -> str | None:
    """The v2 endpoint of `method` on `route` (the path after `/models/v2/`)."""
    if route in _V2_LISTS:
        return _V2_LISTS[route]
    if route.startswith("request/"):
        return "job"
    return None if route.startswith("list/") else _V2_METHODS.get(method)


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
        v2 = rest.startswith("models/v2/")
        if case in V2_CASES:
            endpoint = (
                _v2_endpoint(scope["method"], rest.removeprefix("models/v2/")) if v2 else None
            )
            answer = V2_CASES[case].get(endpoint or "")
        elif case in CASES and v2:  # a v1 case: v2's routes are not there
            answer = Answer(404, {"error": "Not found"})
        else:
            answer = CASES.get(case, {}).get(rest.rpartition("/")[2])
        if answer is None:  # any other first segment (`/plain/…`) is the emulator as it is
            path = "/" + rest
            await self.emulator({**scope, "path": path, "raw_path": path.encode()}, receive, send)
            return
        streamed = await _wants_stream(receive) and bool(answer.fragments)
        kind = b"text/event-stream" if streamed else b"application/json"
        headers = [
            (b"content-type", kind),
            *((k.encode(), v.encode("latin-1")) for k, v in answer.headers.items()),
        ]
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        if streamed:
            for fragment in answer.fragments:
                body = fragment.encode("utf-8", "surrogatepass")
                await send({"type": "http.response.body", "body": body, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        elif answer.fragments and answer.body is None:
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
        # Both dialects behind the front: each case decides which one a client on
        # `api="auto"` finds (v1 cases answer 404 on v2's routes).
        super().__init__(**{"api": "both", **kwargs})
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
    names = [*CASES, *V2_CASES]
    print(f"cases: {', '.join(f'{server.url}/{case}' for case in names)}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
