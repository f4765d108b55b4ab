"""The allocation list (分配去向, seed 001 §1 "宣布了今年新选派的51名挂职干部分配去向") of the
selection batches of the period's year published by programmes run in the region: a title,
an opening sentence with the number allocated, and per batch a table person → township
(分配去向) → post title → home unit.

The rows come from the people app's own row-building selector
(`people.selection.selectors.allocation_rows`), the one the published Excel and Word
lists use. The count in the opening sentence is the number of those rows: the list is
the record (the engine's `cadres_new` counts terms *starting* in the period, and a batch
selected in one year usually takes office the next spring)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tiantou.core import regioncodes
from tiantou.core.periods import Period
from tiantou.people.models import Batch
from tiantou.people.selection.selectors import AllocationRow, allocation_rows

from ..document import Figure
from ..writer import Writer
from . import ReportKind, register
from .programme_work import tier

COLUMNS = ["序号", "姓名", "性别", "职称", "派出单位", "分配去向", "职务"]


def _batches(scope, year: int) -> list:
    """Batches of `year` of programmes run inside the scope's region, published or not.

    Read here because `people` has no actor-free selector for it yet (see the report)."""
    if scope.region is None:
        return []
    low, high = regioncodes.subtree_range(scope.region.code)
    return list(
        Batch.objects.filter(programme__region__code__range=(low, high), year=year)
        .select_related("programme", "programme__region")
        .order_by("programme__name", "number", "pk")
    )


def _row(row: AllocationRow) -> list:
    return [row.number, row.name, row.gender, row.title, row.home_unit, row.destination, row.post]


def build(*, scope, period: Period, today=None):
    w = Writer(scope=scope, period=period, indicators=[], today=today)
    year = period.start.year
    batches = _batches(scope, year)
    published = [b for b in batches if b.status == "published"]
    lists = [(batch, allocation_rows(batch=batch)) for batch in published]
    if len(published) == 1:
        batch = published[0]
        title = f"{scope.name}{year}年第{batch.number}批{batch.programme.name}分配去向"
    else:
        title = f"{scope.name}{year}年新选派干部分配去向"

    if not lists:
        waiting = [b for b in batches if b.status != "published"]
        names = "、".join(f"{b.programme.name}第{b.number}批" for b in waiting)
        reason = f"{names}尚未公布分配去向" if waiting else "尚无选派批次"
        w.gap(f"{year}年新选派干部的分配去向——{reason}，公布后重新生成")
        return w.document(title)

    t = tier(scope)
    slots: dict[str, Figure] = {}
    parts = []
    for batch, rows in lists:
        name = f"n{len(slots)}"
        slots[name] = Figure(
            text=f"{len(rows)}名",
            indicator="",
            value=str(len(rows)),
            unit="名",
            label=f"{batch} · 分配去向",
            url=reverse("people:batch_detail", args=[batch.pk]),
        )
        batch_name = batch.programme.name
        if len(lists) > 1:
            batch_name += f"第{batch.number}批"
        parts.append(f"{batch_name}挂职干部{{{name}}}")
    w.paragraph(
        f"经个人报名、单位推荐、竞争答辩和{t}委组织部研究，确定了{year}年新选派的"
        f"{'、'.join(parts)}，现将分配去向公布如下：",
        **slots,
    )
    for batch, rows in lists:
        caption = f"{batch.programme.name}{year}年第{batch.number}批分配去向"
        if rows:
            w.table(caption, COLUMNS, [_row(r) for r in rows])
        else:
            w.gap(f"{caption}——该批次没有入选人员")
    w.paragraph(
        "请各乡镇和派出单位按照分配去向，做好新选派干部的交接和到岗工作；"
        "新选派干部要按时到岗，尽快熟悉情况，进入角色。"
    )
    return w.document(title)


register(
    ReportKind(
        key="allocation",
        name=_("Allocation list of a selection batch"),
        build=build,
        levels=frozenset({2, 3}),
        periods=frozenset({"year"}),
    )
)
