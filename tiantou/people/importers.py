"""Excel import of the existing roster: one row is a person and one of their postings.

Cells are parsed without touching the database; `roster_import` then resolves the
references for the whole sheet at once, checks each row through the validators of
`services` (the rules of the person and posting services), and writes every row
through those services, or none.
"""

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.core import importing, protected
from tiantou.core.importing import Column, Importer, ImportResult, Lookup, ParsedRow
from tiantou.core.validators import normalise_id_number
from tiantou.regions.choices import Level
from tiantou.regions.models import Organisation, Region

from . import services
from .choices import (
    DispatchLevel,
    Education,
    EngagementMode,
    Gender,
    PoliticalStatus,
    PostingStatus,
    PostType,
    TitleRank,
)
from .models import Person, Posting, Programme, Specialty

# Words people type in rosters, accepted besides the choices' labels. They are input
# that is read, not text that is shown, so they stay in Chinese whatever the language.
GENDER_ALIASES: dict[str, Any] = {"男": Gender.MALE, "女": Gender.FEMALE}
POLITICAL_ALIASES: dict[str, Any] = {
    "中共党员": PoliticalStatus.CPC,
    "党员": PoliticalStatus.CPC,
    "中共预备党员": PoliticalStatus.CPC_PROBATIONARY,
    "预备党员": PoliticalStatus.CPC_PROBATIONARY,
    "共青团员": PoliticalStatus.CYL,
    "团员": PoliticalStatus.CYL,
    "民主党派": PoliticalStatus.DEMOCRATIC_PARTY,
    "群众": PoliticalStatus.NONE,
}
EDUCATION_ALIASES: dict[str, Any] = {
    "博士": Education.DOCTORATE,
    "博士研究生": Education.DOCTORATE,
    "硕士": Education.MASTER,
    "硕士研究生": Education.MASTER,
    "研究生": Education.MASTER,
    "本科": Education.BACHELOR,
    "大学本科": Education.BACHELOR,
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "大学专科": Education.COLLEGE,
    "中专": Education.SECONDARY,
    "高中": Education.HIGH_SCHOOL,
    "高中及以下": Education.HIGH_SCHOOL,
}
TITLE_RANK_ALIASES: dict[str, Any] = {
    "无": TitleRank.NONE,
    "初级": TitleRank.JUNIOR,
    "中级": TitleRank.INTERMEDIATE,
    "副高": TitleRank.ASSOCIATE_SENIOR,
    "副高级": TitleRank.ASSOCIATE_SENIOR,
    "正高": TitleRank.SENIOR,
    "正高级": TitleRank.SENIOR,
}
MODE_ALIASES: dict[str, Any] = {"选派": EngagementMode.SELECTED, "外聘": EngagementMode.HIRED}
POST_TYPE_ALIASES: dict[str, Any] = {"挂职": PostType.SECONDMENT, "实职": PostType.SUBSTANTIVE}
LEVEL_ALIASES: dict[str, Any] = {
    "市派": DispatchLevel.CITY,
    "县派": DispatchLevel.COUNTY,
    "乡镇派": DispatchLevel.TOWNSHIP,
    "乡派": DispatchLevel.TOWNSHIP,
    "镇派": DispatchLevel.TOWNSHIP,
}
# The states a roster can record; withdrawn postings are not roster material.
ROSTER_STATUSES = [
    (PostingStatus.PLANNED.value, PostingStatus.PLANNED.label),
    (PostingStatus.ACTIVE.value, PostingStatus.ACTIVE.label),
    (PostingStatus.COMPLETED.value, PostingStatus.COMPLETED.label),
    (PostingStatus.RECALLED.value, PostingStatus.RECALLED.label),
]
STATUS_ALIASES: dict[str, Any] = {
    "计划": PostingStatus.PLANNED,
    "拟派": PostingStatus.PLANNED,
    "在岗": PostingStatus.ACTIVE,
    "在任": PostingStatus.ACTIVE,
    "已期满": PostingStatus.COMPLETED,
    "期满": PostingStatus.COMPLETED,
    "已退回": PostingStatus.RECALLED,
    "退回": PostingStatus.RECALLED,
}

SPECIALTY_SEPARATORS = re.compile(r"[、,，;；/\s]+")


