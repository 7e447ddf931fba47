"""The model id, the OSC 9 sequence and the poll backoff (the job store: test_local_data)."""

from __future__ import annotations

from datetime import datetime

from bytez_tui.catalogue.ids import is_model_id
from bytez_tui.clock import utc
from bytez_tui.osc import osc9
from bytez_tui.panes.polling import BACKOFF_CAP, backoff

WHEN = datetime(2024, 7, 1, 12, 0, 0, tzinfo=utc)


def test_model_ids() -> None:
    assert is_model_id("openai-community/gpt2")
    assert is_model_id("EleutherAI/gpt-neo-2.7B")
    for bad in ("gpt2", "a/b/c", "/x", "org/", "org /x", ""):
        assert not is_model_id(bad)


def test_osc9() -> None:
    assert osc9("ready\x07\x1b]", environ={}) == "\x1b]9;ready]\a"
    wrapped = osc9("ready", environ={"TMUX": "1"})
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]9;ready") and wrapped.endswith("\x1b\\")


def test_backoff_doubles_with_jitter_under_the_cap() -> None:
    for failures, nominal in ((1, 5), (2, 10), (3, 20), (4, 40), (5, 60), (9, 60)):
        waits = [backoff(failures) for _ in range(50)]
        assert all(0.8 * nominal <= wait <= nominal for wait in waits)
        assert len(set(waits)) > 1
    assert max(backoff(20) for _ in range(50)) <= BACKOFF_CAP


def test_load_answers_are_explained() -> None:
    from bytez_tui.errors import AlreadyLoaded, LoadInProgress, OutOfCredits, RateLimited
    from bytez_tui.local.instances import explain_load_error

    already = explain_load_error("org/m", AlreadyLoaded("org/m is already loaded", status=409))
    assert "already running (409)" in already.message and already.refresh
    progress = explain_load_error("org/m", LoadInProgress("in progress", status=429))
    assert progress.follow and "already under way" in progress.message
    credits = explain_load_error("org/m", OutOfCredits("Out of free monthly credits.", status=429))
    assert credits.severity == "error" and "Out of free monthly credits" in credits.message
    limited = explain_load_error("org/m", RateLimited("slow down", retry_after=12))
    assert "again in 12 s" in limited.message and not limited.follow
