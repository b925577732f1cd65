"""Hand-off vocabulary and size caps, shared by the client and the service.

Kept free of third-party imports and valid on Python 3.10: the bot's action server imports it.
"""

from __future__ import annotations

# Why the bot hands the conversation to a person, and the label staff see.
REASON_NAMES: dict[str, str] = {
    "requested": "群众要求转人工",
    "not_understood": "多次未能理解群众的表达",
    "safety": "安全风险（暴力、自伤或群体性事件）",
    "phone_transfer": "电话转接人工",
    "callback": "请求回电",
    "not_captured": "多次未能取得一项必要信息",
    "loop": "对话出现重复，机器人已停止追问",
}

# The form questions a hand-off can name as "could not be captured" (staff-facing labels).
SLOT_LABELS: dict[str, str] = {
    "privacy_consent": "是否同意登记",
    "category": "纠纷类别",
    "description": "纠纷经过",
    "applicant_name": "姓名",
    "applicant_phone": "手机号",
    "intake_confirmed": "登记信息确认",
    "progress_query": "案件编号或手机号加姓名",
    "progress_phone_tail": "手机号后四位",
    "appointment_institution": "预约机构",
    "appointment_day": "预约日期",
    "appointment_slot": "预约时段",
    "appointment_ref": "要改动的预约",
    "appointment_confirmed": "预约确认",
}

SPEAKERS: tuple[str, ...] = ("citizen", "bot", "staff")
STATUSES: tuple[str, ...] = ("open", "claimed", "closed")

MAX_TURNS = 200  # only the most recent turns are kept
MAX_TURN_CHARS = 2000  # longer turns are cut to this length
MAX_COLLECTED = 40  # slots per packet
MAX_SLOT_NAME = 64
MAX_SLOT_VALUE = 4000  # a description may be this long


def cap_transcript(turns: list[dict[str, object]]) -> list[dict[str, object]]:
    """The last MAX_TURNS turns, each text cut to MAX_TURN_CHARS; other values are left as they
    are (the service validates them)."""
    capped: list[dict[str, object]] = []
    for turn in turns[-MAX_TURNS:]:
        text = turn.get("text") if isinstance(turn, dict) else None
        if isinstance(text, str) and len(text) > MAX_TURN_CHARS:
            turn = {**turn, "text": text[:MAX_TURN_CHARS]}
        capped.append(turn)
    return capped
