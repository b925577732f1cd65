"""Helpers around cn2an, the maintained library for Chinese numerals."""

from __future__ import annotations

import unicodedata
import warnings

import cn2an

# Characters a citizen (or an ASR engine) uses when reading digits one by one.
# 么 is how 幺 ("one" read out) often comes back from an IME, a recogniser or 麼 simplified.
SPOKEN_DIGIT_CHARS = "零〇洞一幺么二两三四五六七八九"


def to_halfwidth(text: str) -> str:
    """NFKC-fold full-width digits, letters and punctuation to ASCII."""
    return unicodedata.normalize("NFKC", text)


def spoken_digits_to_ascii(run: str) -> str | None:
    """Convert a run of digits read one by one (幺三八…, mixed with 0-9) to ASCII digits."""
    run = run.replace("洞", "零").replace("么", "幺")  # radio-style zero; 么 for 幺
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = cn2an.cn2an(run, "normal")
    except (ValueError, KeyError, TypeError):
        return None
    digits = str(value)
    # cn2an drops leading zeros; keep the citizen's length when it read digit by digit.
    if len(run) > len(digits) and set(run[: len(run) - len(digits)]) <= set("零〇0"):
        digits = "0" * (len(run) - len(digits)) + digits
    return digits


def chinese_number(text: str) -> float | None:
    """Value of a numeral written in Chinese or mixed form (两万三, 2.3万, 叁仟), else None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None
