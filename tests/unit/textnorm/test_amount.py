from decimal import Decimal

import pytest

from textnorm.amount import parse_amount_yuan


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("两万三千块", "23000"),
        ("2.3万", "23000"),
        ("23000元", "23000"),
        ("２３，０００元", "23000"),
        ("23,000元", "23000"),
        ("他欠我一万五", "15000"),
        ("三千五百块钱", "3500"),
        ("工资4500元一个月", "4500"),
        ("叁仟元整", "3000"),
        ("88.5元", "88.5"),
    ],
)
def test_parses_amounts_as_citizens_write_them(text: str, expected: str) -> None:
    assert parse_amount_yuan(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "没有钱", "0元", "很多钱", "999999999999元"])
def test_returns_none_without_a_plausible_amount(text: str) -> None:
    assert parse_amount_yuan(text) is None


def test_phone_and_id_numbers_are_not_amounts() -> None:
    assert parse_amount_yuan("我叫王芳，电话13912345678，公司拖欠我半年工资") is None
    assert parse_amount_yuan("身份证11010519491231002X，欠我3000元") == Decimal("3000")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("老板拖欠我三个月工资不给", None),
        ("住在3号楼，楼上漏水", None),
        ("包工头欠我两万三千块", "23000"),
        ("借给他5万", "50000"),
        ("押金3000元不退", "3000"),
        # a price per unit, or a few yuan, is not the sum at stake (found by the 2,000-run)
        ("这几年物业费从一块二涨到了一块八一平，服务越来越差", None),
        ("每平米2.5元的物业费，我欠了三千块", "3000"),
        ("菜市场3块钱一斤的白菜卖我八块", None),
    ],
)
def test_in_narratives_only_money_counts(text: str, expected: str | None) -> None:
    result = parse_amount_yuan(text, money_only=True)
    assert result == (Decimal(expected) if expected else None)


@pytest.mark.parametrize(
    "text",
    [
        "一定要填吗",  # 一 inside a word
        "他一直不还",
        "公司把我辞退了一分钱补偿都不给我在那干了六年了",  # "not one fen" is nothing, 六年 a count
        "一分钱都没给",
        "欠我3个月工资",
        "住3号楼",
    ],
)
def test_an_answer_to_how_much_is_not_read_from_counts_and_idioms(text: str) -> None:
    assert parse_amount_yuan(text) is None


@pytest.mark.parametrize(
    ("text", "expected"), [("五千", "5000"), ("3000", "3000"), ("三", "3"), ("有个一万吧", "10000")]
)
def test_a_bare_number_still_answers_how_much(text: str, expected: str) -> None:
    assert parse_amount_yuan(text) == Decimal(expected)
