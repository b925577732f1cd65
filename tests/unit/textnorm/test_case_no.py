import pytest

from textnorm.case_no import find_case_no


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JF-2026-000123", "JF-2026-000123"),
        ("我的案件编号是jf2026000123", "JF-2026-000123"),
        ("ＪＦ－２０２６－０００１２３", "JF-2026-000123"),
        ("编号 JF 2026 123 查一下", "JF-2026-000123"),
    ],
)
def test_finds_case_numbers(text: str, expected: str) -> None:
    assert find_case_no(text) == expected


@pytest.mark.parametrize("text", ["", "我的案子怎么样了", "JF-26-1", "2026-000123"])
def test_no_case_number(text: str) -> None:
    assert find_case_no(text) is None
