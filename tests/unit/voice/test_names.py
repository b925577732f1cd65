"""Names by ear: only a name whose every character the caller described is sent as confirmed."""

from __future__ import annotations

from voice.core.names import NameCapture, best_reading, compose, described_characters


def test_a_name_spelt_character_by_character_is_confirmed() -> None:
    capture = NameCapture()
    assert "一个字一个字" in capture.on_speech("我叫李春梅").say
    step = capture.on_speech("木子李，春天的春，梅花的梅")
    assert step.send == "李春梅" and step.metadata["voice_name"]["confirmed"] is True


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