def specialty_names() -> Callable[[Any], list[str]]:
    """Several specialty names separated by 、 or a comma; checked against the list later."""

    def parse(value: Any) -> list[str]:
        names = [n for n in SPECIALTY_SEPARATORS.split(importing.text()(value)) if n]
        return list(dict.fromkeys(names))

    return parse


def id_number() -> Callable[[Any], str]:
    """A resident ID number, check character verified; an X may be typed in lower case."""

    def parse(value: Any) -> str:
        raw = importing.text()(value)
        try:
            return normalise_id_number(raw)
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    return parse


ROSTER_COLUMNS = [
    Column(
        "name",
        _("Full name"),
        importing.text(50),
        required=True,
        help=_("The person's name as on the ID card."),
        example="刘明",
        width=10,
    ),
    Column(
        "gender",
        _("Gender"),
        importing.choice(Gender, aliases=GENDER_ALIASES),
        help=_("男 or 女."),
        example="男",
        width=6,
    ),
    Column(
        "birth_date",
        _("Birth date"),
        importing.date(),
        help=_("For example 1985-06-01."),
        example="1990-01-01",
        width=12,
    ),
    Column("ethnic_group", _("Ethnic group"), importing.text(20), example="汉族", width=8),
    Column(
        "political_status",
        _("Political status"),
        importing.choice(PoliticalStatus, aliases=POLITICAL_ALIASES),
        help=_("中共党员, 中共预备党员, 共青团员, 民主党派 or 群众."),
        example="中共党员",
        width=12,
    ),
    Column(
        "education",
        _("Education"),
        importing.choice(Education, aliases=EDUCATION_ALIASES),
        help=_("博士研究生, 硕士研究生, 大学本科, 大专, 中专 or 高中及以下."),
        example="大学本科",
        width=10,
    ),
    Column("title", _("Professional title"), importing.text(50), example="农艺师", width=12),
    Column(
        "title_rank",
        _("Title rank"),
        importing.choice(TitleRank, aliases=TITLE_RANK_ALIASES),
        help=_("初级, 中级, 副高 or 正高; 无 for none."),
        example="中级",
        width=8,
    ),
    Column(
        "specialties",
        _("Specialties"),
        specialty_names(),
        help=_("One or more of the standard specialties, separated by 、 or commas."),
        example="种植业、蔬菜",
        empty=None,
        width=18,
    ),
    Column("phone", _("Contact phone"), importing.text(30), example="13800000000", width=14),
    Column(
        "id_number",
        _("ID number"),
        id_number(),
        help=_(
            "18 characters, check character verified. Used to find the person again; "
            "stored encrypted and shown masked."
        ),
        example="371321199001011232",
        width=20,
    ),
    Column(
        "home_unit",
        _("Home unit"),
        importing.text(200),
        help=_("The name of the sending organisation, as registered in your area of work."),
        example="县农业农村局",
        width=20,
    ),
    Column(
        "programme",
        _("Programme"),
        importing.text(60),
        required=True,
        help=_("The name of a dispatch programme, e.g. 科技副职."),
        example="科技副职",
        width=14,
    ),
    Column(
        "township",
        _("Host township code"),
        importing.region_code(),
        help=_("The 12-digit code of the township posted to; or fill in the village code."),
        example="371321101000",
        width=16,
    ),
    Column(
        "village",
        _("Host village code"),
        importing.region_code(),
        help=_("The 12-digit code of the village posted to, if the post is in a village."),
        width=16,
    ),
    Column(
        "host_organisation",
        _("Host unit"),
        importing.text(200),
        help=_("Optional: the name of a base, cooperative or company in that place."),
        width=20,
    ),
    Column(
        "mode",
        _("Engagement"),
        importing.choice(EngagementMode, aliases=MODE_ALIASES),
        help=_("选派 or 外聘; empty means 选派."),
        example="选派",
        empty=EngagementMode.SELECTED.value,
        width=8,
    ),
    Column(
        "post_type",
        _("Post type"),
        importing.choice(PostType, aliases=POST_TYPE_ALIASES),
        help=_("挂职 or 实职; empty means 挂职."),
        example="挂职",
        empty=PostType.SECONDMENT.value,
        width=8,
    ),
    Column(
        "dispatch_level",
        _("Dispatch level"),
        importing.choice(DispatchLevel, aliases=LEVEL_ALIASES),
        help=_("市派, 县派 or 乡镇派; empty means 县派."),
        example="县派",
        empty=DispatchLevel.COUNTY.value,
        width=8,
    ),
    Column(
        "is_from_outside_county",
        _("Hired from outside the county"),
        importing.boolean(),
        help=_("是 or 否; empty means 否."),
        example="否",
        empty=False,
        width=10,
    ),
    Column(
        "starts_on",
        _("Term starts on"),
        importing.date(),
        required=True,
        example="2025-03-01",
        width=12,
    ),
    Column(
        "ends_on",
        _("Term ends on"),
        importing.date(),
        help=_("Empty means the programme's usual term."),
        empty=None,
        width=12,
    ),
    Column(
        "status",
        _("Status"),
        importing.choice(ROSTER_STATUSES, aliases=STATUS_ALIASES),
        help=_("在岗, 已期满, 已退回 or 计划; empty means 在岗."),
        example="在岗",
        empty=PostingStatus.ACTIVE.value,
        width=8,
    ),
    Column(
        "recalled_on",
        _("Recalled on"),
        importing.date(),
        help=_("Only for 已退回: the day the cadre was recalled."),
        empty=None,
        width=12,
    ),
    Column(
        "recall_reason",
        _("Reason for recall"),
        importing.text(500),
        help=_("Only for 已退回."),
        width=24,
    ),
]


