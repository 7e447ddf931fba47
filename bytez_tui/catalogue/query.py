"""The catalogue's filter language, UI-free (the `models` command of the CLI uses it too).

A query is words separated by spaces; a model must match every one (AND):

| word | matches |
|---|---|
| `llama` | ids containing `llama`, case-insensitive |
| `-onnx` | ids not containing `onnx` |
| `ram<8`, `ram<=8`, `ram>2.5`, `ram>=2.5` | RAM in GB (models without RAM never match) |
| `ram=8`, `ram=2.5` | RAM equal at the precision typed (7.5 ≤ RAM < 8.5; 2.45 ≤ RAM < 2.55) |
| `cost<0.5` (same operators) | dollars per hour: the server's price (v2), else our RAM estimate |
| `bench` / `-bench` | benchmarked / not benchmarked |
| `org:meta-llama` | ids whose org (before the `/`) starts with `meta-llama` |
| `task:chat`, `task:text-to` | models whose task starts with that (v2; v1 lists no tasks) |
| `running` / `-running` | models with a live instance |
| `tracked` / `-tracked` | models tracked as jobs |

Any facet can be negated with a leading `-`. `compile_query` raises `QueryError` with a
one-line reason for anything else that looks like a facet (a `:` or a comparison);
`usable_part` gives the query without its invalid words, for the rows to show meanwhile.

Example:
    >>> query = compile_query("llama ram<8 bench")
    >>> rows = query.filter(index)

`complete_task` completes the task name of a `task:` word being typed, for the filter field.
"""

from __future__ import annotations

import difflib
import math
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bytez_tui.billing import RATE_PER_GB_SECOND
from bytez_tui.catalogue.index import CatalogueIndex

__all__ = ["Query", "QueryError", "Term", "compile_query", "complete_task", "usable_part"]

_EMPTY: frozenset[str] = frozenset()

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "==": operator.eq,
}
_COMPARISON = re.compile(r"^(ram|cost)(<=|>=|==|<|>|=)(.*)$", re.IGNORECASE)
_BAD_COMPARISON = re.compile(r"^(ram|cost)([<>=!]+)(.*)$", re.IGNORECASE)
_FLAGS = {"bench": "bench", "benchmarked": "bench", "running": "running", "tracked": "tracked"}
_FACETS = "org: task: ram< cost< bench running tracked"
_FACET_KEYS = ("org", "task", "ram", "cost")
_NAMED_FACETS = {"org": "org:meta-llama", "task": "task:chat"}


class QueryError(ValueError):
    """A word of the query cannot be understood.

    Args:
        message: Why, in one line, for the user.
        term: The offending word.
    """

    def __init__(self, message: str, term: str = "") -> None:
        super().__init__(message)
        self.message = message
        """Why the query is invalid, in one line."""
        self.term = term
        """The word that is invalid."""


@dataclass(frozen=True)
class Term:
    """One word of a query.

    `kind` is `word`, `org`, `task`, `ram`, `cost`, `bench`, `running` or `tracked`.
    """

    kind: str
    """What the word tests."""
    value: str = ""
    """The substring (`word`, lowercased), the org or task prefix, or the operator."""
    number: float = 0.0
    """The bound of a comparison."""
    negated: bool = False
    """Keep the models that do *not* match."""
    tolerance: float = 0.0
    """For `=`: half a unit of the last digit typed (`ram=8` means 7.5 ≤ RAM < 8.5)."""

    def implies(self, other: Term) -> bool:
        """Whether every model matching this term also matches `other`."""
        if self == other:
            return True
        if self.kind != other.kind or self.negated != other.negated:
            return False
        if self.kind in ("word", "org", "task"):
            if self.negated:
                # Excluding "fo" excludes at least what excluding "foo" does.
                if self.kind == "task":
                    return other.value.startswith(self.value)
                return self.kind == "word" and self.value in other.value
            if self.kind == "word":
                return other.value in self.value
            return self.value.startswith(other.value)
        return False


