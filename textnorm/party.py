"""Who the other party of a dispute can be, as far as the words alone tell.

A citizen's own relative named in a story is, in a medical, traffic, work or consumer dispute,
almost always the person harmed ("我父亲在医院做手术后…", "我儿子被车撞了"), not the party the
dispute is against: the hospital, the driver, the employer, the shop. The entity extractor cannot
tell the two roles apart, so such a word is not taken as the other party there; the form asks
instead. In family, inheritance, land, neighbour and loan disputes a relative is often exactly the
other party ("我哥不还钱", "我父亲不给我分房"), so there it is kept.
"""

from __future__ import annotations

import re

# Kinship words a citizen uses for their own family (with 我/我的/我家/俺 in front or not).
_KIN = (
    "父亲|母亲|爸爸|妈妈|爸|妈|老爸|老妈|爹|娘|儿子|女儿|孩子|小孩|闺女|老公|老婆|丈夫|妻子|爱人|媳妇"
    "|爷爷|奶奶|外公|外婆|姥姥|姥爷|哥哥|姐姐|弟弟|妹妹|哥|姐|弟|妹|家人|家属|老伴|公公|婆婆|岳父|岳母"
    "|孙子|孙女|外孙|外孙女|亲戚"
)
_OWN_RELATIVE = re.compile(rf"^(?:我|我的|我家|俺|俺家|俺的)?(?:{_KIN})$")
# Categories where a relative named in the story is the person harmed, not the other party.
VICTIM_CATEGORIES = frozenset({"medical", "traffic", "labour", "consumer"})


def own_relative(text: str) -> bool:
    """True for "父亲", "我爸", "俺闺女": the citizen's own relative and nobody else."""
    return bool(_OWN_RELATIVE.match(re.sub(r"\s+", "", text)))


def respondent_from_story(value: str | None, category: str | None) -> str | None:
    """The other party an entity named in a story, unless it is the citizen's own relative in a
    dispute where relatives are the ones harmed (then None: the form asks)."""
    if not value:
        return None
    if category in VICTIM_CATEGORIES and own_relative(value):
        return None
    return value
