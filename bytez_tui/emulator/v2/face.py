"""The v2 face of the world: `list/*`, `request/…`, legacy clusters and native runs.

Pure logic over the one shared `World`, no HTTP: each route is a method returning a `Reply`
whose body is v2's `{error, output}` envelope (402 excepted: Bytez documents a different body
for it), a `RunStream`, or `Media` bytes. A cluster is the same `Instance` v1's `/model/load`
creates, so a model loaded through one face is seen by the other.

Where the reference leaves a fact open, this face picks one answer and keeps it:
unknown `?modelId=` → `[]`; missing cluster → 404 "Cluster not found"; repeated PUT → 409;
repeated `request/` → "Job queued" again; a run with no cluster creates one (default
timeout 10 min, capacity 0/1/1) that is ready at once (the cold start is a real-time delay the
server adds, `World.cold_start`); a failed boot answers 500 with the failure text.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bytez_tui.emulator.catalogue import Catalogue, CatalogueEntry
from bytez_tui.emulator.textgen import continuation, fragment_count
from bytez_tui.emulator.v2.catalogue import (
    LLM_TASKS,
    TASKS,
    V2Entry,
    chat_task,
    describe,
    input_fields,
    media_output,
)
from bytez_tui.emulator.world import Reply, RunStream, World

__all__ = ["CREDITS_BODY", "Media", "Metered", "V2Face", "envelope"]

CREDITS_BODY = {
    "status": 402,
    "error": "Payment Required",
    "message": "Insufficient credits. Please add credits to continue.",
}
"""Bytez's documented out-of-credits body (not the envelope)."""

DEFAULT_TIMEOUT = 10
"""Idle minutes of a cluster created without `timeout` (the PUT spec's default)."""
MAX_CAPACITY = 10
"""The spec's `capacity` maximum."""

# A 1x1 transparent PNG: what `json:false` streams back for an image task.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
_MEDIA_SUFFIX = {"text-to-speech": "wav", "text-to-audio": "wav", "text-to-video": "mp4"}
_MEDIA_TYPE = {"png": "image/png", "wav": "audio/wav", "mp4": "video/mp4"}


def envelope(output: Any = None, error: str | None = None) -> dict[str, Any]:
    """Return v2's `{"error", "output"}` body."""
    return {"error": error, "output": output}


def _fail(status: int, message: str) -> Reply:
    return Reply(status, envelope(error=message))


@dataclass(frozen=True, slots=True)
class Media:
    """Raw media bytes (a `json:false` run of a media task)."""

    content_type: str
    """The `Content-Type` of the bytes."""
    body: bytes
    """The file."""


@dataclass(frozen=True, slots=True)
class Metered:
    """A served run and its metering: what the `inference-*` headers report."""

    answer: Reply | RunStream | Media
    """What to send."""
    meter: str
    """`inference-meter`."""
    price: str
    """`inference-meter-price`: USD per second, a bare decimal."""
    seconds: float
    """`inference-time` in seconds."""
    cold: bool = False
    """Whether the run created its cluster (the server then waits `World.cold_start`)."""

    @property
    def cost(self) -> str:
        """`inference-cost` in USD: price x time, to ten decimals."""
        return f"{float(self.price) * self.seconds:.10f}"

    def headers(self) -> dict[str, str]:
        """The four `inference-*` headers."""
        return {
            "inference-meter": self.meter,
            "inference-meter-price": self.price,
            "inference-time": f"{self.seconds:g}",
            "inference-cost": self.cost,
        }


@functools.lru_cache(maxsize=16)
def _described(catalogue: Catalogue) -> tuple[V2Entry, ...]:
    return tuple(describe(entry) for entry in catalogue)


@functools.lru_cache(maxsize=64)
def _listing_bytes(catalogue: Catalogue, extras: tuple[V2Entry, ...], task: str | None) -> bytes:
    entries = [*_described(catalogue), *extras]
    items = [e.to_json() for e in entries if task is None or e.task == task]
    return json.dumps(items, separators=(",", ":")).encode()


