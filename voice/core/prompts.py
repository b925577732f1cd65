"""Fixed Mandarin prompts of the voice line (short sentences, no markup)."""

from __future__ import annotations


def opening(recording: bool) -> str:
    """The AI/recording notice and the greeting, played as soon as the call is answered."""
    notice = (
        "您好，这里是非诉讼纠纷化解中心。本电话由智能助手接听，通话内容会转成文字保存，仅用于办理您的事项。"
    )
    if recording:
        notice += "本次通话将会录音。"
    return notice + "任何时候按0可以转人工。请问有什么可以帮您？"


NO_ASR_IN_HOURS = (
    "您好，这里是非诉讼纠纷化解中心。抱歉，智能语音服务暂时不可用。正在为您转接工作人员，请稍候。"
)
NO_ASR_AFTER_HOURS = (
    "您好，这里是非诉讼纠纷化解中心。抱歉，智能语音服务暂时不可用，现在工作人员也不在线。"
    "我们已经记录了您的来电号码，工作人员会在下一个工作时段给您回电。再见。"
)
STAFF_NO_ANSWER = "抱歉，工作人员暂时无法接听。我们已经记录了您的来电，会尽快给您回电。再见。"
