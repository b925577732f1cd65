"""Names by ear: a recogniser writes the sound, not the name (周建华 comes back 周健华).

On voice channels, when the caller has said a name, the gateway asks which characters it is
written with, the way people say them ("木子李", "建设的建", "春天的春"). A name whose every
character was described consistently is read back with the descriptions as they were heard
("周末的周，建设的建，中华的华，对吗？") and sent to the bot as confirmed only on a yes: a recogniser
can mishear a whole description consistently (健康的健 for 建设的建), and only the caller can tell.
Otherwise the name as heard goes to the bot marked unconfirmed (``voice_name.confirmed = false``
in the message metadata), so the case says staff must confirm it at first contact. A guessed
name is never stored as confirmed.

Pure state machine, like ``capture.NumberCapture``; at most one re-ask of the characters, one
repeat of a read-back that was not understood and three read-backs, so nobody is trapped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from textnorm.name import extract_person_name
from textnorm.nonanswer import classify_nonanswer
from textnorm.script import to_simplified
from voice.core.capture import CONFIRM_HINT
from voice.core.numbers import yes_no

# How people name the characters of a surname by their parts (拆字).
COMPOSED: dict[str, str] = {
    "木子李": "李", "十八子李": "李", "弓长张": "张", "立早章": "章", "耳东陈": "陈", "口天吴": "吴",
    "古月胡": "胡", "双木林": "林", "草头黄": "黄", "三横王": "王", "三横一竖王": "王", "人可何": "何",
    "文刀刘": "刘", "言午许": "许", "走肖赵": "赵", "禾口程": "程", "子小孙": "孙", "木易杨": "杨",
    "日月明": "明", "双口吕": "吕", "关耳郑": "郑", "双人徐": "徐", "女马妈": "妈", "白水泉": "泉",
    "三点水的江": "江", "单人旁的何": "何", "草字头的黄": "黄", "言字旁的许": "许", "木字旁的林": "林",
    "马路的马": "马", "高低的高": "高", "东西的东": "东", "上下的上": "上", "大小的小": "小",
    "耳朵陈": "陈", "口天的吴": "吴", "弓长的张": "张", "立早的章": "章", "木子的李": "李",
}
_DESCRIBED_RE = re.compile(r"([\u4e00-\u9fff]{1,5})的([\u4e00-\u9fff])")
_SKIP_WORDS = ("跳过", "不用了", "算了", "不方便", "不知道", "不会说", "说不清", "就这样")
ASK_CHARACTERS = (
    "为了把您的名字写对，请一个字一个字地告诉我是哪几个字，比如“木子李”“建设的建”“春天的春”。"
    "不方便的话请说“跳过”。"
)
KEPT_AS_HEARD = "好的，名字先按听到的记下，工作人员联系您时会再核对写法。"
ASK_AGAIN = "请再说一次名字的每个字，比如“弓长张，建设的建，中华的华”；不方便请说“跳过”。"
READ_BACK = "我记下的名字是：{spelling}，写作{name}，对吗？"
NOT_UNDERSTOOD = "抱歉，没有听清。"
MAX_READ_BACKS = 3  # then the name is kept as heard, unconfirmed: the never-trap rule


@dataclass(frozen=True)
class Described:
    """One character as the caller described it: the phrase heard, the character, consistency."""

    phrase: str
    char: str
    consistent: bool


def described_characters(text: str) -> list[tuple[str, bool]]:
    """Characters the caller described, in order, each with whether the description is consistent.

    "木子李，春天的春，梅花的梅" → [("李", True), ("春", True), ("梅", True)]. "X的Y" is
    consistent when Y is in the word X (建设的建); a misheard description (剪秀的剑) is not.
    """
    return [(d.char, d.consistent) for d in descriptions(text)]


def descriptions(text: str) -> list[Described]:
    """The descriptions of ``text`` in the order they were said (see ``described_characters``)."""
    text = to_simplified(text)
    found: list[tuple[int, Described]] = []
    taken: list[tuple[int, int]] = []
    for phrase in sorted(COMPOSED, key=len, reverse=True):
        for match in re.finditer(re.escape(phrase), text):
            span = match.span()
            if any(a < span[1] and span[0] < b for a, b in taken):
                continue
            taken.append(span)
            found.append((span[0], Described(phrase, COMPOSED[phrase], True)))
    for match in _DESCRIBED_RE.finditer(text):
        span = match.span()
        if any(a < span[1] and span[0] < b for a, b in taken):
            continue
        word, char = match.group(1), match.group(2)
        # "是建设的建": the word is what follows the last 是/叫/就/个 before the 的
        word = re.split(r"[是叫就个，,。、]", word)[-1] or word
        found.append((span[0], Described(f"{word}的{char}", char, char in word and len(word) >= 2)))
    return [d for _, d in sorted(found, key=lambda f: f[0])]


@dataclass(frozen=True)
class NameStep:
    """Ask ``say`` and wait; or ``send`` the name (or the raw text) to the bot and end."""

    say: str = ""
    send: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    confirm: bool = False  # the next answer is yes/no (keys 1/2, on-screen 对/不对)


def compose(heard: str, described: list[tuple[str, bool]]) -> str | None:
    """The name the descriptions spell, when they account for every character of it, else None.

    Only a name whose every character was described is confirmed: when the surname was not
    (only "大海的海" came through), the heard surname may be the very character the recogniser
    got wrong ("口天吴" heard as "口天无" describes nothing), see ``best_reading``."""
    chars = [c for c, _ in described]
    if not described or not all(ok for _, ok in described):
        return None
    return "".join(chars) if len(chars) == len(heard) else None


def best_reading(heard: str, described: list[tuple[str, bool]]) -> str:
    """The name to send unconfirmed: the heard surname with the given name as described, when
    the descriptions account for all but the surname; else the name as heard."""
    chars = [c for c, ok in described if ok]
    if chars and len(chars) == len(described) == len(heard) - 1:
        return heard[0] + "".join(chars)
    return heard


class NameCapture:
    """The caller's name on a voice channel: heard, spelt by characters, read back, confirmed."""

    def __init__(self) -> None:
        self.heard: str | None = None
        self.asked_again = False
        self.raw: list[str] = []
        self._pending: str | None = None  # the spelt name read back, waiting for yes/no
        self._spelling = ""  # how the pending name's characters were heard
        self._repeated = False  # the read-back was repeated once after an unclear answer
        self._read_backs = 0

    @property
    def expects_yes_no(self) -> bool:
        return self._pending is not None

    def _unconfirmed(self, reading: str | None = None) -> NameStep:
        assert self.heard is not None
        meta = {"voice_name": {"heard": self.heard, "confirmed": False}}
        return NameStep(say=KEPT_AS_HEARD, send=reading or self.heard, metadata=meta)

    def _confirmed(self, name: str) -> NameStep:
        assert self.heard is not None
        meta = {"voice_name": {"heard": self.heard, "name": name, "confirmed": True}}
        return NameStep(send=name, metadata=meta)

    def _read_back(self, name: str, text: str, prefix: str = "") -> NameStep:
        """Ask whether the characters as heard are right; only a yes confirms them."""
        self._pending = name
        self._spelling = "，".join(d.phrase for d in descriptions(text))
        self._read_backs += 1
        said = READ_BACK.format(spelling=self._spelling, name=name)
        return NameStep(say=prefix + said + CONFIRM_HINT, confirm=True)

    def _spelt(self, text: str) -> NameStep | None:
        assert self.heard is not None
        spelt = compose(self.heard, described_characters(text))
        return self._read_back(spelt, text) if spelt else None

    def on_speech(self, text: str) -> NameStep:
        text = to_simplified(text)
        self.raw.append(text)
        if self._pending is not None:
            return self._on_answer(yes_no(text), text)
        described = described_characters(text)
        if self.heard is None:
            name = extract_person_name(text)
            if name is None:
                surname = next((c for c, ok in described if ok), None)
                if surname is None:
                    return NameStep(send=text)  # not a name: the bot re-asks or handles it
                name = surname  # "木子李" alone: the surname is all that was said
            self.heard = name
            return self._spelt(text) or NameStep(say=f"好的，{name}。" + ASK_CHARACTERS)
        if any(word in text for word in _SKIP_WORDS) or classify_nonanswer(text) in ("decline", "dont_know"):
            return self._unconfirmed()
        step = self._spelt(text)
        if step is not None:
            return step
        if not self.asked_again:
            self.asked_again = True
            return NameStep(say=ASK_AGAIN)
        return self._unconfirmed(best_reading(self.heard, described))

    def _on_answer(self, answer: bool | None, text: str = "") -> NameStep:
        """The caller's yes/no to the read-back. Unclear is never a yes: asked once more, then the
        name is kept unconfirmed; a no lets the caller spell it once more (the spelling said
        instead of a yes/no is taken as that)."""
        pending = self._pending
        assert pending is not None and self.heard is not None
        if answer:
            self._pending = None
            return self._confirmed(pending)
        if self._read_backs >= MAX_READ_BACKS:
            self._pending = None
            return self._unconfirmed()
        if answer is None and text and self._spelt_differently(text):
            return self._spelt(text) or self._unconfirmed()
        if answer is None and not self._repeated:
            self._repeated = True
            self._read_backs += 1
            said = READ_BACK.format(spelling=self._spelling, name=pending)
            return NameStep(say=NOT_UNDERSTOOD + said + CONFIRM_HINT, confirm=True)
        self._pending = None
        if answer is False and not self.asked_again:
            self.asked_again = True
            return NameStep(say=ASK_AGAIN)
        return self._unconfirmed()

    def _spelt_differently(self, text: str) -> bool:
        assert self.heard is not None
        spelt = compose(self.heard, described_characters(text))
        return spelt is not None and spelt != self._pending

    def on_keypad(self, digits: str) -> NameStep:
        """1/2 answer a read-back; otherwise keys cannot spell a name: kept as heard, unconfirmed."""
        if self._pending is not None and digits in ("1", "2"):
            return self._on_answer(digits == "1")
        return self._unconfirmed() if self.heard else NameStep(send=digits)
