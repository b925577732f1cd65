from __future__ import annotations

import jieba
import pytest

from legal import DISCLAIMER
from legal.answerer import LegalAnswerer

MARKUP = set("《》【】[]（）()*#")


def test_curated_answer_with_citation(answerer: LegalAnswerer) -> None:
    result = answerer.answer("人民调解要交钱吗")
    assert result.kind == "curated" and result.entry_id == "mediation_fee"
    assert "《中华人民共和国人民调解法》第四条（2010-08-28版）" in result.text
    assert DISCLAIMER in result.text
    assert "人民调解法第四条" in result.spoken
    assert not MARKUP & set(result.spoken)
    assert result.citations[0].article == 4


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("劳动仲裁在哪儿申请", "labour_arbitration_where"),
        ("丈夫家暴我要申请保护令", "protection_order_apply"),
        ("网购七天无理由退货", "online_return_7days"),
        ("行政复议要交钱吗", "admin_reconsideration_how"),
    ],
)
def test_real_questions(answerer: LegalAnswerer, question: str, entry: str) -> None:
    assert answerer.answer(question).entry_id == entry
    assert answerer.ranked(question, 3)[0].id == entry


def test_superseded_version_is_flagged(answerer: LegalAnswerer) -> None:
    result = answerer.answer("合同纠纷可以申请仲裁吗")
    assert result.entry_id == "commercial_arbitration"
    assert "2025年修订" in result.text


@pytest.mark.parametrize("question", ["", "   ", "how do I apply for legal aid", "😡😡😡", "今天吃什么好"])
def test_abstains_politely(answerer: LegalAnswerer, question: str) -> None:
    result = answerer.answer(question)
    assert result.kind == "abstain"
    assert result.citations == []
    assert "12348" in result.text or "例如" in result.text


def test_abstain_offers_person_and_hotline(answerer: LegalAnswerer) -> None:
    result = answerer.answer("明天天气怎么样")
    assert "转人工" in result.text and "12348" in result.text
    assert "一二三四八" in result.spoken


def test_refuses_to_predict(answerer: LegalAnswerer) -> None:
    result = answerer.answer("我这个官司能赢吗")
    assert "无法预测" in result.text
    assert result.reason == "prediction"


def test_very_long_input_is_truncated(answerer: LegalAnswerer) -> None:
    result = answerer.answer("劳动仲裁要交钱吗" + "啊" * 100_000)
    assert result.kind in {"curated", "articles", "abstain"}


def test_center_information_is_flagged(answerer: LegalAnswerer) -> None:
    result = answerer.answer("你们能帮我写状子吗")
    assert result.entry_id == "center_what_we_dont_do"
    assert "不是法律规定" in result.text and result.citations == []


def test_global_jieba_untouched(answerer: LegalAnswerer) -> None:
    assert answerer.text.tokens("人身安全保护令")  # private tokenizer knows the term
    assert "人身安全保护令" not in jieba.dt.user_word_tag_tab
