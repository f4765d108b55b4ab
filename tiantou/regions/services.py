"""Every write to regions and organisations."""

import dataclasses
import datetime
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.accounts.permissions import ensure_can
from tiantou.core import regioncodes
from tiantou.core.services import apply_changes, create_audited
from tiantou.core.validators import normalise_uscc

from . import official
from .choices import Level, RegionKind, RegionSource
from .models import Organisation, Region

logger = logging.getLogger(__name__)

# ---- regions (villages and communities are the only level written by users) ----


def check_township(township: Region) -> None:
    """Villages and communities are added under a township only."""
    if township.level != Level.TOWNSHIP:
        raise ValidationError(
            {"township": _("Villages can only be added under a township.")}, code="not_township"
        )


def check_village_code(code: str, township: Region) -> str:
    """A village code: 12 digits inside the township's, not ending in 000 (its form only)."""
    code = regioncodes.normalise(code)
    if regioncodes.level_of(code) != regioncodes.VILLAGE or not township.contains(code):
        raise ValidationError(
            {
                "code": _(
                    "A village code must be 12 digits, begin with the township's %(prefix)s "
                    "and not end in 000."
                )
                % {"prefix": regioncodes.prefix_of(township.code)}
            },
            code="village_code",
        )
    return code


def code_in_use(code: str) -> ValidationError:
    """The refusal of a region code already taken."""
    return ValidationError(
        {"code": _("Code %(code)s is already in use.") % {"code": code}}, code="code_taken"
    )


def _check_village_code(code: str, township: Region) -> str:
    code = check_village_code(code, township)
    if Region.objects.filter(code=code).exists():
        raise code_in_use(code)
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
    actor: User,
    township: Region,
    name: str,
    code: str = "",
    kind: str = RegionKind.VILLAGE,
    source: str = RegionSource.MANUAL,
) -> Region:
    """Add a village or community to a township; a blank code takes the next free one."""
    ensure_can(actor, "regions.add_region", township)
    check_township(township)
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
    *, actor: User, region: Region, expected_version: int | None = None, **changes: Any
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


def _insert_official(rows: list[official.OfficialRow], now: datetime.datetime) -> None:
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


def check_organisation_unique(
    fields: dict, *, same_code: Organisation | None, same_name: Organisation | None
) -> None:
    """The two unique constraints, given the other organisations holding the credit code
    and the name in the region (looked up by the caller: one by one, or for a whole sheet)."""
    if fields.get("credit_code") and same_code is not None:
        raise ValidationError(
            {
                "credit_code": _(
                    "Credit code %(code)s is already registered for another organisation."
                )
                % {"code": fields["credit_code"]}
            },
            code="credit_code_taken",
        )
    if fields.get("region") is not None and same_name is not None:
        raise ValidationError(
            {
                "name": _("An organisation named “%(name)s” is already registered in %(region)s.")
                % {"name": fields.get("name"), "region": fields["region"]}
            },
            code="name_taken",
        )


def _check_organisation_unique(fields: dict, organisation: Organisation | None = None) -> None:
    """Clear messages for the two unique constraints, before the database refuses."""
    others = Organisation.objects.all()
    if organisation is not None:
        others = others.exclude(pk=organisation.pk)
    code, region = fields.get("credit_code"), fields.get("region")
    check_organisation_unique(
        fields,
        same_code=others.filter(credit_code=code).first() if code else None,
        same_name=(
            others.filter(region=region, name=fields.get("name")).first()
            if region is not None
            else None
        ),
    )


@transaction.atomic
def organisation_create(
    *, actor: User, name: str, kind: str, region: Region, **fields: Any
) -> Organisation:
    """Register an organisation in a region the actor may edit."""
    ensure_can(actor, "regions.add_organisation", region)
    fields = _clean_organisation_fields({"name": name, "kind": kind, "region": region, **fields})
    _check_organisation_unique(fields)
    return create_audited(actor=actor, obj=Organisation(**fields))


@transaction.atomic
def organisation_update(
    *, actor: User, organisation: Organisation, expected_version: int | None = None, **changes: Any
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
def organisation_deactivate(
    *, actor: User, organisation: Organisation, reason: str
) -> Organisation:
    """Mark an organisation as no longer active (organisations are never deleted)."""
    ensure_can(actor, "regions.change_organisation", organisation)
    if not reason.strip():
        raise ValidationError(_("Please give a reason."))
    apply_changes(actor=actor, obj=organisation, changes={"is_active": False}, note=reason.strip())
    return organisation
