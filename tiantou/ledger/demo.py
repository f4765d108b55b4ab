"""Demo data of the work ledger: a few hundred confirmed activities of the demo county across
types, townships and months of this year and the last, organised by the demo postings
and units, plus a few submitted ones waiting for confirmation.

Every record goes through `activity_create` (and `activity_confirm`, by the demo S&T
bureau). Each record's UUID is derived from the seed, and every random value is drawn
before anything is looked up, so a rerun draws the same records and adds nothing.
"""

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.people.choices import PostingStatus
from tiantou.people.models import Posting
from tiantou.regions.choices import Level, OrganisationKind
from tiantou.regions.models import Organisation, Region

from . import services
from .models import Activity, ActivityType, Technology

CONFIRMED = 300
SUBMITTED = 12
NAMESPACE = uuid.UUID("8d3c6a52-4f0e-4b8e-9a51-2f6c7d1e0b93")
CONFIRMER = "kjj"  # the demo S&T bureau (county admin) confirms; the author cannot
TITLES = {
    "training": ["{tech}培训班", "{place}农民实用技术培训", "新型职业农民培训"],
    "tech_promotion": ["{tech}推广", "{tech}示范推广"],
    "new_variety": ["{tech}引种试验", "新品种{tech}引进"],
    "consultation": ["{place}科技咨询服务", "科技专家坐诊"],
    "demo_base": ["{place}示范基地建设", "{tech}示范基地"],
    "enterprise_support": ["企业技术帮扶", "{place}企业上门服务"],
    "sci_week": ["{place}科技活动周"],
    "three_to_countryside": ["科技三下乡·{place}"],
    "popularisation_campaign": ["{place}科普大行动"],
    "lecture": ["{place}科普讲座", "{tech}专题讲座"],
    "exhibition": ["{place}科普展览"],
    "youth_activity": ["{place}青少年科技活动"],
    "media_output": ["县电视台科技专题"],
    "other": ["{place}科技服务"],
}
# (low, high) of each measure's demo values.
MEASURE_RANGES = {
    "participants": (15, 260),
    "experts": (1, 6),
    "consultations": (20, 400),
    "materials": (50, 800),
    "boards": (4, 30),
    "enterprises": (1, 5),
    "area_mu": (20, 600),
    "output_value": (50_000, 2_000_000),
}


def _draw(ctx, count: int) -> list[dict]:
    """The random part of each record, drawn in a fixed order from the seed."""
    rng = ctx.rng
    draws = []
    for index in range(count):
        draws.append(
            {
                "index": index,
                "type": rng.random(),
                "who": rng.random(),
                "by_unit": rng.random() < 0.2,
                "in_village": rng.random() < 0.5,
                "day": rng.random(),
                "title": rng.random(),
                "measures": [rng.random() for _key in MEASURE_RANGES],
                "techs": (rng.random(), rng.random(), rng.random()),
            }
        )
    return draws


def _pick(items: list, fraction: float):
    return items[min(int(fraction * len(items)), len(items) - 1)]


def _day(first: datetime.date, last: datetime.date, fraction: float) -> datetime.date:
    span = max((last - first).days, 0)
    return first + datetime.timedelta(days=int(fraction * span))


def _fields(draw: dict, *, kinds, postings, units, villages, techs, today, recent: bool) -> dict:
    kind = _pick(kinds, draw["type"])
    earliest = datetime.date(today.year - 1, 1, 1)
    posting = None if draw["by_unit"] or not postings else _pick(postings, draw["who"])
    if posting is not None:
        region = posting.host_region
        first = max(earliest, posting.starts_on)
        last = min(today, posting.ended_on or posting.ends_on)
        organisation = None
    else:
        organisation = _pick(units, draw["who"])
        region = organisation.region
        if region.level < Level.TOWNSHIP:
            region = _pick(list(villages.values()), draw["who"])
        first, last = earliest, today
    if draw["in_village"] and region.level == Level.TOWNSHIP and region.code in villages:
        region = villages[region.code]
    if recent:
        first = max(first, today - datetime.timedelta(days=30))
    starts_on = _day(first, last, draw["day"])
    chosen = []
    if kind.records_technologies:
        count = 1 + int(draw["techs"][0] * 2)
        picked = [_pick(techs, f) for f in draw["techs"][1:][:count]]
        chosen = list({t.pk: t for t in picked}.values())
    measures: dict = {}
    for (key, (low, high)), fraction in zip(MEASURE_RANGES.items(), draw["measures"], strict=True):
        if key in kind.measures:
            value = low + int(fraction * (high - low))
            measures[key] = Decimal(value) if key in ("area_mu", "output_value") else value
    place = region.name
    tech = chosen[0].name if chosen else "农业新技术"
    title = _pick(TITLES.get(kind.key, ["{place}科技服务"]), draw["title"])
    return {
        "activity_type": kind,
        "title": title.format(place=place, tech=tech)[:200],
        "region": region,
        "starts_on": starts_on,
        "posting": posting,
        "organisation": organisation,
        "technologies": chosen,
        **measures,
    }


def seed(ctx) -> None:
    """A few hundred confirmed activities across the county, and a few waiting."""
    draws = _draw(ctx, CONFIRMED + SUBMITTED)
    low, high = ctx.county.subtree
    postings = list(
        Posting.objects.filter(
            host_region__code__range=(low, high),
            status__in=[PostingStatus.ACTIVE, PostingStatus.RECALLED],
        )
        .select_related("host_region", "person")
        .order_by("id")
    )
    units = list(
        Organisation.objects.filter(
            region__code__range=(low, high),
            kind__in=[OrganisationKind.DEPARTMENT, OrganisationKind.ASSOCIATION],
            is_active=True,
        )
        .select_related("region")
        .order_by("id")
    )
    kinds = list(ActivityType.objects.filter(is_active=True).order_by("order", "id"))
    techs = list(Technology.objects.filter(is_active=True).order_by("id"))
    villages: dict[str, Region] = {}
    for village in Region.objects.filter(
        code__range=(low, high), level=Level.VILLAGE, is_active=True
    ).order_by("code"):
        villages.setdefault(village.code[:9] + "000", village)
    if not kinds or not (postings or units):
        return
    confirmer = User.objects.filter(username=CONFIRMER).first()
    today = timezone.localdate()
    ids = [uuid.uuid5(NAMESPACE, f"{ctx.county.code}:{d['index']}") for d in draws]
    existing = set(Activity.objects.filter(uuid__in=ids).values_list("uuid", flat=True))
    created = confirmed = 0
    for draw, record_id in zip(draws, ids, strict=True):
        if record_id in existing:
            continue
        recent = draw["index"] >= CONFIRMED
        fields = _fields(
            draw,
            kinds=kinds,
            postings=postings,
            units=units or [],
            villages=villages,
            techs=techs,
            today=today,
            recent=recent,
        )
        if fields["posting"] is None and fields["organisation"] is None:
            continue
        activity, was_created = services.activity_create(
            actor=ctx.actor, uuid=record_id, submit=True, **fields
        )
        created += int(was_created)
        if not recent and confirmer is not None:
            services.activity_confirm(actor=confirmer, activity=activity)
            confirmed += 1
    ctx.log.append(
        _("Ledger: %(created)d activities new, %(confirmed)d of them confirmed.")
        % {"created": created, "confirmed": confirmed}
    )
