"""Choice lists of the dispatch programmes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class PoliticalStatus(models.TextChoices):
    CPC = "cpc", _("CPC member")
    CPC_PROBATIONARY = "cpc_probationary", _("CPC probationary member")
    CYL = "cyl", _("Communist Youth League member")
    DEMOCRATIC_PARTY = "democratic_party", _("democratic party member")
    NONE = "masses", _("no party affiliation")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("doctorate")
    MASTER = "master", _("master's degree")
    BACHELOR = "bachelor", _("bachelor's degree")
    COLLEGE = "college", _("junior college")
    SECONDARY = "secondary", _("technical secondary school")
    HIGH_SCHOOL = "high_school", _("high school or below")


class TitleRank(models.IntegerChoices):
    """Rank of a professional title (职称级别); selection rules compare ranks."""

    NONE = 0, _("no title")
    JUNIOR = 1, _("junior")
    INTERMEDIATE = 2, _("intermediate")
    ASSOCIATE_SENIOR = 3, _("associate senior")
    SENIOR = 4, _("senior")


class ProgrammeKind(models.TextChoices):
    DEPUTY = "deputy", _("S&T deputy head")
    ASSISTANT = "assistant", _("township head's S&T assistant")
    COMMISSIONER = "commissioner", _("S&T commissioner")
    COMMISSIONER_TEAM = "commissioner_team", _("S&T commissioner team")
    COMMISSIONER_LEGAL = "commissioner_legal", _("legal-person S&T commissioner")
    EXPERT_POOL = "expert_pool", _("expert pool")
    VOLUNTEER = "volunteer", _("volunteers")


class BatchStatus(models.TextChoices):
    OPEN = "open", _("taking applications")
    SCORING = "scoring", _("defence and scoring")
    DECIDED = "decided", _("decided")
    PUBLISHED = "published", _("allocation published")


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    INELIGIBLE = "ineligible", _("not eligible")
    SELECTED = "selected", _("selected")
    WAITING = "waiting", _("on the waiting list")
    NOT_SELECTED = "not_selected", _("not selected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class EngagementMode(models.TextChoices):
    """选派 (sent from a unit) or 外聘 (hired from outside)."""

    SELECTED = "selected", _("selected and sent")
    HIRED = "hired", _("hired from outside")


class PostType(models.TextChoices):
    """挂职 (seconded, keeps the home post) or 实职 (a substantive post)."""

    SECONDMENT = "secondment", _("secondment")
    SUBSTANTIVE = "substantive", _("substantive post")


class DispatchLevel(models.TextChoices):
    CITY = "city", _("city-level")
    COUNTY = "county", _("county-level")
    TOWNSHIP = "township", _("township-level")


class PostingStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    ACTIVE = "active", _("in office")
    COMPLETED = "completed", _("completed")
    RECALLED = "recalled", _("recalled")
    WITHDRAWN = "withdrawn", _("withdrawn")


class PostingEventKind(models.TextChoices):
    CREATED = "created", _("created")
    ACTIVATED = "activated", _("took up the post")
    CHANGED = "changed", _("changed")
    COMPLETED = "completed", _("term completed")
    RECALLED = "recalled", _("recalled to the home unit")
    WITHDRAWN = "withdrawn", _("withdrawn")
    LETTER_SIGNED = "letter_signed", _("responsibility letter signed")
