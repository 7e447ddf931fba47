"""Settings: command-line flags over environment variables over `config.toml`.

The file lives in platformdirs' user config dir, is read with `tomllib` and is
edited in place (one key at a time, keeping the user's comments) and written
atomically with mode 0600, because it may hold the API key.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from bytez_tui.billing import MAX_COST
from bytez_tui.credentials import mask_key, mask_url
from bytez_tui.local.files import write_private

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

__all__ = [
    "DEMO_KEY",
    "APP_NAME",
    "API_CHOICES",
    "DEFAULT_BASE_URL",
    "PROFILE_KEYS",
    "ConfigError",
    "Settings",
    "cache_dir",
    "config_path",
    "data_dir",
    "exposed_key_warning",
    "keymap_problem",
    "load_settings",
    "profile_names",
    "read_config",
    "rescue_dir",
    "update_config",
]

APP_NAME = "bytez-tui"
DEFAULT_BASE_URL = "https://api.bytez.com"
API_CHOICES = ("auto", "v1", "v2")
"""What `--api`, `BYTEZ_API` and `api` in `config.toml` accept."""
DEMO_KEY = "demo-key-0000"
"""The key `--demo` sends to the embedded emulator (which takes any key)."""


class ConfigError(Exception):
    """The config file cannot be read; the message says where and why."""


def config_path() -> Path:
    """Where `config.toml` lives."""
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def rescue_dir() -> Path:
    """Where the playground keeps the user's draft when the app goes down on an error."""
    return data_dir() / "rescued"


def cache_dir() -> Path:
    """The user cache dir (the catalogue cache)."""
    return platformdirs.user_cache_path(APP_NAME)


def data_dir() -> Path:
    """The user data dir (tracked jobs, run history)."""
    return platformdirs.user_data_path(APP_NAME)


@dataclass(frozen=True)
class Settings:
    """Everything the app is configured with."""

    api_key: str | None = field(default=None, repr=False)
    """The API key; shown only masked."""
    base_url: str = DEFAULT_BASE_URL
    """The API's root URL."""
    label: str = ""
    """What the header calls this API (default: the URL's host), e.g. `staging`."""
    profile: str = ""
    """The `[profiles.NAME]` table in force ("" for none): `--profile`, `BYTEZ_PROFILE`,
    or a switch from the palette."""
    api: str = "auto"
    """The API dialect: `v1` (`/model/*`), `v2` (`/models/v2/*`, today's Bytez), or `auto`
    to ask the server once and remember its answer for this URL."""
    allow_insecure_http: bool = False
    """Allow the key over plain http to a non-loopback host."""
    demo: bool = False
    """Running against the embedded emulator."""
    theme: str = "textual-dark"
    """The Textual theme name."""
    keymap: Mapping[str, str] = field(default_factory=dict)
    """Binding id → key(s), from the `[keymap]` table."""
    cursor_blink: bool = False
    """Blink text cursors (costs bytes over SSH)."""
    desktop_notifications: bool = True
    """Send OSC 9 desktop notifications through the terminal."""
    instances_refresh: float = 15.0
    """Seconds between refreshes of the instance list."""
    hide_prompt_echo: bool = True
    """Hide a leading echo of the prompt in streamed output."""
    timeout: float = 30.0
    """Seconds to wait for an ordinary request."""
    max_response_mb: float = 128.0
    """Megabytes an answer from the API may hold (a 200k-model catalogue fits)."""
    daily_budget: float | None = None
    """Dollars a day: warnings at 80 % and 100 %, and loads ask first once it is spent."""

    @property
    def max_body(self) -> int:
        """`max_response_mb` in bytes."""
        return int(self.max_response_mb * 2**20)

    @property
    def header_label(self) -> str:
        """What the header calls the API: the label, or the URL's host (never a user name
        and password in the URL), after the profile's name when one is in force."""
        host = self.label or urlsplit(self.base_url).netloc.rpartition("@")[2]
        if not self.profile or self.profile == host:
            return host
        return f"{self.profile} ({host})"

    def __repr__(self) -> str:
        values = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "api_key"}
        values["base_url"] = mask_url(self.base_url)
        shown = ", ".join(f"{name}={value!r}" for name, value in values.items())
        return f"Settings(api_key='{mask_key(self.api_key)}', {shown})"

    @property
    def masked_key(self) -> str:
        """The key as the user may see it."""
        return mask_key(self.api_key)

    @property
    def store_key(self) -> str:
        """Whose local stores (catalogue cache, tracked jobs) to use: the API's URL, or
        `demo` for the demo, whose emulator takes a new port every run."""
        return "demo" if self.demo else self.base_url

    def keys_for(self, binding_id: str, default: str) -> frozenset[str]:
        """The keys of a binding, after the `[keymap]` table (which may rebind it).

        Args:
            binding_id: The binding's id.
            default: Its keys when the table leaves it alone, comma-separated.
        """
        keys = self.keymap.get(binding_id, default)
        return frozenset(key.strip() for key in keys.split(",") if key.strip())


