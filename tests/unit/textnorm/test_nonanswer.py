"""Refusals, 'don't know' and 'later' are recognised; attempts at a number never are."""

from __future__ import annotations

import pytest

from textnorm.nonanswer import classify_nonanswer, digit_count, form_remark, looks_like_number


@pytest.mark.parametrize(
    "text",
    ["跳过", "不想提供", "这个就不说了吧", "没带身份证", "算了不填了", "不方便", "为啥要这个", "不用了谢谢",
     "保密", "没有", "无", "skip", "先不提供", "暂时不给"],
)
def test_declines(text: str) -> None:
    assert classify_nonanswer(text) == "decline"


@pytest.mark.parametrize("text", ["不知道", "记不清了", "说不好", "忘了", "不太清楚啊", "没算过", "不记得"])
def test_dont_know(text: str) -> None:
    assert classify_nonanswer(text) == "dont_know"


@pytest.mark.parametrize("text", ["以后再说", "回头再给你", "下次吧"])
def test_later(text: str) -> None:
    assert classify_nonanswer(text) == "later"


@pytest.mark.parametrize(
    "text",
    ["110101199003070016", "我的身份证是11010119900307001X", "13800138000", "张三", "城关镇",
     "他家装修的时候把我家的墙弄裂了，到现在没有赔偿，也没有道歉，我们去找了好几次都没人管", ""],
)
def test_answers_and_stories_are_not_refusals(text: str) -> None:
    assert classify_nonanswer(text) is None


def test_digit_runs_are_counted_including_spoken_digits() -> None:
    assert digit_count("幺三八 0013 8000") == 11
    assert looks_like_number("138 0013 8000", 7)
    assert not looks_like_number("不记得了", 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一定要填吗", "about_form"),
        ("不想说", "about_form"),
        ("能不能不写", "about_form"),
        ("身份证号不想给", "declines_id"),
        ("身份证没带", "declines_id"),
        ("他不给钱", None),  # a refusal word, and a story
        ("房东不退押金", None),
        ("邻居家", None),
        ("吵架了", None),
    ],
)
def test_a_remark_about_the_form_is_told_from_a_short_story(text: str, expected: str | None) -> None:
    assert form_remark(text) == expected
