"""The instances pane's record keeper, without Textual: what each answer does to the list."""

from __future__ import annotations

from datetime import datetime, timedelta

from bytez_tui.clock import utc
from bytez_tui.local.instances import GONE_KEEP, InstanceBook
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
