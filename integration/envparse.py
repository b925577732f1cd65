"""Reading typed settings from environment variables, the same way in every deployable.

Valid Python 3.10 with no dependencies: the launcher, the case service, the voice gateway and the
web service all use it. A malformed value is an error naming the variable, never a silent default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """A malformed setting; the message names the variable and the value."""


def parse_bool(name: str, raw: str | None, default: bool) -> bool:
    """true/false, 1/0, yes/no, on/off (any case); empty or unset gives ``default``."""
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name}={raw!r} is not a boolean (use true or false)")


def parse_float(name: str, raw: str | None, default: float) -> float:
    """A number; empty or unset gives ``default``."""
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r} is not a number") from exc


def parse_int(name: str, raw: str | None, default: int) -> int:
    """An integer; empty or unset gives ``default``."""
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}={raw!r} is not an integer") from exc


def parse_choice(name: str, raw: str | None, choices: Iterable[str], default: str) -> str:
    """One of ``choices`` (any case, surrounding spaces dropped); empty or unset gives ``default``."""
    allowed = tuple(choices)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value not in allowed:
        raise SettingsError(f"{name}={raw!r} is not one of {', '.join(allowed)}")
    return value


def parse_origins(name: str, raw: str | None) -> frozenset[str]:
    """Comma-separated web origins (``https://host[:port]``, no path) → a set; empty or unset
    gives none. ``*``, ``null`` and anything with a path, query or credentials are errors: an
    origin allowed cross-origin access is always named in full."""
    origins: set[str] = set()
    for item in filter(None, (p.strip() for p in (raw or "").split(","))):
        parts = urlsplit(item)
        bare = parts.scheme in ("http", "https") and parts.hostname and not parts.username
        if "*" in item or not bare or parts.path not in ("", "/") or parts.query or parts.fragment:
            raise SettingsError(
                f"{name}: {item!r} is not an origin (scheme://host[:port], never *; comma-separated)"
            )
        origins.add(f"{parts.scheme}://{parts.netloc}".lower())
    return frozenset(origins)


def env_choice(env: Mapping[str, str], name: str, choices: Iterable[str], default: str) -> str:
    return parse_choice(name, env.get(name), choices, default)


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    return parse_bool(name, env.get(name), default)


def env_float(env: Mapping[str, str], name: str, default: float) -> float:
    return parse_float(name, env.get(name), default)


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    return parse_int(name, env.get(name), default)


def parse_pairs(name: str, raw: str | None, min_secret_len: int = 16) -> dict[str, str]:
    """``label:secret`` pairs, comma-separated → {secret: label}; empty or unset gives {}.

    Used for every token list (kiosks, staff tools, integrators): a pair without a label, or with
    a secret shorter than ``min_secret_len``, is an error naming the variable (never the secret)."""
    pairs: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in (raw or "").split(","))):
        label, sep, secret = pair.partition(":")
        if not sep or not label.strip() or len(secret.strip()) < min_secret_len:
            raise SettingsError(
                f"{name}: use label:secret pairs separated by commas, secrets of {min_secret_len}+ characters"
            )
        pairs[secret.strip()] = label.strip()
    return pairs


def env_str(env: Mapping[str, str], name: str, default: str) -> str:
    """A string; unset gives ``default`` (surrounding spaces are dropped)."""
    value = env.get(name)
    return default if value is None else value.strip()


def parse_ports(name: str, raw: str | None, default: tuple[int, ...]) -> tuple[int, ...]:
    """Comma-separated TCP ports (``5015,5016``), each 1–65535 and none twice; empty or unset
    gives ``default``."""
    if raw is None or raw.strip() == "":
        return default
    ports: list[int] = []
    for item in (p.strip() for p in raw.split(",")):
        port = parse_int(name, item, 0)
        if not 0 < port < 65536 or port in ports:
            raise SettingsError(f"{name}={raw!r} is not a comma-separated list of distinct ports")
        ports.append(port)
    return tuple(ports)
