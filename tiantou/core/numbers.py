"""Numbers in Chinese prose, the way the county's reports write them. One formatter owns the
idioms; tables always show exact values (see `indicators.templatetags.figures`).

Counts (`count_phrase`): below 10 exact ("7项"); 10–99 floored to the ten with 多
("63" → "60多期"); 100–9 999 floored to two significant digits with 余 ("356" →
"350余名"); from 10 000 in 万 (亿 from 100 000 000) floored to two significant digits
with 余 ("80 412" → "8万余人次", "15 300" → "1.5万余份"). A value already round at that
precision is written plainly ("60期", "8万人次"). A value within 5 % below a round figure
of one significant digit is written with 近 ("196" → "近200人", "9 650 000" → "近千万");
exact powers of ten use 十/百/千/万/亿 words.

Statistical amounts (`amount_phrase`) are precise: from 1亿 in 亿元 with two decimals
("6.19亿元"), from 1万 in whole 万元 ("6303万元"), below in 元.

Shares and growth (`percent`, `points`, `growth_phrase`): one decimal by default
("30.6%"), differences of shares in 个百分点 ("提高3个百分点", "提高2.5个百分点"); growth
from a zero or missing base is never printed as a percentage.

人次 and 人 are different measures: the caller passes the indicator's measure word, and
nothing here turns one into the other.
"""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

WAN = 10_000
YI = 100_000_000
POWER_WORDS = {
    10: "十",
    100: "百",
    1000: "千",
    10_000: "万",
    100_000: "十万",
    1_000_000: "百万",
    10_000_000: "千万",
    YI: "亿",
}
NEAR_SHARE = Decimal("0.95")


def plain(number: int | Decimal | None, *, missing: str = "") -> str:
    """A number as written in a sentence or a target: no separators, no trailing zeros, no
    exponent: 1.50 → "1.5", 8.0 → "8", 3000.00 → "3000", 1E+3 → "1000"; `missing` for
    None. The one helper for this: reports, targets, letters and templates use it."""
    if number is None:
        return missing
    text = format(Decimal(number).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _floor_significant(n: int, digits: int) -> int:
    """`n` floored to `digits` significant digits: 356 → 350, 80 412 → 80 000."""
    scale = 10 ** max(len(str(n)) - digits, 0)
    return n // scale * scale


def _magnitude(n: int, *, words: bool = False) -> str:
    """A round number in 万/亿 where it is large: 80 000 → "8万", 1.5亿, 350; with `words`
    an exact power of ten as a word (千万)."""
    if words and n in POWER_WORDS:
        return POWER_WORDS[n]
    if n >= YI:
        return f"{plain(Decimal(n) / YI)}亿"
    if n >= WAN:
        return f"{plain(Decimal(n) / WAN)}万"
    return str(n)


def _near(n: int) -> int | None:
    """The round figure of one significant digit just above `n`, if `n` is within 5 % below."""
    if n < 10:
        return None
    scale = 10 ** (len(str(n)) - 1)
    above = (n // scale + 1) * scale
    if Decimal(n) >= NEAR_SHARE * above and n % scale:
        return above
    return None


def count_phrase(number: int | Decimal, unit: str = "", *, near: bool = True) -> str:
    """A count or quantity as prose: 7项, 60多期, 350余名, 8万余人次, 近200人."""
    value = Decimal(number)
    if value < 0:
        return "-" + count_phrase(-value, unit, near=near)
    n = int(value.to_integral_value(ROUND_FLOOR))
    if n < 10:
        return f"{plain(value) if value != n else n}{unit}"
    if near and (above := _near(n)) is not None:
        return f"近{_magnitude(above, words=True)}{unit}"
    if n < 100:
        floored = n // 10 * 10
        return f"{floored}{'' if floored == n else '多'}{unit}"
    floored = _floor_significant(n, 2)
    suffix = "" if floored == n and value == n else "余"
    return f"{_magnitude(floored)}{suffix}{unit}"


def amount_phrase(number: int | Decimal, unit: str = "元") -> str:
    """A statistical amount, precisely: 6.19亿元, 6303万元, 8500元."""
    value = Decimal(number)
    if abs(value) >= YI:
        scaled = (value / YI).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return f"{plain(scaled)}亿{unit}"
    if abs(value) >= WAN:
        scaled = (value / WAN).quantize(Decimal("1"), ROUND_HALF_UP)
        return f"{scaled}万{unit}"
    return f"{plain(value.quantize(Decimal('0.01'), ROUND_HALF_UP))}{unit}"


def percent(number: int | Decimal, decimals: int = 1) -> str:
    """A share or rate: 30.6%, 23.2%, 100%."""
    step = Decimal(1).scaleb(-decimals)
    return f"{plain(Decimal(number).quantize(step, ROUND_HALF_UP))}%"


def points(number: int | Decimal, decimals: int = 1) -> str:
    """A difference of shares, without its sign: 3个百分点, 2.5个百分点."""
    step = Decimal(1).scaleb(-decimals)
    return f"{plain(abs(Decimal(number)).quantize(step, ROUND_HALF_UP))}个百分点"


def growth_phrase(
    current: int | Decimal | None, previous: int | Decimal | None, *, decimals: int = 1
) -> str | None:
    """同比增长30.6% / 同比下降5.2% / 与上年同期持平; None from a zero or missing base."""
    if current is None or previous is None or Decimal(previous) == 0:
        return None
    rate = (Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)
    rounded = rate.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    if rounded == 0:
        return "与上年同期持平"
    return f"同比{'增长' if rounded > 0 else '下降'}{percent(abs(rounded), decimals)}"


def change_in_points(
    current: int | Decimal | None, previous: int | Decimal | None, *, decimals: int = 1
) -> str | None:
    """提高3个百分点 / 下降0.5个百分点 / 持平; None when either share is missing."""
    if current is None or previous is None:
        return None
    change = (Decimal(current) - Decimal(previous)).quantize(
        Decimal(1).scaleb(-decimals), ROUND_HALF_UP
    )
    if change == 0:
        return "持平"
    return f"{'提高' if change > 0 else '下降'}{points(change, decimals)}"
