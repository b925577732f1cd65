"""Names by ear: only a name whose every character the caller described is sent as confirmed."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from voice.core.names import ASK_AGAIN, NameCapture, best_reading, compose, described_characters


def test_a_name_spelt_character_by_character_is_read_back_and_confirmed_on_yes() -> None:
    capture = NameCapture()
    assert "一个字一个字" in capture.on_speech("我叫李春梅").say
    step = capture.on_speech("木子李，春天的春，梅花的梅")
    assert step.send is None and step.confirm and capture.expects_yes_no
    assert "木子李，春天的春，梅花的梅，写作李春梅，对吗" in step.say
    step = capture.on_speech("对")
    assert step.send == "李春梅" and step.metadata["voice_name"]["confirmed"] is True


def test_a_consistently_misheard_description_is_caught_by_the_read_back() -> None:
    """建设的建 heard as 健康的健 describes 健 consistently: only the caller can tell it is wrong.
    A no lets them spell it once more; a second no keeps the name as heard, unconfirmed."""
    capture = NameCapture()
    capture.on_speech("我叫周健华")
    step = capture.on_speech("周末的周，健康的健，中华的华")
    assert "健康的健" in step.say and step.confirm
    assert capture.on_speech("不对").say == ASK_AGAIN
    step = capture.on_speech("周末的周，健康的健，中华的华")
    assert step.confirm
    step = capture.on_speech("不对")
    assert step.send == "周健华" and step.metadata["voice_name"] == {"heard": "周健华", "confirmed": False}


def test_an_unclear_answer_to_the_read_back_is_never_a_yes() -> None:
    capture = NameCapture()
    capture.on_speech("我叫王芳")
    capture.on_speech("三横王，芬芳的芳")
    step = capture.on_speech("嗯那个")
    assert step.send is None and step.confirm and "没有听清" in step.say
    step = capture.on_speech("呃")
    assert step.send == "王芳" and step.metadata["voice_name"]["confirmed"] is False


def test_keys_answer_the_read_back() -> None:
    capture = NameCapture()
    capture.on_speech("我叫王芳，三横王，芬芳的芳")  # name and characters in one breath
    assert capture.expects_yes_no
    step = capture.on_keypad("1")
    assert step.send == "王芳" and step.metadata["voice_name"]["confirmed"] is True
    capture = NameCapture()
    capture.on_speech("我叫王芳，三横王，芬芳的芳")
    assert capture.on_keypad("2").say == ASK_AGAIN


def test_respelling_at_the_read_back_is_read_back_and_the_read_backs_are_bounded() -> None:
    capture = NameCapture()
    capture.on_speech("我叫周健华")
    capture.on_speech("周末的周，健康的健，中华的华")
    step = capture.on_speech("周末的周，建设的建，中华的华")  # spelt again instead of yes/no
    assert "建设的建" in step.say and "写作周建华" in step.say
    step = capture.on_speech("周末的周，健身的健，中华的华")
    assert step.confirm
    step = capture.on_speech("周末的周，建筑的建，中华的华")  # a fourth read-back would be a loop
    assert step.send == "周健华" and step.metadata["voice_name"]["confirmed"] is False


@given(st.lists(st.text(alphabet="周建健华对不是的，呃嗯12跳过", max_size=12), max_size=12))
def test_no_answers_ever_trap_the_caller(answers: list[str]) -> None:
    """Whatever is said or keyed, the name reaches the bot within a bounded number of turns."""
    capture = NameCapture()
    step = capture.on_speech("我叫周健华")
    turns = 0
    for answer in [*answers, *["嗯"] * 8]:
        if step.send is not None:
            break
        turns += 1
        step = capture.on_keypad(answer[:1]) if answer[:1] in ("1", "2") else capture.on_speech(answer)
        if step.send is not None and step.metadata.get("voice_name", {}).get("confirmed"):
            assert step.send == step.metadata["voice_name"]["name"]
    assert step.send is not None and turns <= 7


def test_a_misheard_surname_description_never_confirms_the_heard_surname() -> None:
    """吴海 heard as 胡海; "口天吴" comes back as "口天无", which describes nothing: only 海 was
    described, so the heard surname 胡 is unverified and the name goes unconfirmed."""
    described = described_characters("口天无，大海的海")
    assert described == [("海", True)]
    assert compose("胡海", described) is None
    capture = NameCapture()
    capture.on_speech("我叫胡海")
    assert capture.on_speech("口天无，大海的海").say  # asked once more
    step = capture.on_speech("口天无，大海的海")
    assert step.send == "胡海" and step.metadata["voice_name"] == {"heard": "胡海", "confirmed": False}


def test_the_best_reading_keeps_a_described_given_name() -> None:
    assert best_reading("周健华", [("建", True), ("华", True)]) == "周建华"
    assert best_reading("周健华", [("建", False), ("华", True)]) == "周健华"


def test_skipping_keeps_the_name_as_heard_unconfirmed() -> None:
    capture = NameCapture()
    capture.on_speech("我叫王芳")
    step = capture.on_speech("跳过")
    assert step.send == "王芳" and step.metadata["voice_name"]["confirmed"] is False
