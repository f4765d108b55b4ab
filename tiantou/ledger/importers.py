"""The ledger import (台帐): an existing work ledger from Excel, one row, one activity.

The column spec also writes the export, which imports back unchanged. Cells are parsed
without touching the database; `activity_import` then resolves types, places,
technologies, units and cadres for the whole sheet at once, checks each row through
the validators of `services` (the rules of `activity_create`), and writes every row in
bulk, or none.

A 台帐 of 100 000 rows must import in under a minute, so rows are not written one by one
through `activity_create`: the activities, their technologies and their audit rows go
in with bulk inserts in one transaction.
"""

import datetime
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.core import importing, protected, regioncodes
from tiantou.core.importing import Column, Importer, ImportResult, Lookup, ParsedRow
from tiantou.core.models import AuditEntry
from tiantou.core.validators import normalise_id_number
from tiantou.people.models import Posting
from tiantou.regions.models import Organisation, Region

from . import services
from .choices import MEASURE_KEYS, MEASURES, ActivityStatus, FlagKind
from .models import Activity, ActivityType, Technology

TECHNOLOGY_SEPARATORS = re.compile(r"[、,，;；\n]+")
DECIMAL_MEASURES = {m.key for m in MEASURES if m.decimal}
BATCH = 2000


def record_id() -> Callable[[Any], uuid.UUID]:
    """A record ID (UUID) as written by an export or a phone."""

    def parse(value: Any) -> uuid.UUID:
        raw = importing.text()(value)
        try:
            return uuid.UUID(raw)
        except ValueError:
            raise ValidationError(
                _("“%(value)s” is not a record ID (such as %(example)s)."),
                params={"value": raw, "example": "6f1c2a3e-8b4d-4c5e-9f60-7a8b9c0d1e2f"},
            ) from None

    return parse


def measure(key: str) -> Callable[[Any], Any]:
    """A measure: a count, or an area or value with two decimals; 0 or more, not too large.

    The rule is the services' own (`services.clean_measure`), after the cell is read as
    a number.
    """
    is_decimal = key in DECIMAL_MEASURES
    number = importing.decimal_number(2) if is_decimal else importing.integer()

    def parse(value: Any) -> Any:
        return services.clean_measure(key, number(value), decimal=is_decimal)

    return parse


def names() -> Callable[[Any], list[str]]:
    """Several names separated by 、 (or a comma); checked against the catalogue later."""

    def parse(value: Any) -> list[str]:
        found = [n.strip() for n in TECHNOLOGY_SEPARATORS.split(importing.text()(value))]
        return list(dict.fromkeys(n for n in found if n))

    return parse


def id_number() -> Callable[[Any], str]:
    """A resident ID number, check character verified."""

    def parse(value: Any) -> str:
        try:
            return normalise_id_number(importing.text()(value))
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    return parse


def _measure(key: str, label: Any, unit_help: Any) -> Column:
    decimal_measure = key in DECIMAL_MEASURES
    return Column(
        key,
        label,
        measure(key),
        help=unit_help,
        empty=None,
        export=lambda r: r[key],
        width=10,
        number_format="0.00" if decimal_measure else "0",
    )


