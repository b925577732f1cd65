"""Test doubles shared by the voice suites: a recording CallOutput and audio helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from voice.core.session import KeypadSpec


@dataclass
class RecordingOutput:
    """Records what the session asks the line to do."""

    actions: list[tuple[str, str]] = field(default_factory=list)
    keypads: list[KeypadSpec] = field(default_factory=list)

    async def speak(self, text: str, turn: int, keypad: KeypadSpec) -> None:
        self.actions.append(("speak", text))
        self.keypads.append(keypad)

    async def stop_speaking(self) -> None:
        self.actions.append(("stop", ""))

    async def transfer(self, text: str, number: str) -> None:
        self.actions.append(("transfer", f"{number}|{text}"))

    async def hangup(self, text: str) -> None:
        self.actions.append(("hangup", text))

    async def heard(self, text: str, final: bool) -> None:
        return None

    def said(self) -> list[str]:
        return [text for kind, text in self.actions if kind == "speak"]

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.actions]


def voiced(ms: int, rate: int = 16_000) -> bytes:
    """A loud 300 Hz tone (what the scripted recogniser treats as speech)."""
    t = np.arange(rate * ms // 1000) / rate
    return (3000 * np.sin(2 * np.pi * 300 * t)).astype("<i2").tobytes()


def silence(ms: int, rate: int = 16_000) -> bytes:
    return bytes(2 * (rate * ms // 1000))


async def until(condition: Callable[[], bool], timeout_s: float = 3.0) -> None:
    """Wait until ``condition()`` holds (the session works in its own task)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.005)