# ---- planning: what each row means, resolved for the whole sheet at once ----


@dataclass
class RosterImportResult(ImportResult):
    """An import result that also counts people and postings."""

    people_created: int = 0
    people_updated: int = 0
    postings_created: int = 0
    postings_changed: int = 0
    postings_unchanged: int = 0

    def roster_summary(self) -> str:
        """One line for the page: people new and changed, postings new, changed, unchanged."""
        return str(
            _(
                "People: %(people_new)d new, %(people_changed)d changed. Postings: "
                "%(postings_new)d new, %(postings_changed)d changed, %(postings_same)d unchanged."
            )
        ) % {
            "people_new": self.people_created,
            "people_changed": self.people_updated,
            "postings_new": self.postings_created,
            "postings_changed": self.postings_changed,
            "postings_same": self.postings_unchanged,
        }


PERSON_DETAIL_FIELDS = services.PERSON_DETAILS
POSTING_FIELDS = ("mode", "post_type", "dispatch_level", "is_from_outside_county")
LIVE = (PostingStatus.PLANNED, PostingStatus.ACTIVE)


@dataclass
class PersonPlan:
    """One person of the sheet: found in the register (`existing`) or to be registered."""

    key: tuple
    first_row: int
    details: tuple
    existing: Any = None  # a Person
    create_fields: dict = field(default_factory=dict)
    changes: dict = field(default_factory=dict)
    person: Any = None  # the Person once written
    failed: bool = False


@dataclass
class PostingPlan:
    """One row's posting: to create, to move on to a later status, or already there."""

    row: ParsedRow
    person: PersonPlan
    programme: Any
    host_region: Any
    host_organisation: Any
    starts_on: dt.date
    ends_on: dt.date
    status: str
    recalled_on: dt.date | None
    reason: str
    fields: dict
    existing: Any = None  # a Posting
    action: str = importing.CREATE  # or "advance" / UNCHANGED
    posting: Any = None  # the Posting once written


ADVANCE = "advance"


def _one(candidates: list, prefer=None) -> tuple[Any, bool]:
    """The single candidate (narrowed by `prefer` when several); (None, ambiguous?)."""
    if len(candidates) == 1:
        return candidates[0], False
    if prefer is not None and len(candidates) > 1:
        narrowed = [c for c in candidates if prefer(c)]
        if len(narrowed) == 1:
            return narrowed[0], False
    return None, len(candidates) > 1


