"""Whole phone calls through a real gateway: signed webhooks, Media Streams over WebSocket,
live call updates, transcripts on disk. Words come from a scripted recogniser."""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET

import httpx
import websockets

from tests.integration.voice.conftest import STAFF, GatewayFactory
from tests.integration.voice.simulator import ulaw_silence, ulaw_tone
from tests.unit.voice.fakes import until
from voice.asr.scripted import ScriptedAsr
from voice.dialogue.base import BotReply, Button
from voice.dialogue.rasa_rest import RasaRestDialogue
from voice.dialogue.scripted import ScriptedDialogue

CALL_A = "CA" + "a" * 32
CALL_B = "CA" + "b" * 32
CONSENT = BotReply(text="您同意吗？", buttons=(Button("同意", "/affirm"), Button("不同意", "/deny")))


def _dialogue() -> ScriptedDialogue:
    return ScriptedDialogue(
        [("调解", [CONSENT]), ("/affirm", [BotReply(text="请问您的纠纷属于哪一类？😊")])],
    )


async def test_health_reports_the_recogniser(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]))
    body = (await gw.sim.http.get(f"{gw.base_url}/health")).json()
    assert body["status"] == "ok" and body["asr"] == "scripted" and body["twilio"] == "configured"


async def test_unsigned_forged_and_replayed_webhooks_are_refused(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]))
    url, params = f"{gw.base_url}/twilio/voice", {"CallSid": CALL_A, "From": "+8613800138000"}
    assert (await gw.sim.post(url, params, sign=False)).status_code == 403
    forged = await gw.sim.http.post(url, data=params, headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"})
    assert forged.status_code == 403
    signature = gw.sim._validator.compute_signature(url, params)
    first = await gw.sim.http.post(url, data=params, headers={"X-Twilio-Signature": signature})
    replay = await gw.sim.http.post(url, data=params, headers={"X-Twilio-Signature": signature})
    assert (first.status_code, replay.status_code) == (200, 403)


async def test_a_whole_call(start_gateway: GatewayFactory) -> None:
    dialogue = _dialogue()
    gw = await start_gateway(dialogue=dialogue, asr=ScriptedAsr([["我要申请调解"]]))
    answer = await gw.sim.incoming_call(CALL_A)
    assert answer.status_code == 200 and "cmn-CN" in answer.text and "智能助手" in answer.text
    stream = await gw.sim.open_stream(answer.text, CALL_A)
    greeting_done = await gw.sim.follow(ET.fromstring(answer.text), CALL_A)
    assert greeting_done.status_code == 200 and "<Pause" in greeting_done.text
    await stream.send_audio(ulaw_tone(400) + ulaw_silence(800))
    consent = await gw.rest.next_update(CALL_A, 1)
    say = consent.find("Gather/Say")
    assert say is not None and say.text == "您同意吗？同意请说1或按1；不同意请说2或按2。"
    assert say.get("language") == "cmn-CN"
    keys = await gw.sim.follow(consent, CALL_A, digits="1")
    assert keys.status_code == 200
    category = await gw.rest.next_update(CALL_A, 2)
    spoken = category.find("Gather/Say")
    assert spoken is not None and spoken.text == "请问您的纠纷属于哪一类？"  # no emoji read aloud
    assert [m[1] for m in dialogue.received] == ["我要申请调解", "/affirm"]
    await stream.stop()
    await until(lambda: CALL_A not in gw.services.calls.active)
    kinds = [e["kind"] for e in gw.store.transcript(f"phone-{CALL_A}")]
    assert kinds[0] == "call_start" and kinds[-1] == "call_end"
    assert {"caller", "bot", "dtmf"} <= set(kinds)


async def test_caller_speech_barges_in_on_the_greeting(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([["我要申请调解"]]))
    answer = await gw.sim.incoming_call(CALL_A)
    stream = await gw.sim.open_stream(answer.text, CALL_A)
    await stream.send_audio(ulaw_tone(200))
    cut = await gw.rest.next_update(CALL_A, 1)
    assert cut.find("Gather/Pause") is not None  # hold: the greeting is cut off, the fork keeps running
    await stream.stop()


async def test_unknown_call_stream_is_refused(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]))
    fake = (
        f'<Response><Start><Stream url="ws://127.0.0.1:{gw.base_url.rsplit(":", 1)[1]}/twilio/stream">'
        f'<Parameter name="token" value="guess"/></Stream></Start></Response>'
    )
    stream = await gw.sim.open_stream(fake, CALL_B)
    try:
        await asyncio.wait_for(stream.ws.recv(), 2)
    except websockets.ConnectionClosed as exc:
        assert exc.rcvd is not None and exc.rcvd.code == 1008
    assert not gw.services.calls.active


