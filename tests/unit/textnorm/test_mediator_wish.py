"""A citizen asking for a particular mediator, by name and title or by specialty (普陀 "点单")."""

from __future__ import annotations

import pytest

from textnorm.mediator_wish import MediatorWish, asks_for_mediator, mediator_wish


@pytest.mark.parametrize(
    ("text", "name", "specialty"),
    [
        ("能约王律师吗", "王律师", None),
        ("我想找陈调解员", "陈调解员", None),
        ("能不能约一下郭明理调解员", "郭明理调解员", None),
        ("预约李老师", "李老师", None),
        ("我想找擅长婚姻家庭的调解员", None, "family"),
        ("有没有懂劳动方面的老师", None, "labour"),
        ("帮我找一个擅长物业纠纷的", None, "property"),
        ("交通事故的调解员有空吗", None, "traffic"),
    ],
)
def test_the_mediator_asked_for(text: str, name: str | None, specialty: str | None) -> None:
    wish = asks_for_mediator(text)
    assert wish is not None and (wish.name, wish.specialty) == (name, specialty)


@pytest.mark.parametrize(
    "text", ["我想和调解员谈谈", "我想咨询律师", "找个调解员", "专业的调解员", "女律师", "我要找律师"]
)
def test_no_particular_mediator(text: str) -> None:
    assert asks_for_mediator(text) is None


def test_a_story_mentioning_a_lawyer_is_no_request_but_its_name_reads_shorter() -> None:
    text = "我离婚的时候王律师说房子归我"
    assert asks_for_mediator(text) is None
    wish = mediator_wish(text)
    assert wish == MediatorWish(name="时候王律师", title="律师")
    assert wish.names() == ["时候王律师", "王律师"]  # the booking tries the shorter reading
