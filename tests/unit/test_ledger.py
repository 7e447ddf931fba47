"""The spend ledger bills as Bytez bills: 60 s minimum, whole minutes, shutdown grace, runs
that reset the idle timeout; server costs and estimates are kept apart."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bytez_tui.billing import RATE_PER_GB_SECOND
from bytez_tui.clock import FixedClock, utc
from bytez_tui.format import GRACE_SECONDS
from bytez_tui.local.budget import BudgetAlarm
from bytez_tui.local.ledger import Ledger
from bytez_tui.local.spend import GONE_AFTER, Spend, run_cost
from bytez_tui.models import Instance, Metering

START = datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)
RAM = 10.0
"""GB: one billed second costs RAM x RATE."""
SECOND = RAM * RATE_PER_GB_SECOND


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def ledger() -> Ledger:
    return Ledger(store_key="test", tz=utc)


def running(model: str, expires_at: datetime | None = None, period: int = 300) -> Instance:
    return Instance(model, "RUNNING", 1, 0, period, expires_at, START, START, None)


def instance_cost(ledger: Ledger, clock: FixedClock) -> float:
    [item] = [i for i in ledger.most_expensive(START, clock.now()) if i.kind == "instance"]
    assert item.estimate
    return item.cost


def test_an_instance_is_billed_60_seconds_at_least(ledger: Ledger, clock: FixedClock) -> None:
    ledger.loaded("org/a", at=clock.now(), ram_gb=RAM)
    ledger.deleted("org/a", at=clock.advance(10))
    assert instance_cost(ledger, clock) == pytest.approx(60 * SECOND)


@pytest.mark.parametrize(("seconds", "billed"), [(60, 60), (61, 120), (119, 120), (3600, 3600)])
def test_an_instance_is_billed_in_whole_minutes(
    ledger: Ledger, clock: FixedClock, seconds: int, billed: int
) -> None:
    ledger.loaded("org/a", at=clock.now(), ram_gb=RAM)
    ledger.deleted("org/a", at=clock.advance(seconds))
    assert instance_cost(ledger, clock) == pytest.approx(billed * SECOND)


def test_an_expired_instance_is_billed_until_the_end_of_the_grace(
    ledger: Ledger, clock: FixedClock
) -> None:
    expires = START + timedelta(seconds=300)
    ledger.loaded("org/a", at=clock.now(), ram_gb=RAM, period=300)
    ledger.observed([running("org/a", expires)], at=clock.advance(60))
    ledger.observed([], at=clock.advance(3600))  # found gone long after
    assert instance_cost(ledger, clock) == pytest.approx((300 + GRACE_SECONDS) * SECOND)
    [item] = ledger.most_expensive(START, clock.now())
    assert item.ending == "expired"


def test_an_instance_gone_inside_the_grace_is_billed_until_found_gone(
    ledger: Ledger, clock: FixedClock
) -> None:
    ledger.loaded("org/a", at=clock.now(), ram_gb=RAM, period=300)
    ledger.observed([], at=clock.advance(330))
    assert instance_cost(ledger, clock) == pytest.approx(360 * SECOND)


def test_a_run_resets_the_expiry(ledger: Ledger, clock: FixedClock) -> None:
    ledger.loaded("org/a", at=clock.now(), ram_gb=RAM, period=300)
    ledger.ran("org/a", at=clock.advance(200), seconds=10, metering=None)
    ledger.observed([], at=clock.advance(3600))
    # Idle from 210 s: expired at 510 s, shut down by 630 s, billed to the minute: 660 s.
    assert instance_cost(ledger, clock) == pytest.approx(660 * SECOND)


def test_an_open_instance_past_expiry_and_grace_stops_costing(
    ledger: Ledger, clock: FixedClock
) -> None:
    ledger.loaded("org/a", at=clock.now(), ram_gb=RAM, period=300)
    clock.advance(86400)  # nobody watched: no list was read
    assert instance_cost(ledger, clock) == pytest.approx((300 + GRACE_SECONDS) * SECOND)
    assert ledger.burn_rate(clock.now()) == 0


def test_an_instance_stopped_elsewhere_while_unwatched_ends_when_last_seen(
    ledger: Ledger, clock: FixedClock
) -> None:
    ledger.observed([running("org/a", None)], at=clock.now(), ram_of=lambda m: RAM)
    ledger.observed([], at=clock.advance(GONE_AFTER + 3600))
    assert instance_cost(ledger, clock) == pytest.approx(60 * SECOND)
    [item] = ledger.most_expensive(START, clock.now())
    assert item.ending == "stopped"


def test_an_instance_started_elsewhere_counts_from_when_it_was_seen(
    ledger: Ledger, clock: FixedClock
) -> None:
    clock.advance(600)
    far = clock.now() + timedelta(hours=1)
    ledger.observed([running("org/a", far)], at=clock.now(), ram_of=lambda m: RAM)
    ledger.observed([running("org/a", far)], at=clock.advance(120))
    [item] = ledger.most_expensive(START, clock.now())
    assert item.from_seen and item.start == START + timedelta(seconds=600)
    assert item.cost == pytest.approx(120 * SECOND)
    assert item.ending == "running"


def test_a_failed_instance_has_no_cost(ledger: Ledger, clock: FixedClock) -> None:
    ledger.loaded("org/a", at=clock.now(), ram_gb=RAM)
    failed = Instance("org/a", "FAILED", 1, 0, 300, None, START, START, "boom")
    ledger.observed([failed], at=clock.advance(60))
    assert ledger.most_expensive(START, clock.now()) == []
    assert ledger.burn_rate(clock.now()) == 0


def test_run_costs_say_where_they_come_from() -> None:
    assert run_cost(Metering("sm-lm", 0.001, 2.0, 0.005)) == (0.005, "server")
    assert run_cost(Metering("sm-lm", 0.001, 2.0, None)) == (pytest.approx(0.002), "estimate")  # type: ignore[comparison-overlap]
    assert run_cost(Metering("sm-lm", None, 2.0, None)) == (None, "instance")
    assert run_cost(None) == (None, "instance")


def test_server_costs_and_estimates_are_summed_apart(ledger: Ledger, clock: FixedClock) -> None:
    ledger.ran("org/a", at=clock.now(), seconds=2, metering=Metering(None, None, 2, 0.5))
    ledger.ran("org/b", at=clock.now(), seconds=2, metering=Metering(None, 0.1, 2, None))
    ledger.ran("org/c", at=clock.now(), seconds=2, metering=None)
    assert ledger.today(clock.advance(5)) == Spend(server=0.5, estimate=pytest.approx(0.2))  # type: ignore[arg-type]
    by_model = ledger.by_model(START, clock.now())
    assert [(m.model, m.runs) for m in by_model] == [("org/a", 1), ("org/b", 1), ("org/c", 1)]


def test_days_share_an_instance_that_spans_midnight(ledger: Ledger) -> None:
    evening = datetime(2024, 7, 1, 23, 0, tzinfo=utc)
    ledger.loaded("org/a", at=evening, ram_gb=RAM)
    ledger.deleted("org/a", at=evening + timedelta(hours=2))
    days = ledger.by_day(evening - timedelta(days=13), evening + timedelta(hours=3))
    assert len(days) == 15
    assert [d.spend.total for d in days[-2:]] == [
        pytest.approx(3600 * SECOND),
        pytest.approx(3600 * SECOND),
    ]
    assert sum(d.spend.total for d in days[:-2]) == 0


def test_burn_rate_sums_what_runs_now(ledger: Ledger, clock: FixedClock) -> None:
    far = START + timedelta(hours=1)
    ledger.observed(
        [running("org/a", far), running("org/b", far)],
        at=clock.now(),
        ram_of={"org/a": 10.0, "org/b": 5.0}.get,
    )
    assert ledger.burn_rate(clock.now()) == pytest.approx(15 * 3600 * RATE_PER_GB_SECOND)
    ledger.deleted("org/a", at=clock.advance(30))
    assert ledger.burn_rate(clock.now()) == pytest.approx(5 * 3600 * RATE_PER_GB_SECOND)


def test_instances_listed_before_the_catalogue_get_their_ram_when_it_comes(
    ledger: Ledger, clock: FixedClock
) -> None:
    far = START + timedelta(hours=1)
    ledger.observed([running("org/a", far)], at=clock.now())
    assert ledger.burn_rate(clock.now()) == 0
    ledger.learn_ram({"org/a": RAM}.get)
    assert ledger.burn_rate(clock.now()) == pytest.approx(RAM * 3600 * RATE_PER_GB_SECOND)
    ledger.learn_ram({"org/a": 2 * RAM}.get)  # a known RAM stays as it was
    assert ledger.burn_rate(clock.now()) == pytest.approx(RAM * 3600 * RATE_PER_GB_SECOND)


def test_instance_time_is_not_billed_where_the_api_bills_runs(
    ledger: Ledger, clock: FixedClock
) -> None:
    ledger.loaded("org/a", at=clock.now(), ram_gb=RAM, billed=False)
    clock.advance(600)
    assert ledger.burn_rate(clock.now()) == 0
    assert ledger.today(clock.now()).total == 0


def test_each_api_has_its_own_ledger(clock: FixedClock) -> None:
    Ledger(store_key="one", tz=utc).loaded("org/a", at=clock.now(), ram_gb=RAM)
    clock.advance(60)
    assert Ledger(store_key="two", tz=utc).today(clock.now()).total == 0
    assert Ledger(store_key="one", tz=utc).today(clock.now()).total > 0


def test_budget_warnings_are_remembered_across_restarts(ledger: Ledger) -> None:
    day = START.date()
    first = BudgetAlarm(1.0, remember=ledger.alarm_fired)
    assert first.crossed(day, 0.85) == [0.8]
    assert first.crossed(day, 0.9) == []
    # A restart (or a second dashboard on the same API): 80 % went off already today.
    again = BudgetAlarm(1.0, remember=Ledger(store_key="test", tz=utc).alarm_fired)
    assert again.crossed(day, 0.9) == []
    assert again.crossed(day, 1.2) == [1.0]
    assert first.crossed(day, 1.2) == []  # the other one had it first
    assert again.crossed(day + timedelta(days=1), 0.9) == [0.8]  # a new day
    raised = BudgetAlarm(2.0, remember=ledger.alarm_fired)  # a new budget has its own
    assert raised.crossed(day, 1.7) == [0.8]


def test_a_warning_that_cannot_be_remembered_still_goes_off() -> None:
    def broken(day: object, budget: float, threshold: float) -> bool:
        raise OSError("disk full")

    assert BudgetAlarm(1.0, remember=broken).crossed(START.date(), 1.0) == [0.8, 1.0]


# --- a damaged or hand-edited ledger ----------------------------------------------------

_DAMAGED_RUNS = [
    (1e308, "server"),  # two of them sum to ∞
    (1e308, "server"),
    (-5.0, "server"),
    ("abc", "server"),  # SQLite keeps text in a REAL column
    (b"\x00", "estimate"),
]


def _insert_damaged(ledger: Ledger, at: datetime) -> None:
    with ledger.database.transaction() as connection:
        connection.executemany(
            "INSERT INTO ledger_runs (store, model, at, seconds, cost, basis, outcome) "
            "VALUES (?, 'org/bad', ?, ?, ?, ?, 'done')",
            [(ledger.store_key, at.timestamp(), 1.0, cost, basis) for cost, basis in _DAMAGED_RUNS]
            + [(ledger.store_key, at.timestamp(), "x", 1.0, "server")],  # seconds as text
        )
        connection.executemany(
            "INSERT INTO ledger_instances (store, model, ram_gb, started, last_seen, "
            "expires_at, ended) VALUES (?, 'org/bad', ?, ?, ?, ?, ?)",
            [
                (ledger.store_key, RAM, at.timestamp(), "x", None, None),  # last_seen as text
                (ledger.store_key, 1e308, at.timestamp(), at.timestamp(), None, None),
                (ledger.store_key, RAM, at.timestamp(), at.timestamp(), "soon", None),
            ],
        )


def test_damaged_rows_are_left_out_never_summed_or_shown(ledger: Ledger, clock: FixedClock) -> None:
    """1e308 twice read "$inf", a negative "$-5.0000", and text where a number goes
    stopped the Spend screen (`float("x")`): such rows are damaged, and left out."""
    ledger.ran("org/good", at=clock.now(), seconds=2, metering=Metering(None, None, 2, 0.5))
    ledger.loaded("org/live", at=clock.now(), ram_gb=RAM)
    _insert_damaged(ledger, clock.now())
    now = clock.advance(60)
    assert ledger.today(now).server == 0.5
    assert ledger.today(now).estimate == pytest.approx(60 * SECOND)
    by_model = {row.model: row for row in ledger.by_model(START, now)}
    assert by_model["org/bad"].spend == Spend()
    assert by_model["org/bad"].runs == len(_DAMAGED_RUNS) + 1  # still counted as runs
    items = ledger.most_expensive(START, now)
    assert [(item.model, item.cost) for item in items] == [
        ("org/good", 0.5),
        ("org/live", pytest.approx(60 * SECOND)),
    ]
    assert ledger.burn_rate(now) == pytest.approx(3600 * SECOND)  # org/live alone
    ledger.observed([], at=now)  # closing the damaged open lives does not raise either


def test_a_cost_no_run_can_reach_is_unknown() -> None:
    """An `inference-cost` of 1e15 dollars is not believable: unknown, not recorded."""
    metering = Metering.from_headers({"inference-cost": "999999999999999", "inference-time": "1"})
    assert metering is not None and metering.reported_cost is None
    assert run_cost(metering) == (None, "instance")
