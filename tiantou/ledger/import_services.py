"""The ledger import service: checks a whole sheet in Python and writes it in bulk.

A 台帐 of 100 000 rows must import in under a minute, so rows are not written one by one
through `activity_create`: every reference is fetched once (one query per table), every
row is checked with the same rules as the services, and the activities, their
technologies and their audit rows are written with bulk inserts in one transaction.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.core import importing, protected, regioncodes
from tiantou.core.importing import ImportResult, ParsedRow
from tiantou.core.models import AuditEntry
from tiantou.people.models import Posting
from tiantou.regions.choices import Level
from tiantou.regions.models import Organisation, Region

from .choices import MEASURES, ActivityStatus, FlagKind
from .importers import ACTIVITY_COLUMNS, MEASURE_COLUMNS
from .models import Activity, ActivityType, Technology

BATCH = 2000
LABELS = {m.key: m.label for m in MEASURES}


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
            _write(actor, plans, note or _("Imported from Excel"))
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
        self.types: dict[str, ActivityType] = {}
        for kind in ActivityType.objects.filter(is_active=True):
            self.types.setdefault(kind.key, kind)
            self.types[kind.name] = kind
        self.technologies: dict[str, Technology] = {}
        for tech in Technology.objects.filter(is_active=True):
            self.technologies.setdefault(tech.name, tech)
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
        organisations: dict[str, list[Organisation]] = {}
        for org in importing.fetch_in(
            Organisation.objects.visible_to(self.actor).only("pk", "name", "region_id"),
            "name",
            (v.get("organisation") for v in values),
        ):
            organisations.setdefault(org.name, []).append(org)
        self.organisations = organisations
        postings = Posting.objects.visible_to(self.actor).select_related("person")
        self.by_digest: dict[str, list[Posting]] = {}
        digests = {
            protected.digest(v["posting_id_number"]) for v in values if v.get("posting_id_number")
        }
        for posting in importing.fetch_in(postings, "person__id_number_digest", digests):
            self.by_digest.setdefault(posting.person.id_number_digest, []).append(posting)
        self.by_name: dict[str, list[Posting]] = {}
        for posting in importing.fetch_in(
            postings, "person__name", (v.get("posting_name") for v in values)
        ):
            self.by_name.setdefault(posting.person.name, []).append(posting)

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
        """One row against the rules of `activity_create`; None when it has errors."""
        values = row.values
        errors_before = self.result.error_count
        kind = self.types.get(values.get("activity_type") or "")
        if kind is None:
            self.error(
                row,
                "activity_type",
                _("“%(value)s” is not an activity type. Use one of: %(types)s.")
                % {
                    "value": values.get("activity_type"),
                    "types": "、".join(sorted({t.name for t in self.types.values()})),
                },
            )
        region = self.regions.get(values.get("region") or "")
        if region is None:
            self.error(
                row,
                "region",
                _("No region has the code %(code)s.") % {"code": values.get("region")},
            )
        elif region.level not in (Level.TOWNSHIP, Level.VILLAGE):
            self.error(row, "region", _("An activity takes place in a township or a village."))
        elif not self.allowed(self.may_import, "ledger.import_activity", region):
            self.error(
                row,
                "region",
                _("Region %(code)s is outside your area of work.") % {"code": region.code},
            )
        starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
        if starts_on and starts_on > self.today:
            self.error(row, "starts_on", _("The date cannot be in the future."))
        if starts_on and ends_on and ends_on < starts_on:
            self.error(row, "ends_on", _("The end date cannot be before the start date."))
        elif ends_on and ends_on > self.today:
            self.error(row, "ends_on", _("The end date cannot be in the future."))
        measures = {k: values.get(k) for k in MEASURE_COLUMNS if values.get(k) is not None}
        technologies: list[Technology] = []
        if kind is not None:
            for key in measures:
                if key not in kind.measures:
                    self.error(
                        row,
                        key,
                        _("A %(type)s does not record %(measure)s.")
                        % {"type": kind.name, "measure": LABELS[key]},
                    )
            for key in kind.required_measures:
                if key not in measures:
                    self.error(row, key, _("This figure is required."))
            names = values.get("technologies") or []
            if names and not kind.records_technologies:
                self.error(
                    row,
                    "technologies",
                    _("A %(type)s does not record technologies.") % {"type": kind.name},
                )
            unknown = [n for n in names if n not in self.technologies]
            if unknown:
                self.error(
                    row,
                    "technologies",
                    _("Not in the technology catalogue: %(names)s.")
                    % {"names": "、".join(unknown)},
                )
            technologies = [self.technologies[n] for n in names if n in self.technologies]
        organisation = self.organisation(row, region)
        # A wrong date is reported once, not again as "not posted on that date".
        posting = self.posting(
            row, region, starts_on if starts_on and starts_on <= self.today else None
        )
        if not values.get("organisation") and not (
            values.get("posting_id_number") or values.get("posting_name")
        ):
            self.error(
                row,
                "organisation",
                _("Say who organised the activity: a cadre, a unit or both."),
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

    def organisation(self, row: ParsedRow, region: Region | None) -> Organisation | None:
        name = row.values.get("organisation")
        if not name:
            return None
        found = self.organisations.get(name, [])
        if len(found) > 1 and region is not None:
            near = [o for o in found if regioncodes.contains(o.region_id, region.code)]
            found = near or found
        if not found:
            self.error(
                row,
                "organisation",
                _("No unit named “%(name)s” in your area of work.") % {"name": name},
            )
            return None
        if len(found) > 1:
            self.error(
                row,
                "organisation",
                _("Several units are named “%(name)s”; ask an administrator to tell them apart.")
                % {"name": name},
            )
            return None
        return found[0]

    def posting(self, row: ParsedRow, region: Region | None, on) -> Posting | None:
        number, name = row.values.get("posting_id_number"), row.values.get("posting_name")
        if number:
            candidates = self.by_digest.get(protected.digest(number), [])
            column, who = "posting_id_number", number
        elif name:
            candidates = self.by_name.get(name, [])
            column, who = "posting_name", name
        else:
            return None
        if not candidates:
            self.error(
                row,
                column,
                _("No dispatched cadre %(who)s in your area of work.") % {"who": who},
            )
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
