"""A citizen who asks for a particular mediator (普陀 "点单": "能约王律师吗", "我想找擅长婚姻家庭的
调解员") is offered that person's free slots, or told honestly when there is no such mediator or
no free time, and offered the others.

The wish narrows the offers to the matching mediators of one institution (slot
``appointment_mediators``, their codes); the case service keeps the profiles.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.services import case_system
from integration.categories import CATEGORY_NAMES
from integration.client import CaseRejected, CaseSystemUnavailable, MediatorView
from textnorm.mediator_wish import MediatorWish, mediator_wish
from textnorm.script import to_simplified

logger = logging.getLogger(__name__)

WISH_SLOTS = ("appointment_mediators", "appointment_mediator_names")


async def _search(wish: MediatorWish) -> tuple[list[MediatorView], str]:
    """The matching mediators and the reading of the name that found them."""
    if wish.specialty:
        return await case_system().find_mediators(specialty=wish.specialty), ""
    for name in wish.names():
        found = await case_system().find_mediators(name=name)
        if found:
            return found, name
    return [], wish.name or ""


async def apply_wish(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> dict[str, Any]:
    """Slot updates for the mediator asked for in ``text`` ({} when none is asked for): the
    institution and the mediators whose slots are offered; what was found is said."""
    wish = mediator_wish(to_simplified(text or ""))
    if wish is None:
        return {}
    try:
        found, name = await _search(wish)
    except (CaseSystemUnavailable, CaseRejected) as exc:
        # The booking goes on without the wish: the form's own look-ups report an outage.
        logger.warning("appointment %s: mediator search failed: %s", tracker.sender_id, exc)
        return {}
    if not found:
        logger.info("appointment %s: no mediator for %s", tracker.sender_id, wish)
        if wish.specialty:
            dispatcher.utter_message(
                response="utter_appointment_specialty_not_found",
                specialty_name=CATEGORY_NAMES.get(wish.specialty, wish.specialty),
            )
        else:
            dispatcher.utter_message(response="utter_appointment_mediator_not_found", mediator_query=name)
        return {slot: None for slot in WISH_SLOTS}
    institution = found[0].institution_code
    chosen = [m for m in found if m.institution_code == institution]
    names = "、".join(m.name for m in chosen)
    dispatcher.utter_message(
        response="utter_appointment_mediator_found",
        institution_name=found[0].institution_name,
        mediator_names=names,
    )
    return {
        "appointment_mediators": [m.code for m in chosen],
        "appointment_mediator_names": names,
        "appointment_institution": institution,
        "appointment_institution_name": found[0].institution_name,
    }
