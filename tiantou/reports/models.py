"""Reports written from the data: a draft per report (editable), issued versions frozen with
their figures and provenance, and the per-year phrases reports quote."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiantou.core.models import VersionedModel
from tiantou.regions.models import Region


class ReportSetting(VersionedModel):
    """What a region's reports of a year quote: the guiding-ideology phrase of the opening
    formula and the issuing body's name."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    guiding_ideology = models.TextField(_("guiding ideology"), blank=True)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("report setting")
        verbose_name_plural = _("report settings")
        ordering = ["-year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="report_setting_once")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    @property
    def scope_region_code(self) -> str:
        return self.region_id


class Report(VersionedModel):
    """A report of one kind for a region and period: its current draft (blocks of text,
    tables and figures with their provenance), editable until issued again."""

    kind = models.CharField(_("kind"), max_length=40)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=24)
    title = models.CharField(_("title"), max_length=200)
    draft = models.JSONField(_("draft"), default=dict)
    generated_at = models.DateTimeField(_("generated at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-updated_at"]
        permissions = [("issue_report", "Can issue reports")]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_region_code(self) -> str:
        return self.region_id


class ReportVersion(models.Model):
    """An issued version: the text and every figure with its value and provenance, frozen.
    Never changed after it is written; a later change of the data gives a new draft."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    content = models.JSONField(_("content"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued version")
        verbose_name_plural = _("issued versions")
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="report_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.title} 第{self.number}版"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("An issued version cannot be changed."), code="frozen")
        super().save(*args, **kwargs)

    @property
    def scope_region_code(self) -> str:
        return self.report.region_id
