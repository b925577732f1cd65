"""The in-process event hub and the transcript staff read from a Rasa tracker."""

from __future__ import annotations

from web.hub import QUEUE_LIMIT, MemoryHub, citizen_channel, staff_channel
from web.rasa_admin import transcript
from web.takeover import staff_name


async def test_events_reach_current_subscribers_only() -> None:
    hub = MemoryHub()
    assert hub.publish(citizen_channel("web-1"), {"n": 0}) == 0  # nobody listening: dropped
    async with hub.subscribe(citizen_channel("web-1")) as page, hub.subscribe(staff_channel("web-1")) as desk:
        assert hub.publish(citizen_channel("web-1"), {"n": 1}) == 1
        assert page.get_nowait() == {"n": 1} and desk.empty()
    assert hub.subscribers(citizen_channel("web-1")) == 0


async def test_a_stalled_subscriber_loses_the_oldest_events_not_the_publisher() -> None:
    hub = MemoryHub()
    async with hub.subscribe("c") as queue:
        for n in range(QUEUE_LIMIT + 5):
            hub.publish("c", {"n": n})
        assert queue.qsize() == QUEUE_LIMIT and queue.get_nowait() == {"n": 5}


def test_transcript_keeps_people_and_drops_internal_events() -> None:
    tracker = {
        "events": [
            {"event": "action", "name": "action_listen", "timestamp": 1},
            {"event": "user", "text": "我要转人工", "timestamp": 2},
            {"event": "bot", "text": "已为您转接人工服务。", "timestamp": 3},
            {"event": "pause", "timestamp": 4},
            {"event": "bot", "text": "您好，我是调解员。", "metadata": {"staff": "console"}, "timestamp": 5},
            {"event": "user", "text": None, "timestamp": 6},
            {"event": "slot", "name": "x", "value": 1, "timestamp": 7},
        ]
    }
    assert [(t["speaker"], t["text"], t["staff"]) for t in transcript(tracker)] == [
        ("citizen", "我要转人工", None),
        ("bot", "已为您转接人工服务。", None),
        ("staff", "您好，我是调解员。", "console"),
    ]
    assert transcript({}) == []


def test_staff_names_come_from_the_claim() -> None:
    assert (staff_name("staff:console"), staff_name(None), staff_name("")) == (
        "console",
        "工作人员",
        "工作人员",
    )
