"""The appointment dialogue: book, cancel, reschedule, with rasa-sdk's real Tracker and a fake case system.

A small driver plays the Rasa server's part: it runs the form validation for one citizen turn, applies
the returned events to the slots, and then the question the form asks next.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import (
    appointment_extract,
    appointment_form,
    appointment_lookups,
    appointment_mediators,
    appointment_offers,
    appointment_submit,
    appointments,
)
from bot.actions.appointment_form import ValidateAppointmentForm
from bot.actions.appointment_offers import booking_key, pick_offers
from bot.actions.appointment_submit import ActionSubmitAppointment
from bot.actions.appointments import (
    ActionAskAppointmentConfirmed,
    ActionAskAppointmentPhone,
    ActionAskAppointmentRef,
    ActionAskAppointmentSlot,
    ActionStartAppointment,
)
from integration.client import (
    AppointmentView,
    BookingRequest,
    CaseRejected,
    CaseSystemUnavailable,
    MediatorView,
    SlotView,
)
from tests.bot.conftest import case_view, domain_dict

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 20, 0, tzinfo=TZ)  # Thursday evening
DOMAIN: dict[str, Any] = {
    "forms": {
        "appointment_form": {
            "required_slots": [
                "applicant_phone",
                "appointment_ref",
                "appointment_institution",
                "appointment_day",
                "appointment_slot",
                "applicant_name",
                "appointment_confirmed",
            ]
        }
    }
}
INSTITUTION_BUTTON = [
    {"entity": "appointment_institution", "value": "people_mediation"},
    {"entity": "appointment_institution_name", "value": "人民调解委员会"},
]


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


class FakeCaseSystem:
    """Free slots of the demo's people-mediation committee; records bookings, cancels and moves."""

    def __init__(self) -> None:
        self.taken: set[tuple[str, datetime]] = set()
        self.appointments: list[AppointmentView] = []
        self.down = False
        self.refuse_next_booking: str | None = None
        self.booked: list[tuple[BookingRequest, str]] = []
        self.cancelled: list[str] = []
        self.moved: list[tuple[str, datetime, str, str | None]] = []
        self.away: set[str] = set()  # mediators with no free time at all

    def _check(self) -> None:
        if self.down:
            raise CaseSystemUnavailable("connection refused")

    async def free_slots(self, institution: str, day: date) -> list[SlotView]:
        self._check()
        if institution != "people_mediation":
            raise CaseRejected("institution_not_found", "未找到该调解机构", 404)
        hours = [(m, h) for m in ("m_people_1",) for h in (9, 10, 11)] if day.weekday() < 5 else []
        if day.weekday() in (1, 3):
            hours += [("m_people_2", h) for h in (14, 15, 16)]
        names = {"m_people_1": "郭明理", "m_people_2": "李春风"}
        return [
            SlotView(institution, m, names[m], at(day, h), at(day, h + 1))
            for m, h in hours
            if (m, at(day, h)) not in self.taken and m not in self.away
        ]

    async def find_mediators(
        self, name: str | None = None, specialty: str | None = None
    ) -> list[MediatorView]:
        """郭明理 (人民调解员: neighbour, family) and 李春风 (人民调解员: neighbour, property)."""
        self._check()
        people = [
            MediatorView(
                "m_people_1",
                "郭明理",
                "人民调解员",
                "people_mediation",
                "人民调解委员会",
                ("neighbour", "family"),
            ),
            MediatorView(
                "m_people_2",
                "李春风",
                "人民调解员",
                "people_mediation",
                "人民调解委员会",
                ("neighbour", "property"),
            ),
        ]
        if specialty:
            return [m for m in people if specialty in m.specialties]
        # like the service: 李春风调解员 / 李调解员 = the name's start and the title; 李老师 = the surname
        def matches(m: MediatorView) -> bool:
            for title in ("调解员", "律师", "老师"):
                if name and name.endswith(title) and m.name.startswith(name[: -len(title)]):
                    return title == "老师" or title in m.name + m.title
            return bool(name) and name in m.name

        return [m for m in people if matches(m)]

    async def book(self, booking: BookingRequest, idempotency_key: str) -> AppointmentView:
        self._check()
        if self.refuse_next_booking:
            code, self.refuse_next_booking = self.refuse_next_booking, None
            self.taken.add((booking.mediator, booking.start))
            raise CaseRejected(code, "该时段已被预约，请选择其他时段", 409)
        self.booked.append((booking, idempotency_key))
        return AppointmentView(
            "YY-2026-000007",
            "booked",
            "人民调解委员会",
            "郭明理",
            booking.start,
            booking.start + timedelta(hours=1),
            booking.case_no,
        )

    async def find_appointments(self, phone: str) -> list[AppointmentView]:
        self._check()
        return list(self.appointments)

    async def cancel(self, ref: str, reason: str | None = None) -> AppointmentView:
        self._check()
        self.cancelled.append(ref)
        return replace(next(a for a in self.appointments if a.ref == ref), status="cancelled")

    async def reschedule(
        self, ref: str, start: datetime, idempotency_key: str, mediator: str | None = None
    ) -> AppointmentView:
        self._check()
        self.moved.append((ref, start, idempotency_key, mediator))
        return AppointmentView(
            "YY-2026-000009", "booked", "人民调解委员会", "郭明理", start, start + timedelta(hours=1), None
        )

    async def get_case(self, case_no: str) -> Any:
        self._check()
        return replace(
            case_view(case_no), institution_code="people_mediation", institution_name="人民调解委员会"
        )


