"""Call transcripts and hand-off packets, stored per conversation for staff review."""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol

_SAFE_ID_RE = re.compile(r"[^A-Za-z0-9_.-]")


def safe_name(conversation_id: str) -> str:
    """A conversation id as a file name (ids come from Twilio or tickets, but never trust them)."""
    return _SAFE_ID_RE.sub("_", conversation_id)


class RecordStore(Protocol):
    def append(self, conversation_id: str, entry: dict[str, Any]) -> None: ...

    def save_handoff(self, conversation_id: str, packet: dict[str, Any]) -> None: ...


def private_dir(path: Path) -> None:
    """Created 0700 whatever the umask: transcripts hold what callers said, and their numbers."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.chmod(0o700)


def _open_private(path: Path, flags: int) -> int:
    fd = os.open(path, flags | os.O_CREAT, 0o600)
    os.fchmod(fd, 0o600)  # also tightens a file an older version created 0644
    return fd


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``, readable by its owner only."""
    with os.fdopen(_open_private(path, os.O_WRONLY | os.O_TRUNC), "w", encoding="utf-8") as out:
        out.write(text)


class FileRecordStore:
    """``<dir>/transcripts/<id>.jsonl`` (one line per event) and ``<dir>/handoffs/<id>.json``,
    folders 0700 and files 0600: readable by the gateway's own user only."""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir

    def _path(self, kind: str, conversation_id: str, suffix: str) -> Path:
        private_dir(self.base_dir)
        folder = self.base_dir / kind
        private_dir(folder)
        return folder / f"{safe_name(conversation_id)}{suffix}"

    def append(self, conversation_id: str, entry: dict[str, Any]) -> None:
        path = self._path("transcripts", conversation_id, ".jsonl")
        with os.fdopen(_open_private(path, os.O_WRONLY | os.O_APPEND), "a", encoding="utf-8") as out:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")

    def save_handoff(self, conversation_id: str, packet: dict[str, Any]) -> None:
        path = self._path("handoffs", conversation_id, ".json")
        write_private(path, json.dumps(packet, ensure_ascii=False, indent=1))

    def transcript(self, conversation_id: str) -> list[dict[str, Any]]:
        path = self._path("transcripts", conversation_id, ".jsonl")
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@dataclass
class MemoryRecordStore:
    transcripts: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    handoffs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def append(self, conversation_id: str, entry: dict[str, Any]) -> None:
        self.transcripts.setdefault(conversation_id, []).append(entry)

    def save_handoff(self, conversation_id: str, packet: dict[str, Any]) -> None:
        self.handoffs[conversation_id] = packet

    def transcript(self, conversation_id: str) -> list[dict[str, Any]]:
        return self.transcripts.get(conversation_id, [])


class CallTranscript:
    """Appends timestamped events of one call; keeps them in memory for the hand-off packet."""

    def __init__(self, store: RecordStore, conversation_id: str, channel: str) -> None:
        self._store = store
        self.conversation_id = conversation_id
        self.channel = channel
        self._t0 = time.monotonic()
        self.entries: list[dict[str, Any]] = []

    def add(self, kind: str, **fields: Any) -> dict[str, Any]:
        entry = {
            "at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
            "t_ms": round((time.monotonic() - self._t0) * 1000),
            "kind": kind,
            **{k: v for k, v in fields.items() if v is not None},
        }
        self.entries.append(entry)
        self._store.append(self.conversation_id, entry)
        return entry

    def handoff(self, reason: str, caller: str, callback: bool, **extra: Any) -> dict[str, Any]:
        """Store the packet staff see when they pick up (or call back): reason, caller, transcript."""
        packet = {
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "reason": reason,
            "caller": caller,
            "type": "callback" if callback else "transfer",
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "transcript": [e for e in self.entries if e["kind"] in ("caller", "bot", "dtmf", "slot")],
            **extra,
        }
        self._store.save_handoff(self.conversation_id, packet)
        self.add("handoff", reason=reason, type=packet["type"])
        return packet
