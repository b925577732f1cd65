"""Case status state machine.

    received --register--> registered --route--> routed --start_mediation--> in_mediation
                               |  ^                 |  ^                          |
                               |  +----reroute------+  +--------reroute-----------+
                               |                    |                             |
                               +--close(withdrawn)--+--------close(outcome)-------+--> closed
    closed --record_follow_up--> followed_up
"""

from __future__ import annotations

from enum import Enum

from integration.service.domain.errors import InvalidTransition, ValidationFailed


class Status(str, Enum):
    RECEIVED = "received"
    REGISTERED = "registered"
    ROUTED = "routed"
    IN_MEDIATION = "in_mediation"
    CLOSED = "closed"
    FOLLOWED_UP = "followed_up"


class Outcome(str, Enum):
    SETTLED = "settled"
    NOT_SETTLED = "not_settled"
    REFERRED_ARBITRATION = "referred_arbitration"
    REFERRED_COURT = "referred_court"
    WITHDRAWN = "withdrawn"


STATUS_NAMES: dict[Status, str] = {
    Status.RECEIVED: "已接收",
    Status.REGISTERED: "已登记",
    Status.ROUTED: "已分流",
    Status.IN_MEDIATION: "调解中",
    Status.CLOSED: "已结案",
    Status.FOLLOWED_UP: "已回访",
}

OUTCOME_NAMES: dict[Outcome, str] = {
    Outcome.SETTLED: "调解成功",
    Outcome.NOT_SETTLED: "调解不成",
    Outcome.REFERRED_ARBITRATION: "转仲裁",
    Outcome.REFERRED_COURT: "转诉讼",
    Outcome.WITHDRAWN: "当事人撤回",
}

# action -> (allowed source states, target state)
TRANSITIONS: dict[str, tuple[frozenset[Status], Status]] = {
    "register": (frozenset({Status.RECEIVED}), Status.REGISTERED),
    "route": (frozenset({Status.REGISTERED}), Status.ROUTED),
    "reroute": (frozenset({Status.REGISTERED, Status.ROUTED, Status.IN_MEDIATION}), Status.ROUTED),
    "start_mediation": (frozenset({Status.ROUTED}), Status.IN_MEDIATION),
    "close": (frozenset({Status.REGISTERED, Status.ROUTED, Status.IN_MEDIATION}), Status.CLOSED),
    "record_follow_up": (frozenset({Status.CLOSED}), Status.FOLLOWED_UP),
}

OPEN_STATUSES = frozenset({Status.RECEIVED, Status.REGISTERED, Status.ROUTED, Status.IN_MEDIATION})


def next_status(current: Status, action: str, outcome: Outcome | None = None) -> Status:
    """Return the state after `action`, or raise InvalidTransition."""
    if action not in TRANSITIONS:
        raise ValidationFailed("unknown_action", "未知的案件操作", field="action")
    sources, target = TRANSITIONS[action]
    if current not in sources:
        raise InvalidTransition(
            f"案件当前状态为“{STATUS_NAMES[current]}”，不能执行该操作"
        )
    if action == "close":
        if outcome is None:
            raise ValidationFailed("outcome_required", "结案必须填写结果", field="outcome")
        # Before routing nobody has mediated, so only a withdrawal can close the case.
        if current is Status.REGISTERED and outcome is not Outcome.WITHDRAWN:
            raise InvalidTransition("案件尚未分流，只能以当事人撤回结案")
    return target


def parse_outcome(value: object) -> Outcome:
    try:
        return Outcome(str(value))
    except ValueError as exc:
        raise ValidationFailed("invalid_outcome", "结案结果不正确", field="outcome") from exc