ACTIVITY_COLUMNS = [
    Column(
        "uuid",
        gettext_lazy("Record ID"),
        record_id(),
        help=gettext_lazy(
            "Leave empty for new records. An export fills it in: importing the same record "
            "twice then changes nothing."
        ),
        empty=None,
        export=lambda r: str(r["uuid"]),
        width=38,
    ),
    Column(
        "activity_type",
        gettext_lazy("Type"),
        importing.text(40),
        required=True,
        help=gettext_lazy("The name of an activity type, such as 科技培训 or 技术推广."),
        example="科技培训",
        export=lambda r: r["activity_type__name"],
        width=14,
    ),
    Column(
        "title",
        gettext_lazy("Title"),
        importing.text(200),
        required=True,
        help=gettext_lazy("What was done, in a few words."),
        example="日光温室蔬菜栽培技术培训班",
        export=lambda r: r["title"],
        width=30,
    ),
    Column(
        "region",
        gettext_lazy("Township or village code"),
        importing.region_code(),
        required=True,
        help=gettext_lazy(
            "The 12-digit division code of the township or village where it took place "
            "(a shorter prefix such as 371321101 is filled with zeros)."
        ),
        example="371321101000",
        export=lambda r: r["region_id"],
        width=14,
    ),
    Column(
        "starts_on",
        gettext_lazy("Start date"),
        importing.date(),
        required=True,
        help=gettext_lazy("For example 2026-03-01; not in the future."),
        example="2026-03-01",
        export=lambda r: r["starts_on"],
        width=12,
        number_format="yyyy-mm-dd",
    ),
    Column(
        "ends_on",
        gettext_lazy("End date"),
        importing.date(),
        help=gettext_lazy("Only for work over several days; not before the start date."),
        empty=None,
        export=lambda r: r["ends_on"],
        width=12,
        number_format="yyyy-mm-dd",
    ),
    _measure("participants", gettext_lazy("Participants (person-times)"), ""),
    _measure("experts", gettext_lazy("Experts (person-times)"), ""),
    _measure("consultations", gettext_lazy("Consultations (person-times)"), ""),
    _measure("materials", gettext_lazy("Materials handed out (copies)"), ""),
    _measure("boards", gettext_lazy("Display boards"), ""),
    _measure("enterprises", gettext_lazy("Enterprises"), ""),
    _measure("area_mu", gettext_lazy("Area (mu)"), ""),
    _measure("output_value", gettext_lazy("Output value (yuan)"), ""),
    Column(
        "technologies",
        gettext_lazy("Technologies or varieties"),
        names(),
        help=gettext_lazy(
            "Names from the technology catalogue, separated by 、; only for types that "
            "record technologies."
        ),
        example="日光温室蔬菜高效栽培技术",
        empty=[],
        export=lambda r: r["technologies"],
        width=28,
    ),
    Column(
        "organisation",
        gettext_lazy("Organising unit"),
        importing.text(200),
        help=gettext_lazy("The registered name of a unit in your area; may be left empty."),
        export=lambda r: r["organisation__name"] or "",
        width=24,
    ),
    Column(
        "posting_id_number",
        gettext_lazy("Cadre's ID number"),
        id_number(),
        help=gettext_lazy(
            "The ID number of the dispatched cadre who organised it; may be left empty."
        ),
        export=lambda r: "",
        width=20,
    ),
    Column(
        "posting_name",
        gettext_lazy("Cadre's name"),
        importing.text(50),
        help=gettext_lazy(
            "Or the cadre's name, if no other cadre in your area has the same name. Give a cadre, "
            "a unit or both."
        ),
        export=lambda r: r["posting__person__name"] or "",
        width=10,
    ),
    Column(
        "description",
        gettext_lazy("Description"),
        importing.text(5000),
        export=lambda r: r["description"],
        width=40,
    ),
]
MEASURE_COLUMNS = [c.key for c in ACTIVITY_COLUMNS if c.key in MEASURE_KEYS]


# ---- checking and writing a sheet ----


def activity_import(
    *,
    actor,
    rows: Iterable[Any],
    dry_run: bool = False,
    result: ImportResult | None = None,
    today: datetime.date | None = None,
    note: str = "",
) -> ImportResult:
    """Import activities from sheet rows, all or nothing; records with a known record ID
    are left as they are. Imported records are confirmed where the actor may confirm
    activities, submitted elsewhere."""
    ensure_can(actor, "ledger.import_activity")
    parsed = importing.rows_from(rows)
    if result is None:
        result = ImportResult(columns=ACTIVITY_COLUMNS, dry_run=dry_run, rows=parsed)
    planner = _Planner(actor, parsed, result, today or timezone.localdate())
    try:
        with transaction.atomic():
            plans = planner.plan()
            result.count()
            if not result.ok or dry_run:
                return result
            _write(actor, plans, importing.import_note(note))
            result.written = True
    except IntegrityError:
        result.add_error(
            None, "", _("Someone changed the ledger while this file was being imported. Try again.")
        )
    return result


