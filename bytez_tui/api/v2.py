"""The v2 dialect (`/models/v2/*`): today's Bytez API behind `BytezClient`'s coroutines.

It reuses the client's transport (errors, retries, `Date`, metering) and maps each
coroutine onto v2's routes:

| coroutine | v2 |
|---|---|
| `list_models`, `list_tasks` | `GET list/models` (`?task=`), `GET list/tasks` |
| `job` | `GET list/models?modelId=` (found: available), else `POST request/{id}` (queued) |
| `load`, `status`, `delete` | legacy `PUT` / `GET` / `DELETE {id}` (clusters) |
| `instances` | legacy `GET list/clusters` |
| `run`, `stream`, `chat` | `POST {id}` with the input field the model's task takes |

Answers come in the envelope `{"error", "output"}`, which is unwrapped here. The cluster
routes were deprecated in 2025-09: where they answer 404 (other than "cluster/model not
found") or 405, the coroutine raises `Unsupported`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from bytez_tui.api.catalogue import catalogue_item, read_catalogue
from bytez_tui.errors import (
    BadResponse,
    BytezError,
    NotFound,
    RunFailed,
    Unsupported,
)
from bytez_tui.models import Instance, Job, ModelInfo, RunResult, message_text

if TYPE_CHECKING:
    from bytez_tui.api.client import BytezClient

__all__ = ["CHAT_TASKS", "PREFIX", "V2Dialect", "chat_body", "input_body"]

PREFIX = "/models/v2/"
"""Where v2's routes live, under the base URL."""

CHAT_TASKS = frozenset({"chat", "audio-text-to-text", "image-text-to-text", "video-text-to-text"})
"""Tasks that take `messages` and answer a message object."""

_MEDIA_IN = ("image-", "audio-", "video-", "automatic-speech", "depth-", "object-", "mask-")
_TEXT_TASKS = frozenset(
    {
        "text-generation",
        "text2text-generation",
        "summarization",
        "translation",
        "fill-mask",
        "feature-extraction",
        "sentence-similarity",
        "text-classification",
        "token-classification",
        "text-to-image",
        "text-to-speech",
        "text-to-audio",
        "text-to-video",
    }
)
_CLUSTER_ROUTES_GONE = "This API manages capacity itself: it has no cluster routes"


def input_body(task: str | None, prompt: Any) -> dict[str, Any]:
    """Return the body fields that carry `prompt` for a model of `task`.

    Text tasks take `text`; chat tasks `messages` (a string becomes one user message);
    image, audio and video tasks `url`, or `base64` for a `data:` URL; a dict prompt is
    sent as named fields (`question`, `context`, `candidate_labels`…). An unknown task
    gets `input`, which the server dispatches on the model's task (the SDKs' way).
    """
    if isinstance(prompt, dict):
        return dict(prompt)
    if task in CHAT_TASKS:
        if isinstance(prompt, str):
            prompt = [{"role": "user", "content": prompt}]
        return {"messages": prompt}
    if task == "unconditional-image-generation":
        return {}
    if task in _TEXT_TASKS:
        return {"text": prompt}
    if task is not None and task.startswith(_MEDIA_IN) and isinstance(prompt, str):
        return {"base64": prompt} if prompt.startswith("data:") else {"url": prompt}
    return {"input": prompt}


_GENERATORS = frozenset({"text-generation", "text2text-generation"})
"""Text tasks that continue a conversation given as one `text`."""


