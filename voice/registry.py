"""Calls the gateway knows about: announced by a signed webhook, then live on a stream."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from voice.core.session import CallSession

PENDING_TTL_S = 120.0  # Twilio opens the stream within seconds of our answer


@dataclass
class CallRegistry:
    pending: dict[str, tuple[str, float]] = field(default_factory=dict)  # call_sid → (caller, since)
    active: dict[str, CallSession] = field(default_factory=dict)
    finished: dict[str, float] = field(default_factory=dict)
    early_prompts: dict[str, int] = field(default_factory=dict)  # playback ended before the stream began

    def expect(self, call_sid: str, caller: str) -> None:
        now = time.monotonic()
        for sid, (_, since) in list(self.pending.items()):
            if since < now - PENDING_TTL_S:
                del self.pending[sid]
        self.pending[call_sid] = (caller, now)

    def known(self, call_sid: str) -> bool:
        return call_sid in self.pending or call_sid in self.active or call_sid in self.finished

    def note_early_prompt(self, call_sid: str, turn: int) -> bool:
        """Remember a prompt that ended before the call's stream started; False if unknown."""
        if call_sid not in self.pending:
            return False
        self.early_prompts[call_sid] = turn
        return True

    def claim(self, call_sid: str) -> str | None:
        """The caller's number for a pending call (once), else None."""
        entry = self.pending.pop(call_sid, None)
        return entry[0] if entry else None

    def close(self, call_sid: str) -> None:
        self.active.pop(call_sid, None)
        self.early_prompts.pop(call_sid, None)
        self.finished[call_sid] = time.monotonic()
        if len(self.finished) > 10_000:
            self.finished.pop(next(iter(self.finished)))
