"""Traditional → Simplified Chinese (对 for 對): citizens in Hong Kong, Taiwan or with a
traditional input method, and recognisers that sometimes answer in traditional characters.

The tables (zhconv, MediaWiki's conversion data) load on first use, about 10 ms.
"""

from __future__ import annotations

import re

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def to_simplified(text: str) -> str:
    """The text in Simplified Chinese; ASCII-only text is returned as it is, without loading."""
    if not text or not _NON_ASCII.search(text):
        return text
    import zhconv  # imported here: loading the tables is work

    converted: str = zhconv.convert(text, "zh-cn")
    return converted
