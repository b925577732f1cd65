"""A citizen's own relative named in a story is not the other party where relatives are harmed."""

from __future__ import annotations

import pytest

from textnorm.party import own_relative, respondent_from_story


@pytest.mark.parametrize("word", ["父亲", "我爸", "俺闺女", "我的儿子", "老伴", "我家孩子"])
def test_own_relatives(word: str) -> None:
    assert own_relative(word)


@pytest.mark.parametrize("word", ["医院", "主治医生", "老王", "对方司机", "我哥的朋友", "隔壁老爸爸家"])
def test_not_own_relatives(word: str) -> None:
    assert not own_relative(word)


@pytest.mark.parametrize("category", ["medical", "traffic", "labour", "consumer"])
def test_a_relative_is_the_one_harmed_there(category: str) -> None:
    assert respondent_from_story("我父亲", category) is None
    assert respondent_from_story("县人民医院", category) == "县人民医院"


@pytest.mark.parametrize("category", ["family", "land", "neighbour", "contract", "other", None])
def test_a_relative_can_be_the_other_party_there(category: str | None) -> None:
    assert respondent_from_story("我哥", category) == "我哥"
