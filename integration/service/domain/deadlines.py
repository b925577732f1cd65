"""Deadline rules: routed within 12 h, first contact 12 h after routing, closed within 15 days,
follow-up visit within a month of closure (durations configurable)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class DeadlinePolicy:
    route: timedelta = timedelta(hours=12)
    contact: timedelta = timedelta(hours=12)
    close: timedelta = timedelta(days=15)
    follow_up: timedelta = timedelta(days=30)


@dataclass(frozen=True)
class Deadlines:
    route_by: datetime
    contact_by: datetime
    close_by: datetime
    follow_up_by: datetime


def at_registration(policy: DeadlinePolicy, registered_at: datetime) -> Deadlines:
    """Planned deadlines; contact and follow-up are re-based when routing and closure happen."""
    route_by = registered_at + policy.route
    close_by = registered_at + policy.close
    return Deadlines(
        route_by=route_by,
        contact_by=route_by + policy.contact,
        close_by=close_by,
        follow_up_by=close_by + policy.follow_up,
    )


def contact_after_routing(policy: DeadlinePolicy, routed_at: datetime) -> datetime:
    return routed_at + policy.contact


def follow_up_after_closure(policy: DeadlinePolicy, closed_at: datetime) -> datetime:
    return closed_at + policy.follow_up


OVERDUE_KINDS = ("route", "contact", "close", "follow_up")
