"""Reading a catalogue answer (v1 `/model/list`, v2 `list/models`) into `ModelInfo`s.

Both dialects read it the same way and with the same care for memory: at 100,000 models
the answer is ~40 MB of JSON, so each item becomes its `ModelInfo` while `json.loads` is
still reading (`catalogue_item`), and the survivors' strings and numbers are copied into
fresh memory before the answer is freed (`read_catalogue`).
"""

from __future__ import annotations

from typing import Any

from bytez_tui.errors import BadResponse
from bytez_tui.models import MODEL_ID_KEYS, ModelInfo

__all__ = ["catalogue_item", "read_catalogue"]


def catalogue_item(data: dict[str, Any]) -> Any:
    """`json.loads`' `object_hook` for a catalogue answer: an object with a model id
    becomes its `ModelInfo` at once; any other is kept as it is (`read_catalogue` skips
    the unreadable ones).

    Each item's dict is then garbage as soon as it is read, rather than all 100,000 being
    alive until the whole answer is: the refresh's peak is ~45 MB lower.
    """
    if not any(key in data for key in MODEL_ID_KEYS):
        return data
    try:
        return ModelInfo.from_json(data)
    except BadResponse:
        return data


def read_catalogue(items: list[Any], *, endpoint: str = "list") -> list[ModelInfo]:
    """The models of a catalogue answer; an item that cannot be read is skipped (an
    item `catalogue_item` has already read is taken as it is).

    Raises:
        BadResponse: The answer listed items but not one could be read (say
            `["a/b", 1, null]`): that is an unreadable answer, not an empty catalogue, so
            it never replaces a cached one.
    """
    models: list[ModelInfo] = []
    for item in items:
        if isinstance(item, ModelInfo):
            models.append(item)
            continue
        try:
            models.append(ModelInfo.from_json(item))
        except BadResponse:
            continue
    if items and not models:
        raise BadResponse(
            f"none of the {len(items)} catalogue entries could be read", endpoint=endpoint
        )
    _repack(models)
    return models


def _repack(models: list[ModelInfo]) -> None:
    """Give the models copies of their strings and numbers, made while the parsed answer
    they came from is still alive.

    The strings and floats `json.loads` made lie scattered between the answer's dicts,
    which are garbage a moment later. Python returns memory to the system only a whole
    arena at a time, so those survivors kept ~40 MB of arenas alive after a 100,000-model
    refresh. Copies made now land side by side in fresh arenas, and the answer's arenas
    can all go. The fields are replaced in place (the objects are new and not yet shared).
    """
    names = "\n".join([model.name for model in models]).split("\n")
    if len(names) != len(models):  # an id with a newline: not worth the trouble
        return
    tasks: dict[str, str] = {}
    setattr_ = object.__setattr__
    for name, model in zip(names, models, strict=True):
        setattr_(model, "name", name)
        if model.required_ram_gb is not None:
            setattr_(model, "required_ram_gb", model.required_ram_gb + 0.0)  # a new float
        if model.task is not None:
            setattr_(model, "task", tasks.setdefault(model.task, model.task.encode().decode()))
        if model.params_b is not None:
            setattr_(model, "params_b", model.params_b + 0.0)
        if model.price_per_second is not None:
            setattr_(model, "price_per_second", model.price_per_second + 0.0)
