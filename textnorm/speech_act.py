"""What kind of message a citizen sent: a request to register, a question, or a story.

The dispute's category and the kind of message are two separate predictions. A citizen who
tells the story and asks "…我该怎么办？" wants an answer first; one who says "帮我登记" wants the
intake. A classifier trained on our own phrasing confuses the two (a story ending in a
question looks like a story), while the markers of a question or a request are few and
stable across styles, typos and speech-recognition output, so they are matched here.

Plain Python 3.10, standard library only: both environments import it.
"""

from __future__ import annotations

import re
from typing import Literal

MessageKind = Literal["request", "question", "story"]

# An explicit request that the center takes the dispute on.
_REQUEST = re.compile(
    r"申请(?:人民)?调解|(?:要|想|想要|希望|请求|申请|麻烦|能否|能不能|可以|可不可以|请)(?:你们|您|中心|帮我|给我|帮忙)?"
    r"(?:帮忙)?(?:调解|调处|登记|立案|受理|处理一下|协调|出面|主持公道|做个调解)"
    r"|帮(?:我|忙|俺|咱)(?:们)?(?:调解|登记|立案|处理|协调|解决|要回|讨回|要钱|讨个说法|做主)"
    r"|(?:给|替)(?:我|俺)(?:们)?(?:调解|登记|做主|评评理)|找(?:人|你们|调解员)(?:来)?调解"
    r"|登记(?:一下|纠纷|个案子)|(?:我要|我想|想)(?:投诉|反映|登记)|来反映|反映(?:一下|个)?情况"
    r"|调解一下|给调解|帮帮我|求助|求帮忙"
)
# A question about the law, the citizen's rights or what to do.
_QUESTION = re.compile(
    r"怎么办|怎么弄|怎么处理|怎么解决|怎么维权|如何维权|咋办|咋整|咋弄|咋处理|怎么整|怎么搞|搞么子|怎样"
    r"|如何|怎么算|怎么赔|怎么分|怎么判|怎么要|怎么告|怎么起诉|怎么申请|怎么认定|怎么计算|啥办法"
    r"|谁(?:负责|出|赔|承担|管|来赔|来出|的责任|付|掏|来付)|该(?:找谁|去哪|怎么|不该)|找谁|去哪(?:里|儿)?(?:告|投诉|申请|起诉|要)"
    r"|能不能|可不可以|可否|能否|是否|有没有(?:权|办法|用|效|责任)|算不算|是不是|合不合法|要不要|需不需要|有没有"
    r"|合法吗|违法吗|犯法吗|有效吗|算数吗|管用吗|(?:能|可以|会|要|该|行|对|算|有)吗|吗[？?。！!\s]*$|[吗呢么嘛][？?]"
    r"|[？?]\s*$|请问|问一下|问问|咨询|想了解|了解一下|法律(?:上)?(?:规定|怎么)|有什么规定|什么规定"
    r"|多少钱|赔多少|多少年|多久|几年|几天|多长时间|什么时候|哪些|什么(?:材料|证据|手续|程序|条件|责任|权利)"
    r"|还能(?:要|告|起诉|追|拿)|律师"
)


def message_kind(text: str) -> MessageKind:
    """``request`` (register/mediate for me) / ``question`` (what does the law say, what should I
    do) / ``story`` (tells what happened, asks nothing). A request wins over a question: "你们能帮我
    调解吗" is a request, and the intake answers any question inside it later."""
    text = text or ""
    if _REQUEST.search(text):
        return "request"
    if _QUESTION.search(text):
        return "question"
    return "story"


def content_chars(text: str) -> int:
    """Chinese characters left once the request and question phrases are removed: "帮我登记一个
    纠纷" says nothing about the dispute, "帮我登记，老板欠薪三个月" does."""
    rest = _QUESTION.sub("", _REQUEST.sub("", text or ""))
    rest = re.sub(r"(一个|一下|纠纷|事情|问题|情况|我|你们|您|想|要|的|了|个)", "", rest)
    return len(re.findall(r"[\u3400-\u9fff]", rest))
