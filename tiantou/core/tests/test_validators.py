import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tiantou.core.validators import USCC_ALPHABET, normalise_uscc, uscc_check_char

# Real-format codes: registration authority, type, 6-digit region, 9-char organisation code.
BODIES = [
    "91371321MA3C4D5E6",
    "12371321004567890",
    "51371321MJD123456",
    "93371321MA94XY0K1",
    "52371321MJ0000001",
]


def valid(body: str) -> str:
    return body + uscc_check_char(body)


@pytest.mark.parametrize("body", BODIES)
def test_valid_codes_pass(body):
    code = valid(body)
    assert normalise_uscc(code) == code


def test_spaces_and_lower_case_are_normalised():
    code = valid(BODIES[0])
    assert normalise_uscc(" " + code.lower()[:9] + " " + code.lower()[9:]) == code


def test_wrong_check_character_fails():
    code = valid(BODIES[0])
    wrong = next(c for c in USCC_ALPHABET if c != code[-1])
    with pytest.raises(ValidationError) as info:
        normalise_uscc(code[:-1] + wrong)
    assert info.value.code == "uscc_check"


@pytest.mark.parametrize("code", ["", "91371321MA3C4D5E6", "91371321MA3C4D5E6XX"])
def test_wrong_length_fails(code):
    with pytest.raises(ValidationError) as info:
        normalise_uscc(code)
    assert info.value.code == "uscc_length"


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_never_used_fail(letter):
    code = valid(BODIES[0])
    with pytest.raises(ValidationError) as info:
        normalise_uscc(code[:10] + letter + code[11:])
    assert info.value.code == "uscc_chars"


def test_region_part_must_be_digits():
    body = "9137A321MA3C4D5E6"
    with pytest.raises(ValidationError) as info:
        normalise_uscc(valid(body))
    assert info.value.code == "uscc_region"


codes = st.builds(
    lambda authority, kind, region, org: valid(authority + kind + region + org),
    st.sampled_from("1256789ANY"),
    st.sampled_from("123459"),
    st.text("0123456789", min_size=6, max_size=6),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)


@given(code=codes, position=st.integers(0, 17), replacement=st.sampled_from(USCC_ALPHABET))
def test_any_single_change_is_caught(code, position, replacement):
    normalise_uscc(code)  # the generated code itself is valid
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(ValidationError):
        normalise_uscc(changed)
