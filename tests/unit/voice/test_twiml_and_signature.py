"""TwiML builders and webhook authentication."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import parse_qs, urlparse

from twilio.request_validator import RequestValidator

from voice.twilio import twiml
from voice.twilio.signature import WebhookAuth
from voice.twilio.twiml import Urls, Voice

URLS = Urls(base="https://voice.example.cn", stream="wss://voice.example.cn/twilio/stream")
CALL_SID = "CA" + "0" * 32


def test_answer_forks_audio_then_speaks_mandarin() -> None:
    doc = ET.fromstring(
        twiml.answer_call(
            text="您好。",
            voice=Voice(),
            urls=URLS,
            call_sid=CALL_SID,
            caller="+8613800138000",
            token="tk",
            record=False,
        )
    )
    stream = doc.find("Start/Stream")
    assert stream is not None and stream.get("url") == "wss://voice.example.cn/twilio/stream"
    params = {p.get("name"): p.get("value") for p in stream.findall("Parameter")}
    assert params == {"callSid": CALL_SID, "caller": "+8613800138000", "token": "tk"}
    say = doc.find("Gather/Say")
    assert say is not None and say.text == "您好。"
    assert (say.get("language"), say.get("voice")) == ("cmn-CN", "Polly.Zhiyu")
    assert doc.find("Start/Recording") is None
    redirect = doc.find("Redirect")
    assert redirect is not None and redirect.text is not None
    query = parse_qs(urlparse(redirect.text).query)
    assert query["turn"] == ["0"] and len(query["n"][0]) == 12


def test_recording_only_when_enabled() -> None:
    doc = ET.fromstring(
        twiml.answer_call(
            text="x", voice=Voice(), urls=URLS, call_sid=CALL_SID, caller="", token="t", record=True
        )
    )
    assert doc.find("Start/Recording") is not None


def test_speak_accepts_keys_and_reports_the_end_of_playback() -> None:
    doc = ET.fromstring(
        twiml.speak(text="请说。", voice=Voice(), urls=URLS, turn=4, max_digits=11, timeout_s=5)
    )
    gather = doc.find("Gather")
    assert gather is not None
    assert (gather.get("input"), gather.get("numDigits"), gather.get("finishOnKey")) == ("dtmf", "11", "#")
    assert "turn=4" in (gather.get("action") or "")
    redirect = doc.find("Redirect")
    assert redirect is not None and "/twilio/prompt?turn=4" in (redirect.text or "")


def test_action_urls_never_repeat() -> None:
    assert URLS.action("/twilio/hold") != URLS.action("/twilio/hold")


def test_transfer_and_goodbye() -> None:
    doc = ET.fromstring(
        twiml.transfer(text="转接。", voice=Voice(), urls=URLS, number="+862088888888", record=False)
    )
    dial = doc.find("Dial")
    assert dial is not None and (dial.text or "").strip() == "+862088888888"
    assert dial.get("record") == "do-not-record"
    bye = ET.fromstring(twiml.goodbye(text="再见。", voice=Voice()))
    assert [child.tag for child in bye] == ["Say", "Hangup"]


def _sign(token: str, url: str, params: dict[str, str]) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


def test_signature_accepted_once() -> None:
    auth = WebhookAuth("secret-token")
    url, params = "https://voice.example.cn/twilio/voice", {"CallSid": CALL_SID, "From": "+8613800138000"}
    signature = _sign("secret-token", url, params)
    assert auth.verify(url, params, signature)
    assert not auth.verify(url, params, signature)  # replayed


def test_bad_or_missing_signature_refused() -> None:
    auth = WebhookAuth("secret-token")
    url, params = "https://voice.example.cn/twilio/voice", {"CallSid": CALL_SID}
    assert not auth.verify(url, params, None)
    assert not auth.verify(url, params, _sign("other-token", url, params))
    assert not auth.verify(url, {"CallSid": "CA" + "1" * 32}, _sign("secret-token", url, params))


def test_without_token_nothing_is_accepted() -> None:
    auth = WebhookAuth("")
    assert not auth.configured
    assert not auth.verify("https://x/twilio/voice", {}, _sign("", "https://x/twilio/voice", {}))
    assert not auth.check_stream_token(CALL_SID, auth.stream_token(CALL_SID))


def test_stream_token_binds_the_call() -> None:
    auth = WebhookAuth("secret-token")
    token = auth.stream_token(CALL_SID)
    assert auth.check_stream_token(CALL_SID, token)
    assert not auth.check_stream_token("CA" + "1" * 32, token)


def test_hold_accepts_a_whole_number_while_one_is_collected() -> None:
    gather = ET.fromstring(twiml.hold(urls=URLS, max_digits=11)).find("Gather")
    assert gather is not None and gather.get("numDigits") == "11" and gather.find("Pause") is not None
