"""Excel imports of organisations and of villages: column specs, checking and writing.

Each row is checked through the services' own validators; villages are written one by
one through `services.village_create` and `services.region_update`, organisations in
bulk. All rows are written, or none.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.core import audit, importing
from tiantou.core.importing import Column, Importer, ImportResult
from tiantou.core.models import AuditEntry

from . import services
from .choices import AssociationType, Level, OrganisationKind, RegionKind, RegionSource
from .models import Organisation, Region


class _KindHelp:
    """The help of the kind column: the kinds listed in the current language."""

    def __str__(self) -> str:
        kinds = "、".join(str(label) for _v, label in OrganisationKind.choices)
        return str(_("One of: %(kinds)s.")) % {"kinds": kinds}


ORGANISATION_COLUMNS = [
    Column(
        "name",
        _("Name"),
        importing.text(200),
        required=True,
        help=_("The full registered name."),
        example="沂南县农业技术推广中心",
        width=32,
    ),
    Column(
        "kind",
        _("Kind"),
        importing.choice(OrganisationKind),
        required=True,
        help=_KindHelp(),
        example=OrganisationKind.DEPARTMENT.label,
        export=lambda o: o.get_kind_display(),
        width=18,
    ),
    Column(
        "association_type",
        _("Association type"),
        importing.choice(AssociationType),
        help=_("Only for associations; leave empty otherwise."),
        export=lambda o: o.get_association_type_display() if o.association_type else "",
        width=18,
    ),
    Column(
        "region",
        _("Region code"),
        importing.region_code(),
        required=True,
        help=_(
            "The 12-digit division code of the county, township or village where it is "
            "(a shorter prefix such as 371321101 is filled with zeros)."
        ),
        example="371321101000",
        export=lambda o: o.region_id,
        width=16,
    ),
    Column(
        "credit_code",
        _("Unified social credit code"),
        importing.credit_code(),
        help=_("18 characters; optional. Used to find the organisation again."),
        example="",
        width=22,
    ),
    Column("contact_person", _("Contact person"), importing.text(50), width=12),
    Column("phone", _("Phone"), importing.text(30), width=16),
    Column("address", _("Address"), importing.text(200), width=32),
    Column("notes", _("Notes"), importing.text(2000), width=32),
]


VILLAGE_KIND_ALIASES: dict[str, Any] = {
    "村": RegionKind.VILLAGE,
    "行政村": RegionKind.VILLAGE,
    "村委会": RegionKind.VILLAGE,
    "社区": RegionKind.COMMUNITY,
    "居委会": RegionKind.COMMUNITY,
}


VILLAGE_KINDS = [
    (RegionKind.VILLAGE.value, RegionKind.VILLAGE.label),
    (RegionKind.COMMUNITY.value, RegionKind.COMMUNITY.label),
]


VILLAGE_COLUMNS = [
    Column(
        "township",
        _("Township code"),
        importing.region_code(),
        required=True,
        help=_("The 12-digit code of the township (乡镇街道), e.g. 371321101000."),
        example="371321101000",
        export=lambda r: r.parent_id,
    ),
    Column(
        "code",
        _("Village code"),
        importing.region_code(),
        help=_("12 digits beginning with the township's 9; leave empty to take the next free one."),
        example="371321101201",
        export=lambda r: r.code,
    ),
    Column(
        "name",
        _("Name"),
        importing.text(100),
        required=True,
        help=_("The name of the village or community."),
        example="东山村",
        width=24,
    ),
    Column(
        "kind",
        _("Kind"),
        importing.choice(VILLAGE_KINDS, aliases=VILLAGE_KIND_ALIASES),
        help=_("村 (village) or 社区 (community); empty means village."),
        example="村",
        export=lambda r: r.get_kind_display(),
        empty=RegionKind.VILLAGE.value,
    ),
]


# ---- checking and writing a sheet (all rows are written, or none) ----

ORGANISATION_IMPORT_FIELDS = (
    "name",
    "kind",
    "association_type",
    "region",
    "credit_code",
    "contact_person",
    "phone",
    "address",
    "notes",
)


class _Rollback(Exception):
    """Raised inside an import's transaction to undo every row written so far."""


