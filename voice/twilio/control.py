"""CallOutput for Twilio: live call updates through the REST API while the audio fork runs."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from voice.core.session import KeypadSpec
from voice.twilio import twiml
from voice.twilio.twiml import Urls, Voice

log = logging.getLogger(__name__)


class CallControlError(RuntimeError):
    """Twilio refused or could not be reached (the call may already have ended)."""


class CallUpdater(Protocol):
    async def update(self, call_sid: str, twiml_doc: str) -> None:
        """Replace the TwiML the call is executing."""
        ...


class TwilioRestUpdater:
    """``client.calls(sid).update(twiml=…)``; the sync client runs in the default executor."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        from twilio.rest import Client

        self._client = Client(account_sid, auth_token)

    async def update(self, call_sid: str, twiml_doc: str) -> None:
        from twilio.base.exceptions import TwilioException

        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, lambda: self._client.calls(call_sid).update(twiml=twiml_doc))
        except (TwilioException, OSError) as exc:
            raise CallControlError(f"call update failed: {exc.__class__.__name__}") from exc


class TwilioCallOutput:
    def __init__(self, call_sid: str, updater: CallUpdater, voice: Voice, urls: Urls, record: bool) -> None:
        self._sid = call_sid
        self._updater = updater
        self._voice = voice
        self._urls = urls
        self._record = record

    async def _update(self, doc: str) -> None:
        try:
            await self._updater.update(self._sid, doc)
        except CallControlError as exc:
            log.warning("Twilio call %s: %s", self._sid, exc)

    async def speak(self, text: str, turn: int, keypad: KeypadSpec) -> None:
        await self._update(
            twiml.speak(
                text=text,
                voice=self._voice,
                urls=self._urls,
                turn=turn,
                max_digits=keypad.max_digits,
                timeout_s=keypad.timeout_s,
            )
        )

    async def stop_speaking(self) -> None:
        await self._update(twiml.hold(urls=self._urls))

    async def transfer(self, text: str, number: str) -> None:
        await self._update(
            twiml.transfer(text=text, voice=self._voice, urls=self._urls, number=number, record=self._record)
        )

    async def hangup(self, text: str) -> None:
        await self._update(twiml.goodbye(text=text, voice=self._voice))

    async def heard(self, text: str, final: bool) -> None:
        return None  # nothing to show on a phone
