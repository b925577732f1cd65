"""Call records reach the case service, or wait on disk until they can."""

from __future__ import annotations

from pathlib import Path

from integration.client.errors import CaseRejected, CaseSystemUnavailable
from integration.client.types import ConversationRecord
from voice.core.archive import CaseServiceArchive
from voice.core.records import CallTranscript, FileRecordStore


class FakeCases:
    def __init__(self) -> None:
        self.records: list[ConversationRecord] = []
        self.error: Exception | None = None

    async def put_conversation(self, record: ConversationRecord) -> None:
        if self.error is not None:
            raise self.error
        self.records.append(record)


def _call(store: FileRecordStore, conversation_id: str = "phone-CA1") -> CallTranscript:
    transcript = CallTranscript(store, conversation_id, "phone")
    transcript.add("bot", turn=1, text="您好，请问有什么可以帮您？")
    transcript.add("caller", text="我要申请调解", confidence=0.91)
    transcript.add("call_end", reason="caller_hung_up")
    return transcript


async def test_the_whole_record_is_sent_with_its_times(tmp_path: Path) -> None:
    store, cases = FileRecordStore(tmp_path), FakeCases()
    _call(store)
    await CaseServiceArchive(cases, store).archive("phone-CA1", "phone")
    [record] = cases.records
    assert (record.conversation_id, record.channel) == ("phone-CA1", "phone")
    assert [t["kind"] for t in record.turns] == ["bot", "caller", "call_end"]
    assert record.turns[1]["confidence"] == 0.91
    assert record.started_at is not None and record.ended_at is not None
    assert record.started_at <= record.ended_at


async def test_a_record_the_service_missed_waits_on_disk_and_is_retried(tmp_path: Path) -> None:
    store, cases = FileRecordStore(tmp_path), FakeCases()
    archive = CaseServiceArchive(cases, store)
    _call(store)
    cases.error = CaseSystemUnavailable("connection refused")
    await archive.archive("phone-CA1", "phone")  # never raises: the call is over either way
    assert archive.pending() == [("phone-CA1", "phone")] and cases.records == []
    assert await archive.retry_pending() == 1  # still down
    cases.error = None
    assert await archive.retry_pending() == 0
    assert [r.conversation_id for r in cases.records] == ["phone-CA1"]
    assert archive.pending() == []


async def test_an_open_web_conversation_has_no_end_and_a_rejection_is_not_retried(tmp_path: Path) -> None:
    store, cases = FileRecordStore(tmp_path), FakeCases()
    transcript = CallTranscript(store, "web-0123456789abcdef", "web")
    transcript.add("caller", text="你好", confidence=0.8)
    archive = CaseServiceArchive(cases, store)
    await archive.archive("web-0123456789abcdef", "web")
    assert cases.records[0].ended_at is None
    cases.error = CaseRejected("invalid", "对话记录格式不正确", 400)
    await archive.archive("web-0123456789abcdef", "web")
    assert archive.pending() == []  # retrying a malformed record cannot help; the file stays
    assert store.transcript("web-0123456789abcdef")


async def test_nothing_recorded_nothing_sent(tmp_path: Path) -> None:
    cases = FakeCases()
    await CaseServiceArchive(cases, FileRecordStore(tmp_path)).archive("phone-none", "phone")
    assert cases.records == []