def _present_keys(rows, result) -> set[str]:
    if result.present:
        return set(result.present)
    return set().union(*(row.values for row in rows)) if rows else set()


def organisation_import(*, actor, rows, dry_run: bool = False, result=None, note: str = ""):
    """Create or update organisations from sheet rows; with any error nothing is written.

    A row matches an existing organisation by credit code, else by region and name.
    Every region must lie where the actor may import (regions.import_organisation).
    References are resolved with one query per table for the whole sheet.
    """
    ensure_can(actor, "regions.import_organisation")
    rows = importing.rows_from(rows)
    if result is None:
        result = ImportResult(columns=ORGANISATION_COLUMNS, dry_run=dry_run)
    fields = [f for f in ORGANISATION_IMPORT_FIELDS if f in _present_keys(rows, result)]
    try:
        with transaction.atomic():
            creates, updates = _plan_organisation_import(actor, rows, result, fields)
            result.count()
            if not result.ok or dry_run:
                return result
            _write_organisation_import(actor, creates, updates, note)
            result.written = True
    except IntegrityError:
        result.add_error(
            None,
            "",
            gettext("Someone changed organisations while this file was being imported. Try again."),
        )
    return result


def _plan_organisation_import(actor, rows, result, fields):
    values = [row.values for row in rows]
    importing.check_unique_in_file(
        result,
        lambda r: r.values.get("credit_code"),
        "credit_code",
        gettext("The same credit code is already in row %(first)d."),
    )
    importing.check_unique_in_file(
        result,
        lambda r: (r.values.get("region"), r.values.get("name")),
        "name",
        gettext("The same name in the same region is already in row %(first)d."),
    )
    regions = {
        r.code: r
        for r in importing.fetch_in(Region.objects.all(), "code", (v.get("region") for v in values))
    }
    by_credit_code = {
        o.credit_code: o
        for o in importing.fetch_in(
            Organisation.objects.all(), "credit_code", (v.get("credit_code") for v in values)
        )
    }
    by_name = {
        (o.region_id, o.name): o
        for o in importing.fetch_in(
            Organisation.objects.filter(region_id__in=list(regions)),
            "name",
            (v.get("name") for v in values),
        )
    }
    allowed: dict[str, bool] = {}

    def may_import(code: str) -> bool:
        if code not in allowed:
            allowed[code] = has_perm(actor, "regions.import_organisation", regions[code])
        return allowed[code]

    creates, updates = [], []
    matched: dict[int, int] = {}
    for row in rows:
        if row.has_error:
            continue
        data = dict(row.values)
        errors_before = result.error_count
        code = data.get("region")
        region = regions.get(code) if code else None
        if not code:
            result.add_error(row.number, "region", gettext("This column must be filled in."))
        elif region is None:
            result.add_error(
                row.number, "region", gettext("No region has the code %(code)s.") % {"code": code}
            )
        elif region is not None and region.level < Level.COUNTY:
            result.add_error(
                row.number,
                "region",
                gettext("Organisations are placed in a county, township or village, not higher."),
            )
        elif region is not None and not may_import(code):
            result.add_error(
                row.number,
                "region",
                gettext("Region %(code)s is outside your area of work.") % {"code": code},
            )
        # A row without a usable region has an error by now.
        if result.error_count > errors_before or region is None:
            continue
        data["region"] = region
        credit_code = data.get("credit_code") or ""
        existing = by_credit_code.get(credit_code) if credit_code else None
        namesake = by_name.get((code, data.get("name")))
        # The name is taken when a new organisation (another credit code) or the one of
        # this credit code would get the name of another organisation of the region.
        taken = namesake is not None and (
            namesake.pk != existing.pk
            if existing is not None
            else bool(credit_code and namesake.credit_code and namesake.credit_code != credit_code)
        )
        if taken:
            importing.refuse(
                result,
                row,
                services.check_organisation_unique,
                data,
                same_code=None,
                same_name=namesake,
            )
            continue
        existing = existing or namesake
        if existing is None:
            row.action = importing.CREATE
            obj = Organisation(**{f: data[f] for f in fields if f in data})
            if _validate_import_object(result, row, obj):
                creates.append((row, obj))
            continue
        if existing.pk in matched:
            result.add_error(
                row.number,
                "",
                gettext("This row and row %(first)d describe the same organisation.")
                % {"first": matched[existing.pk]},
            )
            continue
        matched[existing.pk] = row.number
        if not has_perm(actor, "regions.import_organisation", existing):
            result.add_error(
                row.number,
                "credit_code",
                gettext("This credit code belongs to an organisation outside your area of work."),
            )
            continue
        changed = [
            name
            for name in fields
            if (region.pk if name == "region" else data.get(name))
            != (existing.region_id if name == "region" else getattr(existing, name))
        ]
        row.action = importing.UPDATE if changed else importing.UNCHANGED
        if not changed:
            continue
        before = audit.snapshot(existing)
        for name in changed:
            setattr(existing, name, data.get(name))
        if _validate_import_object(result, row, existing):
            updates.append((existing, before, changed))
    return creates, updates


