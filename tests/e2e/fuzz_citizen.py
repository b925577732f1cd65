"""Generated citizens for the conversation fuzzer, and the invariants every conversation keeps.

A citizen is drawn from: an opening style (a request, the story, a legal question, a greeting
first, the story in pieces), an answer style per question (direct, with filler, refusal,
don't know, a question back, off-topic, a correction later, a legal question mid-form, asks for
a person) and perturbations (typos, no punctuation, traditional characters, spoken digits,
English words). The words come from the held-out sets written by someone who never saw the
training data (tests/nlu/*_heldout.yml), never from the training data.

Invariants (``check``): the conversation ends within MAX_TURNS citizen turns with a case
number, a hand-off or the citizen's own exit; no bot turn repeats more than twice in a row; a
registered case holds the citizen's phone and name, the story in its description and a
category consistent with the story (reported as a rate); no 5xx.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).resolve().parents[1] / "nlu"
MAX_TURNS = 20
_SPOKEN = dict(zip("0123456789", "零幺二三四五六七八九", strict=True))
_TYPOS = {
    "工资": "工姿",
    "赔偿": "赔尝",
    "合同": "合通",
    "邻居": "林居",
    "拖欠": "拖久",
    "的": "得",
    "在": "再",
}
_ENGLISH = ["OK", "boss", "HR", "app", "sorry"]
_PUNCT = re.compile(r"[，。！？、,.!?；;：:“”\"']")

ENDED = ("案件编号是", "受理回执号")
HANDED_OFF = ("转接人工", "转人工请求", "下一个工作时段", "暂时没能为您接通", "已经把您的情况紧急转给")
EXITS = ("尊重您的选择", "本次登记已取消", "不客气")


@lru_cache(maxsize=1)
def material() -> dict[str, Any]:
    """Stories and answers from the independently written held-out files."""
    items = yaml.safe_load((DATA / "citizens_heldout.yml").read_text(encoding="utf-8"))["items"]
    answers = yaml.safe_load((DATA / "form_answers_heldout.yml").read_text(encoding="utf-8"))
    stories = [i for i in items if i["kind"] == "narrative" and i["category"] != "other"]
    questions = [i for i in items if i["kind"] == "question"]
    return {"stories": stories, "questions": questions, **answers}


def _pick(rng: random.Random, key: str) -> Any:
    return rng.choice(material()[key])


@dataclass
class Persona:
    """One generated citizen: who they are and how they talk."""

    seed: int
    story: dict[str, Any]
    name: str
    phone: str
    opening: str
    styles: dict[str, str]
    perturb: str
    said: list[str] = field(default_factory=list)
    detours: dict[str, int] = field(default_factory=dict)  # non-answers given per question

    @property
    def category(self) -> str:
        return str(self.story["category"])


def make_persona(rng: random.Random) -> Persona:
    """Draw a citizen (deterministic for a seeded ``rng``)."""
    seed = rng.randrange(1 << 30)
    story = _pick(rng, "stories")
    person = rng.choice([n for n in material()["names"] if n.get("name")])
    phone = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
    opening = rng.choice(["request", "story", "question", "greeting", "pieces"])
    questions = [
        "consent",
        "category",
        "description",
        "respondent",
        "location",
        "amount",
        "id",
        "name",
        "phone",
        "confirm",
    ]
    weights = {
        "direct": 10,
        "filler": 3,
        "refuse": 2,
        "dont_know": 2,
        "question_back": 1,
        "off_topic": 1,
        "legal": 1,
        "person": 0.3,
        "wrong_then_right": 1,
    }
    styles = {q: rng.choices(list(weights), weights=list(weights.values()))[0] for q in questions}
    perturb = rng.choice(["none", "none", "typo", "no_punct", "traditional", "english"])
    return Persona(seed, story, str(person["name"]), phone, opening, styles, perturb)


def perturbed(persona: Persona, text: str, rng: random.Random) -> str:
    if persona.perturb == "typo":
        for right, wrong in _TYPOS.items():
            if right in text and rng.random() < 0.5:
                text = text.replace(right, wrong, 1)
    elif persona.perturb == "no_punct":
        text = _PUNCT.sub(" ", text)
    elif persona.perturb == "traditional":
        import zhconv

        text = zhconv.convert(text, "zh-tw")
    elif persona.perturb == "english" and len(text) > 8:
        text = f"{text} {rng.choice(_ENGLISH)}"
    return text


def opening_messages(persona: Persona, rng: random.Random) -> list[str]:
    story = str(persona.story["text"])
    if persona.opening == "request":
        return [rng.choice(["我要申请调解", "帮我登记一个纠纷", "我想找人调解一下"])]
    if persona.opening == "greeting":
        return [rng.choice(["你好", "您好，在吗", "喂"]), story]
    if persona.opening == "question":  # a question about the same kind of dispute as their story
        same = [q for q in material()["questions"] if q["category"] == persona.category]
        return [str(rng.choice(same or material()["questions"])["text"])]
    if persona.opening == "pieces" and len(story) > 30:
        cut = len(story) // 2
        return [story[:cut], story[cut:]]
    return [story]


def question_asked(reply: str, buttons: list[dict[str, str]]) -> str | None:
    """Which intake question the bot's reply asks (None: not a form question)."""
    markers = [
        ("correction", ("要改正的内容",)),
        ("confirm", ("核对", "是否正确")),
        ("consent", ("同意吗", "是否同意", "同意登记")),
        ("offer", ("需要登记吗",)),
        ("category", ("哪一类", "听起来是关于")),
        ("description", ("描述", "具体说说", "说个大概", "发生了什么")),
        ("phone", ("手机号",)),
        ("id", ("身份证号",)),
        ("name", ("姓名", "称呼")),
        ("amount", ("多少钱",)),
        ("location", ("在哪里", "发生在哪")),
        ("respondent", ("对方是谁", "纠纷的对方")),
    ]
    for key, words in markers:
        if any(w in reply for w in words):
            return key
    return None