@pytest.fixture
def cases(monkeypatch: pytest.MonkeyPatch) -> FakeCaseSystem:
    fake = FakeCaseSystem()
    modules = (
        appointment_extract,
        appointment_form,
        appointment_lookups,
        appointment_mediators,
        appointment_offers,
        appointment_submit,
        appointments,
    )
    for module in modules:
        if hasattr(module, "case_system"):
            monkeypatch.setattr(module, "case_system", lambda: fake)
        if hasattr(module, "now_local"):
            monkeypatch.setattr(module, "now_local", lambda: NOW)
    return fake


def appointment(ref: str, day: date, hour: int, case_no: str | None = None) -> AppointmentView:
    return AppointmentView(
        ref, "booked", "人民调解委员会", "郭明理", at(day, hour), at(day, hour + 1), case_no
    )


class Conversation:
    """The slots of one conversation, and the Rasa server's side of the form loop."""

    def __init__(self, **slots: Any) -> None:
        self.slots: dict[str, Any] = {"requested_slot": None, **slots}
        self.responses: list[dict[str, Any]] = []

    def tracker(
        self,
        text: str = "",
        intent: str = "inform",
        entities: list[dict[str, Any]] | None = None,
        pending: dict[str, Any] | None = None,
    ) -> Tracker:
        latest = {"text": text, "intent": {"name": intent, "confidence": 0.99}, "entities": entities or []}
        events: list[dict[str, Any]] = [
            {"event": "user", "text": text, "input_channel": "rest", "parse_data": latest}
        ]
        events += [{"event": "slot", "name": k, "value": v} for k, v in (pending or {}).items()]
        slots = {**self.slots, **(pending or {})}
        return Tracker(
            "conv-7", slots, latest, events, False, None, {"name": "appointment_form"}, "action_listen"
        )

    def apply(self, events: list[dict[str, Any]], dispatcher: CollectingDispatcher) -> None:
        for event in events:
            if event["event"] == "slot":
                self.slots[event["name"]] = event["value"]
        self.responses = list(dispatcher.messages)

    async def run(self, action: Action, **turn: Any) -> list[dict[str, Any]]:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, self.tracker(**turn), DOMAIN)
        self.apply(events, dispatcher)
        return events

    async def say(self, text: str = "", intent: str = "inform", **turn: Any) -> list[str]:
        """One citizen turn inside the form: validate, then ask the next question. Returns response keys."""
        dispatcher = CollectingDispatcher()
        events = await ValidateAppointmentForm().run(dispatcher, self.tracker(text, intent, **turn), DOMAIN)
        self.apply(events, dispatcher)
        said = [m["response"] for m in dispatcher.messages]
        ask = {
            "appointment_slot": ActionAskAppointmentSlot(),
            "appointment_ref": ActionAskAppointmentRef(),
            "applicant_phone": ActionAskAppointmentPhone(),
            "appointment_confirmed": ActionAskAppointmentConfirmed(),
        }.get(self.slots["requested_slot"])
        if ask is not None:
            asked = CollectingDispatcher()
            self.apply(await ask.run(asked, self.tracker(), DOMAIN), asked)
            self.responses = dispatcher.messages + asked.messages
            said += [m["response"] for m in asked.messages]
        return said

    def last(self, key: str) -> dict[str, Any]:
        return next(m for m in self.responses if m["response"] == key)


