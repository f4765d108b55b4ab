"""Every write to regions and organisations."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tiantou.accounts.permissions import ensure_can
from tiantou.core import regioncodes
from tiantou.core.services import apply_changes, create_audited
from tiantou.core.validators import normalise_uscc

from .choices import Level, RegionKind, RegionSource
from .models import Organisation, Region

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


@transaction.atomic
def organisation_create(*, actor, name: str, kind: str, region: Region, **fields) -> Organisation:
    """Register an organisation in a region the actor may edit."""
    ensure_can(actor, "regions.add_organisation", region)
    fields = _clean_organisation_fields({"name": name, "kind": kind, "region": region, **fields})
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
