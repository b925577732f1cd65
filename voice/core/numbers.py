"""Numbers by phone: which slot the bot is asking for, grammars, normalisation, read-back.

Raw ASR text is never the slot value: it is normalised (cn2an via ``textnorm``), read back for
confirmation, and only the validated value is sent to the bot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from textnorm._numerals import to_halfwidth
from textnorm.amount import parse_amount_yuan
from textnorm.phone import normalize_mobile
from textnorm.resident_id import is_valid_resident_id, normalize_resident_id
from textnorm.script import to_simplified
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


# Ways of saying yes / no at a read-back (after ``to_simplified``: 對 is 对). Checked on the
# answer without fillers and punctuation; a "no" word anywhere wins over a "yes" word
# ("对，不对，是一三九" is a correction), and anything else is "not confirmed", never a yes.
_NO = (
    "不对", "不是", "不正确", "错了", "错的", "有错", "说错", "听错", "搞错", "弄错", "不太对", "不准确",
    "不行", "不要", "不用", "否", "重新", "重来", "再说一遍", "改一下", "不", "错",
)
_YES = (
    "对", "是", "没错", "没有错", "正确", "好的", "好", "可以", "行", "确认", "同意", "嗯", "yes", "ok",
    "对头", "准确", "没问题", "就是", "一点不错", "不错",
)
_FILLER_PREFIX_RE = re.compile(r"^(?:嗯+|啊+|呃+|额+|那个|就是说)")


def yes_no(text: str) -> bool | None:
    """True / False for a spoken confirmation, None when it is neither (ask again).

    "不错" and "没错" are yes although they contain a "no" character; "对不对" is a question back,
    not an answer.
    """
    compact = to_simplified(text).lower()
    compact = re.sub(r"[\s，。！？、,.!?~…]", "", compact)
    compact = re.sub(r"(不对|不是)\1+", r"\1", compact)  # 不对不对 is a no, not 对不对
    if not compact or "对不对" in compact or "是不是" in compact:
        return None
    for yes_phrase in ("没错", "不错", "没有错", "没问题", "一点不错"):
        compact = compact.replace(yes_phrase, "对")
    bare = _FILLER_PREFIX_RE.sub("", compact) or compact
    bare = re.sub(r"[啊呀吧呢哦喔噢嘛啦了的]+$", "", bare) or bare
    if any(word in bare for word in _NO if len(word) > 1) or bare in ("不", "错", "否"):
        return False
    if bare.startswith(("不", "错")):
        return False
    if bare in _YES or any(bare.startswith(y) for y in _YES if len(y) > 1 or y in "对是嗯好行"):
        return True
    return None


# Words a recogniser writes for digits it heard as other characters (same or near sound), used
# only while a number is expected: 腰/要 for 幺, 灵/玲 for 零, 伞 for 三 … Whisper also writes
# 有 for a quick 幺 (yāo heard as yǒu).
_HOMOPHONES = {
    "幺": "腰要妖邀夭吆有由友又优游", "零": "灵玲铃龄凌林临令另领联连年凝宁", "一": "衣医依伊",
    "二": "而儿耳尔饵", "三": "山伞散扇删", "四": "是似死丝斯寺事", "五": "无吴武舞午屋伍物雾误",
    "六": "流留溜刘柳遛", "七": "期妻欺漆奇齐其起气器", "八": "把吧爸巴扒拔霸", "九": "酒久就旧救揪",
}
_TO_DIGIT = {ch: digit for digit, chars in _HOMOPHONES.items() for ch in chars}
_DIGIT_VALUE = {**{c: str(i) for i, c in enumerate("零一二三四五六七八九")}, "〇": "0", "洞": "0", "幺": "1",
                "两": "2", **{str(i): str(i) for i in range(10)}}
_DIGIT_NOISE_RE = re.compile(r"[\s，、,。.\-—·:：；;！!？?]|^(?:嗯|啊|呃|我的|号码|手机号|是)+")


def digits_heard(text: str) -> str | None:
    """ASCII digits of an answer that is only digits (homophones allowed), else None.

    "幺幺二二" → "1122"; "要要而而" → "1122"; "我是在城南" → None (words, not digits). At most one
    character in two may be a homophone, so ordinary words are not read as a number.
    """
    compact = _DIGIT_NOISE_RE.sub("", to_halfwidth(to_simplified(text)))
    compact = re.sub(r"(?:啊|呀|吧)$", "", compact) if len(compact) > 3 else compact
    if not compact:
        return None
    out, guessed = [], 0
    for ch in compact:
        if ch in _DIGIT_VALUE:
            out.append(_DIGIT_VALUE[ch])
        elif ch in _TO_DIGIT:
            out.append(_DIGIT_VALUE[_TO_DIGIT[ch]])
            guessed += 1
        else:
            return None
    if guessed * 2 > len(out):
        return None
    return "".join(out)
