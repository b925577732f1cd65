"""Nothing the citizen says is lost: the story, wherever in the intake it is told.

A citizen tells the story while the consent notice is on screen, mixes it into the consent
answer ("同意，事情是这样的…"), or answers the question about the place with half the story.
Each piece is added to the description, and the details it gives (category, the other party,
place, amount) fill the slots that are still empty, so they are not asked again.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from integration.categories import CATEGORY_NAMES
from textnorm.amount import parse_amount_yuan
from textnorm.nonanswer import digit_run
from textnorm.party import respondent_from_story
from textnorm.script import to_simplified

MAX_DESCRIPTION_CHARS = 2000
STORY_MIN_CHARS = 15  # a message this long that is not a plain yes/no is a piece of the story
NUMBER_DIGITS = 7  # an answer holding this many digit-like characters is an attempt at a number
LONG_ANSWER_CHARS = 25  # an answer to another question this long also adds to the story
# "邻居装修天天吵，找他理论还骂我" answers the category question and is the story too; "邻里纠纷吧"
# only names the category.
CATEGORY_STORY_CHARS = 10
_FREE_TEXT_SLOTS = {"respondent", "location"}
_STORY_INTENTS = {"report_dispute", "inform", "nlu_fallback", "out_of_scope", "correct"}
_CONSENT_YES_RE = re.compile(
    r"^\s*(?:我)?(?:同意|愿意|好的?|可以|行|没问题|嗯+|ok|okay|是的?|对)(?:的|了|啊|呀|吧)?"
    r"(?:同意)?[，,。.！!、\s]+(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)
_CJK_RE = re.compile(r"[\u3400-\u9fff]")


def cjk_length(text: str) -> int:
    return len(_CJK_RE.findall(text or ""))


def is_story(text: str, intent: str | None) -> bool:
    """A narrative (or a piece of one), as opposed to a short answer."""
    if (intent or "").startswith("dispute_"):
        return cjk_length(text) >= 6
    return intent in _STORY_INTENTS and cjk_length(text) >= STORY_MIN_CHARS


_EXPLICIT_YES_RE = re.compile(
    r"同意|愿意|好的|可以|(?<!银)行|没问题|嗯|要得|ok|okay|yes|确认|接受|允许|没意见"
    r"|^\W*(?:那)?(?:好|好吧|好啊|好呀|对|对的|是|是的|中|成|没错)\W*$",
    re.IGNORECASE,
)


def explicit_yes(text: str) -> bool:
    """Consent must be given in words that say yes (or with the 同意 button): a classifier that
    reads "skip" as agreement must never register anyone's personal data."""
    text = (text or "").strip()
    if text.startswith("/affirm"):
        return True
    negated = re.search(r"不同意|不愿意|不好|不行|不可以|不要|别", text)
    return bool(_EXPLICIT_YES_RE.search(text)) and not negated


_EXPLICIT_NO_RE = re.compile(
    r"不同意|不愿意|不行|不可以|不要|不用|不想|不登记|不了|不弄|不太|不中|先不|不办|不填|不留"
    r"|拒绝|算了|别|没兴趣|no\b"
    r"|^\W*(?:不|否|2|二)\W*$",
    re.IGNORECASE,
)


def explicit_no(text: str) -> bool:
    """Refusing consent ends the intake: only words that say no (or the 不同意 button) do it, so a
    misheard or misread yes is asked again instead of turning the citizen away."""
    text = (text or "").strip()
    return text.startswith("/deny") or bool(_EXPLICIT_NO_RE.search(text))


def split_consent(text: str) -> str | None:
    """The story after a "yes" at the start of the consent answer, or None."""
    match = _CONSENT_YES_RE.match(text or "")
    rest = match.group("rest").strip() if match else ""
    return rest if cjk_length(rest) >= 8 else None


def dispute_guess(tracker: Tracker) -> dict[str, Any]:
    """The NLU's separate dispute analysis of the latest message (bot.nlu.dispute_analyzer)."""
    guess = tracker.latest_message.get("dispute")
    return guess if isinstance(guess, dict) else {}


def category_said(tracker: Tracker) -> str | None:
    """The category the latest message gives: its dispute_* intent, or a confident guess."""
    intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
    if intent.startswith("dispute_") and intent[len("dispute_"):] in CATEGORY_NAMES:
        return intent[len("dispute_"):]
    guess = dispute_guess(tracker)
    category = guess.get("category")
    return category if guess.get("confident") and category in CATEGORY_NAMES else None


def story_events(tracker: Tracker, piece: str) -> list[EventType]:
    """Add ``piece`` to the description and fill the empty details it gives."""
    piece = to_simplified(piece.strip())
    current = tracker.get_slot("description") or ""
    events: list[EventType] = []
    if piece and piece not in current:
        joined = f"{current}\n{piece}" if current else piece
        events.append(SlotSet("description", joined[:MAX_DESCRIPTION_CHARS]))
    category = category_said(tracker)
    if category and not tracker.get_slot("category"):
        events.append(SlotSet("category", category))
    for slot, value in details_said(tracker, piece, category or tracker.get_slot("category")).items():
        if value and not tracker.get_slot(slot):
            events.append(SlotSet(slot, value))
    return events


def details_said(tracker: Tracker, text: str, category: str | None = None) -> dict[str, str | None]:
    """The other party and place the latest message names (its entities) and the amount of money
    ``text`` states (None: not said); the opening message and a story told later share it."""
    entities = {e.get("entity"): e.get("value") for e in tracker.latest_message.get("entities") or []}
    amount = parse_amount_yuan(text, money_only=True)
    location = entities.get("location")
    return {
        "respondent": respondent_from_story(entities.get("respondent"), category),
        "location": str(location) if location else None,
        "amount_yuan": str(amount) if amount is not None else None,
    }


def harvest_story(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The story pieces of the latest message that answer something other than the question."""
    requested = tracker.get_slot("requested_slot")
    text = to_simplified((tracker.latest_message.get("text") or "").strip())
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if requested == "privacy_consent":
        rest = split_consent(text)
        if rest is not None:
            return [SlotSet("privacy_consent", True), *story_events(tracker, rest)]
        if intent != "affirm" and cjk_length(text) <= 10 and explicit_yes(text):
            return [SlotSet("privacy_consent", True)]  # "行，按你说的来": yes, whatever the classifier said
        if intent not in ("affirm", "deny") and is_story(text, intent):
            dispatcher.utter_message(response="utter_story_kept")
            return story_events(tracker, text)
        return []
    if requested == "category":
        # the answer fills the category (its own mapping); a story told as the answer is kept
        if is_story(text, intent) and cjk_length(text) >= CATEGORY_STORY_CHARS:
            return story_events(tracker, text)
        return []
    if requested in ("description", None):
        return []
    # A name, a phone, an ID, an amount or a yes is never a sentence: a story-length answer to one
    # of them is the story going on. A party or a place can be described at length, so only a
    # longer answer to those adds to the story.
    needed = LONG_ANSWER_CHARS if requested in _FREE_TEXT_SLOTS else STORY_MIN_CHARS
    # "我的手机是幺三零四五八…": a number read out, no story. A run, not a count: a story's
    # "前年借给他二十万…微信转了十万" holds many numerals and is still the story.
    if digit_run(text) >= NUMBER_DIGITS:
        return []
    if is_story(text, intent) and cjk_length(text) >= needed:
        return story_events(tracker, text)
    return []