def _validate_import_object(result, row, obj) -> bool:
    """Field checks in Python only: references and uniqueness were resolved in bulk."""
    try:
        obj.full_clean(
            exclude=["region", "parent"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        result.add_validation_error(row.number, error)
        return False
    return True


def _write_organisation_import(actor, creates, updates, note: str) -> None:
    note = importing.import_note(note)
    created = Organisation.objects.bulk_create([obj for _row, obj in creates], batch_size=1000)
    now = timezone.now()
    changed_fields: set[str] = set()
    for obj, _before, changed in updates:
        obj.version += 1
        obj.updated_at = now
        changed_fields.update(changed)
    if updates:
        Organisation.objects.bulk_update(
            [obj for obj, _b, _c in updates],
            [*sorted(changed_fields), "version", "updated_at"],
            batch_size=1000,
        )
    entries = [importing.audit_entry(actor=actor, obj=o, before=None, note=note) for o in created]
    entries += [
        importing.audit_entry(actor=actor, obj=obj, before=before, note=note)
        for obj, before, _c in updates
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=1000)


def village_import(
    *, actor, township_or_scope: Region, rows, dry_run: bool = False, result=None, note: str = ""
):
    """Add or update villages and communities from sheet rows, through `village_create`.

    Every township must lie in `township_or_scope` (a township, or a county for a
    county-wide file). A row matches an existing village by code, else by township
    and name. With any error nothing is written.
    """
    ensure_can(actor, "regions.import_region", township_or_scope)
    rows = importing.rows_from(rows)
    if result is None:
        result = ImportResult(columns=VILLAGE_COLUMNS, dry_run=dry_run)
    has_kind = "kind" in _present_keys(rows, result)
    plan = _plan_village_import(actor, township_or_scope, rows, result, has_kind)
    result.count()
    if not result.ok or dry_run:
        return result
    # Explicit codes first, so that the next free codes are counted after them.
    plan.sort(key=lambda item: item[0] != importing.CREATE or not item[1].values.get("code"))
    try:
        with transaction.atomic():
            for action, row, township, existing in plan:
                data = row.values
                try:
                    if action == importing.CREATE:
                        services.village_create(
                            actor=actor,
                            township=township,
                            name=data["name"],
                            code=data.get("code") or "",
                            kind=data.get("kind") or RegionKind.VILLAGE,
                            source=RegionSource.IMPORTED,
                        )
                    elif action == importing.UPDATE:
                        changes = {"name": data["name"]}
                        if has_kind:
                            changes["kind"] = data.get("kind") or RegionKind.VILLAGE
                        services.region_update(actor=actor, region=existing, **changes)
                except ValidationError as error:
                    result.add_validation_error(row.number, error)
            if not result.ok:
                raise _Rollback
            result.written = True
    except _Rollback:
        pass
    except IntegrityError:
        result.add_error(
            None,
            "",
            gettext("Someone changed villages while this file was being imported. Try again."),
        )
    return result


def _plan_village_import(actor, scope: Region, rows, result, has_kind):
    importing.check_unique_in_file(
        result,
        lambda r: r.values.get("code"),
        "code",
        gettext("The same village code is already in row %(first)d."),
    )
    importing.check_unique_in_file(
        result,
        lambda r: (r.values.get("township"), r.values.get("name")),
        "name",
        gettext("The same name in the same township is already in row %(first)d."),
    )
    townships = {
        r.code: r
        for r in importing.fetch_in(
            Region.objects.all(), "code", (row.values.get("township") for row in rows)
        )
    }
    existing = importing.fetch_in(Region.objects.all(), "parent_id", list(townships))
    existing += importing.fetch_in(
        Region.objects.all(), "code", (row.values.get("code") for row in rows)
    )
    by_code = {r.code: r for r in existing}
    by_name = {(r.parent_id, r.name): r for r in existing}
    plan = []
    for row in rows:
        if row.has_error:
            continue
        data = row.values
        township = townships.get(data.get("township") or "")
        if township is None:
            if data.get("township"):
                result.add_error(
                    row.number,
                    "township",
                    gettext("%(code)s is not the code of a township.") % {"code": data["township"]},
                )
            continue
        if importing.refuse(result, row, services.check_township, township):
            continue
        if not scope.contains(township.code) or not has_perm(actor, "regions.add_region", township):
            result.add_error(
                row.number,
                "township",
                gettext("Township %(code)s is outside where you may import.")
                % {"code": township.code},
            )
            continue
        code = data.get("code") or ""
        if code and importing.refuse(result, row, services.check_village_code, code, township):
            continue
        match = by_code.get(code) if code else by_name.get((township.code, data.get("name")))
        namesake = by_name.get((township.code, data.get("name")))
        if code and match is None and namesake is not None:
            result.add_error(
                row.number,
                "name",
                gettext("“%(name)s” already exists in this township with code %(code)s.")
                % {"name": namesake.name, "code": namesake.code},
            )
            continue
        if match is None:
            row.action = importing.CREATE
            plan.append((row.action, row, township, None))
            continue
        if match.parent_id != township.code:
            importing.add_errors(result, row, services.code_in_use(code))
            continue
        changed = match.name != data.get("name")
        if has_kind:
            changed = changed or match.kind != (data.get("kind") or RegionKind.VILLAGE)
        row.action = importing.UPDATE if changed else importing.UNCHANGED
        plan.append((row.action, row, township, match))
    return plan


# ---- the importer ----


class OrganisationImporter(Importer):
    """Organisations from Excel: matched by credit code, else by region and name."""

    columns = ORGANISATION_COLUMNS
    sheet_title = _("Organisations")
    file_stem = _("organisations import template")
    instructions = [
        _(
            "An organisation already registered (same credit code, or same name in the same "
            "region) is updated; any other row creates a new organisation."
        ),
        _("You can only import into regions of your own area of work."),
    ]
    max_rows = 10_000
    service = organisation_import


class VillageImporter(Importer):
    """Villages and communities of a township (or of every township in a county) from Excel."""

    columns = VILLAGE_COLUMNS
    sheet_title = _("Villages")
    file_stem = _("villages import template")
    instructions = [
        _(
            "A village already registered (same code, or same name in the same township) is "
            "updated; any other row adds a new village."
        ),
    ]
    max_rows = 5_000
    service = village_import

    def service_arguments(self) -> dict[str, Any]:
        return {**super().service_arguments(), "township_or_scope": self.context["region"]}