def chat_body(task: str | None, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the body fields that carry a conversation to a model of `task`.

    Chat models (and models of unknown task) take `messages`. A text-generation model
    takes only `text`, so it gets the conversation as a transcript (`Role: content`
    paragraphs) that ends where the assistant speaks next.
    """
    if task not in _GENERATORS:
        return {"messages": messages}
    turns = [
        f"{str(m.get('role', 'user')).capitalize()}: {message_text(m.get('content')) or ''}"
        for m in messages
    ]
    return {"text": "\n\n".join([*turns, "Assistant:"])}


def _unwrap(data: Any, endpoint: str, *, run: bool = False) -> Any:
    """Return the envelope's `output`; raise its `error` (`RunFailed` for runs)."""
    if not isinstance(data, dict) or not ({"error", "output"} & set(data)):
        return data
    error = data.get("error")
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        error = error["message"]  # OpenAI's shape, {error: {message}}
    if error not in (None, ""):
        text = error if isinstance(error, str) else json.dumps(error, ensure_ascii=False)
        if run:
            raise RunFailed(text, endpoint=endpoint)
        raise BadResponse(f"The server said: {text}", endpoint=endpoint)
    return data.get("output")


def _route_gone(error: BytezError) -> bool:
    """Whether a cluster route's failure means the route itself is not served."""
    if error.status == 405:
        return True
    if error.status != 404:
        return False
    words = error.message.lower()
    return not ("not found" in words and ("cluster" in words or "model" in words))


class V2Dialect:
    """v2's routes, spoken through a `BytezClient`'s transport.

    Args:
        client: The client whose transport, settings and metering are used.
    """

    def __init__(self, client: BytezClient) -> None:
        self._client = client
        self._tasks: dict[str, str | None] = {}
        self._requested: set[str] = set()

    # --- detection -------------------------------------------------------------------

    async def probe(self) -> str:
        """Ask `list/tasks` once: `"v2"` if it answers, `"v1"` on 404 or 405.

        Raises:
            BytezError: Any other failure (the question stays open).
        """
        try:
            data = await self._get("tasks", "list/tasks")
        except (NotFound, BadResponse) as error:
            if error.status in (404, 405):
                return "v1"
            raise
        return "v2" if isinstance(data, dict) and "output" in data else "v1"

    # --- listing ---------------------------------------------------------------------

    async def list_models(self, *, task: str | None = None) -> list[ModelInfo]:
        """`list/models`; unreadable entries are skipped and tasks remembered for runs."""
        params = {"task": task} if task else None
        data = await self._get("list", "list/models", params, object_hook=catalogue_item)
        items = _unwrap(data, "list")
        if not isinstance(items, list):
            raise BadResponse("list/models did not answer a list", endpoint="list")
        # ~0.3 s of Python at 100,000 models: in a thread, so keys keep flowing.
        models = await asyncio.to_thread(read_catalogue, items, endpoint="list")
        for model in models:
            if model.task is not None:
                self._tasks[model.name] = model.task
        return models

    async def list_tasks(self) -> list[str]:
        """`list/tasks`: the task names, in the server's order (non-strings skipped)."""
        tasks = _unwrap(await self._get("tasks", "list/tasks"), "tasks")
        if not isinstance(tasks, list):
            raise BadResponse("list/tasks did not answer a list", endpoint="tasks")
        return [task.strip() for task in tasks if isinstance(task, str) and task.strip()]

    async def lookup(self, model: str) -> ModelInfo | None:
        """`list/models?modelId=`: the model's entry, or None when the server lists none."""
        data = await self._get("list", "list/models", params={"modelId": model})
        items = _unwrap(data, "list")
        for item in items if isinstance(items, list) else []:
            try:
                found = ModelInfo.from_json(item)
            except BadResponse:
                continue
            if found.name == model:
                self._tasks[model] = found.task
                return found
        return None

    # --- jobs ------------------------------------------------------------------------

    async def job(self, model: str) -> Job:
        """Available if `list/models` has the model; otherwise `request/{model}`.

        v2 has no job to poll: the model is available once `list/models?modelId=` lists
        it. A request is posted once per model and client; asking again (a poll) only
        looks the model up, and answers `queued` while it is not listed.
        """
        if await self.lookup(model) is not None:
            self._requested.discard(model)
            return Job.from_json({"model": model, "message": "Model available"})
        if model in self._requested:
            return Job.from_json({"model": model, "message": "Job queued"})
        data = await self._client._request(
            "job", None, retry=True, method="POST", path=self._path("request/" + _id(model))
        )
        said = _unwrap(data, "job")
        message = said if isinstance(said, str) and said.strip() else "Job queued"
        self._requested.add(model)
        return Job.from_json({"model": model, "message": message})

    # --- clusters (legacy) -----------------------------------------------------------

    async def load(
        self, model: str, *, concurrency: int, expiration_period_seconds: int | None
    ) -> Instance:
        """`PUT {model}` with `capacity` and `timeout` (minutes); 202 "Loading"."""
        body: dict[str, Any] = {
            "capacity": {"min": 0, "desired": concurrency, "max": concurrency},
        }
        if expiration_period_seconds is not None:
            minutes = math.ceil(expiration_period_seconds / 60)
            body["timeout"] = max(1, min(1440, minutes))
        data = await self._cluster("load", "PUT", model, body, retry=False)
        said = _unwrap(data, "load")
        status = said if isinstance(said, str) and said.strip() else "Loading"
        if isinstance(said, dict):
            return Instance.from_json(said, model=model)
        return Instance.from_json(
            {
                "modelId": model,
                "status": status,
                "capacity": body["capacity"],
                "timeout": body.get("timeout"),
            }
        )

    async def status(self, model: str) -> Instance | None:
        """`GET {model}`: the cluster, or None when the server has none for it."""
        try:
            data = await self._cluster("status", "GET", model, None, retry=True)
        except NotFound:
            return None
        cluster = _unwrap(data, "status")
        if not isinstance(cluster, dict):
            return None
        try:
            return Instance.from_json(cluster, model=model)
        except BadResponse as error:
            raise BadResponse(f"{model}: {error.message}", endpoint="status") from error

    async def instances(self) -> list[Instance]:
        """`list/clusters`; entries without a status read as UNKNOWN."""
        try:
            data = await self._get("instances", "list/clusters")
        except (NotFound, BadResponse) as error:
            if _route_gone(error):
                raise Unsupported(_CLUSTER_ROUTES_GONE, endpoint="instances") from error
            raise
        items = _unwrap(data, "instances")
        if not isinstance(items, list):
            raise BadResponse("list/clusters did not answer a list", endpoint="instances")
        result: list[Instance] = []
        for item in items:
            if isinstance(item, dict) and not item.get("status"):
                item = {**item, "status": "UNKNOWN"}
            try:
                result.append(Instance.from_json(item))
            except BadResponse as error:
                raise BadResponse(
                    f"list/clusters: {error.message}", endpoint="instances"
                ) from error
        return result

    async def delete(self, model: str) -> bool:
        """`DELETE {model}`: True if a cluster was removed, False if there was none."""
        try:
            await self._cluster("delete", "DELETE", model, None, retry=False, want_json=False)
        except NotFound:
            return False
        return True

    # --- runs ------------------------------------------------------------------------

    async def task_of(self, model: str) -> str | None:
        """The model's task, from the catalogue already read or one `?modelId=` lookup.

        None when the server doesn't list the model (the run then sends `input`).
        """
        if model not in self._tasks:
            found = await self.lookup(model)
            if found is None:
                self._tasks[model] = None
        return self._tasks.get(model)

    async def run(self, model: str, prompt: Any, *, params: dict[str, Any] | None) -> RunResult:
        """`POST {model}`; `text` drops a leading copy of a string prompt."""
        task = await self.task_of(model)
        result = await self._run(model, input_body(task, prompt), params)
        if isinstance(prompt, str) and prompt and result.text.startswith(prompt):
            return RunResult(result.output, result.text[len(prompt) :], result.metering)
        return result

    async def chat(
        self, model: str, messages: list[dict[str, Any]], *, params: dict[str, Any] | None
    ) -> RunResult:
        """`POST {model}` with `messages` (a transcript as `text` for text generation)."""
        fields = chat_body(await self.task_of(model), messages)
        result = await self._run(model, fields, params)
        echo = fields.get("text")
        if echo and result.text.startswith(echo):
            return RunResult(result.output, result.text[len(echo) :], result.metering)
        return result

    def stream(
        self,
        model: str,
        prompt: Any,
        *,
        params: dict[str, Any] | None,
        chat: bool = False,
    ) -> AsyncGenerator[str, None]:
        """`POST {model}` with `stream: true`: raw text fragments (JSON for other tasks)."""
        return self._stream(model, prompt, params, chat)

    async def _stream(
        self, model: str, prompt: Any, params: dict[str, Any] | None, chat: bool
    ) -> AsyncGenerator[str, None]:
        task = await self.task_of(model)
        fields = chat_body(task, prompt) if chat else input_body(task, prompt)
        body = {**fields, **_params(params), "stream": True}
        path = self._path(_id(model))
        fragments = self._client._stream("POST", path, body, _run_result, where=path)
        async with contextlib.aclosing(fragments):
            async for fragment in fragments:
                yield fragment

    async def _run(
        self, model: str, fields: dict[str, Any], params: dict[str, Any] | None
    ) -> RunResult:
        client = self._client
        path = self._path(_id(model))
        data = await client._request(
            "run",
            {**fields, **_params(params)},
            retry=False,
            timeout=client._run_timeout,
            method="POST",
            path=path,
        )
        result = _run_result(data)
        return RunResult(result.output, result.text, client.last_metering)

    # --- plumbing --------------------------------------------------------------------

    def _path(self, route: str) -> str:
        return PREFIX + route

    async def _get(
        self,
        endpoint: str,
        route: str,
        params: dict[str, str] | None = None,
        *,
        object_hook: Callable[[dict[str, Any]], Any] | None = None,
    ) -> Any:
        return await self._client._request(
            endpoint,
            None,
            retry=True,
            params=params,
            method="GET",
            path=self._path(route),
            object_hook=object_hook,
        )

    async def _cluster(
        self,
        endpoint: str,
        method: str,
        model: str,
        body: dict[str, Any] | None,
        *,
        retry: bool,
        want_json: bool = True,
    ) -> Any:
        """Call a legacy cluster route; a route that isn't served raises `Unsupported`."""
        try:
            return await self._client._request(
                endpoint,
                body,
                retry=retry,
                method=method,
                path=self._path(_id(model)),
                want_json=want_json,
            )
        except (NotFound, BadResponse) as error:
            if _route_gone(error):
                raise Unsupported(_CLUSTER_ROUTES_GONE, endpoint=endpoint) from error
            raise


def _id(model: str) -> str:
    """The model id as a path: its slash kept, anything else unsafe escaped."""
    return quote(model.strip(), safe="/-_.~")


def _params(params: dict[str, Any] | None) -> dict[str, Any]:
    return {"params": params} if params else {}


def _run_result(data: Any) -> RunResult:
    output = _unwrap(data, "run", run=True)
    try:
        return RunResult.from_json({"output": output})
    except BadResponse as error:  # pragma: no cover - {"output": …} always parses
        raise BadResponse(f"run: {error.message}", endpoint="run") from error
