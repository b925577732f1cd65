"""Bot text → something a Mandarin TTS voice reads naturally over the phone."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from voice.dialogue.base import Button

DIGIT_WORDS = "零幺二三四五六七八九"  # 1 is read 幺 in numbers read digit by digit
_CN_DIGITS = "零一二三四五六七八九"
MAX_KEYED_OPTIONS = 9

_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_MD_LINK_RE = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_MARK_RE = re.compile(r"[*_`#>|~]+")
_BULLET_RE = re.compile(r"^\s*(?:[-•·*]|\d+[.、)])\s*", re.MULTILINE)
_TAG_RE = re.compile(r"<[^>]{1,40}>")
_LONG_DIGITS_RE = re.compile(r"(?<![\d.])\d(?:[\d ]{5,}\d)(?![\d.])")
_SPACES_RE = re.compile(r"[ \t]+")
_CASE_NO_RE = re.compile(r"\b([A-Z]{2})-(\d{4})-(\d{6})\b")  # JF-2026-000001
_EMPTY_VALUE_RE = re.compile(r"([：:])\s*[—–-]+\s*$", re.MULTILINE)  # "身份证号：—" in a read-back
_PAUSE_RUN_RE = re.compile(r"[，、；：]{2,}")
_PAUSE_STRENGTH = "、，：；"
_FULLWIDTH_ALNUM = {
    cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
}
_END_PUNCT = "。！？!?；;，,：:"


def _is_emoji(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat in ("So", "Sk", "Cs", "Co") or 0xFE00 <= ord(ch) <= 0xFE0F or ord(ch) in (0x200D, 0x20E3)


def read_digits(digits: str, groups: Sequence[int] = ()) -> str:
    """'13800138000' → '幺三八，零零幺三，八零零零' (groups of 3-4-4 for mobiles, else 4s)."""
    digits = re.sub(r"\D", "", digits)
    if not groups:
        groups = (3, 4, 4) if len(digits) == 11 else tuple([4] * ((len(digits) + 3) // 4))
    parts, pos = [], 0
    for size in groups:
        if pos >= len(digits):
            break
        parts.append("".join(DIGIT_WORDS[int(d)] for d in digits[pos : pos + size]))
        pos += size
    if pos < len(digits):
        parts.append("".join(DIGIT_WORDS[int(d)] for d in digits[pos:]))
    return "，".join(parts)


def _spell_case_no(match: re.Match[str]) -> str:
    """JF-2026-000001 → 'J F，二零二六，零零零，零零幺' (a number the caller will write down)."""
    letters, year, seq = match.groups()
    return f"{' '.join(letters)}，{read_digits(year)}，{read_digits(seq, (3, 3))}"


def clean_for_speech(text: str) -> str:
    """Strip emoji, markup, links and bullets; read long digit runs digit by digit; end lines."""
    text = text.translate(_FULLWIDTH_ALNUM)  # NFKC would also turn ，？ into ASCII punctuation
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _URL_RE.sub("", text)
    text = _TAG_RE.sub("", text)
    text = _BULLET_RE.sub("", text)
    text = _MD_MARK_RE.sub("", text)
    text = "".join(ch for ch in text if not _is_emoji(ch))
    text = _CASE_NO_RE.sub(_spell_case_no, text)
    text = _EMPTY_VALUE_RE.sub(r"\1无", text)
    text = _LONG_DIGITS_RE.sub(lambda m: read_digits(m.group()), text)
    text = (
        text.replace("/", "、").replace("(", "，").replace(")", "，").replace("（", "，").replace("）", "，")
    )
    text = text.replace("“", "").replace("”", "").replace('"', "")
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.splitlines()]
    sentences = []
    for line in filter(None, lines):
        # "（可选）；" and "乡镇/街道、村" leave runs of pauses behind: keep the strongest one.
        line = _PAUSE_RUN_RE.sub(lambda m: max(m.group(), key=_PAUSE_STRENGTH.index), line).strip("， ")
        if line and line[-1] not in _END_PUNCT:
            line += "。"
        sentences.append(line)
    return "".join(sentences).replace("，。", "。")


def speak_options(buttons: Sequence[Button]) -> str:
    """Buttons as spoken options: '同意请说1或按1；不同意请说2或按2。'."""
    keyed = buttons[:MAX_KEYED_OPTIONS]
    if not keyed:
        return ""
    spoken = [f"{clean_for_speech(b.title).rstrip('。')}请说{i}或按{i}" for i, b in enumerate(keyed, 1)]
    text = "；".join(spoken) + "。"
    if len(buttons) > MAX_KEYED_OPTIONS:
        text += "其他情况请直接说出来。"
    return text


_FILLERS = set("嗯啊哦呃额唉哎嘛呢吧呀哈噢喔诶欸咳那个这个")
_PUNCT_RE = re.compile(r"[\s，。！？、,.!?~…-]+")


def meaningful(text: str) -> str:
    """The text without fillers and punctuation (嗯/啊 must not barge in)."""
    stripped = _PUNCT_RE.sub("", text)
    for filler in ("那个", "这个", "就是"):
        stripped = stripped.replace(filler, "")
    return "".join(ch for ch in stripped if ch not in _FILLERS)


_CHOICE_RE = re.compile(r"^(?:我)?(?:选|按|要|是)?(?:第)?([1-9一二三四五六七八九幺两])(?:个|号|项|下)?$")


def spoken_choice(text: str, option_count: int) -> int | None:
    """'1' / '一' / '选二' / '第三个' → option number when within range, else None."""
    match = _CHOICE_RE.match(_PUNCT_RE.sub("", text))
    if not match:
        return None
    ch = match.group(1)
    value = int(ch) if ch.isdigit() else {"幺": 1, "两": 2}.get(ch, _CN_DIGITS.find(ch))
    return value if 1 <= value <= option_count else None