async def test_booking_happy_path(cases: FakeCaseSystem) -> None:
    chat = Conversation()
    await chat.run(ActionStartAppointment(), text="我想约下周三上午", intent="book_appointment")
    assert chat.slots["appointment_mode"] == "book" and chat.slots["appointment_day"] == "我想约下周三上午"

    # the form starts: the prefilled day is checked against the calendar, then the institution is asked
    await chat.say(
        "我想约下周三上午", "book_appointment", pending={"appointment_day": chat.slots["appointment_day"]}
    )
    assert chat.slots["appointment_day"] == "2026-12-02"
    assert chat.slots["appointment_time_pref"] == "morning"
    assert chat.slots["requested_slot"] == "appointment_institution"

    assert await chat.say("/inform", entities=INSTITUTION_BUTTON) == ["utter_ask_appointment_slot"]
    buttons = chat.last("utter_ask_appointment_slot")["buttons"]
    assert [b["title"] for b in buttons] == [
        "12月2日 上午9:00 郭明理",
        "12月2日 上午10:00 郭明理",
        "12月2日 上午11:00 郭明理",
    ]
    key = "m_people_1@2026-12-02T10:00:00+08:00"
    assert buttons[1]["payload"] == f'/inform{{"appointment_slot":"{key}"}}'

    await chat.say("/inform", entities=[{"entity": "appointment_slot", "value": key}])
    assert chat.slots["requested_slot"] == "applicant_name"
    assert await chat.say("我叫张三") == ["utter_ask_appointment_phone_book"]
    assert await chat.say("138 0013 8000") == ["utter_appointment_confirm_book"]
    readback = chat.last("utter_appointment_confirm_book")
    assert readback["day_label"] == "12月2日（周三）" and readback["time_label"] == "上午10:00"
    assert readback["institution_name"] == "人民调解委员会" and readback["applicant_phone"] == "13800138000"

    assert await chat.say("对的", "affirm") == []
    assert chat.slots["appointment_confirmed"] is True and chat.slots["requested_slot"] is None

    events = await chat.run(ActionSubmitAppointment())
    ((booking, idem),) = cases.booked
    assert booking == BookingRequest(
        "people_mediation", "m_people_1", at(date(2026, 12, 2), 10), "张三", "13800138000", None
    )
    assert idem == booking_key("conv-7", "people_mediation", key, "13800138000")
    done = chat.last("utter_appointment_booked")
    assert (done["ref"], done["day_label"], done["time_label"], done["mediator_name"]) == (
        "YY-2026-000007",
        "12月2日（周三）",
        "上午10:00",
        "郭明理",
    )
    assert chat.slots["appointment_ref"] == "YY-2026-000007"
    assert chat.slots["appointment_mode"] is None and chat.slots["appointment_offers"] is None
    assert {"event": "slot", "name": "applicant_phone", "value": "13800138000"} not in events  # kept


