"""The promise of issue 17 end to end, with real processes: an intake kept in the bot's outbox
while the case service is down is delivered later, registered once, and its case number is
texted (through the Twilio SDK, to a local stand-in for Twilio's API); the receipt the citizen
was given finds the case."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from integration.client import BufferedCaseSystem, FileOutbox, OutboxDrainer
from integration.client.receipts import QUEUED, REGISTERED
from tests.fake_twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, fake_twilio
from tests.integration.pg import free_port
from tests.integration.test_process_e2e import INTAKE, ServiceProcess, _client


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with fake_twilio() as fake:
        yield fake


@pytest.fixture
def texting_service(tmp_path: Path, twilio: FakeTwilio) -> Iterator[ServiceProcess]:
    svc = ServiceProcess(tmp_path / "cases.db", free_port())
    svc.env.update({
        "SMS_PROVIDER": "twilio", "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_SMS_FROM": "+15005550006",
        "TWILIO_API_BASE_URL": twilio.url, "SMS_QUIET_HOURS": "", "SMS_DISPATCH_INTERVAL_S": "0.2",
        "SMS_PUBLIC_URL": "", "PUBLIC_URL": "", "CENTER_NAME": "测试县非诉讼纠纷化解中心"})
    yield svc
    svc.kill()


async def test_intake_queued_while_down_is_texted_once_delivered(
        texting_service: ServiceProcess, twilio: FakeTwilio, tmp_path: Path) -> None:
    outbox = FileOutbox(tmp_path / "outbox")
    buffered = BufferedCaseSystem(_client(texting_service), outbox)
    try:
        outcome = await buffered.create_case(INTAKE, "sms-later-1")  # the service is not running
        assert not outcome.registered and outcome.receipt_id is not None
        receipt = outcome.receipt_id
        assert (await buffered.receipt_status(receipt)).state == QUEUED  # from the outbox

        texting_service.start()
        drainer = OutboxDrainer(outbox, _client(texting_service))
        assert (await drainer.drain_once()).delivered == 1
        assert (await drainer.drain_once()).delivered == 0

        found = await buffered.receipt_status(receipt)
        assert found.state == REGISTERED and found.case is not None
        (text,) = twilio.wait_for(1)
        assert text["To"] == "+86" + INTAKE.applicant_phone
        assert found.case.case_no in text["Body"] and "【测试县非诉讼纠纷化解中心】" in text["Body"]
        again = await buffered.create_case(INTAKE, "sms-later-1")  # a late retry of the same intake
        assert again.case_no == found.case.case_no
        queue = httpx.get(f"{texting_service.url}/api/cases/{found.case.case_no}/notifications",
                          headers={"Authorization": "Bearer dev-staff-token"}, timeout=5).json()
        assert [n["kind"] for n in queue["items"]] == ["case_registered"]  # one event, one text
        assert len(twilio.accepted) == 1
    finally:
        await buffered.aclose()