class V2Face:
    """v2's routes over a `World`.

    Args:
        world: The shared world (its lock guards every change).
    """

    def __init__(self, world: World) -> None:
        self.world = world

    # -- listing --------------------------------------------------------------------------

    def entry(self, model: str, now: datetime) -> V2Entry | None:
        """Return `model`'s `list/models` entry, or `None` when the world doesn't know it."""
        world = self.world
        if model in world.extras:
            return world.extras[model]
        listed = world.catalogue.get(model)
        if listed is not None:
            return describe(listed)
        if world.known(model, now):
            return describe(CatalogueEntry(model, None, "text-generation"))
        return None

    def list_models(self, task: str | None, model_id: str | None) -> bytes:
        """Return the serialised `list/models` answer.

        Args:
            task: Keep one task (`None` or empty keeps all). A value holding
                `?modelId=` (bytez.js's double-`?` bug) is split into both filters.
            model_id: Answer a one-entry array for this model, or `[]` when unknown.
        """
        if task and "?modelId=" in task:
            task, _, model_id = task.partition("?modelId=")
        world = self.world
        with world.lock:
            now = world.clock.now()
            if model_id:
                entry = self.entry(model_id, now)
                found = [] if entry is None or (task and entry.task != task) else [entry]
                return json.dumps(
                    envelope([e.to_json() for e in found]), separators=(",", ":")
                ).encode()
            onboarded = [self.entry(m, now) for m in world.onboarded(now)]
        extras = tuple(world.extras.values())
        static = _listing_bytes(world.catalogue, extras, task or None)
        more = [e.to_json() for e in onboarded if e is not None and (not task or e.task == task)]
        if more:
            tail = json.dumps(more, separators=(",", ":")).encode()
            static = static[:-1] + (b"," if static != b"[]" else b"") + tail[1:]
        return b'{"error":null,"output":' + static + b"}"

    def list_tasks(self) -> Reply:
        """Answer `list/tasks`: the 34 task names."""
        return Reply(200, envelope(list(TASKS)))

    # -- request --------------------------------------------------------------------------

    def request(self, model: str) -> Reply:
        """Answer `request/{model}`: queue onboarding; every answer is "Job queued"."""
        world = self.world
        with world.lock:
            world.request(model, world.clock.now())
        return Reply(200, envelope("Job queued"))

    # -- clusters (legacy) ----------------------------------------------------------------

    def list_clusters(self) -> Reply:
        """Answer `list/clusters`: every live cluster, oldest first."""
        world = self.world
        with world.lock:
            now = world.clock.now()
            return Reply(200, envelope([i.cluster_json(now) for i in world.live_instances(now)]))

    def create(self, model: str, body: dict[str, Any]) -> Reply:
        """Answer `PUT {model}`: 202 "Loading", or 409 "Cluster already exists"."""
        timeout, capacity, problem = _settings(body, DEFAULT_TIMEOUT, (0, 1, 1))
        if problem is not None:
            return problem
        assert timeout is not None and capacity is not None
        world = self.world
        with world.lock:
            now = world.clock.now()
            if self.entry(model, now) is None:
                return _fail(404, "Model not found")
            if world.credits_exhausted:
                return Reply(402, CREDITS_BODY)
            instance = world.live(model, now)
            if instance is not None and instance.status(now) != "FAILED":
                return _fail(409, "Cluster already exists")
            world.start_instance(
                model,
                now,
                concurrency=max(1, capacity[1]),
                period=timeout * 60.0,
                capacity=capacity,
            )
        return Reply(202, envelope("Loading"))

    def read(self, model: str) -> Reply:
        """Answer `GET {model}`: the cluster object, or 404 "Cluster not found"."""
        world = self.world
        with world.lock:
            now = world.clock.now()
            instance = world.live(model, now)
            if instance is None:
                return _fail(404, "Cluster not found")
            return Reply(200, envelope(instance.cluster_json(now)))

    def update(self, model: str, body: dict[str, Any]) -> Reply:
        """Answer `PATCH {model}`: change `timeout`/`capacity`; `status:"off"` shuts it down.

        An `"off"` cluster answers its last state (`instances: 0`, status `off`) and is gone
        afterwards, since turning a cluster off "will shut down all instances".
        """
        status = body.get("status")
        if status not in (None, "on", "off"):
            return _fail(400, 'status must be "on" or "off"')
        world = self.world
        with world.lock:
            now = world.clock.now()
            instance = world.live(model, now)
            if instance is None:
                return _fail(404, "Cluster not found")
            current = instance.capacity or (0, instance.concurrency, instance.concurrency)
            timeout, capacity, problem = _settings(body, instance.period / 60, current)
            if problem is not None:
                return problem
            assert timeout is not None and capacity is not None
            instance.period = timeout * 60.0
            instance.capacity = capacity
            instance.concurrency = max(1, capacity[1])
            cluster = instance.cluster_json(now)
            if status == "off":
                world.remove_instance(model)
                cluster.update(status="off", instances=0)
            return Reply(200, envelope(cluster))

    def remove(self, model: str) -> Reply:
        """Answer `DELETE {model}`: 200 with a null output, or 404 "Cluster not found"."""
        world = self.world
        with world.lock:
            if world.live(model, world.clock.now()) is None:
                return _fail(404, "Cluster not found")
            world.remove_instance(model)
        return Reply(200, envelope())

    # -- runs -----------------------------------------------------------------------------

    def run(self, model: str, body: dict[str, Any]) -> Reply | Metered:
        """Answer `POST {model}`: run it with the input its task takes.

        Returns:
            An error `Reply`, or the `Metered` answer: JSON, a `RunStream` for
            `stream:true` on a text-streaming task, or `Media` for `json:false` on a media task.
        """
        params = body.get("params")
        if params is not None and not isinstance(params, dict):
            return _fail(400, "params must be an object")
        world = self.world
        with world.lock:
            now = world.clock.now()
            entry = self.entry(model, now)
            if entry is None:
                return _fail(404, "Model not found")
            if world.credits_exhausted:
                return Reply(402, CREDITS_BODY)
            prompt = _prompt(entry.task, body)
            if isinstance(prompt, Reply):
                return prompt
            instance = world.live(model, now)
            cold = instance is None
            if instance is None:
                instance = world.start_instance(
                    model,
                    now,
                    concurrency=1,
                    period=DEFAULT_TIMEOUT * 60.0,
                    capacity=(0, 1, 1),
                    boot_delay=0.0,
                )
            if instance.status(now) == "FAILED":
                return _fail(500, instance.failure or "the model failed to start")
            instance.touch(now)
        answer = self._answer(entry, prompt, body, params)
        # A made-up but deterministic inference time: a quarter second plus 20 ms a token.
        tokens = len(answer.fragments) if isinstance(answer, RunStream) else 12
        return Metered(answer, entry.meter, entry.price, round(0.25 + 0.02 * tokens, 3), cold)

    def _answer(
        self, entry: V2Entry, prompt: _Prompt, body: dict[str, Any], params: Any
    ) -> Reply | RunStream | Media:
        world, task, model = self.world, entry.task, entry.model_id
        key = prompt.key
        if media_output(task):
            digest = hashlib.sha256(f"{world.seed}\0{model}\0{key}".encode()).hexdigest()[:16]
            suffix = _MEDIA_SUFFIX.get(task, "png")
            if body.get("json") is False:
                return Media(_MEDIA_TYPE[suffix], _PNG if suffix == "png" else digest.encode())
            return Reply(200, envelope(f"https://cdn.bytez.com/{model}/{digest}.{suffix}"))
        if task not in LLM_TASKS:
            return Reply(200, envelope(_structured(task, world.seed, model, key)))
        count = fragment_count(params, prompt.text)
        fragments = continuation(world.seed, model, key, count)
        text = "".join(fragments)
        if body.get("stream") is True:
            if world.echo_prompt and task == "text-generation":
                fragments = [prompt.text, *fragments]
            return RunStream(model, fragments)
        if chat_task(task):
            content: Any = text.strip()
            if prompt.list_form:
                content = [{"type": "text", "text": content}]
            return Reply(200, envelope({"role": "assistant", "content": content}))
        if task == "text-generation":
            return Reply(200, envelope(prompt.text + text))
        return Reply(200, envelope(text.strip()))