class RosterPlanner:
    """Resolves every reference of the sheet with one query per table, then checks each row."""

    def __init__(self, actor: Any, rows: list[ParsedRow], result: ImportResult, today: dt.date):
        self.actor, self.rows, self.result, self.today = actor, rows, result, today
        self.allowed: dict[tuple[str, str], bool] = {}

    def may(self, perm: str, obj: Any) -> bool:
        key = (perm, f"{type(obj).__name__}:{obj.pk}")
        if key not in self.allowed:
            self.allowed[key] = has_perm(self.actor, perm, obj)
        return self.allowed[key]

    def error(self, row: ParsedRow, column: str, message: Any) -> None:
        self.result.add_error(row.number, column, message)

    # -- look-ups, one query per table --

    def fetch(self) -> None:
        values = [r.values for r in self.rows]
        typed = {v.get("township") for v in values} | {v.get("village") for v in values}
        codes: set[str] = {c for c in typed if c}
        codes |= {c[:6].ljust(12, "0") for c in codes}
        self.regions = {r.code: r for r in importing.fetch_in(Region.objects.all(), "code", codes)}
        self.programmes: dict[str, list] = {}
        for programme in importing.fetch_in(
            Programme.objects.visible_to(self.actor).select_related("region"),
            "name",
            (v.get("programme") for v in values),
        ):
            self.programmes.setdefault(programme.name, []).append(programme)
        names = {v.get("home_unit") for v in values} | {v.get("host_organisation") for v in values}
        self.organisations = Lookup.fetch(
            Organisation.objects.visible_to(self.actor),
            "name",
            names,
            what=gettext("organisation"),
            ambiguous=gettext(
                "Several organisations named “%(name)s” are registered in your area of "
                "work; rename one of them to tell them apart."
            ),
        )
        self.specialties = {s.name: s for s in Specialty.objects.all()}
        for v in values:
            v["_digest"] = protected.digest(v["id_number"]) if v.get("id_number") else ""
        people = Person.objects.prefetch_related("specialties")
        self.by_digest = {
            p.id_number_digest: p
            for p in importing.fetch_in(people, "id_number_digest", (v["_digest"] for v in values))
        }
        counties = sorted({c for c in self.regions if c.endswith("000000")})
        self.by_name: dict[tuple[str, str], list] = {}
        for person in importing.fetch_in(
            people.filter(region_id__in=counties), "name", (v.get("name") for v in values)
        ):
            self.by_name.setdefault((person.region_id, person.name), []).append(person)
        person_ids = {p.pk for p in self.by_digest.values()}
        person_ids |= {p.pk for group in self.by_name.values() for p in group}
        self.postings = importing.fetch_in(Posting.objects.all(), "person_id", person_ids)

    # -- one row --

    def host(self, row: ParsedRow) -> Any:
        v = row.values
        township_code, village_code = v.get("township"), v.get("village")
        if not township_code and not village_code:
            self.error(row, "township", _("Fill in the township code or the village code."))
            return None
        found = {}
        for key, code, level in (
            ("township", township_code, Level.TOWNSHIP),
            ("village", village_code, Level.VILLAGE),
        ):
            if not code:
                continue
            region = self.regions.get(code)
            if region is None or region.level != level:
                message = (
                    _("No township has the code %(code)s.")
                    if level == Level.TOWNSHIP
                    else _("No village has the code %(code)s.")
                )
                self.error(row, key, message % {"code": code})
                return None
            found[key] = region
        if (
            "township" in found
            and "village" in found
            and found["village"].parent_id != found["township"].code
        ):
            self.error(
                row,
                "village",
                _("Village %(village)s does not lie in township %(township)s.")
                % {"village": village_code, "township": township_code},
            )
            return None
        host = found.get("village") or found["township"]
        if not (self.may("people.import_person", host) and self.may("people.add_posting", host)):
            self.error(
                row,
                "village" if "village" in found else "township",
                _("Region %(code)s is outside your area of work.") % {"code": host.code},
            )
            return None
        return host

    def programme(self, row: ParsedRow, host: Any) -> Any:
        name = row.values.get("programme") or ""
        candidates = [p for p in self.programmes.get(name, []) if p.region.contains(host.code)]
        if not candidates:
            self.error(
                row,
                "programme",
                _("No programme named “%(name)s” is run for %(place)s.")
                % {"name": name, "place": host.name},
            )
            return None
        # A county's programme before its city's namesake: the nearest runner wins.
        return max(candidates, key=lambda p: p.region.level)

    def organisation(self, row: ParsedRow, key: str, county: Any, host: Any) -> Any:
        """The home unit (nearest the county) or the host unit (which must lie in the host
        township or village), within the actor's area; False when refused."""
        name = row.values.get(key)
        if not name:
            return None
        if key == "host_organisation":
            found = self.organisations.find(
                self.result, row, key, name, prefer=lambda o: host.contains(o.region_id)
            )
            if found is not None and importing.refuse(
                self.result, row, services.check_host_organisation, host, found
            ):
                return False
        else:
            found = self.organisations.find(
                self.result,
                row,
                key,
                name,
                prefer=lambda o: county is not None and county.contains(o.region_id),
            )
        return False if found is None else found

    def person(self, row, plans: dict, county, home_unit) -> PersonPlan | None:
        v = row.values
        digest = v["_digest"]
        key = ("id", digest) if digest else ("name", county.code, v["name"])
        specialties = None
        if v.get("specialties") is not None:
            unknown = [n for n in v["specialties"] if n not in self.specialties]
            if unknown:
                self.error(
                    row,
                    "specialties",
                    _("Unknown specialties: %(names)s. Use: %(known)s.")
                    % {"names": "、".join(unknown), "known": "、".join(self.specialties)},
                )
                return None
            specialties = sorted(self.specialties[n].pk for n in v["specialties"])
        details = (
            v["name"],
            *(v.get(f) for f in PERSON_DETAIL_FIELDS),
            v.get("home_unit"),
            tuple(specialties or ()),
        )
        plan = plans.get(key)
        if plan is not None:
            if plan.details != details:
                self.error(
                    row,
                    "",
                    _("Row %(first)d gives other personal details for the same person.")
                    % {"first": plan.first_row},
                )
                return None
            return plan
        existing = self.by_digest.get(digest) if digest else None
        if existing is None:
            namesakes = self.by_name.get((county.code, v["name"]), [])
            if digest:
                namesakes = [p for p in namesakes if not p.id_number_digest]
            existing, ambiguous = _one(namesakes)
            if ambiguous:
                self.error(
                    row,
                    "id_number" if not digest else "name",
                    _(
                        "Several people named %(name)s are registered in %(county)s; give "
                        "the ID number to tell them apart."
                    )
                    % {"name": v["name"], "county": county.name},
                )
                return None
        details_given = {f: v.get(f) for f in PERSON_DETAIL_FIELDS if v.get(f) not in ("", None)}
        if home_unit:
            details_given["home_unit"] = home_unit
        plan = PersonPlan(key=key, first_row=row.number, details=details, existing=existing)
        if existing is None:
            if not self.may("people.add_person", county):
                self.error(
                    row,
                    "",
                    _("You cannot register people in %(county)s.") % {"county": county.name},
                )
                return None
            plan.create_fields = {
                "name": v["name"],
                "region": county,
                "id_number": v.get("id_number") or "",
                "specialties": specialties or (),
                **details_given,
            }
        else:
            changes = {
                f: value
                for f, value in details_given.items()
                if (value.pk if f == "home_unit" else value)
                != (existing.home_unit_id if f == "home_unit" else getattr(existing, f))
            }
            if digest and existing.name != v["name"]:
                changes["name"] = v["name"]
            if digest and not existing.id_number_digest:
                changes["id_number"] = v["id_number"]
            if specialties is not None and specialties != sorted(
                s.pk for s in existing.specialties.all()
            ):
                changes["specialties"] = specialties
            if changes and not self.may("people.change_person", existing):
                self.error(
                    row,
                    "",
                    _(
                        "%(name)s is registered outside your area of work; their details "
                        "cannot be changed here."
                    )
                    % {"name": existing.name},
                )
                return None
            plan.changes = changes
        plans[key] = plan
        return plan

    def posting(self, row, person: PersonPlan, programme, host, host_organisation):
        v = row.values
        starts_on = v["starts_on"]
        ends_on = v.get("ends_on") or services.default_term_end(starts_on, programme)
        status = v.get("status") or PostingStatus.ACTIVE
        recalled_on, reason = v.get("recalled_on"), (v.get("recall_reason") or "").strip()
        errors_before = self.result.error_count
        if importing.refuse(self.result, row, services.check_term, starts_on, ends_on):
            pass
        elif status == PostingStatus.ACTIVE and ends_on < self.today:
            status = PostingStatus.COMPLETED  # read as completed, as everywhere else
        elif status == PostingStatus.COMPLETED and ends_on >= self.today:
            self.error(
                row,
                "status",
                _("The term runs until %(end)s, so it cannot be completed yet.") % {"end": ends_on},
            )
        if status == PostingStatus.RECALLED:
            refused = importing.refuse(
                self.result,
                row,
                services.check_recall,
                starts_on=starts_on,
                on=recalled_on or starts_on,
                reason=reason,
                columns=ROSTER_ERROR_COLUMNS,
            )
            if recalled_on is None:
                self.error(row, "recalled_on", _("A recalled posting needs the recall date."))
            elif not refused and recalled_on > min(ends_on, self.today):
                self.error(
                    row,
                    "recalled_on",
                    _("The recall date must lie within the term and not in the future."),
                )
        elif recalled_on or reason:
            self.error(
                row,
                "recall_reason" if reason else "recalled_on",
                _("Only a recalled posting (已退回) has a recall date and reason."),
            )
        if self.result.error_count > errors_before:
            return None
        return PostingPlan(
            row=row,
            person=person,
            programme=programme,
            host_region=host,
            host_organisation=host_organisation,
            starts_on=starts_on,
            ends_on=ends_on,
            status=status,
            recalled_on=recalled_on,
            reason=reason,
            fields={f: v[f] for f in POSTING_FIELDS if f in v},
        )

    # -- the whole sheet --

    def plan(self) -> list[PostingPlan]:
        """Every row's plan, in the order the rows will be written (by start of term)."""
        self.fetch()
        people: dict[tuple, PersonPlan] = {}
        plans: list[PostingPlan] = []
        first_seen: dict[tuple, int] = {}
        for row in self.rows:
            if row.has_error:
                continue
            v = row.values
            same = (v["_digest"] or v["name"], v["programme"], v["starts_on"])
            if same in first_seen:
                self.error(
                    row,
                    "starts_on",
                    _("The same person, programme and start of term are already in row %(first)d.")
                    % {"first": first_seen[same]},
                )
                continue
            first_seen[same] = row.number
            errors_before = self.result.error_count
            host = self.host(row)
            if host is None:
                continue
            county = self.regions.get(host.code[:6].ljust(12, "0"))
            programme = self.programme(row, host)
            home_unit = self.organisation(row, "home_unit", county, host)
            host_organisation = self.organisation(row, "host_organisation", county, host)
            if county is None:
                self.error(
                    row,
                    "township",
                    _("No region has the code %(code)s.") % {"code": host.code[:6].ljust(12, "0")},
                )
            if self.result.error_count > errors_before:
                continue
            person = self.person(row, people, county, home_unit)
            if person is None:
                continue
            posting = self.posting(row, person, programme, host, host_organisation)
            if posting is not None:
                plans.append(posting)
        plans.sort(key=lambda p: (p.starts_on, p.row.number))
        self.match_postings(plans)
        return plans

    def match_postings(self, plans: list[PostingPlan]) -> None:
        """Match existing postings and replay the rules the services will apply, in order."""
        person_key = {}
        for plan in plans:
            if plan.person.existing is not None:
                person_key[plan.person.existing.pk] = plan.person.key
        by_key: dict[tuple, Any] = {}
        live: dict[tuple, dict[tuple, tuple[dt.date, dt.date]]] = {}
        active: set[tuple] = set()
        for posting in self.postings:
            pkey = person_key.get(posting.person_id, ("pk", posting.person_id))
            by_key[(pkey, posting.programme_id, posting.starts_on)] = posting
            if posting.status in LIVE:
                live.setdefault((pkey, posting.programme_id), {})[("db", posting.pk)] = (
                    posting.starts_on,
                    posting.ends_on,
                )
            if posting.status == PostingStatus.ACTIVE:
                active.add((pkey, posting.programme_id))
        for plan in plans:
            row, pair = plan.row, (plan.person.key, plan.programme.pk)
            existing = by_key.get((plan.person.key, plan.programme.pk, plan.starts_on))
            ident = ("db", existing.pk) if existing else ("row", row.number)
            terms = live.setdefault(pair, {})
            if existing is not None:
                plan.existing = existing
                current = existing.effective_status(self.today)
                if current == plan.status:
                    plan.action = importing.UNCHANGED
                    continue
                if not (
                    existing.status == PostingStatus.PLANNED
                    or (existing.status == PostingStatus.ACTIVE and plan.status == "recalled")
                ):
                    self.error(
                        row,
                        "status",
                        _("This posting is registered as %(registered)s; the file says %(file)s.")
                        % {
                            "registered": PostingStatus(current).label,
                            "file": PostingStatus(plan.status).label,
                        },
                    )
                    continue
                plan.action = ADVANCE
            else:
                overlaps = False
                for start, end in terms.values():
                    if start <= plan.ends_on and end >= plan.starts_on:
                        overlaps = True
                        refusal = services.overlap_refusal(
                            row.values["name"], plan.programme, start, end
                        )
                        importing.add_errors(
                            self.result, row, refusal, columns={"__all__": "starts_on"}
                        )
                        break
                if overlaps:
                    continue
            # Activated through the posting services unless the posting is already over.
            activates = (plan.existing is None or plan.existing.status == "planned") and (
                plan.status == PostingStatus.ACTIVE
                or (plan.status == PostingStatus.RECALLED and plan.ends_on >= self.today)
            )
            if activates and pair in active:
                importing.add_errors(
                    self.result, row, services.already_active(), columns={"__all__": "status"}
                )
                continue
            terms.pop(ident, None)
            if plan.status in LIVE:
                terms[ident] = (plan.starts_on, plan.ends_on)
            if plan.status == PostingStatus.ACTIVE:
                active.add(pair)
            elif plan.existing is not None and plan.existing.status == PostingStatus.ACTIVE:
                active.discard(pair)


