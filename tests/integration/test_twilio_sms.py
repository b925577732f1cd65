"""The Twilio adapter and the case service's Twilio webhooks, against a local HTTP server
standing in for Twilio's Messaging API (the real SDK, pointed at it)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
from sanic import Sanic
from twilio.request_validator import RequestValidator

from integration.service.api.app import create_app
from integration.service.notify.config import NotifySettings
from integration.service.notify.port import OutgoingSms, ProviderRejected, ProviderUnavailable
from integration.service.notify.twilio_sms import TwilioSms
from integration.service.services import cases, sms_dispatch
from integration.service.services.context import ServiceContext
from integration.service.settings import Settings
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, fake_twilio
from tests.integration.helpers import STAFF, call, register
from tests.integration.pg import free_port
from tests.integration.sms_helpers import with_sms

PUBLIC = "https://center.example.cn"
MESSAGE = OutgoingSms(to="+8613800138000", body="【测试中心】您的纠纷已登记，案件编号JF-2026-000001。",
                      reference="1")


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with fake_twilio() as fake:
        yield fake


def _sender(fake: FakeTwilio, **kw: Any) -> TwilioSms:
    options: dict[str, Any] = {"from_number": "+15005550006",
                               "status_callback": f"{PUBLIC}/twilio/sms/status",
                               "api_base_url": fake.url, "timeout_s": 5.0}
    options.update(kw)
    return TwilioSms(ACCOUNT_SID, AUTH_TOKEN, **options)


def test_a_message_reaches_twilio(twilio: FakeTwilio, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    receipt = _sender(twilio).send(MESSAGE)
    (sent,) = twilio.accepted
    assert (receipt.provider, receipt.provider_id, receipt.status) == ("twilio", sent["sid"], "queued")
    assert sent["To"] == "+8613800138000" and sent["Body"] == MESSAGE.body
    assert sent["From"] == "+15005550006"
    assert sent["StatusCallback"] == f"{PUBLIC}/twilio/sms/status"
    assert "13800138000" not in caplog.text  # the SDK's request log is never shown


def test_a_messaging_service_sends_instead_of_a_number(twilio: FakeTwilio) -> None:
    _sender(twilio, from_number="", messaging_service_sid="MG" + "1" * 32).send(MESSAGE)
    assert twilio.accepted[0]["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in twilio.accepted[0]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_an_outage_is_retryable(twilio: FakeTwilio, status: int) -> None:
    twilio.fail_next(1, status)
    with pytest.raises(ProviderUnavailable):
        _sender(twilio).send(MESSAGE)


def test_unreachable_twilio_is_retryable() -> None:
    sender = TwilioSms(ACCOUNT_SID, AUTH_TOKEN, from_number="+15005550006",
                       api_base_url=f"http://127.0.0.1:{free_port()}", timeout_s=2.0)
    with pytest.raises(ProviderUnavailable):
        sender.send(MESSAGE)


def test_a_refused_number_is_not_retried_and_its_message_is_masked(twilio: FakeTwilio) -> None:
    twilio.reject_next(21211)
    with pytest.raises(ProviderRejected) as caught:
        _sender(twilio).send(MESSAGE)
    assert caught.value.code == "21211" and not caught.value.opted_out
    assert "13800138000" not in str(caught.value) and "138****8000" in str(caught.value)


def test_an_unsubscribed_recipient_is_reported(twilio: FakeTwilio) -> None:
    twilio.reject_next(21610, "Attempt to send to unsubscribed recipient")
    with pytest.raises(ProviderRejected) as caught:
        _sender(twilio).send(MESSAGE)
    assert caught.value.opted_out


def test_queue_through_twilio_survives_an_outage(ctx: ServiceContext, twilio: FakeTwilio) -> None:
    sms = with_sms(ctx)
    case_no = register(sms)["case_no"]
    twilio.fail_next(2)
    sender = _sender(twilio)
    for _ in range(2):
        assert sms_dispatch.dispatch_once(sms, sender).provider_down
        ctx.clock.advance(minutes=5)  # type: ignore[attr-defined]
    assert sms_dispatch.dispatch_once(sms, sender).sent == 1
    (sent,) = twilio.wait_for(1)
    assert case_no in sent["Body"] and twilio.attempts == 3


# -- the webhooks ----------------------------------------------------------------------------

@pytest.fixture
def sms_app(settings: Settings, ctx: ServiceContext, twilio: FakeTwilio) -> Sanic:
    notify = NotifySettings(provider="twilio", twilio_account_sid=ACCOUNT_SID,
                            twilio_auth_token=AUTH_TOKEN, twilio_from="+15005550006",
                            twilio_api_base_url=twilio.url, public_url=PUBLIC,
                            dispatch_interval_s=0)  # the tests dispatch themselves
    return create_app(replace(settings, notify=notify), name=f"sms_api_{free_port()}",
                      service=with_sms(ctx))


async def _webhook(app: Sanic, path: str, params: dict[str, str], signature: str | None = None
                   ) -> Any:
    sig = RequestValidator(AUTH_TOKEN).compute_signature(PUBLIC + path, params)
    headers = {"X-Twilio-Signature": sig if signature is None else signature,
               "Content-Type": "application/x-www-form-urlencoded"}
    return await call(app, "post", path, headers=headers, content=urlencode(params))


async def test_delivery_report_is_recorded(sms_app: Sanic, twilio: FakeTwilio) -> None:
    resp = await call(sms_app, "get", "/health", headers={})  # starts the app's listeners
    assert resp.status == 200
    ctx: ServiceContext = sms_app.ctx.service
    case_no = register(ctx)["case_no"]
    sms_dispatch.dispatch_once(ctx, sms_app.ctx.sms_sender)
    sid = twilio.wait_for(1)[0]["sid"]
    resp = await _webhook(sms_app, "/twilio/sms/status", {"MessageSid": sid,
                                                          "MessageStatus": "delivered"})
    assert resp.status == 204
    statuses = [e["detail"]["status"] for e in cases.audit_log(ctx, case_no)
                if e["action"] == "sms_status"]
    assert statuses == ["delivered"]
    listed = await call(sms_app, "get", f"/api/cases/{case_no}/notifications", headers=STAFF)
    (item,) = listed.json["items"]
    assert (item["status"], item["to"], item["provider_id"]) == ("delivered", "138****8000", sid)


async def test_a_wrong_signature_is_refused(sms_app: Sanic) -> None:
    resp = await _webhook(sms_app, "/twilio/sms/status", {"MessageSid": "SM1",
                                                          "MessageStatus": "delivered"}, "forged")
    assert resp.status == 403
    resp = await _webhook(sms_app, "/twilio/sms/inbound", {"From": "+8613800138000",
                                                           "Body": "退订"}, "")
    assert resp.status == 403


async def test_wrong_signatures_lock_out_guessers_but_never_twilio(settings: Settings,
                                                                   ctx: ServiceContext) -> None:
    notify = NotifySettings(provider="twilio", twilio_account_sid=ACCOUNT_SID,
                            twilio_auth_token=AUTH_TOKEN, twilio_from="+15005550006",
                            public_url=PUBLIC, dispatch_interval_s=0)
    lock = replace(settings.lock_policy, max_failures=3)
    app = create_app(replace(settings, notify=notify, lock_policy=lock),
                     name=f"sms_lock_{free_port()}", service=with_sms(ctx))
    params = {"MessageSid": "SM1", "MessageStatus": "delivered"}
    codes = [(await _webhook(app, "/twilio/sms/status", params, "forged")).status for _ in range(4)]
    assert codes == [403, 403, 429, 429]
    assert (await _webhook(app, "/twilio/sms/status", params)).status == 204  # Twilio, same address


async def test_reply_stop_opts_out_and_is_confirmed(sms_app: Sanic) -> None:
    await call(sms_app, "get", "/health", headers={})
    ctx = sms_app.ctx.service
    resp = await _webhook(sms_app, "/twilio/sms/inbound", {"From": "+8613800138000",
                                                           "Body": "退订", "MessageSid": "SM9"})
    assert resp.status == 200 and resp.headers["content-type"].startswith("application/xml")
    assert "<Message>" in resp.text and "已退订" in resp.text
    with ctx.uow() as uow:
        assert uow.repo.opted_out("13800138000")
    body = register(ctx)
    assert body["sms_queued"] is False
    other = await _webhook(sms_app, "/twilio/sms/inbound", {"From": "+8613900139000",
                                                            "Body": "你好"})
    assert other.status == 200 and "<Message>" not in other.text
    # staff turn texts back on at the citizen's request
    resp = await call(sms_app, "delete", "/api/sms/opt-outs/13800138000", headers=STAFF)
    assert resp.json == {"phone_masked": "138****8000", "opted_out": False, "removed": True}
    assert register(ctx, description="另一件事：楼上漏水")["sms_queued"] is True


async def test_the_bot_records_a_refusal(sms_app: Sanic) -> None:
    resp = await call(sms_app, "post", "/api/sms/opt-outs", json={"phone": "138 0013 8000"})
    assert resp.status == 201 and resp.json["phone_masked"] == "138****8000"
    again = await call(sms_app, "post", "/api/sms/opt-outs", json={"phone": "13800138000"})
    assert again.status == 200 and again.json["new"] is False
    bad = await call(sms_app, "post", "/api/sms/opt-outs", json={"phone": "12345"})
    assert bad.status == 422
    forbidden = await call(sms_app, "delete", "/api/sms/opt-outs/13800138000")
    assert forbidden.status == 403


async def test_cases_by_receipt_over_http(sms_app: Sanic) -> None:
    await call(sms_app, "get", "/health", headers={})
    case_no = register(sms_app.ctx.service, intake_receipt="RC-00AB12CD34")["case_no"]
    resp = await call(sms_app, "get", "/api/cases", params={"receipt": "RC-00AB12CD34"})
    assert [c["case_no"] for c in resp.json["items"]] == [case_no]
    failed = await call(sms_app, "get", "/api/staff/notifications",
                        params={"status": "failed,expired"}, headers=STAFF)
    assert failed.json == {"items": []}
