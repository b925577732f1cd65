"""Building the configured SMS sender (never at import time)."""

from __future__ import annotations

from integration.service.notify.config import NotifySettings
from integration.service.notify.port import SmsSender
from integration.service.notify.twilio_sms import TwilioSms


def sender_from_settings(settings: NotifySettings) -> SmsSender | None:
    """The provider's adapter, or None when no provider is configured (no texts are queued)."""
    if settings.provider == "twilio":
        return TwilioSms(settings.twilio_account_sid, settings.twilio_auth_token,
                         from_number=settings.twilio_from,
                         messaging_service_sid=settings.twilio_messaging_service_sid,
                         status_callback=settings.status_callback_url,
                         api_base_url=settings.twilio_api_base_url,
                         timeout_s=settings.provider_timeout_s)
    return None