async def test_a_case_gives_institution_name_and_phone(cases: FakeCaseSystem) -> None:
    chat = Conversation(case_no="JF-2026-000001")
    await chat.run(ActionStartAppointment(), text="预约调解", intent="book_appointment")
    assert chat.slots["appointment_institution"] == "people_mediation"
    assert (chat.slots["applicant_name"], chat.slots["applicant_phone"]) == ("张三", "13800138000")


async def test_slot_taken_at_booking_offers_fresh_slots(cases: FakeCaseSystem) -> None:
    key = "m_people_1@2026-12-02T09:00:00+08:00"
    chat = Conversation(
        appointment_mode="book",
        appointment_institution="people_mediation",
        appointment_day="2026-12-02",
        appointment_time_pref="morning",
        appointment_slot=key,
        appointment_offers=[
            {
                "key": key,
                "mediator": "m_people_1",
                "mediator_name": "郭明理",
                "start": "2026-12-02T09:00:00+08:00",
            }
        ],
        applicant_name="张三",
        applicant_phone="13800138000",
        appointment_confirmed=True,
    )
    cases.refuse_next_booking = "slot_taken"
    events = await chat.run(ActionSubmitAppointment())
    assert [m["response"] for m in chat.responses] == ["utter_appointment_slot_taken"]
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "appointment_form"}
    assert chat.slots["appointment_slot"] is None and chat.slots["appointment_confirmed"] is None

    # the form starts again; its prefilled day is validated afresh
    said = await chat.say(
        "", "affirm", pending={"appointment_day": "2026-12-02", "applicant_phone": "13800138000"}
    )
    assert said == ["utter_ask_appointment_slot"]
    titles = [b["title"] for b in chat.last("utter_ask_appointment_slot")["buttons"]]
    assert titles == ["12月2日 上午10:00 郭明理", "12月2日 上午11:00 郭明理"]


@pytest.mark.parametrize(
    ("text", "utter"),
    [
        ("上周一", "utter_appointment_day_past"),
        ("明年3月5日", "utter_appointment_day_too_far"),
        ("随便哪天", "utter_appointment_day_not_understood"),
    ],
)
async def test_a_day_that_cannot_be_booked_is_asked_again(
    cases: FakeCaseSystem, text: str, utter: str
) -> None:
    chat = Conversation(
        appointment_mode="book", appointment_institution="people_mediation", requested_slot="appointment_day"
    )
    assert await chat.say(text) == [utter]
    assert chat.slots["appointment_day"] is None and chat.slots["requested_slot"] == "appointment_day"


async def test_a_closed_day_proposes_the_next_day_with_free_slots(cases: FakeCaseSystem) -> None:
    chat = Conversation(
        appointment_mode="book", appointment_institution="people_mediation", requested_slot="appointment_day"
    )
    assert await chat.say("周六下午") == ["utter_appointment_day_full", "utter_ask_appointment_slot"]
    full = chat.last("utter_appointment_day_full")
    assert (full["day_label"], full["next_day_label"]) == ("11月28日（周六）", "11月30日（周一）")
    assert chat.slots["appointment_day"] == "2026-11-30"


async def test_a_full_afternoon_offers_the_morning_and_says_so(cases: FakeCaseSystem) -> None:
    chat = Conversation(
        appointment_mode="book", appointment_institution="people_mediation", requested_slot="appointment_day"
    )
    assert await chat.say("下周一下午") == ["utter_appointment_part_full", "utter_ask_appointment_slot"]
    assert chat.last("utter_appointment_part_full")["part_label"] == "下午"


