"""The catalogue held as parallel columns, for filtering and sorting 100,000 models fast.

A list of frozen dataclasses costs several hundred bytes and a Python object per model;
the columns here cost a string, a float and a bool per model, and the filter loops over
pre-lowercased ids without touching any object. UI-free: the CLI uses it too.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from bytez_tui.models import RATE_PER_GB_SECOND, ModelInfo

__all__ = ["SORT_KEYS", "CatalogueIndex", "RamByModel", "SortKey"]

SortKey = Literal["id", "ram", "cost"]
SORT_KEYS: tuple[SortKey, ...] = ("id", "ram", "cost")
"""The sort keys in the order the sort key cycles through them."""

_HOURLY = 3600 * RATE_PER_GB_SECOND


@dataclass(eq=False)
class CatalogueIndex:
    """The catalogue as columns: row `i` is `names[i]`, `ram[i]`, `bench[i]`.

    Args:
        names: Model ids, in the API's order.
        ram: RAM in GB per model, None when unknown.
        bench: Whether each model is benchmarked.
        given_lowered: The ids lowercased, if the caller has them (else built on first use).
    """

    names: list[str]
    """Model ids, in the API's order."""
    ram: list[float | None]
    """RAM in GB, None when unknown."""
    bench: list[bool]
    """Whether Bytez benchmarked the model."""
    given_lowered: list[str] | None = field(default=None, repr=False)
    _orders: dict[tuple[SortKey, bool], list[int]] = field(default_factory=dict, repr=False)
    _orgs: list[str] | None = field(default=None, repr=False)
    _sorted_by: SortKey | None = field(default=None, repr=False)

    @cached_property
    def lowered(self) -> list[str]:
        """The ids lowercased, for case-insensitive matching.

        Built on first use (~8 ms at 100,000 ids): painting the cached rows needs none.
        """
        given = self.given_lowered
        if given is not None and len(given) == len(self.names):
            return given
        return "\n".join(self.names).lower().split("\n") if self.names else []

    @classmethod
    def from_models(cls, models: Iterable[ModelInfo]) -> CatalogueIndex:
        """Build the columns from parsed models."""
        items = [model for model in models if "\n" not in model.name]
        return cls(
            names=[model.name for model in items],
            ram=[model.required_ram_gb for model in items],
            bench=[model.benchmarked for model in items],
        )

    def __len__(self) -> int:
        return len(self.names)

    def model(self, row: int) -> ModelInfo:
        """The model at `row`, as the dataclass the API client returns."""
        return ModelInfo(self.names[row], self.ram[row], self.bench[row])

    def cost_per_hour(self, row: int) -> float | None:
        """Dollars per hour for the model at `row`; None without RAM."""
        ram = self.ram[row]
        return None if ram is None else ram * _HOURLY

    @property
    def orgs(self) -> list[str]:
        """The lowercased org (the part before `/`) of every model, built on first use."""
        if self._orgs is None:
            self._orgs = [name.partition("/")[0] for name in self.lowered]
        return self._orgs

    def find(self, name: str) -> int | None:
        """The row of the model called `name` (exact, then case-insensitive), or None."""
        lowered = name.lower()
        if self._sorted_by == "id":  # bisect: microseconds instead of a scan
            row = bisect_left(self.lowered, lowered)
            first = row
            while row < len(self.lowered) and self.lowered[row] == lowered:
                if self.names[row] == name:
                    return row
                row += 1
            return first if row > first else None
        try:
            return self.names.index(name)
        except ValueError:
            pass
        for row, candidate in enumerate(self.lowered):
            if candidate == lowered:
                return row
        return None

    def sorted_by(self, key: SortKey) -> CatalogueIndex:
        """This index with its rows in `key` order (so that order costs nothing).

        Returns `self` when the rows already are in that order, else a copy.
        """
        if self._sorted_by == key:
            return self
        order = self.order(key)
        copy = CatalogueIndex(
            names=[self.names[row] for row in order],
            ram=[self.ram[row] for row in order],
            bench=[self.bench[row] for row in order],
            given_lowered=[self.lowered[row] for row in order],
        )
        copy.assume_sorted(key)
        return copy

    def assume_sorted(self, key: SortKey) -> None:
        """Record that the rows are already in ascending `key` order."""
        key = "ram" if key == "cost" else key
        self._orders[(key, False)] = list(range(len(self.names)))
        self._sorted_by = key

    def order(self, key: SortKey, *, descending: bool = False) -> list[int]:
        """Every row sorted by `key`: stable, nulls last in both directions (cached).

        Args:
            key: `id` (case-insensitive), `ram` or `cost` (cost follows RAM).
            descending: Largest first.
        """
        if key == "cost":
            key = "ram"
        cached = self._orders.get((key, descending))
        if cached is not None:
            return cached
        rows = range(len(self.names))
        if key == "id":
            order = sorted(rows, key=self.lowered.__getitem__, reverse=descending)
        else:
            ram = self.ram
            known = [row for row in rows if ram[row] is not None]
            unknown = [row for row in rows if ram[row] is None]
            order = sorted(known, key=ram.__getitem__, reverse=descending) + unknown  # type: ignore[arg-type]
        self._orders[(key, descending)] = order
        return order


class RamByModel(Mapping[str, "float | None"]):
    """Model id → RAM, built on first lookup (a dict of 100,000 ids costs ~10 ms).

    Args:
        names: Model ids.
        ram: RAM per model, in the order of `names`.
    """

    def __init__(self, names: Sequence[str], ram: Sequence[float | None]) -> None:
        self._names, self._ram = names, ram
        self._map: dict[str, float | None] | None = None

    def _built(self) -> dict[str, float | None]:
        if self._map is None:
            self._map = dict(zip(self._names, self._ram, strict=True))
        return self._map

    def __getitem__(self, name: str) -> float | None:
        return self._built()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._built())

    def __len__(self) -> int:
        return len(self._names)

    def __eq__(self, other: object) -> bool:
        # Identity: `Mapping` would build and compare two 100,000-entry dicts (~0.2 s)
        # each time a reactive holding one is set.
        return self is other

    __hash__ = None  # type: ignore[assignment]
