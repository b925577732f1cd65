"""One call (or kiosk conversation), independent of the telephony provider.

Two tasks per call, as in Rasa's voice channels: the transport's reader feeds audio and keys
(``on_audio``/``on_keypad``/``on_prompt_done``), and ``_worker`` takes one caller turn at a time
(bot round trip, then speaking). Barge-in and silence timers live here; the transport only
translates (TwiML, WebSocket JSON).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from textnorm.mask import mask_phone, mask_text
from textnorm.script import to_simplified
from voice.asr.base import AsrFailure, AsrStream, Final, Partial
from voice.core.archive import ArchiveSink, NoArchive
from voice.core.capture import CaptureStep, NumberCapture
from voice.core.expect import expected_input
from voice.core.handoff import HandoffSink, NoHandoffSink
from voice.core.names import NameCapture, NameStep
from voice.core.numbers import SlotKind, expected_slot
from voice.core.records import CallTranscript
from voice.core.replies import SpokenReply, compose
from voice.core.speech_text import MAX_KEYED_OPTIONS, meaningful, spoken_choice
from voice.dialogue.base import DialogueEngine, DialogueUnavailable

log = logging.getLogger(__name__)

TRANSFER_KEY = "0"
APOLOGY = "抱歉，系统暂时无法处理您的请求。"
CALLBACK_PROMISE = (
    "现在工作人员不在线。我们已经记录了您的来电号码和情况，工作人员会在下一个工作时段给您回电。再见。"
)


@dataclass(frozen=True)
class KeypadSpec:
    """Keys accepted while a prompt plays: one key for options, up to ``max_digits`` ended by #."""

    max_digits: int = 1
    timeout_s: int = 1
    options: tuple[str, ...] = ()  # titles of the keyed options (screens show them as buttons)


class CallOutput(Protocol):
    async def speak(self, text: str, turn: int, keypad: KeypadSpec) -> None: ...

    async def stop_speaking(self) -> None: ...

    async def transfer(self, text: str, number: str) -> None: ...

    async def hangup(self, text: str) -> None: ...

    async def heard(self, text: str, final: bool) -> None:
        """Echo of what the recogniser heard (kiosk screens show it; phones ignore it)."""
        ...


@dataclass(frozen=True)
class SessionPolicy:
    silence_timeout_s: float | None = 8.0  # None: no silence prompts (push-to-talk waits for the button)
    barge_in_min_chars: int = 2
    key_gap_s: float = 5.0  # a pause this long ends a keypad entry typed key by key
    # A story told in one breath is one story: while a narrative is expected, a final that is
    # followed by more speech within this gap is joined with it before the bot hears the turn.
    narrative_gap_s: float = 1.5
    names_by_ear: bool = True  # ask which characters a spoken name is written with
    staff_number: str = ""
    office_open: Callable[[], bool] = lambda: True


@dataclass
class _Input:
    kind: str  # speech | keypad | silence
    text: str = ""
    confidence: float = 0.0
    audio_s: float | None = None  # where the utterance ended in the call's audio
    at: float = field(default_factory=time.monotonic)
    segments: int = 1  # recogniser finals joined into this turn


_HOLD_BACKSTOP_S = 16.0  # longer than any utterance the recognisers let run
_LATE_FINAL_WAITS = 2  # silence timeouts waited for a final of speech the line carried
_HANDOFF_PREFIX = {  # after every way of giving a number failed, by the channel's fallback
    "keypad": "我们请工作人员来帮您登记。",
    "screen": "请到服务台，工作人员会帮您登记。",
    "typing": "我们请工作人员来帮您登记。",
}


_VOICED_RMS = 600.0  # 16-bit RMS of a frame that carries speech (about -35 dBFS); line hiss is lower