class _Planner:
    """Resolves the references of all rows at once and checks each row."""

    def __init__(self, actor, rows: list[ParsedRow], result: ImportResult, today):
        self.actor, self.rows, self.result, self.today = actor, rows, result, today
        self.now = timezone.now()
        self.may_import: dict[str, bool] = {}
        self.may_confirm: dict[str, bool] = {}

    def error(self, row: ParsedRow, column: str, message: str) -> None:
        self.result.add_error(row.number, column, message)

    def fetch(self) -> None:
        values = [row.values for row in self.rows]
        types = list(ActivityType.objects.all())
        in_use = sorted({t.name for t in types if t.is_active})
        self.types = Lookup(
            types,
            what=_("activity type"),
            keys=lambda t: (t.key, t.name),
            missing=lambda name: (
                _("“%(value)s” is not an activity type. Use one of: %(types)s.")
                % {"value": name, "types": "、".join(in_use)}
            ),
        )
        self.technologies = Lookup(
            Technology.objects.all(), what=_("technology"), keys=lambda t: (t.name,)
        )
        self.regions = {
            r.code: r
            for r in importing.fetch_in(
                Region.objects.only("code", "level", "name"),
                "code",
                (v.get("region") for v in values),
            )
        }
        self.existing = {
            a.uuid: a
            for a in importing.fetch_in(
                Activity.objects.only("uuid", "region_id", "created_by_id", "posting_id"),
                "uuid",
                (v.get("uuid") for v in values),
            )
        }
        self.visible_existing = {
            a.uuid
            for a in importing.fetch_in(
                Activity.objects.visible_to(self.actor).only("uuid"), "uuid", self.existing
            )
        }
        self.organisations = Lookup.fetch(
            Organisation.objects.visible_to(self.actor).only("pk", "name", "region_id"),
            "name",
            (v.get("organisation") for v in values),
            what=_("unit"),
            ambiguous=_(
                "Several units are named “%(name)s”; ask an administrator to tell them apart."
            ),
        )
        postings = Posting.objects.visible_to(self.actor).select_related("person")
        digests = {
            protected.digest(v["posting_id_number"]) for v in values if v.get("posting_id_number")
        }
        self.by_digest = Lookup.fetch(
            postings, "person__id_number_digest", digests, what=_("dispatched cadre")
        )
        self.by_name = Lookup.fetch(
            postings,
            "person__name",
            (v.get("posting_name") for v in values),
            what=_("dispatched cadre"),
        )

    def allowed(self, cache: dict[str, bool], perm: str, region: Region) -> bool:
        if region.code not in cache:
            cache[region.code] = has_perm(self.actor, perm, region)
        return cache[region.code]

    def plan(self) -> list[tuple[ParsedRow, Activity, list[Technology]]]:
        self.fetch()
        importing.check_unique_in_file(
            self.result,
            lambda r: r.values.get("uuid"),
            "uuid",
            _("The same record ID is already in row %(first)d."),
        )
        plans = []
        seen: set = set()
        for row in self.rows:
            record_id = row.values.get("uuid")
            if record_id in seen:
                continue
            if record_id:
                seen.add(record_id)
            if record_id and record_id in self.existing:
                if record_id in self.visible_existing:
                    row.action = importing.UNCHANGED
                else:
                    self.error(
                        row,
                        "uuid",
                        _("This record ID belongs to a record outside your area of work."),
                    )
                continue
            if row.has_error:
                continue
            planned = self.check(row)
            if planned is not None:
                row.action = importing.CREATE
                plans.append(planned)
        return plans

    def check(self, row: ParsedRow):
        """One row through the validators of `activity_create`; None when it has errors."""
        values = row.values
        result = self.result
        errors_before = result.error_count
        kind = self.types.find(
            result, row, "activity_type", values.get("activity_type"), prefer=_in_use
        )
        if kind is not None and importing.refuse(result, row, services.check_activity_type, kind):
            kind = None
        region = self.regions.get(values.get("region") or "")
        place_errors = result.error_count
        if region is None:
            self.error(
                row,
                "region",
                _("No region has the code %(code)s.") % {"code": values.get("region")},
            )
        elif not importing.refuse(result, row, services.check_place, region) and not self.allowed(
            self.may_import, "ledger.import_activity", region
        ):
            self.error(
                row,
                "region",
                _("Region %(code)s is outside your area of work.") % {"code": region.code},
            )
        place_ok = region is not None and result.error_count == place_errors
        starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
        date_errors = services.date_errors(starts_on, ends_on, today=self.today)
        if date_errors:
            importing.add_errors(result, row, ValidationError(date_errors))
        measures = {k: values.get(k) for k in MEASURE_COLUMNS if values.get(k) is not None}
        technologies: list[Technology] = []
        if kind is not None:
            try:
                measures = {
                    k: v
                    for k, v in services.clean_measures(kind, measures).items()
                    if v is not None
                }
            except ValidationError as error:
                importing.add_errors(result, row, error)
            names = values.get("technologies") or []
            unknown = [n for n in names if not self.technologies.candidates(n)]
            if unknown:
                self.error(
                    row,
                    "technologies",
                    _("Not in the technology catalogue: %(names)s.")
                    % {"names": "、".join(unknown)},
                )
            technologies = [self.technologies.candidates(n)[0] for n in names if n not in unknown]
            importing.refuse(result, row, services.check_technologies, kind, technologies)
        organisation = self.organisations.find(
            result,
            row,
            "organisation",
            values.get("organisation"),
            prefer=lambda o: region is not None and regioncodes.contains(o.region_id, region.code),
        )
        # A wrong date is reported once, not again as "not posted on that date".
        posting = self.posting(row, region, None if "starts_on" in date_errors else starts_on)
        if posting is not None and place_ok:
            importing.refuse(
                result,
                row,
                services.check_posting,
                actor=self.actor,
                posting=posting,
                region=region,
                columns={"posting": self.posting_column(row)},
            )
        given = values.get("posting_id_number") or values.get("posting_name")
        importing.add_errors(
            result,
            row,
            ValidationError(
                services.organiser_errors(given or None, values.get("organisation") or None)
            ),
            columns={"posting": "organisation"},
        )
        if self.result.error_count > errors_before:
            return None
        assert kind is not None and region is not None and starts_on  # noqa: S101 (checked above)
        confirmed = self.allowed(self.may_confirm, "ledger.confirm_activity", region)
        usual = kind.usual_max_participants
        participants = measures.get("participants")
        flags = []
        if usual is not None and participants is not None and participants > usual:
            # The same flag as `evidence.activity_flags` (an import brings no photos).
            flags.append(
                {
                    "kind": FlagKind.UNUSUAL_PARTICIPANTS.value,
                    "participants": participants,
                    "usual": usual,
                }
            )
        activity = Activity(
            activity_type=kind,
            title=values["title"],
            description=values.get("description") or "",
            region=region,
            posting=posting,
            organisation=organisation,
            starts_on=starts_on,
            ends_on=ends_on,
            status=ActivityStatus.CONFIRMED if confirmed else ActivityStatus.SUBMITTED,
            flags=flags,
            created_by=self.actor,
            submitted_at=self.now,
            confirmed_by=self.actor if confirmed else None,
            confirmed_at=self.now if confirmed else None,
            **measures,
        )
        if values.get("uuid"):
            activity.uuid = values["uuid"]
        return row, activity, technologies

    @staticmethod
    def posting_column(row: ParsedRow) -> str:
        return "posting_id_number" if row.values.get("posting_id_number") else "posting_name"

    def posting(self, row: ParsedRow, region: Region | None, on) -> Posting | None:
        number, name = row.values.get("posting_id_number"), row.values.get("posting_name")
        if number:
            lookup, key, who = self.by_digest, protected.digest(number), number
        elif name:
            lookup, key, who = self.by_name, name, name
        else:
            return None
        column = self.posting_column(row)
        candidates = lookup.candidates(key)
        if not candidates:
            self.error(row, column, importing.not_in_area(lookup.what, who))
            return None
        if on is not None:
            candidates = [p for p in candidates if p.starts_on <= on <= (p.ended_on or p.ends_on)]
        if len({p.person_id for p in candidates}) > 1:
            self.error(
                row,
                column,
                _("Several cadres are named %(who)s; give the ID number instead.") % {"who": who},
            )
            return None
        if len(candidates) > 1 and region is not None:
            here = [p for p in candidates if regioncodes.contains(p.host_region_id, region.code)]
            candidates = here or candidates
        if not candidates:
            self.error(
                row,
                column,
                _("%(who)s was not posted in your area on %(date)s.") % {"who": who, "date": on},
            )
            return None
        return candidates[0]


