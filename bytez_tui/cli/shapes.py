r"""The `--json` output of every scripted command: stable, documented shapes.

Every document is written on one line of stdout. Keys are never removed or
renamed within a major version; new keys may be added. Times are ISO-8601 UTC
strings with milliseconds and a `Z` (`2024-07-01T12:05:00.000Z`); unknown values
are `null`, never missing.

**Instance** — `status --json`, each item of `instances --json`, `load --json`:

| key | type | meaning |
|---|---|---|
| `model` | string | Hugging Face id, `org/name` |
| `status` | string \| null | the server's word: `RUNNING`, `STARTING`, `FAILED`, … |
| `state` | string | `running`, `booting`, `failed` or `none` (no instance) |
| `concurrency` | int \| null | parallel inferences (serverless instances) |
| `inferences` | int \| null | runs served |
| `expiration_period_seconds` | int \| null | the idle timeout |
| `expires_at` | string \| null | when the idle timeout runs out |
| `expires_in_seconds` | number \| null | until `expires_at`; negative while shutting down |
| `created` | string \| null | when the instance was loaded |
| `modified` | string \| null | last state change or run |
| `uptime_seconds` | number \| null | since `created` (server time) |
| `ram_gb` | number \| null | model RAM, from the catalogue cache when it holds the model |
| `cost_usd` | number \| null | billed so far: uptime (60 s min, whole minutes) × RAM × rate |
| `error` | string \| null | why the boot failed (`FAILED`) |

`status --json` for a model without an instance writes this shape with `status`
null, `state` `none` and every other fact null (exit code 0). `instances --json`
writes an array of instances; with `--watch`, one array per line per refresh
(JSON Lines). The rate is $0.0000166667 per GB-second.

**Job** — `job --json`:

| key | type | meaning |
|---|---|---|
| `model` | string | Hugging Face id |
| `state` | string | `requested`, `queued`, `available`, `failed` or `unknown` |
| `message` | string \| null | the server's words, raw |
| `start_time` | string \| null | when work on the job started |
| `end_time` | string \| null | when the model became available |
| `modified` | string \| null | last change |

**Deletion** — `delete --json`: `{"model": string, "deleted": bool}`; `deleted`
is false when the model had no instance (exit code 0 either way).

**Run** — `run --json` (implies `--no-stream`):

| key | type | meaning |
|---|---|---|
| `model` | string | Hugging Face id |
| `text` | string | readable text (`generated_text`, `summary_text`, …), as sent |
| `output` | any | the pipeline's `output`, exactly as the server sent it |

**Model** — each item of the `models --json` array:

| key | type | meaning |
|---|---|---|
| `name` | string | Hugging Face id |
| `ram_gb` | number \| null | RAM required; null when not benchmarked |
| `benchmarked` | bool | Bytez has benchmarked it |
| `cost_per_hour_usd` | number \| null | an hour: the server's price (v2), else our RAM estimate |
| `task` | string \| null | the Bytez task, e.g. `chat` (v2) |
| `params_b` | number \| null | parameters, in billions (v2) |
| `price_per_second_usd` | number \| null | the server's price per second of runs (v2) |
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from bytez_tui.billing import cost_usd
from bytez_tui.models import Instance, Job, ModelInfo

__all__ = ["deletion_json", "instance_json", "job_json", "model_json", "no_instance_json", "stamp"]


def stamp(when: datetime | None) -> str | None:
    """An aware datetime as `2024-07-01T12:05:00.000Z`; None stays None."""
    if when is None:
        return None
    return when.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def state_of(instance: Instance) -> str:
    """`running`, `booting` or `failed`."""
    if instance.is_running:
        return "running"
    return "failed" if instance.is_failed else "booting"


def instance_json(instance: Instance, now: datetime, ram_gb: float | None = None) -> dict[str, Any]:
    """The instance shape; `now` is the server's current time."""
    expires_in = uptime = cost = None
    if instance.expires_at is not None:
        expires_in = round((instance.expires_at - now).total_seconds(), 3)
    seconds = instance.uptime(now)
    if seconds is not None:
        uptime = round(seconds, 3)
        cost = cost_usd(ram_gb, uptime)
    return {
        "model": instance.model,
        "status": instance.status,
        "state": state_of(instance),
        "concurrency": instance.concurrency,
        "inferences": instance.inferences,
        "expiration_period_seconds": instance.expiration_period_seconds,
        "expires_at": stamp(instance.expires_at),
        "expires_in_seconds": expires_in,
        "created": stamp(instance.created),
        "modified": stamp(instance.modified),
        "uptime_seconds": uptime,
        "ram_gb": ram_gb,
        "cost_usd": None if cost is None else round(cost, 6),
        "error": instance.error,
    }


def no_instance_json(model: str) -> dict[str, Any]:
    """The instance shape for a model that has none: every fact null."""
    return {
        "model": model,
        "status": None,
        "state": "none",
        "concurrency": None,
        "inferences": None,
        "expiration_period_seconds": None,
        "expires_at": None,
        "expires_in_seconds": None,
        "created": None,
        "modified": None,
        "uptime_seconds": None,
        "ram_gb": None,
        "cost_usd": None,
        "error": None,
    }


def job_json(job: Job) -> dict[str, Any]:
    """The job shape."""
    return {
        "model": job.model,
        "state": job.state,
        "message": job.message,
        "start_time": stamp(job.start_time),
        "end_time": stamp(job.end_time),
        "modified": stamp(job.modified),
    }


def deletion_json(model: str, deleted: bool) -> dict[str, Any]:
    """The deletion shape."""
    return {"model": model, "deleted": deleted}


def model_json(model: ModelInfo) -> dict[str, Any]:
    """The catalogue item shape."""
    hourly = model.cost_per_hour
    return {
        "name": model.name,
        "ram_gb": model.required_ram_gb,
        "benchmarked": model.benchmarked,
        "cost_per_hour_usd": None if hourly is None else round(hourly, 6),
        "task": model.task,
        "params_b": model.params_b,
        "price_per_second_usd": model.price_per_second,
    }