async def test_a_typed_time_picks_the_offer_and_a_new_day_moves_the_search(cases: FakeCaseSystem) -> None:
    chat = Conversation(
        appointment_mode="book", appointment_institution="people_mediation", requested_slot="appointment_day"
    )
    await chat.say("下周二下午")
    assert await chat.say("三点那个") == []  # the name is asked by Rasa's utter_ask_… response
    assert chat.slots["appointment_slot"] == "m_people_2@2026-12-01T15:00:00+08:00"

    chat.slots.update(requested_slot="appointment_slot", appointment_slot=None)
    assert await chat.say("还是改到下周四吧") == ["utter_ask_appointment_slot"]
    assert chat.slots["appointment_day"] == "2026-12-03"


async def test_change_of_time_at_the_read_back(cases: FakeCaseSystem) -> None:
    chat = Conversation(
        appointment_mode="book",
        appointment_institution="people_mediation",
        appointment_day="2026-12-02",
        appointment_slot="m_people_1@2026-12-02T09:00:00+08:00",
        applicant_name="张三",
        applicant_phone="13800138000",
        requested_slot="appointment_confirmed",
    )
    await chat.say("/reschedule_appointment", "reschedule_appointment")
    assert chat.slots["appointment_day"] is None and chat.slots["appointment_slot"] is None
    assert chat.slots["requested_slot"] == "appointment_day"


async def test_no_thanks_ends_the_form_without_booking(cases: FakeCaseSystem) -> None:
    chat = Conversation(appointment_mode="book", requested_slot="appointment_institution")
    await chat.say("不用了", "deny")
    assert chat.slots["requested_slot"] is None
    chat.slots["appointment_stop"] = None  # as Rasa keeps it: only validated slots come back
    await chat.run(ActionSubmitAppointment())
    assert [m["response"] for m in chat.responses] == ["utter_appointment_not_done"]
    assert cases.booked == []


async def test_cancel_with_two_appointments_offers_buttons(cases: FakeCaseSystem) -> None:
    cases.appointments = [
        appointment("YY-2026-000003", date(2026, 12, 3), 9),
        appointment("YY-2026-000001", date(2026, 11, 30), 10),
        replace(appointment("YY-2026-000002", date(2026, 12, 1), 9), status="cancelled"),
    ]
    chat = Conversation()
    await chat.run(ActionStartAppointment(), text="我要取消预约", intent="cancel_appointment")
    assert await chat.say("我要取消预约", "cancel_appointment") == ["utter_ask_appointment_phone_lookup"]
    assert await chat.say("13800138000") == ["utter_ask_appointment_ref_cancel"]
    buttons = chat.last("utter_ask_appointment_ref_cancel")["buttons"]
    assert [b["title"] for b in buttons] == [
        "11月30日 上午10:00 人民调解委员会 郭明理",
        "12月3日 上午9:00 人民调解委员会 郭明理",
    ]
    assert await chat.say("/inform", entities=[{"entity": "appointment_ref", "value": "YY-2026-000003"}]) == [
        "utter_appointment_confirm_cancel"
    ]
    await chat.say("是的", "affirm")
    await chat.run(ActionSubmitAppointment())
    assert cases.cancelled == ["YY-2026-000003"]
    assert chat.last("utter_appointment_cancelled")["ref"] == "YY-2026-000003"


async def test_cancel_when_nothing_is_booked_says_so(cases: FakeCaseSystem) -> None:
    chat = Conversation(appointment_mode="cancel", requested_slot="applicant_phone")
    assert await chat.say("13800138000") == ["utter_appointment_none_found"]
    assert chat.last("utter_appointment_none_found")["phone_masked"] == "138****8000"
    assert chat.slots["requested_slot"] is None and chat.slots["appointment_stop"] == "none_found"


