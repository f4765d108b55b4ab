"""Regions (official division tree) and organisations placed in them."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiantou.core import regioncodes
from tiantou.core.models import VersionedModel

from .choices import (
    AssociationType,
    Level,
    OfficialStatus,
    OrganisationKind,
    RegionKind,
    RegionSource,
)
from .querysets import OrganisationQuerySet, RegionQuerySet


class Region(VersionedModel):
    """A unit of the division tree: province, city, county, township (乡镇街道) or village.

    The 12-digit statistical code is the primary key, so a subtree is a range of keys
    and any table pointing at a region can be scoped without a join.
    """

    code = models.CharField(_("division code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    source = models.CharField(
        _("source"), max_length=12, choices=RegionSource.choices, default=RegionSource.OFFICIAL
    )
    edition = models.CharField(_("edition"), max_length=8, blank=True)
    official_status = models.CharField(
        _("status in the 2026 list"),
        max_length=8,
        choices=OfficialStatus.choices,
        default=OfficialStatus.CURRENT,
        blank=True,
    )
    official_name_now = models.CharField(_("name in the 2026 list"), max_length=100, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{12}$"), name="region_code_12_digits"
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="region_level"),
        ]
        indexes = [models.Index(fields=["parent", "name"])]
        permissions = [("import_region", "Can import villages from Excel")]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_region_code(self) -> str:
        return self.code

    @property
    def subtree(self) -> tuple[str, str]:
        return regioncodes.subtree_range(self.code, self.level)

    def contains(self, code: str) -> bool:
        return regioncodes.contains(self.code, code, self.level)


class Organisation(VersionedModel):
    """A department, enterprise, association, cooperative, base, school, institute or media
    outlet, placed in a region."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=OrganisationKind.choices)
    association_type = models.CharField(
        _("association type"),
        max_length=16,
        choices=AssociationType.choices,
        default=AssociationType.NONE,
        blank=True,
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="organisation_unique_credit_code",
            ),
            models.UniqueConstraint(
                fields=["region", "name"], name="organisation_unique_name_in_region"
            ),
        ]
        permissions = [("import_organisation", "Can import organisations from Excel")]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_region_code(self) -> str:
        return self.region_id
