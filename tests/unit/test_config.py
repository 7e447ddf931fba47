"""Settings precedence, the 0600 file, and the key never shown in full."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from bytez_tui.config import (
    ConfigError,
    Settings,
    config_path,
    exposed_key_warning,
    keymap_problem,
    load_settings,
    profile_names,
    read_config,
    update_config,
)
from bytez_tui.credentials import mask_key, mask_url, url_problem


def test_flags_beat_env_beat_file() -> None:
    update_config({"api_key": "file-key-1111", "base_url": "https://file.example", "theme": "nord"})
    env = {"BYTEZ_API_KEY": "env-key-2222", "BYTEZ_BASE_URL": "https://env.example"}
    assert load_settings(environ={}).api_key == "file-key-1111"
    from_env = load_settings(environ=env)
    assert (from_env.api_key, from_env.base_url, from_env.theme) == (
        "env-key-2222",
        "https://env.example",
        "nord",
    )
    flagged = load_settings({"api_key": "flag-key-3333", "base_url": None}, environ=env)
    assert (flagged.api_key, flagged.base_url) == ("flag-key-3333", "https://env.example")


def test_config_file_is_private_and_atomic() -> None:
    path = update_config({"api_key": "secret-key-9999"})
    assert path == config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    update_config({"theme": "gruvbox"})
    assert read_config() == {"api_key": "secret-key-9999", "theme": "gruvbox"}
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]
    update_config({"api_key": None})
    assert read_config() == {"theme": "gruvbox"}


def test_keymap_is_read() -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text('[keymap]\nquit = "ctrl+q"\n')
    assert load_settings(environ={}).keymap == {"quit": "ctrl+q"}


@pytest.mark.parametrize(
    "text",
    ["api_key = [", "theme = 3", "cursor_blink = 'yes'", "instances_refresh = true", "keymap = 1"],
)
def test_bad_config_says_where(text: str) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text(text)
    with pytest.raises(ConfigError, match="config.toml"):
        load_settings(environ={})


def test_repr_masks_the_key() -> None:
    settings = Settings(api_key="sk-live-abcdefghijkl")
    assert "abcdefgh" not in repr(settings) and "…ijkl" in repr(settings)
    assert settings.masked_key == "…ijkl"


@pytest.mark.parametrize(
    ("key", "shown"),
    [(None, "(none)"), ("", "(none)"), ("short", "…****"), ("0123456789", "…6789")],
)
def test_mask_key(key: str | None, shown: str) -> None:
    assert mask_key(key) == shown


def test_missing_file_is_empty(tmp_path: Path) -> None:
    assert read_config(tmp_path / "nope.toml") == {}


def test_keys_for_follows_the_keymap() -> None:
    settings = Settings(keymap={"leave-field": "ctrl+g, f10"})
    assert settings.keys_for("leave-field", "escape") == {"ctrl+g", "f10"}
    assert settings.keys_for("quit", "q") == {"q"}


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pw@host:8080/x", "http://…@host:8080/x"),
        ("https://token@api.example", "https://…@api.example"),
        ("https://api.bytez.com", "https://api.bytez.com"),
        ("Cannot reach http://a:b@h/ now", "Cannot reach http://…@h/ now"),
        ("https://h/path?email=a@b.c", "https://h/path?email=a@b.c"),
    ],
)
def test_mask_url_hides_credentials(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_repr_and_url_errors_mask_url_credentials() -> None:
    from bytez_tui.credentials import url_problem

    settings = Settings(base_url="https://user:hunter22@api.example")
    assert "hunter22" not in repr(settings) and "…@api.example" in repr(settings)
    problem = url_problem("ftp://user:hunter22@x.example")
    assert problem is not None and "hunter22" not in problem


def test_a_key_is_trimmed_wherever_it_comes_from() -> None:
    assert load_settings(environ={"BYTEZ_API_KEY": "env-key-2222\n"}).api_key == "env-key-2222"
    assert load_settings({"api_key": "  flag-key-3333 "}, environ={}).api_key == "flag-key-3333"
    update_config({"api_key": "file-key-1111\t"})
    assert load_settings(environ={}).api_key == "file-key-1111"
    assert load_settings({"api_key": "   "}, environ={}).api_key is None


def test_api_dialect_precedence_and_default() -> None:
    assert load_settings(environ={}).api == "auto"
    update_config({"api": "v1"})
    assert load_settings(environ={}).api == "v1"
    assert load_settings(environ={"BYTEZ_API": "V2"}).api == "v2"
    assert load_settings({"api": "auto"}, environ={"BYTEZ_API": "v2"}).api == "auto"


@pytest.mark.parametrize(
    ("file", "env", "where"),
    [("v3", {}, "config.toml: api"), (None, {"BYTEZ_API": "latest"}, "BYTEZ_API")],
)
def test_a_bad_api_dialect_says_where(file: str | None, env: dict[str, str], where: str) -> None:
    if file is not None:
        update_config({"api": file})
    with pytest.raises(ConfigError, match=f"{where} must be auto, v1 or v2"):
        load_settings(environ=env)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("instances_refresh = 0", "instances_refresh"),
        ("instances_refresh = -15", "instances_refresh"),
        ("instances_refresh = nan", "instances_refresh"),
        ("timeout = nan", "timeout"),
        ("timeout = -1", "timeout"),
        ("timeout = inf", "timeout"),
        ("daily_budget = 0", "daily_budget"),  # stopped the Spend screen (ZeroDivisionError)
        ("daily_budget = nan", "daily_budget"),
        ("daily_budget = -5", "daily_budget"),
        ("daily_budget = 1e308", "daily_budget"),
        ('[keymap]\nquit = "ctrl+"', "quit"),
        ('[keymap]\nquit = "q,,x"', "quit"),
        ('[keymap]\nquit = "ctl+q"', "quit"),
        ('[keymap]\nquit = "ctrl+Escape Key"', "quit"),
    ],
)
def test_values_are_checked_like_flags(text: str, key: str) -> None:
    """A value the app cannot use is an error naming the file and the key, not 1,000
    requests in ten seconds or a crash when the keymap is applied."""
    config_path().parent.mkdir(parents=True)
    config_path().write_text(text)
    with pytest.raises(ConfigError, match=f"config.toml.*{key}"):
        load_settings(environ={})


@pytest.mark.parametrize("keys", ["q", "ctrl+q", "ctrl+q, f10", "question_mark", "shift+tab", "?"])
def test_good_keys_pass(keys: str) -> None:
    assert keymap_problem(keys) is None


def test_a_utf16_file_is_a_clear_error() -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_bytes('theme = "x"\n'.encode("utf-16"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_settings(environ={})


def test_a_key_readable_by_others_is_warned_about() -> None:
    path = update_config({"api_key": "secret-key-12345"})
    assert exposed_key_warning() is None  # the app writes it 0600
    path.chmod(0o644)
    warning = exposed_key_warning()
    assert warning is not None
    assert "chmod 600" in warning and str(path) in warning
    assert "secret" not in warning
    update_config({"api_key": None})
    assert exposed_key_warning() is None  # no key in it: nothing to protect


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:99999", "Port out of range"),
        ("http://127.0.0.1:abc", "Port could not be cast"),
        ("https://[::1", "Invalid IPv6 URL"),
    ],
)
def test_a_broken_url_is_a_problem_not_a_crash(url: str, reason: str) -> None:
    problem = url_problem(url)
    assert problem is not None and reason in problem


def _write_profiles() -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(
        'api_key = "top-key-11111"\n'
        'label = "production"\n'
        "\n"
        "[profiles.staging]\n"
        'base_url = "https://staging.example"\n'
        'api_key = "stage-key-2222"\n'
        'api = "v1"\n'
        "\n"
        "[profiles.local]\n"
        'base_url = "http://127.0.0.1:8080"\n'
        "\n"
        "[profiles.same-root]\n"
        'api = "v2"\n'
    )


def test_a_profile_is_laid_over_the_top_level() -> None:
    _write_profiles()
    staging = load_settings(environ={}, profile="staging")
    assert (staging.profile, staging.base_url, staging.api_key, staging.api) == (
        "staging",
        "https://staging.example",
        "stage-key-2222",
        "v1",
    )
    # The header names the profile; the top level's label is not the profile's.
    assert (staging.label, staging.header_label) == ("", "staging (staging.example)")
    top = load_settings(environ={})
    assert (top.profile, top.api_key, top.header_label) == ("", "top-key-11111", "production")


def test_a_key_never_travels_to_another_api_root() -> None:
    _write_profiles()
    assert load_settings(environ={}, profile="local").api_key is None
    env = {"BYTEZ_API_KEY": "env-key-33333"}
    assert load_settings(environ=env, profile="local").api_key is None
    # The same API root in another dialect keeps the key.
    assert load_settings(environ={}, profile="same-root").api_key == "top-key-11111"
    # A flag still wins over everything.
    assert load_settings({"api_key": "flag-key-4444"}, environ={}, profile="local").api_key == (
        "flag-key-4444"
    )


def test_a_named_profile_beats_the_environment() -> None:
    _write_profiles()
    env = {"BYTEZ_API_KEY": "env-key-33333", "BYTEZ_PROFILE": "staging"}
    from_env = load_settings(environ=env)
    assert (from_env.profile, from_env.api_key) == ("staging", "stage-key-2222")
    # The flag's profile beats BYTEZ_PROFILE, and "" means the top level.
    assert load_settings(environ=env, profile="local").profile == "local"
    assert load_settings(environ=env, profile="").api_key == "env-key-33333"


@pytest.mark.parametrize(
    ("profile_text", "said"),
    [
        ("", "no [profiles.nope] table (profiles: none)"),
        ("[profiles.a]\napikey = 'x'\n", "[profiles.a] apikey is not a profile setting"),
        ("[profiles.a]\ntimeout = 'x'\n", "[profiles.a] timeout has the wrong type"),
        ("[profiles.a]\ntimeout = 0\n", "[profiles.a] timeout must be from"),
        ("[profiles.a]\napi = 'v3'\n", "[profiles.a] api must be auto, v1 or v2"),
    ],
)
def test_a_bad_profile_says_where(profile_text: str, said: str) -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text(profile_text)
    name = "nope" if not profile_text else "a"
    with pytest.raises(ConfigError, match=re.escape(said)):
        load_settings(environ={}, profile=name)


def test_a_key_is_saved_into_its_profile() -> None:
    _write_profiles()
    update_config({"api_key": "new-stage-5555"}, profile="staging")
    update_config({"api_key": "fresh-key-6666"}, profile="fresh")
    data = read_config()
    assert data["api_key"] == "top-key-11111"
    assert data["profiles"]["staging"]["api_key"] == "new-stage-5555"
    assert data["profiles"]["fresh"] == {"api_key": "fresh-key-6666"}
    assert profile_names() == ["staging", "local", "same-root", "fresh"]
    assert stat.S_IMODE(config_path().stat().st_mode) == 0o600


def test_a_key_in_a_profile_counts_as_exposed() -> None:
    config_path().parent.mkdir(parents=True, exist_ok=True)
    config_path().write_text('[profiles.a]\napi_key = "stage-key-2222"\n')
    config_path().chmod(0o644)
    assert "holds your API key" in (exposed_key_warning() or "")
    config_path().write_text('[profiles.a]\nbase_url = "https://a.example"\n')
    assert exposed_key_warning() is None
