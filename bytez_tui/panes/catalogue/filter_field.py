"""The catalogue's filter field, and its completion of the task name in a `task:` word (v2)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from textual.suggester import Suggester

from bytez_tui.catalogue.query import complete_task
from bytez_tui.widgets.filter_input import FilterInput

__all__ = ["CatalogueFilter", "TaskSuggester"]

_PLACEHOLDER = "Filter: words  org:NAME  ram<8  cost<0.5  bench  -bench  running"
_TASKS_PLACEHOLDER = "Filter: words  task:NAME (tab completes)  org:NAME  ram<8  cost<0.5  running"


class CatalogueFilter(FilterInput):
    """The filter field over the catalogue: its placeholder names the words the catalogue
    on screen can be filtered by, and with v2's task names it completes `task:` words.

    Args:
        on_value: Called with the text after each change.
        on_submit: Called on enter.
        leave_keys: Keys that leave the field.
        cursor_blink: Blink the cursor.
    """

    def __init__(
        self,
        *,
        on_value: Callable[[str], None],
        on_submit: Callable[[], None],
        leave_keys: Collection[str] = ("escape",),
        cursor_blink: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(
            on_value=on_value,
            on_submit=on_submit,
            leave_keys=leave_keys,
            cursor_blink=cursor_blink,
            placeholder=_PLACEHOLDER,
            id=id,
        )

    def offer_tasks(self, tasks: Iterable[str] | None) -> None:
        """Complete these task names after `task:`, and say so (None: the catalogue has
        no tasks, v1's)."""
        self.suggester = None if tasks is None else TaskSuggester(tasks)
        self.placeholder = _PLACEHOLDER if tasks is None else _TASKS_PLACEHOLDER


class TaskSuggester(Suggester):
    """Suggests the rest of a task name after `task:`, from the tasks in the catalogue.

    Args:
        tasks: The task names the catalogue's models have.
    """

    def __init__(self, tasks: Iterable[str]) -> None:
        # Case-sensitive: the suggestion is the whole filter, and accepting a casefolded
        # one would lowercase the rest of it.
        super().__init__(use_cache=True, case_sensitive=True)
        self.tasks = sorted(set(tasks), key=str.lower)
        """The task names, sorted case-insensitively."""

    async def get_suggestion(self, value: str) -> str | None:
        return complete_task(value, self.tasks)