@dataclass(frozen=True)
class Query:
    """A compiled query: the terms a model must all match."""

    text: str = ""
    """The text it was compiled from."""
    terms: tuple[Term, ...] = field(default=())
    """The words, in the order they were typed."""

    def __bool__(self) -> bool:
        return bool(self.terms)

    @property
    def uses_running(self) -> bool:
        """Whether the result depends on which models are running."""
        return any(term.kind == "running" for term in self.terms)

    @property
    def uses_tracked(self) -> bool:
        """Whether the result depends on which models are tracked."""
        return any(term.kind == "tracked" for term in self.terms)

    def narrows(self, previous: Query) -> bool:
        """Whether this query's matches are a subset of `previous`'s (same context).

        When it is, the previous result can be filtered instead of the whole catalogue.
        """
        return all(any(term.implies(old) for term in self.terms) for old in previous.terms)

    def filter(
        self,
        index: CatalogueIndex,
        *,
        within: Sequence[int] | None = None,
        running: frozenset[str] = _EMPTY,
        tracked: frozenset[str] = _EMPTY,
    ) -> Sequence[int]:
        """The rows of `index` that match, in the order of `within`.

        Args:
            index: The catalogue.
            within: The candidate rows, in display order (every row when None).
            running: Models with a live instance (for `running`).
            tracked: Models tracked as jobs (for `tracked`).

        Returns:
            The matching rows: a new list, or for no terms `within` itself when it is a
            `range` (every row in the index's own order: no list of 100,000 numbers).
        """
        rows: Sequence[int] = range(len(index)) if within is None else within
        if not self.terms:
            return rows if isinstance(rows, range) else list(rows)
        # Cheapest and most selective first: substrings, then the rest.
        first, *rest = sorted(self.terms, key=lambda term: term.kind != "word")
        result = _apply(first, index, rows, running, tracked)
        for term in rest:
            result = _apply(term, index, result, running, tracked)
        return result


def _apply(
    term: Term,
    index: CatalogueIndex,
    rows: Sequence[int],
    running: frozenset[str],
    tracked: frozenset[str],
) -> list[int]:
    negated = term.negated
    kind = term.kind
    if kind == "word":
        needle, lowered = term.value, index.lowered
        if negated:
            return [row for row in rows if needle not in lowered[row]]
        if isinstance(rows, range) and rows == range(len(lowered)):
            return [row for row, name in enumerate(lowered) if needle in name]
        return [row for row in rows if needle in lowered[row]]
    if kind == "org":
        prefix, orgs = term.value, index.orgs
        return [row for row in rows if orgs[row].startswith(prefix) != negated]
    if kind == "task":
        tasks = index.tasks
        if tasks is None:  # v1: no model has a task
            return list(rows) if negated else []
        prefix, codes = term.value, tasks.codes
        matching = {n for n, task in enumerate(tasks.values, 1) if task.lower().startswith(prefix)}
        return [row for row in rows if (codes[row] in matching) != negated]
    if kind == "bench":
        bench = index.bench
        return [row for row in rows if bench[row] != negated]
    if kind in ("running", "tracked"):
        names, chosen = index.names, running if kind == "running" else tracked
        if not chosen:
            return list(rows) if negated else []
        return [row for row in rows if (names[row] in chosen) != negated]
    compare = _OPERATORS[term.value]
    bound, tolerance = term.number, term.tolerance
    values: Sequence[float | None] = index.ram
    if kind == "cost" and index.has_prices:
        # The server's prices are not RAM × a rate: compare each model's own hourly cost
        # (NaN where unknown, which no comparison matches).
        values = index.hourly
    elif kind == "cost":
        bound = bound / (3600 * RATE_PER_GB_SECOND)
        tolerance = tolerance / (3600 * RATE_PER_GB_SECOND)
    if term.value in ("=", "=="):
        low, high = bound - tolerance, bound + tolerance

        def compare(value: float, _: float) -> bool:
            # Equal as far as the digits typed go: exact float equality never matched.
            return low <= value < high

    if negated:
        return [
            row
            for row in rows
            if (value := values[row]) is None or value != value or not compare(value, bound)
        ]
    return [
        row
        for row in rows
        if (value := values[row]) is not None and value == value and compare(value, bound)
    ]


