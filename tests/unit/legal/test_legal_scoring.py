"""Scoring of long, colloquial questions: fillers, synonyms, margins, precomputed tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from legal.answerer import LegalAnswerer, Thresholds
from legal.build import build_tokens_text
from legal.index import StatuteIndex
from legal.paths import DATA_DIR, STATUTES_FILE, TOKENS_FILE, USERDICT_FILE
from legal.retrieval import EntryCorpus, EntryDoc, Group
from legal.tokens import fingerprint, read_tokens


def test_long_colloquial_time_limit_question_is_answered(answerer: LegalAnswerer) -> None:
    question = "请问一下那个劳动仲裁的时效到底是多久啊我离职都快一年了还能不能去申请仲裁"
    result = answerer.answer(question)
    assert result.kind == "curated"
    assert result.entry_id == "labour_arbitration_time_limit"
    assert "劳动争议调解仲裁法第二十七条" in result.spoken


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("请问一下哈来你们这里调解是不是还得掏钱啊我手头比较紧", "mediation_fee"),
        ("我们在工地干活的包工头拿着钱跑路了找不到人了我们的工资该找谁要", "migrant_wage_construction"),
        ("物业说我欠了物业费就直接把我家的电给断了大冬天的这样做合法吗", "property_cut_utilities"),
    ],
)
def test_colloquial_questions(answerer: LegalAnswerer, question: str, entry: str) -> None:
    """Answered with the entry, or (a close call between entries citing different articles) the
    entry is the first option the citizen is offered."""
    answer = answerer.answer(question)
    assert answer.entry_id == entry or (answer.kind == "clarify" and answer.options[0][0] == entry)


@pytest.mark.parametrize(
    "question",
    [
        "那个我就是想问一下啊你们觉得明天这边会不会下雨啊我好出门",
        "嗯那个我想问问就是我家那个猫最近老是不吃东西是不是生病了啊咋办",
        "我想问一下那个股票现在能不能买啊最近跌得好厉害",
    ],
)
def test_filler_heavy_out_of_scope_abstains(answerer: LegalAnswerer, question: str) -> None:
    result = answerer.answer(question)
    assert result.kind == "abstain" and result.reason == "low_confidence"
    assert "12348" in result.text


def test_outcome_question_in_colloquial_form_is_refused(answerer: LegalAnswerer) -> None:
    result = answerer.answer("老板欠我三万块钱工资要是去仲裁的话大概能拿回来多少钱")
    assert result.reason == "prediction" and "无法预测" in result.text


def test_fillers_do_not_reach_the_query(answerer: LegalAnswerer) -> None:
    words = [g.word for g in answerer.text.query_groups("你好我想问一下就是那个调解到底要不要交钱啊")]
    assert "调解" in words and "交钱" in words
    assert not {"问", "就是", "到底", "不要", "一下", "那个"} & set(words)


def test_rewrite_turns_fee_pattern_into_a_legal_term(answerer: LegalAnswerer) -> None:
    words = [g.word for g in answerer.text.query_groups("劳动仲裁到底要不要钱啊")]
    assert "收费" in words


def test_close_siblings_abstain_instead_of_guessing(answerer: LegalAnswerer) -> None:
    docs = [
        EntryDoc("a", (["仲裁", "时效"],), ["仲裁", "时效"]),
        EntryDoc("b", (["仲裁", "时效"],), ["仲裁", "时效"]),
        *(EntryDoc(x, ([x + "费"],), [x]) for x in "cdefgh"),
    ]
    corpus = EntryCorpus(docs)
    ranked = corpus.search([Group(("仲裁",)), Group(("时效",))], 3)
    assert {s.owner for s in ranked[:2]} == {"a", "b"}
    assert ranked[0].confidence == ranked[1].confidence == 1.0
    assert ranked[0].rank == pytest.approx(ranked[1].rank)
    assert answerer._confident_entry(ranked) is None  # the decision rule


def test_unknown_context_words_weigh_less_than_legal_words() -> None:
    docs = [EntryDoc("a", (["仲裁"],), []), EntryDoc("b", (["物业费"],), [])]
    corpus = EntryCorpus(docs, statute_words={"试用期"})
    context = corpus.weight(Group(("广州",)))
    legal_word = corpus.weight(Group(("试用期",)))
    known = corpus.weight(Group(("仲裁",)))
    assert context < legal_word and context < known


def test_margin_threshold_is_configurable() -> None:
    strict = LegalAnswerer.load(thresholds=Thresholds(margin=1.0, rank_margin=9.0), dense=False)
    assert strict.answer("劳动仲裁在哪儿申请").kind == "abstain"


def test_committed_tokens_match_the_build() -> None:
    committed = (DATA_DIR / TOKENS_FILE).read_text(encoding="utf-8")
    assert committed == build_tokens_text(DATA_DIR / STATUTES_FILE, DATA_DIR / USERDICT_FILE), (
        "run: python -m legal.build"
    )


def test_shipped_tokens_are_used_and_stale_tokens_are_ignored(tmp_path: Path) -> None:
    index = StatuteIndex.read(DATA_DIR / STATUTES_FILE)
    header = fingerprint(DATA_DIR / STATUTES_FILE, DATA_DIR / USERDICT_FILE)
    docs = read_tokens(DATA_DIR / TOKENS_FILE, index.articles, header)
    assert docs is not None and len(docs) == len(index)
    stale = dict(header, userdict_sha256="0" * 64)
    assert read_tokens(DATA_DIR / TOKENS_FILE, index.articles, stale) is None
    assert read_tokens(tmp_path / "missing.txt", index.articles, header) is None


def test_load_without_token_file_still_works(tmp_path: Path) -> None:
    shipped = ("statutes.jsonl", "knowledge.yml", "legal_userdict.txt", "synonyms.yml", "fillers.txt")
    vectors = ("knowledge_vectors.npy", "knowledge_vectors.json")
    vectors += ("statute_vectors.npy", "statute_vectors.json")
    for name in (*shipped, *vectors):  # only the token file is missing (the vectors take minutes)
        (tmp_path / name).write_bytes((DATA_DIR / name).read_bytes())
    slow = LegalAnswerer.load(tmp_path)
    assert slow.answer("人民调解要交钱吗").entry_id == "mediation_fee"
