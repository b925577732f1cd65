"""Parallel creations and bookings against real databases (threads, separate connections)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from integration.service.domain.errors import SlotTaken
from integration.service.services import appointments
from integration.service.services.context import ServiceContext
from tests.integration.helpers import register


def test_50_parallel_creations_get_50_consecutive_numbers(ctx: ServiceContext) -> None:
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(lambda i: register(ctx, key=f"k{i}"), range(50)))
    numbers = sorted(r["case_no"] for r in results)
    assert numbers == [f"JF-2026-{i:06d}" for i in range(1, 51)]


def test_parallel_retries_with_one_key_create_one_case(ctx: ServiceContext) -> None:
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: register(ctx, key="same"), range(10)))
    assert {r["case_no"] for r in results} == {"JF-2026-000001"}


def test_20_parallel_bookings_of_one_slot_give_one_booking(ctx: ServiceContext) -> None:
    start = datetime(2026, 3, 3, 9, tzinfo=ctx.tz)

    def attempt(i: int) -> str:
        try:
            with ctx.uow() as uow:
                appt = appointments.book(ctx, uow, "labour_arbitration", "m_labour_1", start,
                                         f"人{i}", f"138{i:08d}", None, "bot")
                uow.commit()
                return str(appt["ref"])
        except SlotTaken:
            return "taken"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    assert outcomes.count("taken") == 19
    booked = [a for i in range(20) for a in appointments.by_phone(ctx, f"138{i:08d}")]
    assert len(booked) == 1 and booked[0]["status"] == "booked"
