"""Hostile input to the voice gateway (issue 12): malformed prompts and marks, idle and surplus
unauthenticated streams, lock-outs of wrong credentials, private data files; never a 5xx."""

from __future__ import annotations

import asyncio
import json
import stat

import httpx
import pytest
import websockets

from integration.client.limits import LockPolicy
from tests.integration.voice.conftest import KIOSK_TOKEN, GatewayFactory
from tests.integration.voice.simulator import ulaw_silence
from tests.unit.voice.fakes import until
from voice.asr.scripted import ScriptedAsr
from voice.dialogue.base import BotReply
from voice.dialogue.scripted import ScriptedDialogue

CALL = "CA" + "b" * 32
ACCOUNT = {"AccountSid": "AC" + "5" * 32, "CallStatus": "in-progress"}


def _dialogue() -> ScriptedDialogue:
    return ScriptedDialogue([("调解", [BotReply(text="好的，请问您怎么称呼？")])])


async def test_a_signed_prompt_with_a_malformed_turn_is_no_server_error(
    start_gateway: GatewayFactory,
) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]))
    await gw.sim.incoming_call(CALL)
    for turn in ("--1", "1e9", "-", "abc", "9" * 40):
        response = await gw.sim.post(f"{gw.base_url}/twilio/prompt?turn={turn}", {**ACCOUNT, "CallSid": CALL})
        assert response.status_code == 200, (turn, response.text)


async def test_a_mark_that_names_no_turn_does_not_end_the_call(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]))
    stream = await gw.sim.open_stream((await gw.sim.incoming_call(CALL)).text, CALL)
    await until(lambda: CALL in gw.services.calls.active)
    for name in ("turn-abc", "turn-", "turn-³", "turn--1"):
        mark = {"event": "mark", "streamSid": stream.stream_sid, "mark": {"name": name}}
        await stream.ws.send(json.dumps(mark))
    await stream.send_audio(ulaw_silence(100))
    await asyncio.sleep(0.3)
    session = gw.services.calls.active.get(CALL)
    assert session is not None and not session.ended
    await stream.stop()


async def test_idle_and_surplus_unauthenticated_streams_are_closed(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(
        dialogue=_dialogue(), asr=ScriptedAsr([]), stream_start_timeout_s=0.5, max_pending_streams=2
    )
    url = gw.base_url.replace("http", "ws") + "/twilio/stream"
    idle = [await websockets.connect(url), await websockets.connect(url)]
    await until(lambda: gw.services.pending_streams == 2)
    surplus = await websockets.connect(url)
    with pytest.raises(websockets.ConnectionClosed) as refused:
        await asyncio.wait_for(surplus.recv(), 2)
    assert refused.value.rcvd is not None and refused.value.rcvd.code == 1013
    for ws in idle:  # never sent a start: closed after the timeout
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 3)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    await until(lambda: gw.services.pending_streams == 0)


async def test_wrong_signatures_lock_the_address_out(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]), lock_policy=LockPolicy(3, 60, 300))
    forged = {**ACCOUNT, "CallSid": CALL, "From": "+8613800138000"}
    codes = []
    for _ in range(4):
        response = await gw.sim.http.post(
            f"{gw.base_url}/twilio/voice", data=forged, headers={"X-Twilio-Signature": "forged"}
        )
        codes.append(response.status_code)
    assert codes == [403, 403, 403, 429]
    assert (await gw.sim.incoming_call(CALL)).status_code == 429  # even signed, until the lock ends


async def test_wrong_kiosk_credentials_lock_the_address_out(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]), lock_policy=LockPolicy(2, 60, 300))
    url = gw.base_url.replace("http", "ws") + "/robot/stream"
    replies = []
    for token in ("wrong-token-0123456789", "wrong-token-9876543210", "wrong-token-again-000000"):
        async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
            replies.append(json.loads(await ws.recv()))
    assert [r["code"] for r in replies] == ["unauthorized", "unauthorized", "locked_out"]
    assert all(not r["message"].isascii() for r in replies)  # Chinese, for the screen
    async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {KIOSK_TOKEN}"}) as ws:
        assert json.loads(await ws.recv())["code"] == "locked_out"  # a guess may not succeed now


async def test_kiosk_keys_that_are_not_ascii_digits_are_ignored(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]))
    url = gw.base_url.replace("http", "ws") + "/robot/stream?mode=ptt"
    async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {KIOSK_TOKEN}"}) as ws:
        assert json.loads(await ws.recv())["type"] == "ready"
        await ws.send(json.dumps({"type": "keys", "digits": "³"}))
        await ws.send(json.dumps({"type": "keys", "digits": "\ud800"}))
        await asyncio.sleep(0.2)
        (session,) = gw.services.robots.values()
        assert not session.ended


async def test_hostile_http_requests_never_get_a_server_error(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]))
    async with httpx.AsyncClient(base_url=gw.base_url, timeout=10) as client:
        attempts = [
            client.post("/twilio/voice", content=b"\xff\xfe" * 100, headers={"Content-Type": "text/plain"}),
            client.post("/twilio/voice", content=b"%ED%A0%80=1&CallSid=%00"),
            client.post("/twilio/keys?turn=%ED%A0%80", data={"Digits": "³"}),
            client.post("/twilio/prompt?turn=--1", data={"CallSid": CALL}),
            client.get("/twilio/voice"),
            client.get("/health", headers={"X-Forwarded-For": "' OR 1=1"}),
            client.post("/robot/stream", json=[]),
        ]
        for response in await asyncio.gather(*attempts):
            assert response.status_code < 500, (response.request.url, response.status_code, response.text)
    health = await httpx.AsyncClient().get(f"{gw.base_url}/health")
    assert health.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in health.headers["Content-Security-Policy"]


async def test_call_records_are_readable_by_the_owner_only(start_gateway: GatewayFactory) -> None:
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]), office_open=False)
    stream = await gw.sim.open_stream((await gw.sim.incoming_call(CALL)).text, CALL)
    await until(lambda: CALL in gw.services.calls.active)
    await stream.ws.close()  # lost: a hand-off packet is written too
    await until(lambda: CALL not in gw.services.calls.active)
    written = [p for p in gw.store.base_dir.rglob("*") if p.is_file()]
    assert written
    for path in [*written, *(p for p in gw.store.base_dir.rglob("*") if p.is_dir())]:
        assert not path.stat().st_mode & 0o077, f"{path} is {stat.filemode(path.stat().st_mode)}"


async def test_no_cross_origin_access(start_gateway: GatewayFactory) -> None:
    """Only Twilio (server to server) and WebSockets reach the gateway: no CORS header, ever."""
    gw = await start_gateway(dialogue=_dialogue(), asr=ScriptedAsr([]))
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    async with httpx.AsyncClient(base_url=gw.base_url, timeout=10) as client:
        answers = [await client.options("/twilio/voice", headers=preflight),
                   await client.get("/health", headers={"Origin": "https://evil.example"})]
    for answer in answers:
        assert not [h for h in answer.headers if h.startswith("access-control-")], answer.headers