async def test_bad_frames_end_one_call_and_not_the_other(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([["我要申请调解"], ["我要申请调解"]]))
    stream_a = await gw.sim.open_stream((await gw.sim.incoming_call(CALL_A)).text, CALL_A)
    stream_b = await gw.sim.open_stream((await gw.sim.incoming_call(CALL_B)).text, CALL_B)
    for _ in range(25):
        await stream_a.ws.send('{"event":"media","streamSid":"MZ","media":{"payload":"%%%"}}')
    await stream_a.ws.send("x" * 30_000)
    handoff = await gw.rest.next_update(CALL_A, 1)
    assert handoff.find("Dial") is not None and (handoff.findtext("Dial") or "").strip() == STAFF
    await stream_b.send_audio(ulaw_tone(400) + ulaw_silence(800))
    reply = await gw.rest.next_update(CALL_B, 2)  # 1: barge-in hold, 2: the answer
    assert reply.findtext("Gather/Say", "").startswith("您同意吗")
    await stream_b.stop()


async def test_stream_lost_mid_utterance(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([["我的邻居天天吵闹"]]), office_open=False)
    stream = await gw.sim.open_stream((await gw.sim.incoming_call(CALL_A)).text, CALL_A)
    await stream.send_audio(ulaw_tone(400))
    await stream.ws.close()  # no stop message: the network dropped
    goodbye = await gw.rest.next_update(CALL_A, 2)  # 1: barge-in hold, 2: callback promise + hang-up
    assert goodbye.find("Hangup") is not None and "回电" in goodbye.findtext("Say", "")
    await until(lambda: CALL_A not in gw.services.calls.active)
    entries = gw.store.transcript(f"phone-{CALL_A}")
    assert any(e["kind"] == "caller" and e.get("cut_off") for e in entries)
    packet = json.loads((gw.store.base_dir / "handoffs" / f"phone-{CALL_A}.json").read_text())
    assert packet["type"] == "callback" and packet["reason"] == "stream_lost"


async def test_rasa_down_mid_call_transfers(start_gateway: GatewayFactory) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    rasa = RasaRestDialogue(
        "http://rasa.invalid", client=httpx.AsyncClient(transport=httpx.MockTransport(refuse))
    )
    gw = await start_gateway(dialogue=rasa, asr=ScriptedAsr([["我要申请调解"]]))
    stream = await gw.sim.open_stream((await gw.sim.incoming_call(CALL_A)).text, CALL_A)
    await stream.send_audio(ulaw_tone(400) + ulaw_silence(800))
    transfer = await gw.rest.next_update(CALL_A, 2)
    assert "抱歉，系统暂时无法处理" in transfer.findtext("Say", "")
    assert (transfer.findtext("Dial") or "").strip() == STAFF
    await stream.stop()


async def test_without_a_model_callers_get_an_apology_and_staff(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=None)
    health = (await gw.sim.http.get(f"{gw.base_url}/health")).json()
    assert health["asr"] == "unavailable" and "VOSK_MODEL_PATH" in health["asr_detail"]
    answer = await gw.sim.incoming_call(CALL_A)
    assert "智能语音服务暂时不可用" in answer.text and STAFF in answer.text and "<Stream" not in answer.text


async def test_without_a_model_after_hours_takes_a_callback(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=None, office_open=False)
    answer = await gw.sim.incoming_call(CALL_A)
    assert "<Hangup" in answer.text and "回电" in answer.text
    packet = json.loads((gw.store.base_dir / "handoffs" / f"phone-{CALL_A}.json").read_text())
    assert packet["type"] == "callback" and packet["caller"] == "+8613800138000"


async def test_media_stream_dtmf_picks_an_option(start_gateway: GatewayFactory) -> None:
    dialogue = _dialogue()
    gw = await start_gateway(dialogue=dialogue, asr=ScriptedAsr([["我要申请调解"]]))
    answer = await gw.sim.incoming_call(CALL_A)
    stream = await gw.sim.open_stream(answer.text, CALL_A)
    await gw.sim.follow(ET.fromstring(answer.text), CALL_A)
    await stream.send_audio(ulaw_tone(400) + ulaw_silence(800))
    await gw.rest.next_update(CALL_A, 1)
    await stream.send_dtmf("2")  # bidirectional streams report keys as ``dtmf`` messages
    await until(lambda: len(dialogue.received) == 2)
    assert dialogue.received[1][1] == "/deny"
    await stream.stop()


async def test_a_call_beyond_capacity_goes_to_staff(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([[], []]), max_calls=1)
    first = await gw.sim.incoming_call(CALL_A)
    assert "<Stream" in first.text
    second = await gw.sim.incoming_call(CALL_B)
    assert "<Stream" not in second.text and STAFF in second.text
    packet = json.loads((gw.store.base_dir / "handoffs" / f"phone-{CALL_B}.json").read_text())
    assert packet["reason"] == "line_busy"