async def test_reschedule_one_appointment_to_the_day_said_at_the_start(cases: FakeCaseSystem) -> None:
    cases.appointments = [appointment("YY-2026-000003", date(2026, 11, 30), 9, case_no="JF-2026-000001")]
    chat = Conversation(applicant_phone="13800138000")
    await chat.run(ActionStartAppointment(), text="能改到下周四下午吗", intent="reschedule_appointment")
    said = await chat.say(
        "能改到下周四下午吗",
        "reschedule_appointment",
        pending={"applicant_phone": "13800138000", "appointment_day": chat.slots["appointment_day"]},
    )
    assert said == ["utter_ask_appointment_slot"]
    assert chat.slots["appointment_ref"] == "YY-2026-000003"
    assert chat.slots["appointment_institution"] == "people_mediation"  # from the appointment's case
    key = chat.last("utter_ask_appointment_slot")["buttons"][0]["payload"].split('"')[-2]
    assert key == "m_people_2@2026-12-03T14:00:00+08:00"
    assert await chat.say("/inform", entities=[{"entity": "appointment_slot", "value": key}]) == [
        "utter_appointment_confirm_reschedule"
    ]
    await chat.say("好", "affirm")
    await chat.run(ActionSubmitAppointment())
    ((ref, start, _key, mediator),) = cases.moved
    assert (ref, start, mediator) == ("YY-2026-000003", at(date(2026, 12, 3), 14), "m_people_2")
    assert chat.last("utter_appointment_rescheduled")["ref"] == "YY-2026-000009"


async def test_service_down_tells_the_truth_and_the_hotline(cases: FakeCaseSystem) -> None:
    cases.down = True
    chat = Conversation(appointment_mode="reschedule", requested_slot="applicant_phone")
    assert await chat.say("13800138000") == ["utter_appointment_service_down"]
    assert chat.last("utter_appointment_service_down")["center_hotline"] == "0539-12348"
    assert chat.slots["requested_slot"] is None
    await chat.run(ActionSubmitAppointment())
    assert chat.responses == [] and chat.slots["appointment_stop"] is None


async def test_service_down_at_booking(cases: FakeCaseSystem) -> None:
    key = "m_people_1@2026-12-02T09:00:00+08:00"
    chat = Conversation(
        appointment_mode="book",
        appointment_institution="people_mediation",
        appointment_slot=key,
        appointment_offers=[
            {
                "key": key,
                "mediator": "m_people_1",
                "mediator_name": "郭明理",
                "start": "2026-12-02T09:00:00+08:00",
            }
        ],
        applicant_name="张三",
        applicant_phone="13800138000",
        appointment_confirmed=True,
    )
    cases.down = True
    await chat.run(ActionSubmitAppointment())
    assert [m["response"] for m in chat.responses] == ["utter_appointment_service_down"]


@pytest.mark.parametrize(
    ("text", "expected", "utter"),
    [("幺三八 零零幺三 八零零零", "13800138000", []), ("12345", None, ["utter_invalid_applicant_phone"])],
)
async def test_phone_is_normalised_or_asked_again(
    cases: FakeCaseSystem, text: str, expected: str | None, utter: list[str]
) -> None:
    chat = Conversation(
        appointment_mode="book",
        appointment_institution="people_mediation",
        appointment_day="2026-12-02",
        appointment_slot="x",
        applicant_name="张三",
        requested_slot="applicant_phone",
    )
    said = await chat.say(text)
    assert chat.slots["applicant_phone"] == expected
    assert said[: len(utter)] == utter


def test_an_explicit_time_puts_the_nearest_slots_first() -> None:
    day = date(2026, 12, 1)
    slots = [SlotView("p", "m", "郭明理", at(day, h), at(day, h + 1)) for h in (9, 10, 11, 14, 15, 16)]
    chosen, missed = pick_offers(slots, "15:00")
    assert [s.start.hour for s in chosen] == [11, 14, 15, 16]  # the nearest four, in time order
    assert not missed
    assert [s.start.hour for s in pick_offers(slots, None)[0]] == [9, 10, 11, 14]


