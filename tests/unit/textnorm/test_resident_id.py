import pytest

from textnorm.resident_id import checksum_char, is_valid_resident_id, normalize_resident_id

# The example of GB 11643-1999 and numbers built with its checksum.
VALID = ["11010519491231002X", "440524188001010014"]


@pytest.mark.parametrize("number", VALID)
def test_accepts_numbers_with_a_correct_checksum(number: str) -> None:
    assert is_valid_resident_id(number)


def test_checksum_of_the_standard_example() -> None:
    assert checksum_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",
        "11010519491331002X",
        "11010519490230002X",
        "1101051949123100",
        "ABCDEFGHIJKLMNOPQR",
    ],
)
def test_rejects_bad_checksum_date_or_shape(number: str) -> None:
    assert not is_valid_resident_id(number)


def test_finds_an_id_in_free_text_with_spaces_and_lower_case_x() -> None:
    assert normalize_resident_id("身份证号 110105 19491231 002x") == "11010519491231002X"
    assert normalize_resident_id("身份证 110105194912310021") is None
