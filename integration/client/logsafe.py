"""Log lines without secrets, full conversation ids or personal data, in every process.

``install()`` wraps the logging record factory once, so every record of every logger (ours,
Sanic's, httpx's, Rasa's structlog, which renders through the standard library) is masked when it
is created, whatever handler later writes it. Valid Python 3.10 without dependencies: the Rasa
server and the action server (bot environment) install it as well as the services.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from textnorm.mask import mask_text

_SECRET_PARAM = re.compile(r"(?i)\b((?:token|secret|ticket|password|key|signature)=)[^&\s'\"]+")
_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+")
_TICKET = re.compile(r"\bv1\.[a-z]+-[0-9a-f]{8,32}\.\d+\.[0-9a-f]{32}\b")
_CONVERSATION = re.compile(r"\b((?:web|robot|phone|ext)-)([A-Za-z0-9]{4})[A-Za-z0-9_.:-]{4,}")
_CALL_SID = re.compile(r"\b(CA[0-9a-fA-F]{4})[0-9a-fA-F]{28}\b")

_installed = False


def short_id(conversation_id: str) -> str:
    """``web-3f9a…``: enough to tell conversations apart in a log, not to write into one."""
    return mask(conversation_id)


def mask(text: str) -> str:
    """Every secret, conversation id, call id, phone and ID number in ``text`` masked."""
    text = _TICKET.sub("v1.***", text)
    text = _SECRET_PARAM.sub(r"\1***", text)
    text = _BEARER.sub(r"\1***", text)
    text = _CALL_SID.sub(r"\1…", text)
    text = _CONVERSATION.sub(r"\1\2…", text)
    return mask_text(text)


def _mask_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed format string: leave it to the handler to report
        return
    record.msg, record.args = mask(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    if record.stack_info:
        record.stack_info = mask(record.stack_info)


def install() -> None:
    """Mask every log record from now on (idempotent; call it first thing in a process's main)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        _mask_record(record)
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
