"""The instances pane's record keeper, without Textual: what each answer does to the list."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bytez_tui.clock import utc
from bytez_tui.local.instances import (
    GONE_KEEP,
    InstanceBook,
    LoadChoice,
    boot_answer,
    capacity_refusal,
    deleted_notice,
    load_placeholder,
    needs_status,
)
from bytez_tui.models import Instance

NOW = datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)


def _instance(model: str, status: str = "RUNNING") -> Instance:
    started = NOW - timedelta(minutes=10)
    return Instance(model, status, 1, 3, 600, NOW + timedelta(minutes=5), started, None, None)


def test_a_model_the_list_stops_naming_is_gone_then_dropped_after_the_keep() -> None:
    book = InstanceBook()
    book.listed([_instance("a/one"), _instance("b/two")], now=NOW, following=())
    book.listed([_instance("a/one")], now=NOW, following=())

    gone = book.get("b/two")
    assert gone is not None and gone.gone_at == NOW
    assert [i.model for i in book.live] == ["a/one"]
    assert book.expire(NOW + timedelta(seconds=GONE_KEEP - 1)) == []
    assert book.expire(NOW + timedelta(seconds=GONE_KEEP + 1)) == ["b/two"]
    assert [entry.model for entry in book.entries] == ["a/one"]


def test_a_boot_being_followed_is_not_marked_gone_by_a_list_that_misses_it() -> None:
    book = InstanceBook()
    book.loading(_instance("a/one", "started"))
    book.listed([], now=NOW, following={"a/one"})
    entry = book.get("a/one")
    assert entry is not None and not entry.gone


def test_a_model_deleted_here_stays_dropped_while_an_older_list_names_it() -> None:
    book = InstanceBook()
    book.listed([_instance("a/one")], now=NOW, following=())
    book.deleted("a/one")
    book.listed([_instance("a/one")], now=NOW, following=())  # read before the delete
    assert book.get("a/one") is None
    book.listed([], now=NOW, following=())  # the server agrees: forgotten
    book.listed([_instance("a/one")], now=NOW, following=())  # loaded again elsewhere
    assert book.get("a/one") is not None


def test_a_listed_again_instance_is_no_longer_gone_and_keeps_its_ram() -> None:
    book = InstanceBook()
    book.ram_known({"a/one": 2.0})
    book.listed([_instance("a/one")], now=NOW, following=())
    book.status("a/one", None, now=NOW)
    assert book.entries[0].gone
    book.status("a/one", _instance("a/one"), now=NOW)
    entry = book.entries[0]
    assert not entry.gone and entry.ram_gb == 2.0
    assert entry.cost(NOW) is not None and entry.uptime(NOW) == 600


def test_the_summary_counts_what_runs_and_what_it_bills() -> None:
    book = InstanceBook()
    assert book.summary() == ""
    book.ram_known({"a/one": 2.0})
    book.listed(
        [_instance("a/one"), _instance("b/two", "FAILED"), _instance("c/three", "started")],
        now=NOW,
        following=(),
    )
    text = book.summary()
    assert text.startswith("3 instances, 1 booting, 1 failed · billing $")
    assert text.endswith("+ per hour while they run")  # c/three's RAM is unknown


def test_the_book_tells_not_yet_read_from_unreadable_from_read() -> None:
    book = InstanceBook()
    assert (book.loaded, book.unreadable, book.unsupported) == (False, False, False)
    assert book.unreadable_now() == 1 and book.unreadable_now() == 2  # failures in a row
    assert book.unreadable and not book.loaded
    book.listed([], now=NOW, following=())
    assert book.loaded and not book.unreadable
    assert book.unreadable_now() == 1  # the count starts again after a good read
    book.capacity_managed()
    assert book.loaded and book.unsupported
    book.listed([], now=NOW, following=())  # the routes answer again
    assert not book.unsupported


def test_a_followed_boot_ends_running_failed_or_too_slow() -> None:
    running = boot_answer("a/one", _instance("a/one"), timed_out=False)
    assert running is not None and running.message == "a/one is running"
    failed = Instance("a/one", "FAILED", 1, 0, 600, None, NOW, None, "out of memory")
    answer = boot_answer("a/one", failed, timed_out=True)  # failed wins over slow
    assert answer is not None and answer.severity == "error"
    assert answer.message == "a/one failed to start: out of memory"
    booting = _instance("a/one", "started")
    assert boot_answer("a/one", booting, timed_out=False) is None  # keep following
    slow = boot_answer("a/one", booting, timed_out=True)
    assert slow is not None and slow.title == "Slow boot" and "still started" in slow.message


def test_what_a_delete_says_and_what_the_list_asks_about() -> None:
    assert deleted_notice("a/one", stopped=True, cost=0.5) == "Deleted a/one: about $0.50 billed"
    assert deleted_notice("a/one", stopped=True, cost=None) == "Deleted a/one"
    assert deleted_notice("a/one", stopped=False, cost=0.5) == "a/one was already gone"
    assert capacity_refusal("load").startswith("Nothing to load: this API starts a model ")
    assert needs_status(_instance("a/one", "UNKNOWN"))
    assert needs_status(replace(_instance("a/one"), expires_at=None))  # running, no expiry
    assert not needs_status(_instance("a/one"))
    placeholder = load_placeholder("a/one", LoadChoice(2, 300), status="loading", now=NOW)
    assert (placeholder.status, placeholder.concurrency, placeholder.created) == (
        "loading",
        2,
        NOW,
    )