def answer(
    persona: Persona, question: str, buttons: list[dict[str, str]], rng: random.Random, turn: int
) -> str:
    """The citizen's reply to one question, in the persona's style for it."""
    style = persona.styles.get(question, "direct")
    used = persona.detours.get(question, 0)
    if turn > 12 or used >= 2:
        style = "direct"  # a real citizen answers plainly after a detour or two
    elif style not in ("direct", "filler"):
        persona.detours[question] = used + 1
    if question == "offer":
        return (
            rng.choice(["/" + b["payload"].lstrip("/") for b in buttons] or ["要登记"])
            if buttons
            else "要登记"
        )
    if question == "correction":
        return f"电话是{persona.phone}"
    simple = {
        "refuse": lambda: str(_pick(rng, "decline_optional")),
        "dont_know": lambda: str(_pick(rng, "dont_know")),
        "question_back": lambda: str(_pick(rng, "questions_back")),
        "off_topic": lambda: str(_pick(rng, "off_topic")),
        "legal": lambda: str(_pick(rng, "legal_midform")["text"]),
        "person": lambda: str(_pick(rng, "ask_person")),
    }
    if style in simple and (question not in ("confirm",) or style != "refuse"):
        return simple[style]()
    return direct(
        persona, question, buttons, rng, filler=style == "filler", wrong=style == "wrong_then_right"
    )


def direct(
    persona: Persona,
    question: str,
    buttons: list[dict[str, str]],
    rng: random.Random,
    filler: bool,
    wrong: bool,
) -> str:
    pre = rng.choice(["嗯，", "那个，", "就是", "好的，"]) if filler else ""
    if question == "consent":
        return pre + str(_pick(rng, "consent_yes"))
    if question == "category":
        wanted = f"/dispute_{persona.category}"
        if any(b.get("payload") == wanted for b in buttons):
            return wanted
        return next((b["payload"] for b in buttons if b.get("payload") == "/dispute_other"), wanted)
    if question == "description":
        return pre + str(persona.story["text"])
    if question == "respondent":
        return pre + str(_pick(rng, "other_party")["text"])
    if question == "location":
        return pre + str(_pick(rng, "places")["text"])
    if question == "amount":
        return pre + str(_pick(rng, "amounts")["text"])
    if question == "id":
        return "跳过"
    if question == "name":
        return pre + f"我叫{persona.name}"
    if question == "phone":
        if wrong:
            persona.styles["phone"] = "direct"
            return "1380013"
        spoken = rng.random() < 0.3
        digits = "".join(_SPOKEN[d] for d in persona.phone) if spoken else persona.phone
        return pre + f"我的手机是{digits}"
    if question == "confirm":
        return str(_pick(rng, "yes"))
    return "好的"