@dataclass(frozen=True, slots=True)
class _Prompt:
    text: str
    """What the model continues (chat: the messages' text, joined)."""
    key: str
    """Seeds the generated output (the serialised input)."""
    list_form: bool = False
    """Whether a chat message used list-form content."""


def _prompt(task: str, body: dict[str, Any]) -> _Prompt | Reply:
    """Read the input a task takes from the body: its named field(s), or `input`."""
    fields = input_fields(task)
    if chat_task(task):
        raw = body.get("messages", body.get("input", body.get("text")))
        if isinstance(raw, str):
            raw = [{"role": "user", "content": raw}]
        return _messages(raw)
    if not fields:
        return _Prompt("", "")
    if fields == ("text",):
        raw = body.get("text", body.get("input"))
        if not isinstance(raw, str):
            return _fail(400, f"{task} takes a string in text (or input)")
        return _Prompt(raw, raw)
    given = {name: body[name] for name in (*fields, "input") if body.get(name) is not None}
    if not given:
        return _fail(400, f"{task} takes {' or '.join(fields)} (or input)")
    key = json.dumps(given, sort_keys=True, default=str)
    return _Prompt(key, key)


def _messages(raw: Any) -> _Prompt | Reply:
    problem = _fail(400, "messages must be a list of {role, content} objects")
    if not isinstance(raw, list) or not raw:
        return problem
    texts: list[str] = []
    list_form = False
    for message in raw:
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            return problem
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
        elif isinstance(content, list) and all(isinstance(p, dict) for p in content):
            list_form = True
            texts.extend(str(p["text"]) for p in content if isinstance(p.get("text"), str))
        else:
            return problem
    return _Prompt("\n".join(texts), json.dumps(raw, sort_keys=True), list_form)


