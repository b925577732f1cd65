"""The YAML routing table: category (and optionally place) -> competent institution code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from integration.categories import CATEGORY_NAMES


@dataclass(frozen=True)
class Rule:
    category: str
    institution: str
    place: str | None = None  # substring of the case location, e.g. a town name


@dataclass(frozen=True)
class RoutingTable:
    rules: tuple[Rule, ...]
    default: str

    def route(self, category: str, location: str | None) -> str:
        """Most specific match first: a rule naming a place that occurs in the location wins over
        the category-only rule; otherwise the default institution (the center's own window)."""
        candidates = [r for r in self.rules if r.category == category]
        for rule in candidates:
            if rule.place and location and rule.place in location:
                return rule.institution
        for rule in candidates:
            if rule.place is None:
                return rule.institution
        return self.default

    def institution_codes(self) -> set[str]:
        return {r.institution for r in self.rules} | {self.default}


def load_routing(path: Path) -> RoutingTable:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = []
    for raw in data.get("rules", []):
        if raw["category"] not in CATEGORY_NAMES:
            raise ValueError(f"{path}: unknown category {raw['category']!r}")
        rules.append(Rule(category=raw["category"], institution=raw["institution"],
                          place=raw.get("place")))
    return RoutingTable(rules=tuple(rules), default=data["default"])
