"""Demo data for the dispatch programmes: programmes, a register of people, a completed
earlier batch, current postings (one recalled), and a selection batch being scored.

Every write goes through the services. Random values are all drawn before anything is
looked up, so a rerun draws the same people and adds nothing.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.core import protected
from tiantou.core.validators import id_check_char
from tiantou.regions.choices import Level, OrganisationKind
from tiantou.regions.models import Organisation, Region

from . import services
from .choices import (
    ApplicationStatus,
    DispatchLevel,
    EngagementMode,
    PostingStatus,
    ProgrammeKind,
    TitleRank,
)
from .models import Batch, Person, Posting, Programme, Specialty
from .selection import services as selection

PEOPLE = 40
EARLIER_BATCH = range(0, 8)  # people 0–7: the 2021 batch, terms completed
POSTED = range(8, 32)  # people 8–31: in office now (one recalled)
APPLICANTS = range(32, 40)  # people 32–39: applicants of the batch being scored
RECALLED = 19
HIRED = 31

PROGRAMMES: list[dict[str, Any]] = [
    {
        "name": "科技副职",
        "kind": ProgrammeKind.DEPUTY,
        "treatment_grade": "副科级",
        "salary_step_up": True,
        "monthly_subsidy": Decimal("150"),
        "default_term_months": 36,
        "reports_per_year": 2,
        "training_hours_per_year": 40,
        "min_title_rank": TitleRank.JUNIOR,
    },
    {
        "name": "乡镇长科技助理",
        "kind": ProgrammeKind.ASSISTANT,
        "monthly_subsidy": Decimal("100"),
        "default_term_months": 24,
        "reports_per_year": 2,
    },
    {
        "name": "科技特派员",
        "kind": ProgrammeKind.COMMISSIONER,
        "monthly_subsidy": Decimal("100"),
        "default_term_months": 36,
        "reports_per_year": 1,
    },
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "建国秀英志强丽华明伟芳军红平敏静磊洋勇艳杰娟涛超霞刚桂兰玉凤春海文亮晓燕鹏飞宇辉"
ETHNIC = ["汉族"] * 18 + ["回族", "满族"]
# Title → (rank, home unit, specialties to draw from).
TITLES = [
    ("农艺师", TitleRank.INTERMEDIATE, "县农业农村局", ["种植业", "蔬菜", "植物保护", "土壤肥料"]),
    ("高级农艺师", TitleRank.ASSOCIATE_SENIOR, "县农业科学研究所", ["种植业", "果树", "食用菌"]),
    ("助理农艺师", TitleRank.JUNIOR, "县农业农村局", ["蔬菜", "农产品加工", "农业机械"]),
    ("畜牧师", TitleRank.INTERMEDIATE, "县畜牧兽医局", ["畜牧兽医"]),
    ("高级畜牧师", TitleRank.ASSOCIATE_SENIOR, "县畜牧兽医局", ["畜牧兽医", "水产"]),
    ("林业工程师", TitleRank.INTERMEDIATE, "县林业局", ["林业", "果树", "中药材"]),
]
EDUCATIONS = ["bachelor", "bachelor", "bachelor", "master", "college", "doctorate"]
POLITICAL = ["cpc", "cpc", "cpc", "masses", "democratic_party", "cyl"]
RECALL_REASON = "因原单位工作需要，经县委组织部同意调回原单位"


def _draw_people(ctx) -> list[dict]:
    """Forty people drawn from the seed: names, ID numbers, titles and specialties."""
    rng = ctx.rng
    prefix = ctx.county.code[:6]
    people: list[dict] = []
    names: set[str] = set()
    numbers: set[str] = set()
    for index in range(PEOPLE):
        name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2, 2))))
        while name in names:
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
        names.add(name)
        male = rng.random() < 0.7
        birth = datetime.date(1968, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 27))
        sequence = rng.randrange(50, 499) * 2 + (1 if male else 0)
        body = f"{prefix}{birth:%Y%m%d}{sequence:03d}"
        while body in numbers:
            sequence = (sequence + 2) % 1000
            body = f"{prefix}{birth:%Y%m%d}{sequence:03d}"
        numbers.add(body)
        title, rank, unit, fields = rng.choice(TITLES)
        people.append(
            {
                "index": index,
                "name": name,
                "gender": "M" if male else "F",
                "birth_date": birth,
                "id_number": body + id_check_char(body),
                "ethnic_group": rng.choice(ETHNIC),
                "education": rng.choice(EDUCATIONS),
                "political_status": rng.choice(POLITICAL),
                "title": title,
                "title_rank": rank,
                "home_unit": unit,
                "specialties": rng.sample(fields, min(len(fields), rng.choice((1, 2)))),
                "phone": f"13{rng.randrange(10**9):09d}",
                "score": Decimal(rng.randrange(7000, 9700)) / 100,
            }
        )
    return people


def _programmes(ctx) -> dict[str, Programme]:
    existing = {p.name: p for p in Programme.objects.filter(region=ctx.county)}
    for spec in PROGRAMMES:
        if spec["name"] not in existing:
            fields = dict(spec)
            existing[spec["name"]] = services.programme_create(
                actor=ctx.actor,
                region=ctx.county,
                name=fields.pop("name"),
                kind=fields.pop("kind"),
                **fields,
            )
    return existing


def _people(ctx, drawn: list[dict]) -> tuple[list[Person], int]:
    units = {
        o.name: o
        for o in Organisation.objects.filter(
            region=ctx.county, kind__in=(OrganisationKind.DEPARTMENT, OrganisationKind.INSTITUTE)
        )
    }
    specialties = {s.name: s for s in Specialty.objects.all()}
    digests = [protected.digest(p["id_number"]) for p in drawn]
    found = {p.id_number_digest: p for p in Person.objects.filter(id_number_digest__in=digests)}
    people, created = [], 0
    for digest, spec in zip(digests, drawn, strict=True):
        person = found.get(digest)
        if person is None:
            hired = spec["index"] == HIRED
            person = services.person_create(
                actor=ctx.actor,
                name=spec["name"],
                region=ctx.county,
                id_number=spec["id_number"],
                specialties=[specialties[n] for n in spec["specialties"] if n in specialties],
                gender=spec["gender"],
                birth_date=spec["birth_date"],
                ethnic_group=spec["ethnic_group"],
                political_status=spec["political_status"],
                education=spec["education"],
                title=spec["title"],
                title_rank=spec["title_rank"],
                phone=spec["phone"],
                home_unit=None if hired else units.get(spec["home_unit"]),
                is_demo=True,
            )
            created += 1
        people.append(person)
    return people, created


def _earlier_batch(ctx, programme: Programme, people: list[Person], townships) -> bool:
    """The 2021 batch of 科技副职 run through selection to the end; its terms are over."""
    if Batch.objects.filter(programme=programme, year=2021, number=1).exists():
        return False
    actor = ctx.actor
    batch = selection.batch_create(
        actor=actor,
        programme=programme,
        year=2021,
        number=1,
        term_start_on=datetime.date(2021, 3, 1),
        judges=[actor],
    )
    hosts = townships[: len(EARLIER_BATCH)]
    selection.batch_set_quotas(actor=actor, batch=batch, quotas={t: 1 for t in hosts})
    applications = [
        selection.application_create(
            actor=actor,
            batch=batch,
            person=people[i],
            recommended_by=people[i].home_unit,
            preferred_region=hosts[n % len(hosts)],
        )
        for n, i in enumerate(EARLIER_BATCH)
    ]
    selection.batch_start_scoring(actor=actor, batch=batch)
    for n, application in enumerate(applications):
        selection.score_record(
            actor=actor, application=application, score=Decimal("92.50") - n, comment=""
        )
    selection.batch_close_scoring(actor=actor, batch=batch)
    selection.batch_auto_allocate(actor=actor, batch=batch)
    selection.batch_publish(actor=actor, batch=batch)
    for posting in Posting.objects.filter(batch=batch, status=PostingStatus.PLANNED):
        services.posting_activate(actor=actor, posting=posting, on=posting.starts_on)
    # The nightly close-out, as it ran when these terms ended.
    services.postings_close_ended()
    return True


def _current_postings(ctx, programmes, people: list[Person], townships) -> int:
    """People 8–31 in office across the townships; one of them since recalled."""
    created = 0
    low, high = ctx.county.subtree
    bases = {
        o.region_id: o
        for o in Organisation.objects.filter(
            region__code__range=(low, high), kind=OrganisationKind.BASE
        ).order_by("id")
    }
    villages: dict[str, Region] = {}
    for village in Region.objects.filter(
        code__range=(low, high), level=Level.VILLAGE, is_active=True
    ).order_by("code"):
        villages.setdefault(village.parent_id or "", village)
    held = set(Posting.objects.filter(person__in=people).values_list("person_id", "programme_id"))
    for n, i in enumerate(POSTED):
        person, township = people[i], townships[n % len(townships)]
        if i < 20:
            programme, starts_on = programmes["科技副职"], datetime.date(2024, 3, 1)
            fields: dict[str, Any] = {"host_region": township}
        elif i < 26:
            programme, starts_on = programmes["乡镇长科技助理"], datetime.date(2025, 3, 1)
            fields = {"host_region": township}
        else:
            programme, starts_on = programmes["科技特派员"], datetime.date(2025, 6, 1)
            in_village = villages.get(township.code)
            fields = {
                "host_region": in_village or township,
                "host_organisation": None if in_village else bases.get(township.code),
                "dispatch_level": DispatchLevel.TOWNSHIP if i % 2 else DispatchLevel.COUNTY,
            }
            if i == HIRED:
                fields |= {"mode": EngagementMode.HIRED, "is_from_outside_county": True}
        if (person.pk, programme.pk) in held:
            continue
        posting = services.posting_create(
            actor=ctx.actor, person=person, programme=programme, starts_on=starts_on, **fields
        )
        posting = services.posting_activate(actor=ctx.actor, posting=posting, on=starts_on)
        if i == RECALLED:
            services.posting_recall(
                actor=ctx.actor,
                posting=posting,
                reason=RECALL_REASON,
                on=datetime.date(2025, 9, 15),
            )
        created += 1
    return created


def _selection_batch(
    ctx, programme: Programme, people: list[Person], townships, drawn: list[dict]
) -> bool:
    """The 2026 batch of 科技副职 with applicants and scores, not yet decided or published."""
    if Batch.objects.filter(programme=programme, year=2026, number=1).exists():
        return False
    actor = ctx.actor
    # The demo organisation department (`zzb`) judges too, so it can be shown scoring.
    second_judges = list(User.objects.filter(username="zzb"))
    batch = selection.batch_create(
        actor=actor,
        programme=programme,
        year=2026,
        number=1,
        term_start_on=datetime.date(2027, 3, 1),
        judges=[actor, *second_judges],
    )
    hosts = townships[-4:]
    selection.batch_set_quotas(actor=actor, batch=batch, quotas={t: 1 for t in hosts})
    applications = [
        selection.application_create(
            actor=actor,
            batch=batch,
            person=people[i],
            recommended_by=people[i].home_unit,
            preferred_region=hosts[n % len(hosts)],
        )
        for n, i in enumerate(APPLICANTS)
    ]
    selection.batch_start_scoring(actor=actor, batch=batch)
    scores = {p["index"]: p["score"] for p in drawn}
    for application, i in zip(applications, APPLICANTS, strict=True):
        if application.status == ApplicationStatus.APPLIED:
            selection.score_record(actor=actor, application=application, score=scores[i])
            for judge in second_judges:
                second = max(Decimal("60"), scores[i] - Decimal("3.5"))
                selection.score_record(actor=judge, application=application, score=second)
    return True


def _link_cadre(ctx, people: list[Person], township) -> bool:
    """The demo account `cadre` is the person in office in the first township."""
    cadre = User.objects.filter(username="cadre").first()
    if cadre is None or Person.objects.filter(user=cadre).exists():
        return False
    posting = (
        Posting.objects.filter(person__in=people, host_region=township, status=PostingStatus.ACTIVE)
        .select_related("person")
        .order_by("id")
        .first()
    )
    if posting is None or posting.person.user_id:
        return False
    services.person_update(actor=ctx.actor, person=posting.person, user=cadre)
    return True


def seed(ctx) -> None:
    """Programmes, forty people, the 2021 batch completed, postings now, a batch being scored."""
    townships = sorted(ctx.townships, key=lambda t: t.code)
    if not townships:
        return
    drawn = _draw_people(ctx)
    programmes = _programmes(ctx)
    people, people_created = _people(ctx, drawn)
    earlier = _earlier_batch(ctx, programmes["科技副职"], people, townships)
    postings = _current_postings(ctx, programmes, people, townships)
    scoring = _selection_batch(ctx, programmes["科技副职"], people, townships, drawn)
    linked = _link_cadre(ctx, people, townships[0])
    ctx.log.append(
        _(
            "People: %(people)d new; postings now: %(postings)d new; earlier batch: "
            "%(earlier)d new; batch being scored: %(scoring)d new; cadre linked: %(linked)d."
        )
        % {
            "people": people_created,
            "postings": postings,
            "earlier": int(earlier),
            "scoring": int(scoring),
            "linked": int(linked),
        }
    )
