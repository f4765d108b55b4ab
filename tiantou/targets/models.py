"""Target sheets (总体目标) split among receivers, with their responsibility letters (责任状),
and township scorecard schemes scored against those splits.

The tables keep the names they had in the `indicators` app (`indicators_targetsheet` …):
the models moved, the data did not.
"""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiantou.core.models import VersionedModel
from tiantou.regions.models import Organisation, Region

from .choices import SheetStatus, TargetKind


class TargetSheet(VersionedModel):
    """A year's target sheet (总体目标) of a region: items, each split among receivers."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=100)
    status = models.CharField(
        _("status"), max_length=8, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        db_table = "indicators_targetsheet"
        verbose_name = _("target sheet")
        verbose_name_plural = _("target sheets")
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "title"], name="target_sheet_once")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_region_code(self) -> str:
        return self.region_id


class TargetItem(VersionedModel):
    """One target: measured by an indicator (or qualitative when none), a value with an
    optional stretch (力争) or upper bound, the lead unit, responsible units, a person and a
    deadline."""

    sheet = models.ForeignKey(TargetSheet, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("target"), max_length=200)
    indicator = models.CharField(_("measured by"), max_length=60, blank=True)
    kind = models.CharField(
        _("kind"), max_length=8, choices=TargetKind.choices, default=TargetKind.REACH
    )
    value = models.DecimalField(
        _("target value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        max_digits=18,
        decimal_places=2,
    )
    value_max = models.DecimalField(
        _("upper bound"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        max_digits=18,
        decimal_places=2,
    )
    stretch_value = models.DecimalField(
        _("stretch value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        max_digits=18,
        decimal_places=2,
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    lead_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    responsible_units = models.ManyToManyField(
        Organisation, verbose_name=_("responsible units"), blank=True, related_name="+"
    )
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    class Meta:
        db_table = "indicators_targetitem"
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["sheet", "order", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_region_code(self) -> str:
        return self.sheet.region_id


class TargetSplit(models.Model):
    """The share of a target a receiver (a township, or a department or enterprise) takes on,
    with the date its 责任状 was signed."""

    item = models.ForeignKey(TargetItem, on_delete=models.CASCADE, related_name="splits")
    region = models.ForeignKey(
        Region,
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    value = models.DecimalField(
        _("share of the target"), validators=[MinValueValidator(0)], max_digits=18, decimal_places=2
    )
    stretch_value = models.DecimalField(
        _("stretch value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        max_digits=18,
        decimal_places=2,
    )
    letter_signed_on = models.DateField(_("responsibility letter signed on"), null=True, blank=True)

    class Meta:
        db_table = "indicators_targetsplit"
        verbose_name = _("target split")
        verbose_name_plural = _("target splits")
        ordering = ["item", "region_id", "organisation_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=True) ^ Q(organisation__isnull=True),
                name="target_split_one_receiver",
            ),
            models.UniqueConstraint(
                fields=["item", "region"],
                condition=Q(region__isnull=False),
                name="target_split_region_once",
            ),
            models.UniqueConstraint(
                fields=["item", "organisation"],
                condition=Q(organisation__isnull=False),
                name="target_split_organisation_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.receiver_name}"

    @property
    def receiver_name(self) -> str:
        receiver = self.region or self.organisation
        return str(receiver) if receiver else ""

    @property
    def scope_region_code(self) -> str:
        return self.item.sheet.region_id


class ScoreScheme(VersionedModel):
    """A township scorecard scheme (科技进步目标责任制考核细则) for a year: weighted
    indicators scored against each township's share of a target sheet."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    sheet = models.ForeignKey(
        TargetSheet,
        verbose_name=_("targets from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schemes",
    )

    class Meta:
        db_table = "indicators_scorescheme"
        verbose_name = _("scorecard scheme")
        verbose_name_plural = _("scorecard schemes")
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_region_code(self) -> str:
        return self.region_id


class ScoreRule(models.Model):
    """One line of a scheme: an indicator worth `weight` points, scored by the share of the
    township's target reached (capped), plus a bonus when the stretch value is reached."""

    scheme = models.ForeignKey(ScoreScheme, on_delete=models.CASCADE, related_name="rules")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    indicator = models.CharField(_("indicator"), max_length=60)
    weight = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    cap_percent = models.PositiveSmallIntegerField(_("share counted at most (%)"), default=100)
    stretch_bonus = models.DecimalField(
        _("bonus for the stretch value"),
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        db_table = "indicators_scorerule"
        verbose_name = _("scorecard rule")
        verbose_name_plural = _("scorecard rules")
        ordering = ["scheme", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "indicator"], name="score_rule_once")
        ]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.indicator}"

    @property
    def scope_region_code(self) -> str:
        return self.scheme.region_id