def _term(word: str) -> Term | None:
    negated = word.startswith("-")
    body = word[1:] if negated else word
    if not body:
        return None  # a lone "-" while typing a negation
    lowered = body.lower()
    flag = _FLAGS.get(lowered)
    if flag is not None:
        return Term(flag, negated=negated)
    match = _COMPARISON.match(body)
    if match:
        field_name, op, number = match.group(1).lower(), match.group(2), match.group(3)
        if not number:
            raise QueryError(f"{field_name}{op} needs a number, e.g. {field_name}{op}8", word)
        try:
            bound = float(number)
        except ValueError:
            raise QueryError(f"{number!r} is not a number (in {word})", word) from None
        if not math.isfinite(bound):
            raise QueryError(f"{number!r} is not a finite number (in {word})", word)
        decimals = len(number.partition(".")[2]) if "e" not in number.lower() else 0
        tolerance = 0.5 * 10.0**-decimals if op in ("=", "==") else 0.0
        return Term(field_name, op, bound, negated, tolerance)
    bad = _BAD_COMPARISON.match(body)
    if bad:
        raise QueryError(f"{bad.group(2)!r} is not a comparison: use < <= > >= =", word)
    if ":" in body:
        key, _, value = lowered.partition(":")
        if key not in _NAMED_FACETS:
            close = difflib.get_close_matches(key, _FACET_KEYS, n=1)
            hint = f"did you mean {close[0]}:?" if close else f"facets: {_FACETS}"
            raise QueryError(f"unknown facet {key + ':'!r} ({hint})", word)
        if not value:
            raise QueryError(f"{key}: needs a name, e.g. {_NAMED_FACETS[key]}", word)
        return Term(key, value, negated=negated)
    if any(sign in body for sign in "<>="):
        raise QueryError(f"cannot compare {word!r}: only ram and cost take < > =", word)
    return Term("word", lowered, negated=negated)


def compile_query(text: str) -> Query:
    """Compile the filter `text`.

    Args:
        text: Space-separated words (see the module docstring).

    Returns:
        The query; an empty one (matching everything) for blank text.

    Raises:
        QueryError: A word is an invalid facet; `.message` says why.
    """
    terms = [term for word in text.split() if (term := _term(word)) is not None]
    return Query(text=text, terms=tuple(terms))


def usable_part(text: str) -> Query:
    """The query of `text` without its invalid words (each word is compiled alone).

    While a facet is being typed (`ram<` on the way to `ram<8`), the rows shown are
    those of the rest of the query, not those of the half-typed word (`ram`).
    """
    terms: list[Term] = []
    for word in text.split():
        try:
            term = _term(word)
        except QueryError:
            continue
        if term is not None:
            terms.append(term)
    return Query(text=text, terms=tuple(terms))


def complete_task(text: str, tasks: Sequence[str]) -> str | None:
    """`text` with the task name of its last word completed, if that word is `task:…`.

    Args:
        text: The filter as typed so far.
        tasks: The task names to complete from, sorted.

    Returns:
        `text` followed by the rest of the first task name that starts with what was typed
        after `task:` (case-insensitive), or None when there is nothing to add.

    Example:
        >>> complete_task("llama -task:text-t", ["chat", "text-generation", "text-to-image"])
        'llama -task:text-to-image'
    """
    word = text.rpartition(" ")[2]
    key, colon, typed = word.removeprefix("-").partition(":")
    if not colon or key.lower() != "task":
        return None
    typed = typed.lower()
    for name in tasks:
        if name.lower().startswith(typed) and len(name) > len(typed):
            return text + name[len(typed) :]
    return None