def _voiced(pcm16k: bytes) -> bool:
    """A cheap energy check on one frame, independent of the recogniser's partial results."""
    samples = np.frombuffer(pcm16k[: len(pcm16k) // 2 * 2], dtype="<i2").astype(np.float32)
    return bool(samples.size) and float(np.sqrt(np.mean(samples * samples))) >= _VOICED_RMS


def _join(first: str, second: str) -> str:
    """Two segments of one breath as one text (a comma where the first did not end a sentence)."""
    if not first:
        return second
    return first + ("" if first[-1] in "，。！？,.!?；;" else "，") + second


class CallSession:
    def __init__(
        self,
        *,
        conversation_id: str,
        caller: str,
        channel: str,
        asr: AsrStream,
        dialogue: DialogueEngine,
        output: CallOutput,
        transcript: CallTranscript,
        policy: SessionPolicy,
        handoffs: HandoffSink | None = None,
        archive: ArchiveSink | None = None,
    ) -> None:
        self.conversation_id = conversation_id
        self.caller = caller
        self.channel = channel
        self._asr = asr
        self._dialogue = dialogue
        self._output = output
        self.transcript = transcript
        self._policy = policy
        self._handoffs = handoffs or NoHandoffSink()
        self._archive = archive or NoArchive()
        self._deliveries: set[asyncio.Task[None]] = set()
        self._queue: asyncio.Queue[_Input] = asyncio.Queue()
        self._tasks: set[asyncio.Task[None]] = set()
        self._worker: asyncio.Task[None] | None = None
        self._silence: asyncio.Task[None] | None = None
        self.turn = 0
        self.speaking_turn: int | None = None
        self._last: SpokenReply | None = None
        self._capture: NumberCapture | None = None
        self._name: NameCapture | None = None
        self._misses: dict[SlotKind, int] = {}  # digit-capture misses per slot, for the whole call
        self._narrative = False  # the current question expects a story (turns are joined)
        self._held: _Input | None = None  # a narrative turn waiting to see whether more follows
        self._hold: asyncio.Task[None] | None = None
        self._pending_speech = False  # voice on the line since the last final (decode under way)
        self._silences = 0
        self._keys = ""  # digits collected one by one, until # or the slot's length
        self.ended = False  # no more turns (hung up, transferring, or closed)
        self._closed = False
        self.latencies_ms: list[float] = []

    # --- transport side ---

    def start(self, greeting_playing: bool) -> None:
        """Begin; ``greeting_playing``: the transport is already playing turn 0 (the greeting)."""
        self.speaking_turn = 0 if greeting_playing else None
        self._narrative = True  # the greeting asks what happened: the opening is usually a story
        self._spawn(self._expect("narrative"))
        self._worker = asyncio.create_task(self._work(), name=f"turns-{self.conversation_id}")
        if not greeting_playing:
            self._arm_silence()

    async def on_audio(self, pcm16k: bytes) -> None:
        if self.ended:
            return
        if _voiced(pcm16k):
            self._pending_speech = True  # the caller spoke; the recogniser's final may come late
            if self._held is not None and self._hold is not None:
                # Speech resumed while a story segment is held: it is the same breath. Wait for
                # the recogniser's next final (a backstop in case it drops that utterance as noise).
                self._hold.cancel()
                self._hold = asyncio.create_task(self._release_after(_HOLD_BACKSTOP_S))
            elif self._silence is not None and self.speaking_turn is None:
                self._arm_silence()  # talking is not silence, whatever the recogniser says yet
        try:
            events = await self._asr.feed(pcm16k)
        except AsrFailure as exc:
            log.error("ASR failed on %s: %s", self.conversation_id, exc)
            await self._queue.put(_Input("failure", text="asr_failure"))
            return
        for event in events:
            if isinstance(event, Partial):
                self._on_partial(event.text)
            elif isinstance(event, Final):
                self._on_final(event)
            await self._output.heard(event.text, isinstance(event, Final))

    async def end_of_speech(self) -> None:
        """Push-to-talk released: close the utterance now instead of waiting for silence."""
        if self.ended:
            return
        try:
            events = await self._asr.finish()
        except AsrFailure as exc:
            log.error("ASR failed on %s: %s", self.conversation_id, exc)
            await self._queue.put(_Input("failure", text="asr_failure"))
            return
        for event in events:
            if isinstance(event, Final):
                self._on_final(event)
                await self._output.heard(event.text, True)

    def _on_partial(self, text: str) -> None:
        if self._hold is not None and meaningful(text):
            # The caller goes on: the held segment waits for the next final (with a backstop in
            # case the recogniser drops that utterance as noise).
            self._hold.cancel()
            self._hold = asyncio.create_task(self._release_after(_HOLD_BACKSTOP_S))
        if self.speaking_turn is not None:
            if len(meaningful(text)) >= self._policy.barge_in_min_chars:
                self._barge_in(text)
        elif self._silence is not None:
            self._arm_silence()  # still talking: the silence count starts again

    def _on_final(self, event: Final) -> None:
        self._pending_speech = False
        text = to_simplified(event.text)  # every recogniser, before any understanding (對 → 对)
        if not meaningful(text):
            self.transcript.add("filler", text=text, confidence=event.confidence)
            if self._held is not None and self._hold is not None:  # a filler ends nothing: wait the gap
                self._hold.cancel()
                self._hold = asyncio.create_task(self._release_after(self._policy.narrative_gap_s))
            return
        if self.speaking_turn is not None:
            self._barge_in(text)
        self._cancel_silence()
        item = _Input("speech", text=text, confidence=event.confidence, audio_s=event.audio_end_s or None)
        if self._held is not None:  # the same breath goes on: one turn, one story
            held = self._held
            item = _Input(
                "speech",
                text=_join(held.text, text),
                confidence=min(held.confidence, item.confidence),
                audio_s=item.audio_s,
                segments=held.segments + 1,
            )
        if self._hold is not None:
            self._hold.cancel()
            self._hold = None
        if self._narrative and self._capture is None and self._name is None:
            self._held = item
            self._hold = asyncio.create_task(self._release_after(self._policy.narrative_gap_s))
            return
        self._held = None
        self._queue.put_nowait(item)

    async def _release_after(self, seconds: float) -> None:
        """No more speech within the gap: the held narrative is the caller's whole turn."""
        await asyncio.sleep(seconds)
        self._hold = None
        held, self._held = self._held, None
        if held is not None:
            await self._queue.put(held)

    async def _expect(self, kind: str | None) -> None:
        """Tell a recogniser that takes hints what comes next (digits, yes/no, a story)."""
        hint = getattr(self._asr, "expect", None)
        if hint is None:
            return
        try:
            await hint(kind)
        except AsrFailure as exc:
            log.warning("ASR hint failed on %s: %s", self.conversation_id, exc)

    def _barge_in(self, text: str) -> None:
        self.transcript.add("barge_in", turn=self.speaking_turn, heard=mask_text(text))
        self.speaking_turn = None
        self._arm_silence()  # if this was noise and no utterance follows, the silence rules apply
        self._spawn(self._output.stop_speaking())

    async def on_keypad(self, digits: str) -> None:
        """Keys from the provider: a single key, or an entry collected up to #."""
        if self.ended or not digits:
            return
        self._cancel_silence()
        self.speaking_turn = None  # a key press interrupts the prompt on every provider
        self._queue.put_nowait(_Input("keypad", text=digits))

    @property
    def expected_keys(self) -> int:
        """How many keys the current state accepts in one entry (1, or a whole number ended by #)."""
        if self._capture is None or self._capture.expects_yes_no:
            return 1  # options, or 1/2 to confirm a read-back
        return self._capture.spec.max_digits

    async def on_key(self, digit: str) -> None:
        """One key from a provider that reports keys one by one (Media Streams ``dtmf``)."""
        if self.expected_keys == 1:
            await self.on_keypad(digit)
            return
        self._cancel_silence()
        if digit != "#":
            self._keys += digit
        if digit == "#" or len(self._keys) >= self.expected_keys:
            entry, self._keys = self._keys, ""
            await self.on_keypad(entry)
        else:
            self._arm_silence(self._policy.key_gap_s)  # a long pause ends the entry

    def on_prompt_done(self, turn: int) -> None:
        """The provider finished playing ``turn``; start listening for silence."""
        if turn == self.speaking_turn:
            self.speaking_turn = None
            self._arm_silence()

    async def abort(self, reason: str) -> None:
        """The media path broke while the call may still be up: hand off rather than go silent."""
        if not self.ended:
            await self._handoff(reason, APOLOGY)

    async def end(self, reason: str) -> None:
        """The call is over (hang-up, stream stop or loss): keep what was heard, free resources."""
        if self._closed:
            return
        self._closed = True
        self.ended = True
        self._cancel_silence()
        if self._hold is not None:
            self._hold.cancel()
        held, self._held = self._held, None
        if held is not None:  # a story still held when the line dropped is kept on record
            self.transcript.add("caller", text=held.text, confidence=held.confidence, cut_off=True)
        try:
            for event in await self._asr.finish():
                if isinstance(event, Final) and event.text:
                    self.transcript.add("caller", text=event.text, confidence=event.confidence, cut_off=True)
        except AsrFailure as exc:
            log.warning("ASR flush failed on %s: %s", self.conversation_id, exc)
        await self._asr.close()
        tasks = [t for t in [self._worker, *self._tasks] if t is not None and t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self._deliveries:  # hand-off packets must reach staff even when the caller hangs up
            await asyncio.wait(self._deliveries, timeout=30)
        self.transcript.add("call_end", reason=reason)
        await self._archive.archive(self.conversation_id, self.channel)

    # --- turn worker ---

    async def _work(self) -> None:
        try:
            while True:
                item = await self._queue.get()
                if self.ended:
                    return
                await self._handle(item)
        except asyncio.CancelledError:
            raise
        except Exception:  # top of the task: log, never leave a dead line
            log.exception("turn worker failed on %s", self.conversation_id)
            await self._handoff("internal_error", APOLOGY)

    async def _handle(self, item: _Input) -> None:
        if item.kind == "failure":
            await self._handoff(item.text, APOLOGY)
        elif item.kind == "silence":
            await self._on_silence()
        elif item.kind == "speech":
            self._silences = 0
            extra = {"segments": item.segments} if item.segments > 1 else {}
            self.transcript.add(
                "caller", text=item.text, confidence=item.confidence, audio_s=item.audio_s, **extra
            )
            if self._capture is not None:
                await self._apply(self._capture.on_speech(item.text), item.at)
                return
            if self._name is not None:
                await self._apply_name(self._name.on_speech(item.text), item.at)
                return
            choice = spoken_choice(item.text, len(self._last.options) if self._last else 0)
            if choice is not None and self._last is not None:
                await self._ask_bot(self._last.options[choice - 1].payload, item.at)
            else:
                await self._ask_bot(item.text, item.at)
        elif item.kind == "keypad":
            self._silences = 0
            self.transcript.add("dtmf", digits=item.text)
            await self._on_keys(item)

    async def _on_keys(self, item: _Input) -> None:
        if self._capture is not None:
            await self._apply(self._capture.on_keypad(item.text), item.at)
        elif self._name is not None and item.text != TRANSFER_KEY:
            await self._apply_name(self._name.on_keypad(item.text), item.at)
        elif item.text == TRANSFER_KEY:
            await self._handoff("caller_pressed_0", "")
        elif (
            self._last
            and item.text.isascii()
            and item.text.isdigit()
            and 1 <= int(item.text) <= len(self._last.options)
        ):
            await self._ask_bot(self._last.options[int(item.text) - 1].payload, item.at)

    async def _apply(self, step: CaptureStep, at: float) -> None:
        capture = self._capture
        assert capture is not None
        self._misses[capture.kind] = capture.misses
        if step.handoff:
            self._capture = None
            self.transcript.add("slot_abandoned", slot=capture.kind.value, misses=capture.misses)
            await self._handoff("number_capture_failed", step.say + _HANDOFF_PREFIX[capture.fallback])
            return
        if step.release:  # web push-to-talk: the page's typed answer goes to the bot itself
            self._capture = None
            await self._asr.set_grammar(None)
            self.transcript.add("slot_released", slot=capture.kind.value, misses=capture.misses)
            await self._say(step.say)
            return
        if step.send is None:
            await self._listen_for(capture, confirm=step.confirm)
            if step.confirm:
                keypad = KeypadSpec(1, 6, options=("对", "不对"))
            else:
                keypad = KeypadSpec(capture.spec.max_digits if step.keypad or capture.keypad else 1, 6)
            await self._say(step.say, keypad)
            return
        self._capture = None
        await self._asr.set_grammar(None)
        await self._expect(None)
        self.transcript.add(
            "slot", slot=capture.kind.value, value=step.value, source=step.source, raw=capture.raw
        )
        if step.send:
            extra = {"voice_slot": capture.kind.value, "slot_source": step.source}
            await self._ask_bot(step.send, at, extra)

    async def _listen_for(self, capture: NumberCapture, confirm: bool) -> None:
        """Digits grammar and hint while digits are expected; free speech for a yes/no."""
        if confirm or capture.keypad:
            await self._asr.set_grammar(None)
            await self._expect("yes_no" if confirm else None)
        else:
            await self._asr.set_grammar(list(capture.spec.grammar))
            await self._expect(capture.kind.value)

    async def _apply_name(self, step: NameStep, at: float) -> None:
        name = self._name
        assert name is not None
        if step.send is None:
            await self._expect("yes_no" if step.confirm else None)
            await self._say(step.say, KeypadSpec(1, 6, options=("对", "不对")) if step.confirm else None)
            return
        self._name = None
        if name.heard is not None:
            meta = step.metadata.get("voice_name", {})
            self.transcript.add("name", heard=name.heard, confirmed=bool(meta.get("confirmed")), raw=name.raw)
        await self._ask_bot(step.send, at, step.metadata, prefix=step.say)

    async def _ask_bot(
        self, text: str, at: float, extra: dict[str, Any] | None = None, prefix: str = ""
    ) -> None:
        metadata = {"channel": self.channel, "input": "voice", **(extra or {})}
        try:
            replies = await self._dialogue.respond(self.conversation_id, text, metadata)
        except DialogueUnavailable as exc:
            log.error("bot unavailable for %s: %s", self.conversation_id, exc)
            await self._handoff("bot_unavailable", APOLOGY)
            return
        spoken = compose(replies)
        self._last = spoken
        if spoken.transfer:
            await self._handoff("bot_handoff", "")
            return
        slot = expected_slot(replies[-1]) if replies else None
        expected = expected_input(replies[-1]) if replies else None
        keypad = KeypadSpec(options=tuple(b.title for b in spoken.options[:MAX_KEYED_OPTIONS]))
        text_out = prefix + (spoken.text or "请问还有什么可以帮您？")
        self._narrative = expected == "narrative" and slot is None
        self._name = NameCapture() if expected == "name" and self._policy.names_by_ear else None
        if slot is not None:
            capture = NumberCapture(slot, self.channel, self._misses.get(slot, 0))
            if capture.exhausted:
                await self._handoff("number_capture_failed", _HANDOFF_PREFIX[capture.fallback])
                return
            text_out += capture.opening_hint()
            typing = capture.keypad and capture.fallback == "typing"
            if not typing:  # typing: the page's keyboard answers; the gateway does not listen for it
                await self._listen_for(capture, confirm=False)
                keypad = KeypadSpec(capture.spec.max_digits, 5)
            self._capture = None if typing else capture
        else:
            await self._expect("narrative" if self._narrative else None)
        bot_ms = (time.monotonic() - at) * 1000
        await self._say(text_out, keypad)
        self.latencies_ms.append((time.monotonic() - at) * 1000)
        self.transcript.add(
            "timing", turn=self.turn, bot_ms=round(bot_ms), reply_sent_ms=round(self.latencies_ms[-1])
        )
        log.info("turn %d on %s answered in %.0f ms", self.turn, self.conversation_id, self.latencies_ms[-1])

    async def _say(self, text: str, keypad: KeypadSpec | None = None) -> None:
        self.turn += 1
        self.speaking_turn = self.turn
        self.transcript.add("bot", turn=self.turn, text=text)
        await self._output.speak(text, self.turn, keypad or KeypadSpec())

    async def _on_silence(self) -> None:
        if self._keys:  # a keypad entry paused too long: take what was typed
            entry, self._keys = self._keys, ""
            await self._handle(_Input("keypad", text=entry))
            return
        self._silences += 1
        self.transcript.add("silence", count=self._silences)
        if self._silences == 1:
            question = self._last.question if self._last else ""
            await self._say("抱歉，我没有听到您的声音。" + (question or "请问有什么可以帮您？"))
        elif self._silences == 2:
            await self._say("如果需要人工服务，请按0。如果您还在，请直接说出您的问题。")
        else:
            self.ended = True
            await self._output.hangup("一直没有听到您的声音，本次通话先到这里。欢迎您再次来电，再见。")

    async def _handoff(self, reason: str, prefix: str) -> None:
        """Transfer to staff in office hours; otherwise take a callback request and say goodbye."""
        in_hours = self._policy.office_open() and bool(self._policy.staff_number)
        packet = self.transcript.handoff(reason, self.caller, callback=not in_hours)
        if reason != "bot_handoff":  # the bot delivered its own packet already
            delivery = asyncio.create_task(self._handoffs.deliver(packet))
            self._deliveries.add(delivery)
            delivery.add_done_callback(self._deliveries.discard)
        log.info("handoff of %s (%s) from %s", self.conversation_id, reason, mask_phone(self.caller))
        self.ended = True
        self._cancel_silence()
        if in_hours:
            text = prefix + "正在为您转接工作人员，他们会看到您刚才提供的信息，不需要您重复。请稍候。"
            await self._output.transfer(text, self._policy.staff_number)
        else:
            await self._output.hangup(prefix + CALLBACK_PROMISE)

    # --- timers and background tasks ---

    def _arm_silence(self, seconds: float | None = None) -> None:
        self._cancel_silence()
        wait = seconds or self._policy.silence_timeout_s
        if wait is not None:
            self._silence = asyncio.create_task(self._silence_after(wait))

    async def _silence_after(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        for _ in range(_LATE_FINAL_WAITS):
            if not self._pending_speech:
                break
            # The caller spoke and the recogniser is still decoding it (a busy machine): that is
            # not silence. Wait again, a bounded number of times (it may drop the audio as noise).
            await asyncio.sleep(seconds)
        self._silence = None
        self._pending_speech = False
        await self._queue.put(_Input("silence"))

    def _cancel_silence(self) -> None:
        if self._silence is not None:
            self._silence.cancel()
            self._silence = None

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
