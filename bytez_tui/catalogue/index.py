"""The catalogue held as parallel columns, for filtering and sorting 100,000 models fast.

A list of frozen dataclasses costs several hundred bytes and a Python object per model;
the columns here cost a string, a float and a bool per model, and the filter loops over
pre-lowercased ids without touching any object. UI-free: the CLI uses it too.

v2's catalogue also says each model's task, size and price. Those columns exist only when
the API gave them (v1's catalogue costs nothing more), and they hold no Python object per
model: each is a `Coded` column, a 2-byte code per model into the few distinct values (a
few dozen tasks, a dozen meter prices, a few thousand sizes). At 100,000 models the three
take 0.6 MB; as doubles they took 1.8 MB and tripled what reading the cache allocates.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, Literal, TypeVar

from bytez_tui.billing import RATE_PER_GB_SECOND
from bytez_tui.models import ModelInfo

__all__ = ["SORT_KEYS", "CatalogueIndex", "Coded", "RamByModel", "SortKey"]

SortKey = Literal["id", "ram", "cost"]
SORT_KEYS: tuple[SortKey, ...] = ("id", "ram", "cost")
"""The sort keys in the order the sort key cycles through them."""

_HOURLY = 3600 * RATE_PER_GB_SECOND
_Value = TypeVar("_Value", str, float)


@dataclass(frozen=True, eq=False)
class Coded(Generic[_Value]):
    """A column of few distinct values: row `i` is `values[codes[i] - 1]`, or None for 0.

    Args:
        values: The distinct values.
        codes: One code per row (typecode `H`, or `I` past 65,535 values).
    """

    values: tuple[_Value, ...]
    """The distinct values, in the order first seen."""
    codes: array[int]
    """Each row's code: 1 + the index of its value, 0 for none."""

    @classmethod
    def of(cls, column: Iterable[_Value | None]) -> Coded[_Value]:
        """Code a column (None: no value)."""
        table: dict[_Value | None, int] = {None: 0}
        codes = [table.setdefault(value, len(table)) for value in column]
        values = tuple(value for value in table if value is not None)
        return cls(values, array("H" if len(table) <= 0xFFFF else "I", codes))

    def __getitem__(self, row: int) -> _Value | None:
        code = self.codes[row]
        return self.values[code - 1] if code else None

    def __len__(self) -> int:
        return len(self.codes)

    def permuted(self, order: Sequence[int]) -> Coded[_Value]:
        """This column with its rows in `order`."""
        codes = self.codes
        return Coded(self.values, array(codes.typecode, [codes[row] for row in order]))


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
    tasks: Coded[str] | None = field(default=None, repr=False)
    """Each model's task; None when the API lists no tasks (v1)."""
    params: Coded[float] | None = field(default=None, repr=False)
    """Parameters in billions; None when the API gives no sizes (v1)."""
    price: Coded[float] | None = field(default=None, repr=False)
    """The server's USD per second of runs; None when the API gives no prices (v1)."""
    _orders: dict[tuple[SortKey, bool], Sequence[int]] = field(default_factory=dict, repr=False)
    _orgs: list[str] | None = field(default=None, repr=False)
    _sorted_by: SortKey | None = field(default=None, repr=False)
    _hourly: array[float] | None = field(default=None, repr=False)

    @cached_property
    def lowered(self) -> list[str]:
        """The ids lowercased, for case-insensitive matching.

        Built on first use (~10 ms at 100,000 ids): painting the cached rows needs none.
        An id already in lower case (three in four) is its own lowered form: sharing the
        string saves ~6 MB at 100,000 models over lowering every id into a new one.
        """
        given = self.given_lowered
        if given is not None and len(given) == len(self.names):
            return given
        return [name if (low := name.lower()) == name else low for name in self.names]

    @classmethod
    def from_models(cls, models: Iterable[ModelInfo]) -> CatalogueIndex:
        """Build the columns from parsed models."""
        items = [model for model in models if "\n" not in model.name]
        index = cls(
            names=[model.name for model in items],
            ram=[model.required_ram_gb for model in items],
            bench=[model.benchmarked for model in items],
        )
        if any(model.task is not None for model in items):
            index.tasks = Coded.of(model.task for model in items)
        if any(model.params_b is not None for model in items):
            index.params = Coded.of(model.params_b for model in items)
        if any(model.price_per_second is not None for model in items):
            index.price = Coded.of(model.price_per_second for model in items)
        return index

    def __len__(self) -> int:
        return len(self.names)

    @property
    def has_tasks(self) -> bool:
        """Whether the API said the models' tasks (v2)."""
        return self.tasks is not None

    @property
    def has_prices(self) -> bool:
        """Whether the API gave its own prices (v2's `meterPrice`)."""
        return self.price is not None

    def model(self, row: int) -> ModelInfo:
        """The model at `row`, as the dataclass the API client returns."""
        return ModelInfo(
            self.names[row],
            self.ram[row],
            self.bench[row],
            task=self.task(row),
            params_b=None if self.params is None else self.params[row],
            price_per_second=None if self.price is None else self.price[row],
        )

    @property
    def task_names(self) -> tuple[str, ...]:
        """The tasks the models have (none for v1)."""
        return () if self.tasks is None else self.tasks.values

    def task(self, row: int) -> str | None:
        """The task of the model at `row`, None when not said."""
        return None if self.tasks is None else self.tasks[row]

    def server_priced(self, row: int) -> bool:
        """Whether the cost of the model at `row` is the server's price, not our estimate."""
        return self.price is not None and self.price.codes[row] != 0

    def cost_per_hour(self, row: int) -> float | None:
        """Dollars per hour for the model at `row`: the server's price when it gave one,
        else our estimate from RAM; None with neither."""
        price = None if self.price is None else self.price[row]
        if price is not None:
            return price * 3600
        ram = self.ram[row]
        return None if ram is None else ram * _HOURLY

    @property
    def hourly(self) -> array[float]:
        """`cost_per_hour` of every row (NaN: unknown), built on first use."""
        if self._hourly is None:
            self._hourly = array(
                "d",
                [
                    math.nan if (c := self.cost_per_hour(row)) is None else c
                    for row in range(len(self))
                ],
            )
        return self._hourly

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
            tasks=None if self.tasks is None else self.tasks.permuted(order),
            params=None if self.params is None else self.params.permuted(order),
            price=None if self.price is None else self.price.permuted(order),
        )
        copy.assume_sorted(key)
        return copy

    def assume_sorted(self, key: SortKey) -> None:
        """Record that the rows are already in ascending `key` order."""
        key = self._column(key)
        # A range, not a list: 100,000 numbers as objects took 3.9 MB.
        self._orders[(key, False)] = range(len(self.names))
        self._sorted_by = key

    def order(self, key: SortKey, *, descending: bool = False) -> Sequence[int]:
        """Every row sorted by `key`: stable, nulls last in both directions (cached).

        Args:
            key: `id` (case-insensitive), `ram` or `cost` (which follows RAM unless the
                server gave prices).
            descending: Largest first.
        """
        key = self._column(key)
        cached = self._orders.get((key, descending))
        if cached is not None:
            return cached
        rows = range(len(self.names))
        if key == "id":
            order = sorted(rows, key=self.lowered.__getitem__, reverse=descending)
        elif key == "ram":
            ram = self.ram
            known = [row for row in rows if ram[row] is not None]
            unknown = [row for row in rows if ram[row] is None]
            order = sorted(known, key=ram.__getitem__, reverse=descending) + unknown  # type: ignore[arg-type]
        else:
            hourly = self.hourly
            known = [row for row in rows if hourly[row] == hourly[row]]  # NaN != NaN
            unknown = [row for row in rows if hourly[row] != hourly[row]]
            order = sorted(known, key=hourly.__getitem__, reverse=descending) + unknown
        self._orders[(key, descending)] = order
        return order

    def _column(self, key: SortKey) -> SortKey:
        """The column that orders `key`: the cost without server prices is RAM × a rate."""
        return "ram" if key == "cost" and self.price is None else key


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
