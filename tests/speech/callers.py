"""Synthesised Mandarin callers and how each answers what the line says.

Written from the spoken-intake issue (wage arrears, a leaking pipe, same-sounding names, numbers
with repeated digits, stories told in one breath), not from the bot's training data. Each caller
knows the truth (category, name, phone) the registered case must carry, and ``Caller.answer``
decides the next thing to say or key from what the gateway last said, the way a person would:
confirming a read-back only when it is right, correcting one group, spelling a name by its
characters, keying the number when asked to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from tests.speech.synth import Voice
from voice.core.numbers import digits_heard

DIGIT_WORDS = "零幺二三四五六七八九"
_KEYPAD_PROMPTS = ("请在电话按键上输入", "请用电话按键输入", "请在屏幕上的数字键盘", "输入框里")
CATEGORY_TITLES = {  # bot/domain/responses.yml utter_ask_category, as read out
    "labour": "劳动争议", "neighbour": "邻里", "family": "婚姻家庭", "property": "物业", "contract": "合同",
    "consumer": "消费", "traffic": "交通事故", "medical": "医疗", "land": "土地承包", "other": "其他",
}
CATEGORY_WORDS = {  # how the bot names a guessed category ("听起来是关于…的纠纷")
    "labour": ("劳动", "欠薪", "工资"), "neighbour": ("邻里", "相邻"), "property": ("物业",),
    "consumer": ("消费",), "traffic": ("交通",), "contract": ("合同", "借贷", "债务"),
    "family": ("婚姻", "家庭"),
}


def spoken_digits(digits: str, groups: tuple[int, ...] = (3, 4, 4), careful: bool = False) -> str:
    """13911223344 → '幺三九，幺幺二二，三三四四' (careful: every digit on its own, '幺，幺，二，二')."""
    parts, pos = [], 0
    for size in groups:
        chunk = digits[pos : pos + size]
        pos += size
        words = [DIGIT_WORDS[int(d)] for d in chunk]
        parts.append("，".join(words) if careful else "".join(words))
    return "，".join(parts) + "。"


@dataclass(frozen=True)
class Action:
    """What the caller does next: ``say`` words, ``keys`` on the keypad, or ``done``."""

    kind: Literal["say", "keys", "done", "stuck"]
    text: str = ""


@dataclass
class Caller:
    key: str
    voice: Voice
    story: str  # the opening, often two or three sentences in one breath
    category: str
    name: str
    spelling: str  # how the caller says which characters: "周末的周，建设的建，中华的华"
    phone: str
    respondent: str
    location: str
    amount: str = "没有"
    yes: str = "对"
    corrects_groups: bool = True  # says "不对，中间四位是…" rather than a bare 不对
    turns: int = field(default=0)
    last: Action | None = field(default=None)
    asked: dict[str, int] = field(default_factory=dict)  # how often each question came
    misheard_phone: int = field(default=0)  # read-backs of the phone that were wrong
    keyed: bool = field(default=False)
    careful: bool = field(default=False)  # after a miss the caller speaks digit by digit

    @property
    def groups(self) -> list[str]:
        return [self.phone[:3], self.phone[3:7], self.phone[7:]]

    def answer(self, heard: str) -> Action:
        """The next action after the line said ``heard`` (the whole prompt of one turn)."""
        self.turns += 1
        not_heard = any(w in heard for w in ("没有听到您的声音", "如果您还在", "没有完全理解", "换个说法"))
        if not_heard and self.last is not None and "或按1" not in heard:
            return self.last  # not heard: say it again (a question with keys: see _option)
        self.last = self._answer(heard)
        return self.last

    def _answer(self, heard: str) -> Action:
        if "案件编号" in heard:
            return Action("done")
        if "我听到的是" in heard or "一个数字一个数字" in heard or "没有听清" in heard:
            self.careful = True
        if any(w in heard for w in _KEYPAD_PROMPTS):
            self.keyed = True
            return Action("keys", self.phone)
        whole = re.search(r"手机号是：?([^。对]+)[。，]?对吗", heard)
        if whole:
            said = digits_heard(whole.group(1)) or ""
            if "没有听清" in heard:
                return Action("keys", "1" if said == self.phone else "2")
            return self._check_whole(said)
        group = re.search(r"(?:手机号的|再说一遍)(前三位|中间四位|最后四位)", heard)
        if group:
            index = ("前三位", "中间四位", "最后四位").index(group.group(1))
            return Action("say", spoken_digits(self.groups[index], (len(self.groups[index]),), self.careful))
        group_back = re.search(r"(?:^|[。：是])([零幺一二三四五六七八九]{3,4})，对吗", heard)
        if group_back:
            right = (digits_heard(group_back.group(1)) or "") in self.groups
            if "没有听清" in heard:  # my yes/no was not understood: the keys say it plainly
                return Action("keys", "1" if right else "2")
            return Action("say", self.yes if right else "不对")
        if "我记下的名字是" in heard:  # the characters read back: right only if they spell my name
            right = f"写作{self.name}，" in heard
            if "没有听清" in heard:
                return Action("keys", "1" if right else "2")
            return Action("say", self.yes if right else "不对")
        if "哪几个字" in heard or "名字的每个字" in heard:
            return Action("say", self.spelling)
        if "请核对" in heard or "以上信息是否正确" in heard:
            return self._option(heard, "summary", "正确", "对，没问题。")
        if "您同意吗" in heard or "是否同意" in heard or "同意请" in heard:
            return self._option(heard, "consent", "同意", "同意。")
        if "属于哪一类" in heard:
            return Action("say", self._category_option(heard))
        if "听起来是关于" in heard:
            words = CATEGORY_WORDS.get(self.category, ())
            return Action("say", "对。" if any(w in heard for w in words) else "不是。")
        if "对方是谁" in heard or "纠纷的对方" in heard:
            return Action("say", self.respondent)
        if "发生在哪里" in heard or "在哪里发生" in heard:
            return Action("say", self.location)
        if "多少钱" in heard or "金额" in heard:
            return Action("say", self.amount)
        if "身份证" in heard:
            return self._option(heard, "id", "跳过", "跳过。")
        if "称呼" in heard or "姓名" in heard:
            return Action("say", f"我叫{self.name}。")
        if "手机" in heard or "电话号码" in heard or "联系电话" in heard:
            return Action("say", spoken_digits(self.phone, careful=self.careful))
        if "经过" in heard or "发生了什么" in heard or "有什么可以帮您" in heard or "多说一点" in heard:
            return Action("say", self.story)
        return Action("stuck", heard)

    def _option(self, heard: str, question: str, title: str, words: str) -> Action:
        """Say the answer; asked the same again, press the option's key, as callers do."""
        self.asked[question] = self.asked.get(question, 0) + 1
        keys = dict((t.strip("；。， "), d) for t, d in re.findall(r"([^；。？！]+?)请说(\d)或按\d", heard))
        key = next((d for t, d in keys.items() if t.startswith(title)), None)
        if self.asked[question] > 1 and key is not None:
            return Action("keys", key)
        return Action("say", words)

    def _check_whole(self, said: str) -> Action:
        if said == self.phone:
            return Action("say", self.yes)
        self.misheard_phone += 1
        wrong = [i for i, g in enumerate(self.groups) if said[sum(map(len, self.groups[:i])):][: len(g)] != g]
        if self.corrects_groups and len(said) == len(self.phone) and len(wrong) == 1:
            name = ("前三位", "中间四位", "后四位")[wrong[0]]
            group = self.groups[wrong[0]]
            return Action("say", f"不对，{name}是{spoken_digits(group, (len(group),), True).rstrip('。')}。")
        return Action("say", "不对。")

    def _category_option(self, heard: str) -> str:
        title = CATEGORY_TITLES[self.category]
        match = re.search(rf"{title}[^；。]*?请说(\d)", heard)
        return "一二三四五六七八九"[int(match.group(1)) - 1] if match else title


