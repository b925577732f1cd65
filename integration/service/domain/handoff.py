"""Parsing a hand-off request body into a validated NewHandoff packet."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from integration.categories import CATEGORY_NAMES, CHANNELS
from integration.handoff_vocab import (
    MAX_COLLECTED,
    MAX_SLOT_NAME,
    MAX_SLOT_VALUE,
    MAX_TURN_CHARS,
    MAX_TURNS,
    REASON_NAMES,
    SPEAKERS,
)
from integration.service.domain import validation as v
from integration.service.domain.errors import ValidationFailed


@dataclass(frozen=True)
class NewHandoff:
    conversation_id: str
    reason: str
    reason_code: str = "requested"
    summary: str | None = None
    phone: str | None = None
    case_no: str | None = None
    urgent: bool = False
    category: str | None = None
    channel: str = "web"
    collected: dict[str, str] = field(default_factory=dict)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    callback_requested: bool = False


def parse_new_handoff(body: object) -> NewHandoff:
    """Absent packet fields take their defaults (older clients); present ones must be valid.
    A safety hand-off is always urgent."""
    data = v.obj(body, "body")
    reason_code = v.choice(_or_default(data, "reason_code", "requested"), REASON_NAMES,
                           "unknown_reason_code", "转人工原因代码不正确", "reason_code")
    category = data.get("category")
    if category is not None:
        category = v.choice(category, CATEGORY_NAMES, "unknown_category", "纠纷类别不正确",
                            "category")
    return NewHandoff(
        conversation_id=v.required_text(data, "conversation_id", max_len=128),
        reason=v.required_text(data, "reason", max_len=200),
        reason_code=reason_code,
        summary=v.text(data, "summary", max_len=v.MAX_DESCRIPTION, required=False),
        phone=v.phone(data["phone"], "phone") if data.get("phone") else None,
        case_no=v.text(data, "case_no", max_len=32, required=False),
        urgent=flag(data, "urgent") or reason_code == "safety",
        category=category,
        channel=v.choice(_or_default(data, "channel", "web"), CHANNELS, "unknown_channel",
                         "受理渠道不正确", "channel"),
        collected=parse_collected(data.get("collected")),
        transcript=parse_transcript(data.get("transcript")),
        callback_requested=flag(data, "callback_requested"),
    )


def _or_default(data: dict[str, Any], key: str, default: str) -> object:
    value = data.get(key)
    return default if value is None else value


def flag(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValidationFailed("invalid_type", f"{key} 必须是 true 或 false", field=key)
    return value


def parse_collected(raw: object) -> dict[str, str]:
    """Slot name -> text value; at most MAX_COLLECTED slots, values up to MAX_SLOT_VALUE."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValidationFailed("invalid_collected", "已收集信息（collected）格式不正确",
                               field="collected")
    if len(raw) > MAX_COLLECTED:
        raise ValidationFailed("too_many_slots", f"已收集信息最多 {MAX_COLLECTED} 项",
                               field="collected")
    collected: dict[str, str] = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not name or len(name) > MAX_SLOT_NAME:
            raise ValidationFailed("invalid_collected", "已收集信息的名称不正确",
                                   field="collected")
        where = f"collected.{name}"
        if not isinstance(value, str):
            raise ValidationFailed("invalid_type", f"{where} 必须是文字", field=where)
        if len(value) > MAX_SLOT_VALUE:
            raise ValidationFailed("too_long", f"{where} 过长（最多 {MAX_SLOT_VALUE} 字）",
                                   field=where)
        collected[name] = value
    return collected


def parse_transcript(raw: object) -> list[dict[str, Any]]:
    """The last MAX_TURNS turns, texts cut to MAX_TURN_CHARS; any malformed turn is rejected.
    Each stored turn has exactly speaker, text, at and confidence."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValidationFailed("invalid_transcript", "对话记录（transcript）必须是列表",
                               field="transcript")
    first = max(len(raw) - MAX_TURNS, 0)
    return [parse_turn(turn, f"transcript[{i}]") for i, turn in enumerate(raw[first:], first)]


def parse_turn(raw: object, where: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ValidationFailed("invalid_transcript", f"{where} 格式不正确", field=where)
    speaker = v.choice(raw.get("speaker"), SPEAKERS, "invalid_transcript",
                       f"{where}.speaker 必须是 citizen、bot 或 staff", f"{where}.speaker")
    text = raw.get("text")
    if not isinstance(text, str):
        raise ValidationFailed("invalid_transcript", f"{where}.text 必须是文字",
                               field=f"{where}.text")
    return {"speaker": speaker, "text": text[:MAX_TURN_CHARS], "at": _at(raw.get("at"), where),
            "confidence": _confidence(raw.get("confidence"), where)}


def _at(value: object, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return value
    raise ValidationFailed("invalid_transcript", f"{where}.at 必须是 ISO-8601 时间",
                           field=f"{where}.at")


def _confidence(value: object, where: str) -> float | None:
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, (int, float))
            or not math.isfinite(value) or not 0 <= value <= 1):
        raise ValidationFailed("invalid_transcript", f"{where}.confidence 必须是 0 到 1 之间的数",
                               field=f"{where}.confidence")
    return float(value)