def _in_use(activity_type: ActivityType) -> bool:
    return activity_type.is_active


def _write(actor, plans, note: str) -> None:
    """Insert the planned activities, their technologies and one audit row each."""
    activities = [activity for _row, activity, _techs in plans]
    importing.bulk_insert(Activity, activities, batch_size=BATCH)
    through = Activity.technologies.through
    links = [
        through(activity_id=activity.pk, technology_id=tech.pk)
        for _row, activity, techs in plans
        for tech in techs
    ]
    importing.bulk_insert(through, links, batch_size=BATCH * 5)
    if links:  # the audit rows list the technologies: read back per batch, not per record
        for start in range(0, len(activities), BATCH):
            prefetch_related_objects(activities[start : start + BATCH], "technologies")
    entries = [
        importing.audit_entry(actor=actor, obj=activity, before=None, note=note)
        for activity in activities
    ]
    importing.bulk_insert(AuditEntry, entries, batch_size=BATCH)


# ---- the importer ----


class ActivityImporter(Importer):
    """The ledger import: activities from an existing 台帐, all or nothing."""

    columns = ACTIVITY_COLUMNS
    sheet_title = gettext_lazy("Work ledger")
    file_stem = gettext_lazy("work ledger import template")
    instructions = [
        gettext_lazy(
            "Each row is one activity. The measures that may be filled in depend on the "
            "type; a measure the type does not record is refused."
        ),
        gettext_lazy(
            "Records come in as confirmed where you may confirm activities; elsewhere they "
            "come in as submitted and wait for confirmation."
        ),
        gettext_lazy(
            "Dates may not lie in the future, and an end date may not come before the start."
        ),
    ]
    max_rows = 100_000
    service = activity_import