async def test_a_move_keeps_only_the_new_day_and_cancel_while_booking_stops(cases: FakeCaseSystem) -> None:
    chat = Conversation()
    await chat.run(ActionStartAppointment(), text="把周三的预约改到下周五", intent="reschedule_appointment")
    assert (chat.slots["appointment_mode"], chat.slots["appointment_day"]) == ("reschedule", "下周五")

    chat = Conversation(appointment_mode="book", requested_slot="appointment_day")
    assert await chat.say("算了，取消吧", "cancel_appointment") == []
    assert chat.slots["requested_slot"] is None and cases.booked == []


async def test_a_mediator_asked_for_by_specialty_is_offered_with_their_own_slots(
    cases: FakeCaseSystem,
) -> None:
    chat = Conversation()
    await chat.run(ActionStartAppointment(), text="我想找擅长婚姻家庭的调解员", intent="book_appointment")
    found = chat.last("utter_appointment_mediator_found")
    assert (found["institution_name"], found["mediator_names"]) == ("人民调解委员会", "郭明理")
    assert chat.slots["appointment_institution"] == "people_mediation"  # never asked
    assert chat.slots["appointment_mediators"] == ["m_people_1"]
    chat.slots["requested_slot"] = "appointment_day"
    assert await chat.say("下周二") == ["utter_ask_appointment_slot"]  # 李春风 is free that day too
    titles = [b["title"] for b in chat.last("utter_ask_appointment_slot")["buttons"]]
    assert titles and all(t.endswith("郭明理") for t in titles)


async def test_a_mediator_asked_for_by_name_at_the_institution_question(cases: FakeCaseSystem) -> None:
    chat = Conversation(
        appointment_mode="book", appointment_day="2026-12-01", requested_slot="appointment_institution"
    )
    assert await chat.say("能约李春风调解员吗") == [
        "utter_appointment_mediator_found",
        "utter_ask_appointment_slot",
    ]
    titles = [b["title"] for b in chat.last("utter_ask_appointment_slot")["buttons"]]
    assert titles == ["12月1日 下午2:00 李春风", "12月1日 下午3:00 李春风", "12月1日 下午4:00 李春风"]


async def test_a_wished_mediator_without_free_time_is_said_and_the_others_offered(
    cases: FakeCaseSystem,
) -> None:
    cases.away.add("m_people_2")
    chat = Conversation()
    await chat.run(ActionStartAppointment(), text="可以预约李调解员吗", intent="book_appointment")
    assert chat.slots["appointment_mediators"] == ["m_people_2"]
    chat.slots["requested_slot"] = "appointment_day"
    assert await chat.say("下周二") == ["utter_appointment_mediator_busy", "utter_ask_appointment_slot"]
    busy = chat.last("utter_appointment_mediator_busy")
    assert (busy["mediator_names"], busy["institution_name"]) == ("李春风", "人民调解委员会")
    assert chat.slots["appointment_mediators"] is None
    titles = [b["title"] for b in chat.last("utter_ask_appointment_slot")["buttons"]]
    assert titles and all(t.endswith("郭明理") for t in titles)


async def test_an_unknown_mediator_is_said_honestly_and_booking_goes_on(cases: FakeCaseSystem) -> None:
    chat = Conversation()
    await chat.run(ActionStartAppointment(), text="能约王律师吗", intent="book_appointment")
    assert chat.last("utter_appointment_mediator_not_found")["mediator_query"] == "王律师"
    assert chat.slots["appointment_institution"] is None  # the form asks for the institution
    await chat.run(ActionStartAppointment(), text="有没有擅长交通事故的调解员", intent="book_appointment")
    assert chat.last("utter_appointment_specialty_not_found")["specialty_name"] == "交通事故"


async def test_every_mediator_response_exists_in_the_domain() -> None:
    responses = domain_dict()["responses"]
    for key in ("found", "not_found", "busy"):
        assert f"utter_appointment_mediator_{key}" in responses
    assert "utter_appointment_specialty_not_found" in responses
