"""What must always hold for every parser a citizen's text reaches, over generated text
(hypothesis): phones, resident IDs, amounts, dates, names, case numbers, the mediator asked for,
remarks about the form, and the log mask. Each parser takes any text without raising, and
what it returns is always well formed; a valid value hidden in noise is always found."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from textnorm.amount import MAX_AMOUNT, parse_amount_yuan
from textnorm.case_no import find_case_no
from textnorm.datetime_zh import resolve
from textnorm.mask import mask_text
from textnorm.mediator_wish import mediator_wish
from textnorm.name import extract_person_name
from textnorm.nonanswer import classify_nonanswer, form_remark
from textnorm.phone import is_mobile, normalize_mobile
from textnorm.resident_id import checksum_char, is_valid_resident_id, normalize_resident_id

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SPOKEN = dict(zip("0123456789", "零幺二三四五六七八九", strict=True))
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# What citizens type: Chinese, digits, Latin letters, punctuation, spaces, emoji.
cjk = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
anything = st.text(
    alphabet=st.one_of(cjk, st.characters(codec="utf-8"), st.sampled_from("0123456789 -，。？！幺两")),
    max_size=120,
)
words = st.text(alphabet=cjk, max_size=12)
mobiles = st.builds(
    lambda second, rest: f"1{second}{rest}",
    st.sampled_from("3456789"),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(["110105", "370102", "440305", "510107"]))
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)))
    seq = draw(st.text(alphabet="0123456789", min_size=3, max_size=3))
    first17 = f"{region}{born:%Y%m%d}{seq}"
    return first17 + checksum_char(first17)


def grouped(number: str, sep: str) -> str:
    """138 0013 8000 / 138-0013-8000: as people group a number."""
    return sep.join([number[:3], number[3:7], number[7:]])


@PROPS
@given(anything)
def test_every_parser_takes_any_text(text: str) -> None:
    phone = normalize_mobile(text)
    assert phone is None or is_mobile(phone)
    number = normalize_resident_id(text)
    assert number is None or is_valid_resident_id(number)
    amount = parse_amount_yuan(text)
    assert amount is None or Decimal(0) < amount < MAX_AMOUNT
    case_no = find_case_no(text)
    assert case_no is None or re.fullmatch(r"JF-\d{4}-\d{6}", case_no)
    name = extract_person_name(text)
    assert name is None or 1 <= len(name) <= 40
    resolve(text, NOW)
    classify_nonanswer(text)
    form_remark(text)
    wish = mediator_wish(text)
    assert wish is None or bool(wish.name) != bool(wish.specialty)


@PROPS
@given(words, mobiles, words, st.sampled_from(["", " ", "-"]), st.booleans())
def test_a_mobile_number_in_a_sentence_is_found_however_it_is_written(
    before: str, phone: str, after: str, sep: str, spoken: bool
) -> None:
    written = grouped(phone, sep) if sep else phone
    if spoken:
        written = "".join(SPOKEN.get(c, c) for c in written)
    found = normalize_mobile(f"{before}我的手机是{written}。{after}")
    assert found == phone


@PROPS
@given(words, mobiles, resident_ids(), st.sampled_from(["", " ", "-", "，"]), st.booleans())
def test_no_phone_or_id_number_survives_the_log_mask(
    before: str, phone: str, number: str, sep: str, spoken: bool
) -> None:
    def written(value: str) -> str:
        text = sep.join(value[i : i + 4] for i in range(0, len(value), 4)) if sep else value
        return "".join(SPOKEN.get(c, c) for c in text) if spoken else text

    line = mask_text(f"{before}电话{written(phone)}，身份证{written(number)}")
    digits = "".join(c for c in line if c.isdigit() or c in "xX")
    assert phone not in digits and number[:-1] not in digits
    assert "****" in line and "**********" in line  # masked, not dropped: the line still reads


@PROPS
@given(resident_ids(), st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_a_resident_id_is_accepted_and_a_mistyped_one_never_is(number: str, at: int, delta: int) -> None:
    assert normalize_resident_id(f"身份证号 {number[:6]} {number[6:14]} {number[14:]}") == number
    digit = str((int(number[at]) + delta) % 10)
    mistyped = number[:at] + digit + number[at + 1 :]
    assert normalize_resident_id(mistyped) is None  # the check character catches one wrong digit


@PROPS
@given(st.integers(min_value=1, max_value=10**9), words)
def test_an_amount_with_its_currency_word_is_read_exactly(amount: int, after: str) -> None:
    assert parse_amount_yuan(f"一共{amount}元{after}") == Decimal(amount)
    # read from a story, a sum under 10 yuan is taken for a price and left to the amount question
    in_story = Decimal(amount) if amount >= 10 else None
    assert parse_amount_yuan(f"大概{amount}块钱", money_only=True) == in_story


@PROPS
@given(st.dates(min_value=date(2026, 12, 2), max_value=date(2027, 11, 30)))
def test_a_written_date_resolves_to_that_day(day: date) -> None:
    resolved = resolve(f"{day.month}月{day.day}日上午", NOW)
    assert resolved is not None and resolved.date == day


@PROPS
@given(st.integers(min_value=2000, max_value=2099), st.integers(min_value=1, max_value=999999), words)
def test_a_case_number_is_found_as_typed_or_spaced(year: int, serial: int, around: str) -> None:
    canonical = f"JF-{year}-{serial:06d}"
    assert find_case_no(f"{around}我的案件编号是jf {year} {serial:06d}") == canonical
    assert find_case_no(f"查询{canonical}{around}") == canonical
