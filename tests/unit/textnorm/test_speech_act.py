"""The kind of message: request to register, question, or story."""

from __future__ import annotations

import pytest

from textnorm.speech_act import message_kind


@pytest.mark.parametrize(
    "text",
    [
        "我要申请调解",
        "帮我登记一下",
        "你们能帮我调解吗？",
        "想找人调解一下邻居漏水的事",
        "老板欠薪，请帮我处理",
        "我想反映个情况",
    ],
)
def test_requests(text: str) -> None:
    assert message_kind(text) == "request"


@pytest.mark.parametrize(
    "text",
    [
        "离婚后孩子归谁、抚养费怎么算",
        "借条过了两年还能要吗",
        "上班时被钢管砸伤肋骨骨折，能认定工伤吗",
        "楼上天天噪音，怎么维权",
        "车祸误工费谁出",
        "公司临时通知我明天不用来了 能要赔偿吗",
        "我在工地干了半年老板不给钱请问律师我该怎么办",
        "咋整啊这事",
        "物业乱收费合法吗",
        "退租时押金房东能扣多少",
        "工伤评了十级一般能拿多少",
        "这种情况一般会判几个月",
        "他撞了我的车，该赔我多少",
    ],
)
def test_questions(text: str) -> None:
    assert message_kind(text) == "question"


@pytest.mark.parametrize(
    "text",
    [
        "邻居家装修把我家墙弄裂了不肯赔",
        "老板拖欠我三个月工资",
        "在超市买的面包发霉了",
        "我被车撞了住了一个月院",
        "他前前后后欠了我好几万，一直拖着",
    ],
)
def test_stories(text: str) -> None:
    assert message_kind(text) == "story"


def test_every_center_information_example_names_the_center() -> None:
    """The training questions about the centre all name it, its hours, fees or materials: the
    analyzer may then read a 'centre' question that names none of these as a legal one."""
    from pathlib import Path

    import yaml

    from textnorm.script import to_simplified  # as the NLU pipeline does first
    from textnorm.speech_act import about_the_center

    data = yaml.safe_load((Path(__file__).parents[3] / "bot/data/nlu/center_info.yml").read_text("utf-8"))
    examples = [
        line.strip()[2:]
        for block in data["nlu"]
        if block["intent"].startswith("ask_center_info")
        for line in block["examples"].splitlines()
        if line.strip()
    ]
    assert len(examples) > 80
    assert [e for e in examples if not about_the_center(to_simplified(e))] == []


@pytest.mark.parametrize(
    "text",
    [
        "老公出轨 离婚的时候我能要求他赔偿吗 财产能多分点不",  # 吗 inside, a final 不
        "老人立了两份遗嘱，内容不一样，以哪份为准",
        "在饭馆吃出一只苍蝇，能让饭店赔啥",
        "小区广告位租出去的钱都被物业拿走了，这钱应该归谁",
        "法官会不会把房子判给我",
        "平台要担责吗，还是只能自认倒霉",
    ],
)
def test_everyday_interrogatives_anywhere_make_a_question(text: str) -> None:
    """From the dev citizen questions (legal/data/dev_citizen_questions.yml): asked through the chat,
    these got the consent notice because the question word was not at the end or not in the list."""
    assert message_kind(text) == "question"


@pytest.mark.parametrize(
    "text",
    [
        "借了钱谁知道他后来不认账了，电话也不接",  # 谁知道: who would have thought
        "物业和业委会谁也不管，楼道堆满了杂物",
        "他啥都不给，工资拖了三个月",
        "派出所来了说是家务事调解一下就走了",  # reported speech: neither a request nor a question
    ],
)
def test_a_story_with_those_words_stays_a_story(text: str) -> None:
    assert message_kind(text) == "story"


def test_a_request_with_words_between_is_still_a_request() -> None:
    assert message_kind("想请你们帮我跟4S店调解一下，把两万块要回来") == "request"
    assert message_kind("好多户都不同意想请你们来调解") == "request"
