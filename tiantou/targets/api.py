"""API endpoints of target sheets: the sheets a user sees, and a sheet's progress (every
item's and every share's, against its target and the year's schedule)."""

import datetime
from decimal import Decimal

from ninja import Router, Schema

from tiantou.accounts.permissions import ensure_can
from tiantou.api.schemas import ERRORS, Id, Year

from . import selectors

router = Router(tags=["targets"])
VIEW_PERM = "targets.view_targetsheet"


class SheetOut(Schema):
    id: int
    region_code: str
    region_name: str
    year: int
    title: str
    status: str


class ProgressOut(Schema):
    target: Decimal | None
    stretch: Decimal | None
    actual: Decimal | None
    percent: Decimal | None
    expected_by_now: Decimal | None
    status: str
    status_name: str
    records_url: str


class ShareOut(Schema):
    receiver: str
    region_code: str | None
    organisation_id: int | None
    progress: ProgressOut


class ItemOut(Schema):
    id: int
    name: str
    indicator: str
    unit: str
    as_written: str
    progress: ProgressOut
    shares: list[ShareOut]


class SheetProgressOut(Schema):
    sheet: SheetOut
    on: datetime.date
    year_share_passed: float
    items: list[ItemOut]


def _sheet(sheet) -> dict:
    return {
        "id": sheet.pk,
        "region_code": sheet.region_id,
        "region_name": sheet.region.name,
        "year": sheet.year,
        "title": sheet.title,
        "status": sheet.status,
    }


def _progress(progress, base: str) -> dict:
    return {
        "target": progress.target,
        "stretch": progress.stretch,
        "actual": None if progress.actual is None else Decimal(progress.actual),
        "percent": progress.percent,
        "expected_by_now": progress.expected,
        "status": progress.status,
        "status_name": str(progress.status_label),
        "records_url": base + progress.url if progress.url else "",
    }


@router.get("/targets/", response={200: list[SheetOut], **ERRORS}, summary="Target sheets")
def target_sheet_list(request, year: Year | None = None):
    """Target sheets the user sees (their region's, and issued ones that give them a share)."""
    return [_sheet(sheet) for sheet in selectors.sheet_list(request.auth, year=year)]


@router.get(
    "/targets/{int:pk}/progress",
    response={200: SheetProgressOut, **ERRORS},
    summary="Progress of a target sheet",
)
def target_sheet_progress(request, pk: Id):
    """Every item's progress against its target and schedule, and each share's; a township
    that only receives shares of a sheet from above sees its own shares."""
    user = request.auth
    sheet = selectors.sheet_get(user, pk)
    whole = selectors.sees_whole(user, sheet)
    ensure_can(user, VIEW_PERM, sheet if whole else None)
    progress = selectors.sheet_progress(sheet)
    seen = selectors.shares_seen(user, sheet)
    base = request.build_absolute_uri("/")[:-1]
    items = []
    for row in progress.items:
        items.append(
            {
                "id": row.item.pk,
                "name": row.item.name,
                "indicator": row.item.indicator,
                "unit": row.item.unit,
                "as_written": selectors.target_text(row.item),
                "progress": _progress(row.progress, base),
                "shares": [
                    {
                        "receiver": share.split.receiver_name,
                        "region_code": share.split.region_id,
                        "organisation_id": share.split.organisation_id,
                        "progress": _progress(share.progress, base),
                    }
                    for share in row.splits
                    if seen(share.split)
                ],
            }
        )
    return {
        "sheet": _sheet(sheet),
        "on": progress.today,
        "year_share_passed": progress.year_share,
        "items": items,
    }
