"""Periods: keys read and written back, Chinese labels, last year, a running period."""

import datetime as dt

import pytest

from tiantou.core.periods import Period


@pytest.mark.parametrize(
    ("key", "start", "end", "label"),
    [
        ("2026", dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026年"),
        ("2026-H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026年上半年"),
        ("2026-Q3", dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026年第三季度"),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29), "2024年2月"),
        (
            "2024-03-01..2027-02-28",
            dt.date(2024, 3, 1),
            dt.date(2027, 2, 28),
            "2024年3月1日至2027年2月28日",
        ),
    ],
)
def test_keys_read_and_write_back(key, start, end, label):
    period = Period.parse(key)
    assert (period.start, period.end, period.key, period.label) == (start, end, key, label)


@pytest.mark.parametrize(
    "text", ["", "去年", "2026-13", "2026-H3", "0000", "2026-02-30..2026-03-01"]
)
def test_unreadable_periods_are_refused_with_a_message(text):
    with pytest.raises(ValueError, match="2026-H1"):
        Period.parse(text)


def test_an_end_before_the_start_is_refused():
    with pytest.raises(ValueError) as error:
        Period.parse("2026-03-01..2026-01-01")
    assert "2026-H1" not in str(error.value)


def test_last_year_and_a_running_period():
    assert Period.parse("2024-02").last_year().key == "2023-02"
    assert Period.between(dt.date(2024, 2, 29), dt.date(2024, 3, 5)).last_year().start == dt.date(
        2023, 2, 28
    )
    running = Period.year(2026).cut(dt.date(2026, 11, 23))
    assert (running.start, running.end) == (dt.date(2026, 1, 1), dt.date(2026, 11, 23))
    assert Period.year(2025).cut(dt.date(2026, 11, 23)) == Period.year(2025)
    assert len(Period.year(2026).months()) == 12
    assert Period.year(2026).elapsed_share(dt.date(2026, 7, 2)) == pytest.approx(183 / 365)


def test_a_month_covered_in_part_is_a_range_not_the_whole_month():
    january, february = Period.between(dt.date(2026, 1, 1), dt.date(2026, 2, 15)).months()
    assert january == Period.month(2026, 1) and january.key == "2026-01"
    assert (february.start, february.end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 15))
    assert february.key == "2026-02-01..2026-02-15"
    last_year = february.last_year()
    assert (last_year.start, last_year.end, last_year.key) == (
        dt.date(2025, 2, 1),
        dt.date(2025, 2, 15),
        "2025-02-01..2025-02-15",
    )
    assert Period.parse(february.key) == february


def test_last_year_of_a_named_period_is_the_whole_named_period():
    assert Period.parse("2025-02").last_year() == Period.parse("2024-02")
    assert Period.parse("2025-02").last_year().end == dt.date(2024, 2, 29)
    assert Period.parse("2025-Q1").last_year() == Period.parse("2024-Q1")
    assert Period.parse("2025-H2").last_year() == Period.parse("2024-H2")
    assert Period.parse("2025").last_year() == Period.parse("2024")
    assert [m.key for m in Period.parse("2025-Q1").months()] == ["2025-01", "2025-02", "2025-03"]
