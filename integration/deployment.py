"""Development or production mode (``JIEFEN_ENV``), and the secrets production insists on.

``JIEFEN_ENV`` is ``development`` or ``production``. In production every service refuses to
start, with one log line naming the variables and a non-zero exit, when a secret it needs is
missing, when any secret it reads is one of the development defaults below, or when one is
shorter than 16 characters. In development the defaults are accepted with one warning line.

Unset means **production** for a service started on its own (``python -m integration.service``,
``python -m web``, ``python -m voice``, the action server's client): a process somebody deploys
by hand or from a unit file must never run on a published development token because nobody said
otherwise. Development is always a word somebody wrote. The one exception is the launcher
(``make run``, ``python -m launcher run``): it *is* the embedded development profile, so it
defaults to development, prints that it does, and passes ``JIEFEN_ENV`` explicitly to every
process it starts; ``JIEFEN_ENV=production make run`` checks the whole stack before starting
anything. The test suites set ``JIEFEN_ENV=development`` for the processes they start
(``tests/conftest.py``).

Valid Python 3.10 without dependencies: the bot's environment imports it through the client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from integration.envparse import SettingsError, env_choice

ENV_VAR = "JIEFEN_ENV"
DEVELOPMENT = "development"
PRODUCTION = "production"
MIN_SECRET_CHARS = 16
# Every token this repository has ever defaulted to or documented as an example: a secret in
# git is no secret. Compared after stripping spaces, case-sensitively.
DEVELOPMENT_SECRETS = frozenset({"dev-rasa-token", "dev-bot-token", "dev-staff-token"})


class InsecureSettings(SettingsError):
    """Production mode with a missing, development or too short secret; the message names the
    variables, never their values."""


def mode(env: Mapping[str, str], default: str = PRODUCTION) -> str:
    """``development`` or ``production`` from ``JIEFEN_ENV``; unset gives ``default``."""
    return env_choice(env, ENV_VAR, (DEVELOPMENT, PRODUCTION), default)


def is_development(env: Mapping[str, str], default: str = PRODUCTION) -> bool:
    return mode(env, default) == DEVELOPMENT


@dataclass(frozen=True)
class Secret:
    """A variable holding a secret. ``required``: production refuses to start without it;
    ``pairs``: a ``label:secret,…`` list whose every secret is checked."""

    name: str
    required: bool = True
    pairs: bool = False


def _values(secret: Secret, raw: str) -> list[str]:
    if not secret.pairs:
        return [raw]
    return [pair.partition(":")[2].strip() for pair in raw.split(",") if pair.strip()]


def problems(env: Mapping[str, str], secrets: Iterable[Secret]) -> list[str]:
    """What is wrong with each secret, as ``NAME is …`` phrases; empty when all are fine."""
    found: list[str] = []
    for secret in secrets:
        raw = (env.get(secret.name) or "").strip()
        values = _values(secret, raw) if raw else []
        if not values:
            if secret.required:
                found.append(f"{secret.name} is missing")
        elif any(v in DEVELOPMENT_SECRETS for v in values):
            found.append(f"{secret.name} is a development default")
        elif any(len(v) < MIN_SECRET_CHARS for v in values):
            found.append(f"{secret.name} is shorter than {MIN_SECRET_CHARS} characters")
    return found


def require_secrets(service: str, env: Mapping[str, str], secrets: Iterable[Secret]) -> None:
    """Raise :class:`InsecureSettings` in production mode when a secret is wrong; nothing in
    development mode (a malformed ``JIEFEN_ENV`` is a :class:`SettingsError`)."""
    if is_development(env):
        return
    found = problems(env, secrets)
    if found:
        raise InsecureSettings(refusal_line(service, found))


def refusal_line(service: str, found: list[str]) -> str:
    return (
        f"{service}: refusing to start in production mode: {'; '.join(found)} — set real secrets "
        f"({MIN_SECRET_CHARS}+ random characters), or {ENV_VAR}=development on a developer's machine"
    )


def check_startup(
    service: str, env: Mapping[str, str], secrets: Iterable[Secret], log: logging.Logger,
    default: str = PRODUCTION,
) -> bool:
    """For a service's entry point: False (after one error line) when it must not start; in
    development one warning line when it runs on development or weak secrets."""
    try:
        development = is_development(env, default)
    except SettingsError as exc:
        log.error("%s: bad setting: %s", service, exc)
        return False
    found = problems(env, secrets)
    if not found:
        return True
    if not development:
        log.error("%s", refusal_line(service, found))
        return False
    log.warning("%s: development mode (%s=development): running although %s — never expose this "
                "process", service, ENV_VAR, "; ".join(found))
    return True
