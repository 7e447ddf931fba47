"""The emulator's state: catalogue, jobs and instances, driven by an injected `Clock`.

Pure logic, no HTTP: each endpoint is a method returning a `Reply` (status + JSON body) or,
for a streamed run, a `RunStream`. Every method takes the lock, and every time-dependent
fact (job done, boot progress, expiry) is evaluated lazily from `clock.now()`, so stepping
a `FixedClock` is all a test needs; there are no background timers.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bytez_tui.clock import Clock
from bytez_tui.emulator.catalogue import Catalogue, build_catalogue
from bytez_tui.emulator.instances import Instance, iso
from bytez_tui.emulator.textgen import continuation, fragment_count
from bytez_tui.emulator.v2.catalogue import EXTRAS

__all__ = ["DEMO_MODELS", "Reply", "RunStream", "World"]

DEMO_MODELS = (
    "roneneldan/TinyStories-8M",
    "microsoft/phi-1",
    "bigscience/bloom-560m",
    "EleutherAI/gpt-neo-2.7B",
)
"""Real small models that `demo_instances` starts as RUNNING (never gpt2, used by §10)."""

_MODEL_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


@dataclass(frozen=True, slots=True)
class Reply:
    """A JSON answer: HTTP status and a JSON-serialisable body."""

    status: int
    body: Any


@dataclass(frozen=True, slots=True)
class RunStream:
    """A streamed run: the raw text fragments to write, one per write."""

    model: str
    fragments: list[str]


@functools.lru_cache(maxsize=8)
def _catalogue(models: int, seed: int) -> Catalogue:
    return build_catalogue(models, seed)


def _error(status: int, message: str) -> Reply:
    return Reply(status, {"error": message})


class World:
    """Seeded emulator state.

    Args:
        clock: Source of "now" for every timestamp, state change and expiry.
        models: Catalogue size: the 62 real May 2024 entries, then synthetic ones.
        seed: Seeds the synthetic catalogue and the generated text.
        job_delay: Seconds a `/model/job` stays queued before "Model available".
        boot_delay: Seconds from load to RUNNING (STARTING for the first half,
            INSTANTIATING for the second) or to FAILED.
        grace: Seconds after `expiresAt` during which an idle instance still reports
            RUNNING before it disappears (the reference allows 0-120).
        demo_instances: How many `DEMO_MODELS` are RUNNING at start, expiring 3, 7, 11 …
            minutes after the world's start.
        key: The only accepted API key; `None` accepts any non-empty key.
        fail_models: Model ids whose boot ends FAILED.
        fail_marker: Any model id containing this substring also fails to boot
            (`""` disables the rule).
        fragment_interval: Real seconds between streamed fragments (0 for tests).
        paces: Real seconds between fragments for some models, instead of
            `fragment_interval` (models that stream at different speeds).
        echo_prompt: Whether a stream starts with the prompt as its first fragment.
        clock_skew: Seconds added to the clock in the HTTP `Date` header.
        default_expiration: `expirationPeriodSeconds` when a load omits it.
        credits_exhausted: Whether loads answer 429 "Out of free monthly credits" (v1) and
            v2's loads and runs answer 402.
        stream_content_type: The `Content-Type` of v2 text streams (what Bytez's gateway
            sends is unknown; the model container sends this default).
        concurrent_runs: v2 runs allowed at once before 429 "Rate limit exceeded" (the free
            tier allows 1); `None` for no limit.
        cold_start: Real seconds a v2 run waits when it had to create its cluster.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        models: int = 500,
        seed: int = 0,
        job_delay: float = 10.0,
        boot_delay: float = 5.0,
        grace: float = 60.0,
        demo_instances: int = 2,
        key: str | None = None,
        fail_models: Collection[str] = (),
        fail_marker: str = "will-fail",
        fragment_interval: float = 0.05,
        paces: Mapping[str, float] | None = None,
        echo_prompt: bool = False,
        clock_skew: float = 0.0,
        default_expiration: float = 1800.0,
        credits_exhausted: bool = False,
        stream_content_type: str = "text/event-stream; charset=utf-8",
        concurrent_runs: int | None = None,
        cold_start: float = 0.0,
    ) -> None:
        self.clock = clock
        self.seed = seed
        self.job_delay = job_delay
        self.boot_delay = boot_delay
        self.grace = grace
        self.key = key
        self.fail_models = frozenset(fail_models)
        self.fail_marker = fail_marker
        self.fragment_interval = fragment_interval
        self.paces = dict(paces or {})
        self.echo_prompt = echo_prompt
        self.clock_skew = clock_skew
        self.default_expiration = default_expiration
        self.credits_exhausted = credits_exhausted
        self.stream_content_type = stream_content_type
        self.concurrent_runs = concurrent_runs
        self.cold_start = cold_start
        self.catalogue = _catalogue(models, seed)
        # Models newer than v1's 2024 list: known to both faces, listed only by v2.
        self.extras = {entry.model_id: entry for entry in EXTRAS}
        self.started = clock.now()
        self._lock = threading.RLock()
        self._jobs: dict[str, datetime] = {}
        self._instances: dict[str, Instance] = {}
        self._start_demo(demo_instances)

    # -- auth -----------------------------------------------------------------------------

    def authorized(self, header: str | None) -> bool:
        """Return whether an `Authorization` header value is accepted.

        The scheme word `Key` is matched case-insensitively; the key must be non-empty
        and, when `key` is set, equal to it.
        """
        scheme, _, value = (header or "").strip().partition(" ")
        value = value.strip()
        if scheme.lower() != "key" or not value:
            return False
        return self.key is None or value == self.key

    # -- endpoints ------------------------------------------------------------------------

    def list_json(self, task: str | None = None) -> bytes:
        """Return the serialised `/model/list` body (cached; the catalogue is static)."""
        return self.catalogue.to_json_bytes(task)

    def job(self, body: dict[str, Any]) -> Reply:
        """Answer `/model/job`: queue a model, or report its progress.

        A model already in the catalogue is reported "Model available" at once, with
        `startTime`/`endTime` equal to the world's start.
        """
        model, problem = self._model_id(body)
        if problem:
            return problem
        with self._lock:
            now = self.clock.now()
            if self.listed(model):
                start = end = self.started
            else:
                requested = self._jobs.get(model)
                if requested is None:
                    self._jobs[model] = now
                    return Reply(200, {"model": model, "success": True, "modified": iso(now)})
                start, end = requested, requested + timedelta(seconds=self.job_delay)
                if now < end:
                    queued = {"message": "Model is already queued", "startTime": None}
                    return Reply(
                        200, {"model": model, "success": True, **queued, "modified": iso(start)}
                    )
            available = {"message": "Model available", "startTime": iso(start), "endTime": iso(end)}
            return Reply(200, {"model": model, "success": True, **available, "modified": iso(end)})

    def load(self, body: dict[str, Any]) -> Reply:
        """Answer `/model/load`: start booting an instance."""
        model, problem = self._model_id(body)
        if problem:
            return problem
        concurrency = body.get("concurrency", 1)
        if concurrency is None:
            concurrency = 1
        if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
            return _error(400, "concurrency must be a positive integer")
        period = body.get("expirationPeriodSeconds", self.default_expiration)
        if period is None:
            period = self.default_expiration
        if isinstance(period, bool) or not isinstance(period, int | float) or period <= 0:
            return _error(400, "expirationPeriodSeconds must be a positive number")
        with self._lock:
            now = self.clock.now()
            if not self._known(model, now):
                return _error(404, f"{model} not found; onboard it with /model/job first")
            if self.credits_exhausted:
                return _error(
                    429, "Out of free monthly credits. Add a payment method to keep going."
                )
            instance = self._live(model, now)
            if instance is not None:
                status = instance.status(now)
                if status == "RUNNING":
                    return _error(409, f"{model} is already loaded")
                if status != "FAILED":
                    return _error(429, f"{model} operation already in progress: load")
            self.start_instance(model, now, concurrency=concurrency, period=float(period))
            return Reply(200, {"model": model, "status": "started", "concurrency": concurrency})

    def status(self, body: dict[str, Any]) -> Reply:
        """Answer `/model/status` with the instance object, or 404 when there is none."""
        model, problem = self._model_id(body)
        if problem:
            return problem
        with self._lock:
            now = self.clock.now()
            instance = self._live(model, now)
            if instance is None:
                return _error(404, f"{model} has no running instance")
            return Reply(200, instance.to_json(now))

    def instances(self) -> Reply:
        """Answer `/model/instances`: every current instance, oldest first."""
        with self._lock:
            now = self.clock.now()
            return Reply(200, [i.to_json(now) for i in self.live_instances(now)])

    def delete(self, body: dict[str, Any]) -> Reply:
        """Answer `/model/delete`: remove the instance at once."""
        model, problem = self._model_id(body)
        if problem:
            return problem
        with self._lock:
            if self._live(model, self.clock.now()) is None:
                return _error(404, f"{model} has no running instance")
            del self._instances[model]
            return Reply(200, {"model": model, "status": "STOPPED"})

    def run(self, body: dict[str, Any]) -> Reply | RunStream:
        """Answer `/model/run`: 409 unless RUNNING; otherwise generate text.

        Each run resets the instance's idle expiry and counts one inference. Models whose id
        contains "summar" answer `summary_text` as JSON even when `stream` is true.
        """
        model, problem = self._model_id(body)
        if problem:
            return problem
        raw = body.get("input")
        if raw is None:
            raw = body.get("prompt")
        chat = isinstance(raw, list)
        if chat:
            assert isinstance(raw, list)
            if not all(isinstance(m, dict) and isinstance(m.get("content"), str) for m in raw):
                return _error(400, "chat input must be a list of {role, content} messages")
            prompt = "\n".join(str(m["content"]) for m in raw)
            key = json.dumps(raw, sort_keys=True)
        elif isinstance(raw, str):
            prompt = key = raw
        else:
            return _error(400, "input (or prompt) must be a string or a list of messages")
        params = body.get("params")
        if params is not None and not isinstance(params, dict):
            return _error(400, "params must be an object")
        with self._lock:
            now = self.clock.now()
            instance = self._live(model, now)
            if instance is None or instance.status(now) != "RUNNING":
                if instance is None and not self._known(model, now):
                    return _error(404, f"{model} not found")
                return _error(409, f"{model} is not running")
            instance.touch(now)
        fragments = continuation(self.seed, model, key, fragment_count(params, prompt))
        text = "".join(fragments)
        if "summar" in model.lower():
            return Reply(200, {"output": [{"summary_text": text.strip()}]})
        if body.get("stream") is True:
            if self.echo_prompt and not chat:
                fragments = [prompt, *fragments]
            return RunStream(model, fragments)
        if chat:
            messages = [*raw, {"role": "assistant", "content": text.strip()}]
            return Reply(200, {"output": [{"generated_text": messages}]})
        return Reply(200, {"output": [{"generated_text": prompt + text}]})

    # -- shared with the v2 face ----------------------------------------------------------

    def interval_for(self, model: str) -> float:
        """Real seconds between `model`'s streamed fragments."""
        return self.paces.get(model, self.fragment_interval)

    @property
    def lock(self) -> threading.RLock:
        """The lock every read or change of the world's state holds."""
        return self._lock

    def listed(self, model: str) -> bool:
        """Return whether `model` is in the catalogue (v1's list or v2's extras)."""
        return model in self.catalogue or model in self.extras

    def known(self, model: str, now: datetime) -> bool:
        """Return whether `model` is listed or onboarded by a finished job at `now`."""
        return self._known(model, now)

    def onboarded(self, now: datetime) -> list[str]:
        """Models a finished job added to the world (not listed at the start), in order."""
        return [
            model
            for model, requested in self._jobs.items()
            if now >= requested + timedelta(seconds=self.job_delay) and not self.listed(model)
        ]

    def request(self, model: str, now: datetime) -> None:
        """Queue `model` for onboarding (a no-op when listed or already requested)."""
        if not self.listed(model):
            self._jobs.setdefault(model, now)

    def live(self, model: str, now: datetime) -> Instance | None:
        """Return `model`'s instance at `now`, dropping it first if it has expired."""
        return self._live(model, now)

    def live_instances(self, now: datetime) -> list[Instance]:
        """Every current instance at `now`, oldest first."""
        for model in list(self._instances):
            self._live(model, now)
        return sorted(self._instances.values(), key=lambda i: i.created)

    def start_instance(
        self,
        model: str,
        now: datetime,
        *,
        concurrency: int,
        period: float,
        capacity: tuple[int, int, int] | None = None,
        boot_delay: float | None = None,
    ) -> Instance:
        """Create (or replace) `model`'s instance, booting from `now`.

        Args:
            model: The model id.
            now: The creation time.
            concurrency: Parallel inferences (v2: `capacity.desired`, at least 1).
            period: Idle seconds before expiry.
            capacity: v2's `(min, desired, max)`, when the load came from v2.
            boot_delay: Seconds to boot (the world's `boot_delay` when `None`).
        """
        failure = None
        if model in self.fail_models or (self.fail_marker and self.fail_marker in model):
            failure = f"{model} failed to start: CUDA out of memory while loading weights"
        instance = Instance(
            model=model,
            concurrency=concurrency,
            period=period,
            created=now,
            boot_delay=self.boot_delay if boot_delay is None else boot_delay,
            failure=failure,
            capacity=capacity,
        )
        self._instances[model] = instance
        return instance

    def remove_instance(self, model: str) -> None:
        """Remove `model`'s instance at once (no-op when there is none)."""
        self._instances.pop(model, None)

    # -- helpers --------------------------------------------------------------------------

    def _model_id(self, body: dict[str, Any]) -> tuple[str, Reply | None]:
        model = body.get("model")
        if not isinstance(model, str) or not model:
            return "", _error(400, "model is required")
        if not _MODEL_ID.match(model):
            return model, _error(400, f"invalid model id {model!r}: expected org/name")
        return model, None

    def _known(self, model: str, now: datetime) -> bool:
        requested = self._jobs.get(model)
        done = requested is not None and now >= requested + timedelta(seconds=self.job_delay)
        return self.listed(model) or done

    def _live(self, model: str, now: datetime) -> Instance | None:
        """Return the model's instance, dropping it first if it has expired past grace."""
        instance = self._instances.get(model)
        if instance is not None and now >= instance.expires_at() + timedelta(seconds=self.grace):
            del self._instances[model]
            return None
        return instance

    def _start_demo(self, count: int) -> None:
        for index, model in enumerate(DEMO_MODELS[: max(0, count)]):
            if model not in self.catalogue:
                continue
            created = self.started - timedelta(minutes=20 + 5 * index)
            instance = Instance(
                model=model,
                concurrency=1,
                period=600.0,
                created=created,
                boot_delay=self.boot_delay,
                failure=None,
            )
            # Last activity chosen so expiresAt lands 3, 7, 11 … minutes after the start.
            instance.touch(self.started + timedelta(seconds=180 + 240 * index - 600))
            instance.inferences = 3 + 5 * index
            self._instances[model] = instance
