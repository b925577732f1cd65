"""What the web API says to citizens when something goes wrong (the page shows ``message``)."""

from __future__ import annotations

ERRORS: dict[str, str] = {
    "unauthorized": "会话已过期，请刷新页面后重新开始。",
    "bad_request": "消息格式不正确，请重新输入。",
    "empty_message": "请输入您想咨询的内容。",
    "too_long": "消息太长了（最多{limit}个字），请分几次发送。",
    "bot_unavailable": "系统暂时繁忙，您的消息没有送达，请稍后再试；急事请拨打热线 {hotline}。",
}


def error_text(code: str, **values: object) -> str:
    """The Chinese sentence for an error code, with its placeholders filled."""
    return ERRORS[code].format(**values)
