"""What report kinds write with: figures from one engine evaluation, written in the seeds'
idioms by `core.numbers`, and the blocks they go into.

    w = Writer(scope=scope, period=period, indicators=KIND_INDICATORS)
    w.heading(1, "强化科技服务，基层科技工作扎实推进")
    w.paragraph("全年共开展科技培训{t}，培训农牧民{p}。", t=w.figure("trainings"),
                p=w.figure("trainees"))
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.utils import timezone

from tiantou.core import numbers
from tiantou.core.periods import Period
from tiantou.indicators import engine, registry
from tiantou.indicators.engine import Evaluation, Scope, Value
from tiantou.indicators.registry import STYLE_AMOUNT, STYLE_SHARE
from tiantou.indicators.templatetags.figures import chart_number, exact

from .document import CHART, GAP, HEADING, ITEMS, PARAGRAPH, TABLE, Block, Document, Figure


def phrase(value: Value) -> str:
    """A value as prose in its indicator's idiom (人次 stays 人次, 元 amounts precise)."""
    indicator = value.indicator
    if value.number is None:
        return ""
    if indicator.style == STYLE_SHARE:
        return numbers.percent(value.number)
    if indicator.style == STYLE_AMOUNT:
        return numbers.amount_phrase(value.number, indicator.unit)
    return numbers.count_phrase(value.number, indicator.unit)


