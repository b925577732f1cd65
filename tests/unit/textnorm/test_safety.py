import pytest

from textnorm.safety import signals_danger


@pytest.mark.parametrize(
    "text",
    [
        "他拿着刀说要砍死我",
        "我真的不想活了",
        "我老公现在又在打我",
        "再不给钱我就跟他同归于尽",
        "我们几十个人明天去堵政府大门",
        "救命啊",
        "我要杀了他",
    ],
)
def test_danger_is_recognised(text: str) -> None:
    assert signals_danger(text)


@pytest.mark.parametrize(
    "text",
    [
        "老板拖欠我三个月工资",
        "楼上装修太吵了",
        "我们离婚了，孩子抚养费他不给",
        "物业把我的车位给别人用了",
        "调解要收费吗",
        "刀削面店老板不退押金",
    ],
)
def test_ordinary_disputes_are_not_alarms(text: str) -> None:
    assert not signals_danger(text)
