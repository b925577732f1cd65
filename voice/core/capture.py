"""Collecting one number (phone, ID, amount) by voice, with read-back and a way out on every channel.

Pure state machine: the session feeds it what the caller said or typed and acts on the step.

Recognisers merge repeated digits ("幺幺二二" comes back as 幺二) and mishear short answers, so a
mobile number that is not right at the first read-back is collected in groups (3-4-4), each read
back on its own; a "不对，中间四位是幺幺二二" corrects one group. Misses are counted across the
whole capture (and carried into the next capture of the same number in the call): after
``MAX_MISSES`` the channel's own way out is offered (phone: keypad; kiosk: the on-screen keypad or
the front desk; web push-to-talk: typing), and after ``MAX_FALLBACK_MISSES`` more the caller is
handed to staff. Nobody goes round the same question forever.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from voice.core.numbers import (
    SPECS,
    SlotKind,
    digits_heard,
    normalize_keypad,
    normalize_slot,
    read_back,
    yes_no,
)
from voice.core.speech_text import read_digits

MAX_MISSES = 3  # misses by voice before the channel's fallback
MAX_FALLBACK_MISSES = 2  # misses in the fallback before a hand-off
_DIGITISH_RE = re.compile(r"[0-9零〇洞一幺二两三四五六七八九十百千万]")
PHONE_GROUPS = (3, 4, 4)
_GROUP_NAMES = ("前三位", "中间四位", "最后四位")
_GROUP_WORDS = (
    ("前三位", "前3位", "开头", "第一段", "第一组", "头三位"),
    ("中间", "第二段", "第二组", "中间四位", "中间4位"),
    ("后四位", "后4位", "最后", "第三段", "第三组", "尾号", "末尾"),
)
CONFIRM_HINT = "对请说“对”或按1，不对请说“不对”或按2。"

Ask = Literal["number", "confirm", "group", "confirm_group", "fallback"]
Fallback = Literal["keypad", "screen", "typing"]
CHANNEL_FALLBACK: dict[str, Fallback] = {"phone": "keypad", "robot": "screen", "web": "typing"}


@dataclass(frozen=True)
class CaptureStep:
    """What to do next. ``send`` ends the capture (value or raw text goes to the bot).

    ``release`` ends it without sending anything (the web page's typed answer goes to the bot
    itself); ``handoff`` ends it with a transfer to staff.
    """

    say: str = ""
    send: str | None = None
    keypad: bool = False  # the next prompt expects a whole number typed on a keypad
    value: str | None = None  # the validated value when ``send`` carries it
    source: str = ""  # speech | keypad | abandoned
    confirm: bool = False  # the next answer is yes/no (keys 1/2, on-screen 对/不对)
    release: bool = False
    handoff: bool = False


def _fallback_prompt(kind: SlotKind, fallback: Fallback) -> str:
    label = SPECS[kind].label
    if fallback == "keypad":
        what = "金额，小数点请按星号键" if kind is SlotKind.AMOUNT else label
        return f"请在电话按键上输入{what}，输完请按井号键。"
    if fallback == "screen":
        return f"请在屏幕上的数字键盘输入{label}，输完按确认；也可以到服务台请工作人员帮您登记。"
    return f"请在下方的输入框里直接打字输入{label}。"


def _group_of(text: str) -> int | None:
    """Which group of the number a correction names ("中间四位是…" → 1), if any."""
    for index, words in enumerate(_GROUP_WORDS):
        if any(word in text for word in words):
            return index
    return None


class NumberCapture:
    def __init__(self, kind: SlotKind, channel: str = "phone", prior_misses: int = 0) -> None:
        self.kind = kind
        self.spec = SPECS[kind]
        self.fallback: Fallback = CHANNEL_FALLBACK.get(channel, "keypad")
        self.misses = prior_misses
        self.candidate: str | None = None  # the whole value being read back
        self.groups: list[str] = []  # confirmed groups (group mode)
        self.group_candidate: str | None = None
        self.grouping = False
        self.keypad = prior_misses >= MAX_MISSES
        self.raw: list[str] = []

    # --- what is being asked ---

    @property
    def asking(self) -> Ask:
        if self.keypad:
            return "fallback"
        if self.candidate is not None:
            return "confirm"
        if self.group_candidate is not None:
            return "confirm_group"
        return "group" if self.grouping else "number"

    @property
    def expects_yes_no(self) -> bool:
        return self.asking in ("confirm", "confirm_group")

    def opening_hint(self) -> str:
        """What the bot's question gets appended on this channel."""
        if self.keypad:
            return _fallback_prompt(self.kind, self.fallback)
        if self.fallback == "keypad":
            return "也可以在电话按键上输入，输完请按井号键。"
        if self.fallback == "screen":
            return "也可以在屏幕上的数字键盘输入。"
        return ""

    def keypad_prompt(self) -> str:
        return _fallback_prompt(self.kind, self.fallback)

    @property
    def exhausted(self) -> bool:
        """Every way of entering the number has failed in this call: hand off."""
        return self.misses >= MAX_MISSES + MAX_FALLBACK_MISSES

    # --- steps ---

    def _limit(self, message: str) -> CaptureStep | None:
        """Count one miss; the fallback (or hand-off) step when a limit is reached, else None."""
        self.misses += 1
        if self.exhausted:
            return CaptureStep(say=message, handoff=True, source="abandoned")
        if self.misses < MAX_MISSES:
            return None
        self.keypad, self.grouping = True, False
        self.candidate = self.group_candidate = None
        if self.fallback == "typing":
            return CaptureStep(say=message + self.keypad_prompt(), release=True, source="typing")
        return CaptureStep(say=message + self.keypad_prompt(), keypad=True)

    def _miss(self, message: str, again: str, confirm: bool = False) -> CaptureStep:
        return self._limit(message) or CaptureStep(say=message + again, confirm=confirm)

    def _confirm(self, value: str) -> CaptureStep:
        self.candidate = value
        said = f"您说的{self.spec.label}是：{read_back(self.kind, value)}。对吗？{CONFIRM_HINT}"
        return CaptureStep(say=said, confirm=True)

    def _ask_group(self, prefix: str = "") -> CaptureStep:
        name = _GROUP_NAMES[len(self.groups)]
        return CaptureStep(say=f"{prefix}请说手机号的{name}，可以一个数字一个数字地说。")

    def _start_groups(self, prefix: str) -> CaptureStep:
        self.grouping, self.groups, self.candidate, self.group_candidate = True, [], None, None
        return self._ask_group(prefix + "我们分段来：")

    def _group_read_back(self, digits: str) -> CaptureStep:
        self.group_candidate = digits
        return CaptureStep(say=f"{read_digits(digits, (len(digits),))}，对吗？{CONFIRM_HINT}", confirm=True)

    def on_speech(self, text: str) -> CaptureStep:
        """The caller spoke while a number is being collected."""
        self.raw.append(text)
        if self.keypad:
            return self._on_speech_in_fallback(text)
        if self.candidate is not None:
            return self._on_confirm(text)
        if self.group_candidate is not None:
            return self._on_confirm_group(text)
        if self.grouping:
            return self._on_group(text)
        value = normalize_slot(self.kind, text)
        if value is not None:
            return self._confirm(value)
        if not _DIGITISH_RE.search(text) and digits_heard(text) is None:
            self.misses += 1  # the caller changed the subject: the bot hears it, the miss counts
            return CaptureStep(send=text, source="abandoned")
        message = f"抱歉，没有听清您的{self.spec.label}。"
        if self.kind is SlotKind.PHONE:
            return self._limit(message) or self._start_groups(message)
        return self._miss(message, "请再说一遍。")

    def _on_confirm(self, text: str) -> CaptureStep:
        candidate = self.candidate
        assert candidate is not None
        group = _group_of(text) if self.kind is SlotKind.PHONE else None
        if group is not None:
            digits = digits_heard(re.sub(r"^.*?(?:是|为|改成|应该是)", "", text))
            if digits is not None and len(digits) == PHONE_GROUPS[group]:
                start = sum(PHONE_GROUPS[:group])
                fixed = candidate[:start] + digits + candidate[start + len(digits) :]
                if normalize_keypad(self.kind, fixed) is not None:
                    return self._confirm(fixed)  # one group corrected: the whole number read back
        answer = yes_no(text)
        if answer is True:
            return self._commit(candidate, "speech")
        if answer is False:
            if self.kind is SlotKind.PHONE:
                return self._limit("好的。") or self._start_groups("好的。")
            self.candidate = None
            return self._miss("好的。", "请再说一遍。")
        value = normalize_slot(self.kind, text)
        if value is not None and value != candidate:
            return self._confirm(value)  # the number said again instead of yes/no
        # Unintelligible: not confirmed. The read-back is repeated, never taken as a yes.
        again = f"{self.spec.label}是{read_back(self.kind, candidate)}，对吗？{CONFIRM_HINT}"
        return self._miss("抱歉，没有听清。", again, confirm=True)

    def _on_group(self, text: str) -> CaptureStep:
        size = PHONE_GROUPS[len(self.groups)]
        whole = normalize_slot(self.kind, text)
        if whole is not None:
            self.grouping = False
            return self._confirm(whole)
        digits = digits_heard(text)
        if digits is not None and len(digits) == size:
            return self._group_read_back(digits)
        name = _GROUP_NAMES[len(self.groups)]
        if digits:
            heard = f"我听到的是{read_digits(digits, (len(digits),))}，是{len(digits)}位。"
        else:
            heard = "抱歉，没有听清。"
        return self._miss(heard, f"请再说一遍{name}，一共{size}位。")

    def _on_confirm_group(self, text: str) -> CaptureStep:
        candidate = self.group_candidate
        assert candidate is not None
        answer = yes_no(text)
        if answer is True:
            self.groups.append(candidate)
            self.group_candidate = None
            if len(self.groups) < len(PHONE_GROUPS):
                return self._ask_group("好的。")
            value = normalize_keypad(self.kind, "".join(self.groups))
            if value is None:
                invalid = "这个号码不是有效的手机号。"
                return self._limit(invalid) or self._start_groups(invalid)
            return self._commit(value, "speech")
        name = _GROUP_NAMES[len(self.groups)]
        if answer is False:
            self.group_candidate = None
            return self._miss("好的。", f"请再说一遍{name}。")
        digits = digits_heard(text)
        if digits is not None and len(digits) == PHONE_GROUPS[len(self.groups)]:
            return self._group_read_back(digits)  # said the group again instead of yes/no
        again = f"{name}是{read_digits(candidate, (len(candidate),))}，对吗？{CONFIRM_HINT}"
        return self._miss("抱歉，没有听清。", again, confirm=True)

    def _on_speech_in_fallback(self, text: str) -> CaptureStep:
        """In the fallback a number said clearly is still taken; anything else re-asks."""
        if self.candidate is not None:
            answer = yes_no(text)
            if answer is True:
                return self._commit(self.candidate, "speech")
        value = normalize_slot(self.kind, text)
        if value is not None:
            return self._confirm(value)
        return self._miss("", self.keypad_prompt())

    def on_keypad(self, digits: str) -> CaptureStep:
        """Keys typed (a whole entry ended by # or a single key during a read-back)."""
        if self.candidate is not None and digits in ("1", "2"):
            if digits == "1":
                return self._commit(self.candidate, "speech")
            return self._on_confirm("不对")
        if self.group_candidate is not None and digits in ("1", "2"):
            return self._on_confirm_group("对" if digits == "1" else "不对")
        self.raw.append(digits)
        value = normalize_keypad(self.kind, digits)
        if value is not None:
            return self._commit(value, "keypad")
        step = self._miss(f"输入的{self.spec.label}无效。", self.keypad_prompt())
        return step if step.handoff or step.release else CaptureStep(say=step.say, keypad=True)

    def _commit(self, value: str, source: str) -> CaptureStep:
        message = f"{value}元" if self.kind is SlotKind.AMOUNT else value
        return CaptureStep(say="", send=message, value=value, source=source)
