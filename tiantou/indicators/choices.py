"""Choice lists of indicators and figures from outside."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureStatus(models.TextChoices):
    """An entered figure counts once confirmed; a returned one waits for a correction."""

    SUBMITTED = "submitted", _("submitted")
    CONFIRMED = "confirmed", _("confirmed")
    RETURNED = "returned", _("returned for correction")
