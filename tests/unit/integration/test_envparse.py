"""One way to read typed settings in every deployable."""

from __future__ import annotations

import pytest

from integration.envparse import SettingsError, env_bool, env_float, env_int, parse_bool


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("1", True),
        ("0", False),
        ("off", False),
        ("", True),
        (None, True),
    ],
)
def test_booleans_are_explicit(raw: str | None, value: bool) -> None:
    assert parse_bool("FLAG", raw, default=True) is value


@pytest.mark.parametrize("raw", ["maybe", "2", "y", "真"])
def test_anything_else_is_an_error_naming_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match="FLAG"):
        parse_bool("FLAG", raw, default=False)


def test_numbers() -> None:
    env = {"A": "3", "B": "2.5", "C": "", "D": "x"}
    assert (
        env_int(env, "A", 1),
        env_float(env, "B", 1.0),
        env_int(env, "C", 7),
        env_float(env, "Z", 0.5),
    ) == (
        3,
        2.5,
        7,
        0.5,
    )
    with pytest.raises(SettingsError, match="D='x' is not an integer"):
        env_int(env, "D", 1)
    with pytest.raises(SettingsError, match="not a number"):
        env_float(env, "D", 1.0)
    assert env_bool({"F": "false"}, "F", True) is False


def test_choices_and_origins() -> None:
    from integration.envparse import parse_choice, parse_origins

    assert parse_choice("MODE", " B ", ("a", "b"), "a") == "b"
    assert parse_choice("MODE", None, ("a", "b"), "a") == "a"
    with pytest.raises(SettingsError, match="MODE"):
        parse_choice("MODE", "c", ("a", "b"), "a")
    assert parse_origins("ORIGINS", None) == frozenset()
    assert parse_origins("ORIGINS", "https://A.example:8443/,http://b.example") == {
        "https://a.example:8443", "http://b.example"}
    for bad in ("*", "https://*.example", "ftp://a.example", "https://a.example/path", "https://u@a.example"):
        with pytest.raises(SettingsError, match="ORIGINS"):
            parse_origins("ORIGINS", bad)
