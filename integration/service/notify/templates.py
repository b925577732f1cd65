"""Every text message the center sends, in one place: short, Simplified Chinese, signed with the
center's name (``CENTER_NAME``) in 【】 as Chinese SMS are. Each stays within two SMS segments
(134 characters); ``tests/unit/integration/test_sms_templates.py`` checks them all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

WEEKDAYS = "一二三四五六日"
MAX_CHARS = 134  # two concatenated SMS segments of 67 UCS-2 characters


def when(moment: datetime, tz: ZoneInfo) -> str:
    """'12月3日（周三）09:00' in center time."""
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日（周{WEEKDAYS[local.weekday()]}）{local:%H:%M}"


@dataclass(frozen=True)
class Templates:
    center_name: str
    hotline: str
    tz: ZoneInfo
    # Only when replies reach us (the provider's inbound webhook is set up) is "回复退订" offered.
    replies_handled: bool = False

    @property
    def _sign(self) -> str:
        return f"【{self.center_name}】"

    @property
    def _stop(self) -> str:
        return "回复“退订”不再接收。" if self.replies_handled else ""

    def case_registered(self, case_no: str, contact_by: datetime) -> str:
        return (f"{self._sign}您的纠纷已登记，案件编号{case_no}，工作人员将于{when(contact_by, self.tz)}前"
                f"联系您。凭编号可向解纷助手查询进度，热线{self.hotline}。{self._stop}")

    def case_routed(self, case_no: str, institution: str, contact_by: datetime) -> str:
        return (f"{self._sign}您的案件{case_no}已转交{institution}办理，承办人员将于"
                f"{when(contact_by, self.tz)}前联系您。热线{self.hotline}。")

    def case_closed(self, case_no: str, outcome: str) -> str:
        return (f"{self._sign}您的案件{case_no}已办结，结果：{outcome}。我们会在一个月内回访您；"
                f"如有疑问请拨打{self.hotline}。")

    def appointment_booked(self, ref: str, start: datetime, place: str, mediator: str) -> str:
        return (f"{self._sign}预约成功：{when(start, self.tz)}，{place}，调解员{mediator}，预约号{ref}。"
                f"请带身份证和材料提前10分钟到达。{self._stop}")

    def appointment_rescheduled(self, ref: str, start: datetime, place: str, mediator: str) -> str:
        return (f"{self._sign}您的预约已改到{when(start, self.tz)}，{place}，调解员{mediator}，"
                f"新预约号{ref}，原预约已取消。热线{self.hotline}。")

    def appointment_cancelled(self, ref: str, start: datetime) -> str:
        return (f"{self._sign}您{when(start, self.tz)}的预约（预约号{ref}）已取消。"
                f"需要重新预约请找解纷助手或拨打{self.hotline}。")

    def appointment_reminder(self, ref: str, start: datetime, place: str, mediator: str) -> str:
        return (f"{self._sign}提醒：您预约了{when(start, self.tz)}在{place}调解，调解员{mediator}，"
                f"预约号{ref}。不能前来请拨打{self.hotline}改约。")

    def opted_out(self) -> str:
        """The reply to "退订" (sent by the provider as the answer to the inbound message)."""
        return f"{self._sign}您已退订，此后不再发送短信通知。查询案件进度请拨打{self.hotline}。"
