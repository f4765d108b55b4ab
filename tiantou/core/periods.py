"""Report periods: a month, quarter, half-year, year or any range of days (a posting term).

A period is written as a short key that travels in URLs and the API:
``2026`` (year), ``2026-H1`` (half-year), ``2026-Q3`` (quarter), ``2026-05`` (month) and
``2024-03-01..2027-02-28`` (any range, e.g. a posting term). ``Period.parse`` reads them
and raises ``ValueError`` with a Chinese message for anything else.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

YEAR, HALF, QUARTER, MONTH, RANGE = "year", "half", "quarter", "month", "range"
_YEAR_RE = re.compile(r"^(\d{4})$")
_HALF_RE = re.compile(r"^(\d{4})-?H([12])$", re.IGNORECASE)
_QUARTER_RE = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")
_RANGE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _shift_year(day: dt.date, years: int) -> dt.date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, order=True)
class Period:
    """A closed range of days [start, end] with a kind and its key."""

    start: dt.date
    end: dt.date
    kind: str = RANGE

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), YEAR)

    @classmethod
    def half(cls, year: int, half: int) -> "Period":
        first = 1 if half == 1 else 7
        return cls(dt.date(year, first, 1), _month_end(year, first + 5), HALF)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        first = 3 * quarter - 2
        return cls(dt.date(year, first, 1), _month_end(year, first + 2), QUARTER)

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(dt.date(year, month, 1), _month_end(year, month), MONTH)

    @classmethod
    def between(cls, start: dt.date, end: dt.date) -> "Period":
        if end < start:
            raise ValueError(_("The period ends before it starts."))
        return cls(start, end, RANGE)

    @classmethod
    def parse(cls, text: str) -> "Period":
        """A period from its key; ValueError with a Chinese message when unreadable."""
        value = (text or "").strip()
        try:
            if match := _YEAR_RE.match(value):
                return cls.year(int(match[1]))
            if match := _HALF_RE.match(value):
                return cls.half(int(match[1]), int(match[2]))
            if match := _QUARTER_RE.match(value):
                return cls.quarter(int(match[1]), int(match[2]))
            if (match := _MONTH_RE.match(value)) and 1 <= int(match[2]) <= 12:
                return cls.month(int(match[1]), int(match[2]))
            if match := _RANGE_RE.match(value):
                start = dt.date.fromisoformat(match[1])
                end = dt.date.fromisoformat(match[2])
                return cls.between(start, end)
        except ValueError as error:
            if str(error) == _("The period ends before it starts."):
                raise
        raise ValueError(
            _(
                "“%(value)s” is not a period: write 2026, 2026-H1, 2026-Q3, 2026-05 "
                "or 2024-03-01..2027-02-28."
            )
            % {"value": value}
        )

    @property
    def key(self) -> str:
        if self.kind == YEAR:
            return f"{self.start.year}"
        if self.kind == HALF:
            return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        """The period as a Chinese report writes it: 2026年上半年, 2026年第三季度, 2026年5月."""
        year = self.start.year
        if self.kind == YEAR:
            return f"{year}年"
        if self.kind == HALF:
            return f"{year}年" + ("上半年" if self.start.month == 1 else "下半年")
        if self.kind == QUARTER:
            return f"{year}年第{QUARTER_NAMES[(self.start.month + 2) // 3]}季度"
        if self.kind == MONTH:
            return f"{year}年{self.start.month}月"
        return (
            f"{self.start.year}年{self.start.month}月{self.start.day}日至"
            f"{self.end.year}年{self.end.month}月{self.end.day}日"
        )

    def __str__(self) -> str:
        return self.label

    def last_year(self) -> "Period":
        """The same period a year earlier (同比): a named period stays whole (February 2025
        compares with all of February 2024, 29 days), a range keeps its days."""
        if self.kind == RANGE:
            return Period(_shift_year(self.start, -1), _shift_year(self.end, -1), RANGE)
        year = self.start.year - 1  # a named period starts on a 1st and ends in its year
        return Period(self.start.replace(year=year), _month_end(year, self.end.month), self.kind)

    def months(self) -> list["Period"]:
        """The calendar months the period touches, each cut to the period: a month the
        period covers only in part (1–15 February) is a range, not the whole month."""
        months = []
        year, month = self.start.year, self.start.month
        while dt.date(year, month, 1) <= self.end:
            whole = Period.month(year, month)
            first, last = max(whole.start, self.start), min(whole.end, self.end)
            months.append(
                whole if (first, last) == (whole.start, whole.end) else Period(first, last, RANGE)
            )
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def cut(self, today: dt.date) -> "Period":
        """The part of the period up to `today` (the whole period once it is over): what
        "the same period last year" compares with while a period is running."""
        if today >= self.end or today < self.start:
            return self
        return Period(self.start, today, RANGE)

    def elapsed_share(self, today: dt.date) -> float:
        """How much of the period has passed on `today` (0 before it, 1 after it)."""
        if today < self.start:
            return 0.0
        if today >= self.end:
            return 1.0
        return ((today - self.start).days + 1) / ((self.end - self.start).days + 1)
