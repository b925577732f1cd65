"""The provider-neutral call session, with a scripted recogniser and a scripted bot."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.unit.voice.fakes import RecordingOutput, silence, until, voiced
from voice.asr.scripted import ScriptedAsr
from voice.core.records import CallTranscript, MemoryRecordStore
from voice.core.session import CallSession, SessionPolicy
from voice.dialogue.base import BotReply, Button
from voice.dialogue.scripted import ScriptedDialogue

CONSENT = BotReply(text="您同意吗？", buttons=(Button("同意", "/affirm"), Button("不同意", "/deny")))
ASK_PHONE = BotReply(text="请留下您的手机号码，承办人员会在12小时内与您联系。")


class Call:
    def __init__(self, script: list[str], dialogue: ScriptedDialogue, **policy: object) -> None:
        self.asr = ScriptedAsr([script], end_silence_ms=300)
        self.output = RecordingOutput()
        self.store = MemoryRecordStore()
        self.dialogue = dialogue
        self.session = CallSession(
            conversation_id="phone-CA1",
            caller="+8613800138000",
            channel="phone",
            asr=self.asr.start_call(),
            dialogue=dialogue,
            output=self.output,
            transcript=CallTranscript(self.store, "phone-CA1", "phone"),
            policy=SessionPolicy(**policy),  # type: ignore[arg-type]
        )

    async def say(self, ms: int = 400) -> None:
        """Speak one scripted utterance, then fall silent long enough to end it."""
        for _ in range(ms // 20):
            await self.session.on_audio(voiced(20))
        for _ in range(20):
            await self.session.on_audio(silence(20))

    def kinds(self) -> list[str]:
        return [e["kind"] for e in self.store.transcript("phone-CA1")]


@pytest.fixture
async def call_factory() -> AsyncIterator[list[Call]]:
    calls: list[Call] = []
    yield calls
    for call in calls:
        await call.session.end("test_over")


def _new(calls: list[Call], script: list[str], dialogue: ScriptedDialogue, **policy: object) -> Call:
    call = Call(script, dialogue, **policy)
    calls.append(call)
    return call


async def test_one_turn_reaches_the_bot_and_is_spoken(call_factory: list[Call]) -> None:
    call = _new(call_factory, ["我要申请调解"], ScriptedDialogue([("调解", [CONSENT])]))
    call.session.start(greeting_playing=False)
    await call.say()
    await until(lambda: bool(call.output.said()))
    assert call.dialogue.received == [("phone-CA1", "我要申请调解", {"channel": "phone", "input": "voice"})]
    assert call.output.said() == ["您同意吗？同意请说1或按1；不同意请说2或按2。"]
    assert call.output.keypads[-1].options == ("同意", "不同意")
    caller = next(e for e in call.store.transcript("phone-CA1") if e["kind"] == "caller")
    assert caller["text"] == "我要申请调解" and caller["confidence"] == 0.9
    assert len(call.session.latencies_ms) == 1
    timing = next(e for e in call.store.transcript("phone-CA1") if e["kind"] == "timing")
    assert timing["turn"] == 1 and timing["reply_sent_ms"] >= timing["bot_ms"] >= 0


async def test_speech_interrupts_the_prompt(call_factory: list[Call]) -> None:
    call = _new(call_factory, ["我要投诉物业"], ScriptedDialogue([]))
    call.session.start(greeting_playing=True)
    for _ in range(30):
        await call.session.on_audio(voiced(20))
    await until(lambda: "stop" in call.output.kinds())
    assert call.session.speaking_turn is None
    assert "barge_in" in call.kinds()


async def test_fillers_do_not_interrupt_or_reach_the_bot(call_factory: list[Call]) -> None:
    call = _new(call_factory, ["嗯"], ScriptedDialogue([]))
    call.session.start(greeting_playing=True)
    await call.say()
    assert call.output.actions == [] and call.dialogue.received == []
    assert call.session.speaking_turn == 0 and "filler" in call.kinds()


async def test_options_by_keypad_and_by_voice(call_factory: list[Call]) -> None:
    dialogue = ScriptedDialogue([("调解", [CONSENT]), ("/affirm", [BotReply(text="好的。")])])
    call = _new(call_factory, ["我要调解", "二"], dialogue)
    call.session.start(greeting_playing=False)
    await call.say()
    await until(lambda: len(call.output.said()) == 1)
    await call.session.on_keypad("1")
    await until(lambda: len(dialogue.received) == 2)
    assert dialogue.received[1][1] == "/affirm"
    await until(lambda: len(call.output.said()) == 2)
    call.dialogue.rules.insert(0, ("/deny", [BotReply(text="尊重您的选择。")]))
    call.session._last = None  # options belong to the previous prompt only
    await call.say()
    await until(lambda: len(dialogue.received) == 3)
    assert dialogue.received[2][1] == "二"


async def test_silence_reprompts_once_then_offers_transfer_then_ends(call_factory: list[Call]) -> None:
    call = _new(call_factory, [], ScriptedDialogue([]), silence_timeout_s=0.05)
    call.session.start(greeting_playing=True)
    call.session.on_prompt_done(0)
    await until(lambda: len(call.output.said()) == 1)
    assert call.output.said()[0].startswith("抱歉，我没有听到您的声音。")
    call.session.on_prompt_done(call.session.turn)
    await until(lambda: len(call.output.said()) == 2)
    assert "请按0" in call.output.said()[1]
    call.session.on_prompt_done(call.session.turn)
    await until(lambda: "hangup" in call.output.kinds())
    assert call.session.ended


async def test_key_zero_transfers_with_a_packet_in_office_hours(call_factory: list[Call]) -> None:
    call = _new(
        call_factory, [], ScriptedDialogue([]), staff_number="+862000000000", office_open=lambda: True
    )
    call.session.start(greeting_playing=True)
    await call.session.on_keypad("0")
    await until(lambda: "transfer" in call.output.kinds())
    assert call.output.actions[-1][1].startswith("+862000000000|正在为您转接工作人员")
    packet = call.store.handoffs["phone-CA1"]
    assert (packet["type"], packet["reason"], packet["caller"]) == (
        "transfer",
        "caller_pressed_0",
        "+8613800138000",
    )


async def test_after_hours_takes_a_callback_request(call_factory: list[Call]) -> None:
    call = _new(
        call_factory, [], ScriptedDialogue([]), staff_number="+862000000000", office_open=lambda: False
    )
    call.session.start(greeting_playing=True)
    await call.session.on_keypad("0")
    await until(lambda: "hangup" in call.output.kinds())
    assert "回电" in call.output.actions[-1][1]
    assert call.store.handoffs["phone-CA1"]["type"] == "callback"


async def test_bot_down_mid_call_apologises_and_transfers(call_factory: list[Call]) -> None:
    dialogue = ScriptedDialogue([])
    dialogue.down = True
    call = _new(call_factory, ["我要申请调解"], dialogue, staff_number="+862000000000")
    call.session.start(greeting_playing=False)
    await call.say()
    await until(lambda: "transfer" in call.output.kinds())
    assert "抱歉，系统暂时无法处理" in call.output.actions[-1][1]
    packet = call.store.handoffs["phone-CA1"]
    assert packet["reason"] == "bot_unavailable"
    assert [e["text"] for e in packet["transcript"] if e["kind"] == "caller"] == ["我要申请调解"]


async def test_phone_number_by_voice_is_read_back_and_confirmed(call_factory: list[Call]) -> None:
    dialogue = ScriptedDialogue([("张三", [ASK_PHONE]), ("13800138000", [BotReply(text="好的，已记下。")])])
    call = _new(call_factory, ["我叫张三", "幺三八零零幺三八零零零", "对"], dialogue)
    call.session.start(greeting_playing=False)
    await call.say()
    await until(lambda: len(call.output.said()) == 1)
    assert call.output.said()[0].endswith("输完请按井号键。") and call.output.keypads[0].max_digits == 11
    assert call.asr.streams[0].grammars[0] is not None and "幺" in call.asr.streams[0].grammars[0]
    await call.say()
    await until(lambda: len(call.output.said()) == 2)
    assert "幺三八，零零幺三，八零零零" in call.output.said()[1]
    await call.say()
    await until(lambda: len(dialogue.received) == 2)
    assert dialogue.received[1][1] == "13800138000"
    assert dialogue.received[1][2] == {
        "channel": "phone", "input": "voice", "voice_slot": "phone", "slot_source": "speech"
    }
    assert call.asr.streams[0].grammars[-1] is None  # back to free speech
    slot = next(e for e in call.store.transcript("phone-CA1") if e["kind"] == "slot")
    assert slot["raw"] == ["幺三八零零幺三八零零零", "对"]


async def test_stream_lost_mid_utterance_keeps_the_partial_transcript(call_factory: list[Call]) -> None:
    call = _new(call_factory, ["我的邻居天天"], ScriptedDialogue([]))
    call.session.start(greeting_playing=False)
    for _ in range(20):
        await call.session.on_audio(voiced(20))
    await call.session.end("stream_lost")
    cut = [e for e in call.store.transcript("phone-CA1") if e["kind"] == "caller"]
    assert cut and cut[0]["cut_off"] is True and cut[0]["text"] == "我的邻居天天"
    assert call.kinds()[-1] == "call_end" and call.dialogue.received == []


async def test_keys_one_by_one_are_collected_into_an_entry(call_factory: list[Call]) -> None:
    dialogue = ScriptedDialogue([("张三", [ASK_PHONE]), ("13912345678", [BotReply(text="已记下。")])])
    call = _new(call_factory, ["我叫张三"], dialogue)
    call.session.start(greeting_playing=False)
    await call.say()
    await until(lambda: call.session.expected_keys == 11)
    for digit in "13912345678":
        await call.session.on_key(digit)
    await until(lambda: len(dialogue.received) == 2)
    assert dialogue.received[1][1] == "13912345678"
    assert dialogue.received[1][2]["slot_source"] == "keypad"
    assert call.session.expected_keys == 1


async def test_a_paused_keypad_entry_is_taken_after_the_gap(call_factory: list[Call]) -> None:
    dialogue = ScriptedDialogue([("张三", [ASK_PHONE])])
    call = _new(call_factory, ["我叫张三"], dialogue, key_gap_s=0.05)
    call.session.start(greeting_playing=False)
    await call.say()
    await until(lambda: call.session.expected_keys == 11)
    for digit in "139":
        await call.session.on_key(digit)
    await until(lambda: any(e["kind"] == "dtmf" for e in call.store.transcript("phone-CA1")))
    assert next(e for e in call.store.transcript("phone-CA1") if e["kind"] == "dtmf")["digits"] == "139"
    assert "无效" in call.output.said()[-1] or "按键" in call.output.said()[-1]


async def test_noise_that_barges_in_then_stops_falls_under_the_silence_rules(
    call_factory: list[Call],
) -> None:
    call = _new(call_factory, [], ScriptedDialogue([]), silence_timeout_s=0.05)
    call.session.start(greeting_playing=True)
    call.session._on_partial("咳咳有人")  # a cough the recogniser took for words; no utterance follows
    await until(lambda: len(call.output.said()) == 1)
    assert call.output.kinds()[0] == "stop" and call.output.said()[0].startswith("抱歉，我没有听到")


ASK_NAME = BotReply(text="请问您怎么称呼？请告诉我您的姓名。")
ASK_STORY = BotReply(text="请简单描述一下纠纷的经过：和谁发生了什么事，涉及多少钱（如有），您希望怎样解决。")


async def test_a_story_told_in_one_breath_reaches_the_bot_as_one_turn(call_factory: list[Call]) -> None:
    dialogue = ScriptedDialogue([("工资", [BotReply(text="好的。")])])
    call = _new(call_factory, ["包工头拖欠我八个月的工资", "一共两万三千块钱，我想申请调解"], dialogue,
                narrative_gap_s=0.5)
    call.session.start(greeting_playing=False)  # the greeting expects a story
    await call.say()
    await call.say()  # the second segment follows within the gap
    await until(lambda: len(dialogue.received) == 1)
    assert dialogue.received[0][1] == "包工头拖欠我八个月的工资，一共两万三千块钱，我想申请调解"
    caller = [e for e in call.store.transcript("phone-CA1") if e["kind"] == "caller"]
    assert len(caller) == 1 and caller[0]["segments"] == 2


async def test_short_answers_are_not_held(call_factory: list[Call]) -> None:
    who = BotReply(text="对方是谁？")
    dialogue = ScriptedDialogue([("工资", [who]), ("老板", [BotReply(text="好的。")])])
    call = _new(call_factory, ["老板欠我工资", "老板"], dialogue, narrative_gap_s=0.3)
    call.session.start(greeting_playing=False)
    await call.say()
    await until(lambda: len(dialogue.received) == 1)
    await call.say()
    await until(lambda: len(dialogue.received) == 2, timeout_s=0.25)  # sooner than the narrative gap


async def test_traditional_characters_are_simplified_before_the_bot(call_factory: list[Call]) -> None:
    dialogue = ScriptedDialogue([("调解", [BotReply(text="好的。")])])
    call = _new(call_factory, ["鄰居裝修把我家牆弄裂了，我想申請調解"], dialogue, narrative_gap_s=0.05)
    call.session.start(greeting_playing=False)
    await call.say()
    await until(lambda: len(dialogue.received) == 1)
    assert dialogue.received[0][1] == "邻居装修把我家墙弄裂了，我想申请调解"


async def test_a_name_by_ear_is_spelt_by_characters(call_factory: list[Call]) -> None:
    dialogue = ScriptedDialogue([("工资", [ASK_NAME]), ("周建华", [ASK_PHONE])])
    script = ["欠我工资", "我叫周健华", "周末的周，建设的建，中华的华", "对"]
    call = _new(call_factory, script, dialogue, narrative_gap_s=0.05)
    call.session.start(greeting_playing=False)
    await call.say()
    await until(lambda: len(call.output.said()) == 1)
    await call.say()
    await until(lambda: len(call.output.said()) == 2)
    assert "哪几个字" in call.output.said()[1] and len(dialogue.received) == 1  # the bot has not heard it
    await call.say()
    await until(lambda: len(call.output.said()) == 3)
    assert "写作周建华，对吗" in call.output.said()[2] and len(dialogue.received) == 1
    assert call.output.keypads[-1].options == ("对", "不对")  # on-screen buttons / keys 1 and 2
    await call.say()
    await until(lambda: len(dialogue.received) == 2)
    text, meta = dialogue.received[1][1], dialogue.received[1][2]
    assert text == "周建华" and meta["voice_name"] == {"heard": "周健华", "name": "周建华", "confirmed": True}


async def test_a_name_that_cannot_be_spelt_goes_to_the_bot_unconfirmed(call_factory: list[Call]) -> None:
    dialogue = ScriptedDialogue([("工资", [ASK_NAME]), ("刘春美", [ASK_PHONE])])
    call = _new(call_factory, ["欠我工资", "我叫刘春美", "跳过"], dialogue, narrative_gap_s=0.05)
    call.session.start(greeting_playing=False)
    for expected in (1, 2):
        await call.say()
        await until(lambda n=expected: len(call.output.said()) == n)  # type: ignore[misc]
    await call.say()
    await until(lambda: len(dialogue.received) == 2)
    assert dialogue.received[1][1] == "刘春美"
    assert dialogue.received[1][2]["voice_name"] == {"heard": "刘春美", "confirmed": False}
    assert "核对" in call.output.said()[-1]
    name = next(e for e in call.store.transcript("phone-CA1") if e["kind"] == "name")
    assert name["confirmed"] is False


async def test_the_read_back_offers_on_screen_yes_and_no(call_factory: list[Call]) -> None:
    dialogue = ScriptedDialogue([("张三", [ASK_PHONE])])
    call = _new(call_factory, ["我叫张三", "幺三八零零幺三八零零零"], dialogue, narrative_gap_s=0.05)
    call.session.start(greeting_playing=False)
    await call.say()
    await until(lambda: len(call.output.said()) == 1)
    await call.say()
    await until(lambda: len(call.output.said()) == 2)
    assert call.output.keypads[-1].options == ("对", "不对") and call.session.expected_keys == 1


async def test_digit_capture_never_traps_a_caller(call_factory: list[Call]) -> None:
    """Misses on every attempt: the keypad is offered, then staff take over; no endless loop."""
    dialogue = ScriptedDialogue([("张三", [ASK_PHONE])])
    call = _new(call_factory, ["我叫张三", *["幺三"] * 3], dialogue, narrative_gap_s=0.05,
                staff_number="+862000000000")
    call.session.start(greeting_playing=False)
    for turn in range(4):
        await call.say()
        await until(lambda n=turn: len(call.output.said()) == n + 1)  # type: ignore[misc]
    assert "电话按键" in call.output.said()[-1] and call.output.keypads[-1].max_digits == 11
    await call.session.on_keypad("123")
    await until(lambda: len(call.output.said()) == 5)
    await call.session.on_keypad("456")
    await until(lambda: "transfer" in call.output.kinds())
    assert call.store.handoffs["phone-CA1"]["reason"] == "number_capture_failed"


async def test_speech_the_recogniser_is_still_decoding_is_not_silence(call_factory: list[Call]) -> None:
    """A busy machine: the caller spoke, the final comes late. The silence prompt waits (bounded)."""
    call = _new(call_factory, ["我的邻居"], ScriptedDialogue([]), silence_timeout_s=0.1)
    call.session.start(greeting_playing=False)
    for _ in range(10):
        await call.session.on_audio(voiced(20))  # speech, and then nothing more arrives for a while
    await asyncio.sleep(0.15)
    assert call.output.said() == []  # one timeout passed, but the line carried voice
    await until(lambda: len(call.output.said()) == 1, timeout_s=1)  # the wait is bounded
    assert call.output.said()[0].startswith("抱歉，我没有听到您的声音")
