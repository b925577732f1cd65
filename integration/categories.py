"""Dispute category codes and their Chinese labels, shared by the client and the service.

Kept free of third-party imports and valid on Python 3.10: the bot's action server imports it.
"""

from __future__ import annotations

CATEGORY_NAMES: dict[str, str] = {
    "family": "婚姻家庭",
    "neighbour": "邻里/相邻关系",
    "property": "物业",
    "labour": "劳动争议/欠薪/工伤",
    "medical": "医疗",
    "traffic": "交通事故",
    "consumer": "消费",
    "land": "土地承包/宅基地/征地",
    "contract": "合同/借贷/债务",
    "other": "其他",
}

CHANNELS: tuple[str, ...] = ("web", "phone", "robot", "walk-in")


def category_name(code: str) -> str:
    """Chinese label of a category code; raises KeyError for unknown codes."""
    return CATEGORY_NAMES[code]
