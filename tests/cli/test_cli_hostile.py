"""The command line against the hostile API, and the cases that once ended in a traceback.

Each hostile answer gets the documented exit code, a one-line message, and no raw
control character from the server reaches the terminal (stdout or stderr).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from cli_runner import CLI_KEY, DEADLINE, ROOT, Cli, Result
from hostile import HOSTILE_MODELS, MARKUP, MARKUP_MODEL, HostileServer

from bytez_tui.config import config_path
from bytez_tui.local.ledger import Ledger
from bytez_tui.models import Metering
from bytez_tui.text import cells

RAW = ("\x1b", "\x07", "\x9b", "\x00")
"""Characters that would act on the terminal."""
MODEL = "org/name"


@pytest.fixture
def hostile_cli(hostile: HostileServer) -> Cli:
    return Cli(hostile)


def run_case(cli: Cli, hostile: HostileServer, case: str, *args: str) -> Result:
    return cli(*args, "--retries", "0", BYTEZ_BASE_URL=hostile.case_url(case))


def assert_clean(result: Result) -> None:
    for character in RAW:
        assert character not in result.stdout, f"{character!r} on stdout"
        assert character not in result.stderr, f"{character!r} on stderr"
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("case", "args", "code"),
    [
        ("names", ("models", "--refresh"), 0),
        ("names", ("instances",), 0),
        ("names", ("status", MODEL), 0),
        ("names", ("job", MODEL), 0),
        ("names", ("run", MODEL, "hi"), 0),
        ("names", ("run", MODEL, "hi", "--no-stream"), 0),
        ("errors", ("models", "--refresh"), 1),
        ("errors", ("instances",), 1),
        ("errors", ("status", MODEL), 1),
        ("errors", ("job", MODEL), 1),
        ("errors", ("load", MODEL), 1),
        ("errors", ("run", MODEL, "hi"), 1),
        ("errors", ("delete", MODEL, "--yes"), 1),
        ("auth", ("instances",), 4),
        ("auth", ("run", MODEL, "hi"), 4),
        ("stream-error", ("run", MODEL, "hi"), 1),
        ("garbage", ("instances",), 3),
        ("garbage", ("models", "--refresh"), 3),
    ],
)
def test_hostile_answers(
    hostile_cli: Cli, hostile: HostileServer, case: str, args: tuple[str, ...], code: int
) -> None:
    result = run_case(hostile_cli, hostile, case, *args)
    assert result.code == code, result.stderr
    assert_clean(result)
    if code:
        errors = [line for line in result.stderr.splitlines() if ": warning:" not in line]
        assert len(errors) == 1, result.stderr  # one line, whatever the server said
    if case == "errors":
        assert MARKUP in result.stderr  # shown as it is, markup and all
        assert "^[]0;pwned^G" in result.stderr  # and its controls made visible


V2 = ("org/name", "org/other")
"""Two models every v2 case answers for (a run's answer is the case's, whatever the id)."""


@pytest.mark.parametrize(
    ("case", "args", "code"),
    [
        ("v2-names", ("models", "--refresh"), 0),
        ("v2-names", ("instances",), 0),
        ("v2-names", ("status", MODEL), 0),
        ("v2-names", ("job", MODEL), 0),
        ("v2-names", ("run", MODEL, "hi"), 0),
        ("v2-names", ("run", MODEL, "hi", "--no-stream"), 0),
        ("v2-names", ("chat", MODEL, "hi"), 0),
        ("v2-names", ("chat", MODEL, "hi", "--json"), 0),
        ("v2-names", ("compare", *V2, "hi"), 0),
        ("v2-numbers", ("models", "--refresh"), 0),
        ("v2-numbers", ("instances", "--json"), 0),
        ("v2-numbers", ("run", MODEL, "hi"), 0),
        ("v2-errors", ("models", "--refresh"), 1),
        ("v2-errors", ("chat", MODEL, "hi"), 1),
        ("v2-errors", ("compare", *V2, "hi"), 1),
        ("v2-oai-errors", ("run", MODEL, "hi"), 3),
        ("v2-oai-errors", ("chat", MODEL, "hi"), 3),
        ("v2-credits", ("run", MODEL, "hi"), 1),
        ("v2-credits", ("compare", *V2, "hi"), 1),
        ("v2-odd-errors", ("run", MODEL, "hi", "--no-stream"), 1),
        ("v2-odd-errors", ("chat", MODEL, "hi"), 1),
        ("v2-auth", ("chat", MODEL, "hi"), 4),
        ("v2-auth", ("compare", *V2, "hi"), 4),
        ("v2-stream-error", ("chat", MODEL, "hi"), 1),
        ("v2-stream-error", ("compare", *V2, "hi"), 1),
        ("deep", ("models", "--refresh"), 1),
        ("deep", ("instances",), 1),
        ("deep", ("run", MODEL, "hi", "--no-stream"), 1),
    ],
)
def test_hostile_v2_answers(
    hostile_cli: Cli, hostile: HostileServer, case: str, args: tuple[str, ...], code: int
) -> None:
    """v2's task names, prices, costs, chat replies and error shapes, on every command that
    reads them: the documented exit code, and nothing raw on stdout or stderr (the error's
    markup shown as it is, its controls made visible)."""
    result = run_case(hostile_cli, hostile, case, *args)
    assert result.code == code, result.stderr
    assert_clean(result)
    assert not re.search(r"(?<![\w/])(inf|infinity|nan)(?!\w)", result.stdout, re.I), result.stdout
    if case in ("v2-errors", "v2-oai-errors", "v2-credits", "v2-auth"):
        assert MARKUP in result.stderr and "^[]0;pwned^G" in result.stderr
    if case == "v2-odd-errors":  # an error that is an object is shown as JSON
        assert MARKUP in result.stderr and "\\u001b]0;pwned" in result.stderr
    if case == "deep":
        assert "unreadable JSON" in result.stderr  # not "unexpected error"


def test_a_stored_conversation_and_the_ledger_list_hostile_ids_visibly(
    hostile_cli: Cli, hostile: HostileServer
) -> None:
    """`chats` and `spend --by model` print what the dashboard stored: a title and a model
    id holding controls are shown in caret notation, and the columns still line up."""
    assert run_case(hostile_cli, hostile, "v2-names", "chat", MODEL, "hello [/INST]").code == 0
    chats = run_case(hostile_cli, hostile, "v2-names", "chats")
    assert chats.code == 0 and "hello [/INST]" in chats.stdout
    assert_clean(chats)
    store_key = hostile.case_url("v2-names")
    ledger = Ledger(store_key=store_key)
    at = datetime.now(timezone.utc) - timedelta(minutes=1)
    ledger.ran("org/\x1b]0;pwned\x07", at=at, seconds=1, metering=Metering(None, None, 1, 0.5))
    ledger.ran("org/dear", at=at, seconds=1, metering=Metering(None, None, 1, 999_999.0))
    spend = run_case(hostile_cli, hostile, "v2-names", "spend", "--by", "model")
    assert spend.code == 0
    assert_clean(spend)
    assert "org/^[]0;pwned^G" in spend.stdout and "$999,999" in spend.stdout
    lines = spend.stdout.splitlines()

    def spend_ends(line: str) -> int:  # the cell where the SPEND column ends
        head, _, rest = line.partition("$")
        return cells(head) + 1 + cells(rest.split()[0])

    assert {spend_ends(line) for line in lines[1:]} == {lines[0].index("SPEND") + 5}, lines


def test_an_argument_that_is_not_utf8(cli: Cli) -> None:
    """Python keeps such bytes as lone surrogates, which no request or file can take:
    `chat` ended in "unexpected error: UnicodeEncodeError", leaving an empty conversation."""
    for args in (("chat", MODEL, "caf\udce9"), ("run", MODEL, "--params", '{"a": "\udcff"}', "x")):
        result = cli(*args)
        assert result.code == 2, result.stderr
        assert "is not UTF-8 text" in result.stderr and "Traceback" not in result.stderr
    assert "no conversations" in cli("chats").stderr


def test_hostile_names_are_listed_visibly(hostile_cli: Cli, hostile: HostileServer) -> None:
    result = run_case(hostile_cli, hostile, "names", "models", "--refresh")
    assert MARKUP_MODEL in result.stdout
    assert "org/^[]0;pwned^Gtitle" in result.stdout
    assert "org/^[[2Jc1" in result.stdout
    # The columns line up in cells, whatever the id's script or emoji: everything up to
    # the last column (BENCH) is as wide on every line.
    lines = result.stdout.splitlines()
    assert len({cells(line.rsplit("  ", 1)[0]) for line in lines}) == 1, lines


def test_hostile_names_stay_exact_in_json(hostile_cli: Cli, hostile: HostileServer) -> None:
    result = run_case(hostile_cli, hostile, "names", "models", "--refresh", "--json")
    assert result.code == 0
    assert_clean(result)
    names = {model["name"] for model in json.loads(result.stdout)}
    assert set(HOSTILE_MODELS) == names


def test_a_stream_error_keeps_the_partial_answer(hostile_cli: Cli, hostile: HostileServer) -> None:
    result = run_case(hostile_cli, hostile, "stream-error", "run", MODEL, "hi")
    assert result.stdout.startswith("Partial answer")
    assert "[/INST]" in result.stderr and "^[]0;pwned^G" in result.stderr


# --- the cases that used to print a traceback ----------------------------------------


def run_raw(cli: Cli, *args: str, stdin: bytes = b"", **popen: object) -> tuple[int, bytes]:
    """Run with raw bytes on stdin and any stdout; return the exit code and stderr."""
    process = subprocess.run(
        cli.argv(args),
        input=stdin,
        stderr=subprocess.PIPE,
        env=cli.env,
        cwd=ROOT,
        timeout=DEADLINE,
        **popen,  # type: ignore[call-overload]
    )
    assert CLI_KEY.encode() not in process.stderr
    return process.returncode, process.stderr


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (("run", MODEL, "hi", "--params", '{"a": NaN}'), 2, "NaN is not a JSON number"),
        (("run", MODEL, "hi", "--params", '{"a": 1e400}'), 2, "1e400 is not a JSON number"),
        (("--base-url", "http://127.0.0.1:99999", "instances"), 2, "Port out of range"),
        (("--base-url", "http://127.0.0.1:abc", "instances"), 2, "Port could not be cast"),
        (("--base-url", "https://[::1", "instances"), 2, "Invalid IPv6 URL"),
        (("job", MODEL, "--wait", "--timeout", "-1s"), 2, "expected one argument"),
        (("load", MODEL, "--expire", "99999999999999d"), 2, "must be at most 7d00h"),
        (("load", MODEL, "--concurrency", "10" + "0" * 30), 2, "must be from 1 to 32"),
    ],
)
def test_no_traceback(cli: Cli, args: tuple[str, ...], code: int, says: str) -> None:
    result = cli(*args)
    assert result.code == code
    assert says in result.stderr
    assert "Traceback" not in result.stderr


def test_stdin_that_is_not_utf8(cli: Cli) -> None:
    code, stderr = run_raw(
        cli, "run", MODEL, "-", stdin=b"caf\xe9 \xff\xfe", stdout=subprocess.PIPE
    )
    assert code == 2
    assert stderr.decode().strip() == "bytez-tui run: the prompt on stdin is not UTF-8 text"


def test_a_utf16_config_file(cli: Cli) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_bytes('theme = "x"\n'.encode("utf-16"))
    result = cli("instances")
    assert result.code == 2
    assert "not UTF-8" in result.stderr and "Traceback" not in result.stderr


def test_stdout_closed(cli: Cli) -> None:
    code, stderr = run_raw(cli, "instances", preexec_fn=lambda: os.close(1))
    assert code == 1
    assert (
        stderr.decode().strip() == "bytez-tui instances: cannot write the output: stdout is closed"
    )


def test_stdout_full(cli: Cli) -> None:
    with open("/dev/full", "wb") as full:
        code, stderr = run_raw(cli, "instances", stdout=full)
    assert code == 1
    assert stderr.decode().strip() == (
        "bytez-tui instances: cannot write the output: No space left on device"
    )


def test_a_config_value_is_checked_like_a_flag(cli: Cli) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text("instances_refresh = 0\n")
    result = cli("instances", "--watch")
    assert result.code == 2
    assert "config.toml: instances_refresh must be from 5" in result.stderr


def test_a_readable_key_file_is_warned_about(cli: Cli) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text(f'api_key = "{CLI_KEY}"\n')
    config_path().chmod(0o644)
    result = cli("instances")
    assert result.code == 0
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "chmod 600" in warnings[0]
