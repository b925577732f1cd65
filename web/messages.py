"""What the web API says to citizens when something goes wrong (the page shows ``message``)."""

from __future__ import annotations

ERRORS: dict[str, str] = {
    "unauthorized": "会话已过期，请刷新页面后重新开始。",
    "bad_request": "消息格式不正确，请重新输入。",
    "empty_message": "请输入您想咨询的内容。",
    "too_long": "消息太长了（最多{limit}个字），请分几次发送。",
    "bot_unavailable": "系统暂时繁忙，您的消息没有送达，请稍后再试；急事请拨打热线 {hotline}。",
    "not_claimed": "请先接管这个会话，再发送消息。",
    "not_yours": "这个会话由其他工作人员接管，您不能代为回复。",
    "not_live": "这是电话转接或回电请求，不能在网页上直接对话。",
    "rasa_unavailable": "对话系统暂时无法访问，操作没有完成，请稍后重试。",
    "rate_limited": "您发送得太快了，请{seconds}秒后再试。",
    "locked_out": "尝试次数过多，请{minutes}分钟后再试。",
    "stale_option": "这个选项已失效，请直接输入您的回答。",
    "staff_live": "工作人员正在为您服务，请直接输入文字。",
    "csrf": "页面已过期或请求来源不明，操作没有执行，请刷新页面后重试。",
    "csrf_cross_site": "请求来源不明，操作没有执行。",
    "unauthorized_staff": "登录已过期，请重新登录。",
}

# Told to the citizen's page (and kept in the conversation's transcript) when a person joins or leaves.
TAKEOVER_NOTICE = "工作人员{staff}已接入，接下来由工作人员为您服务，请直接输入您的问题。"
PASSED_NOTICE = "工作人员{staff}已接替为您服务，请继续直接输入您的问题。"
RELEASED_NOTICE = "人工服务已结束，智能助手继续为您服务。如需再次转人工，请输入“转人工”。"
EVIDENCE_RECEIVED = "已收到您上传的材料“{name}”，工作人员办理时可以查看。"
WAITING_FOR_STAFF = "您的消息已送达工作人员，请稍候。"


def error_text(code: str, **values: object) -> str:
    """The Chinese sentence for an error code, with its placeholders filled."""
    return ERRORS.get(code, "请求失败，请稍后再试。").format(**values)
