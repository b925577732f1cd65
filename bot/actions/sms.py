"""Text messages: whether this center sends them, and a citizen declining them.

The case service sends the texts (case number, appointments, routing, closure) from its own
queue when a provider is configured (``SMS_PROVIDER``, the same variable the case service reads);
the bot only promises a text where one will be sent, and passes a citizen's "不要短信" on."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.services import case_system
from bot.actions.settings import settings
from integration.client import CaseSystemError
from textnorm.mask import mask_phone
from textnorm.script import to_simplified

logger = logging.getLogger(__name__)

DECLINED_SLOT, AVAILABLE_SLOT = "sms_declined", "sms_available"

# "不要短信", "别给我发短信", "短信就不用了", "不接收短信", "退订": about texts, and refusing them.
# 信息 / 消息 alone mean "information" ("我不想给个人信息" refuses consent, not texts): only
# 发信息 / 收消息 … count.
_TEXTS = r"(?:短信|(?:发|收|接收)(?:信息|消息))"
_DECLINE_RE = re.compile(
    r"(?:以后|今后)?(?:我|请)?(?:不要|别|不用|不需要|无需|不想|不接收|不愿意|拒绝|取消|退订)[^，,。；;！!？?]{0,8}"
    + _TEXTS + r"(?:通知|提醒)?(?:给我|到我手机上?)?了?"
    r"|短信(?:通知|提醒)?[^，,。；;！!？?]{0,4}(?:不要|别发|不用|不需要|免了|就算了)(?:了|发了)?"
    r"|^\s*(?:退订|TD|T)\s*$",
    re.IGNORECASE,
)
# Joining words left behind when the decline is cut out of "同意，但不要短信".
_LEFTOVER_RE = re.compile(r"[，,、\s]*(?:但是|但|不过|可是|就是)?[，,、\s]*$")


def sms_enabled() -> bool:
    """True when the case service has a provider to send texts with (``SMS_PROVIDER``)."""
    return settings().sms_enabled


# A refusal of texts is a short message ("同意，但不要短信", "13800138000 别发短信"); a story
# ("他们天天发短信催债，我不想再收到这种短信了") is not one.
MAX_DECLINE_CHARS = 30


def declines_sms(text: str) -> bool:
    """The message refuses text messages (possibly along with an answer to something else)."""
    simplified = to_simplified(text or "").strip()
    return len(simplified) <= MAX_DECLINE_CHARS and _DECLINE_RE.search(simplified) is not None


def without_sms_decline(text: str) -> str:
    """The message with the refusal of texts cut out: "同意，但不要短信" → "同意"."""
    simplified = to_simplified(text or "")
    if not declines_sms(simplified):
        return simplified
    rest = _DECLINE_RE.sub("", simplified)
    return _LEFTOVER_RE.sub("", rest).strip(" ，,。")


def only_declines_sms(text: str) -> bool:
    """The message says nothing but "no texts" (so it answers no other question)."""
    return declines_sms(text) and not without_sms_decline(text)


class ActionDeclineSms(Action):
    """Outside the intake form: remember the refusal and, when this conversation knows the
    citizen's phone, tell the case service to send no more texts to it."""

    def name(self) -> str:
        return "action_decline_sms"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        hotline = settings().center_hotline
        if not sms_enabled():
            dispatcher.utter_message(response="utter_sms_not_used", center_hotline=hotline)
            return [SlotSet(DECLINED_SLOT, True)]
        phone = tracker.get_slot("applicant_phone")
        if not phone:
            # Nothing to opt out yet: the intake or the booking carries the refusal when it is sent.
            dispatcher.utter_message(response="utter_sms_decline_how", center_hotline=hotline)
            return [SlotSet(DECLINED_SLOT, True)]
        try:
            await case_system().decline_sms(phone)
        except CaseSystemError as exc:
            logger.warning("sms opt-out of %s failed: %s", mask_phone(phone), type(exc).__name__)
            dispatcher.utter_message(response="utter_sms_decline_failed", center_hotline=hotline)
            return [SlotSet(DECLINED_SLOT, True)]
        logger.info("sms opt-out of %s recorded", mask_phone(phone))
        dispatcher.utter_message(
            response="utter_sms_declined_phone", phone_masked=mask_phone(phone), center_hotline=hotline
        )
        return [SlotSet(DECLINED_SLOT, True)]