# ---- writing the roster through the person and posting services ----


class _RosterRollback(Exception):
    """Raised inside the import's transaction to undo every row when one failed."""


# Service field names → the roster sheet's column keys, for row errors.
ROSTER_ERROR_COLUMNS = {
    "host_region": "township",
    "on": "recalled_on",
    "reason": "recall_reason",
}


def _roster_error(result, row, error: Exception) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            for message in messages:
                result.add_error(row.number, ROSTER_ERROR_COLUMNS.get(name, name), message)
    elif isinstance(error, ValidationError):
        for message in error.messages:
            result.add_error(row.number, "", message)
    else:
        result.add_error(
            row.number, "", str(error) or gettext("You do not have the right to do this.")
        )


def _roster_advance(*, actor, plan, today: dt.date) -> None:
    """Move a planned (or active) posting on to the status the roster gives."""
    posting = plan.posting
    if plan.status == PostingStatus.PLANNED:
        return
    over = plan.status == PostingStatus.COMPLETED or (
        plan.status == PostingStatus.RECALLED and posting.ends_on < today
    )
    if over:
        on = plan.recalled_on if plan.status == PostingStatus.RECALLED else posting.ends_on
        services.posting_close_history(
            actor=actor, posting=posting, to=plan.status, on=on, note=plan.reason
        )
        return
    if posting.status == PostingStatus.PLANNED:
        posting = services.posting_activate(actor=actor, posting=posting, on=posting.starts_on)
    if plan.status == PostingStatus.RECALLED:
        services.posting_recall(
            actor=actor, posting=posting, reason=plan.reason, on=plan.recalled_on
        )


