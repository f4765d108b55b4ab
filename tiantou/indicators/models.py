"""Figures entered from outside. Indicators themselves are declared in code (`registry.py`);
target sheets and scorecards live in the `targets` app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tiantou.core.models import VersionedModel
from tiantou.regions.models import Region

from .choices import FigureStatus


class ExternalFigure(VersionedModel):
    """A figure another body reports (the statistics bureau's above-scale industrial output
    …), entered for one region and period, with who entered it and its status. Only
    confirmed figures count."""

    indicator = models.CharField(_("indicator"), max_length=60, db_index=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("period"), max_length=24)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=2)
    source = models.CharField(_("source"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=FigureStatus.choices, default=FigureStatus.SUBMITTED
    )
    status_reason = models.TextField(_("reason"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("figure from outside")
        verbose_name_plural = _("figures from outside")
        ordering = ["-period_end", "indicator", "region_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "region", "period"], name="external_figure_once"
            )
        ]
        indexes = [models.Index(fields=["indicator", "period_end"])]
        permissions = [
            ("confirm_externalfigure", "Can confirm figures from outside"),
            ("view_indicators", "Can view indicator values and the records behind them"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.region_id} {self.period}"

    @property
    def scope_region_code(self) -> str:
        return self.region_id
