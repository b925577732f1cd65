"""Collecting one number (phone, ID, amount) by voice, with read-back and keypad fallback.

Pure state machine: the session feeds it what the caller said or typed and acts on the step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voice.core.numbers import SPECS, SlotKind, normalize_keypad, normalize_slot, read_back, yes_no

MAX_FAILURES = 3
_DIGITISH_RE = re.compile(r"[0-9零〇洞一幺二两三四五六七八九十百千万]")


@dataclass(frozen=True)
class CaptureStep:
    """What to do next. ``send`` ends the capture (value or raw text goes to the bot)."""

    say: str = ""
    send: str | None = None
    keypad: bool = False  # the next prompt expects keypad entry
    value: str | None = None  # the validated value when ``send`` carries it
    source: str = ""  # speech | keypad | abandoned


class NumberCapture:
    def __init__(self, kind: SlotKind) -> None:
        self.kind = kind
        self.spec = SPECS[kind]
        self.failures = 0
        self.candidate: str | None = None
        self.keypad = False
        self.raw: list[str] = []

    def keypad_prompt(self) -> str:
        what = "金额，小数点请按星号键" if self.kind is SlotKind.AMOUNT else self.spec.label
        return f"请在电话按键上输入{what}，输完请按井号键。"

    def _fail(self, message: str) -> CaptureStep:
        self.failures += 1
        self.candidate = None
        if self.failures >= MAX_FAILURES:
            return CaptureStep(send=self.raw[-1] if self.raw else "", source="abandoned")
        self.keypad = True
        return CaptureStep(say=message + self.keypad_prompt(), keypad=True)

    def _confirm(self, value: str) -> CaptureStep:
        self.candidate = value
        return CaptureStep(
            say=f"您说的{self.spec.label}是：{read_back(self.kind, value)}。对吗？对请按1，不对请按2。"
        )

    def on_speech(self, text: str) -> CaptureStep:
        """The caller spoke while a number is being collected."""
        self.raw.append(text)
        if self.candidate is not None:
            answer = yes_no(text)
            if answer is True:
                return self._commit(self.candidate, "speech")
            if answer is False:
                return self._fail("好的。")
        value = normalize_slot(self.kind, text)
        if value is not None:
            return self._confirm(value)
        if not _DIGITISH_RE.search(text):
            return CaptureStep(send=text, source="abandoned")  # the caller changed the subject
        return self._fail(f"抱歉，没有听清您的{self.spec.label}。")

    def on_keypad(self, digits: str) -> CaptureStep:
        """Keys typed (a whole entry ended by # or a single key during read-back)."""
        if self.candidate is not None and digits in ("1", "2"):
            return self._commit(self.candidate, "speech") if digits == "1" else self._fail("好的。")
        self.raw.append(digits)
        value = normalize_keypad(self.kind, digits)
        if value is not None:
            return self._commit(value, "keypad")
        return self._fail(f"输入的{self.spec.label}无效。")

    def _commit(self, value: str, source: str) -> CaptureStep:
        message = f"{value}元" if self.kind is SlotKind.AMOUNT else value
        return CaptureStep(say="", send=message, value=value, source=source)
