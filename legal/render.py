"""Chat text and phone text for each kind of answer (Simplified Chinese)."""

from __future__ import annotations

from collections.abc import Sequence

from legal import DISCLAIMER
from legal.model import Article, Citation, KnowledgeEntry, LegalAnswer

HOTLINE_SPOKEN = "一二三四八"
SPOKEN_DISCLAIMER = "以上是法律信息，不是法律意见。"
MAX_QUOTE_CHARS = 160
CENTER_NOTE = "（以上为本中心的服务说明，不是法律规定。）"

# Versions known to be superseded (from shared/laws/README.md); cited with a warning.
SUPERSEDED = {"中华人民共和国仲裁法": "该法已于2025年修订"}

ABSTAIN_TEXT = (
    "抱歉，这个问题我无法可靠地回答，也不想给您不准确的信息。"
    "您可以说“转人工”由工作人员帮助，或拨打12348公共法律服务热线咨询。"
)
ABSTAIN_SPOKEN = f"抱歉，这个问题我没法可靠回答。您可以说转人工，或者拨打{HOTLINE_SPOKEN}法律服务热线。"
EMPTY_TEXT = "请用一句话说说您想了解的法律问题，例如“劳动仲裁要交钱吗”。"
NOT_CHINESE_TEXT = (
    "抱歉，我目前只能用中文回答法律问题。请用中文描述您的问题，"
    "或说“转人工”，也可以拨打12348公共法律服务热线。"
)
PREDICTION_TEXT = (
    "我无法预测案件的结果或者具体金额，这要由仲裁机构或法院根据证据依法认定。"
    "我可以告诉您相关的程序和规定。"
)
PREDICTION_SPOKEN = "案件结果和金额我没法预测，要由仲裁机构或法院依法认定。"


def _citation_lines(citations: Sequence[Citation]) -> list[str]:
    lines = ["依据："]
    for cit in citations:
        quote = f"：“{cit.quote}”" if cit.quote else ""
        lines.append(f"· {cit.label}{quote}")
    for law, note in SUPERSEDED.items():
        cited = sorted({c.version_date for c in citations if c.law == law})
        if cited:
            lines.append(f"注意：《{law}》{note}，此处引用的是{'、'.join(cited)}版本，请以现行有效文本为准。")
    return lines


def curated(entry: KnowledgeEntry, score: float, prefix: str = "") -> LegalAnswer:
    """A curated answer with its citations and the disclaimer."""
    head = [prefix] if prefix else []
    if entry.center_info:
        text = "\n".join([*head, entry.answer, CENTER_NOTE])
        spoken = entry.spoken
    else:
        steps = [f"下一步：{entry.next_step}"] if entry.next_step else []
        steps += [f"期限：{entry.deadline}"] if entry.deadline else []
        text = "\n".join([*head, entry.answer, *steps, *_citation_lines(entry.citations), DISCLAIMER])
        spoken = f"{entry.spoken}{SPOKEN_DISCLAIMER}"
    return LegalAnswer(
        "curated", text, spoken, list(entry.citations), score, entry.id, "curated", entry.category
    )


def _excerpt(text: str) -> str:
    """The article verbatim, cut at a paragraph boundary when long (marked with ……)."""
    if len(text) <= MAX_QUOTE_CHARS:
        return text
    kept = ""
    for para in text.split("\n"):
        if kept and len(kept) + len(para) > MAX_QUOTE_CHARS:
            break
        kept = f"{kept}\n{para}" if kept else para
    return kept[:MAX_QUOTE_CHARS] + "……"


def articles(found: Sequence[Article], score: float) -> LegalAnswer:
    """Quote the most relevant articles verbatim with their citations."""
    citations = [Citation(a.law, a.article, a.version_date) for a in found]
    lines = ["没有找到现成的问答，以下是可能相关的法律条文原文，是否适用于您的情况需要工作人员判断："]
    for art, cit in zip(found, citations, strict=True):
        lines.append(f"{cit.label}：“{_excerpt(art.text)}”")
    lines += _citation_lines(citations)[len(citations) + 1:]  # superseded notes only
    lines += ["如需解读，可以说“转人工”或拨打12348公共法律服务热线。", DISCLAIMER]
    spoken = (
        f"可能相关的规定是{citations[0].spoken}。条文需要结合您的情况解读，"
        f"您可以说转人工，或拨打{HOTLINE_SPOKEN}。{SPOKEN_DISCLAIMER}"
    )
    return LegalAnswer("articles", "\n".join(lines), spoken, citations, score, None, "articles")


# Where a citizen gets help with a kind of question the answerer cannot answer reliably.
WHO_HELPS = {
    "labour": "劳动人事争议仲裁委员会或劳动保障监察机构（12333）",
    "family": "当地妇联、人民调解委员会或法律援助机构",
    "neighbour": "村（居）民委员会的人民调解委员会",
    "property": "业主委员会、街道办事处或住房和城乡建设部门",
    "medical": "医疗纠纷人民调解委员会或卫生健康部门（12320）",
    "traffic": "公安交通管理部门（交警）的事故调解或保险公司",
    "consumer": "市场监督管理部门（12315）或消费者协会",
    "land": "乡镇人民政府或农村土地承包仲裁委员会",
    "contract": "人民调解委员会或人民法院",
}


def abstain(
    reason: str, text: str = ABSTAIN_TEXT, spoken: str = ABSTAIN_SPOKEN, category: str = ""
) -> LegalAnswer:
    """Decline honestly and offer a person or the 12348 hotline (and who helps with this kind
    of question, when its category is known)."""
    helper = WHO_HELPS.get(category)
    if helper and text == ABSTAIN_TEXT:
        text = f"{text}这类问题也可以咨询{helper}。"
    return LegalAnswer("abstain", text, spoken, [], 0.0, None, reason, category)


CLARIFY_TEXT = "为了给您准确的法律依据，请确认您想了解的是下面哪一个问题（点选即可）："
CLARIFY_ONE_TEXT = "为了给您准确的法律依据，请确认您想了解的是不是下面这个问题："
CLARIFY_HINT = "如果都不是，可以换个说法再问一次，或者说“转人工”。"
CLARIFY_SPOKEN = "为了给您准确的依据，请问您想了解的是哪一个问题？"


def clarify(entries: Sequence[KnowledgeEntry], category: str = "") -> LegalAnswer:
    """Two or three curated questions are about equally likely (or one is likely but not sure):
    the citizen chooses, rather than getting a confident answer to a question they did not ask.
    The options travel as ``options`` (the dialogue shows them as buttons; the phone reads them
    out as numbered choices), so the text holds only the lead and the way out."""
    options = [(e.id, e.questions[0]) for e in entries]
    head = CLARIFY_TEXT if len(options) > 1 else CLARIFY_ONE_TEXT
    return LegalAnswer(
        "clarify", f"{head}\n{CLARIFY_HINT}", CLARIFY_SPOKEN, [], 0.0, None, "clarify", category, options
    )


def prediction(entry: KnowledgeEntry | None, score: float) -> LegalAnswer:
    """Refuse to predict; add procedure information when a curated entry fits."""
    if entry is None:
        text = f"{PREDICTION_TEXT}\n{ABSTAIN_TEXT}"
        return abstain("prediction", text, f"{PREDICTION_SPOKEN}{ABSTAIN_SPOKEN}")
    answer = curated(entry, score, prefix=PREDICTION_TEXT)
    answer.spoken = f"{PREDICTION_SPOKEN}{answer.spoken}"
    answer.reason = "prediction"
    return answer
