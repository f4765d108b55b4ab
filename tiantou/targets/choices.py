"""Choice lists of target sheets and their items."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")


class TargetKind(models.TextChoices):
    """How a target reads: 20个 (reach), 3次以上 (at least), 2-3期 (a range)."""

    REACH = "reach", _("reach the value")
    MINIMUM = "minimum", _("at least the value")
    RANGE = "range", _("within a range")
