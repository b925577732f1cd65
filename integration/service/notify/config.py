"""Settings of text-message notifications (``SMS_*``, ``TWILIO_*``, ``CENTER_*``; see ENV.md)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo

from integration.envparse import SettingsError, env_float, env_str
from integration.service.notify.policy import QuietHours

PROVIDERS = ("twilio",)
STATUS_PATH, INBOUND_PATH = "/twilio/sms/status", "/twilio/sms/inbound"


@dataclass(frozen=True)
class NotifySettings:
    provider: str = ""  # "" (no texts are sent, and nothing says they are) or "twilio"
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base_url: str = ""  # tests and proxies; empty: Twilio's own API
    public_url: str = ""  # https base Twilio reaches for delivery reports and replies
    center_name: str = "示范县非诉讼纠纷化解中心"
    center_hotline: str = "0539-12348"
    center_address: str = "示范县人民路100号公共法律服务中心一楼"
    quiet_hours: str = "21:00-08:00"
    reminder_time: time = time(10, 0)
    dispatch_interval_s: float = 5.0
    retry_base_s: float = 30.0
    retry_max_s: float = 1800.0
    max_age_h: float = 72.0
    provider_timeout_s: float = 10.0
    country_code: str = "86"

    @property
    def enabled(self) -> bool:
        return bool(self.provider)

    @property
    def status_callback_url(self) -> str | None:
        return self.public_url.rstrip("/") + STATUS_PATH if self.public_url else None

    def quiet(self, tz: ZoneInfo) -> QuietHours | None:
        return QuietHours.parse("SMS_QUIET_HOURS", self.quiet_hours, tz)

    @classmethod
    def from_env(cls, e: Mapping[str, str]) -> NotifySettings:
        d = cls()
        provider = env_str(e, "SMS_PROVIDER", "").lower()
        if provider in ("none", "off"):
            provider = ""
        if provider and provider not in PROVIDERS:
            raise SettingsError(
                f"SMS_PROVIDER={provider!r}: use one of {', '.join(PROVIDERS)} or leave it empty")
        raw_time = env_str(e, "SMS_REMINDER_TIME", "10:00")
        try:
            reminder = time.fromisoformat(raw_time)
        except ValueError as exc:
            raise SettingsError(f"SMS_REMINDER_TIME={raw_time!r}: use HH:MM") from exc
        settings = cls(
            provider=provider,
            twilio_account_sid=env_str(e, "TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env_str(e, "TWILIO_AUTH_TOKEN", ""),
            twilio_from=env_str(e, "TWILIO_SMS_FROM", ""),
            twilio_messaging_service_sid=env_str(e, "TWILIO_MESSAGING_SERVICE_SID", ""),
            twilio_api_base_url=env_str(e, "TWILIO_API_BASE_URL", ""),
            public_url=env_str(e, "SMS_PUBLIC_URL", "") or env_str(e, "PUBLIC_URL", ""),
            center_name=env_str(e, "CENTER_NAME", d.center_name) or d.center_name,
            center_hotline=env_str(e, "CENTER_HOTLINE", d.center_hotline) or d.center_hotline,
            center_address=env_str(e, "CENTER_ADDRESS", d.center_address) or d.center_address,
            quiet_hours=env_str(e, "SMS_QUIET_HOURS", d.quiet_hours),
            reminder_time=reminder,
            dispatch_interval_s=env_float(e, "SMS_DISPATCH_INTERVAL_S", d.dispatch_interval_s),
            retry_base_s=env_float(e, "SMS_RETRY_BASE_S", d.retry_base_s),
            retry_max_s=env_float(e, "SMS_RETRY_MAX_S", d.retry_max_s),
            max_age_h=env_float(e, "SMS_MAX_AGE_H", d.max_age_h),
            provider_timeout_s=env_float(e, "SMS_PROVIDER_TIMEOUT_S", d.provider_timeout_s),
            country_code=env_str(e, "SMS_COUNTRY_CODE", d.country_code) or d.country_code,
        )
        settings.check()
        return settings

    def check(self) -> None:
        """A provider named without what it needs is an error at start-up, never a silent no-op."""
        if self.provider == "twilio":
            missing = [name for name, value in (("TWILIO_ACCOUNT_SID", self.twilio_account_sid),
                                                ("TWILIO_AUTH_TOKEN", self.twilio_auth_token)) if not value]
            if not (self.twilio_from or self.twilio_messaging_service_sid):
                missing.append("TWILIO_SMS_FROM or TWILIO_MESSAGING_SERVICE_SID")
            if missing:
                raise SettingsError(f"SMS_PROVIDER=twilio needs {', '.join(missing)}")
        positive = (("SMS_RETRY_BASE_S", self.retry_base_s), ("SMS_RETRY_MAX_S", self.retry_max_s),
                    ("SMS_MAX_AGE_H", self.max_age_h),
                    ("SMS_PROVIDER_TIMEOUT_S", self.provider_timeout_s))
        for name, value in positive:
            if value <= 0:
                raise SettingsError(f"{name}={value!r} must be positive")
        self.quiet(ZoneInfo("UTC"))  # raises on a malformed span
