"""Parsing a conversation-record PUT into a validated NewConversation.

Turns are stored as the channel sent them (the phone gateway's events have their own kinds and
fields), so a turn is only required to be a JSON object."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from integration.conversation_vocab import CHANNELS, MAX_TURNS, is_conversation_id
from integration.service.domain import validation as v
from integration.service.domain.errors import ValidationFailed


@dataclass(frozen=True)
class NewConversation:
    conversation_id: str
    channel: str
    started_at: datetime | None = None
    ended_at: datetime | None = None
    turns: list[dict[str, Any]] = field(default_factory=list)


def parse_conversation_id(raw: str) -> str:
    if not is_conversation_id(raw):
        raise ValidationFailed(
            "invalid_conversation_id",
            "对话编号格式不正确（最多 128 位字母、数字或 _ . : -）",
            field="conversation_id",
        )
    return raw


def parse_conversation(conversation_id: str, body: object, tz: ZoneInfo) -> NewConversation:
    """The whole record; naive times are taken as the center's local time (`tz`). A body that
    repeats the conversation id must repeat it exactly."""
    data = v.obj(body, "body")
    cid = parse_conversation_id(conversation_id)
    if data.get("conversation_id") not in (None, cid):
        raise ValidationFailed(
            "conversation_id_mismatch", "请求内容中的对话编号与地址不一致", field="conversation_id"
        )
    if data.get("channel") is None:
        raise ValidationFailed("missing_field", "缺少必填项：channel", field="channel")
    channel = v.choice(
        data["channel"], CHANNELS, "unknown_channel", "受理渠道应为 phone、robot 或 web", "channel"
    )
    started, ended = _moment(data, "started_at", tz), _moment(data, "ended_at", tz)
    if started and ended and ended < started:
        raise ValidationFailed("invalid_period", "结束时间不能早于开始时间", field="ended_at")
    return NewConversation(cid, channel, started, ended, parse_turns(data.get("turns")))


def parse_turns(raw: object) -> list[dict[str, Any]]:
    if raw is None:
        raise ValidationFailed("missing_field", "缺少必填项：turns", field="turns")
    if not isinstance(raw, list):
        raise ValidationFailed("invalid_turns", "对话内容（turns）必须是列表", field="turns")
    if len(raw) > MAX_TURNS:
        raise ValidationFailed("too_many_turns", f"对话内容最多 {MAX_TURNS} 条", field="turns")
    for i, turn in enumerate(raw):
        if not isinstance(turn, dict):
            raise ValidationFailed("invalid_turns", f"turns[{i}] 必须是 JSON 对象", field=f"turns[{i}]")
    return raw


def _moment(data: dict[str, Any], key: str, tz: ZoneInfo) -> datetime | None:
    raw = data.get(key)
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationFailed("invalid_datetime", f"{key} 必须是 ISO-8601 时间", field=key)
    return value if value.tzinfo else value.replace(tzinfo=tz)
