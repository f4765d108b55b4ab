"""Excel importers of organisations and of villages; the services do the writing."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from tiantou.core import importing
from tiantou.core.importing import Column, Importer, ImportResult

from . import services
from .choices import AssociationType, OrganisationKind, RegionKind


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

    def apply(self, result: ImportResult, *, dry_run: bool) -> None:
        services.organisation_import(
            actor=self.actor,
            rows=result.rows,
            dry_run=dry_run,
            result=result,
            note=self.context.get("filename", ""),
        )


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

    def apply(self, result: ImportResult, *, dry_run: bool) -> None:
        services.village_import(
            actor=self.actor,
            township_or_scope=self.context["region"],
            rows=result.rows,
            dry_run=dry_run,
            result=result,
            note=self.context.get("filename", ""),
        )