def _roster_person(*, actor, person_plan) -> Person:
    """Register the person of a plan, or update them, once for all their rows."""
    if person_plan.person is None:
        if person_plan.existing is None:
            fields = dict(person_plan.create_fields)
            person_plan.person = services.person_create(
                actor=actor, name=fields.pop("name"), region=fields.pop("region"), **fields
            )
        else:
            if person_plan.changes:
                services.person_update(
                    actor=actor, person=person_plan.existing, **person_plan.changes
                )
            person_plan.person = person_plan.existing
    return person_plan.person


def roster_import(*, actor, rows, dry_run: bool = False, result=None, today=None):
    """Import the roster: people and their postings from sheet rows, all or nothing.

    People are matched by ID number, else by name in the county; postings by person,
    programme and start of term. Every write goes through the person and posting
    services, so their rules (protected ID numbers, no overlapping terms) hold.
    """
    ensure_can(actor, "people.import_person")
    rows = importing.rows_from(rows)
    if result is None:
        result = RosterImportResult(columns=ROSTER_COLUMNS, dry_run=dry_run, rows=rows)
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            plans = RosterPlanner(actor, rows, result, today).plan()
            _roster_count(result, plans)
            if not result.ok or dry_run:
                return result
            for plan in plans:
                if plan.action == importing.UNCHANGED and not plan.person.changes:
                    continue
                if plan.person.failed:
                    continue
                try:
                    person = _roster_person(actor=actor, person_plan=plan.person)
                    if plan.action == importing.CREATE:
                        plan.posting = services.posting_create(
                            actor=actor,
                            person=person,
                            programme=plan.programme,
                            host_region=plan.host_region,
                            host_organisation=plan.host_organisation,
                            starts_on=plan.starts_on,
                            ends_on=plan.ends_on,
                            **plan.fields,
                        )
                    elif plan.action == ADVANCE:
                        plan.posting = plan.existing
                    if plan.action in (importing.CREATE, ADVANCE):
                        _roster_advance(actor=actor, plan=plan, today=today)
                except (ValidationError, PermissionDenied) as error:
                    plan.person.failed = plan.person.person is None
                    _roster_error(result, plan.row, error)
            if not result.ok:
                raise _RosterRollback
            result.written = True
    except _RosterRollback:
        result.errors.sort(key=lambda error: error.row or 0)
    except IntegrityError:
        result.add_error(
            None,
            "",
            gettext("Someone changed the roster while this file was being imported. Try again."),
        )
    return result