_FILE_KEYS: dict[str, type | tuple[type, ...]] = {
    "api_key": str,
    "base_url": str,
    "label": str,
    "api": str,
    "allow_insecure_http": bool,
    "theme": str,
    "cursor_blink": bool,
    "desktop_notifications": bool,
    "instances_refresh": (int, float),
    "hide_prompt_echo": bool,
    "timeout": (int, float),
    "max_response_mb": (int, float),
    "daily_budget": (int, float),
}


PROFILE_KEYS = ("api_key", "base_url", "api", "label", "allow_insecure_http", "timeout")
"""What a `[profiles.NAME]` table may set: one API, as k9s's contexts are one cluster each."""


def profile_names(data: Mapping[str, Any] | None = None) -> list[str]:
    """The names of the `[profiles.NAME]` tables, in the file's order.

    Args:
        data: The config as `read_config` gives it (read from the file by default).

    Raises:
        ConfigError: The file is unreadable.
    """
    data = read_config() if data is None else data
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        return []
    return [name for name, table in profiles.items() if isinstance(table, dict)]


def read_config(path: Path | None = None) -> dict[str, Any]:
    """Read `config.toml`; a missing file is an empty config.

    Raises:
        ConfigError: The file exists but is not valid TOML.
    """
    path = path or config_path()
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text (TOML files are UTF-8)") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def exposed_key_warning(path: Path | None = None) -> str | None:
    """A warning when `config.toml` holds an API key and others may read it, else None.

    The app writes the file 0600; an editor, a copy or a dotfiles checkout may not.
    """
    path = path or config_path()
    try:
        mode = path.stat().st_mode & 0o777
        if not mode & 0o077:
            return None
        data = read_config(path)
        if "api_key" not in data and not any(
            "api_key" in table for table in data.get("profiles", {}).values()
        ):
            return None
    except (OSError, ConfigError, AttributeError, TypeError):
        return None
    return (
        f"{path} holds your API key and others can read it (mode {mode:o}); "
        f"make it private with: chmod 600 {shlex.quote(str(path))}"
    )


MIN_REFRESH = 5.0
"""The shortest `instances_refresh`: 0 once sent a thousand requests in ten seconds."""
_NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "instances_refresh": (MIN_REFRESH, 86400.0),
    "timeout": (0.1, 86400.0),
}
"""The seconds each number in the file may hold (nan and infinities are never in range)."""
_MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_KEY_NAME = re.compile(r"[a-z0-9_]+|[^\s,+]")


def keymap_problem(keys: str) -> str | None:
    """Why `keys` (a `[keymap]` value such as `"ctrl+q, f10"`) is not a list of keys, or None.

    A key is modifiers joined by `+` to a key name: one character, or a lower-case name
    such as `escape`, `f1` or `question_mark` (`plus` for the plus key).
    """
    for key in keys.split(","):
        key = key.strip()
        if not key:
            return "a key is missing (an empty key between commas)"
        *modifiers, name = key.split("+")
        unknown = [modifier for modifier in modifiers if modifier not in _MODIFIERS]
        if unknown:
            return f"{unknown[0]!r} in {key!r} is not a modifier (ctrl, shift, alt, meta, super)"
        if not name:
            return f"{key!r} has no key after '+' (the plus key is called 'plus')"
        if not _KEY_NAME.fullmatch(name):
            return f"{name!r} in {key!r} is not a key name (e.g. q, escape, f1, question_mark)"
    return None


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    path: Path | None = None,
    profile: str | None = None,
) -> Settings:
    """Merge config file, environment and `overrides` (flags; None values are ignored).

    A profile (`profile`, else `BYTEZ_PROFILE`) lays its `[profiles.NAME]` table over the
    file's top level and over the environment's `BYTEZ_API_KEY`, `BYTEZ_BASE_URL` and
    `BYTEZ_API`: naming it is as explicit as a flag. What the table leaves out comes from
    the top level, except the key when the profile names another API root (a key is never
    sent where the user did not put it) and the label (the header shows the profile's name).

    Raises:
        ConfigError: The config file is unreadable, holds a value of the wrong type, or
            has no such profile.
    """
    environ = os.environ if environ is None else environ
    data = read_config(path)
    source = path or config_path()
    values = _checked(data, source, "")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict) or not all(isinstance(v, str) for v in keymap.values()):
        raise ConfigError(f"{source}: [keymap] must map binding ids to key strings")
    for binding_id, keys in keymap.items():
        problem = keymap_problem(keys)
        if problem:
            raise ConfigError(f"{source}: [keymap] {binding_id} = {keys!r}: {problem}")
    values["keymap"] = dict(keymap)
    if environ.get("BYTEZ_API_KEY"):
        values["api_key"] = environ["BYTEZ_API_KEY"]
    if environ.get("BYTEZ_BASE_URL"):
        values["base_url"] = environ["BYTEZ_BASE_URL"]
    if environ.get("BYTEZ_API"):
        values["api"] = environ["BYTEZ_API"].strip().lower()
    name = (profile if profile is not None else environ.get("BYTEZ_PROFILE", "")).strip()
    if name:
        values.update(_profile(data, name, source, values))
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    if isinstance(values.get("api_key"), str):
        # Pasted or read from a file, a key often ends in a newline or a space.
        values["api_key"] = values["api_key"].strip() or None
    if values.get("api", "auto") not in API_CHOICES:
        if name and "api" in data["profiles"][name]:
            where = f"{source}: [profiles.{name}] api"
        elif environ.get("BYTEZ_API"):
            where = "BYTEZ_API"
        else:
            where = f"{source}: api"
        raise ConfigError(f"{where} must be auto, v1 or v2, not {values['api']!r}")
    return replace(Settings(), **values)


