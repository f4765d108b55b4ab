"""The prose number formatter: the issue's examples, and properties over wide ranges."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tiantou.core.numbers import (
    amount_phrase,
    change_in_points,
    count_phrase,
    growth_phrase,
    percent,
    points,
)

WORDS = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "十万": 100_000, "百万": 10**6}
WORDS |= {"千万": 10**7, "亿": 10**8}


def read_back(phrase: str, unit: str) -> tuple[str, Decimal]:
    """(qualifier, number) of a phrase: ("余", 350) for "350余名"."""
    assert phrase.endswith(unit)
    body = phrase[: len(phrase) - len(unit)]
    qualifier = ""
    if body.startswith("近"):
        qualifier, body = "近", body[1:]
    elif body.endswith(("多", "余")):
        qualifier, body = body[-1], body[:-1]
    if body in WORDS:
        return qualifier, Decimal(WORDS[body])
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(万|亿)?", body)
    assert match, phrase
    scale = {"万": 10_000, "亿": 10**8, None: 1}[match[2]]
    return qualifier, Decimal(match[1]) * scale


@pytest.mark.parametrize(
    ("number", "unit", "expected"),
    [
        (7, "项", "7项"),
        (63, "期", "60多期"),
        (60, "期", "60期"),
        (356, "名", "350余名"),
        (350, "名", "350名"),
        (80_412, "人次", "8万余人次"),
        (15_300, "份", "1.5万余份"),
        (80_000, "人次", "8万人次"),
        (9_650_000, "元", "近千万元"),
        (196, "人", "近200人"),
        (100, "名", "100名"),
        (1_234_567, "元", "120万余元"),
        (150_000_000, "元", "1.5亿元"),
        (Decimal("150.5"), "亩", "150余亩"),
    ],
)
def test_counts_as_the_seeds_write_them(number, unit, expected):
    assert count_phrase(number, unit) == expected


def test_amounts_percentages_and_points():
    assert amount_phrase(619_000_000) == "6.19亿元"
    assert amount_phrase(63_030_000) == "6303万元"
    assert amount_phrase(8500) == "8500元"
    assert percent(Decimal("30.64")) == "30.6%"
    assert percent(Decimal("30.14"), 2) == "30.14%"
    assert points(3) == "3个百分点"
    assert points(Decimal("2.5")) == "2.5个百分点"
    assert change_in_points(Decimal("33.14"), Decimal("30.14")) == "提高3个百分点"
    assert change_in_points(Decimal("30"), Decimal("32.5")) == "下降2.5个百分点"


def test_growth_is_never_a_percentage_from_a_zero_or_missing_base():
    assert growth_phrase(619, 474) == "同比增长30.6%"
    assert growth_phrase(90, 100) == "同比下降10%"
    assert growth_phrase(5, 0) is None
    assert growth_phrase(5, None) is None
    assert growth_phrase(100, 100) == "与上年同期持平"


@given(st.integers(min_value=0, max_value=10**13), st.sampled_from(["人次", "名", "项", "份"]))
def test_a_count_phrase_never_overstates_nor_drops_more_than_its_precision(n, unit):
    phrase = count_phrase(n, unit)
    qualifier, shown = read_back(phrase, unit)
    if qualifier == "近":
        assert shown * Decimal("0.95") <= n < shown
    elif qualifier in ("多", "余"):
        assert shown < n
        precision = 10 if n < 100 else 10 ** (len(str(n)) - 2)
        assert n - shown < precision
    else:
        assert shown == n
    assert n < 10 or "." not in phrase or "万" in phrase or "亿" in phrase


@given(st.integers(min_value=0, max_value=10**13))
def test_plain_counts_are_exact_and_near_never_applies_without_asking(n):
    qualifier, shown = read_back(count_phrase(n, "人", near=False), "人")
    assert qualifier != "近"
    assert shown <= n


@given(st.decimals(min_value=0, max_value=10**13, places=2, allow_nan=False))
def test_an_amount_phrase_is_within_its_rounding(value):
    phrase = amount_phrase(value)
    qualifier, shown = read_back(phrase, "元")
    assert qualifier == ""
    tolerance = Decimal(10**6 / 2) if "亿" in phrase else Decimal(5000 if "万" in phrase else 0)
    assert abs(shown - value) <= tolerance + Decimal("0.005")


@given(
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
)
def test_growth_phrase_sign_follows_the_numbers(current, previous):
    phrase = growth_phrase(current, previous)
    if previous == 0:
        assert phrase is None
        return
    assert phrase is not None
    if phrase.startswith("同比增长"):
        assert current > previous
    elif phrase.startswith("同比下降"):
        assert current < previous
    else:
        assert phrase == "与上年同期持平"
