"""Every write to regions and organisations."""

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.permissions import ensure_can
from tiantou.core import audit, regioncodes
from tiantou.core.models import AuditEntry
from tiantou.core.services import apply_changes, create_audited
from tiantou.core.validators import normalise_uscc

from . import official
from .choices import Level, RegionKind, RegionSource
from .models import Organisation, Region

logger = logging.getLogger(__name__)

# ---- regions (villages and communities are the only level written by users) ----


def _check_village_code(code: str, township: Region) -> str:
    code = regioncodes.normalise(code)
    if regioncodes.level_of(code) != regioncodes.VILLAGE or not township.contains(code):
        raise ValidationError(
            {
                "code": _(
                    "A village code must be 12 digits, begin with the township's %(prefix)s "
                    "and not end in 000."
                )
                % {"prefix": regioncodes.prefix_of(township.code)}
            }
        )
    if Region.objects.filter(code=code).exists():
        raise ValidationError({"code": _("Code %(code)s is already in use.") % {"code": code}})
    return code


def next_village_code(township: Region) -> str:
    """The next free village code in a township (after the highest one in use)."""
    low, high = township.subtree
    last = (
        Region.objects.filter(code__range=(low, high), level=Level.VILLAGE)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    number = int(last[9:]) + 1 if last else 1
    if number > 999:
        raise ValidationError(_("This township has no free village codes left."))
    return township.code[:9] + f"{number:03d}"


@transaction.atomic
def village_create(
    *,
    actor,
    township: Region,
    name: str,
    code: str = "",
    kind: str = RegionKind.VILLAGE,
    source: str = RegionSource.MANUAL,
) -> Region:
    """Add a village or community to a township; a blank code takes the next free one."""
    ensure_can(actor, "regions.add_region", township)
    if township.level != Level.TOWNSHIP:
        raise ValidationError(_("Villages can only be added under a township."))
    code = _check_village_code(code, township) if code else next_village_code(township)
    village = Region(
        code=code,
        name=name.strip(),
        level=Level.VILLAGE,
        kind=kind,
        parent=township,
        source=source,
    )
    return create_audited(actor=actor, obj=village)


@transaction.atomic
def region_update(
    *, actor, region: Region, expected_version: int | None = None, **changes
) -> Region:
    """Rename a region or change its kind or use; official codes themselves never change."""
    ensure_can(actor, "regions.change_region", region)
    allowed = {"name", "kind", "is_active"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"region_update cannot change {sorted(unknown)}")
    apply_changes(actor=actor, obj=region, changes=changes, expected_version=expected_version)
    return region


# ---- official data loads (system writes: logged as counts, not an audit row per region) ----

BATCH_SIZE = 2000
OFFICIAL_FIELDS = ["name", "level", "kind", "parent", "edition", "official_status"]
OFFICIAL_FIELDS.append("official_name_now")


@dataclass
class LoadResult:
    """What an official load did, in counts."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # rows added by hand or imported, never overwritten

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def __str__(self) -> str:
        return _(
            "%(created)d created, %(updated)d updated, %(unchanged)d unchanged, "
            "%(kept)d entered by hand left as they are"
        ) % vars(self)


def _sync_official(rows: list[official.OfficialRow], existing_q: Q) -> LoadResult:
    """Create missing official regions and update changed ones, in bulk; never delete.

    Rows added by hand or imported are left alone; so are the name and kind of an
    official row a person has edited (its version is above 1).
    """
    result = LoadResult()
    existing = {
        values[0]: values
        for values in Region.objects.filter(existing_q).values_list(
            "code", "source", "version", "name", "kind", "level", "parent_id", "edition",
            "official_status", "official_name_now",
        )
    }  # fmt: skip
    now = timezone.now()
    to_create, to_update = [], []
    for row in rows:
        old = existing.get(row.code)
        if old is None:
            to_create.append(row)
            continue
        _code, source, version, name, kind, *rest = old
        if source != RegionSource.OFFICIAL:
            result.kept += 1
            continue
        if version > 1:  # edited by a person: keep their name and kind
            row = dataclasses.replace(row, name=name, kind=kind)
        wanted = (row.name, row.kind, row.level, row.parent_code, row.edition) + (
            row.official_status,
            row.official_name_now,
        )
        if wanted == (name, kind, *rest):
            result.unchanged += 1
            continue
        region = _official_region(row)
        region.version, region.updated_at = version + 1, now
        to_update.append(region)
    _insert_official(to_create, now)
    Region.objects.bulk_update(
        to_update, [*OFFICIAL_FIELDS, "version", "updated_at"], batch_size=BATCH_SIZE
    )
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _insert_official(rows: list[official.OfficialRow], now) -> None:
    """Insert new official regions in order (parents first): COPY on PostgreSQL,
    executemany elsewhere.

    `bulk_create` spends about 5 s preparing 45 000 rows' values one field at a time,
    and psycopg's client-side binding of a many-row INSERT as long again; these values
    are plain strings and numbers and need neither.
    """
    columns = ["code", "name", "level", "kind", "parent_id", "source", "edition"]
    columns += ["official_status", "official_name_now", "is_active", "version"]
    columns += ["created_at", "updated_at"]
    stamp = connection.ops.adapt_datetimefield_value(now)
    values = [
        (r.code, r.name, r.level, r.kind, r.parent_code, RegionSource.OFFICIAL, r.edition)
        + (r.official_status, r.official_name_now, True, 1, stamp, stamp)
        for r in rows
    ]
    # Table and column names come from the model, never from input.
    table = connection.ops.quote_name(Region._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            for start in range(0, len(values), BATCH_SIZE):
                cursor.executemany(sql, values[start : start + BATCH_SIZE])


def _official_region(row: official.OfficialRow) -> Region:
    return Region(
        code=row.code,
        name=row.name,
        level=row.level,
        kind=row.kind,
        parent_id=row.parent_code,
        source=RegionSource.OFFICIAL,
        edition=row.edition,
        official_status=row.official_status,
        official_name_now=row.official_name_now,
    )


@transaction.atomic
def regions_load_official(*, path: Path | None = None) -> LoadResult:
    """Load or refresh the shipped provinces, cities, counties and townships (idempotent)."""
    rows = official.divisions(path)
    result = _sync_official(rows, Q(level__lte=Level.TOWNSHIP))
    logger.info("official divisions loaded: %s", vars(result))
    return result


@transaction.atomic
def villages_load_official(*, county_codes: list[str]) -> LoadResult:
    """Load the 2023 villages of the given regions (counties, usually) from the npm package.

    The regions must be loaded already (`regions_load_official`).
    """
    regions = []
    for raw in county_codes:
        code = regioncodes.normalise(raw)
        region = Region.objects.filter(code=code, level__lt=Level.VILLAGE).first()
        if region is None:
            raise ValidationError(
                _("Region %(code)s is not loaded: run “load_regions” first.") % {"code": code}
            )
        regions.append(region)
    prefixes = [regioncodes.prefix_of(r.code, r.level) for r in regions]
    rows = list(official.villages(prefixes))
    subtrees = Q(pk__in=[])
    for region in regions:
        subtrees |= Q(code__range=region.subtree)
    townships = set(
        Region.objects.filter(subtrees, level=Level.TOWNSHIP).values_list("code", flat=True)
    )
    missing = sorted({row.parent_code or "" for row in rows} - townships)
    if missing:
        raise ValidationError(
            _("Township %(code)s is not loaded: run “load_regions” first.") % {"code": missing[0]}
        )
    result = _sync_official(rows, subtrees & Q(level=Level.VILLAGE))
    logger.info("official villages of %s loaded: %s", prefixes, vars(result))
    return result


# ---- organisations ----

ORGANISATION_FIELDS = {
    "name",
    "kind",
    "association_type",
    "region",
    "parent",
    "credit_code",
    "contact_person",
    "phone",
    "address",
    "notes",
    "is_active",
    "is_demo",
}


def _clean_organisation_fields(fields: dict) -> dict:
    unknown = set(fields) - ORGANISATION_FIELDS
    if unknown:
        raise ValueError(f"unknown organisation fields {sorted(unknown)}")
    if fields.get("credit_code"):
        try:
            fields["credit_code"] = normalise_uscc(fields["credit_code"])
        except ValidationError as error:
            raise ValidationError({"credit_code": error.messages}) from error
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    return fields


def _check_organisation_unique(fields: dict, organisation: Organisation | None = None) -> None:
    """Clear messages for the two unique constraints, before the database refuses."""
    others = Organisation.objects.all()
    if organisation is not None:
        others = others.exclude(pk=organisation.pk)
    code = fields.get("credit_code")
    if code and others.filter(credit_code=code).exists():
        raise ValidationError(
            {
                "credit_code": _(
                    "Credit code %(code)s is already registered for another organisation."
                )
                % {"code": code}
            }
        )
    region = fields.get("region")
    if region is not None and others.filter(region=region, name=fields.get("name")).exists():
        raise ValidationError(
            {
                "name": _("An organisation named “%(name)s” is already registered in %(region)s.")
                % {"name": fields.get("name"), "region": region}
            }
        )


@transaction.atomic
def organisation_create(*, actor, name: str, kind: str, region: Region, **fields) -> Organisation:
    """Register an organisation in a region the actor may edit."""
    ensure_can(actor, "regions.add_organisation", region)
    fields = _clean_organisation_fields({"name": name, "kind": kind, "region": region, **fields})
    _check_organisation_unique(fields)
    return create_audited(actor=actor, obj=Organisation(**fields))


@transaction.atomic
def organisation_update(
    *, actor, organisation: Organisation, expected_version: int | None = None, **changes
) -> Organisation:
    """Change an organisation; moving it needs the right in both the old and new region."""
    ensure_can(actor, "regions.change_organisation", organisation)
    changes = _clean_organisation_fields(changes)
    new_region = changes.get("region")
    if new_region is not None and new_region.pk != organisation.region_id:
        ensure_can(actor, "regions.add_organisation", new_region)
    _check_organisation_unique(
        {
            "name": changes.get("name", organisation.name),
            "region": new_region or organisation.region,
            "credit_code": changes.get("credit_code", organisation.credit_code),
        },
        organisation=organisation,
    )
    apply_changes(actor=actor, obj=organisation, changes=changes, expected_version=expected_version)
    return organisation


@transaction.atomic
def organisation_deactivate(*, actor, organisation: Organisation, reason: str) -> Organisation:
    """Mark an organisation as no longer active (organisations are never deleted)."""
    ensure_can(actor, "regions.change_organisation", organisation)
    if not reason.strip():
        raise ValidationError(_("Please give a reason."))
    apply_changes(actor=actor, obj=organisation, changes={"is_active": False}, note=reason.strip())
    return organisation


# ---- Excel imports (rows parsed by `importers.py`; all rows are written, or none) ----

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
    from tiantou.core import importing

    from .importers import ORGANISATION_COLUMNS

    ensure_can(actor, "regions.import_organisation")
    rows = importing.rows_from(rows)
    if result is None:
        result = importing.ImportResult(columns=ORGANISATION_COLUMNS, dry_run=dry_run)
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
            _("Someone changed organisations while this file was being imported. Try again."),
        )
    return result


def _plan_organisation_import(actor, rows, result, fields):
    from tiantou.accounts.permissions import has_perm
    from tiantou.core import importing

    values = [row.values for row in rows]
    importing.check_unique_in_file(
        result,
        lambda r: r.values.get("credit_code"),
        "credit_code",
        _("The same credit code is already in row %(first)d."),
    )
    importing.check_unique_in_file(
        result,
        lambda r: (r.values.get("region"), r.values.get("name")),
        "name",
        _("The same name in the same region is already in row %(first)d."),
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

    creates, updates, matched = [], [], {}
    for row in rows:
        if row.has_error:
            continue
        data = dict(row.values)
        errors_before = result.error_count
        code = data.get("region")
        region = regions.get(code) if code else None
        if not code:
            result.add_error(row.number, "region", _("This column must be filled in."))
        elif region is None:
            result.add_error(
                row.number, "region", _("No region has the code %(code)s.") % {"code": code}
            )
        elif region is not None and region.level < Level.COUNTY:
            result.add_error(
                row.number,
                "region",
                _("Organisations are placed in a county, township or village, not higher."),
            )
        elif region is not None and not may_import(code):
            result.add_error(
                row.number,
                "region",
                _("Region %(code)s is outside your area of work.") % {"code": code},
            )
        if result.error_count > errors_before:
            continue
        if region is not None:
            data["region"] = region
        credit_code = data.get("credit_code") or ""
        existing = by_credit_code.get(credit_code) if credit_code else None
        namesake = by_name.get((code, data.get("name")))
        if existing is None and namesake is not None:
            if credit_code and namesake.credit_code and namesake.credit_code != credit_code:
                result.add_error(
                    row.number,
                    "credit_code",
                    _("“%(name)s” in this region is registered with credit code %(code)s.")
                    % {"name": namesake.name, "code": namesake.credit_code},
                )
                continue
            existing = namesake
        elif existing is not None and namesake is not None and namesake.pk != existing.pk:
            result.add_error(
                row.number,
                "name",
                _("Another organisation with this name is already registered in this region."),
            )
            continue
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
                _("This row and row %(first)d describe the same organisation.")
                % {"first": matched[existing.pk]},
            )
            continue
        matched[existing.pk] = row.number
        if not has_perm(actor, "regions.import_organisation", existing):
            result.add_error(
                row.number,
                "credit_code",
                _("This credit code belongs to an organisation outside your area of work."),
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
    from tiantou.core import importing

    note = _("Imported from Excel %(file)s") % {"file": note} if note else _("Imported from Excel")
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
    from tiantou.core import importing

    from .importers import VILLAGE_COLUMNS

    ensure_can(actor, "regions.import_region", township_or_scope)
    rows = importing.rows_from(rows)
    if result is None:
        result = importing.ImportResult(columns=VILLAGE_COLUMNS, dry_run=dry_run)
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
                        village_create(
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
                        region_update(actor=actor, region=existing, **changes)
                except ValidationError as error:
                    result.add_validation_error(row.number, error)
            if not result.ok:
                raise _Rollback
            result.written = True
    except _Rollback:
        pass
    except IntegrityError:
        result.add_error(
            None, "", _("Someone changed villages while this file was being imported. Try again.")
        )
    return result


def _plan_village_import(actor, scope: Region, rows, result, has_kind):
    from tiantou.accounts.permissions import has_perm
    from tiantou.core import importing

    importing.check_unique_in_file(
        result,
        lambda r: r.values.get("code"),
        "code",
        _("The same village code is already in row %(first)d."),
    )
    importing.check_unique_in_file(
        result,
        lambda r: (r.values.get("township"), r.values.get("name")),
        "name",
        _("The same name in the same township is already in row %(first)d."),
    )
    townships = {
        r.code: r
        for r in importing.fetch_in(
            Region.objects.filter(level=Level.TOWNSHIP),
            "code",
            (row.values.get("township") for row in rows),
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
                    _("%(code)s is not the code of a township.") % {"code": data["township"]},
                )
            continue
        if not scope.contains(township.code) or not has_perm(actor, "regions.add_region", township):
            result.add_error(
                row.number,
                "township",
                _("Township %(code)s is outside where you may import.") % {"code": township.code},
            )
            continue
        code = data.get("code") or ""
        if code and (
            regioncodes.level_of(code) != regioncodes.VILLAGE or not township.contains(code)
        ):
            result.add_error(
                row.number,
                "code",
                _("A village code must begin with the township's %(prefix)s and not end in 000.")
                % {"prefix": regioncodes.prefix_of(township.code)},
            )
            continue
        match = by_code.get(code) if code else by_name.get((township.code, data.get("name")))
        namesake = by_name.get((township.code, data.get("name")))
        if code and match is None and namesake is not None:
            result.add_error(
                row.number,
                "name",
                _("“%(name)s” already exists in this township with code %(code)s.")
                % {"name": namesake.name, "code": namesake.code},
            )
            continue
        if match is None:
            row.action = importing.CREATE
            plan.append((row.action, row, township, None))
            continue
        if match.parent_id != township.code:
            result.add_error(
                row.number, "code", _("Code %(code)s is already in use.") % {"code": code}
            )
            continue
        changed = match.name != data.get("name")
        if has_kind:
            changed = changed or match.kind != (data.get("kind") or RegionKind.VILLAGE)
        row.action = importing.UPDATE if changed else importing.UNCHANGED
        plan.append((row.action, row, township, match))
    return plan
