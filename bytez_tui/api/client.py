"""`BytezClient`: the public client, and the v1 dialect.

Each public coroutine speaks v1 (`/model/*`) itself, or hands over to `V2Dialect` once the
client knows the server speaks v2; `api="auto"` finds out on the first call. Requests go
out through `Transport` (`transport.py`), which owns the connection and its rules.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncGenerator, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from bytez_tui.api.catalogue import catalogue_item, read_catalogue
from bytez_tui.api.transport import DEFAULT_MAX_BODY, Transport
from bytez_tui.clock import Clock
from bytez_tui.config import DEFAULT_BASE_URL
from bytez_tui.credentials import mask_key
from bytez_tui.errors import BadResponse, BytezError, NotFound, RunFailed, Unsupported
from bytez_tui.models import Instance, Job, ModelInfo, RunResult

if TYPE_CHECKING:
    from bytez_tui.api.v2 import V2Dialect

__all__ = ["API_VERSIONS", "BytezClient"]

API_VERSIONS = ("v1", "v2", "auto")
"""What `BytezClient(api=…)` accepts."""

T = TypeVar("T")


class BytezClient(Transport):
    """An async client for the Bytez API (v1 or v2); use it as an async context manager.

    Args:
        api_key: The key, sent as `Authorization: Key <api_key>` and nowhere else;
            surrounding whitespace is dropped.
        base_url: Where the API lives (the host root: v1 is under `/model/`, v2 under
            `/models/v2/`). A user name and password in it are dropped (the key is the
            only credential sent) and never shown.
        api: `"v1"`, `"v2"`, or `"auto"` to ask the server on the first call (v2's
            `list/tasks`; a 404 or 405 there means v1).
        timeout: Seconds to wait for a read of an ordinary request.
        connect_timeout: Seconds to wait for a connection.
        run_timeout: Seconds to wait for a run, or between two fragments of a stream.
        deadline: Seconds an ordinary request may take in all, however slowly its bytes
            trickle in (the catalogue gets `CATALOGUE_DEADLINE_FACTOR` times as long).
        run_deadline: Seconds a run or a stream may take in all.
        max_body: Bytes an answer may hold before it is refused as `BadResponse`.
        retries: How many times a read is retried after a `Transient` error. 0 (the
            default) suits the dashboard, whose pollers own retries, back-off and the
            countdown the user sees; the CLI passes its `--retries`.
        backoff: Seconds before the first retry; doubled each time, with jitter.
        allow_insecure_http: Allow sending the key over plain http to a remote host.
        clock: The local time source: the server clock offset is measured, and the
            wait before a retry slept, on it.
        transport: An httpx transport to use instead of the network (tests).

    Raises:
        AuthError: If the key holds characters no key has (non-ASCII, control).
        BytezError: If the URL is unusable, or plain http to a remote host.
    """

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        api: str = "auto",
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        run_timeout: float = 900.0,
        deadline: float = 60.0,
        run_deadline: float = 3600.0,
        max_body: int = DEFAULT_MAX_BODY,
        retries: int = 0,
        backoff: float = 0.5,
        allow_insecure_http: bool = False,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if api not in API_VERSIONS:
            raise BytezError(f"Unknown API version {api!r}: use v1, v2 or auto")
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            run_timeout=run_timeout,
            deadline=deadline,
            run_deadline=run_deadline,
            max_body=max_body,
            retries=retries,
            backoff=backoff,
            allow_insecure_http=allow_insecure_http,
            clock=clock,
            transport=transport,
        )
        self.api_version: str | None = None if api == "auto" else api
        """`"v1"` or `"v2"`; None until `auto` has found out (after the first call)."""
        self.on_detected: Callable[[str], object] | None = None
        """Called with the dialect once `auto` has found it (to remember it per URL)."""
        self._detecting: asyncio.Lock | None = None
        self._v1_tasks: dict[str, str] = {}

    def __repr__(self) -> str:
        api = self.api_version or "auto"
        return (
            f"BytezClient(base_url={self.base_url!r}, api={api!r}, "
            f"api_key='Key {mask_key(self._key)}')"
        )

    # --- dialect -------------------------------------------------------------------

    async def detect(self) -> str:
        """Return the dialect, asking the server once when it is `auto` and unknown.

        One GET of v2's `list/tasks`: an answer means v2; 404 or 405 means v1. Any other
        failure (bad key, server down) is raised and the question stays open.

        Raises:
            BytezError: If the server could not tell.
        """
        if self.api_version is not None:
            return self.api_version
        if self._detecting is None:
            self._detecting = asyncio.Lock()
        async with self._detecting:
            if self.api_version is None:
                self.api_version = await self._v2.probe()
                if self.on_detected is not None:
                    self.on_detected(self.api_version)
        return self.api_version

    async def _speaks_v2(self) -> bool:
        return await self.detect() == "v2"

    @functools.cached_property
    def _v2(self) -> V2Dialect:
        from bytez_tui.api.v2 import V2Dialect

        return V2Dialect(self)

    # --- endpoints -------------------------------------------------------------------

    async def list_models(self, *, task: str | None = None) -> list[ModelInfo]:
        """The catalogue (v1 `/model/list`, v2 `list/models`); unreadable items are skipped.

        Args:
            task: Only models of this task (the server filters).

        Raises:
            BytezError: On any failure.
        """
        if await self._speaks_v2():
            return await self._v2.list_models(task=task)
        params = {"task": task} if task else None
        data = await self._read("list", params=params, object_hook=catalogue_item)
        items = _array(data, "list")
        # ~0.3 s of Python at 100,000 models: in a thread, so keys keep flowing.
        models = await asyncio.to_thread(read_catalogue, items, endpoint="list")
        self._v1_tasks.update((model.name, model.task) for model in models if model.task)
        return models

    async def task_of(self, model: str) -> str | None:
        """The model's task, such as `chat` or `text-generation`; None when unknown.

        v2 looks a model up once if the catalogue has not been read; v1 knows only the
        models of a catalogue already read (it has no lookup by id).

        Raises:
            BytezError: On v2, the lookup failed.
        """
        if await self._speaks_v2():
            return await self._v2.task_of(model)
        return self._v1_tasks.get(model)

    async def list_tasks(self) -> list[str]:
        """The task names the server knows (v2 `list/tasks`).

        Raises:
            Unsupported: On v1, which has no task list.
        """
        if await self._speaks_v2():
            return await self._v2.list_tasks()
        raise Unsupported("The v1 API has no task list", endpoint="tasks")

    async def job(self, model: str) -> Job:
        """Ask Bytez to make `model` available, or poll that request.

        v1 posts `/model/job`. v2 looks the model up in `list/models?modelId=` (found:
        `available`) and otherwise posts `request/{model}` (`queued`).
        """
        if await self._speaks_v2():
            return await self._v2.job(model)
        data = await self._request("job", {"model": model}, retry=True)
        return _parse(Job.from_json, data, "job", model=model)

    async def load(
        self, model: str, *, concurrency: int = 1, expiration_period_seconds: int | None = None
    ) -> Instance:
        """Start an instance of `model` (v1 `/model/load`, v2 `PUT` a cluster); never retried.

        On v2, `concurrency` becomes `capacity` (0 / concurrency / concurrency) and the
        period becomes `timeout` in whole minutes (1-1440).

        Returns:
            The acknowledgement as an `Instance` whose status is the server's word
            (usually `started`, v2 `Loading`), which counts as booting.

        Raises:
            AlreadyLoaded: The model is already running.
            LoadInProgress: Another load of it is under way.
            OutOfCredits: The account has no credits.
            Unsupported: v2 without the cluster routes.
        """
        if await self._speaks_v2():
            return await self._v2.load(
                model, concurrency=concurrency, expiration_period_seconds=expiration_period_seconds
            )
        body: dict[str, Any] = {"model": model, "concurrency": concurrency}
        if expiration_period_seconds is not None:
            body["expirationPeriodSeconds"] = expiration_period_seconds
        data = await self._request("load", body, retry=False)
        if isinstance(data, dict):
            data = {
                "status": "started",
                **data,
                "concurrency": data.get("concurrency") or concurrency,
            }
        return _parse(Instance.from_json, data, "load", model=model)

    async def status(self, model: str) -> Instance | None:
        """The instance of `model` (v1 `/model/status`, v2 its cluster), or None.

        Raises:
            Unsupported: v2 without the cluster routes.
        """
        if await self._speaks_v2():
            return await self._v2.status(model)
        try:
            data = await self._request("status", {"model": model}, retry=True)
        except NotFound:
            return None
        if isinstance(data, dict) and not isinstance(data.get("status"), str):
            return None
        return _parse(Instance.from_json, data, "status", model=model)

    async def instances(self) -> list[Instance]:
        """Every current instance (v1 `/model/instances`, v2 `list/clusters`).

        Raises:
            Unsupported: v2 without the cluster routes.
        """
        if await self._speaks_v2():
            return await self._v2.instances()
        items = _array(await self._read("instances"), "instances")
        result: list[Instance] = []
        for item in items:
            if isinstance(item, dict) and not item.get("status"):
                item = {**item, "status": "UNKNOWN"}
            result.append(_parse(Instance.from_json, item, "instances"))
        return result

    async def delete(self, model: str) -> bool:
        """Stop the instance of `model` (v1 `/model/delete`, v2 `DELETE`); never retried.

        Returns:
            True if it was stopped, False if it was already gone.

        Raises:
            Unsupported: v2 without the cluster routes.
        """
        if await self._speaks_v2():
            return await self._v2.delete(model)
        try:
            await self._request("delete", {"model": model}, retry=False, want_json=False)
        except NotFound:
            return False
        return True

    async def run(
        self, model: str, prompt: Any, *, params: dict[str, Any] | None = None
    ) -> RunResult:
        """Run `model` on `prompt` and wait for the whole answer; never retried.

        v2 sends the prompt in the field the model's task takes (`text`, `messages`,
        `url`…), and `text` drops the prompt that text-generation output repeats.

        Raises:
            RunFailed: The model raised on this input.
        """
        if await self._speaks_v2():
            return await self._v2.run(model, prompt, params=params)
        body = {"model": model, "input": prompt, "params": params or {}, "stream": False}
        data = await self._request("run", body, retry=False, timeout=self._run_timeout)
        return _run_result(data)

    async def chat(
        self, model: str, messages: list[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> RunResult:
        """Send a conversation and wait for the reply; never retried.

        v1 sends the messages as `input`; v2 as `messages`. `text` is the assistant's
        content as a string, even when the server answers list-form content.

        Args:
            model: The model id.
            messages: `[{"role": …, "content": …}, …]`.
            params: Generation params.

        Raises:
            RunFailed: The model raised on this input.
        """
        if await self._speaks_v2():
            return await self._v2.chat(model, messages, params=params)
        return await self.run(model, messages, params=params)

    def stream_chat(
        self, model: str, messages: list[dict[str, Any]], params: dict[str, Any] | None = None
    ) -> AsyncGenerator[str, None]:
        """`chat` with streaming: yields the reply's text fragments as they arrive.

        Raises:
            StreamFailed: The server sent an error fragment; `.partial` keeps the text.
            StreamCut: The connection dropped; `.partial` keeps the text.
        """
        return self._stream_chat(model, messages, params)

    async def _stream_chat(
        self, model: str, messages: list[dict[str, Any]], params: dict[str, Any] | None
    ) -> AsyncGenerator[str, None]:
        if await self._speaks_v2():
            fragments = self._v2.stream(model, messages, params=params, chat=True)
        else:
            fragments = self.stream(model, messages, params=params)
        async with contextlib.aclosing(fragments):
            async for fragment in fragments:
                yield fragment

    async def stream(
        self, model: str, prompt: Any, *, params: dict[str, Any] | None = None
    ) -> AsyncGenerator[str, None]:
        """Run `model` with `stream: true`, yielding text fragments as they arrive.

        The body is raw text, not SSE (API reference §3). Close the iterator early
        (`contextlib.aclosing`) or cancel its task to stop: the response is closed.
        A model that does not stream answers JSON: its text is yielded once.

        Raises:
            StreamFailed: The server sent an error fragment; `.partial` keeps the text.
            StreamCut: The connection dropped; `.partial` keeps the text.
        """
        if await self._speaks_v2():
            fragments = self._v2.stream(model, prompt, params=params)
        else:
            body = {"model": model, "input": prompt, "params": params or {}, "stream": True}
            fragments = self._stream("POST", "/model/run", body, _run_result)
        async with contextlib.aclosing(fragments):
            async for fragment in fragments:
                yield fragment


def _array(data: Any, endpoint: str) -> list[Any]:
    if isinstance(data, dict) and isinstance(data.get("output"), list):
        data = data["output"]
    if not isinstance(data, list):
        raise BadResponse(f"/model/{endpoint} did not answer a list", endpoint=endpoint)
    return data


def _parse(parser: Callable[..., T], data: Any, endpoint: str, **kwargs: Any) -> T:
    try:
        return parser(data, **kwargs)
    except BadResponse as exc:
        raise BadResponse(f"/model/{endpoint}: {exc.message}", endpoint=endpoint) from exc


def _run_result(data: Any) -> RunResult:
    if isinstance(data, dict) and data.get("error") not in (None, ""):
        error = data["error"]
        raise RunFailed(str(error) if not isinstance(error, str) else error, endpoint="run")
    return _parse(RunResult.from_json, data, "run")