@dataclass
class Conversation:
    """What happened: turns, how it ended, HTTP failures."""

    persona: Persona
    turns: list[tuple[str, str]] = field(default_factory=list)
    ending: str = "running"
    server_errors: int = 0

    def bot_turns(self) -> list[str]:
        return [bot for _, bot in self.turns]


def ending_of(reply: str) -> str | None:
    if any(m in reply for m in ENDED):
        return "case"
    if any(m in reply for m in HANDED_OFF):
        return "handoff"
    if any(m in reply for m in EXITS):
        return "exit"
    return None


def max_repeats(texts: list[str]) -> int:
    """The longest run of identical consecutive bot turns."""
    best, run = 0, 0
    for i, text in enumerate(texts):
        run = run + 1 if i and text == texts[i - 1] and text else 1
        best = max(best, run)
    return best


def check(conversation: Conversation, case: dict[str, Any] | None) -> list[str]:
    """The invariants this conversation broke (empty: none)."""
    problems = []
    if conversation.ending not in ("case", "handoff", "exit"):
        problems.append(f"trapped: no case, hand-off or exit after {len(conversation.turns)} turns")
    if max_repeats(conversation.bot_turns()) > 2:
        problems.append("the same bot turn more than twice in a row")
    if conversation.server_errors:
        problems.append(f"{conversation.server_errors} server errors")
    if conversation.ending == "case":
        if case is None:
            problems.append("a case number was told but no such case is stored")
        else:
            problems += case_problems(conversation.persona, case)
    return problems


def _plain(text: str) -> str:
    import zhconv

    return re.sub(r"\s+", "", _PUNCT.sub("", zhconv.convert(text, "zh-cn")))


def case_problems(persona: Persona, case: dict[str, Any]) -> list[str]:
    """A registered case holds the citizen's name and (a piece of) the story they told."""
    problems = []
    applicant = case.get("applicant") or {}
    if applicant.get("name") != persona.name:
        problems.append(f"name {applicant.get('name')!r} != {persona.name!r}")
    if applicant.get("phone") != persona.phone:
        problems.append(f"phone {applicant.get('phone')!r} != {persona.phone!r}")
    description = _plain(str(case.get("description") or ""))
    story = _plain(str(persona.story["text"]))
    told = [_plain(s) for s in persona.said if len(_plain(s)) >= 10 and _plain(s)[:8] in story]
    if told and not any(t[:8] in description for t in told):
        problems.append("the story the citizen told is not in the description")
    return problems


def category_consistent(persona: Persona, case: dict[str, Any]) -> bool:
    return case.get("category") in (persona.category, "other")


def run_conversation(post: Any, persona: Persona, sender: str) -> Conversation:
    """Play one persona through the REST channel. ``post(sender, text)`` returns
    (status, messages)."""
    rng = random.Random(persona.seed)
    conversation = Conversation(persona)
    pending = [perturbed(persona, m, rng) for m in opening_messages(persona, rng)]
    buttons: list[dict[str, str]] = []
    for turn in range(MAX_TURNS):
        text = pending.pop(0) if pending else None
        if text is None:
            question = question_asked(conversation.turns[-1][1], buttons) if conversation.turns else None
            if question is None:
                text = "我要申请调解" if turn < 3 else "转人工"
            else:
                text = answer(persona, question, buttons, rng, turn)
                if not text.startswith("/"):
                    text = perturbed(persona, text, rng)
        persona.said.append(text)
        status, messages = post(sender, text)
        if status >= 500:
            conversation.server_errors += 1
            messages = []
        reply = "\n".join(m.get("text", "") for m in messages if m.get("text"))
        buttons = [b for m in messages for b in m.get("buttons") or []]
        conversation.turns.append((text, reply))
        ending = ending_of(reply)
        if ending and not pending:
            conversation.ending = ending
            return conversation
    return conversation
