"""Numbers by phone: which slot the bot is asking for, grammars, normalisation, read-back.

Raw ASR text is never the slot value: it is normalised (cn2an via ``textnorm``), read back for
confirmation, and only the validated value is sent to the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from textnorm.amount import parse_amount_yuan
from textnorm.phone import normalize_mobile
from textnorm.resident_id import is_valid_resident_id, normalize_resident_id
from voice.core.speech_text import read_digits
from voice.dialogue.base import BotReply


class SlotKind(str, Enum):
    PHONE = "phone"
    RESIDENT_ID = "resident_id"
    AMOUNT = "amount"


@dataclass(frozen=True)
class SlotSpec:
    kind: SlotKind
    label: str  # how the prompt names it
    max_digits: int
    grammar: tuple[str, ...]  # words, each its own phrase (Vosk chains phrases freely)


_DIGITS = ("零", "一", "幺", "二", "两", "三", "四", "五", "六", "七", "八", "九", "洞")
SPECS = {
    SlotKind.PHONE: SlotSpec(SlotKind.PHONE, "手机号", 11, (*_DIGITS, "[unk]")),
    SlotKind.RESIDENT_ID: SlotSpec(SlotKind.RESIDENT_ID, "身份证号", 18, (*_DIGITS, "叉", "[unk]")),
    SlotKind.AMOUNT: SlotSpec(
        SlotKind.AMOUNT, "金额", 12, (*_DIGITS, "十", "百", "千", "万", "亿", "点", "块", "元", "钱", "[unk]")
    ),
}

_ASK_PATTERNS = (
    (SlotKind.PHONE, re.compile(r"(留下|告诉|说|输入|提供|报).{0,8}(手机号|手机号码|电话号码|联系电话)")),
    (SlotKind.RESIDENT_ID, re.compile(r"(告诉|说|输入|提供|报).{0,8}身份证号")),
    (SlotKind.AMOUNT, re.compile(r"(金额是多少|多少钱[？?]?$|(告诉|说|输入).{0,6}金额)")),
)


def expected_slot(reply: BotReply) -> SlotKind | None:
    """The slot the bot's last reply asks for: a ``custom.voice.expect`` hint, else the wording."""
    hint = reply.custom.get("voice", {}) if isinstance(reply.custom.get("voice"), dict) else {}
    if isinstance(hint.get("expect"), str):
        try:
            return SlotKind(hint["expect"])
        except ValueError:
            return None
    if reply.buttons or not reply.text:
        return None
    for kind, pattern in _ASK_PATTERNS:
        if pattern.search(reply.text):
            return kind
    return None


def normalize_slot(kind: SlotKind, text: str) -> str | None:
    """Validated value from speech, or None. 幺三八… → 138…; 两万三 → 23000."""
    compact = re.sub(r"[\s，、,。]", "", text)
    if kind is SlotKind.PHONE:
        return normalize_mobile(compact)
    if kind is SlotKind.RESIDENT_ID:
        spoken = compact.translate(str.maketrans("零〇洞一幺二两三四五六七八九叉", "00011223456789X"))
        spoken = spoken.replace("x", "X")
        return normalize_resident_id(spoken)
    amount = parse_amount_yuan(compact)
    return _format_amount(amount) if amount is not None else None


def normalize_keypad(kind: SlotKind, digits: str) -> str | None:
    """Validated value from keypad digits ('*' is the decimal point for amounts, X for IDs)."""
    if kind is SlotKind.PHONE:
        return digits if re.fullmatch(r"1[3-9]\d{9}", digits) else None
    if kind is SlotKind.RESIDENT_ID:
        candidate = digits[:17] + ("X" if digits[17:] == "*" else digits[17:])
        return candidate if is_valid_resident_id(candidate) else None
    amount = parse_amount_yuan(digits.replace("*", "."))
    return _format_amount(amount) if amount is not None else None


def _format_amount(amount: Decimal) -> str:
    return format(amount, "f")


def read_back(kind: SlotKind, value: str) -> str:
    """How the value is read to the caller for confirmation."""
    if kind is SlotKind.PHONE:
        return read_digits(value, (3, 4, 4))
    if kind is SlotKind.RESIDENT_ID:
        return read_digits(value[:17], (6, 4, 4, 3)) + (
            "，叉" if value.endswith("X") else read_digits(value[17:])
        )
    return f"{value}元"


_YES = ("对", "是", "没错", "正确", "好的", "可以", "嗯", "确认", "同意")
_NO = ("不对", "不是", "错", "不正确", "不", "重新")


def yes_no(text: str) -> bool | None:
    """True / False for a spoken confirmation, None when it is neither."""
    compact = re.sub(r"[\s，。！？,.!?]", "", text)
    if not compact:
        return None
    if any(compact.startswith(n) for n in _NO):
        return False
    if any(compact.startswith(y) for y in _YES):
        return True
    return None