def _structured(task: str, seed: int, model: str, key: str) -> Any:
    """A deterministic output of the task's documented shape (classification by default)."""
    digest = hashlib.sha256(f"{seed}\0{model}\0{key}".encode()).digest()
    scores = [round(b / 255, 4) for b in digest[:8]]
    if task in {"feature-extraction", "sentence-similarity"}:
        return [round(s - 0.5, 4) for s in scores]
    if task == "question-answering":
        return {"score": scores[0], "start": 0, "end": 3, "answer": "Ron"}
    labels = ("beagle", "tabby cat", "lighthouse", "teapot")
    ranked = sorted(zip(scores, labels, strict=False), reverse=True)
    return [{"label": label, "score": score} for score, label in ranked]


def _settings(
    body: dict[str, Any], timeout: float, capacity: tuple[int, int, int]
) -> tuple[float | None, tuple[int, int, int] | None, Reply | None]:
    """Read and check `timeout` (1-1440 minutes) and `capacity` over the given defaults."""
    raw = body.get("timeout")
    if raw is not None:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 1 <= raw <= 1440:
            return None, None, _fail(400, "timeout must be from 1 to 1440 minutes")
        timeout = raw
    given = body.get("capacity")
    if given is not None:
        if not isinstance(given, dict):
            return None, None, _fail(400, "capacity must be an object")
        values = []
        for name, default in zip(("min", "desired", "max"), capacity, strict=True):
            value = given.get(name, default)
            if isinstance(value, bool) or not isinstance(value, int):
                return None, None, _fail(400, f"capacity.{name} must be an integer")
            values.append(value)
        low, desired, high = values
        if not 0 <= low <= desired <= high <= MAX_CAPACITY:
            return None, None, _fail(400, "capacity needs 0 <= min <= desired <= max <= 10")
        capacity = (low, desired, high)
    return timeout, capacity, None