def callers() -> list[Caller]:
    """The synthesised citizens: varied voices, names (the homophone ones of issue 16), numbers
    with repeated digits, long stories."""
    alpha, gongitsune, kumo = "jf_alpha", "jf_gongitsune", "jm_kumo"
    return [
        Caller("zhou", Voice(alpha, 0.9),
               "包工头拖欠我八个月的工资，一共两万三千块钱。我去工地找了好几次，他一直躲着不见，我想申请调解。",
               "labour", "周建华", "周末的周，建设的建，中华的华", "13911223344",
               "包工头老孙", "城关镇", "两万三千块"),
        Caller("wang", Voice(alpha, 0.9),
               "楼上邻居家的水管漏水，把我家卫生间的天花板泡坏了。找他们好几回了，他们就是不肯赔。",
               "neighbour", "王大伟", "三横王，大小的大，伟大的伟", "13800138002",
               "楼上邻居", "幸福小区", "五千块", yes="对的"),
        Caller("liu", Voice(gongitsune, 0.9),
               "我在网上买了一台洗衣机，用了三天就坏了。商家不给退也不给换，客服也不回消息了。",
               "consumer", "刘春梅", "文刀刘，春天的春，梅花的梅", "15955661188",
               "网上的商家", "不知道", "两千八百元", yes="是的，没错"),
        Caller("li", Voice(gongitsune, 0.95),
               "物业公司今年突然把物业费涨了一倍，小区的电梯坏了半年也没人修，我们业主都不想交了。",
               "property", "李明", "木子李，明天的明", "18612345566",
               "物业公司", "阳光花园小区", "三千六百元"),
        Caller("zhang", Voice(alpha, 0.85),
               "前年我借给朋友五万块钱，说好一年就还。现在过了两年，他电话也不接，钱一直不还。",
               "contract", "张秀英", "弓长张，优秀的秀，英雄的英", "13766889900",
               "我的朋友老赵", "城南街道", "五万块", yes="没错", corrects_groups=False),
        Caller("chen", Voice(gongitsune, 0.85),
               "上个月我骑电动车在路口被一辆小轿车撞了，腿骨折住了半个月医院。对方只肯出一点点钱。",
               "traffic", "陈志强", "耳东陈，志气的志，强大的强", "15012123434",
               "小轿车的车主", "人民路路口", "三万块"),
        Caller("yang", Voice(alpha, 0.95),
               "我在饭店干了一年的服务员，老板说生意不好，最后三个月的工资一分都没给，还把我辞退了。",
               "labour", "杨丽", "木易杨，美丽的丽", "17788990011",
               "饭店老板", "东风路", "九千块"),
        Caller("zhao", Voice(alpha, 0.9),
               "隔壁邻居在我家门口的过道上堆了很多杂物，还搭了一个棚子，我们家出门都不方便，说了也不听。",
               "neighbour", "赵国庆", "走肖赵，国家的国，国庆的庆", "13322114455",
               "隔壁邻居", "新村小区", "没有", yes="是的"),
        Caller("lin", Voice(gongitsune, 0.9),
               "我在装修公司定了全屋装修，合同写的三个月完工，现在半年了还没弄完，材料也跟合同上写的不一样。",
               "contract", "林小红", "双木林，大小的小，红色的红", "18900007788",
               "装修公司", "江北区", "八万块"),
        Caller("wu", Voice(kumo, 0.85),
               "我在工厂上班的时候手被机器压伤了，老板不给我报工伤，医药费也不给报销，现在还让我走人。",
               "labour", "吴海", "口天吴，大海的海", "15866663333",
               "工厂老板", "工业园区", "一万五千块", yes="对，没错"),
    ]
