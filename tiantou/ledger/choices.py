"""Choice lists and the measures of the work ledger."""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ActivityStatus(models.TextChoices):
    """draft → submitted → confirmed (counted) → locked; rejected goes back to its author."""

    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")
    LOCKED = "locked", _("locked")
    DELETED = "deleted", _("deleted")


class TechnologyKind(models.TextChoices):
    TECHNOLOGY = "technology", _("technology")
    VARIETY = "variety", _("variety")


class FlagKind(models.TextChoices):
    """Evidence checks: shown to the confirming admin, never blocking."""

    REUSED_PHOTO = "reused_photo", _("the same photo is on another record")
    FAR_FROM_PLACE = "far_from_place", _("photo taken far from the place")
    FAR_FROM_DATE = "far_from_date", _("photo taken days away from the date")
    UNUSUAL_PARTICIPANTS = "unusual_participants", _("participants far above the usual")


@dataclass(frozen=True)
class Measure:
    """A typed quantity an activity may record: a column of Activity."""

    key: str
    label: str | Promise
    unit: str
    decimal: bool = False


# The measures, in the order forms and exports show them. Each is an Activity column.
MEASURES = [
    Measure("participants", _("participants"), "人次"),
    Measure("experts", _("experts"), "人次"),
    Measure("consultations", _("consultations"), "人次"),
    Measure("materials", _("materials handed out"), "份"),
    Measure("boards", _("display boards"), "块"),
    Measure("enterprises", _("enterprises"), "家"),
    Measure("area_mu", _("area"), "亩", decimal=True),
    Measure("output_value", _("output value"), "元", decimal=True),
]
MEASURE_KEYS = [m.key for m in MEASURES]


class RecipientKind(models.TextChoices):
    """The three recipients of a cadre's 思想和工作汇报."""

    ORG_DEPT = "org_dept", _("organisation department")
    TOWNSHIP_PARTY = "township_party", _("township party committee")
    HOME_UNIT = "home_unit", _("home unit")


class SpotCheckResult(models.TextChoices):
    PENDING = "", _("not yet checked")
    PRESENT = "present", _("present")
    EXCUSED = "excused", _("away with leave")
    ABSENT = "absent", _("absent without leave")


class DisciplineLevel(models.IntegerChoices):
    """The escalation ladder: 批评教育 → 戒免谈话 → 退回原单位."""

    CRITICISM = 1, _("criticism and education")
    WARNING_TALK = 2, _("admonitory talk")
    RECALL = 3, _("recall to the home unit")