def _checked(table: Mapping[str, Any], source: Path, where: str) -> dict[str, Any]:
    """The known settings of a table of the file, each checked for its type and range."""
    values: dict[str, Any] = {}
    for key, kind in _FILE_KEYS.items():
        if key in table:
            if not isinstance(table[key], kind) or (
                kind is not bool and isinstance(table[key], bool)
            ):
                raise ConfigError(f"{source}: {where}{key} has the wrong type")
            values[key] = table[key]
    for key, (low, high) in _NUMBER_RANGES.items():
        value = values.get(key)
        if value is not None and not low <= value <= high:  # also false for nan
            raise ConfigError(
                f"{source}: {where}{key} must be from {low:g} to {high:g} seconds, not {value}"
            )
    budget = values.get("daily_budget")
    if budget is not None and not 0 < budget <= MAX_COST:  # 0 stopped the Spend screen
        raise ConfigError(
            f"{source}: {where}daily_budget must be more than 0 and at most {MAX_COST:,.0f} "
            f"dollars, not {budget} (leave it out for no budget)"
        )
    return values


def _profile(
    data: Mapping[str, Any], name: str, source: Path, below: Mapping[str, Any]
) -> dict[str, Any]:
    """The settings `[profiles.NAME]` changes over `below` (the top level and environment).

    Raises:
        ConfigError: There is no such profile, or it holds a key it may not.
    """
    names = profile_names(data)
    if name not in names:
        known = ", ".join(names) if names else "none"
        raise ConfigError(f"{source}: no [profiles.{name}] table (profiles: {known})")
    table = data["profiles"][name]
    where = f"[profiles.{name}] "
    unknown = sorted(set(table) - set(PROFILE_KEYS))
    if unknown:
        raise ConfigError(
            f"{source}: {where}{unknown[0]} is not a profile setting "
            f"(a profile sets {', '.join(PROFILE_KEYS)})"
        )
    values = _checked(table, source, where)
    base_url = values.get("base_url", below.get("base_url", DEFAULT_BASE_URL))
    if "api_key" not in values and base_url != below.get("base_url", DEFAULT_BASE_URL):
        values["api_key"] = None  # the top level's key belongs to another API root
    values.setdefault("label", "")
    values["profile"] = name
    return values


def update_config(
    changes: Mapping[str, Any], *, path: Path | None = None, profile: str = ""
) -> Path:
    """Set keys in `config.toml` in place and return its path.

    Only the keys named change: comments, layout and every other key stay as the user left
    them (tomlkit edits the document rather than rewriting it), a symlinked file is written
    through the link, and the file stays readable by its owner only. A None value removes
    the key.

    Args:
        changes: Key → new value (None removes the key).
        path: The file (`config_path()` by default).
        profile: Change the `[profiles.NAME]` table rather than the top level.

    Raises:
        ConfigError: The existing file cannot be read.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    table: Any = document
    if profile:
        profiles = document.setdefault("profiles", tomlkit.table(is_super_table=True))
        table = profiles.setdefault(profile, tomlkit.table())
    for key, value in changes.items():
        if value is None:
            table.pop(key, None)
        else:
            table[key] = value
    write_private(path, tomlkit.dumps(document))
    return path