class Writer:
    """Collects a report's blocks; every number comes from one engine evaluation of the
    kind's indicators for the scope and period (with last year and each subdivision)."""

    def __init__(
        self,
        *,
        scope: Scope,
        period: Period,
        indicators: Iterable[str],
        today: dt.date | None = None,
    ) -> None:
        self.scope = scope
        self.period = period
        self.today = today or timezone.localdate()
        self.evaluation: Evaluation = engine.evaluate(
            list(indicators),
            scope=scope,
            period=period,
            by=engine.CHILDREN if scope.region is not None else None,
            compare=True,
            today=self.today,
        )
        self.blocks: list[Block] = []

    @property
    def span_label(self) -> str:
        """The period as the figures cover it: "2026年" once it is over, "2026年（截至11月23日）"
        while it runs."""
        if self.today >= self.period.end or self.today < self.period.start:
            return self.period.label
        return f"{self.period.label}（截至{self.today.month}月{self.today.day}日）"

    # ---- figures ----

    def value(self, key: str, group: str | None = None) -> Value:
        return self.evaluation.value(key, group)

    def number(self, key: str, group: str | None = None) -> int | Decimal | None:
        return self.value(key, group).number

    def figure(self, key: str, group: str | None = None, *, text: str = "") -> Figure:
        """The value as a quoted figure: its prose, exact value, label and records link."""
        value = self.value(key, group)
        label = f"{value.indicator.name} · {self._group_label(group)} · {self.period.label}"
        return Figure(
            text=text or phrase(value),
            indicator=key,
            value=None if value.number is None else str(value.number),
            unit=value.indicator.unit,
            label=label,
            url=value.url,
        )

    def growth(self, key: str) -> Figure | None:
        """同比增长30.6% (or 提高3个百分点 for shares) as a figure; None from a zero base."""
        value = self.value(key)
        if value.is_share:
            text = numbers.change_in_points(value.number, value.previous)
        else:
            text = numbers.growth_phrase(value.number, value.previous)
        if text is None:
            return None
        figure = self.figure(key, text=text)
        figure.label = f"{value.indicator.name} · 同比 · {self.period.label}"
        return figure

    def leaders(self, key: str, limit: int = 3) -> list[str]:
        """The subdivisions that contributed most to an indicator (named examples)."""
        groups = [
            g
            for g in self.evaluation.groups
            if not g.is_own_level and (self.number(key, g.key) or 0) > 0
        ]
        groups.sort(key=lambda g: (-(self.number(key, g.key) or 0), g.key))
        return [g.label for g in groups[:limit]]

    def _group_label(self, group: str | None) -> str:
        if group is None:
            return self.scope.name
        for g in self.evaluation.groups:
            if g.key == group:
                return g.label
        return group

    # ---- blocks ----

    def _add(self, kind: str, **fields) -> Block:
        block = Block(id=f"b{len(self.blocks) + 1}", kind=kind, **fields)
        self.blocks.append(block)
        return block

    def heading(self, level: int, text: str) -> Block:
        return self._add(HEADING, level=level, text=text)

    def paragraph(self, template: str, **figures: "Slot") -> Block:
        """A paragraph; `{name}` in the template is replaced by the figure's prose. A slot
        may be (prefix, figure): "，同比增长30.6%" when there is a figure, nothing when None."""
        text, quoted = _fill(template, figures)
        return self._add(PARAGRAPH, text=text, figures=_in_order(text, quoted))

    def items(self, items: Sequence[tuple[str, Mapping[str, "Slot"]]], *, lead: str = "") -> Block:
        """一是…；二是… from (template, slots) pairs; empty templates are left out."""
        texts: list[str] = []
        quoted: list[Figure] = []
        for template, figures in items:
            text, found = _fill(template, figures)
            texts.append(text)
            quoted += found
        block = self._add(ITEMS, text=lead, items=[t for t in texts if t])
        block.figures = _in_order(block.full_text, quoted)
        return block

    def table(
        self, caption: str, columns: list[str], rows: list[list], urls: list[list] | None = None
    ) -> Block:
        """A table: exact values; `urls` gives each cell's records link (or "")."""
        cells = [["" if c is None else str(c) for c in row] for row in rows]
        return self._add(
            TABLE, text=caption, table={"columns": columns, "rows": cells, "urls": urls or []}
        )

    def children_chart(self, caption: str, key: str) -> Block | None:
        """A bar chart of one indicator per subdivision; None without any value above 0."""
        groups = [g for g in self.evaluation.groups if (self.number(key, g.key) or 0) > 0]
        if not groups:
            return None
        indicator = registry.get(key)
        values = [chart_number(self.number(key, g.key)) for g in groups]
        return self._add(
            CHART,
            text=caption,
            table={
                "labels": [g.label for g in groups],
                "series": [{"name": str(indicator.name), "values": values}],
                "unit": indicator.unit,
            },
        )

    def gap(self, text: str) -> Block:
        """A clearly marked gap: data that does not exist yet, never a made-up number."""
        return self._add(GAP, text=text)

    def document(self, title: str, subtitle: str = "") -> Document:
        return Document(title=title, subtitle=subtitle, blocks=self.blocks)

    # ---- tables from the evaluation ----

    def children_table(self, caption: str, keys: list[str]) -> Block | None:
        """A table of the indicators per subdivision with the total; None without any."""
        if not self.evaluation.groups:
            return None
        indicators = [registry.get(k) for k in keys]
        columns = [str(self.scope.name)] + [f"{i.name}（{i.unit}）" for i in indicators]
        rows, urls = [], []
        for group in [*self.evaluation.groups, None]:
            key = None if group is None else group.key
            label = "合计" if group is None else group.label
            values = [self.value(k, key) for k in keys]
            if group is not None and group.is_own_level and not any(v.number for v in values):
                continue  # the county's own level, with nothing of these indicators
            rows.append([label] + [_exact(v) for v in values])
            urls.append([""] + [v.url for v in values])
        columns[0] = "区划"
        return self.table(caption, columns, rows, urls)


Slot = Figure | None | tuple[str, Figure | None]


def _fill(template: str, slots: Mapping[str, Slot]) -> tuple[str, list[Figure]]:
    """The template with each slot's prose, and the figures quoted."""
    texts: dict[str, str] = {}
    quoted: list[Figure] = []
    for name, slot in slots.items():
        prefix, figure = slot if isinstance(slot, tuple) else ("", slot)
        texts[name] = "" if figure is None else prefix + figure.text
        if figure is not None:
            quoted.append(figure)
    return template.format(**texts), quoted


def _exact(value: Value) -> str:
    return exact(value.number, share=value.is_share)


def _in_order(text: str, figures: Iterable[Figure]) -> list[Figure]:
    """Figures sorted by where their text first appears (for linking in order)."""
    placed = [(text.find(f.text), f) for f in figures if f.text and f.text in text]
    return [f for _pos, f in sorted(placed, key=lambda p: p[0])]
