import pytest

from textnorm.mask import mask_id, mask_name, mask_phone, mask_text
from textnorm.name import extract_person_name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三", "张三"),
        ("我叫张三", "张三"),
        ("我是李四。", "李四"),
        ("姓名：王五", "王五"),
        ("免贵姓林，叫林小梅", "林小梅"),
        ("欧阳娜娜", "欧阳娜娜"),
        ("我的名字是诸葛亮", "诸葛亮"),
        ("我叫Tom Lee", "Tom Lee"),
        ("我叫高明吧", "高明"),
    ],
)
def test_extracts_names_in_many_forms(text: str, expected: str) -> None:
    assert extract_person_name(text) == expected


@pytest.mark.parametrize(
    "text", ["", "不想说", "13800138000", "我姓欧阳", "好的", "x" * 80, "哈哈哈", "我叫哈哈"]
)
def test_no_name_when_none_was_given(text: str) -> None:
    assert extract_person_name(text) is None


def test_masks_personal_data() -> None:
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id("11010519491231002X") == "110105**********2X"
    assert mask_name("欧阳娜娜") == "欧***"
    masked = mask_text("电话13800138000，身份证11010519491231002X")
    assert "13800138000" not in masked and "11010519491231002X" not in masked
    assert "138****8000" in masked


def test_words_are_not_names() -> None:
    from textnorm.name import extract_person_name

    for text in ("我是在城南那个工地上干木工的", "我是外地来的", "pass", "What is this?", "ok"):
        assert extract_person_name(text) is None, text
    assert extract_person_name("免贵姓张 张伟") == "张伟"
    assert extract_person_name("John Smith") == "John Smith"
