import pytest

from textnorm.phone import is_mobile, normalize_mobile


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", "13800138000"),
        ("我的电话是138 0013 8000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("幺三八零零幺三八零零零", "13800138000"),
        ("一三八 零零一三 八零零零", "13800138000"),
        ("幺五零洞洞幺二三四五六", "15000123456"),
        ("电话：199.1234.5678，白天打", "19912345678"),
    ],
)
def test_normalizes_mobile_numbers_written_or_spoken(text: str, expected: str) -> None:
    assert normalize_mobile(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "12345", "12800138000", "138001380001", "0539-12348", "我没有手机", "一二三", "电话是二十三"],
)
def test_rejects_what_is_not_a_mainland_mobile(text: str) -> None:
    assert normalize_mobile(text) is None


def test_is_mobile_checks_the_prefix_and_length() -> None:
    assert is_mobile("19912345678")
    assert not is_mobile("10912345678")
    assert not is_mobile("1991234567")


def test_me_read_for_yao_is_one() -> None:
    """么 comes back for 幺 ("one" read out) from IMEs, recognisers and 麼 simplified."""
    from textnorm.phone import normalize_mobile

    assert normalize_mobile("那個，我的手機是么三零四五八么三零六二") == "13045813062"
