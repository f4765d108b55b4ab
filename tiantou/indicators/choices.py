"""Choice lists of indicators, figures from outside, targets and scorecards."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureStatus(models.TextChoices):
    """An entered figure counts once confirmed; a returned one waits for a correction."""

    SUBMITTED = "submitted", _("submitted")
    CONFIRMED = "confirmed", _("confirmed")
    RETURNED = "returned", _("returned for correction")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")


class TargetKind(models.TextChoices):
    """How a target reads: 20个 (reach), 3次以上 (at least), 2-3期 (a range)."""

    REACH = "reach", _("reach the value")
    MINIMUM = "minimum", _("at least the value")
    RANGE = "range", _("within a range")
