"""The password policy: length, three kinds of character, not common, not like the names."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from conftest import PASSWORD
from tiantou.accounts.models import User
from tiantou.accounts.validators import character_classes


def _codes(password, user=None):
    try:
        validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.mark.parametrize("password", [PASSWORD, "Tiantou-demo-2026", "Xin-mima-2026", "Gq7-zhen"])
def test_good_passwords_pass(password):
    assert _codes(password) == set()


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1-xyz", "password_too_short"),
        ("tiantoutest2026", "password_too_simple"),  # lower case and digits only
        ("TIANTOU-TEST", "password_too_simple"),  # upper case and symbols only
        ("12345678", "password_too_simple"),
        ("Password1", "password_too_common"),
    ],
)
def test_weak_passwords_fail(password, code):
    assert code in _codes(password)


def test_password_like_the_user_name_fails(db):
    user = User(username="wangxiaoming", name="王小明")
    assert "password_too_similar" in _codes("Wangxiaoming1", user)


def test_minimum_length_is_a_setting(settings):
    assert settings.TIANTOU_PASSWORD_MIN_LENGTH == 8
    assert "password_too_short" not in _codes("Ab1-xyzq")


def test_character_classes():
    assert character_classes("abc") == 1
    assert character_classes("aB3!") == 4
    assert character_classes("密码Ab") == 2


def test_message_names_the_rule(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "tiantou.accounts.validators.CharacterClassValidator",
            "OPTIONS": {"min_classes": 4},
        }
    ]
    with pytest.raises(ValidationError) as raised:
        validate_password("Abcdefg1")
    assert "4" in raised.value.messages[0]
    assert _codes("Abcdefg1!") == set()
