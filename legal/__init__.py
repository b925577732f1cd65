"""Legal information from PRC statute texts: index, curated answers, retrieval.

Nothing is loaded at import time; use :meth:`legal.answerer.LegalAnswerer.load`.
"""

from __future__ import annotations

__all__ = ["DISCLAIMER"]

DISCLAIMER = "以上为法律信息，不构成法律意见；具体问题请咨询律师或拨打12348公共法律服务热线。"
