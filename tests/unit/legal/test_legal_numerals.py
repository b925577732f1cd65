from __future__ import annotations

import cn2an
import pytest

from legal.numerals import article_label, cn_to_int, int_to_cn


def test_round_trip_matches_cn2an() -> None:
    for number in range(1, 1300):
        text = int_to_cn(number)
        assert cn_to_int(text) == number
        assert cn2an.cn2an(text, "strict") == number


@pytest.mark.parametrize(
    ("number", "text"),
    [(10, "十"), (19, "十九"), (105, "一百零五"), (110, "一百一十"), (1260, "一千二百六十")],
)
def test_statute_style(number: int, text: str) -> None:
    assert int_to_cn(number) == text
    assert article_label(number) == f"第{text}条"


def test_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        cn_to_int("十百")
    with pytest.raises(ValueError):
        cn_to_int("abc")
