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
    # "调解一下" alone is a request only where a clause starts with it: "派出所来了说是家务事调解一下
    # 就走了" reports what happened
    r"|(?:^|[，,。！!？?\s])(?:请|麻烦)?调解一下|给调解|帮帮我|求助|求帮忙"
    r"|(?:想|要|请|希望|麻烦)[^，,。；;！!？?]{0,12}(?:调解一下|来调解|调解调解)"
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
    # "how much / how long" asked of what is owed or due: "押金能退多少", "一般判几个月", "该赔我多少"
    # (a story says "欠了我多少钱记不清": no modal verb before the 多少)
    r"|(?:要|能|该|得|可以|会|还|应当|应该)[^，。,；;！!]{0,5}(?:多少|几个月|几个钱)"
    r"|(?:多少|几个月)[钱万块元年天]?[？?。！!\s]*$"
    # The interrogatives of everyday speech, wherever they stand in a one-breath message:
    # 吗 inside it ("能直接去法院起诉吗 还是要先仲裁"); A-not-A ("会不会", "行不行") and a final 不
    # ("这样合法不", "年限能接上不"); 谁/啥 as interrogatives, not in "谁知道他…" (who would have
    # thought), "谁也不管", "啥都不给", "没啥"; 哪 asking which; what one can or should do ("我能做
    # 什么"); an alternative ("该找组团社还是地接社", "还是只能自认倒霉"); "怎么才能".
    r"|吗(?=[\s，,；;。！!？?]|$)"
    r"|([\u4e00-\u9fff])[不没]\1"
    r"|(?<![也都还就偏决并从绝再说])不[？?！!。\s]*$"
    r"|(?<!不知道是)(?<![没有])谁(?![也都知料想])|(?<!没)啥(?![也都])"
    r"|以哪|哪(?:份|种|条|方|边)|哪个(?![也都])"
    r"|(?:能|可以|该|要|应该|需要|会)[^，。,；;\s]{0,6}什么"
    r"|还是只能|[该找要去][^，。,；;\s]{0,8}还是|怎么(?:才能|才可以|样才|能|可以)|有多大"
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


# What a question about the centre itself names: the centre, its window, its hours, address,
# fees, ways to apply and the materials to bring. A question naming none of these ("借条过了两年
# 还能要吗") is about the citizen's own dispute, whatever words it shares with "借条要带原件吗".
_ABOUT_THE_CENTER = re.compile(
    r"你们|您们|中心|这里|这儿|这边|窗口|现场|接待|有人|能来|能去|过来|过去|去的时候|来的时候"
    r"|调解|登记|申请|受理|办理|办事|手续|材料|资料|带|原件|复印件|户口本|身份证|截图|清单|证据"
    r"|热线|电话|网上|线上|手机|视频|远程|公众号|小程序|在线|收费|费用|交钱|要钱|花钱|免费|给钱|辛苦费"
    r"|上班|下班|开门|关门|放假|休息|中午|几点|时间|周末|周日|周六|礼拜|星期|节假日|五一|国庆|春节"
    r"|地址|在哪|怎么走|咋走|位置|几路|哪个楼|管哪些|管不管|能管|干什么的|做什么的|区别"
)


def about_the_center(text: str) -> bool:
    """The message names the centre or one of its services (see ``_ABOUT_THE_CENTER``)."""
    return bool(_ABOUT_THE_CENTER.search(text or ""))
