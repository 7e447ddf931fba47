"""Completion in the catalogue's filter: the task names of a `task:` word (v2)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.suggester import Suggester

from bytez_tui.catalogue.query import complete_task

__all__ = ["TaskSuggester"]


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
