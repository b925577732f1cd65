"""Loading an institution/mediator directory (the demo center by default) into an empty DB."""

from __future__ import annotations

import logging
from datetime import time
from pathlib import Path
from typing import Any

import yaml

from integration.service.adapters import orm
from integration.service.adapters.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


def _time(value: str) -> time:
    hour, minute = value.split(":")
    return time(int(hour), int(minute))


def _mediator(raw: dict[str, Any]) -> orm.Mediator:
    hours = [orm.WorkingHoursRow(weekday=day, start=_time(block["start"]), end=_time(block["end"]))
             for block in raw["hours"] for day in block["days"]]
    return orm.Mediator(code=raw["code"], name=raw["name"], hours=hours, title=raw.get("title"),
                        specialties=list(raw.get("specialties", [])),
                        languages=list(raw.get("languages", [])))


def load_directory(uow: UnitOfWork, path: Path) -> int:
    """Insert the institutions of `path` if the database has none; returns how many were added."""
    if uow.repo.institutions():
        return 0
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for raw in data["institutions"]:
        uow.repo.add(orm.Institution(
            code=raw["code"], name=raw["name"], kind=raw.get("kind", "people_mediation"),
            address=raw.get("address"), phone=raw.get("phone"),
            mediators=[_mediator(m) for m in raw.get("mediators", [])]))
    uow.commit()
    log.info("loaded %d institutions from %s", len(data["institutions"]), path.name)
    return len(data["institutions"])