def _roster_count(result, plans) -> None:
    """Row actions and the people and posting counts of a planned import."""
    people: dict = {}
    for plan in sorted(plans, key=lambda p: p.row.number):
        first = plan.person.key not in people
        people.setdefault(plan.person.key, plan.person)
        if plan.action == importing.CREATE:
            plan.row.action = importing.CREATE
        elif plan.action == ADVANCE or (first and plan.person.changes):
            plan.row.action = importing.UPDATE
        else:
            plan.row.action = importing.UNCHANGED
    result.count()
    if isinstance(result, RosterImportResult):
        result.people_created = len([p for p in people.values() if p.existing is None])
        result.people_updated = len([p for p in people.values() if p.existing and p.changes])
        actions = [p.action for p in plans]
        result.postings_created = actions.count(importing.CREATE)
        result.postings_changed = actions.count(ADVANCE)
        result.postings_unchanged = actions.count(importing.UNCHANGED)


# ---- the importer ----


class RosterImporter(Importer):
    """The roster of dispatched cadres from Excel: people matched by ID number, else by name."""

    columns = ROSTER_COLUMNS
    sheet_title = _("Roster")
    file_stem = _("roster import template")
    instructions = [
        _(
            "One row is one posting of one person. A person with several postings takes "
            "several rows with the same ID number."
        ),
        _(
            "A person already registered (same ID number, or same name in the same county "
            "when no ID number is given) is updated; empty cells leave their details as they are."
        ),
        _(
            "A posting already registered (same person, programme and start of term) is left "
            "as it is, unless its status moved on (for example from 在岗 to 已退回)."
        ),
        _("You can only import postings into townships and villages of your own area of work."),
    ]
    max_rows = 10_000
    service = roster_import

    def read(self, file: Any) -> ImportResult:
        """Parse the file's cells into a result that also counts people and postings."""
        result = super().read(file)
        return RosterImportResult(
            **{f.name: getattr(result, f.name) for f in dataclasses.fields(ImportResult)}
        )

    def service_arguments(self) -> dict[str, Any]:
        # The roster's writes go through the person and posting services, with their notes.
        return {}

    def apply(self, result: ImportResult, *, dry_run: bool) -> None:
        super().apply(result, dry_run=dry_run)
        on_result = self.context.get("on_result")
        if on_result is not None:
            on_result(result)
